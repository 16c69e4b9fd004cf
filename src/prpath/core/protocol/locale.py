"""A protocol's patient texts in a clinic's locale: the same rules, the words a patient there uses.

A protocol names, per locale, the words that differ from its own ("paracetamol" is "acetaminophen" in
en-US). ``localized`` gives the protocol with those words replaced, whole words only and keeping a capital,
in every text a person reads. Codes, rule expressions, numbers and the note reader's phrases (which must
match what a patient writes, in any spelling) are left as they are: only words change, never a decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from prpath.core.protocol.schema import Protocol

# Sections whose strings are not read by people as the protocol's words: what the engine matches or tests.
_NOT_WORDS = frozenset(
    {"version", "id", "code", "codes", "when", "signs", "notes", "window", "group", "sign", "source", "sources"}
)

LOCALES = ("en-GB", "en-US")  # the locales a clinic can choose, the first the default


def localized(protocol: Protocol, locale: str) -> Protocol:
    """``protocol`` in ``locale``'s words; the protocol itself when it names no words for that locale."""
    words = protocol.locales.get(locale)
    if not words:
        return protocol
    swap = _swapper(words)
    data = _walk(protocol.model_dump(mode="json", by_alias=True, exclude_none=True), swap)
    return Protocol.model_validate(data)


def _swapper(words: Mapping[str, str]) -> Any:
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.I)

    def swap(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            found = match.group(0)
            replacement = next(v for k, v in words.items() if k.lower() == found.lower())
            return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement

        return pattern.sub(one, text)

    return swap


def _walk(value: Any, swap: Any, key: str = "") -> Any:
    if key in _NOT_WORDS:
        return value
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, list):
        return [_walk(v, swap, key) for v in value]
    if isinstance(value, dict):
        return {k: (v if k == "locales" else _walk(v, swap, k)) for k, v in value.items()}
    return value
