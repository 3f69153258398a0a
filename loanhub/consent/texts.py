"""Versioned authorization wording. The exact text a user agreed to is stored
with its SHA-256, so it can be shown again word for word.

Never edit a published version: add a new one and point CURRENT_VERSION at it.
"""

from __future__ import annotations

import hashlib

CURRENT_VERSION = "2026-11-v1"

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
}

SENSITIVE_CLAUSE = (
    "九、授权人单独同意被授权人查询以下敏感个人/经营信息：{sensitive_categories}。\n"
)


def render(version: str, **params: str) -> str:
    sensitive = params.pop("sensitive_categories", "")
    clause = SENSITIVE_CLAUSE.format(sensitive_categories=sensitive) if sensitive else ""
    return TEXTS[version].format(version=version, sensitive=clause, **params)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
