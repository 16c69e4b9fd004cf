"""The layer rules hold, and each one would fail if an import broke it.

The contracts live in pyproject.toml (import-linter runs them in `make test`). Here each is checked on the
project's real import graph, then on the same graph with one forbidden import added: a contract that
cannot fail protects nothing. Import-linter sees the ``django`` package as a whole, so the rule that only
actions open transactions is checked from the source instead, by the last two tests.
"""

from __future__ import annotations

import ast
import copy
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import configuration as linter_configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

from tests.conftest import ROOT

linter_configuration.configure()  # what `lint-imports` does first: its settings (timers, printers)

CONTRACT_TYPES: dict[str, Any] = {"forbidden": ForbiddenContract, "layers": LayersContract}

# For each contract, imports that break it (importer, imported): each alone must break it.
VIOLATIONS: dict[str, list[tuple[str, str]]] = {
    "core": [
        ("prpath.core.triage.engine", "django"),
        ("prpath.core.alerts.policy", "prpath.clinic.models"),
        ("prpath.core.protocol.schema", "prpath.files.protocols"),
        ("prpath.core.findings", "psycopg"),
    ],
    "files": [
        ("prpath.files.protocols", "django"),
        ("prpath.files.vignettes", "prpath.clinic.translate"),
    ],
    "apps": [
        ("prpath.accounts.models", "prpath.audit.models"),
        ("prpath.audit.trail", "prpath.clinic.models"),
        ("prpath.clinic.translate", "prpath.project.settings"),
        ("prpath.project.views", "prpath.cli"),
    ],
    "clinic": [
        ("prpath.clinic.queries.protocols", "prpath.clinic.actions.protocols"),
        ("prpath.clinic.actions.checkins", "prpath.clinic.queries.protocols"),
        ("prpath.clinic.actions.alerts", "prpath.clinic.web.forms"),
        ("prpath.clinic.models.alerts", "prpath.clinic.translate"),
        ("prpath.clinic.translate", "prpath.clinic.actions.base"),
    ],
    "audit-from-actions-and-queries": [
        ("prpath.clinic.web.views.patient", "prpath.audit.trail"),
        ("prpath.cli", "prpath.audit.trail"),
    ],
}


@cache
def configuration() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    session = {"root_packages": [tool["root_package"]], "include_external_packages": tool["include_external_packages"]}
    return session, tool["contracts"]


@cache
def project_graph() -> grimp.ImportGraph:
    return grimp.build_graph("prpath", include_external_packages=True, cache_dir=None)


def contract(contract_id: str) -> Any:
    session, contracts = configuration()
    options = next(c for c in contracts if c["id"] == contract_id)
    raw = {k: (v if isinstance(v, list) else str(v)) for k, v in options.items() if k not in ("id", "type")}
    return CONTRACT_TYPES[options["type"]](name=options["name"], session_options=session, contract_options=raw)


def test_every_contract_has_violations_to_show_it_fails() -> None:
    _, contracts = configuration()
    assert {c["id"] for c in contracts} == set(VIOLATIONS)


@pytest.mark.parametrize("contract_id", list(VIOLATIONS))
def test_the_contract_holds_on_the_code(contract_id: str) -> None:
    check = contract(contract_id).check(copy.deepcopy(project_graph()), verbose=False)
    assert check.kept, check.metadata


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [(cid, importer, imported) for cid, pairs in VIOLATIONS.items() for importer, imported in pairs],
)
def test_the_contract_fails_when_an_import_breaks_it(contract_id: str, importer: str, imported: str) -> None:
    graph = copy.deepcopy(project_graph())
    assert importer in graph.modules, f"{importer} is not a module of the project: update the violation"
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")

    check = contract(contract_id).check(graph, verbose=False)

    assert not check.kept


# --- only actions open transactions -----------------------------------------------------------------------

SOURCE = ROOT / "src" / "prpath"


def opens_a_transaction(source: str) -> bool:
    """Whether Python source imports Django's transaction module (and so may open a transaction)."""
    for node in ast.walk(ast.parse(source)):
        names = [alias.name for alias in getattr(node, "names", [])]
        if isinstance(node, ast.ImportFrom) and node.module == "django.db" and "transaction" in names:
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "django.db.transaction":
            return True
        if isinstance(node, ast.Import) and any(alias.name == "django.db.transaction" for alias in node.names):
            return True
    return False


def outside_the_actions() -> list[Path]:
    clinic = SOURCE / "clinic"
    return [
        path
        for path in clinic.rglob("*.py")
        if "actions" not in path.relative_to(clinic).parts and "migrations" not in path.relative_to(clinic).parts
    ]


def test_nothing_in_the_clinic_app_but_its_actions_opens_a_transaction() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in outside_the_actions() if opens_a_transaction(p.read_text("utf-8"))]
    assert offenders == []
    assert any(opens_a_transaction(p.read_text("utf-8")) for p in (SOURCE / "clinic" / "actions").glob("*.py"))


@pytest.mark.parametrize(
    "source",
    [
        "from django.db import transaction\n",
        "from django.db import models, transaction\n",
        "import django.db.transaction\n",
        "from django.db.transaction import atomic\n",
    ],
)
def test_the_transaction_rule_would_catch_a_view_that_opens_one(source: str) -> None:
    assert opens_a_transaction(source)
    assert not opens_a_transaction("from django.db import models\nfrom django.db.models import Q\n")
