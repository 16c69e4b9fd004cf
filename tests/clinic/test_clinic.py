"""Creating a clinic (``do_create_clinic``): every patient page dials its emergency number, so it must be one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prpath.clinic.actions.clinics import EMERGENCY_NUMBER
from prpath.clinic.models import Clinic
from prpath.core.problems import ProblemsFound
from tests.personas import create_clinic


@pytest.mark.parametrize("number", ["112", "911", "000", "+44999", " 999 "])
def test_an_emergency_number_is_kept_as_dialled(db: None, number: str) -> None:
    clinic = create_clinic("Riverside", "+44 20 7946 0000", emergency_number=number)

    assert Clinic.objects.get(pk=clinic.pk).emergency_number == number.strip()


@pytest.mark.parametrize("number", ["", "  ", "9", "call 999", "999; 112", "1" * 21, "++44"])
def test_a_number_nobody_can_dial_is_refused_by_name(db: None, number: str) -> None:
    with pytest.raises(ProblemsFound) as found:
        create_clinic("Riverside", "+44 20 7946 0000", emergency_number=number)

    assert [p.location for p in found.value.problems] == ["emergency_number"]
    assert not Clinic.objects.exists()


@given(st.text(max_size=25))
def test_whatever_is_given_is_stored_only_as_digits_with_an_optional_plus(number: str) -> None:
    # The rule on its own, without the database: what passes is what a tel: link can dial.
    passes = EMERGENCY_NUMBER.fullmatch(number.strip()) is not None
    digits = number.strip().removeprefix("+")
    assert passes == (2 <= len(digits) <= 20 and all(c in "0123456789" for c in digits))
