"""Private file storage: outside MEDIA_ROOT, never served by a URL of its own.

Business licences live here; ``enterprises.views.licence_file`` streams them after
checking who asks. ``LOANHUB_PRIVATE_MEDIA_ROOT`` moves the folder (default
``var/private``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; serve them through a view.")


def private_root() -> Path:
    default = Path(settings.VAR_DIR) / "private"
    return Path(getattr(settings, "LOANHUB_PRIVATE_MEDIA_ROOT", default))


def private_storage() -> PrivateFileStorage:
    """The storage of private uploads (a callable, so migrations do not pin a path)."""
    return PrivateFileStorage(location=str(private_root()))
