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

# The keys whose strings people read: only these are given a locale's words. Everything else (codes, ids,
# dispositions, candidacies, coding, rule expressions, the note reader's phrases, sources) is left as it is,
# so a locale's word can never turn one code into another, or leave a rule the engine cannot read.
_READ_BY_PEOPLE = frozenset(
    {
        "name",
        "description",
        "label",
        "instruction",
        "meaning",
        "about",
        "question",
        "title",
        "reason",
        "rationale",
        "normal",
        "allowed",
        "avoid",
        "instead",
        "summary",
        "heading",
        "points",
        "read_by",
    }
)
# Sections that are not words for people, whatever their keys: the note reader matches what patients write.
_NOT_WORDS = frozenset({"notes", "signs", "locales", "coding", "reference_points"})

LOCALES = ("en-GB", "en-US")  # the locales a clinic can choose, the first the default


def localized(protocol: Protocol, locale: str) -> Protocol:
    """``protocol`` in ``locale``'s words; the protocol itself when it names no words for that locale."""
    words = protocol.locales.get(locale)
    if not words:
        return protocol
    swap = _swapper(words)
    data = _walk(protocol.model_dump(mode="json", by_alias=True, exclude_none=True), swap)
    try:
        return Protocol.model_validate(data)
    except ValueError:  # a word that leaves a text the schema refuses: the protocol's own words, not a 500
        return protocol


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
    if isinstance(value, dict):
        return {k: _walk(v, swap, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, swap, key) for v in value]
    if isinstance(value, str) and key in _READ_BY_PEOPLE:
        return swap(value)
    return value
