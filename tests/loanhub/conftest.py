from __future__ import annotations

import pytest

from loanhub.accounts.models import Role
from loanhub.institutions.services import institution_add_staff
from tests.factories.accounts import UserFactory
from tests.factories.institutions import InstitutionFactory


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory):
    """A real (small) sandbox LightGBM model, trained once per test session."""
    from risk_models.bundled import ensure_sandbox_model

    return ensure_sandbox_model(tmp_path_factory.mktemp("model"), n_enterprises=3000, seed=7)


@pytest.fixture
def active_model(db, small_model_dir):
    from loanhub.scoring.services import model_activate, model_register

    return model_activate(version=model_register(path=small_model_dir))


@pytest.fixture
def bank_a(db):
    return InstitutionFactory(short_name="甲银行")


@pytest.fixture
def bank_b(db):
    return InstitutionFactory(short_name="乙银行")


def _officer(bank, username: str, role: str = "officer"):
    user = UserFactory(username=username, role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank, user=user, role=role)
    return user


@pytest.fixture
def officer_a(bank_a):
    return _officer(bank_a, "officer_a")


@pytest.fixture
def officer_b(bank_b):
    return _officer(bank_b, "officer_b")


@pytest.fixture
def platform_admin(db):
    return UserFactory(username="platform_admin", role=Role.PLATFORM_ADMIN)
