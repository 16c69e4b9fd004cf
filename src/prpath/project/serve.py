"""Serving the app with waitress: a production WSGI server in pure Python, no compiler needed.

Idle connections cost waitress almost nothing (they wait in its poll loop, not in a thread) until it
reaches its connection limit: then it stops accepting, and everyone else waits. So the limit is high, idle
connections are closed after a short timeout, and the process may open enough files for them.

PRPATH_THREADS            requests answered at the same time (default 8)
PRPATH_CONNECTION_LIMIT   connections held open at once, idle ones included (default 2000)
PRPATH_CHANNEL_TIMEOUT    seconds a connection may send nothing before it is closed (default 30)
PRPATH_TRUSTED_PROXY      the address of a reverse proxy in front (e.g. 127.0.0.1); unset: none is trusted
PRPATH_TRUSTED_PROXY_COUNT    proxies in front of each other (default 1)
PRPATH_TRUSTED_PROXY_HEADERS  the proxy's headers to believe (default x-forwarded-for, -host, -proto, -port)
"""

from __future__ import annotations

import logging
from typing import Any

import waitress

from prpath.clinic.web.middleware import UPLOAD_LIMIT
from prpath.project.env import env_int, env_list, env_str
from prpath.project.wsgi import application

logger = logging.getLogger("prpath.serve")

# Descriptors the process holds besides its connections: the database, logs, templates, the note reader.
FILES_BESIDES_CONNECTIONS = 100
PROXY_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"]


def waitress_options() -> dict[str, Any]:
    """The server's settings from the environment (a bad value raises ImproperlyConfigured, naming it)."""
    timeout = env_int("PRPATH_CHANNEL_TIMEOUT", 30, minimum=1, maximum=3600)
    options: dict[str, Any] = {
        "threads": env_int("PRPATH_THREADS", 8, minimum=1, maximum=256),
        "connection_limit": env_int("PRPATH_CONNECTION_LIMIT", 2000, minimum=10, maximum=1_000_000),
        "channel_timeout": timeout,
        # How often idle connections are looked for: often enough that a short timeout is kept to.
        "cleanup_interval": max(1, min(30, timeout // 2)),
        # select() cannot watch a descriptor numbered 1024 or more; poll() can.
        "asyncore_use_poll": True,
        # Larger bodies are refused by waitress before they are buffered; each page has its own limit below it.
        "max_request_body_size": UPLOAD_LIMIT,
        "ident": "prpath",
    }
    proxy = env_str("PRPATH_TRUSTED_PROXY", "").strip()
    if proxy:
        options["trusted_proxy"] = proxy
        options["trusted_proxy_count"] = env_int("PRPATH_TRUSTED_PROXY_COUNT", 1, minimum=1, maximum=10)
        options["trusted_proxy_headers"] = env_list("PRPATH_TRUSTED_PROXY_HEADERS", PROXY_HEADERS)
        options["clear_untrusted_proxy_headers"] = True
    return options


def allow_open_files(connections: int) -> int | None:
    """Raise the soft limit on open files (ulimit -n) towards what ``connections`` need, up to the hard
    limit; the soft limit now (None where there is no such limit). Says so in the log when it stays short."""
    try:
        import resource
    except ImportError:  # not a Unix
        return None
    wanted = connections + FILES_BESIDES_CONNECTIONS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if raised > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            logger.info("open files limit raised from %d to %d", soft, raised)
            soft = raised
    if soft != resource.RLIM_INFINITY and soft < wanted:
        logger.warning(
            "only %d files may be open, and %d connections need %d: raise the hard limit (ulimit -Hn; LimitNOFILE= "
            "in a systemd unit) or lower PRPATH_CONNECTION_LIMIT",
            soft,
            connections,
            wanted,
        )
    return None if soft == resource.RLIM_INFINITY else soft


def serve(*, host: str, port: int) -> None:
    options = waitress_options()
    allow_open_files(options["connection_limit"])
    _read_notes_once()
    waitress.serve(application, host=host, port=port, **options)


def _read_notes_once() -> None:
    """Build the note reader for each clinic's active protocol before the first patient waits for it (about
    a second each)."""
    from django.db import DatabaseError, connections

    from prpath.clinic.models import ProtocolVersion, VersionState
    from prpath.clinic.translate import parsed_protocol
    from prpath.core.notes import read_note

    try:
        versions = list(ProtocolVersion.objects.filter(state=VersionState.ACTIVE))
    except DatabaseError:
        return  # not migrated yet: the reader is built on the first note instead
    for version in versions:
        try:
            protocol = parsed_protocol(version)
            if protocol.notes is not None:
                read_note(protocol.notes, "ready")
        except Exception:  # one clinic's protocol never stops the server for the others; its pages say more
            logger.exception("could not prepare the note reader for protocol version %s", version.pk)
    connections.close_all()
