"""Serving the app with waitress: a production WSGI server in pure Python, no compiler needed."""

from __future__ import annotations

import waitress

from prpath.project.wsgi import application


def serve(*, host: str, port: int) -> None:
    _read_notes_once()
    waitress.serve(application, host=host, port=port, threads=8, ident="prpath")


def _read_notes_once() -> None:
    """Build the note reader for each clinic's active protocol before the first patient waits for it (about
    a second each)."""
    from django.db import DatabaseError

    from prpath.clinic.models import ProtocolVersion, VersionState
    from prpath.clinic.translate import parsed_protocol
    from prpath.core.notes import read_note

    try:
        versions = list(ProtocolVersion.objects.filter(state=VersionState.ACTIVE))
    except DatabaseError:
        return  # not migrated yet: the reader is built on the first note instead
    for version in versions:
        protocol = parsed_protocol(version)
        if protocol.notes is not None:
            read_note(protocol.notes, "ready")
