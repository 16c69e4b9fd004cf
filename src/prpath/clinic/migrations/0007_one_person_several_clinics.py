"""One person, several clinics: a patient's account may hold a record in each clinic (a foreign key, one
record per account and clinic), and a staff member keeps the email they were added with and whether
they are still at the clinic on their own row, apart from the account they may share with a patient
record elsewhere. The emails and states are copied from the accounts.

Undone, each colleague's email goes back to their account (if it is nobody else's login by then) and a
colleague deactivated here alone is switched off with their account; an account with records in two
clinics cannot go back, and undoing says so rather than losing one of them."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery


def copy_from_accounts(apps: Any, schema_editor: Any) -> None:
    StaffMember = apps.get_model("clinic", "StaffMember")
    User = apps.get_model("accounts", "User")
    account = User.objects.filter(pk=OuterRef("user_id"))
    StaffMember.objects.update(
        email=Subquery(account.values("email")[:1]), is_active=Subquery(account.values("is_active")[:1])
    )


def back_to_the_accounts(apps: Any, schema_editor: Any) -> None:
    Patient = apps.get_model("clinic", "Patient")
    StaffMember = apps.get_model("clinic", "StaffMember")
    User = apps.get_model("accounts", "User")
    shared = Patient.objects.values("user_id").annotate(records=Count("id")).filter(records__gt=1)
    if shared.exists():
        raise RuntimeError(
            f"cannot undo clinic 0007: {shared.count()} account(s) hold patient records in several clinics"
        )
    for member in StaffMember.objects.select_related("user"):
        user = member.user
        if user.email is None:
            if User.objects.filter(email=member.email).exists():
                raise RuntimeError(f"cannot undo clinic 0007: {member.email} is now another account's login")
            user.email = member.email
        if not member.is_active:
            user.is_active = False
        user.save(update_fields=["email", "is_active"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_a_clinic_chooses_its_locale_and_temperature_unit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="patient",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="patients", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.UniqueConstraint(fields=("clinic", "user"), name="one_patient_per_account_in_a_clinic"),
        ),
        migrations.AddField(
            model_name="staffmember",
            name="email",
            field=models.EmailField(default="", help_text="The email the clinic added them with.", max_length=150),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="staffmember",
            name="is_active",
            field=models.BooleanField(default=True, help_text="Off when they have left the clinic."),
        ),
        migrations.RunPython(copy_from_accounts, back_to_the_accounts, elidable=False),
        migrations.AddConstraint(
            model_name="staffmember",
            constraint=models.UniqueConstraint(
                fields=("clinic", "email"), name="one_staff_member_per_email_in_a_clinic"
            ),
        ),
    ]
