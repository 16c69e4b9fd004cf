"""The QR code of a link (clinic/web/qr.py): what its path draws, painted into pixels, is read back by a
QR decoder (zxing-cpp) as exactly the link; the quiet zone is light; the code fits a 320 px phone."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st

from prpath.clinic.web.qr import PIXELS_PER_MODULE, QUIET_ZONE, QrCode, qr_code

RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")
TOKEN = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=43, max_size=43)
HOST = st.from_regex(r"\Ahttps?://[a-z][a-z0-9-]{0,40}(\.[a-z]{2,8}){0,3}(:[0-9]{2,5})?\Z")


def painted(code: QrCode, *, scale: int = 3) -> npt.NDArray[np.uint8]:
    """The code as a grey image, white everywhere its path does not draw."""
    image = np.full((code.size * scale, code.size * scale), 255, dtype=np.uint8)
    for x, y, n in RUN.findall(code.path):
        x0, y0 = int(x) * scale, int(y) * scale
        image[y0 : y0 + scale, x0 : x0 + int(n) * scale] = 0
    return image


def decoded(image: npt.NDArray[np.uint8]) -> list[str]:
    """What a QR decoder reads, taking the image as it is: a code shown light on dark would not count."""
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(image, formats=qr, try_invert=False)
    return [code.text for code in found]


def test_an_invitation_link_reads_back_and_fits_a_narrow_phone() -> None:
    link = "https://prpath.riverside.example/join/Xb6h3-kP0qg2ZrQw9sLmN4tVyE1uHcFjA8dKoIxWnRe/"

    code = qr_code(link, label="QR code of the invitation link")

    assert decoded(painted(code)) == [link]
    assert code.pixels == code.size * PIXELS_PER_MODULE <= 248  # a 320 px phone's column
    assert code.label == "QR code of the invitation link"
    assert code.text == link


@given(host=HOST, token=TOKEN)
def test_any_link_reads_back_exactly(host: str, token: str) -> None:
    link = f"{host}/join/{token}/"

    assert decoded(painted(qr_code(link, label="code"))) == [link]


@given(host=HOST, token=TOKEN)
def test_the_quiet_zone_is_light_all_round(host: str, token: str) -> None:
    code = qr_code(f"{host}/join/{token}/", label="code")
    image = painted(code, scale=1)

    assert image[:QUIET_ZONE].min() == image[-QUIET_ZONE:].min() == 255
    assert image[:, :QUIET_ZONE].min() == image[:, -QUIET_ZONE:].min() == 255
    assert image[QUIET_ZONE, QUIET_ZONE] == 0  # the finder pattern starts right inside it


def test_the_decoder_here_refuses_a_code_without_its_light_margin_or_inverted() -> None:
    """The checks above and in the browser can fail: a code with dark right up to it, or light on dark, is
    not read."""
    code = qr_code("https://prpath.example/join/abc/", label="code")
    cropped = painted(code, scale=4)[4 * QUIET_ZONE : -4 * QUIET_ZONE, 4 * QUIET_ZONE : -4 * QUIET_ZONE]
    black_surround = np.pad(cropped, 4 * QUIET_ZONE, constant_values=0)

    assert decoded(black_surround) == []
    assert decoded(np.invert(painted(code, scale=4))) == []  # light on dark
    assert decoded(painted(code, scale=4)) == ["https://prpath.example/join/abc/"]
