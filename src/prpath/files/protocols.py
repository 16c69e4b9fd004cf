"""Protocol documents in files: the one shipped with prpath, and any a person names on the command line."""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.document import read_protocol_text
from prpath.core.protocol.schema import Protocol

DEFAULT_PROTOCOL_NAME = "default.yaml"


def load_protocol_file(path: str | os.PathLike[str]) -> Protocol:
    return read_protocol_text(read_protocol_file_text(path), name=Path(path).name)


def read_protocol_file_text(path: str | os.PathLike[str]) -> str:
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemsFound([Problem("", f"cannot be read: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise ProblemsFound([Problem("", "cannot be read: not UTF-8 text")]) from None


@cache
def default_protocol_text() -> str:
    """The text of the protocol shipped with prpath (docs/CLINICAL.md as data): every new clinic starts on it."""
    return resources.files("prpath.files").joinpath(DEFAULT_PROTOCOL_NAME).read_text(encoding="utf-8")


@cache
def default_protocol() -> Protocol:
    return read_protocol_text(default_protocol_text(), name=DEFAULT_PROTOCOL_NAME)
