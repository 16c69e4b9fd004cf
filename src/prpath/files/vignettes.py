"""Vignette files on disk: the folders a person names, and the safety suite shipped with prpath."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path

from prpath.core.protocol.schema import Protocol
from prpath.core.suite.safety import SuiteItem, SuiteVignette, evaluate_text
from prpath.core.suite.vignettes import VignetteResult

SHIPPED_SUITE = "suite"


def collect_vignette_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str | None]]:
    """Files named, and the *.json entries of folders named, in file-name order, each with the reason
    it cannot be read as a file (a missing path, a folder or a broken link named *.json) or None."""
    entries: dict[Path, str | None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for entry in path.glob("*.json"):
                entries[entry] = None if entry.is_file() else f"{entry}: not a readable file"
        elif path.is_file():
            entries[path] = None
        else:
            entries[path] = f"{path}: no such file or folder"
    return sorted(entries.items(), key=lambda item: (item[0].name, str(item[0])))


def evaluate_vignette_file(protocol: Protocol, path: Path) -> SuiteItem:
    """A vignette triaged, or a note file read, as the file's content says."""
    try:
        text = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    except OSError as error:
        return VignetteResult(id=path.stem, name=path.name, error=f"{path.name}: cannot be read: {error.strerror}")
    return evaluate_text(protocol, text, name=path.name, stem=path.stem)


def evaluate_vignettes(protocol: Protocol, paths: Iterable[str | Path]) -> Iterator[SuiteItem]:
    for path, unreadable in collect_vignette_paths(paths):
        if unreadable:
            yield VignetteResult(id=path.stem, name=path.name, error=unreadable)
        else:
            yield evaluate_vignette_file(protocol, path)


def shipped_suite_folders() -> list[Path]:
    """The vignettes prpath ships as its safety suite: answer keys written from the clinical protocol,
    those written independently by a clinical review, and note files (a patient's words and what they
    report), so that a clinic editing the phrases sees what it changed."""
    root = Path(str(resources.files("prpath.files").joinpath(SHIPPED_SUITE)))
    return [root, root / "review", root / "notes"]


@cache
def shipped_suite() -> tuple[SuiteVignette, ...]:
    """Each shipped vignette, keyed "shipped/<file>" (or "shipped/review/<file>"), in file-name order."""
    root = shipped_suite_folders()[0]
    found = collect_vignette_paths(shipped_suite_folders())
    return tuple(
        SuiteVignette(f"shipped/{path.relative_to(root).as_posix()}", path.read_bytes().removeprefix(codecs.BOM_UTF8))
        for path, unreadable in found
        if not unreadable
    )
