"""The demo's challenger step: a small synthetic book may trip a training guard (a weak
out-of-time AUC on a dozen bad loans); the demo then trains anyway with the warnings recorded,
as an administrator may, so the model page always has a comparison to show."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from loanhub.demo.context import SeedContext
from loanhub.demo.loans import SANDBOX_CHALLENGER, seed_learning
from loanhub.learning import services as learning
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


class GuardStop(ValueError):
    def __init__(self) -> None:
        self.warnings = [SimpleNamespace(code="low_auc")]
        super().__init__("training stopped by 1 warning(s)")


def _ctx(said: list[str]) -> SeedContext:
    return SeedContext(password="x", progress=said.append, users={"demo_admin": UserFactory()})


def test_a_guard_warning_trains_the_challenger_with_the_warnings_recorded(monkeypatch):
    calls = []

    def fake_train(*, user, prefix, force=False):
        calls.append(force)
        if not force:
            raise GuardStop
        return SimpleNamespace(version=f"{prefix}-1")

    monkeypatch.setattr(learning, "approval_train", lambda **kw: SimpleNamespace(version="approval-1"))
    monkeypatch.setattr(learning, "challenger_train", fake_train)
    said: list[str] = []
    seed_learning(_ctx(said))
    assert calls == [False, True]
    assert any("low_auc 已记入模型卡" in line and f"{SANDBOX_CHALLENGER}-1" in line for line in said)


def test_any_other_refusal_is_reported_and_nothing_forced(monkeypatch):
    calls = []

    def fake_train(*, user, prefix, force=False):
        calls.append(force)
        raise ValueError("the labelled book needs decisions on more than one day")

    monkeypatch.setattr(learning, "approval_train", lambda **kw: SimpleNamespace(version="approval-1"))
    monkeypatch.setattr(learning, "challenger_train", fake_train)
    said: list[str] = []
    seed_learning(_ctx(said))
    assert calls == [False]
    assert any("未训练挑战者模型" in line for line in said)
