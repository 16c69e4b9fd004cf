"""The Content-Security-Policy in a real Chromium: what it refuses fails the page's look, and the scripts that
were inline still work from their files (the invitation's copy button, the focus after an htmx swap)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import Visit
from tests.personas import World, enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_style_or_script_the_policy_refuses_fails_the_page(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    visit = Visit(browser, live_server, "desktop")
    visits.append(visit)
    visit.go("/accounts/login/")
    visit.look("sign-in-within-the-policy")
    # As an injected attribute or element would be: the browser refuses both and says so.
    visit.page.evaluate("""() => {
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled inline</p>');
        const script = document.createElement("script");
        script.textContent = "window.ranInline = true";
        document.body.append(script);
    }""")
    visit.page.wait_for_function("() => document.querySelector('p[style]') !== null")
    assert visit.page.evaluate("() => window.ranInline") is None
    with pytest.raises(AssertionError, match="the Content-Security-Policy refused") as refused:
        visit.look("sign-in-with-inline-code")
    assert "style-src" in str(refused.value)
    assert "script-src" in str(refused.value)


def test_the_invitation_page_copies_its_link_from_a_static_script(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    patient = enrol(live_world, given_name="Cleo", family_name="Ward", email="cleo@patients.test")
    visit = Visit(browser, live_server, "desktop")
    visits.append(visit)
    visit.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    visit.sign_in("nurse@riverside.test")
    visit.go(f"/clinic/patients/{patient.uuid}/")
    visit.page.get_by_role("button", name="Create invitation link").click()
    visit.page.wait_for_load_state()
    copy = visit.page.get_by_role("button", name="Copy the link")
    copy.click()
    visit.page.get_by_role("button", name="Copied").wait_for()
    link = visit.page.locator("#invitation-link").input_value()
    assert "/join/" in link
    assert visit.page.evaluate("() => navigator.clipboard.readText()") == link
    visit.look("invitation-copied")
