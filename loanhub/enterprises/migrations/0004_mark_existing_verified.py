"""Enterprises registered before verification existed keep working: mark them verified.

New registrations start pending (the field's default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import migrations
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps


def mark_verified(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
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
