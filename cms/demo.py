"""Seed steps of the portal for ``seed_demo``: sections, bank pages, products, news, zones.

Idempotent and deterministic: pages are found by slug and created only when
missing. Everything is fictional; policy news is written as plausible examples,
not quotations of real documents.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from wagtail.rich_text import RichText

from .models import FinancingProductPage, InstitutionPage, NewsPage, ZonePage
from .services import institution_portal_setup, page_child_ensure, portal_structure_ensure

if TYPE_CHECKING:
    from loanhub.demo.context import SeedContext
    from loanhub.institutions.models import FinancialInstitution

ZONES = [
    ("manufacturing", "制造业专区", "制造业", "设备更新、技术改造和订单融资，助力制造业中小企业稳产扩产。",
     "制造业是实体经济的根基。本专区汇集各银行面向制造业中小微企业的中长期贷款、"
     "设备按揭和订单融资产品，可凭纳税、社保和用电数据申请信用贷款。"),
    ("green", "绿色金融专区", "绿色金融", "碳账户、节能改造与清洁能源项目的优惠利率贷款。",
     "依托企业碳账户与环保信用评价，对节能降碳成效好的企业给予利率优惠。"
     "环保信用为绿色、蓝色的企业优先办理。"),
    ("tech", "科技创新专区", "科技创新", "专精特新、高新技术企业的知识产权质押与信用贷款。",
     "面向科技型中小企业，以知识产权、研发投入和人才团队为主要评价依据，"
     "提供“轻资产”融资方案。"),
    ("rural", "乡村振兴专区", "乡村振兴", "涉农主体、农业产业化和县域特色产业的普惠贷款。",
     "服务家庭农场、农民专业合作社和农业企业，支持春耕备耕、冷链物流和特色种养殖。"),
]  # fmt: skip

# (slug, title, type, amount min/max 元, term months, rate %, repayment, collateral,
#  regions, industries, min years, min grade, max pd, categories, tags, summary, open)
PRODUCT_TEMPLATES = [
    ("tax-easy", "税易贷", "credit", (100_000, 3_000_000), (3, 36), ("3.45", "4.20"),
     ["equal_instalment", "interest_first"], "none", [], [], "2", "C", "0.08",
     ["tax_rating", "registration"], ["制造业"], "凭纳税信用线上申请，最快当天放款", True),
    ("first-loan", "首贷通", "first_loan", (50_000, 1_000_000), (6, 24), ("3.80", "4.80"),
     ["interest_first", "revolving"], "none", [], [], "1", "D", None,
     ["registration", "social_insurance"], ["乡村振兴"], "从未在银行贷过款的小微企业专属", True),
    ("green-carbon", "碳账户贷", "green", (500_000, 10_000_000), (12, 60),
     ("3.10", "3.90"), ["equal_principal", "equal_instalment"], "mortgage", ["440000"],
     [], "3", "B", "0.05", ["carbon", "environment"], ["绿色金融"],
     "碳排放强度越低，利率越优惠", True),
    ("ip-pledge", "知产融", "ip_pledge", (300_000, 5_000_000), (12, 36), ("3.60", "4.50"),
     ["interest_first"], "pledge", [], ["C", "I", "M"], "2", "C", None,
     ["honour", "registration"], ["科技创新"], "专利、商标质押，专精特新企业优先", True),
    ("supply-chain", "链e贷", "supply_chain", (200_000, 8_000_000), (3, 12),
     ("3.70", "5.20"), ["revolving", "bullet"], "none", [], ["C", "F"], "1", "C", "0.10",
     ["tax_payment", "registration"], ["制造业"], "核心企业应收账款在线融资", True),
    ("renewal", "无还本续贷", "renewal", (100_000, 5_000_000), (12, 36), ("3.55", "4.35"),
     ["interest_first", "equal_instalment"], "guarantee", [], [], "3", "B", "0.06",
     ["tax_rating", "utilities", "social_insurance"], ["乡村振兴", "制造业"],
     "到期前申请，无需先还本金再贷款", False),
]  # fmt: skip

# Per bank: which templates it offers, its regions and a rate shift (basis points).
BANK_OFFERS = {
    "yuexin-bank": ([0, 1, 2, 3, 4, 5], ["440100", "440600"], 0),
    "zhujiang-rcb": ([0, 1, 2, 4, 5, 3], ["440600", "440700"], 15),
    "huanan-ccb": ([0, 2, 3, 4, 1, 5], [], -20),
    "nanyue-industrial": ([0, 3, 4, 5, 2, 1], ["440100", "442000"], 10),
    "bay-tech-bank": ([3, 0, 4, 2, 1, 5], ["440300", "440400"], 5),
    "lingnan-village": ([1, 5, 0, 2, 3, 4], ["441200"], 30),
}

NEWS = [
    (date(2026, 11, 18), "policy", "关于进一步做好“信易贷”工作支持中小微企业融资的通知（示例）",
     "国家发展改革委（示例）",
     "推动税务、社保、水电气等公共信用信息依法向金融机构共享，扩大信用贷款投放。"),
    (date(2026, 11, 9), "interpretation", "一图读懂：首贷户培育与“无还本续贷”政策要点",
     "LoanHub 编辑部", "首贷怎么申请、续贷需满足哪些条件？五个问题讲清楚。"),
    (date(2026, 10, 28), "policy", "广东省绿色金融支持碳达峰行动实施方案（示例）",
     "广东省地方金融管理局（示例）", "鼓励银行以企业碳账户评价结果差异化定价，设立绿色贷款专项额度。"),
    (date(2026, 10, 15), "platform", "LoanHub 平台新增“乡村振兴专区”",
     "LoanHub 平台", "六家合作银行首批上线涉农信用贷款、农业产业链贷款等产品。"),
    (date(2026, 9, 30), "finance", "三季度普惠小微贷款余额同比增长（示例数据）",
     "LoanHub 编辑部", "平台示例数据显示，信用贷款占新发放小微贷款的比重继续提高。"),
    (date(2026, 9, 12), "interpretation", "《信用修复管理办法》对企业融资有哪些影响",
     "LoanHub 编辑部", "行政处罚信息公示期满或修复后不再影响评分，企业可在线申请信用修复。"),
    (date(2026, 8, 20), "policy", "关于知识产权质押融资风险补偿的若干措施（示例）",
     "市市场监督管理局（示例）", "对科技型中小企业知识产权质押贷款给予贴息和风险补偿。"),
    (date(2026, 7, 8), "platform", "平台上线“产品对比”功能",
     "LoanHub 平台", "企业可在金融产品超市勾选最多三款产品，按利率、额度、期限逐项对比。"),
]  # fmt: skip


def seed_portal(ctx: SeedContext) -> None:
    """Sections, moderation, every bank's page and group, and the four zones."""
    structure = portal_structure_ensure()
    if structure is None:
        raise RuntimeError("seed_site must run before seed_portal")
    for bank in ctx.banks.values():
        institution_portal_setup(bank)
    for theme, title, tag, summary, text in ZONES:
        page_child_ensure(
            structure.zones, ZonePage, slug=theme, title=title, tag=tag, theme=theme,
            summary=summary, body=[("paragraph", RichText(f"<p>{text}</p>"))],
        )  # fmt: skip
    ctx.progress(f"门户栏目、{len(ctx.banks)} 家机构主页与 {len(ZONES)} 个专区已就绪")


def _product_fields(template: tuple, regions: list[str], shift: int, n: int) -> dict:
    (_slug, title, kind, amounts, terms, rates, repayment, collateral, own_regions,
     industries, years, grade, pd, categories, tags, summary, is_open) = template  # fmt: skip
    bump = Decimal(shift) / 100
    return {
        "title": title, "summary": summary, "product_type": kind,
        "amount_min": Decimal(amounts[0]), "amount_max": Decimal(amounts[1] + n * 500_000),
        "term_min_months": terms[0], "term_max_months": terms[1],
        "rate_min": Decimal(rates[0]) + bump, "rate_max": Decimal(rates[1]) + bump,
        "repayment_methods": repayment, "collateral": collateral,
        "eligible_regions": own_regions or regions, "eligible_industries": industries,
        "min_years_in_business": Decimal(years), "min_grade": grade,
        "max_pd": Decimal(pd) if pd else None, "required_categories": categories,
        "materials": ["营业执照", "法定代表人身份证", "近一年财务报表"],
        "is_open": is_open or n < 5,
        "description": [
            ("heading", {"text": "产品特点", "size": "h2"}),
            ("paragraph", RichText(f"<p>{summary}。线上授权公共信用信息，审批进度全程可查。</p>")),
            ("faq", [{"question": "需要提供哪些数据授权？",
                      "answer": RichText("<p>见“申请条件”中的“需授权数据”。</p>")}]),
        ],
    }  # fmt: skip


def seed_products(ctx: SeedContext) -> None:
    """Six approved, live products per bank (published directly: the seed is the admin)."""
    created = 0
    # Round-robin over the banks so that "newest first" mixes institutions.
    for n in range(len(PRODUCT_TEMPLATES)):
        for slug, (offers, regions, shift) in BANK_OFFERS.items():
            bank = ctx.banks.get(slug)
            if bank is not None:
                created += _product_ensure(bank, PRODUCT_TEMPLATES[offers[n]], regions, shift, n)
    total = FinancingProductPage.objects.live().count()
    ctx.progress(f"金融产品 {total} 款已上线（本次新增 {created} 款）")


NEWS_POINTS = {
    "policy": ["适用对象：在平台注册并完成数据授权的中小微企业。",
               "主要措施：扩大公共信用信息共享范围，提高信用贷款和首贷占比。",
               "办理渠道：在“金融产品超市”筛选产品并在线申请，进度全程可查。"],
    "interpretation": ["企业授权后，银行只能在授权范围和期限内查询数据，每次查询都有记录。",
                       "评分结果附有原因说明，企业对记录有异议可在线提出。",
                       "符合条件的企业可同时申请多家银行的产品，择优选择。"],
    "platform": ["新功能已向全部注册企业开放。", "如有问题，可通过平台客服或所在地金融机构咨询。"],
    "finance": ["示例数据由沙箱生成，仅用于演示平台的统计功能。"],
}  # fmt: skip


def seed_news(ctx: SeedContext) -> None:
    structure = portal_structure_ensure()
    if structure is None:
        raise RuntimeError("the portal's home page must exist before the news is seeded")
    for n, (day, category, title, source, summary) in enumerate(NEWS, start=1):
        points = "".join(f"<li>{point}</li>" for point in NEWS_POINTS[category])
        body = [
            ("heading", {"text": "要点", "size": "h2"}),
            ("paragraph", RichText(f"<ul>{points}</ul>")),
            ("notice", {"tone": "info", "text": RichText(
                "<p>本文为演示内容，政策名称与数据均为示例，不代表真实文件。</p>")}),
        ]  # fmt: skip
        page_child_ensure(
            structure.news, NewsPage, slug=f"news-{n:02d}", title=title, date=day,
            category=category, source=source, summary=summary, body=body,
        )  # fmt: skip
    ctx.progress(f"政策资讯 {len(NEWS)} 篇已就绪")


def _product_ensure(bank: FinancialInstitution, template: tuple, regions: list, shift: int, n: int) -> int:
    product_slug = f"{bank.slug}-{template[0]}"
    if FinancingProductPage.objects.filter(slug=product_slug).exists():
        return 0
    fields = _product_fields(template, regions, shift, n)
    fields["title"] = f"{bank.short_name}·{fields['title']}"
    page = FinancingProductPage(slug=product_slug, **fields)
    page.tags.add(*template[14])
    InstitutionPage.objects.get(institution=bank).add_child(instance=page)
    page.save_revision().publish()
    return 1


CMS_SEED_STEPS = [seed_portal, seed_products, seed_news]
