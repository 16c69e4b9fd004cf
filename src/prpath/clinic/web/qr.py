"""The QR code of a link, drawn on the server as SVG: no script, no image file, and it prints as it shows.

segno encodes the text; this module turns segno's matrix into one SVG path of unit squares that the
template draws (``clinic/staff/_qr_code.html``), black on a white square that includes the quiet zone, so
no page colour, dark theme or printer setting can take the contrast or the margin away.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

# The light margin all round, in modules: the QR standard's minimum, which scanners need to find the code.
QUIET_ZONE = 4
# Screen pixels per module. A link of 60 to 100 characters makes a code of 45 to 49 modules with its margin
# (version 5 or 6 at error level M), so 5 px makes it 225 to 245 px: inside a 320 px phone's column (the
# page narrows it further if it must), big enough for a phone's camera across a desk, 6 cm wide on paper.
PIXELS_PER_MODULE = 5


@dataclass(frozen=True, slots=True)
class QrCode:
    text: str  # exactly what the code encodes
    label: str  # its accessible name
    size: int  # modules across, quiet zone included
    path: str  # the dark modules: one "M x y h n v 1 h -n z" per run along a row
    pixels: int  # the width and height it is shown at, in CSS pixels


def qr_code(text: str, *, label: str) -> QrCode:
    """The QR code of ``text`` (a full QR code, error level M or better if that costs no size)."""
    code = segno.make(text, error="m", micro=False, boost_error=True)
    runs: list[str] = []
    for y, row in enumerate(code.matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
    size = len(code.matrix) + 2 * QUIET_ZONE
    return QrCode(text=text, label=label, size=size, path="".join(runs), pixels=size * PIXELS_PER_MODULE)
