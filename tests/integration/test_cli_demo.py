from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
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
        page = ""
        for _ in range(300):  # loading 30 patients takes a few seconds on a slow machine
            try:
                with urllib.request.urlopen(base, timeout=2) as response:
                    assert response.status == 200
                    page = response.read().decode()
                    break
            except OSError:
                if demo.poll() is not None:
                    break
                time.sleep(0.2)
        assert "Try the triage engine" in page
        assert (tmp_path / "prpath.sqlite3").exists()
    finally:
        demo.terminate()
        output, _ = demo.communicate(timeout=10)
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
        for _ in range(300):
            try:
                urllib.request.urlopen(base, timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        for role, email, password in logins:
            landed[role] = sign_in(base, email, password)[0]
    finally:
        demo.terminate()
        again, _ = demo.communicate(timeout=10)
    assert "loading" in again
    assert {role: urllib.parse.urlparse(url).path for role, url in landed.items()} == {
        "Clinic admin": "/clinic/alerts/",
        "Physician": "/clinic/alerts/",
        "Nurse": "/clinic/alerts/",
        "Coordinator": "/clinic/alerts/",
        "Patient": "/me/",
    }
