"""Reading a note: medspaCy's target rules find the protocol's phrases, ConText decides what the words
around them say (negated, a "what if", someone else, gone), and rapidfuzz reads through spelling slips.

The pipeline is a blank spaCy one (no model to download) built once per set of rules. Nothing here reads a
file, the clock or a database: the rules are the protocol's, the text is the patient's.
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from prpath.core.protocol.schema import NoteContext, NoteRules

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
    reader = _pipeline(rules)
    # Read in lower case (spaCy's contractions are written in lower case: "CAN'T" is "can" "not" too), with
    # every character where it was, so that the words quoted are the patient's own.
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer ("İ"): keep it, to keep the places
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    doc = reader(lowered)
    found: dict[str, str] = {}
    # Where the words of `ends` stand. (ConText's own limiting misses a terminating word whose window holds
    # the other word's: medspaCy 1.3's overlap test is one-sided, so the reader applies them itself.)
    ends = [m.modifier_span for m in doc._.context_graph.modifiers if m.category == _TERMINATE]
    for ent in doc.ents:
        if _about_the_patient_now(ent, ends, rules.context):
            found.setdefault(ent.label_, text[ent.start_char : ent.end_char])
    if "fever" not in found:
        words = _fever_in_numbers(rules, doc)
        if words is not None:
            found["fever"] = text[words[0] : words[1]]
    return NoteReading(tuple(NoteReport(code, found[code]) for code in sorted(found)))


def _about_the_patient_now(ent: Any, ends: list[tuple[int, int]], context: NoteContext, modifiers: Any = None) -> bool:
    # A question is not a report by itself: "I wet myself, is that normal?" reports; a "what if" is told by
    # the protocol's hypothetical words.
    for modifier in ent._.modifiers if modifiers is None else modifiers:
        start, end = modifier.modifier_span
        if start < ent.end and ent.start < end:
            continue  # a word inside the phrase itself ("can't" in "can't feel my foot") changes nothing
        between = (end, ent.start) if end <= ent.start else (ent.end, start)
        if any(between[0] <= s and e <= between[1] for s, e in ends):
            continue  # "no numbness, just sore": the "no" stops at "just"
        if end <= ent.start and _new_clause(ent, modifier, context):
            continue  # "no fever, wet myself this morning": a comma began another statement
        if start >= ent.end and any(t.text in _CLAUSE_BREAKS for t in ent.doc[ent.end : start]):
            continue  # "temperature 39.4 today, the pain has gone": the "gone" is the pain's
        if modifier.category == _HYPOTHETICAL and _told(ent, context):
            continue  # "what if I wet myself again, like yesterday?": it has happened
        if modifier.category in _NOT_ABOUT_THE_PATIENT_NOW:
            return False
    return True


_WORD = re.compile(r"[\w']+")


def _told(ent: Any, context: NoteContext) -> bool:
    """Whether the sentence, outside the phrase's own words, says the thing has happened."""
    doc, sentence = ent.doc, ent.sent
    around = doc[sentence.start : ent.start].text + " " + doc[ent.end : sentence.end].text
    said = " " + " ".join(_WORD.findall(around.lower())) + " "
    return any(f" {word.lower()} " in said for word in context.told_words)


_CLAUSE_BREAKS = {",", ";", "-", "–", "—", ":"}
_LIST_WORDS = {"or", "nor"}


def _new_clause(ent: Any, modifier: Any, context: NoteContext) -> bool:
    """Whether a break (a comma, a semicolon, a dash, a new "I") stands between a word before the phrase and it,
    and the phrase's own clause is no list of what that word denies ("no fever, chills or rash")."""
    doc = ent.doc
    start, after = modifier.modifier_span
    # A new subject begins a new statement too: "no fever i wet myself", "without warning I wet myself",
    # "worried that I wet myself", "in case I wet myself again". After "what if" the "I" is imagined ("what
    # if I lose control"), and after another such word when a word of the protocol's follows it ("in case I
    # get a rash"). A later "I" begins a statement. (A false alarm is asked back; a miss is not.)
    itself = {w.lower() for w in context.self_words}
    hypothetical = modifier.category == _HYPOTHETICAL
    imagined = hypothetical and doc[start:after].text.lower() in {w.lower() for w in context.imagined}
    verbs = {w.lower() for w in context.imagined_verbs}

    def breaks_at(i: int) -> bool:
        token = doc[i]
        if token.text in _CLAUSE_BREAKS:
            return True
        if token.lower_ not in itself:
            return False
        if hypothetical and i == after:
            following = doc[i + 1] if i + 1 < len(doc) else None
            told = following is None or (following.lower_ not in verbs and following.norm_ not in verbs)
            return not imagined and told
        return True

    breaks = [i for i in range(after, ent.start) if breaks_at(i)]
    if not breaks:
        return False
    # A list names symptoms next to each other ("no fever, chills or rash"): the phrase stands beside an
    # "or" / "nor" that joins it to another ("or something" joins nothing).
    before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
    after_words = [t.lower_ for t in doc[ent.end : min(ent.end + 2, ent.sent.end)]]
    joined_after = bool(after_words) and after_words[0] in _LIST_WORDS and after_words[1:2] != ["something"]
    is_list = before in _LIST_WORDS or joined_after
    return not is_list


def _fever_in_numbers(rules: NoteRules, doc: Any) -> tuple[int, int] | None:
    """Where a temperature at or above the protocol's fever threshold is written in the note (characters),
    or None. Not in a sentence that says it of someone else, denies it or imagines it."""
    words = {w.lower() for w in rules.temperature_words}
    modifiers = [m for m in doc._.context_graph.modifiers if m.category in _NOT_ABOUT_THE_PATIENT_NOW]
    ends = [m.modifier_span for m in doc._.context_graph.modifiers if m.category == _TERMINATE]
    if not _NUMBER.search(doc.text):
        return None
    for sentence in doc.sents:
        if not _NUMBER.search(sentence.text):
            continue
        said = {token.norm_ for token in sentence} | {token.lower_ for token in sentence}
        named_in_sentence = bool(words & said) or any(w in sentence.text for w in words if w.startswith("°"))
        for match in _NUMBER.finditer(sentence.text):
            value = float(match.group(1).replace(",", "."))
            unit = (match.group(3) or "").lower()[:1]
            degrees = bool(match.group(2)) and (
                "." in match.group(1) or "," in match.group(1) or value >= 95 or 37.5 <= value <= 43
            )
            if not (match.group(2) in ("°", "º") or unit or degrees or named_in_sentence):
                continue  # a number is a temperature only when the note says so ("38.2 degrees", not "40 degrees")
            celsius = _celsius(value, unit)
            if celsius is None or celsius < rules.fever_at_c:
                continue
            start = sentence.start_char + match.start()
            end = start + len(match.group(0).rstrip())
            number = doc.char_span(start, end, alignment_mode="expand")
            # The same test as for a phrase: not after a denial, a "what if" or someone else that reaches it.
            cancelling = [m for m in modifiers if _covers(m, number)]
            if number is None or _about_the_patient_now(number, ends, rules.context, cancelling):
                return start, end
    return None


def _covers(modifier: Any, span: Any) -> bool:
    if span is None or modifier.direction.upper() == "TERMINATE":
        return False
    start, end = modifier.scope_span
    return bool(start <= span.start and span.end <= end)


def _celsius(value: float, unit: str) -> float | None:
    if unit == "c" or (not unit and 30 <= value <= 45):
        return value if 30 <= value <= 45 else None
    if unit == "f" or (not unit and 86 <= value <= 113):
        return (value - 32) * 5 / 9 if 86 <= value <= 113 else None
    return None


# --- the pipeline ------------------------------------------------------------------------------------


_BUILDING = threading.Lock()


def _pipeline(rules: NoteRules) -> Any:
    with _BUILDING:  # one build at a time: threads starting together do not each build their own
        return _build(rules.model_dump_json())


@functools.lru_cache(maxsize=32)
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
        _norm(token)
        for phrase in [*(p for ps in rules.symptoms.values() for p in ps), *rules.temperature_words]
        for token in nlp.make_doc(phrase.lower())
        if token.is_alpha
    }
    # A word of a phrase is read as it is; another word is read as the phrase word it is a slip of, when it is
    # long enough for a slip to be told from another word.
    # A slip keeps its first letter ("fevr", "needels"); another word that looks alike usually does not
    # ("hills" is not "chills", "keeping" not "weeping"): each word is compared with the phrase words that
    # start with its sound only.
    by_sound: dict[str, list[str]] = {}
    for target in sorted(w for w in phrase_words if len(w) > _FUZZY_MIN_LETTERS):
        by_sound.setdefault(_sound(target), []).append(target)
    score = rules.spelling_score
    name = f"prpath_spelling_{abs(hash(rules_json))}"
    read_as: dict[str, str] = {}  # each word's reading, once worked out (the same words recur in every note)

    def reading(word: str) -> str:
        known = read_as.get(word)
        if known is None:
            best = process.extractOne(word, by_sound.get(_sound(word), ()), scorer=fuzz.ratio, score_cutoff=score)
            known = best[0] if best is not None else word
            if len(read_as) < _READINGS_KEPT:
                read_as[word] = known
        return known

    @Language.component(name)
    def read_through_spelling(doc: Any) -> Any:
        for token in doc:
            word = _norm(token)
            if token.is_alpha and len(word) >= _FUZZY_MIN_LETTERS and word not in phrase_words:
                token.norm_ = reading(word)
            else:
                token.norm_ = word
        return doc

    nlp.add_pipe(name)
    # The phrases are found by spaCy's PhraseMatcher on each word's spelling-read form (NORM), many times
    # faster than a token pattern each; a phrase with a word it may have ("*") is a pattern. The matches are
    # made the note's entities at once (medspaCy would add them one by one), so the matcher runs outside the
    # pipeline (see ``read_note``).
    matcher: Any = nlp.add_pipe("medspacy_target_matcher", config={"phrase_matcher_attr": "NORM", "result_type": None})
    # A word a phrase may have ("*") is never a denial: "headache * worse" is not "headache not worse".
    denials = sorted({_norm(doc[0]) for w in rules.context.negated if len(doc := nlp.make_doc(w.lower())) == 1})
    matcher.add(
        [
            TargetRule(phrase, code, pattern=_pattern(nlp, phrase, denials) if "*" in phrase.split() else None)
            for code, phrases in sorted(rules.symptoms.items())
            for phrase in phrases
        ]
    )
    # Each word's reach is the protocol's (within its sentence); a word of `ends` stops it sooner.
    context: Any = nlp.add_pipe(
        "medspacy_context", config={"rules": None, "prune_on_target_overlap": True, "phrase_matcher_attr": "NORM"}
    )
    c, reach = rules.context, rules.context.reach
    context.add(
        [
            *(ConTextRule(w, _NEGATED, direction="FORWARD", max_scope=reach) for w in c.negated),
            *(ConTextRule(w, _NEGATED, direction="BACKWARD", max_scope=reach) for w in c.negated_after),
            *(ConTextRule(w, _HYPOTHETICAL, direction="FORWARD", max_scope=reach) for w in c.hypothetical),
            *(ConTextRule(w, _OTHER_PERSON, direction="FORWARD", max_scope=reach) for w in c.other_person),
            *(ConTextRule(w, _RESOLVED, direction="FORWARD", max_scope=reach) for w in c.resolved),
            *(ConTextRule(w, _RESOLVED, direction="BACKWARD", max_scope=reach) for w in c.resolved_after),
            *(ConTextRule(w, _TERMINATE, direction="TERMINATE") for w in c.ends),
        ]
    )
    nlp.remove_pipe("medspacy_context")
    nlp.remove_pipe("medspacy_target_matcher")
    return _Reader(nlp, matcher, context)


@dataclass(frozen=True, slots=True)
class _Reader:
    nlp: Any  # sentences, then spelling read through
    matcher: Any  # the phrases: a list of spans
    context: Any  # ConText, over the spans made entities

    def __call__(self, text: str) -> Any:
        from spacy.util import filter_spans  # spaCy is imported with the first pipeline, not with this module

        doc = self.nlp(text)
        doc.ents = filter_spans(self.matcher(doc))
        return self.context(doc)


def _pattern(nlp: Any, phrase: str, denials: list[str]) -> list[dict[str, Any]]:
    """A phrase as a token pattern on the spelling-read form of each word; "*" is one word (not a denial), or
    none."""
    pattern: list[dict[str, Any]] = []
    for token in nlp.make_doc(phrase.lower()):
        pattern.append({"OP": "?", "NORM": {"NOT_IN": denials}} if token.text == "*" else {"NORM": _norm(token)})
    return pattern


_READINGS_KEPT = 50_000  # words whose reading is kept: a bound on memory however many notes are read
_SOUNDS = {"k": "c", "s": "c", "z": "c", "p": "f"}  # "chivering" is a slip of "shivering"


def _sound(word: str) -> str:
    return _SOUNDS.get(word[0], word[0])


def _norm(token: Any) -> str:
    """A word as the reader compares it: spaCy's own form ("can't", "can’t" and "cant" are "can" "not")."""
    return str(token.norm_).replace("’", "'")
