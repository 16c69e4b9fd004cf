"""Note files on disk: the files and folders a person names."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from pathlib import Path

from prpath.core.protocol.schema import Protocol
from prpath.core.suite.notes import NoteResult, read_note_text
from prpath.files.vignettes import collect_vignette_paths


def read_note_files(protocol: Protocol, paths: Iterable[str | Path]) -> Iterator[NoteResult]:
    """Each note file named (or *.json in a folder named), in file-name order, read or with its error."""
    for path, unreadable in collect_vignette_paths(paths):
        if unreadable:
            yield NoteResult(path.stem, error=unreadable)
            continue
        try:
            data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
        except OSError as error:
            yield NoteResult(path.stem, error=f"{path.name}: cannot be read: {error.strerror}")
            continue
        yield read_note_text(protocol, data, stem=path.stem)
