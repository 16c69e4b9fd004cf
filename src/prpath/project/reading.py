"""Requests Django cannot read are answered 400, naming the problem, instead of failing inside Django.

Django's request decodes its query and form with whatever character set the Content-Type declares, as soon
as the request is built: ``charset=base64`` (a codec, but no text encoding) or ``charset=punycode`` raises
before any middleware runs, and ``charset=utf-16`` turns every field into nonsense. Our request keeps such
a declaration unread (``ReadableWSGIRequest``, served by ``ReadableWSGIHandler``); the first middleware
(``RefuseUnreadableMiddleware``) answers it, and a header with a control character, with a 400.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_header_parameters

# ASCII-compatible text encodings Django decodes, by their codecs name. A form sent urlencoded is UTF-8 only.
READABLE_CHARSETS = frozenset({"utf-8", "ascii", "iso8859-1", "cp1252"})
URLENCODED = "application/x-www-form-urlencoded"
# No field of an HTTP header holds these (RFC 9110 5.5); a NUL is also refused by PostgreSQL.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _shown(text: str) -> str:
    """A client's text, quoted, printable and short enough to put in a message."""
    return ascii(text[:40] + ("…" if len(text) > 40 else ""))


def content_type_problem(content_type: str) -> str | None:
    """What makes a Content-Type unreadable here, in a sentence; None when Django can read it."""
    try:
        kind, params = parse_header_parameters(content_type)
    except (LookupError, ValueError):  # an RFC 2231 parameter in an unknown or binary encoding
        return "The request's Content-Type header cannot be read; send a plain one, in UTF-8."
    charset = params.get("charset")
    if charset is None or readable_charset(charset, kind):
        return None
    return f"The request's character set {_shown(charset)} is not one this site reads; send UTF-8."


def readable_charset(charset: str, content_type: str) -> bool:
    if content_type == URLENCODED:
        return charset.lower() == "utf-8"  # as Django reads such a form (RFC 1866)
    try:
        name = codecs.lookup(charset).name
    except (LookupError, ValueError):
        return False
    return name in READABLE_CHARSETS


def header_problem(meta: dict[str, Any]) -> str | None:
    """The first request header holding a control character, named in a sentence; None if there is none."""
    for key, value in meta.items():
        if key.startswith("HTTP_") and isinstance(value, str) and CONTROL_CHARACTER.search(value):
            name = "-".join(part.capitalize() for part in key.removeprefix("HTTP_").split("_"))
            return f"The request's {name} header holds a control character; no header may."
    return None


class ReadableWSGIRequest(WSGIRequest):
    """Django's request, which leaves a Content-Type it cannot read unread (RefuseUnreadableMiddleware
    refuses the request) instead of raising while it is built."""

    def _set_content_type_params(self, meta: dict[str, Any]) -> None:
        if content_type_problem(meta.get("CONTENT_TYPE", "")) is None:
            super()._set_content_type_params(meta)  # type: ignore[misc]  # Django's, missing from django-stubs
        else:
            self.content_type, self.content_params = "", {}


class ReadableWSGIHandler(WSGIHandler):
    request_class = ReadableWSGIRequest


class RefuseUnreadableMiddleware:
    """First in MIDDLEWARE: a request whose Content-Type or headers cannot be read gets a 400 saying why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = content_type_problem(request.META.get("CONTENT_TYPE", "")) or header_problem(request.META)
        if problem is not None:
            return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
