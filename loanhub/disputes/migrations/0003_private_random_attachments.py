"""Dispute attachments move to private storage (outside MEDIA_ROOT, served only
through views that check who asks) under random names; files already uploaded under
MEDIA_ROOT are moved there and renamed. Backwards keeps the files where they are."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django.core.validators
import loanhub.disputes.models
import loanhub.enterprises.storage
from django.db import migrations, models

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps


FILE_FIELDS = (
    ("Objection", "attachment", loanhub.disputes.models.objection_upload_to),
    ("RepairRequest", "proof", loanhub.disputes.models.repair_upload_to),
)


def move_to_private_storage(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from django.core.files.storage import default_storage

    private = loanhub.enterprises.storage.private_storage()
    for model_name, field, upload_to in FILE_FIELDS:
        manager = apps.get_model("disputes", model_name).objects.using(schema_editor.connection.alias)
        for pk, old in manager.exclude(**{field: ""}).values_list("pk", field):
            if not default_storage.exists(old):
                continue  # already private, or lost: nothing to move
            with default_storage.open(old, "rb") as handle:
                new = private.save(upload_to(None, old), handle)
            manager.filter(pk=pk).update(**{field: new})
            default_storage.delete(old)


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0002_encrypt_sensitive_corrections'),
    ]

    operations = [
        migrations.AlterField(
            model_name='objection',
            name='attachment',
            field=models.FileField(blank=True, max_length=200, storage=loanhub.enterprises.storage.private_storage, upload_to=loanhub.disputes.models.objection_upload_to, validators=[django.core.validators.FileExtensionValidator(['pdf', 'jpg', 'jpeg', 'png'])], verbose_name='证明材料'),
        ),
        migrations.AlterField(
            model_name='repairrequest',
            name='proof',
            field=models.FileField(max_length=200, storage=loanhub.enterprises.storage.private_storage, upload_to=loanhub.disputes.models.repair_upload_to, validators=[django.core.validators.FileExtensionValidator(['pdf', 'jpg', 'jpeg', 'png'])], verbose_name='整改证明'),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop),
    ]
