"""Staff members get a uuid for their URLs; invitation links can be for a staff member as well as a patient."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def forget_staff_links(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Going back to 0004, where a link is always a patient's: staff links cannot be kept."""
    apps.get_model("clinic", "Invitation").objects.filter(patient__isnull=True).delete()


def give_each_staff_member_a_uuid(apps, schema_editor):  # type: ignore[no-untyped-def]
    staff_member = apps.get_model("clinic", "StaffMember")
    for member in staff_member.objects.filter(uuid__isnull=True):
        member.uuid = uuid.uuid4()
        member.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_password_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_staff_member_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="staffmember",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="clinic.patient",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="staff",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="clinic.staffmember",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(("patient__isnull", False), ("staff__isnull", True))
                | models.Q(("patient__isnull", True), ("staff__isnull", False)),
                name="invitation_for_a_patient_or_a_staff_member",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, forget_staff_links),
    ]
