"""prpath is Apache-2.0, says so in its package metadata, ships the licence's exact text, and names what it
ships from others: every file under the static folder, and every runtime dependency, is in
THIRD-PARTY-NOTICES.md (a vendored file, or a font, in its "Shipped in prpath" table). Each check is also
shown failing on a made-up tree, since a check that cannot fail protects nothing."""

from __future__ import annotations

import glob
import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

# SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt, the text as the Apache Software Foundation
# publishes it (Debian's /usr/share/common-licenses/Apache-2.0 is the same bytes).
APACHE_2_0_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
STATIC = ROOT / "src" / "prpath" / "project" / "static"
NOTICES = ROOT / "THIRD-PARTY-NOTICES.md"
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".otf", ".eot"}
SHIPPED_HEADING = "## Shipped in prpath (vendored)"


def project() -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return table


def unlisted_static_files(static: Path, notices: str) -> list[str]:
    """Files under ``static`` that the notices do not name: vendored files and fonts must be in the
    "Shipped in prpath" section with their licence; prpath's own files must be named somewhere."""
    shipped = notices.split(SHIPPED_HEADING, 1)[1].split("\n## ", 1)[0] if SHIPPED_HEADING in notices else ""
    missing = []
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        relative = path.relative_to(static).as_posix()
        named = re.compile(r"`(?:[\w/.-]*/static/)?" + re.escape(relative) + "`")
        from_others = "vendor" in path.relative_to(static).parts or path.suffix.lower() in FONT_SUFFIXES
        if not named.search(shipped if from_others else notices):
            missing.append(relative)
    return missing


def unlisted_dependencies(dependencies: list[str], notices: str) -> list[str]:
    """The runtime dependencies whose distribution name is not in the notices' table of them."""
    names = [re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0] for requirement in dependencies]
    rows = {row.split("|")[1].strip().split(" ")[0].lower() for row in notices.splitlines() if row.startswith("| ")}
    return [name for name in names if name.lower() not in rows]


def test_the_package_metadata_says_apache_2_0_and_carries_the_licence_files() -> None:
    metadata = project()

    assert metadata["license"] == "Apache-2.0"  # an SPDX expression (PEP 639): setuptools >= 77 writes it
    assert not [c for c in metadata.get("classifiers", []) if c.startswith("License ::")]  # PEP 639 forbids both
    assert {"LICENSE", "NOTICE", "THIRD-PARTY-NOTICES.md"} <= set(metadata["license-files"])
    for pattern in metadata["license-files"]:
        assert glob.glob(pattern, root_dir=ROOT), f"license-files names {pattern!r}, which matches no file"
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    assert "setuptools>=77" in build["requires"]  # the first setuptools that reads license-files as PEP 639
    assert "Apache License 2.0" in (ROOT / "README.md").read_text()


def test_the_licence_file_is_the_apache_2_0_text_exactly() -> None:
    text = (ROOT / "LICENSE").read_bytes()

    assert hashlib.sha256(text).hexdigest() == APACHE_2_0_SHA256
    assert b"Apache License\n                           Version 2.0, January 2004" in text
    assert "Licensed under the Apache License, Version 2.0" in (ROOT / "NOTICE").read_text()


def test_every_file_under_static_is_named_in_the_notices() -> None:
    notices = NOTICES.read_text()

    assert unlisted_static_files(STATIC, notices) == []
    # and the vendored htmx is listed at the version its file name says
    [htmx] = (STATIC / "web" / "vendor").glob("htmx-*.min.js")
    version = htmx.name.removeprefix("htmx-").removesuffix(".min.js")
    assert re.search(rf"\| htmx \| {re.escape(version)} \| 0BSD", notices)
    assert (STATIC / "web" / "vendor" / "htmx-LICENSE.txt").read_text().startswith("Zero-Clause BSD")


def test_every_runtime_dependency_is_named_with_its_licence() -> None:
    assert unlisted_dependencies(project()["dependencies"], NOTICES.read_text()) == []


def test_a_vendored_file_a_font_or_a_dependency_left_out_of_the_notices_is_found(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "web" / "vendor").mkdir(parents=True)
    (static / "fonts").mkdir()
    for name in ("web/prpath.css", "web/vendor/htmx-2.0.11.min.js", "web/vendor/alpine.min.js", "fonts/Inter.woff2"):
        (static / name).write_text("")
    notices = NOTICES.read_text()
    # a vendored file named only outside the shipped table does not count
    notices += "\n## Elsewhere\n\n`web/vendor/alpine.min.js` is lovely.\n"

    assert unlisted_static_files(static, notices) == ["fonts/Inter.woff2", "web/vendor/alpine.min.js"]
    assert unlisted_static_files(static, "") == [
        "fonts/Inter.woff2",
        "web/prpath.css",
        "web/vendor/alpine.min.js",
        "web/vendor/htmx-2.0.11.min.js",
    ]
    assert unlisted_dependencies([*project()["dependencies"], "left-pad>=1.0"], notices) == ["left-pad"]
