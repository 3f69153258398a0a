"""The Django side of matching: needs and enterprises → engine rows; results → words.

Products are read once into a :class:`~loanhub.matching.engine.ProductTable` and
kept until a product is published or unpublished (``products_changed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from threading import Lock

import numpy as np
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.consent.models import Authorization, GranteeType
from loanhub.credit_data.catalog import CATEGORY_BY_CODE, CATEGORY_CODES
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.rules import dishonest_listing_live
from loanhub.enterprises.models import Enterprise
from loanhub.scoring.selectors import data_coverage, score_latest
from loanhub.scoring.services import approval_model_in_use

from . import engine
from .models import FinancingNeed

engine.set_categories(CATEGORY_CODES)
VERSION_KEY = "matching:products:version"
_tables: dict[int, engine.ProductTable] = {}
_lock = Lock()


def products_changed() -> None:
    """Forget the product table (called when a product is published or unpublished)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def product_table() -> engine.ProductTable:
    from cms.selectors import product_frame

    version: int = cache.get_or_set(VERSION_KEY, 1, None) or 1
    with _lock:
        table = _tables.get(version)
        if table is None:
            _tables.clear()
            frame = product_frame()
            root = _site_root()
            frame["url_path"] = [public_url(path, root) for path in frame["url_path"]]
            table = _tables[version] = engine.prepare_products(frame)
        return table


def _site_root() -> str:
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page.url_path if site else "/"


def public_url(url_path: str, root: str) -> str:
    """A page's public path: its Wagtail url_path without the site root's part."""
    return "/" + url_path[len(root) :] if url_path.startswith(root) else url_path


# ------------------------------------------------------------------ enterprise facts


@dataclass
class EnterpriseFacts:
    grade: str | None
    pd: float | None
    score: int | None
    knockout: bool
    years: float
    consent: dict[int, int] = field(default_factory=dict)
    rated: bool = True  # False: below the data minimum (数据不足，暂不评级), no grade to match on


def consent_masks(enterprise: Enterprise) -> dict[int, int]:
    """Institution id → authorized categories (bit mask); -1 covers any bank applied to."""
    masks: dict[int, int] = {}
    for artefact in Authorization.objects.live().filter(enterprise=enterprise):
        if artefact.grantee_type == GranteeType.INSTITUTION:
            key = artefact.institution_id
        elif artefact.grantee_type == GranteeType.APPLIED:
            key = -1
        else:
            continue
        masks[key] = masks.get(key, 0) | engine.category_mask(artefact.categories)
    return masks


def dishonest_knockout(enterprise: Enterprise) -> bool:
    today = timezone.localdate()
    listings = CreditRecord.objects.filter(uscc=enterprise.uscc, category="dishonest_debtor")
    return any(dishonest_listing_live(r, today) for r in listings)


def enterprise_facts(enterprise: Enterprise) -> EnterpriseFacts:
    rated = data_coverage(enterprise=enterprise).rated
    # Not rated: no grade, score or PD from an empty file (never a D for nothing).
    score = score_latest(enterprise=enterprise) if rated else None
    return EnterpriseFacts(
        grade=score.grade if score else None,
        pd=score.pd if score else None,
        score=score.score if score else None,
        knockout=dishonest_knockout(enterprise) or bool(score and score.knockout),
        years=enterprise.years_in_business(),
        consent=consent_masks(enterprise),
        rated=rated,
    )


def need_row(need: FinancingNeed, facts: EnterpriseFacts) -> engine.NeedRow:
    enterprise = need.enterprise
    banks = frozenset(need.banks.values_list("pk", flat=True)) if need.visibility == "chosen" else frozenset()
    return engine.NeedRow(
        amount=float(need.amount),
        term_months=float(need.term_months),
        region=enterprise.region,
        industry=enterprise.industry,
        years_in_business=facts.years,
        grade=facts.grade,
        pd=facts.pd,
        knockout=facts.knockout,
        product_types=frozenset(need.product_types or ()),
        collateral_offered=frozenset(need.collateral_offered or ()) | {"none"},
        banks=banks,
        consent=facts.consent,
    )


# ------------------------------------------------------------------------ results


@dataclass
class Match:
    product_id: int
    title: str
    url: str
    institution_id: int
    institution_name: str
    product_type: str
    rate_min: float
    rate_max: float
    amount_max: float
    eligible: bool
    reasons: list[str]  # why it matched, or why not
    likelihood: float
    sme_score: float
    bank_score: float
    expected_value: float

    @property
    def likelihood_percent(self) -> int:
        return round(self.likelihood * 100)


def _wan(value: float) -> str:
    return f"{value / 10000:,.0f}" if np.isfinite(value) else "—"


def _failure_text(check: str, table: engine.ProductTable, j: int, facts: EnterpriseFacts) -> str:
    p = table.frame.iloc[j]
    texts = {
        "closed": lambda: _("该产品暂停受理申请"),
        "bank": lambda: _("不在您指定的金融机构范围内"),
        "type": lambda: _("不是您期望的产品类型"),
        "region": lambda: _("企业所在地区不在该产品服务范围内"),
        "industry": lambda: _("企业所属行业不在该产品支持范围内"),
        "age": lambda: _("成立年限不足（需满%(n)s年）") % {"n": f"{table.min_years[j]:g}"},
        "amount_high": lambda: _("金额超出该产品上限（最高%(v)s万元）") % {"v": _wan(table.amount_max[j])},
        "amount_low": lambda: _("金额低于该产品下限（最低%(v)s万元）") % {"v": _wan(table.amount_min[j])},
        "term_high": lambda: _("期限超出该产品上限（最长%(n)d个月）") % {"n": table.term_max[j]},
        "term_low": lambda: _("期限低于该产品下限（最短%(n)d个月）") % {"n": table.term_min[j]},
        "grade": lambda: (
            (
                _("信用等级未达到产品要求（需%(g)s级及以上）")
                if facts.rated
                else _("数据不足，暂不评级；该产品要求%(g)s级及以上，授权更多信息后可重新匹配")
            )
            % {"g": engine.GRADES[table.min_grade[j]]}
        ),
        "pd": lambda: _("违约概率高于该产品的上限") if facts.rated else _("数据不足，暂不评级；该产品要求评估违约概率"),
        "collateral": lambda: _("该产品需要提供抵押、质押或保证担保"),
        "consent": lambda: (
            _("需要授权该机构查询：%(c)s")
            % {"c": "、".join(str(CATEGORY_BY_CODE[c].name) for c in p["required_categories"] if c in CATEGORY_BY_CODE)}
        ),
        "knockout": lambda: _("存在生效中的失信被执行人记录（信用类产品政策否决）"),
    }
    return str(texts[check]())


def _match_texts(table: engine.ProductTable, j: int, facts: EnterpriseFacts) -> list[str]:
    reasons = [_("金额、期限在产品范围内"), _("地区、行业与成立年限符合要求")]
    if facts.grade:
        reasons.append(_("信用等级 %(g)s 满足要求") % {"g": facts.grade})
    elif not facts.rated:
        reasons.append(_("数据不足，暂不评级；该产品不设评级要求"))
    reasons.append(_("年化利率 %(r)s%% 起") % {"r": f"{table.rate_min[j]:.2f}"})
    return [str(r) for r in reasons]


def explain(
    result: engine.MatchResult,
    row: int,
    table: engine.ProductTable,
    facts: EnterpriseFacts,
    *,
    near_miss_limit: int = 2,
) -> tuple[list[Match], list[Match]]:
    """(eligible products best first, near misses failing ≤ ``near_miss_limit`` checks)."""
    failures = result.failures[row]
    counts = failures.sum(axis=1)
    eligible: list[Match] = []
    near: list[Match] = []
    order = np.argsort(-result.sme_score[row], kind="stable")
    for j in order:
        if counts[j] > near_miss_limit or failures[j, 0] or failures[j, 1]:
            continue  # closed products and other banks are not worth showing as near misses
        if counts[j]:
            reasons = [_failure_text(engine.CHECKS[k], table, j, facts) for k in np.flatnonzero(failures[j])]
        else:
            reasons = _match_texts(table, j, facts)
        p = table.frame.iloc[j]
        item = Match(
            product_id=int(table.ids[j]), title=str(p["title"]), url=str(p.get("url_path", "")),
            institution_id=int(table.institution[j]), institution_name=str(p["institution_name"]),
            product_type=str(p["product_type"]), rate_min=float(table.rate_min[j]),
            rate_max=float(table.rate_max[j]), amount_max=float(table.amount_max[j]),
            eligible=not counts[j], reasons=reasons, likelihood=float(result.likelihood[row, j]),
            sme_score=float(result.sme_score[row, j]), bank_score=float(result.bank_score[row, j]),
            expected_value=float(result.expected_value[row, j]),
        )  # fmt: skip
        (near if counts[j] else eligible).append(item)
    return eligible, near


@dataclass
class NeedMatches:
    facts: EnterpriseFacts
    eligible: list[Match]
    near_misses: list[Match]


def match_need(need: FinancingNeed) -> NeedMatches:
    facts = enterprise_facts(need.enterprise)
    table = product_table()
    if len(table) == 0:
        return NeedMatches(facts, [], [])
    result = engine.match([need_row(need, facts)], table, approval=approval_model_in_use())
    eligible, near = explain(result, 0, table, facts)
    return NeedMatches(facts, eligible, near[:10])
