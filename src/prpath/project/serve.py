"""Serving the app with waitress: a production WSGI server in pure Python, no compiler needed."""

from __future__ import annotations

import waitress

from prpath.project.wsgi import application


def serve(*, host: str, port: int) -> None:
    waitress.serve(application, host=host, port=port, threads=8, ident="prpath")
