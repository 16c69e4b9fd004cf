from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


@pytest.mark.parametrize("size", SIZES)
def test_the_start_page_renders_styled_with_nothing_from_outside(browser: Any, live_server: Any, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    response = page.goto(live_server.url + "/")
    assert response is not None
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Care from screening to a year of outcomes"
    # The stylesheet is served by the app and applied: the header carries the brand colour.
    header_colour = page.eval_on_selector(".site-header", "el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(11, 92, 173)"
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert outside == []
    assert serious_accessibility_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"start-{size}.png"), full_page=True)
    context.close()
