"""The CJK font embedded in reports: found in one place, registered once.

ReportLab embeds TrueType outlines (TTF/TTC with ``glyf``) but not CFF-based OTF,
so Debian's fonts-noto-cjk will not do; fonts-wqy-zenhei (or -microhei) will.
``LOANHUB_REPORT_FONT`` names another file (``path`` or ``path#index`` for a TTC).
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from .exceptions import ReportFontMissing

FONT_NAME = "LoanHubCJK"
CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_lock = threading.Lock()
_registered: dict[str, str] = {}


def report_font_file() -> tuple[Path, int] | None:
    """The font file (and subfont index) reports use, or None when there is none."""
    configured = str(getattr(settings, "LOANHUB_REPORT_FONT", "") or "")
    candidates: list[tuple[Path, int]]
    if configured:
        name, _sep, index = configured.partition("#")
        candidates = [(Path(name), int(index) if index.isdigit() else 0)]
    else:
        candidates = [(Path(name), 0) for name in CANDIDATES]
    for path, subfont in candidates:
        if path.is_file():
            return path, subfont
    return None


def report_font() -> str:
    """Register the font with ReportLab (once per file) and return its name.

    Raises ReportFontMissing when no usable font is installed."""
    found = report_font_file()
    if found is None:
        raise ReportFontMissing()
    path, index = found
    key = f"{path}#{index}"
    with _lock:
        if key not in _registered:
            _registered[key] = _register(path, index, f"{FONT_NAME}{len(_registered)}")
    return _registered[key]


def _register(path: Path, index: int, name: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    except (TTFError, OSError) as exc:  # e.g. a CFF-based OTF: not embeddable
        raise ReportFontMissing() from exc
    return name
