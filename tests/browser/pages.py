"""Helpers for the browser tests: sign in, and look at a page (screenshot, accessibility, nothing from outside)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import ARTIFACTS
from tests.personas import PASSWORD

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
# The narrowest phones still in use: pages that are new or changed are looked at here too.
NARROW = {"narrow": (320, 640)}


class Visit:
    """One person in one browser window, at one screen size."""

    def __init__(self, browser: Any, live_server: Any, size: str, *, javascript: bool = True) -> None:
        width, height = {**SIZES, **NARROW}[size]
        self.base = live_server.url
        self.size = size
        self.javascript = javascript
        self.context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.missing: list[str] = []
        self.page.on("request", self._note_request)
        self.page.on("response", self._note_response)

    def _note_request(self, request: Any) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith(("data:", "tel:")):
            self.outside.append(request.url)

    def _note_response(self, response: Any) -> None:
        # Pages and htmx calls may answer 4xx on purpose (a refused form); the files a page asks for may not.
        if response.status >= 400 and response.request.resource_type not in ("document", "xhr", "fetch"):
            self.missing.append(f"{response.status} {response.url}")

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None
        return response

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, "sign-in failed"

    def look(self, name: str) -> None:
        """Screenshot the page, and check what every page must be: accessible, self-contained, no sideways scroll."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._screenshot(ARTIFACTS / f"{name}-{self.size}.png")
        assert self.outside == [], f"{name}: requests left the app: {self.outside}"
        assert self.missing == [], f"{name}: files the page asked for were not served: {self.missing}"
        if self.javascript:  # axe and the layout check run as scripts in the page
            assert self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
                f"{name}: the page scrolls sideways at {self.size} size, past its edge: {self._too_wide()}"
            )
            violations = serious_accessibility_violations(self.page)
            assert violations == [], f"{name}: {violations}"

    def _screenshot(self, path: Any) -> None:
        # Headless Chromium on a loaded machine now and then has no frame to capture just after a navigation
        # ("Unable to capture screenshot"): once the page has loaded and is in front, it has. Any other error,
        # or the same one twice, fails the test.
        for attempt in range(2):
            try:
                self.page.screenshot(path=str(path), full_page=True)
                return
            except PlaywrightError as error:
                if attempt or "Unable to capture screenshot" not in str(error):
                    raise
                self.page.wait_for_load_state("load")
                self.page.bring_to_front()

    def _too_wide(self) -> list[str]:
        """The innermost elements that reach past the window's right edge, to say what to fix."""
        found: list[str] = self.page.evaluate(
            """() => [...document.querySelectorAll("body *")]
                .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
                .slice(0, 5)
                .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> `
                    + `${Math.round(e.getBoundingClientRect().right)}px`)"""
        )
        return found

    def close(self) -> None:
        self.context.close()
