"""The fixed part of the sandbox demo: banks, their staff and the demo SMEs.

Every name here is fictional. The enterprises are marked synthetic.
"""

from __future__ import annotations

from datetime import date

DEMO_PASSWORD_DEFAULT = "LoanHub-Demo-2026"  # noqa: S105 — the documented demo password; the demo refuses production

BANKS: list[dict] = [
    {
        "name": "粤信商业银行股份有限公司", "short_name": "粤信银行", "slug": "yuexin-bank",
        "type": "city_commercial", "licence_number": "B0001H244010001",
        "head_office": "广州市天河区珠江新城金穗路1号", "region": "440100",
        "phone": "95001", "branches": [("天河支行", "440100"), ("佛山分行", "440600")],
    },
    {
        "name": "珠江农村商业银行股份有限公司", "short_name": "珠江农商行", "slug": "zhujiang-rcb",
        "type": "rural_commercial", "licence_number": "B0002S244060001",
        "head_office": "佛山市禅城区季华五路2号", "region": "440600",
        "phone": "95002", "branches": [("禅城支行", "440600"), ("江门支行", "440700")],
    },
    {
        "name": "华南建设银行（演示）", "short_name": "华南建行", "slug": "huanan-ccb",
        "type": "state_owned", "licence_number": "B0003H111000001",
        "head_office": "深圳市福田区深南大道3号", "region": "440300",
        "phone": "95003", "branches": [("福田支行", "440300"), ("东莞分行", "441900")],
    },
    {
        "name": "南粤兴业银行股份有限公司", "short_name": "南粤兴业", "slug": "nanyue-industrial",
        "type": "joint_stock", "licence_number": "B0004H135020001",
        "head_office": "广州市越秀区东风中路4号", "region": "440100",
        "phone": "95004", "branches": [("越秀支行", "440100"), ("中山分行", "442000")],
    },
    {
        "name": "湾区科创银行股份有限公司", "short_name": "湾区科创", "slug": "bay-tech-bank",
        "type": "joint_stock", "licence_number": "B0005H144030001",
        "head_office": "深圳市南山区科技园5号", "region": "440300",
        "phone": "95005", "branches": [("南山支行", "440300"), ("珠海分行", "440400")],
    },
    {
        "name": "岭南村镇银行有限责任公司", "short_name": "岭南村镇银行", "slug": "lingnan-village",
        "type": "village", "licence_number": "B0006S344120001",
        "head_office": "肇庆市端州区天宁北路6号", "region": "441200",
        "phone": "95006", "branches": [("端州支行", "441200")],
    },
]  # fmt: skip

# (username, display name, role, bank slug or None, staff role)
STAFF: list[tuple[str, str, str, str]] = [
    ("demo_bank", "陈客户经理", "yuexin-bank", "officer"),
    ("demo_bank_manager", "林主管", "yuexin-bank", "manager"),
    ("demo_bank2", "黄客户经理", "zhujiang-rcb", "officer"),
]

DEMO_ENTERPRISES: list[dict] = [
    {
        "owner": "demo_sme", "owner_name": "张明",
        "name": "广州市明辉精密制造有限公司", "legal_representative": "张明",
        "region": "440100", "industry": "C34", "registration_date": date(2016, 5, 18),
        "registered_capital": 5_000_000, "size_class": "small",
        "address": "广州市黄埔区科学大道18号",
    },
    {
        "owner": "demo_sme2", "owner_name": "李芳",
        "name": "佛山市绿源农业科技有限公司", "legal_representative": "李芳",
        "region": "440600", "industry": "A01", "registration_date": date(2019, 9, 3),
        "registered_capital": 2_000_000, "size_class": "micro",
        "address": "佛山市南海区丹灶镇绿源路8号",
    },
]  # fmt: skip

DEMO_LOGINS: list[tuple[str, str]] = [
    ("demo_sme", "企业用户（广州市明辉精密制造有限公司 所有者）"),
    ("demo_sme2", "企业用户（佛山市绿源农业科技有限公司 所有者）"),
    ("demo_bank", "客户经理（粤信银行）"),
    ("demo_bank2", "客户经理（珠江农商行）"),
    ("demo_bank_manager", "机构主管（粤信银行）"),
    ("demo_admin", "平台管理员"),
]
