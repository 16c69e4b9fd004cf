"""Reading a note: medspaCy's target rules find the protocol's phrases, ConText decides what the words
around them say (negated, a "what if", someone else, gone), and rapidfuzz reads through spelling slips.

The pipeline is a blank spaCy one (no model to download) built once per set of rules. Nothing here reads a
file, the clock or a database: the rules are the protocol's, the text is the patient's.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import Any

from prpath.core.protocol.schema import NoteRules

# medspaCy runs one matcher per kind of rule and warns for each kind it has no rule of (W036): not a problem.
warnings.filterwarnings("ignore", message=r".*\[W036\]", category=UserWarning)

# ConText categories: what a word near a phrase says about it.
_NEGATED, _HYPOTHETICAL, _OTHER_PERSON, _RESOLVED, _TERMINATE = (
    "NEGATED_EXISTENCE",
    "HYPOTHETICAL",
    "FAMILY",
    "RESOLVED",
    "TERMINATE",
)
_NOT_ABOUT_THE_PATIENT_NOW = {_NEGATED, _HYPOTHETICAL, _OTHER_PERSON, _RESOLVED}
_FUZZY_MIN_LETTERS = 4  # shorter words are read as they are: "wet", "hot", "red", "pus"
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{2,3}(?:[.,]\d{1,2})?)\s*(°|º|degrees?|deg)?\s*(c|f|celsius|centigrade|fahrenheit)?(?![a-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class NoteReport:
    code: str
    words: str  # the words of the note that say so, as the patient wrote them


@dataclass(frozen=True, slots=True)
class NoteReading:
    reports: tuple[NoteReport, ...]  # one per code, in code order

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reports]


def read_note(rules: NoteRules, text: str) -> NoteReading:
    """The symptoms ``text`` says the patient has now, each with the words that say so."""
    nlp = _pipeline(rules)
    doc = nlp(text)
    found: dict[str, str] = {}
    # Where the words of `ends` stand. (ConText's own limiting misses a terminating word whose window holds
    # the other word's: medspaCy 1.3's overlap test is one-sided, so the reader applies them itself.)
    ends = [m.modifier_span for m in doc._.context_graph.modifiers if m.category == _TERMINATE]
    for ent in doc.ents:
        if _about_the_patient_now(ent, ends):
            found.setdefault(ent.label_, ent.text)
    if "fever" not in found:
        words = _fever_in_numbers(rules, doc)
        if words is not None:
            found["fever"] = words
    return NoteReading(tuple(NoteReport(code, found[code]) for code in sorted(found)))


def _about_the_patient_now(ent: Any, ends: list[tuple[int, int]]) -> bool:
    if ent.sent.text.rstrip().endswith("?"):
        return False  # a question asks; it does not report
    for modifier in ent._.modifiers:
        start, end = modifier.modifier_span
        if start < ent.end and ent.start < end:
            continue  # a word inside the phrase itself ("can't" in "can't feel my foot") changes nothing
        between = (end, ent.start) if end <= ent.start else (ent.end, start)
        if any(between[0] <= s and e <= between[1] for s, e in ends):
            continue  # "no numbness, just sore": the "no" stops at "just"
        if modifier.category in _NOT_ABOUT_THE_PATIENT_NOW:
            return False
    return True


def _fever_in_numbers(rules: NoteRules, doc: Any) -> str | None:
    """A temperature written in the note, at or above the protocol's fever threshold: the words, or None."""
    words = {w.lower() for w in rules.temperature_words}
    for sentence in doc.sents:
        said = sentence.text
        for match in _NUMBER.finditer(said):
            value = float(match.group(1).replace(",", "."))
            unit = (match.group(3) or "").lower()[:1]
            named = bool(match.group(2) or unit)
            if not named and not any(_said(word, sentence) for word in words):
                continue  # a number is a temperature only when the note says so
            celsius = _celsius(value, unit)
            if celsius is not None and celsius >= rules.fever_at_c:
                return match.group(0).strip()
    return None


def _said(word: str, sentence: Any) -> bool:
    if word.startswith("°"):
        return word in sentence.text.lower()
    return any(token.norm_ == word or token.lower_ == word for token in sentence)


def _celsius(value: float, unit: str) -> float | None:
    if unit == "c" or (not unit and 30 <= value <= 45):
        return value if 30 <= value <= 45 else None
    if unit == "f" or (not unit and 86 <= value <= 113):
        return (value - 32) * 5 / 9 if 86 <= value <= 113 else None
    return None


# --- the pipeline ------------------------------------------------------------------------------------


def _pipeline(rules: NoteRules) -> Any:
    return _build(rules.model_dump_json())


@functools.lru_cache(maxsize=8)
def _build(rules_json: str) -> Any:
    """A blank English spaCy pipeline: sentences, spelling read through, the phrases, ConText."""
    import spacy
    from medspacy.context import ConTextRule
    from medspacy.target_matcher import TargetRule
    from rapidfuzz import fuzz, process
    from spacy.language import Language

    rules = NoteRules.model_validate_json(rules_json)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    phrase_words = {
        token.lower_
        for phrase in [*(p for ps in rules.symptoms.values() for p in ps), *rules.temperature_words]
        for token in nlp.make_doc(phrase.lower())
        if token.is_alpha
    }
    # A word of a phrase is read as it is; another word is read as the phrase word it is a slip of, when it is
    # long enough for a slip to be told from another word.
    targets = sorted(w for w in phrase_words if len(w) > _FUZZY_MIN_LETTERS)
    score = rules.spelling_score
    name = f"prpath_spelling_{abs(hash(rules_json))}"

    @Language.component(name)
    def read_through_spelling(doc: Any) -> Any:
        for token in doc:
            word = token.lower_
            if token.is_alpha and len(word) >= _FUZZY_MIN_LETTERS and word not in phrase_words:
                best = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=score)
                token.norm_ = best[0] if best is not None else word
            else:
                token.norm_ = word
        return doc

    nlp.add_pipe(name)
    matcher: Any = nlp.add_pipe("medspacy_target_matcher")
    matcher.add(
        [
            TargetRule(phrase, code, pattern=_pattern(nlp, phrase))
            for code, phrases in sorted(rules.symptoms.items())
            for phrase in phrases
        ]
    )
    # Each word's reach is the protocol's (within its sentence); a word of `ends` stops it sooner.
    context: Any = nlp.add_pipe("medspacy_context", config={"rules": None, "prune_on_target_overlap": True})
    c, reach = rules.context, rules.context.reach
    context.add(
        [
            *(ConTextRule(w, _NEGATED, direction="FORWARD", max_scope=reach) for w in c.negated),
            *(ConTextRule(w, _NEGATED, direction="BACKWARD", max_scope=reach) for w in c.negated_after),
            *(ConTextRule(w, _HYPOTHETICAL, direction="FORWARD", max_scope=reach) for w in c.hypothetical),
            *(ConTextRule(w, _OTHER_PERSON, direction="FORWARD") for w in c.other_person),
            *(ConTextRule(w, _RESOLVED, direction="FORWARD", max_scope=reach) for w in c.resolved),
            *(ConTextRule(w, _RESOLVED, direction="BACKWARD", max_scope=reach) for w in c.resolved_after),
            *(ConTextRule(w, _TERMINATE, direction="TERMINATE") for w in c.ends),
        ]
    )
    return nlp


def _pattern(nlp: Any, phrase: str) -> list[dict[str, Any]]:
    """A phrase as a token pattern on the spelling-read form of each word; "*" is one word, or none."""
    pattern: list[dict[str, Any]] = []
    for token in nlp.make_doc(phrase.lower()):
        pattern.append({"OP": "?"} if token.text == "*" else {"NORM": token.lower_})
    return pattern
