"""Browser tests: Playwright (sync API) driving Debian's Chromium against live_server.

Playwright's sync API keeps an event loop running in the test thread, which makes
Django refuse ORM calls there; these tests only seed data from that thread.
"""

from __future__ import annotations

import os

import pytest

from tests.factories.cms import wagtail_root_ensure
from tests.factories.portal_fixtures import fresh_page_cache  # noqa: F401 — autouse

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LOANHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 — any launch failure must fail loudly
            pytest.fail(
                f"Cannot launch Chromium at {CHROMIUM} (set LOANHUB_CHROMIUM): {error}",
                pytrace=False,
            )
        yield chromium
        chromium.close()


class PageErrors(list):
    """Console errors and uncaught exceptions collected from one browser page."""


@pytest.fixture
def open_page(browser):
    """open_page(viewport) -> (page, errors); errors collects console errors."""
    contexts = []

    def _open(viewport: dict):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        errors = PageErrors()
        page.on(
            "console",
            lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.set_default_timeout(10_000)
        return page, errors

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def demo_portal(transactional_db):
    """The portal part of the demo: banks, their pages, 36 products, zones, news."""
    from cms.demo import CMS_SEED_STEPS
    from loanhub.demo import services as demo

    wagtail_root_ensure()
    ctx = demo.SeedContext(password="E2e-demo-pass-1", progress=lambda _msg: None)
    for step in [demo.seed_site, demo.seed_users, demo.seed_banks, *CMS_SEED_STEPS]:
        step(ctx)
    return ctx


@pytest.fixture
def sme_login(transactional_db):
    """(username, password) of an SME user who owns one enterprise."""
    from tests.factories.accounts import TEST_PASSWORD, UserFactory
    from tests.factories.enterprises import MembershipFactory

    MembershipFactory(user=UserFactory(username="e2e_sme"))
    return "e2e_sme", TEST_PASSWORD
