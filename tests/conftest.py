from __future__ import annotations

import socket
from ipaddress import ip_address

import pytest
from django.test import Client

from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.enterprises import MembershipFactory


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def sme_owner(db):
    """An SME user who owns one enterprise."""
    membership = MembershipFactory(user=UserFactory(username="owner_a"))
    return membership.user, membership.enterprise


@pytest.fixture
def other_sme_owner(db):
    membership = MembershipFactory(user=UserFactory(username="owner_b"))
    return membership.user, membership.enterprise


def verified_login(client: Client, user) -> None:
    """Log ``user`` in with the second factor already verified (through django-otp's
    session key), for tests that are not about two-factor authentication."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _force_login(client, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


_force_login = Client.force_login


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """``client.force_login(user)`` stands for a complete login, second factor
    included, for users whose role requires 2FA. Tests of the 2FA flow itself log in
    with the password (``client.login`` / the login form), which this leaves alone."""
    from loanhub.accounts.two_factor import two_factor_needed

    def force_login(self, user, backend=None):
        if two_factor_needed(user):
            verified_login(self, user)
        else:
            _force_login(self, user, backend)

    monkeypatch.setattr(Client, "force_login", force_login)


_getaddrinfo = socket.getaddrinfo


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    """Tests never ask a DNS server. Webhook URLs in tests name hosts like
    ``hooks.bank-a.test`` (and the schema fuzzer makes up others); saving or
    delivering them resolves the name for the SSRF guard. Any name but localhost is
    "not found" at once, as on a machine without network, instead of a lookup that
    may hang. Literal addresses and localhost resolve as usual (live test servers)."""

    def getaddrinfo(host, *args, **kwargs):
        name = (host.decode() if isinstance(host, bytes) else str(host or "")).lower().rstrip(".")
        try:
            ip_address(name.strip("[]"))
        except ValueError:
            if name not in ("", "localhost"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return _getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
