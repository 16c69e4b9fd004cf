"""Problems found in input: each names where it is and what is wrong.

Shared by the protocol validator and the triage input checks, so that every error the product reports
reads the same way: ``checkins[0].pain: must be a whole number from 0 to 10 (got 11)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class Problem:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ProblemsFound(ValueError):
    """Raised with every problem found, never only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def format_location(loc: Iterable[str | int]) -> str:
    """('checkins', 0, 'pain') -> 'checkins[0].pain'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def join_location(prefix: str, rest: str) -> str:
    if not prefix:
        return rest
    if not rest:
        return prefix
    return prefix + rest if rest.startswith("[") else f"{prefix}.{rest}"


_MESSAGES_BY_TYPE = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}


def problems_from_validation_error(
    error: ValidationError, prefix: str = "", *, strip_first: bool = False
) -> list[Problem]:
    """Turn pydantic's errors into Problems with our location syntax and plain messages.

    ``strip_first`` drops the first part of each location (the tag of a discriminated union).
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = [part for part in item["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
        if strip_first:
            loc = loc[1:]
        kind = item["type"]
        message = _MESSAGES_BY_TYPE.get(kind) or _plain(str(item["msg"]))
        if kind not in {"missing", "extra_forbidden"} and "input" in item and not _is_container(item["input"]):
            message += f" (got {shown(item['input'])})"
        problems.append(Problem(join_location(prefix, format_location(loc)), message))
    return problems


def _plain(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    if message[:1].isupper() and not message[:4].isupper():
        message = message[0].lower() + message[1:]
    return message


def shown(value: object) -> str:
    """A value as the person wrote it in JSON (null, true, NaN), cut short when it is long."""
    if value is None or isinstance(value, bool):
        text = {None: "null", True: "true", False: "false"}[value]
    elif isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    else:
        try:
            text = repr(value)
        except ValueError:  # an integer longer than Python will write out (4,300 digits)
            text = "a number of thousands of digits"
    return text if len(text) <= 40 else text[:37] + "..."


def _is_container(value: object) -> bool:
    return isinstance(value, dict | list | tuple)
