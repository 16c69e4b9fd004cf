"""Dates, times and temperatures as the clinic reads them (template builtins: ``{{ when|local:"l j F" }}``,
``{{ checkin.temperature_c|degrees:clinic.temperature_unit }}``).

Templates write the British form, which en-GB keeps; en-US reads the same parts in its own order and a
12-hour clock ("Friday 4 December, 19:05" is "Friday, December 4, 7:05 PM"). The locale is the clinic's,
activated for the request by the clinic middleware with its time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation

register = template.Library()

# Every format the templates use, in the US reading of it. A format missing here fails loudly in tests.
US = {
    "l j F": "l, F j",
    "D j M, H:i": "D M j, g:i A",
    "j M Y, H:i": "M j, Y, g:i A",
    "j M Y": "M j, Y",
    "l j F, H:i": "l, F j, g:i A",
    "j F Y": "F j, Y",
    "H:i": "g:i A",
    "j F": "F j",
    "l j F Y, H:i": "l, F j, Y, g:i A",
    "j M": "M j",
    "D j M": "D M j",
    "j F Y, H:i": "F j, Y, g:i A",
    "F Y": "F Y",
    "D j M Y, H:i": "D M j, Y, g:i A",
    "l j F Y": "l, F j, Y",
}


def us_reading() -> bool:
    return (translation.get_language() or "").lower() == "en-us"


@register.filter(expects_localtime=True, is_safe=False)
def local(value: dt.date | dt.datetime | None, british: str) -> str:
    """``value`` in the format ``british`` (en-GB), or its US reading when the clinic reads en-US."""
    if value in (None, ""):
        return ""
    if us_reading():
        return str(date_filter(value, US[british]))
    return str(date_filter(value, british))


@register.filter(is_safe=False)
def degrees(celsius: Decimal | float | None, unit: str = "C") -> str:
    """A temperature stored in °C, in the clinic's unit: "38.6 °C", or "101.5 °F (38.6 °C)" where the clinic
    reads °F (the °C beside it is what the rules were checked against)."""
    if celsius is None or celsius == "":
        return ""
    value = Decimal(str(celsius))
    if unit == "F":
        fahrenheit = (value * 9 / 5 + 32).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{fahrenheit} °F ({value} °C)"
    return f"{value} °C"


_CELSIUS = re.compile(r"\b(\d{2}(?:\.\d)?) ?°C\b")


@register.filter(is_safe=False)
def in_unit(text: str, unit: str = "C") -> str:
    """A text the rules wrote in °C ("Temperature 38.4 °C on day 4"), its temperatures in the clinic's unit
    too where it reads °F ("Temperature 101.1 °F (38.4 °C) on day 4"). Autoescaping still applies."""
    if unit != "F" or not text:
        return text
    return _CELSIUS.sub(lambda m: degrees(Decimal(m.group(1)), "F"), str(text))
