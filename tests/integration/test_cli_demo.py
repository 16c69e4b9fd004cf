from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sign_in(base: str, email: str, password: str) -> tuple[str, str]:
    """Sign in through the login form as a browser would; the final URL and page after the redirect."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "accounts/login/", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password, "next": ""}
    ).encode()
    request = urllib.request.Request(base + "accounts/login/", data=data, headers={"Referer": base + "accounts/login/"})
    with opener.open(request, timeout=10) as response:
        return response.geturl(), response.read().decode()


def until_serving(process: subprocess.Popen[str]) -> str:
    """The output of ``prpath demo`` up to the line saying the server listens (read as it comes: no
    polling). Fails if the process ends first."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "Serving on http://" in line:  # waitress, once its socket is open
            return "".join(seen)
    raise AssertionError("prpath demo stopped before serving:\n" + "".join(seen))


def test_demo_loads_the_clinic_serves_it_and_every_printed_login_works(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PRPATH_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    demo = subprocess.Popen(
        [sys.executable, "-m", "prpath", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    landed: dict[str, str] = {}
    try:
        output = until_serving(demo)
        with urllib.request.urlopen(base, timeout=10) as response:
            assert response.status == 200
            page = response.read().decode()
        assert "Try the triage engine" in page
        assert (tmp_path / "prpath.sqlite3").exists()
    finally:
        demo.terminate()
        rest, _ = demo.communicate(timeout=10)
    output += rest
    assert f"open http://localhost:{port}/" in output
    logins = re.findall(r"^  (.+?)\s{2,}(\S+@\S+)  password: (\S+)$", output, flags=re.MULTILINE)
    assert [role for role, _, _ in logins] == ["Clinic admin", "Physician", "Nurse", "Coordinator", "Patient"]

    # Serve the same data again (nothing is reloaded) and sign in as each printed user.
    demo = subprocess.Popen(
        [sys.executable, "-m", "prpath", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        again = until_serving(demo)
        for role, email, password in logins:
            landed[role] = sign_in(base, email, password)[0]
    finally:
        demo.terminate()
        rest, _ = demo.communicate(timeout=10)
    again += rest
    assert "loading" in again
    assert {role: urllib.parse.urlparse(url).path for role, url in landed.items()} == {
        "Clinic admin": "/clinic/alerts/",
        "Physician": "/clinic/alerts/",
        "Nurse": "/clinic/alerts/",
        "Coordinator": "/clinic/alerts/",
        "Patient": "/me/",
    }
