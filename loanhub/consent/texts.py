"""Versioned authorization wording. The exact text a user agreed to is stored
with its SHA-256, so it can be shown again word for word.

Never edit a published version: add a new one and point CURRENT_VERSION at it.
"""

from __future__ import annotations

import hashlib

CURRENT_VERSION = "2026-12-v2"

TEXTS: dict[str, str] = {
    "2026-11-v1": (
        "《企业公共信用信息查询使用授权书》（版本 {version}）\n"
        "一、授权人：{enterprise}（统一社会信用代码 {uscc}），由其用户 {signer} 代表签署。\n"
        "二、被授权人：{grantee}。\n"
        "三、授权用途：{purpose}。被授权人仅可为上述用途查询、使用授权信息，不得用于其他目的，"
        "不得向第三方提供。\n"
        "四、授权信息范围：{categories}；仅限 {data_from} 以来的记录。\n"
        "五、授权期限：自 {valid_from} 起至 {expires_at} 止（不超过12个月）。\n"
        "六、授权人可随时在平台撤回本授权，撤回后被授权人立即不能再查询；撤回不影响撤回前"
        "已进行的处理。\n"
        "七、每一次查询都将记录查询人、机构、时间、信息类别与用途，授权人可随时查看。\n"
        "八、授权人有权要求对自动化评估结果作出说明，并有权拒绝仅通过自动化决策作出的决定。\n"
        "{sensitive}"
    ),
    # v2: says what each purpose allows (loanhub.matching.judgements enforces it).
    "2026-12-v2": (
        "《企业公共信用信息查询使用授权书》（版本 {version}）\n"
        "一、授权人：{enterprise}（统一社会信用代码 {uscc}），由其用户 {signer} 代表签署。\n"
        "二、被授权人：{grantee}。\n"
        "三、授权用途：{purpose}。被授权人仅可为上述用途查询、使用授权信息，不得用于其他目的，"
        "不得向第三方提供。各用途允许的使用方式如下：\n"
        "（一）融资对接：仅可查看依据授权信息计算的信用等级、评分、违约概率、获批可能性和排序，"
        "用于判断是否与授权人对接，不得查看信息明细；\n"
        "（二）贷前审查：除前项外，在受理授权人的融资申请后，可查看授权范围内的信息明细和评分理由，"
        "用于贷前审查；\n"
        "（三）贷后管理：在向授权人发放贷款后、贷款存续期间，可查看授权范围内的信息明细、评分及其变化，"
        "用于贷后风险监测和预警。\n"
        "以上评价均仅依据本授权书所列信息类别和期间计算；授权撤回或到期后，被授权人不再能看到任何一项。\n"
        "四、授权信息范围：{categories}；仅限 {data_from} 以来的记录。\n"
        "五、授权期限：自 {valid_from} 起至 {expires_at} 止（不超过12个月）。\n"
        "六、授权人可随时在平台撤回本授权，撤回后被授权人立即不能再查询；撤回不影响撤回前"
        "已进行的处理。\n"
        "七、每一次查询（包括查看上述评价）都将记录查询人、机构、时间、信息类别与用途，授权人可随时查看。\n"
        "八、授权人有权要求对自动化评估结果作出说明，并有权拒绝仅通过自动化决策作出的决定。\n"
        "{sensitive}"
    ),
}

SENSITIVE_CLAUSE = "九、授权人单独同意被授权人查询以下敏感个人/经营信息：{sensitive_categories}。\n"


def render(version: str, **params: str) -> str:
    sensitive = params.pop("sensitive_categories", "")
    clause = SENSITIVE_CLAUSE.format(sensitive_categories=sensitive) if sensitive else ""
    return TEXTS[version].format(version=version, sensitive=clause, **params)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
