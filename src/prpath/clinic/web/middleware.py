"""Show times in the clinic's time zone: a nurse in New York reads 19:00, not 00:00 UTC; send someone
with several clinics to choose one; keep pages with patient data out of every cache; and read a
request's form within its page's limit, or say why not."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers

from prpath.clinic.permissions import ChooseClinic, chosen_membership


class ClinicTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = chosen_membership(request)
        if membership is not None:
            timezone.activate(zoneinfo.ZoneInfo(membership.clinic.time_zone))
            translation.activate(membership.clinic.locale.lower())  # the protocol's words and how dates read
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()


class ChooseClinicMiddleware:
    """A page asked for by an account with several clinics and none chosen yet leads to the chooser, which
    comes back to it (an htmx call takes the whole page there)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ChooseClinic):
            return None
        page = resolve_url("choose-clinic")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=409)
            response["HX-Redirect"] = page
            return response
        return HttpResponseRedirect(page)


class NoStoreForSignedInMiddleware:
    """A page shown to someone signed in holds patient data: no browser or proxy keeps a copy (the back
    button on a shared clinic computer after signing out must not show the last patient)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response


# The Protocol page's uploads: a hundred vignette files (Django's DATA_UPLOAD_MAX_NUMBER_FILES) at their
# limit of 200 kB, or a protocol document of 1 MB with its text box, and the form around them.
UPLOAD_LIMIT = 21_000_000


def accepts_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view whose form takes files: its requests may be up to UPLOAD_LIMIT bytes."""
    view.upload_limit = UPLOAD_LIMIT  # type: ignore[attr-defined]
    return view


class FormDataMiddleware:
    """A request's body is read here, before anything else reads it: one larger than its page takes is
    refused with a 413 unread, and a form Django cannot parse with a 400, each saying why. A page takes
    DATA_UPLOAD_MAX_MEMORY_SIZE bytes, or UPLOAD_LIMIT if it accepts_uploads.

    It comes before CommonMiddleware, which refuses a Host this site does not serve, and reads before the URL
    is resolved: the error page of such a request, or of a URL no page answers, reads the form for its CSRF
    token, and a form that cannot be read would fail it with a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            view = None  # a page not found: it takes what any page takes
        most: int = getattr(view, "upload_limit", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        size = _content_length(request)
        if size > most:
            return _refused(413, f"This request is {_megabytes(size)}; this page takes at most {_megabytes(most)}.")
        problem = _form_problem(request) if request.method == "POST" else None  # Django reads POST forms only
        return _refused(*problem) if problem is not None else self.get_response(request)


def _form_problem(request: HttpRequest) -> tuple[int, str] | None:
    try:
        request.POST  # noqa: B018  # parsed now, within the limit, so that a failure is answered here
        request.FILES  # noqa: B018
    except RequestDataTooBig:
        most = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, f"The form's fields hold more than {most}; they may hold at most that, files apart."
    except TooManyFieldsSent:
        return 400, f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields."
    except TooManyFilesSent:
        return 400, f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files."
    except (BadRequest, MultiPartParserError) as error:
        return 400, f"The form cannot be read: {error}"
    except (LookupError, ValueError):  # a part's header in an encoding that is no text encoding, and the like
        return 400, "The form cannot be read: send its fields in UTF-8, as a browser does."
    return None


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads no body then either


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _refused(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
