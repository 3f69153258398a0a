"""The demo's enterprises come verified; a new registration does not."""

from __future__ import annotations

import pandas as pd
import pytest

from loanhub.demo.credit import _enterprise_from
from loanhub.enterprises.models import VerificationMethod, VerificationStatus
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db


def test_sandbox_enterprises_are_seeded_verified_and_stay_so():
    row = pd.Series({
        "uscc": make_uscc(9001), "name": "沙箱测试有限公司", "legal_rep": "李沙箱", "region": "440100",
        "industry": "C", "registration_date": pd.Timestamp("2015-06-01"), "registered_capital": 100.0,
        "size_class": "小型",
    })  # fmt: skip
    enterprise = _enterprise_from(row)
    assert enterprise.is_verified
    assert enterprise.verification_method == VerificationMethod.DEMO
    first = enterprise.verified_at
    assert first is not None
    again = _enterprise_from(row)
    assert again.pk == enterprise.pk and again.verified_at == first
    assert again.verification_status == VerificationStatus.VERIFIED
