"""``prpath serve`` under idle connections: over a thousand clients that connect and send nothing do not keep
anyone else waiting, and a client that sends nothing is disconnected after PRPATH_CHANNEL_TIMEOUT.

Each test starts the real server on a free port (as the demo's test does) and waits for its "Serving on"
line; the timeouts below are only how long a test waits before calling the server stuck."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import waitress.adjustments
from django.core.exceptions import ImproperlyConfigured

from prpath.project.serve import allow_open_files, waitress_options
from tests.integration.test_cli_demo import free_port

IDLE_CONNECTIONS = 1100  # past 1023 too, the highest descriptor select() can watch
STUCK = 20  # seconds: waitress's defaults (100 connections, idle ones closed after 120 s) would wait longer


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[int]:
    """``prpath serve`` on a free port with the given settings, once it listens; its output is read as it
    comes (so the server never blocks on a full pipe) and shown if a test fails."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "prpath", "serve", "--port", str(port)],
        env={**os.environ, "PRPATH_DATA_DIR": str(tmp_path), "DATABASE_URL": "", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    listening = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "Serving on http://" in line:
                listening.set()
        listening.set()  # it ended: the assertion below says so

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        listening.wait(timeout=120)
        assert process.poll() is None, "prpath serve stopped before serving:\n" + "".join(output)
        yield port
    except BaseException:
        print("".join(output))
        raise
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=10)


def idle_connections(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=STUCK) for _ in range(count)]


def still_open(connection: socket.socket) -> bool:
    """True while the server has not closed it (nothing to read yet, and no end of the stream)."""
    connection.setblocking(False)
    try:
        return connection.recv(1) != b""
    except BlockingIOError:
        return True
    finally:
        connection.settimeout(STUCK)


def test_a_thousand_idle_connections_do_not_keep_a_request_waiting(tmp_path: Path) -> None:
    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 2 * IDLE_CONNECTIONS + 200:
        pytest.skip("the hard limit on open files is too low for this machine to hold both ends")
    allow_open_files(IDLE_CONNECTIONS + 100)  # this test's own ends of the connections
    # Idle connections kept longer than the test waits: only the connection limit can let the request in.
    with serving(tmp_path, PRPATH_CHANNEL_TIMEOUT="600") as port:
        idle = idle_connections(port, IDLE_CONNECTIONS)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=STUCK) as response:
                assert response.status == 200
                assert "prpath" in response.read().decode()
            assert all(still_open(connection) for connection in idle)  # nobody was dropped to make room
        finally:
            for connection in idle:
                connection.close()


def test_a_client_that_sends_nothing_is_disconnected_after_the_timeout(tmp_path: Path) -> None:
    with serving(tmp_path, PRPATH_CHANNEL_TIMEOUT="2") as port, socket.create_connection(("127.0.0.1", port)) as quiet:
        quiet.settimeout(STUCK)
        assert quiet.recv(1) == b""  # closed by the server, having sent nothing

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=STUCK) as response:
            assert response.status == 200  # and it still serves


def test_the_open_files_limit_is_raised_for_the_connections() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"the hard limit on open files is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        assert allow_open_files(1000) == 1100
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (1100, hard)
        assert allow_open_files(10) == 1100  # never lowered
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_server_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = waitress_options()
    assert (defaults["connection_limit"], defaults["channel_timeout"], defaults["threads"]) == (2000, 30, 8)
    assert "trusted_proxy" not in defaults  # nobody's X-Forwarded-For is believed unless a proxy is named

    monkeypatch.setenv("PRPATH_CONNECTION_LIMIT", "5000")
    monkeypatch.setenv("PRPATH_TRUSTED_PROXY", "127.0.0.1")
    options = waitress_options()
    assert options["connection_limit"] == 5000
    assert options["trusted_proxy"] == "127.0.0.1"
    assert "x-forwarded-for" in options["trusted_proxy_headers"]
    waitress.adjustments.Adjustments(**options)  # waitress takes them as they are

    monkeypatch.setenv("PRPATH_CHANNEL_TIMEOUT", "soon")
    with pytest.raises(ImproperlyConfigured, match="PRPATH_CHANNEL_TIMEOUT must be a whole number"):
        waitress_options()
