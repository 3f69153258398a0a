"""Content-Security-Policy: strict on the portal, inline allowed only in the admin sites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_portal_pages_forbid_inline_scripts(client):
    policy = directives(client.get("/accounts/login/"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'self'"


def test_admin_sites_allow_the_inline_code_they_need(client):
    for url in ("/cms-admin/login/", "/django-admin/login/"):
        policy = directives(client.get(url))
        assert "'unsafe-inline'" in policy["script-src"]
        assert policy["default-src"] == "'self'"


PORTAL_TEMPLATES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "loanhub/templates").rglob("*.html"))
INLINE = re.compile(r"\son[a-z]+\s*=|<script(?![^>]*\bsrc=)|javascript:", re.IGNORECASE)


@pytest.mark.parametrize("path", PORTAL_TEMPLATES)
def test_loanhub_templates_have_no_inline_scripts(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert not INLINE.search(text), f"{path}: inline script — use data-confirm / portal.js"


def test_portal_js_wires_confirmations_and_language_switch(client):
    script = (ROOT / "loanhub/static/js/portal.js").read_text(encoding="utf-8")
    assert "data-confirm" in script and "data-autosubmit" in script
    page = client.get("/accounts/login/").content.decode()
    assert "js/portal.js" in page and "data-autosubmit" in page and "onchange" not in page
