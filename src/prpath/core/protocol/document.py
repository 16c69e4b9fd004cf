"""A protocol document from its text (YAML, or TOML) to a validated ``Protocol``. Pure: the text comes
from a file at the edge, or from a clinic's stored version."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from prpath.core.problems import Problem, ProblemsFound, problems_from_validation_error, shown
from prpath.core.protocol.schema import Protocol, check_protocol


def parse_protocol(data: Any) -> Protocol:
    """Validate a protocol held as plain data; raises ProblemsFound listing every problem."""
    if not isinstance(data, dict):
        raise ProblemsFound([Problem("", "a protocol document is a mapping of sections")])
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as error:
        raise ProblemsFound(problems_from_validation_error(error)) from None
    problems = check_protocol(protocol)
    if problems:
        raise ProblemsFound(problems)
    return protocol


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice (the second would silently replace the first) and
    aliases (``*name``): a protocol has no use for them, and they can make a small text a huge or endless
    document."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a protocol: write the value out", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # YAML 1.1 reads 8:30 as 510 (base 60) and builds numbers of any length: a protocol means neither.
        text = str(self.construct_scalar(node))
        if ":" in text:
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(text)} reads as a base-60 number: put it in quotes if it is text", node.start_mark
            )
        if len(text.replace("_", "")) > 18:
            raise yaml.constructor.ConstructorError(
                None, None, "a number this long is no protocol value", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a single word or number, not a list or mapping", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeyLoader.construct_yaml_int)


def read_protocol_text(text: str, *, name: str = "protocol.yaml") -> Protocol:
    """Parse YAML, or TOML when ``name`` ends in .toml."""
    try:
        data = tomllib.loads(text) if name.endswith(".toml") else yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506
    except RecursionError:
        raise ProblemsFound([Problem("document", "is nested too deeply to be a protocol")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(error, "problem", None) or str(error)
        raise ProblemsFound([Problem(where, f"not valid YAML: {problem}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ProblemsFound([Problem("document", f"not valid TOML: {error}")]) from None
    except ValueError as error:  # a value YAML recognises but cannot build, such as the date 2026-13-45
        raise ProblemsFound([Problem("document", f"not valid YAML: {error}")]) from None
    try:
        control = list(_control_characters(data, ""))
        if control:
            raise ProblemsFound([Problem(where, "holds a NUL character: write it as text") for where in control])
        return parse_protocol(data)
    except RecursionError:
        raise ProblemsFound([Problem("document", "is nested too deeply to be a protocol")]) from None


def _control_characters(data: Any, where: str) -> Iterator[str]:
    """Where a NUL character stands in a parsed document (YAML can write one as an escape); no text column
    or JSON field keeps one."""
    if isinstance(data, str):
        if "\x00" in data:
            yield where or "document"
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _control_characters(key, where or "document")
            yield from _control_characters(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _control_characters(value, f"{where}[{index}]")


def content_hash(text: str) -> str:
    """What identifies a document's exact text: two versions with the same hash say the same thing."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def line_of(text: str, location: str) -> int | None:
    """The line (from 1) where ``location`` (``recovery_rules[3].window.from_day``) is written in a YAML
    document, or the nearest enclosing part that is there; None when the text is not YAML at all."""
    return lines_of(text, [location])[0]


def lines_of(text: str, locations: Sequence[str]) -> list[int | None]:
    """``line_of`` for each location, reading the document once."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        root = None
    if root is None:
        return [None for _ in locations]
    return [_line_in(root, location) for location in locations]


def _line_in(root: yaml.Node, location: str) -> int:
    node, line = root, root.start_mark.line
    for name, index in _PART.findall(location):
        child = None
        if index and isinstance(node, yaml.SequenceNode) and int(index) < len(node.value):
            child = node.value[int(index)]
        elif name and isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if getattr(key, "value", None) == name), None)
            if child is None:  # a key that is missing or misspelt: the mapping it belongs in
                break
        if child is None:
            break
        node = child
        line = node.start_mark.line
    return line + 1
