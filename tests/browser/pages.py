"""Helpers for the browser tests: sign in, and look at a page (screenshot, accessibility, nothing from outside,
nothing the Content-Security-Policy refused)."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
import zxingcpp
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import ARTIFACTS
from tests.personas import PASSWORD

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
# The narrowest phones still in use: pages that are new or changed are looked at here too.
NARROW = {"narrow": (320, 640)}
# Chromium says in the console what the page's Content-Security-Policy refused ("Executing inline script
# violates the following Content Security Policy directive ...", "Refused to load ..."), with scripts on or
# off; with scripts on, the page's securitypolicyviolation events say what was blocked as well.
POLICY_REFUSED = ("Content Security Policy", "Refused to ", "securitypolicyviolation")
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => console.error(
    `securitypolicyviolation: ${event.effectiveDirective} refused ${event.blockedURI} ${event.sample}`
    + ` (${event.sourceFile || "the page"}:${event.lineNumber}:${event.columnNumber})`));"""


class Visit:
    """One person in one browser window, at one screen size."""

    def __init__(self, browser: Any, live_server: Any, size: str, *, javascript: bool = True) -> None:
        width, height = {**SIZES, **NARROW}[size]
        self.base = live_server.url
        self.size = size
        self.javascript = javascript
        self.context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.missing: list[str] = []
        self.refused: list[str] = []  # what the Content-Security-Policy refused, in Chromium's words
        self.page.on("request", self._note_request)
        self.page.on("response", self._note_response)
        self.page.on("console", self._note_console)

    def _note_request(self, request: Any) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith(("data:", "tel:")):
            self.outside.append(request.url)

    def _note_response(self, response: Any) -> None:
        # Pages and htmx calls may answer 4xx on purpose (a refused form); the files a page asks for may not.
        if response.status >= 400 and response.request.resource_type not in ("document", "xhr", "fetch"):
            self.missing.append(f"{response.status} {response.url}")

    def _note_console(self, message: Any) -> None:
        if any(words in message.text for words in POLICY_REFUSED):
            self.refused.append(f"{self.page.url}: {message.text}")

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
        """Screenshot the page, and check what every page must be: accessible, self-contained, within its
        Content-Security-Policy, no sideways scroll."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._screenshot(ARTIFACTS / f"{name}-{self.size}.png")
        assert self.outside == [], f"{name}: requests left the app: {self.outside}"
        assert self.missing == [], f"{name}: files the page asked for were not served: {self.missing}"
        assert self.refused == [], f"{name}: the Content-Security-Policy refused: {self.refused}"
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

    def read_qr_code(self, label: str) -> list[str]:
        """What a QR decoder reads in a screenshot of the code named ``label``, as it is drawn on the screen.

        The code must also be square, wholly inside the window and at least 4 screen pixels a module (a
        phone's camera reads it from across a desk)."""
        code = self.page.get_by_role("img", name=label, exact=True)
        box = code.bounding_box()
        assert box is not None, f"no {label!r} on the page"
        modules = int(str(code.get_attribute("viewBox")).split()[2])
        width = self.page.evaluate("window.innerWidth")
        assert abs(box["width"] - box["height"]) < 0.5, f"{label} is not square: {box}"
        assert box["x"] >= 0, f"{label} is cut off at {self.size} size: {box}"
        assert box["x"] + box["width"] <= width + 0.5, f"{label} is cut off at {self.size} size: {box}"
        assert box["width"] / modules >= 4, f"{label}: {box['width'] / modules:.1f} px a module at {self.size} size"
        pixels = grey_pixels(code.screenshot())
        # Dark on light as shown: a code the page's colours had inverted would not be read (try_invert).
        qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        return [found.text for found in zxingcpp.read_barcodes(pixels, formats=qr, try_invert=False)]

    def close(self) -> None:
        self.context.close()


def grey_pixels(png: bytes) -> npt.NDArray[np.uint8]:
    """A PNG as Chromium writes screenshots (8 bits a channel, RGB or RGBA, not interlaced) in grey levels."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed, header = 8, b"", b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        data = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            compressed += data
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace, colour in (2, 6)) == (8, 0, True), f"a PNG this reader cannot read: {header!r}"
    channels = 3 if colour == 2 else 4
    stride, raw = width * channels, zlib.decompress(compressed)
    rows: list[bytearray] = []
    above = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up_left = above[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + above[i]) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + above[i]) // 2) & 0xFF
            elif kind == 4:
                guess = left + above[i] - up_left
                # the nearest of left, above and up-left to the guess, in that order on a tie
                _, _, nearest = min(
                    (abs(guess - left), 0, left),
                    (abs(guess - above[i]), 1, above[i]),
                    (abs(guess - up_left), 2, up_left),
                )
                line[i] = (line[i] + nearest) & 0xFF
        rows.append(line)
        above = line
    image = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, channels)
    return np.asarray(image[:, :, :3].mean(axis=2), dtype=np.uint8)


def choose_pain(page: Any, pain: int) -> None:
    """Tap the pain button, as a patient would: none is chosen in advance."""
    page.get_by_role("group", name="How bad is your back pain right now?").get_by_role(
        "radio", name=str(pain), exact=True
    ).check()


def anything_new(page: Any, answer: str) -> None:
    """Answer the check-in's first question: "No, nothing new" or "Yes" (which opens the groups)."""
    page.get_by_role("group", name="Anything new or worse since your last check-in?").get_by_role(
        "radio", name=answer, exact=True
    ).check()
