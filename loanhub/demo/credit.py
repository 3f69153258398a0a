"""Sandbox demo, credit part: enterprises from the sandbox generator, their records
(fetched through the sandbox provider under authorizations), a trained model, scores
and one open objection. Deterministic and idempotent.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from loanhub.accounts.models import Role, User
from loanhub.consent.models import Authorization, GranteeType, Purpose
from loanhub.consent.services import authorization_grant
from loanhub.credit_data.catalog import CATEGORIES
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.providers.sandbox import SandboxProvider
from loanhub.credit_data.services import credit_records_fetch
from loanhub.disputes.models import Objection
from loanhub.disputes.services import objection_raise
from loanhub.enterprises.models import (
    Enterprise,
    MemberRole,
    VerificationMethod,
    VerificationStatus,
)
from loanhub.enterprises.services import enterprise_add_member
from loanhub.scoring.models import ModelVersion, ScoreRecord, Trigger
from loanhub.scoring.services import model_activate, model_register, score_enterprises
from risk_models.bundled import ensure_sandbox_model

from . import data
from .context import SeedContext

SIZE = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large"}
EXTRA_ENTERPRISES = 40
PUBLIC_CATEGORIES = [c.code for c in CATEGORIES if not c.sensitive]


def _pick(frame: pd.DataFrame, records: dict[str, pd.DataFrame], region: str, taken: set[str]) -> pd.Series:
    """A sandbox enterprise in ``region``, preferring one with a general penalty to repair."""
    listed = set(records["dishonest_debtor"]["uscc"])
    candidates = frame[(frame["region"] == region) & ~frame["uscc"].isin(listed | taken)]
    penalties = records["penalty"]
    general = set(penalties.loc[penalties["severity"] == "一般", "uscc"])
    preferred = candidates[candidates["uscc"].isin(general)]
    return (preferred if len(preferred) else candidates).iloc[0]


def _enterprise_from(row: pd.Series, **overrides: object) -> Enterprise:
    defaults = {
        "name": row["name"],
        "legal_representative": row["legal_rep"],
        "region": row["region"],
        "industry": row["industry"],
        "registration_date": row["registration_date"].date(),
        "registered_capital": round(float(row["registered_capital"]) * 10000, 2),
        "size_class": SIZE.get(row["size_class"], "small"),
        "is_synthetic": True,
        # The demo's enterprises come verified (a new registration starts 待认证).
        "verification_status": VerificationStatus.VERIFIED,
        "verification_method": VerificationMethod.DEMO,
    }
    defaults.update(overrides)
    enterprise, _created = Enterprise.objects.update_or_create(
        uscc=row["uscc"], defaults=defaults, create_defaults={**defaults, "verified_at": timezone.now()}
    )
    return enterprise


def seed_sandbox_enterprises(ctx: SeedContext) -> None:
    provider = SandboxProvider()
    frame, records = provider.enterprises(), provider.data.records
    taken: set[str] = set()
    for spec in data.DEMO_ENTERPRISES:
        row = _pick(frame, records, spec["region"], taken)
        taken.add(row["uscc"])
        owner = ctx.users[spec["owner"]]
        overrides = {k: spec[k] for k in ("name", "legal_representative", "address")}
        enterprise = _enterprise_from(row, contact_name=spec["owner_name"], **overrides)
        owner.display_name = spec["owner_name"]
        owner.save(update_fields=["display_name"])
        enterprise_add_member(enterprise=enterprise, user=owner, role=MemberRole.OWNER)
        ctx.enterprises[owner.username] = enterprise
    extra = frame[~frame["uscc"].isin(taken)].head(EXTRA_ENTERPRISES)
    for index, (_label, extra_row) in enumerate(extra.iterrows(), start=1):
        enterprise = _enterprise_from(extra_row)
        owner, created = User.objects.get_or_create(
            username=f"sandbox_sme_{index:03d}",
            defaults={"role": Role.SME, "display_name": str(extra_row["legal_rep"])},
        )
        if created:
            owner.set_unusable_password()
            owner.save()
        enterprise_add_member(enterprise=enterprise, user=owner, role=MemberRole.OWNER)
        ctx.enterprises[owner.username] = enterprise
    ctx.progress(f"沙箱企业 {len(ctx.enterprises)} 家已就绪（合成数据）")


def _grant_once(enterprise: Enterprise, user: User, password: str, **terms: Any) -> None:
    live = Authorization.objects.live().filter(
        enterprise=enterprise, grantee_type=terms["grantee_type"], institution=terms.get("institution")
    )
    if live.exists():
        return
    authorization_grant(
        enterprise=enterprise, user=user, password=password,
        data_from=timezone.localdate() - relativedelta(years=3),
        expires_at=timezone.now() + relativedelta(months=12) - timedelta(minutes=1),
        purpose=Purpose.UNDERWRITING, categories=PUBLIC_CATEGORIES, **terms,
    )  # fmt: skip


def seed_authorizations_and_records(ctx: SeedContext) -> None:
    provider = SandboxProvider()
    demo_sme = ctx.users["demo_sme"]
    _grant_once(
        ctx.enterprises["demo_sme"], demo_sme, ctx.password,
        grantee_type=GranteeType.INSTITUTION, institution=ctx.banks["yuexin-bank"],
    )  # fmt: skip
    _grant_once(ctx.enterprises["demo_sme2"], ctx.users["demo_sme2"], ctx.password, grantee_type=GranteeType.PLATFORM)
    for username, enterprise in ctx.enterprises.items():
        if username.startswith("sandbox_sme_"):
            owner = User.objects.get(username=username)
            _grant_silently(enterprise, owner)
        credit_records_fetch(provider_client=provider, enterprise=enterprise)
    count = CreditRecord.objects.filter(uscc__in=[e.uscc for e in ctx.enterprises.values()]).count()
    ctx.progress(f"授权与公共信用记录已就绪（{count} 条记录）")


def _grant_silently(enterprise: Enterprise, owner: User) -> None:
    """Sandbox enterprises have no login; they authorize the banks they apply to."""
    if Authorization.objects.live().filter(enterprise=enterprise).exists():
        return
    from loanhub.consent import texts
    from loanhub.consent.services import authorization_preview

    now = timezone.now()
    terms: dict[str, Any] = {
        "grantee_type": GranteeType.APPLIED, "institution": None, "purpose": Purpose.UNDERWRITING,
        "categories": PUBLIC_CATEGORIES, "data_from": timezone.localdate() - relativedelta(years=3),
        "valid_from": now, "expires_at": now + relativedelta(months=12) - timedelta(minutes=1),
    }  # fmt: skip
    text = authorization_preview(enterprise=enterprise, user=owner, **terms)
    Authorization.objects.create(
        enterprise=enterprise, granted_by=owner, text_version=texts.CURRENT_VERSION,
        text=text, text_hash=texts.text_hash(text), **terms,
    )  # fmt: skip


def seed_model_and_scores(ctx: SeedContext) -> None:
    folder = Path(settings.LOANHUB_MODEL_DIR) / "sandbox"
    ensure_sandbox_model(
        folder,
        n_enterprises=settings.LOANHUB_DEMO_MODEL_ENTERPRISES,
        progress=lambda msg: ctx.progress(f"  模型：{msg}"),
    )
    version = model_register(path=folder)
    if not ModelVersion.objects.filter(is_active=True).exists():
        model_activate(version=version)
    unscored = [
        e for e in ctx.enterprises.values()
        if not ScoreRecord.objects.filter(enterprise=e, model_version__is_active=True, scope="full").exists()
    ]  # fmt: skip
    score_enterprises(unscored, trigger=Trigger.BATCH)
    ctx.progress(f"评分模型 {version.version} 已启用，{len(unscored)} 家企业已评分")


def seed_objection(ctx: SeedContext) -> None:
    enterprise = ctx.enterprises["demo_sme"]
    if Objection.objects.filter(enterprise=enterprise).exists():
        return
    record = (
        CreditRecord.objects.filter(uscc=enterprise.uscc, category="social_insurance").order_by("-record_date").first()
    )
    if record is None:
        return
    objection_raise(
        user=ctx.users["demo_sme"], enterprise=enterprise, record=record,
        reason="该月社保欠费记录有误：欠费已于当月补缴，附银行回单。",
    )  # fmt: skip
    ctx.progress("演示信用异议已提交（处理中）")


CREDIT_SEED_STEPS = [seed_authorizations_and_records, seed_model_and_scores, seed_objection]
