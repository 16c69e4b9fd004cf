"""Setting up a real clinic from the command line: ``prpath clinic create``, ``clinic list``, ``staff add``.
They call the same actions as the pages; a problem is named by its field and exits 2 with nothing saved."""

from __future__ import annotations

import io

import pytest

from prpath.cli import main
from prpath.clinic.models import Clinic, StaffMember
from tests.personas import authenticates

PASSWORD = "a-long-staff-passphrase"


def add_staff(monkeypatch: pytest.MonkeyPatch, clinic: str, *extra: str, password: str = PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(
        ["staff", "add", "--clinic", clinic, "--given-name", "Ada", "--family-name", "Obi", "--password-stdin", *extra]
    )


def test_a_clinic_is_set_up_and_its_admin_signs_in(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = main(
        ["clinic", "create", "Lakeside Spine", "--phone", "+1 555 0100", "--emergency-number", "911",
         "--time-zone", "America/Chicago"]
    )  # fmt: skip

    assert code == 0
    clinic = Clinic.objects.get(name="Lakeside Spine")
    assert (clinic.phone, clinic.emergency_number, clinic.time_zone) == ("+1 555 0100", "911", "America/Chicago")
    assert str(clinic.uuid) in capsys.readouterr().out

    assert add_staff(monkeypatch, "Lakeside Spine", "--email", "Ada.Obi@Lakeside.test", "--role", "admin") == 0
    member = StaffMember.objects.get(user__email="ada.obi@lakeside.test")
    assert (member.clinic, member.role) == (clinic, "admin")
    assert authenticates("ada.obi@lakeside.test", PASSWORD) == member.user
    assert "is clinic admin at Lakeside Spine" in capsys.readouterr().out

    assert main(["clinic", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Lakeside Spine" in listing
    assert "ada.obi@lakeside.test" in listing


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--emergency-number", "call 911"], "emergency_number"),
        (["--time-zone", "Mars/Olympus"], "time_zone"),
        (["--phone", " "], "phone"),
    ],
)
def test_a_clinic_with_a_bad_setting_is_refused_by_name(
    db: None, capsys: pytest.CaptureFixture[str], arguments: list[str], named: str
) -> None:
    code = main(["clinic", "create", "Lakeside Spine", "--phone", "+1 555 0100", *arguments])

    assert code == 2
    assert f"prpath: {named}: " in capsys.readouterr().err
    assert not Clinic.objects.exists()


@pytest.mark.parametrize(
    ("clinic", "email", "password", "named"),
    [
        ("Nowhere Clinic", "ada@lakeside.test", PASSWORD, "clinic"),
        ("Lakeside Spine", "not an email", PASSWORD, "email"),
        ("Lakeside Spine", "ada@lakeside.test", "short", "password"),
    ],
)
def test_staff_with_a_problem_are_refused_by_name(
    db: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clinic: str,
    email: str,
    password: str,
    named: str,
) -> None:
    main(["clinic", "create", "Lakeside Spine", "--phone", "+1 555 0100"])

    code = add_staff(monkeypatch, clinic, "--email", email, "--role", "nurse", password=password)

    assert code == 2
    assert f"prpath: {named}: " in capsys.readouterr().err
    assert not StaffMember.objects.exists()


def test_the_same_email_twice_is_refused(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["clinic", "create", "Lakeside Spine", "--phone", "+1 555 0100"])
    assert add_staff(monkeypatch, "Lakeside Spine", "--email", "ada@lakeside.test", "--role", "nurse") == 0

    assert add_staff(monkeypatch, "Lakeside Spine", "--email", "ADA@lakeside.test", "--role", "physician") == 2
    assert "prpath: email: is already on this clinic's staff" in capsys.readouterr().err
    assert StaffMember.objects.get().role == "nurse"
