"""The look of the PDF: page 1 rendered to PNG with pdftoppm is an A4 page that is not
blank, has the red letterhead and title, and the QR code in its bottom-right corner."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from loanhub.reports.services import report_issue

from .conftest import pdf_of

pytestmark = pytest.mark.django_db


def _page_one(pdf: bytes, folder) -> Image.Image:
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (bash scripts/ensure_fonts.sh)")
    (folder / "report.pdf").write_bytes(pdf)
    args = [tool, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "report.pdf", "page1"]
    subprocess.run(args, cwd=folder, capture_output=True, check=True)
    return Image.open(folder / "page1.png").convert("RGB")


def _share(image: Image.Image, test) -> float:
    pixels = list(image.get_flattened_data())
    return sum(1 for p in pixels if test(p)) / len(pixels)


def test_page_one_looks_like_a_printed_a4_report(owner_enterprise, tmp_path):
    owner, enterprise = owner_enterprise
    image = _page_one(pdf_of(report_issue(enterprise=enterprise, user=owner, purpose="financing")), tmp_path)
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    assert _share(image, lambda p: sum(p) < 600) > 0.03  # text and rules: not blank
    top = image.crop((0, 0, width, height // 5))
    assert _share(top, lambda p: p[0] > 150 and p[1] < 90 and p[2] < 90) > 0.002  # red letterhead and title
    corner = image.crop((int(width * 0.8), int(height * 0.88), width, height))
    assert _share(corner, lambda p: sum(p) < 150) > 0.05  # the QR code's dark modules
    middle = image.crop((0, height // 3, width, 2 * height // 3))
    assert _share(middle, lambda p: sum(p) < 600) > 0.02  # the summary table
