from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_demo_migrates_then_serves_the_start_page_on_sqlite(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PRPATH_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    demo = subprocess.Popen(
        [sys.executable, "-m", "prpath", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
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
