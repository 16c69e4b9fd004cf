"""Serving the app with waitress: a production WSGI server in pure Python, no compiler needed."""

from __future__ import annotations

import logging

import waitress

from prpath.project.wsgi import application

logger = logging.getLogger("prpath.serve")


def serve(*, host: str, port: int) -> None:
    _read_notes_once()
    waitress.serve(application, host=host, port=port, threads=8, ident="prpath")


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
