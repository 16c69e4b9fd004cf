"""Reading protocol documents from files: the shipped default, or a clinic's own via PRPATH_PROTOCOL."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from prpath.problems import Problem, ProblemsFound, problems_from_validation_error
from prpath.protocol.schema import Protocol, check_protocol

PROTOCOL_ENV = "PRPATH_PROTOCOL"
DEFAULT_PROTOCOL_NAME = "default.yaml"


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
    """A YAML loader that refuses a key given twice: the second would silently replace the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_protocol_text(text: str, *, name: str) -> Protocol:
    """Parse YAML, or TOML when ``name`` ends in .toml."""
    try:
        data = tomllib.loads(text) if name.endswith(".toml") else yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(error, "problem", None) or str(error)
        raise ProblemsFound([Problem(where, f"not valid YAML: {problem}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ProblemsFound([Problem("document", f"not valid TOML: {error}")]) from None
    return parse_protocol(data)


def load_protocol_file(path: str | os.PathLike[str]) -> Protocol:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemsFound([Problem("", f"cannot be read: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise ProblemsFound([Problem("", "cannot be read: not UTF-8 text")]) from None
    return read_protocol_text(text, name=path.name)


@cache
def default_protocol() -> Protocol:
    """The protocol shipped with prpath (docs/CLINICAL.md as data)."""
    text = resources.files("prpath.protocol").joinpath(DEFAULT_PROTOCOL_NAME).read_text(encoding="utf-8")
    return read_protocol_text(text, name=DEFAULT_PROTOCOL_NAME)


def active_protocol_source() -> str:
    return os.environ.get(PROTOCOL_ENV) or f"the built-in {DEFAULT_PROTOCOL_NAME}"


def active_protocol() -> Protocol:
    """The clinic's protocol when PRPATH_PROTOCOL names a file, else the default."""
    path = os.environ.get(PROTOCOL_ENV)
    return _cached_file_protocol(path) if path else default_protocol()


@cache
def _cached_file_protocol(path: str) -> Protocol:
    return load_protocol_file(path)
