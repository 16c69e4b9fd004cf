"""Every page that shows a link to choose a password shows it as a QR code too: drawn on the server as an
SVG with an accessible name, encoding exactly the link in the text box, black on white with the quiet zone.

The squares the page draws are read back here and compared with segno's matrix for the link in the box;
the browser test decodes the code from a screenshot (tests/browser/test_every_page_browser.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import segno
from django.test import Client

from tests.personas import World, enrol, with_account
from tests.web.pages import Element, client_for, parse

QUIET_ZONE = 4
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")


def patient_invitation(world: World) -> tuple[Client, str]:
    return client_for(world.nurse), f"/clinic/patients/{enrol(world).uuid}/invite/"


def patient_new_password(world: World) -> tuple[Client, str]:
    return client_for(world.nurse), f"/clinic/patients/{with_account(world, enrol(world)).uuid}/password-link/"


def colleague_new_password(world: World) -> tuple[Client, str]:
    return client_for(world.admin), f"/clinic/staff/{world.nurse.staff.uuid}/link/"


PAGES: list[tuple[str, Callable[[World], tuple[Client, str]], str]] = [
    ("patient invitation", patient_invitation, "QR code of the invitation link"),
    ("patient new password", patient_new_password, "QR code of the new-password link"),
    ("colleague new password", colleague_new_password, "QR code of the new-password link"),
]


def drawn_modules(svg: Element) -> tuple[int, set[tuple[int, int]]]:
    """The code's size in modules (its viewBox) and the dark squares its path draws, as (x, y)."""
    [background] = svg.find_all("rect")
    [path] = svg.find_all("path")
    assert (background.attrs["fill"], path.attrs["fill"]) == ("#fff", "#000")  # dark on light, set in the SVG
    size = int(background.attrs["width"])
    assert background.attrs["height"] == str(size)
    assert svg.attrs["viewbox"] == f"0 0 {size} {size}"  # (html.parser lowers the names of attributes)
    assert svg.attrs["width"] == svg.attrs["height"]
    d = path.attrs["d"]
    runs = RUN.findall(d)
    assert "".join(f"M{x} {y}h{n}v1h-{m}z" for x, y, n, m in runs) == d, "the path is only runs of squares"
    dark = set()
    for x, y, n, m in runs:
        assert n == m
        dark |= {(int(x) + i, int(y)) for i in range(int(n))}
    return size, dark


def the_code_on(page: Element, label: str) -> Element:
    [svg] = page.find_all("svg")
    assert (svg.attrs["role"], svg.attrs["aria-label"]) == ("img", label)
    assert svg.find_all("script") == []
    assert svg.find_all("image") == []
    return svg


@pytest.mark.parametrize(("what", "make", "label"), PAGES, ids=[p[0] for p in PAGES])
def test_the_link_page_shows_the_qr_code_of_exactly_its_link(
    world: World, what: str, make: Callable[[World], tuple[Client, str]], label: str
) -> None:
    client, url = make(world)

    response = client.post(url)

    assert response.status_code == 200, what
    assert "no-store" in response.headers["Cache-Control"]  # the code is the link: never kept by a cache
    page = parse(response.content)
    [box] = page.find_all("input", id="invitation-link")
    link = box.attrs["value"]
    assert re.fullmatch(r"http://testserver/join/[A-Za-z0-9_-]{43}/", link)
    size, dark = drawn_modules(the_code_on(page, label))
    matrix = segno.make(link, error="m", micro=False).matrix
    assert size == len(matrix) + 2 * QUIET_ZONE
    expected = {(x + QUIET_ZONE, y + QUIET_ZONE) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert dark == expected
    # the link is written out in full for paper, where the text box would cut it off
    assert [p.text() for p in page.find_all("p", **{"class": "print-only link-text"})] == [link]


def test_adding_a_colleague_shows_the_qr_code_of_their_sign_up_link(world: World) -> None:
    new = {"given_name": "Sam", "family_name": "Lee", "email": "sam.lee@riverside.test", "role": "nurse"}

    response = client_for(world.admin).post("/clinic/staff/", new)

    assert response.status_code == 200
    page = parse(response.content)
    link = page.find_all("input", id="invitation-link")[0].attrs["value"]
    _, dark = drawn_modules(the_code_on(page, "QR code of the sign-up link"))
    matrix = segno.make(link, error="m", micro=False).matrix
    assert dark == {(x + 4, y + 4) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert "Sam opens it by pointing their phone's camera at it" in page.text()


def test_the_code_is_not_on_the_pages_that_do_not_show_a_link(world: World) -> None:
    patient = enrol(world)
    for url in (f"/clinic/patients/{patient.uuid}/", "/clinic/staff/", "/clinic/patients/new/"):
        assert parse(client_for(world.admin).get(url).content).find_all("svg", role="img") == [], url
