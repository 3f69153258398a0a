"""The public-credit catalog (DESIGN.md §3) as plain data.

Every record frame handled by :mod:`risk_models` has the columns ``uscc`` and
``record_date`` plus the category's own columns listed in :data:`RECORD_COLUMNS`.
``record_date`` is the date the record is about and the date from which it may
be used: the decision date of a penalty, the publication date of a tax rating,
the last day of the month of a monthly payment record.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES: tuple[str, ...] = (
    "registration",
    "licence",
    "penalty",
    "tax_rating",
    "tax_payment",
    "social_insurance",
    "housing_fund",
    "utilities",
    "judicial",
    "dishonest_debtor",
    "customs",
    "environment",
    "honour",
    "commitment",
    "carbon",
)

CATEGORY_NAMES_ZH: dict[str, str] = {
    "registration": "登记注册",
    "licence": "行政许可",
    "penalty": "行政处罚",
    "tax_rating": "纳税信用等级",
    "tax_payment": "纳税",
    "social_insurance": "社保缴纳",
    "housing_fund": "公积金",
    "utilities": "水电燃气",
    "judicial": "司法判决 / 被执行",
    "dishonest_debtor": "失信被执行人 / 严重失信主体名单",
    "customs": "海关信用",
    "environment": "环保信用评价",
    "honour": "守信激励 / 荣誉",
    "commitment": "信用承诺",
    "carbon": "碳账户",
}

#: Category-specific columns (besides ``uscc`` and ``record_date``).
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "registration": ("event", "status", "registered_capital", "paid_in_capital"),
    "licence": ("licence_type", "issuer", "valid_from", "valid_to"),
    "penalty": (
        "issuer",
        "severity",
        "fine_amount",
        "corrected_on",
        "repaired_on",
    ),
    "tax_rating": ("year", "grade"),
    "tax_payment": ("period", "tax_paid"),
    "social_insurance": ("month", "headcount", "amount_paid", "arrears"),
    "housing_fund": ("month", "contributors", "amount", "arrears"),
    "utilities": (
        "month",
        "utility",
        "consumption",
        "amount_billed",
        "amount_overdue",
    ),
    "judicial": ("case_type", "role", "amount", "status", "closed_on"),
    "dishonest_debtor": ("listed_on", "removed_on", "issuer"),
    "customs": ("grade",),
    "environment": ("year", "colour"),
    "honour": ("honour_type", "issuer"),
    "commitment": ("commitment", "fulfilled"),
    "carbon": ("year", "emissions", "emission_intensity", "carbon_rating"),
}

#: Columns holding dates (parsed with ``pandas.to_datetime``).
DATE_COLUMNS: frozenset[str] = frozenset(
    {
        "record_date",
        "valid_from",
        "valid_to",
        "corrected_on",
        "repaired_on",
        "closed_on",
        "listed_on",
        "removed_on",
        "month",
    }
)

#: Columns holding numbers (parsed with ``pandas.to_numeric``).
NUMERIC_COLUMNS: frozenset[str] = frozenset(
    {
        "registered_capital",
        "paid_in_capital",
        "fine_amount",
        "year",
        "tax_paid",
        "headcount",
        "amount_paid",
        "arrears",
        "contributors",
        "amount",
        "consumption",
        "amount_billed",
        "amount_overdue",
        "emissions",
        "emission_intensity",
    }
)

PENALTY_SEVERITIES: tuple[str, ...] = ("轻微", "一般", "严重")
TAX_GRADES: tuple[str, ...] = ("A", "B", "M", "C", "D")
#: Tax grade → risk rank (1 best … 5 worst); ``M`` (new or small firms) sits
#: between B and C.
TAX_GRADE_RANK: dict[str, int] = {"A": 1, "B": 2, "M": 3, "C": 4, "D": 5}
CUSTOMS_GRADES: tuple[str, ...] = ("高级认证", "一般", "失信")
CUSTOMS_GRADE_RANK: dict[str, int] = {"高级认证": 1, "一般": 2, "失信": 3}
ENV_COLOURS: tuple[str, ...] = ("绿", "蓝", "黄", "红", "黑")
ENV_COLOUR_RANK: dict[str, int] = {"绿": 1, "蓝": 2, "黄": 3, "红": 4, "黑": 5}
CARBON_RATINGS: tuple[str, ...] = ("深绿", "浅绿", "黄", "红")
CARBON_RATING_RANK: dict[str, int] = {"深绿": 1, "浅绿": 2, "黄": 3, "红": 4}
UTILITIES: tuple[str, ...] = ("electricity", "water", "gas")
JUDICIAL_ROLES: tuple[str, ...] = ("plaintiff", "defendant")
JUDICIAL_STATUSES: tuple[str, ...] = ("open", "closed", "enforcing")
#: Registration events; ``status`` is the business status after the event.
REGISTRATION_EVENTS: tuple[str, ...] = (
    "establishment",
    "legal_rep_change",
    "abnormal_listed",
)

#: How long a penalty of each severity may count, in months from the decision
#: (信用修复管理办法: minor never shown, general ≤ 1 year, serious ≤ 3 years).
PENALTY_MAX_MONTHS: dict[str, int] = {"轻微": 0, "一般": 12, "严重": 36}
#: 征信业管理条例 §16: negative information is not used 5 years after the act.
NEGATIVE_INFO_MAX_MONTHS: int = 60


@dataclass(frozen=True)
class Region:
    """An administrative division (GB/T 2260 style 6-digit code)."""

    code: str
    name: str
    province: str
    effect: float


@dataclass(frozen=True)
class Industry:
    """A GB/T 4754 section with sandbox behaviour parameters."""

    code: str
    name: str
    weight: float
    effect: float
    polluting: float
    trading: float


REGIONS: tuple[Region, ...] = (
    Region("440100", "广州市", "广东省", 0.15),
    Region("440300", "深圳市", "广东省", 0.20),
    Region("440600", "佛山市", "广东省", 0.05),
    Region("441900", "东莞市", "广东省", 0.00),
    Region("442000", "中山市", "广东省", -0.05),
    Region("440400", "珠海市", "广东省", 0.05),
    Region("440700", "江门市", "广东省", -0.10),
    Region("441300", "惠州市", "广东省", -0.05),
    Region("440500", "汕头市", "广东省", -0.15),
    Region("440800", "湛江市", "广东省", -0.20),
    Region("441200", "肇庆市", "广东省", -0.15),
    Region("445100", "潮州市", "广东省", -0.20),
)
REGION_WEIGHTS: tuple[float, ...] = (
    0.20,
    0.22,
    0.10,
    0.11,
    0.06,
    0.05,
    0.05,
    0.06,
    0.04,
    0.04,
    0.04,
    0.03,
)

INDUSTRIES: tuple[Industry, ...] = (
    Industry("A", "农、林、牧、渔业", 0.04, -0.25, 0.30, 0.05),
    Industry("C", "制造业", 0.26, 0.00, 0.45, 0.30),
    Industry("E", "建筑业", 0.08, -0.30, 0.20, 0.02),
    Industry("F", "批发和零售业", 0.24, -0.05, 0.02, 0.20),
    Industry("G", "交通运输、仓储和邮政业", 0.06, -0.10, 0.15, 0.10),
    Industry("H", "住宿和餐饮业", 0.06, -0.30, 0.05, 0.00),
    Industry("I", "信息传输、软件和信息技术服务业", 0.10, 0.25, 0.00, 0.05),
    Industry("L", "租赁和商务服务业", 0.06, 0.00, 0.00, 0.05),
    Industry("M", "科学研究和技术服务业", 0.06, 0.30, 0.05, 0.05),
    Industry("R", "文化、体育和娱乐业", 0.04, -0.15, 0.00, 0.02),
)
