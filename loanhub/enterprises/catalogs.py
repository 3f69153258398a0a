"""Reference catalogs: administrative divisions (GB/T 2260) and industries (GB/T 4754).

Only the divisions the platform serves are listed by name; any well-formed
6-digit code is accepted and falls back to its province's name.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}  # fmt: skip

REGIONS: dict[str, str] = {
    "440100": "广东省广州市", "440300": "广东省深圳市", "440400": "广东省珠海市",
    "440500": "广东省汕头市", "440600": "广东省佛山市", "440700": "广东省江门市",
    "440800": "广东省湛江市", "441200": "广东省肇庆市", "441300": "广东省惠州市",
    "441400": "广东省梅州市", "441900": "广东省东莞市", "442000": "广东省中山市",
    "445100": "广东省潮州市", "445200": "广东省揭阳市", "310100": "上海市",
    "320100": "江苏省南京市", "320500": "江苏省苏州市", "330100": "浙江省杭州市",
    "331000": "浙江省台州市", "350200": "福建省厦门市", "110100": "北京市",
    "370200": "山东省青岛市", "420100": "湖北省武汉市", "510100": "四川省成都市",
}  # fmt: skip

INDUSTRY_SECTIONS: dict[str, object] = {
    "A": _("农、林、牧、渔业"),
    "B": _("采矿业"),
    "C": _("制造业"),
    "D": _("电力、热力、燃气及水生产和供应业"),
    "E": _("建筑业"),
    "F": _("批发和零售业"),
    "G": _("交通运输、仓储和邮政业"),
    "H": _("住宿和餐饮业"),
    "I": _("信息传输、软件和信息技术服务业"),
    "J": _("金融业"),
    "K": _("房地产业"),
    "L": _("租赁和商务服务业"),
    "M": _("科学研究和技术服务业"),
    "N": _("水利、环境和公共设施管理业"),
    "O": _("居民服务、修理和其他服务业"),
    "P": _("教育"),
    "Q": _("卫生和社会工作"),
    "R": _("文化、体育和娱乐业"),
    "S": _("公共管理、社会保障和社会组织"),
    "T": _("国际组织"),
}


def region_name(code: str) -> str:
    """Return a readable name for a 6-digit division code."""
    if code in REGIONS:
        return REGIONS[code]
    city = REGIONS.get(code[:4] + "00")
    if city:
        return city
    return PROVINCES.get(code[:2], code)


def region_choices() -> list[tuple[str, str]]:
    return sorted(REGIONS.items())


def industry_choices() -> list[tuple[str, object]]:
    return [(k, f"{k} {v}") for k, v in INDUSTRY_SECTIONS.items()]
