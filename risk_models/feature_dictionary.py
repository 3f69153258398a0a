"""The feature dictionary: what each feature means and which way it pushes risk.

``direction`` is the expected effect on default risk: ``+1`` a higher value
raises risk, ``-1`` a higher value lowers risk, ``0`` unknown or not monotone.
Training turns ``+1`` / ``-1`` into LightGBM monotone constraints. ``kind``
decides how a value is worded in a reason text; ``text_zh`` / ``text_en`` are
templates filled with the formatted value ``{v}`` (flags use ``*_no`` when the
value is 0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

WINDOWS: tuple[int, ...] = (3, 6, 12, 24, 36)
#: Value given to "months since the last negative event" when there is none
#: usable (征信业管理条例 §16: nothing older than 60 months counts).
NO_NEGATIVE_MONTHS: float = 61.0


@dataclass(frozen=True)
class FeatureSpec:
    """One row of the feature dictionary."""

    name: str
    category: str
    direction: int
    kind: str
    meaning_zh: str
    meaning_en: str
    text_zh: str
    text_en: str
    text_zh_no: str = ""
    text_en_no: str = ""

    @property
    def code(self) -> str:
        """Reason code: the feature name in upper case."""
        return self.name.upper()


def _f(name: str, category: str, direction: int, kind: str, *texts: str) -> FeatureSpec:
    return FeatureSpec(name, category, direction, kind, *texts)


def _penalty_windows() -> list[FeatureSpec]:
    return [
        _f(
            f"penalty_count_{w}m",
            "penalty",
            1,
            "count",
            f"近{w}个月仍计入的行政处罚次数(一般/严重,未修复)",
            f"administrative penalties still counted, last {w} months (general/serious, not repaired)",
            f"近{w}个月行政处罚{{v}}次",
            f"{{v}} administrative penalties in the last {w} months",
        )
        for w in WINDOWS
    ]


def _judicial_windows() -> list[FeatureSpec]:
    return [
        _f(
            f"judicial_defendant_{w}m",
            "judicial",
            1,
            "count",
            f"近{w}个月作为被告/被执行人的案件数",
            f"court cases as defendant, last {w} months",
            f"近{w}个月涉诉(被告)案件{{v}}件",
            f"{{v}} court cases as defendant in the last {w} months",
        )
        for w in WINDOWS
    ]


_SPECS: list[FeatureSpec] = [
    _f(
        "firm_age_months",
        "registration",
        -1,
        "months",
        "成立月数",
        "firm age in months",
        "成立{v}个月",
        "firm age {v} months",
    ),
    _f(
        "registered_capital",
        "registration",
        -1,
        "wan",
        "注册资本(万元)",
        "registered capital (10k CNY)",
        "注册资本{v}万元",
        "registered capital CNY {v}",
    ),
    _f(
        "paid_in_ratio",
        "registration",
        -1,
        "ratio",
        "实缴资本/注册资本",
        "paid-in / registered capital",
        "实缴资本占比{v}",
        "paid-in capital ratio {v}",
    ),
    _f(
        "legal_rep_changes_36m",
        "registration",
        1,
        "count",
        "近36个月法定代表人变更次数",
        "legal-representative changes, last 36 months",
        "近36个月法定代表人变更{v}次",
        "{v} legal-representative changes in the last 36 months",
    ),
    _f(
        "abnormal_operation",
        "registration",
        1,
        "flag",
        "当前列入经营异常名录",
        "currently on the abnormal-operation list",
        "列入经营异常名录",
        "on the abnormal-operation list",
        "未列入经营异常名录",
        "not on the abnormal-operation list",
    ),
    _f(
        "industry",
        "registration",
        0,
        "category",
        "行业门类(GB/T 4754)",
        "industry section (GB/T 4754)",
        "行业门类{v}",
        "industry section {v}",
    ),
    _f(
        "region",
        "registration",
        0,
        "category",
        "注册地行政区划代码",
        "registered region code",
        "注册地{v}",
        "registered in region {v}",
    ),
    _f(
        "licences_valid",
        "licence",
        0,
        "count",
        "有效行政许可数",
        "valid licences",
        "有效行政许可{v}项",
        "{v} valid licences",
    ),
    *_penalty_windows(),
    _f(
        "penalty_general_12m",
        "penalty",
        1,
        "count",
        "近12个月一般行政处罚次数(未修复)",
        "general administrative penalties, last 12 months (not repaired)",
        "近12个月行政处罚{v}次(一般)",
        "{v} administrative penalties (general) in the last 12 months",
    ),
    _f(
        "penalty_serious_36m",
        "penalty",
        1,
        "count",
        "近36个月严重行政处罚次数(未修复)",
        "serious administrative penalties, last 36 months (not repaired)",
        "近36个月行政处罚{v}次(严重)",
        "{v} administrative penalties (serious) in the last 36 months",
    ),
    _f(
        "penalty_fine_36m",
        "penalty",
        1,
        "money",
        "近36个月仍计入处罚的罚款金额(元)",
        "fines of counted penalties, last 36 months (CNY)",
        "近36个月罚款{v}",
        "fines of {v} in the last 36 months",
    ),
    _f(
        "tax_grade_latest",
        "tax_rating",
        1,
        "tax_grade",
        "最近一次纳税信用等级(A=1…D=5)",
        "latest tax credit grade (A=1 … D=5)",
        "最近纳税信用等级{v}",
        "latest tax credit grade {v}",
    ),
    _f(
        "tax_grade_worst_3y",
        "tax_rating",
        1,
        "tax_grade",
        "近3次纳税信用等级中最差",
        "worst of the last 3 tax credit grades",
        "近3年最差纳税信用等级{v}",
        "worst tax credit grade in 3 years {v}",
    ),
    _f(
        "tax_grade_a_years_3y",
        "tax_rating",
        -1,
        "count",
        "近3次纳税信用评价中A级次数",
        "A grades among the last 3 tax credit ratings",
        "近3年{v}次A级纳税人",
        "{v} A tax grades in the last 3 years",
    ),
    _f(
        "tax_grade_change",
        "tax_rating",
        1,
        "signed",
        "纳税信用等级变化(正数为下降)",
        "change of tax grade rank (positive = downgraded)",
        "纳税信用等级变动{v}级",
        "tax grade moved {v} notches (positive = down)",
    ),
    _f(
        "tax_paid_12m",
        "tax_payment",
        -1,
        "money",
        "近12个月纳税额(元)",
        "tax paid, last 12 months (CNY)",
        "近12个月纳税{v}",
        "tax paid {v} in 12 months",
    ),
    _f(
        "tax_paid_growth_12m",
        "tax_payment",
        -1,
        "pct",
        "近12个月纳税额同比变化",
        "tax paid, last 12 months vs the 12 before",
        "纳税额同比变化{v}",
        "tax paid year on year {v}",
    ),
    _f(
        "tax_zero_quarters_12m",
        "tax_payment",
        1,
        "count",
        "近12个月零申报期数",
        "zero tax returns, last 12 months",
        "近12个月零申报{v}期",
        "{v} zero tax returns in 12 months",
    ),
    _f(
        "si_headcount_latest",
        "social_insurance",
        -1,
        "count",
        "最近社保参保人数",
        "latest social-insurance headcount",
        "社保参保{v}人",
        "{v} employees insured",
    ),
    _f(
        "si_headcount_trend_6m",
        "social_insurance",
        -1,
        "pct",
        "社保参保人数近3月均值较6个月前变化",
        "insured headcount, last 3 months vs 6 months earlier",
        "参保人数较6个月前变化{v}",
        "insured headcount {v} vs 6 months ago",
    ),
    _f(
        "si_headcount_trend_12m",
        "social_insurance",
        -1,
        "pct",
        "社保参保人数近3月均值较12个月前变化",
        "insured headcount, last 3 months vs 12 months earlier",
        "参保人数同比变化{v}",
        "insured headcount {v} year on year",
    ),
    _f(
        "si_arrears_months_6m",
        "social_insurance",
        1,
        "count",
        "近6个月社保欠缴月数",
        "months with social-insurance arrears, last 6 months",
        "近6个月社保欠缴{v}个月",
        "social-insurance arrears in {v} of the last 6 months",
    ),
    _f(
        "si_arrears_months_12m",
        "social_insurance",
        1,
        "count",
        "近12个月社保欠缴月数",
        "months with social-insurance arrears, last 12 months",
        "近12个月社保欠缴{v}个月",
        "social-insurance arrears in {v} of the last 12 months",
    ),
    _f(
        "si_arrears_months_24m",
        "social_insurance",
        1,
        "count",
        "近24个月社保欠缴月数",
        "months with social-insurance arrears, last 24 months",
        "近24个月社保欠缴{v}个月",
        "social-insurance arrears in {v} of the last 24 months",
    ),
    _f(
        "hf_contributors_latest",
        "housing_fund",
        -1,
        "count",
        "最近公积金缴存人数",
        "latest housing-fund contributors",
        "公积金缴存{v}人",
        "{v} housing-fund contributors",
    ),
    _f(
        "hf_arrears_months_12m",
        "housing_fund",
        1,
        "count",
        "近12个月公积金欠缴月数",
        "months with housing-fund arrears, last 12 months",
        "近12个月公积金欠缴{v}个月",
        "housing-fund arrears in {v} of the last 12 months",
    ),
    _f(
        "elec_trend_6m",
        "utilities",
        -1,
        "pct",
        "用电量近3月较6个月前变化",
        "electricity use, last 3 months vs 6 months earlier",
        "用电量较6个月前变化{v}",
        "electricity use {v} vs 6 months ago",
    ),
    _f(
        "elec_trend_12m",
        "utilities",
        -1,
        "pct",
        "用电量近3月同比变化",
        "electricity use, last 3 months year on year",
        "用电量同比变化{v}",
        "electricity use {v} year on year",
    ),
    _f(
        "utility_overdue_months_12m",
        "utilities",
        1,
        "count",
        "近12个月水电燃气欠费月数",
        "utility bills overdue, last 12 months",
        "近12个月水电燃气欠费{v}次",
        "{v} overdue utility bills in 12 months",
    ),
    _f(
        "utility_overdue_months_24m",
        "utilities",
        1,
        "count",
        "近24个月水电燃气欠费月数",
        "utility bills overdue, last 24 months",
        "近24个月水电燃气欠费{v}次",
        "{v} overdue utility bills in 24 months",
    ),
    _f(
        "utility_overdue_amount_12m",
        "utilities",
        1,
        "money",
        "近12个月水电燃气欠费金额(元)",
        "overdue utility amount, last 12 months (CNY)",
        "近12个月水电燃气欠费{v}",
        "overdue utility bills of {v} in 12 months",
    ),
    *_judicial_windows(),
    _f(
        "judicial_defendant_amount_36m",
        "judicial",
        1,
        "money",
        "近36个月被告案件标的额(元)",
        "amount at stake as defendant, last 36 months (CNY)",
        "近36个月涉诉标的{v}",
        "{v} at stake as defendant in 36 months",
    ),
    _f(
        "judicial_open_defendant",
        "judicial",
        1,
        "count",
        "未结被告/被执行案件数",
        "open cases as defendant",
        "未结涉诉案件{v}件",
        "{v} open court cases as defendant",
    ),
    _f(
        "judicial_plaintiff_36m",
        "judicial",
        0,
        "count",
        "近36个月作为原告的案件数",
        "court cases as plaintiff, last 36 months",
        "近36个月作为原告起诉{v}件",
        "{v} court cases as plaintiff in 36 months",
    ),
    _f(
        "dishonest_listed",
        "dishonest_debtor",
        1,
        "flag",
        "当前列入失信被执行人名单",
        "currently on the dishonest-debtor list",
        "当前列入失信被执行人名单",
        "currently on the dishonest-debtor list",
        "未列入失信被执行人名单",
        "not on the dishonest-debtor list",
    ),
    _f(
        "dishonest_listings_60m",
        "dishonest_debtor",
        1,
        "count",
        "近5年仍计入的失信名单记录数",
        "dishonest-debtor listings still counted (5 years)",
        "近5年失信被执行人记录{v}条",
        "{v} dishonest-debtor listings in 5 years",
    ),
    _f(
        "customs_grade",
        "customs",
        1,
        "customs_grade",
        "海关信用等级(高级认证=1,一般=2,失信=3)",
        "customs credit grade (AEO=1, general=2, dishonest=3)",
        "海关信用等级{v}",
        "customs grade {v}",
    ),
    _f(
        "env_colour_latest",
        "environment",
        1,
        "env_colour",
        "最近环保信用评价(绿=1…黑=5)",
        "latest environmental rating (green=1 … black=5)",
        "环保信用评价{v}",
        "environmental rating {v}",
    ),
    _f(
        "honours_36m",
        "honour",
        -1,
        "count",
        "近36个月守信激励/荣誉数",
        "honours, last 36 months",
        "近36个月获得荣誉{v}项",
        "{v} honours in 36 months",
    ),
    _f(
        "honour_specialised",
        "honour",
        -1,
        "flag",
        "近36个月获专精特新或高新技术企业认定",
        "specialised/high-tech recognition in the last 36 months",
        "获专精特新/高新技术企业认定",
        "recognised as specialised or high-tech",
        "无专精特新/高新技术企业认定",
        "no specialised or high-tech recognition",
    ),
    _f(
        "commitments_36m",
        "commitment",
        0,
        "count",
        "近36个月信用承诺数",
        "credit commitments, last 36 months",
        "近36个月信用承诺{v}项",
        "{v} credit commitments in 36 months",
    ),
    _f(
        "commitments_broken_36m",
        "commitment",
        1,
        "count",
        "近36个月未履行的信用承诺数",
        "broken credit commitments, last 36 months",
        "近36个月违背信用承诺{v}项",
        "{v} broken credit commitments in 36 months",
    ),
    _f(
        "carbon_intensity_latest",
        "carbon",
        0,
        "float",
        "最近碳排放强度",
        "latest carbon emission intensity",
        "碳排放强度{v}",
        "carbon intensity {v}",
    ),
    _f(
        "carbon_rating_latest",
        "carbon",
        0,
        "carbon_rating",
        "最近碳账户评级(深绿=1…红=4)",
        "latest carbon rating (dark green=1 … red=4)",
        "碳账户评级{v}",
        "carbon rating {v}",
    ),
    _f(
        "months_since_negative",
        "summary",
        -1,
        "months",
        "距最近一次仍计入的负面信息的月数(无则61)",
        "months since the last negative event still counted (61 if none)",
        "距最近负面信息{v}个月",
        "{v} months since the last negative event",
    ),
    _f(
        "negative_events_12m",
        "summary",
        1,
        "count",
        "近12个月负面信息条数",
        "negative events in the last 12 months",
        "近12个月负面信息{v}条",
        "{v} negative events in the last 12 months",
    ),
]

FEATURES: dict[str, FeatureSpec] = {spec.name: spec for spec in _SPECS}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(s.name for s in _SPECS if s.kind == "category")


def direction_of(name: str) -> int:
    """Return the expected risk direction of a feature (0 if not in the dictionary).

    Parameters
    ----------
    name : str

    Returns
    -------
    int
        +1, -1 or 0.
    """
    spec = FEATURES.get(name)
    return 0 if spec is None else spec.direction


def feature_dictionary() -> pd.DataFrame:
    """Return the feature dictionary as a frame (one row per feature).

    Returns
    -------
    pandas.DataFrame
        Columns ``name, code, category, direction, kind, meaning_zh, meaning_en,
        text_zh, text_en, text_zh_no, text_en_no``.
    """
    rows = [dict(asdict(spec), code=spec.code) for spec in _SPECS]
    return pd.DataFrame(rows).set_index("name", drop=False)
