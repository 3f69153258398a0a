"""The registration record the platform holds for a USCC (登记信息), for 企业要素核验.

A real deployment would ask the market-regulation register; none is connected, so
outside the sandbox there is no record and enterprises verify with a business
licence instead. In the sandbox (``LOANHUB_SANDBOX_REGISTRY``, on by default when
``DEBUG`` is) every USCC has a synthetic record — legal representative, ID number
and mobile — derived from the USCC with a seeded RNG, so that a demo user who
registers any new USCC can pass the check. The values are synthetic and belong to
nobody.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉鹏飞慧宇"


@dataclass(frozen=True)
class RegistrationRecord:
    uscc: str
    legal_representative: str
    id_number: str
    mobile: str
    synthetic: bool


def id_check_character(first17: str) -> str:
    """GB 11643-1999 check character of an 18-digit resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_number_is_valid(value: str) -> bool:
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return id_check_character(value[:17]) == value[17]


def sandbox_registry_enabled() -> bool:
    """Whether the synthetic sandbox register answers (never in production)."""
    return bool(getattr(settings, "LOANHUB_SANDBOX_REGISTRY", settings.DEBUG))


def _rng(uscc: str, seed: int) -> random.Random:
    digest = hashlib.sha256(f"loanhub-sandbox-registry:{seed}:{uscc}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 — synthetic sandbox data, not a secret


def sandbox_registration_record(uscc: str, seed: int) -> RegistrationRecord:
    """The synthetic registration record of ``uscc``: the same for the same seed."""
    rng = _rng(uscc, seed)
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    area = uscc[2:8] if uscc[2:8].isdigit() and uscc[2] in "12345678" else "440100"
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    first17 = f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    id_number = first17 + id_check_character(first17)
    mobile = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    return RegistrationRecord(uscc, name, id_number, mobile, synthetic=True)


def registration_record_get(*, uscc: str) -> RegistrationRecord | None:
    """The registration record the platform holds for ``uscc``, or None."""
    if sandbox_registry_enabled():
        return sandbox_registration_record(uscc.upper(), settings.LOANHUB_SANDBOX_SEED)
    return None
