"""Requests a hostile user sends get a 4xx naming the problem, never a 5xx, and nothing is stored.

A declared character set that is not one this site reads (utf-16, a codec such as base64 that is no text
encoding, one that does not exist), a Content-Type that cannot be parsed, a control character in a header,
a session cookie holding a NUL byte, a login longer than the throttle's column, a page time at the end of
the calendar, a body larger than its page takes, a form that cannot be read sent where no page reads it
first (a Host this site does not serve, a URL no page answers). Character sets that break Django's request
while it is built cannot go through Django's test client (it builds a plain WSGIRequest): those requests go
through the WSGI application ``prpath serve`` serves, with the CSRF checks it makes.
"""

from __future__ import annotations

import encodings.aliases
import io
import wsgiref.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prpath.clinic.models import Alert, CheckIn, Patient
from prpath.clinic.web.forms import throttled_login_name
from prpath.clinic.web.middleware import UPLOAD_LIMIT
from prpath.project.reading import URLENCODED
from prpath.project.sessions import SessionStore
from tests.personas import PASSWORD, World, check_in, clinic_today, injected_patient
from tests.web.pages import body, client_for

CSRF = "k" * 32  # a CSRF secret as Django keeps it in the cookie; sent back in the header
# Codecs that are no ASCII-compatible text encoding (or no text encoding at all), and one that does not exist.
UNREADABLE_CHARSETS = [
    "utf-16", "utf-32", "utf-16-be", "cp037", "utf-7", "base64", "rot13", "hex", "zlib", "bz2", "uu", "quopri",
    "punycode", "idna", "x-no-such-charset",
]  # fmt: skip


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


def served(
    method: str,
    path: str,
    *,
    body: bytes = b"",
    content_type: str = "",
    query: str = "",
    session: str = "",
    **headers: str,
) -> Answer:
    """A request through the WSGI application ``prpath serve`` serves (prpath.project.wsgi), with a CSRF
    cookie and header, in the test's database transaction (as Django's test client keeps it: the handler's
    end-of-request signal would close the test's connection)."""
    from prpath.project.wsgi import application

    cookies = f"csrftoken={CSRF}" + (f"; {settings.SESSION_COOKIE_NAME}={session}" if session else "")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "localhost",
        "HTTP_HOST": "localhost",
        "HTTP_COOKIE": cookies,
        "HTTP_X_CSRFTOKEN": CSRF,
        "REMOTE_ADDR": "203.0.113.9",
        **{"HTTP_" + name.upper(): value for name, value in headers.items()},
    }
    wsgiref.util.setup_testing_defaults(environ)
    status: list[int] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
        status.append(int(line.split()[0]))
        return lambda data: None

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        content = b"".join(result)
        result.close()  # Django's response, closed as a WSGI server closes it
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return Answer(status[0], content.decode())


def session_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def form_body(kind: str, charset: str | None, fields: dict[str, str]) -> tuple[bytes, str]:
    """A form's body and its Content-Type, declaring ``charset`` (when one is given)."""
    declared = f"; charset={charset}" if charset else ""
    if kind == "multipart":
        return encode_multipart(BOUNDARY, fields), f"{MULTIPART_CONTENT}{declared}"
    return urlencode(fields).encode(), f"application/x-www-form-urlencoded{declared}"


# --- the declared character set -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
@pytest.mark.parametrize("charset", UNREADABLE_CHARSETS)
def test_a_sign_in_declaring_a_charset_this_site_does_not_read_is_refused_naming_it(
    world: World, charset: str, kind: str
) -> None:
    data, content_type = form_body(kind, charset, {"username": "nurse@riverside.test", "password": PASSWORD})

    answer = served("POST", "/accounts/login/", body=data, content_type=content_type, query="next=%2Fme%2F")

    assert answer.status == 400
    assert answer.text == f"The request's character set '{charset}' is not one this site reads; send UTF-8."
    assert not AccessAttempt.objects.exists()  # nothing reached the throttle either


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
@pytest.mark.parametrize("charset", UNREADABLE_CHARSETS)
def test_a_check_in_declaring_a_charset_this_site_does_not_read_is_refused_and_nothing_is_stored(
    world: World, charset: str, kind: str
) -> None:
    patient = injected_patient(world, days_ago=3)
    fields = {"date": str(clinic_today(patient.clinic)), "pain": "3", "note": "Feeling better"}
    data, content_type = form_body(kind, charset, fields)

    answer = served("POST", "/me/check-in/", body=data, content_type=content_type, session=signed_in(patient))

    assert answer.status == 400
    assert f"character set '{charset}'" in answer.text
    assert not CheckIn.objects.filter(patient=patient).exists()


def signed_in(patient: Patient) -> str:
    return session_of(client_for(patient.user))


@pytest.mark.parametrize("charset", ["base64", "punycode", "idna", "utf-16"])
def test_a_get_declaring_a_charset_this_site_does_not_read_is_refused(world: World, charset: str) -> None:
    answer = served("GET", "/accounts/login/", content_type=f"text/plain; charset={charset}", query="next=%2Fme%2F")

    assert (answer.status, answer.text) == (
        400,
        f"The request's character set '{charset}' is not one this site reads; send UTF-8.",
    )


def test_a_content_type_parameter_in_an_encoding_that_is_no_text_is_refused(world: World) -> None:
    for content_type in ("text/plain; charset*=idna''%41", "text/plain; name*=x-nothing''%41"):
        answer = served("GET", "/", content_type=content_type)

        assert answer.status == 400
        assert answer.text == "The request's Content-Type header cannot be read; send a plain one, in UTF-8."


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "us-ascii", "iso-8859-1", "windows-1252"])
def test_ascii_compatible_charsets_are_still_read(world: World, charset: str) -> None:
    data, content_type = form_body("multipart", charset, {"username": "nurse@riverside.test", "password": PASSWORD})

    answer = served("POST", "/accounts/login/", body=data, content_type=content_type)

    assert answer.status == 302  # signed in
    if charset.lower() == "utf-8":
        login = {"username": "nurse@riverside.test", "password": PASSWORD}
        data, content_type = form_body("urlencoded", charset, login)
        assert served("POST", "/accounts/login/", body=data, content_type=content_type).status == 302


# --- headers and cookies ------------------------------------------------------------------------------


def test_a_header_with_a_control_character_is_refused_naming_the_header(world: World) -> None:
    response = client_for(None).post(
        "/accounts/login/", {"username": "nurse@riverside.test", "password": "a-wrong-guess"}, HTTP_USER_AGENT="a\x00b"
    )

    assert response.status_code == 400
    assert body(response) == "The request's User-Agent header holds a control character; no header may."
    assert not AccessAttempt.objects.exists()
    # A line break in a page named by a header (test_signed_out) is refused with the whole request too.
    referer = client_for(None).post(
        "/me/check-in/", {"pain": "4"}, headers={"Referer": "http://testserver/clinic/alerts/\r\nSet-Cookie: x=1"}
    )
    assert (referer.status_code, body(referer)) == (
        400,
        "The request's Referer header holds a control character; no header may.",
    )


def test_a_session_cookie_with_a_nul_byte_is_no_session(world: World) -> None:
    # Django's cookie parsing turns the quoted \\000 into a NUL byte, which PostgreSQL refuses in a query.
    response = client_for(None).get("/me/", HTTP_COOKIE='sessionid="abcdefgh\\000ijkl"')

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/me/")
    for key in ("abcdefgh\x00ijkl", "a" * 41, "ABCDEFGHIJKL", "abc"):
        assert SessionStore(key).session_key is None
    assert served("GET", "/me/", session="abcdefgh\x00ijkl").status == 400  # a raw NUL: the header is refused


def test_a_signed_in_session_still_works(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    assert served("GET", "/me/", session=signed_in(patient)).status == 200


# --- the sign-in throttle -----------------------------------------------------------------------------


def test_a_login_longer_than_any_account_is_refused_before_the_throttle(world: World) -> None:
    response = client_for(None).post("/accounts/login/", {"username": "a" * 300 + "@x.test", "password": "a-guess"})

    assert response.status_code == 200
    assert "An email address has at most 150 characters; this has 307." in body(response)
    assert not AccessAttempt.objects.exists()


def test_the_throttle_never_gets_a_name_longer_than_its_column(world: World) -> None:
    name = throttled_login_name(None, {"username": "A" * 300})  # type: ignore[arg-type]  # axes may pass none

    assert name == "a" * AccessAttempt._meta.get_field("username").max_length


# --- times a page sent back ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "since"),
    [("America/Chicago", "9999-12-31T23:59:59"), ("Asia/Tokyo", "0001-01-01T00:00:00"), ("UTC", "1999-12-31T23:59")],
)
def test_the_worklist_poll_refuses_a_time_no_page_showed(world: World, time_zone: str, since: str) -> None:
    world.clinic.time_zone = time_zone
    world.clinic.save(update_fields=["time_zone"])

    response = client_for(world.nurse).get("/clinic/alerts/changes/", {"since": since})

    assert response.status_code == 400
    assert body(response) == "since: This is not a time this site's pages show: reload the page."


def test_acting_on_an_alert_seen_at_the_end_of_time_is_refused_and_leaves_it_open(world: World) -> None:
    world.clinic.time_zone = "America/Chicago"
    world.clinic.save(update_fields=["time_zone"])
    patient = injected_patient(world, days_ago=3)
    check_in(patient, pain=9, days_after=3)
    alert = Alert.objects.get(patient=patient)

    response = client_for(world.nurse).post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/", {"seen": "9999-12-31T23:59:59", "note": "Called back"}
    )

    assert response.status_code < 500
    assert "This page is out of date: reload it" in body(response)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# --- the size of a request ----------------------------------------------------------------------------


def test_a_large_upload_to_a_form_without_files_is_refused_unread(world: World) -> None:
    big = SimpleUploadedFile("big.bin", b"x" * 10_000_000)
    fields = {"username": "nurse@riverside.test", "password": "x", "f": big}
    response = client_for(None).post("/accounts/login/", fields)

    assert response.status_code == 413
    assert body(response).startswith("This request is 10.0 MB; this page takes at most 2.6 MB.")
    assert not AccessAttempt.objects.exists()


def test_a_large_upload_to_the_check_in_is_refused_and_nothing_is_stored(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    big = SimpleUploadedFile("big.bin", b"x" * 10_000_000)
    fields = {"date": str(clinic_today(patient.clinic)), "pain": "3", "f": big}

    response = client_for(patient.user).post("/me/check-in/", fields)

    assert response.status_code == 413
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_the_protocol_page_takes_uploads_up_to_its_own_limit(world: World) -> None:
    admin = client_for(world.admin)
    # Twenty files of 200 kB: more than a form without files takes, within the Protocol page's limit.
    files = [SimpleUploadedFile(f"v{n}.json", b"{" + b" " * 199_998 + b"}") for n in range(20)]

    response = admin.post("/clinic/protocol/vignettes/", {"vignettes": files})

    assert response.status_code == 302  # read, and answered as the page answers (each file's problem named)
    messages = body(admin.get(response["Location"]))
    assert "Not added" in messages

    too_big = admin.generic(
        "POST", "/clinic/protocol/vignettes/", b"x" * (UPLOAD_LIMIT + 1), content_type=f"{MULTIPART_CONTENT}"
    )
    assert too_big.status_code == 413
    assert body(too_big) == "This request is 21.0 MB; this page takes at most 21.0 MB."


# --- a form no page reads first ------------------------------------------------------------------------

UNREADABLE_MULTIPART = [
    "multipart/form-data",
    'multipart/form-data; boundary=""',
    "multipart/form-data; boundary=" + "b" * 300,
]


@pytest.mark.parametrize("content_type", UNREADABLE_MULTIPART)
@pytest.mark.parametrize(
    ("path", "host"),
    [("/accounts/login/", "evil.test"), ("/me/check-in/", "[::1"), ("/no-such-page/", "localhost")],
    ids=["a Host this site does not serve", "a Host that is no host", "a URL no page answers"],
)
def test_a_form_that_cannot_be_read_is_refused_where_no_page_reads_it_first(
    world: World, path: str, host: str, content_type: str
) -> None:
    # Found by the hostile probe (test_hostile_probe.py): the error page (400 for the Host, 404 for the URL)
    # read the form for its CSRF token before FormDataMiddleware had, and a multipart form without a usable
    # boundary failed it with a 500.
    answer = served("POST", path, body=b"--x\r\n", content_type=content_type, host=host)

    assert (answer.status, answer.text.split(":")[0]) == (400, "The form cannot be read")


def test_a_readable_form_to_a_host_not_served_is_refused_for_the_host_and_a_large_one_for_its_size(
    world: World,
) -> None:
    answer = served("POST", "/accounts/login/", body=b"username=a&password=b", content_type=URLENCODED, host="x.test")
    too_big = served("POST", "/no-such-page/", body=b"x" * 3_000_000, content_type=URLENCODED)

    assert answer.status == 400
    assert "Bad Request" in answer.text
    assert (too_big.status, too_big.text) == (413, "This request is 3.0 MB; this page takes at most 2.6 MB.")


# --- anything at all ----------------------------------------------------------------------------------

LATIN_1 = st.characters(max_codepoint=255)  # what a WSGI environ's strings hold (PEP 3333)
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)
CHARSET_NAMES = sorted({*encodings.aliases.aliases, *encodings.aliases.aliases.values()})
# No charset, UTF-8, every name Python's codecs know, or any text at all.
charsets = st.one_of(st.none(), st.just("utf-8"), st.sampled_from(CHARSET_NAMES), st.text(LATIN_1, max_size=20))
header_values = st.one_of(st.text(PRINTABLE, max_size=60), st.text(LATIN_1, max_size=60))
HEADERS = ["user_agent", "accept", "accept_language", "referer", "hx_request", "hx_current_url", "origin"]


def quoted_escapes(text: str) -> str:
    """A cookie value in quotes with octal escapes, which Django's cookie parsing turns into any byte."""
    return '"' + "".join(f"\\{ord(c):03o}" if ord(c) < 64 or c == "\\" else c for c in text) + '\\000"'


# The cookie as sent instead of the session's: none, any text, or quoted escapes that end in a NUL byte.
cookies = st.one_of(
    st.none(), st.text(LATIN_1, max_size=50), st.text(PRINTABLE, min_size=8, max_size=20).map(quoted_escapes)
)
values = st.one_of(st.text(LATIN_1, max_size=30), st.just("nurse@riverside.test"))


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    charset=charsets,
    kind=st.sampled_from(["urlencoded", "multipart", "text/plain"]),
    who=st.sampled_from(["anonymous", "patient", "nurse"]),
    page=st.sampled_from(["/accounts/login/", "/me/check-in/", "/clinic/alerts/changes/", "/", "/me/"]),
    method=st.sampled_from(["GET", "POST"]),
    headers=st.dictionaries(st.sampled_from(HEADERS), header_values, max_size=3),
    cookie=cookies,
    value=values,
)
def test_no_request_gets_a_server_error(
    world: World,
    charset: str | None,
    kind: str,
    who: str,
    page: str,
    method: str,
    headers: dict[str, str],
    cookie: str | None,
    value: str,
) -> None:
    session = "" if who == "anonymous" else a_patient_session(world) if who == "patient" else nurse_session(world)
    if cookie is not None:
        session = cookie  # the cookie as sent, whatever it holds
    fields = {"username": value, "password": value, "date": value, "pain": value, "note": value, "since": value}
    if kind == "text/plain":
        data, content_type = value.encode("latin-1"), "text/plain" + (f"; charset={charset}" if charset else "")
    else:
        data, content_type = form_body(kind, charset, fields)

    answer = served(
        method,
        page,
        body=data if method == "POST" else b"",
        content_type=content_type,
        query=urlencode({"since": value, "next": value}),
        session=session,
        **headers,
    )

    assert answer.status < 500, answer.text


def nurse_session(world: World) -> str:
    return session_of(client_for(world.nurse))


def a_patient_session(world: World) -> str:
    """A signed-in patient's session (the patient made on the first example, in the test's transaction)."""
    patient = Patient.objects.filter(clinic=world.clinic, user__isnull=False).first()
    return signed_in(patient if patient is not None else injected_patient(world, days_ago=3))
