"""The sandbox demo: one idempotent, deterministic seeding entry point.

Later features add their own step to :data:`SEED_STEPS`; ``seed_demo`` stays one
command.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from wagtail.models import Page, Site

from cms.demo import CMS_SEED_STEPS
from cms.models import HomePage
from loanhub.accounts.models import Role, User
from loanhub.institutions.models import Branch, FinancialInstitution
from loanhub.institutions.services import institution_add_staff

from . import data
from .context import Progress, SeedContext
from .credit import CREDIT_SEED_STEPS, seed_sandbox_enterprises
from .leads import LEADS_SEED_STEPS
from .loans import LOANS_SEED_STEPS
from .security import seed_security


def _user(ctx: SeedContext, username: str, role: str, **fields: object) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.role = role
    user.email = f"{username}@demo.loanhub.local"
    for key, value in fields.items():
        setattr(user, key, value)
    # Only a new password is set: setting one revokes the user's API tokens, and a
    # re-seed must not end the demo's tokens and sessions.
    if not user.check_password(ctx.password):
        user.set_password(ctx.password)
    user.save()
    ctx.users[username] = user
    return user


def seed_site(ctx: SeedContext) -> None:
    """Make a HomePage the root of the default site (replacing Wagtail's welcome)."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title="LoanHub 信易贷",
            slug="loanhub-home",
            headline="让信用变成资金",
            intro="<p>授权共享公共信用信息，获得银行的快速、透明的融资对接。</p>",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        old_root = site.root_page.specific
        site.root_page = home
        site.save()
        if not isinstance(old_root, HomePage) and old_root.depth == 2:
            old_root.delete()
    if not site.site_name:  # the back office shows the site's name, else its hostname ("localhost")
        site.site_name = "LoanHub 信易贷"
        site.save(update_fields=["site_name"])
    ctx.progress("门户首页已就绪")


def seed_users(ctx: SeedContext) -> None:
    _user(
        ctx, "demo_admin", Role.PLATFORM_ADMIN,
        display_name="平台管理员", is_staff=True, is_superuser=True,
    )  # fmt: skip
    for username in ("demo_sme", "demo_sme2"):
        _user(ctx, username, Role.SME)
    ctx.progress("演示用户已就绪")


def seed_banks(ctx: SeedContext) -> None:
    for spec in data.BANKS:
        spec = dict(spec)
        branches = spec.pop("branches")
        bank, _created = FinancialInstitution.objects.update_or_create(slug=spec["slug"], defaults=spec)
        for name, region in branches:
            Branch.objects.update_or_create(institution=bank, name=name, defaults={"region": region})
        ctx.banks[bank.slug] = bank
    for username, display_name, slug, staff_role in data.STAFF:
        user = _user(ctx, username, Role.BANK_OFFICER, display_name=display_name)
        institution_add_staff(institution=ctx.banks[slug], user=user, role=staff_role)
    ctx.progress(f"金融机构 {len(ctx.banks)} 家已就绪")


SEED_STEPS: list[Callable[[SeedContext], None]] = [
    seed_site,
    seed_users,
    seed_banks,
    seed_sandbox_enterprises,
]
SEED_STEPS += CMS_SEED_STEPS  # portal sections, bank pages and groups, products, news
SEED_STEPS += CREDIT_SEED_STEPS  # authorizations, records, model, scores, an objection
SEED_STEPS += [seed_security]  # demo staff TOTP devices, encrypted legal-rep details
SEED_STEPS += LEADS_SEED_STEPS  # demo_sme's need and leads, six months of history
SEED_STEPS += LOANS_SEED_STEPS  # two years of decisions, sandbox loans and their performance, renewals, alerts


def demo_seed(*, password: str, progress: Progress = lambda _msg: None) -> SeedContext:
    ctx = SeedContext(password=password, progress=progress)
    for step in SEED_STEPS:
        with transaction.atomic():
            step(ctx)
    return ctx
