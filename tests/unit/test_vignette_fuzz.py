"""Whatever a file holds, `prpath triage` answers with an assessment or an error naming the problem:
never a traceback (hypothesis over arbitrary JSON and over valid vignettes with one value replaced)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prpath.core.suite.notes import NoteResult
from prpath.files.protocols import default_protocol
from prpath.files.vignettes import evaluate_vignette_file
from tests.conftest import OWN_VIGNETTES

PROTOCOL = default_protocol()
VALID = [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(OWN_VIGNETTES.glob("own-[rs]*.json"))  # the valid ones
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-03-02", "mild", "severe", "recovery", "screening", "fever", "leg_weakness"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def answer_for(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(text, encoding="utf-8")
    result = evaluate_vignette_file(PROTOCOL, path)
    if isinstance(result, NoteResult):  # an object with "text" and nothing of a vignette is read as a note
        assert (result.reading is None) != (result.error is None)
        return
    assert (result.assessment is None) != (result.error is None)
    if result.error is not None:
        assert result.error.startswith("fuzz.json: ")
        assert "Traceback" not in result.error


fuzz_settings = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@fuzz_settings
@given(json_values)
def test_any_json_value_gets_an_answer(tmp_path: Path, value: Any) -> None:
    answer_for(tmp_path, json.dumps(value))


@fuzz_settings
@given(st.sampled_from(VALID), st.data(), json_values)
def test_a_valid_vignette_with_one_value_replaced_gets_an_answer(
    tmp_path: Path, document: dict[str, Any], data: st.DataObject, value: Any
) -> None:
    path = data.draw(st.sampled_from(paths_of(document)))
    answer_for(tmp_path, json.dumps(replaced(document, path, value)))


@fuzz_settings
@given(st.sampled_from(VALID), st.data())
def test_a_valid_vignette_cut_short_gets_an_answer(
    tmp_path: Path, document: dict[str, Any], data: st.DataObject
) -> None:
    text = json.dumps(document)
    answer_for(tmp_path, text[: data.draw(st.integers(min_value=0, max_value=len(text)))])
