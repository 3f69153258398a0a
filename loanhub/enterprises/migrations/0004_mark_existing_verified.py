"""Enterprises registered before verification existed keep working: mark them verified.

New registrations start pending (the field's default).
"""

from django.db import migrations
from django.utils import timezone


def mark_verified(apps, schema_editor):  # noqa: ANN001, ANN201
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Enterprise.objects.filter(verification_status="pending").update(
        verification_status="verified",
        verification_method="migrated",
        verified_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_verification"),
    ]

    operations = [
        migrations.RunPython(mark_verified, migrations.RunPython.noop),
    ]
