"""Webhooks cannot be pointed at the platform's own network (SSRF): addresses are
checked when an endpoint is saved and again before every delivery, and the POST goes
to the checked address. DNS is faked (no network): unknown names do not resolve."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from ipaddress import ip_address

import pytest
import requests
from django.core.exceptions import ValidationError
from django.utils import timezone

from loanhub.api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from loanhub.api.tasks import delivery_enqueue
from loanhub.api.webhooks import delivery_attempt, lead_event_received, webhook_create, webhook_update
from loanhub.security import net
from loanhub.security.net import PinnedAddressAdapter, address_is_public

pytestmark = pytest.mark.django_db
PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo


class FakeDns:
    """``socket.getaddrinfo`` for names in ``records``; literal IPs resolve to
    themselves; any other name does not resolve (as without network)."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.lookups: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        try:
            ip_address(host)
            return _real_getaddrinfo(host, port, family, type, proto, flags)
        except ValueError:
            pass
        self.lookups.append(host)
        if host not in self.records:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (a, port or 0, 0, 0) if ":" in a else (a, port or 0))
            for a in self.records[host]
        ]  # fmt: skip


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def no_loopback_exception(settings):
    settings.DEBUG = False
    settings.LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = False


@pytest.fixture
def nothing_is_sent(monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a refused webhook must not be sent")

    monkeypatch.setattr(requests.Session, "send", refuse)


def make(bank, url: str) -> WebhookEndpoint:
    return webhook_create(institution=bank, user=None, url=url, secret="s" * 20)


# ------------------------------------------------------------- the address ranges


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.100.100.200",
        "0.0.0.0",  # noqa: S104 — an address the check must refuse, not a bind
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.10",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:10.0.0.1",
        "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1", "2001:db8::1", "not-an-ip",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    assert address_is_public(address) is False


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_is_public(address) is True


# ------------------------------------------------------------ when an endpoint is saved


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.8/hook", "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook",
        "https://[fc00::5]/hook", "https://[fe80::1]/hook", "https://127.0.0.1/hook",
        "https://0.0.0.0/hook", "https://100.100.100.200/latest/meta-data/",
    ],
)  # fmt: skip
def test_literal_internal_addresses_are_refused(bank_a, dns, no_loopback_exception, url):
    with pytest.raises(ValidationError) as refused:
        make(bank_a, url)
    assert "内网、本机、链路本地或保留地址" in refused.value.message_dict["url"][0]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("address", ["10.20.30.40", "169.254.169.254", "::1", "fc00::1"])
def test_a_name_resolving_to_an_internal_address_is_refused(bank_a, dns, no_loopback_exception, address):
    dns.records["hooks.bank-a.test"] = [address]
    with pytest.raises(ValidationError) as refused:
        make(bank_a, "https://hooks.bank-a.test/lh")
    message = refused.value.message_dict["url"][0]
    assert "hooks.bank-a.test" in message and address in message
    assert not WebhookEndpoint.objects.exists()


def test_a_name_resolving_to_public_and_private_addresses_is_refused(bank_a, dns):
    dns.records["hooks.bank-a.test"] = [PUBLIC, "10.0.0.7"]
    with pytest.raises(ValidationError) as refused:
        make(bank_a, "https://hooks.bank-a.test/lh")
    assert "10.0.0.7" in refused.value.message_dict["url"][0]
    assert PUBLIC not in refused.value.message_dict["url"][0]


def test_a_name_resolving_to_public_addresses_only_is_accepted(bank_a, dns):
    dns.records["hooks.bank-a.test"] = [PUBLIC, "2606:4700:4700::1111"]
    endpoint = make(bank_a, "https://hooks.bank-a.test/lh")
    assert endpoint.url == "https://hooks.bank-a.test/lh"
    assert dns.lookups == ["hooks.bank-a.test"]


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_at_delivery(bank_a, dns):
    assert make(bank_a, "https://not-yet-live.bank-a.test/lh").pk


def test_changing_the_url_to_an_internal_address_is_refused(bank_a, dns):
    dns.records["hooks.bank-a.test"] = [PUBLIC]
    dns.records["intranet.bank-a.test"] = ["192.168.10.5"]
    endpoint = make(bank_a, "https://hooks.bank-a.test/lh")
    with pytest.raises(ValidationError):
        webhook_update(endpoint=endpoint, url="https://intranet.bank-a.test/lh")
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.bank-a.test/lh"


def test_loopback_exception_covers_loopback_addresses_only(bank_a, dns, settings):
    settings.LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    dns.records["localhost"] = ["127.0.0.1"]
    assert make(bank_a, "http://127.0.0.1:8765/hook").pk
    assert make(bank_a, "http://localhost:8765/hook").pk
    dns.records["localhost"] = ["10.0.0.1"]  # a tampered hosts file is not loopback
    with pytest.raises(ValidationError):
        make(bank_a, "http://localhost:8765/hook")
    settings.LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError):
        make(bank_a, "http://127.0.0.1:8765/hook")


def test_the_api_answers_400_with_the_reason(dns, world):
    dns.records["metadata.bank-a.test"] = ["169.254.169.254"]
    response = world.client("manager_a").post("/api/v1/webhooks/", {"url": "https://metadata.bank-a.test/"})
    assert response.status_code == 400
    assert "169.254.169.254" in str(response.json()["error"]["details"]["url"])
    assert not WebhookEndpoint.objects.filter(url__contains="metadata").exists()


# ------------------------------------------------------------- before every delivery


def test_a_name_rebound_to_an_internal_address_is_refused_at_delivery(dns, world, nothing_is_sent):
    dns.records["hooks.bank-a.test"] = [PUBLIC]
    endpoint = make(world.lead_a.institution, "https://hooks.bank-a.test/lh")
    dns.records["hooks.bank-a.test"] = ["169.254.169.254"]  # DNS rebinding
    # runs the task (immediate backend), raises nothing
    lead_event_received(world.lead_a, "lead.new", enqueue=delivery_enqueue)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.RETRYING, 1, None)
    assert "169.254.169.254" in delivery.last_error and "hooks.bank-a.test" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()  # backoff as for any failure
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and "169.254.169.254" in attempt.error


def test_a_refused_delivery_fails_for_good_after_the_last_attempt(dns, world, nothing_is_sent, settings):
    settings.LOANHUB_WEBHOOK_MAX_ATTEMPTS = 2
    dns.records["hooks.bank-a.test"] = [PUBLIC]
    endpoint = make(world.lead_a.institution, "https://hooks.bank-a.test/lh")
    dns.records["hooks.bank-a.test"] = [PUBLIC, "10.9.8.7"]
    lead_event_received(world.lead_a, "lead.new", enqueue=delivery_enqueue)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert all("10.9.8.7" in a.error for a in delivery.attempt_log.all())


def test_a_name_that_no_longer_resolves_is_a_failed_attempt(dns, world, nothing_is_sent):
    dns.records["hooks.bank-a.test"] = [PUBLIC]
    endpoint = make(world.lead_a.institution, "https://hooks.bank-a.test/lh")
    del dns.records["hooks.bank-a.test"]
    lead_event_received(world.lead_a, "lead.new", enqueue=delivery_enqueue)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.RETRYING and "hooks.bank-a.test" in delivery.last_error


class Receiver:
    def __init__(self) -> None:
        self.hosts: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_post_goes_to_the_checked_address_with_the_host_name_kept(dns, world, settings, monkeypatch):
    """127.0.0.1 stands in for a public address here, so a real receiver can answer."""
    settings.LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    monkeypatch.setattr("loanhub.api.webhooks.address_is_public", lambda a: a == "127.0.0.1")
    receiver = Receiver()
    try:
        dns.records["localhost"] = ["127.0.0.1"]
        endpoint = make(world.lead_a.institution, f"http://localhost:{receiver.port}/lh")
        dns.lookups.clear()
        lead_event_received(world.lead_a, "lead.new", enqueue=delivery_enqueue)
    finally:
        receiver.close()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.hosts == [f"localhost:{receiver.port}"]
    assert dns.lookups == ["localhost"]  # resolved once, by the check; the POST reused it


# ------------------------------------------------- TLS still checks the host name


def _certificates(tmp_path, names: list[str]):
    """A throwaway CA (its PEM path) and a server certificate + key signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
        .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(name(names[0])).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(2).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(tmp_path / "ca.pem"), str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")


@pytest.fixture
def tls_receiver(tmp_path):
    servers = []

    def start(names: list[str]) -> tuple[int, str, list]:
        ca, cert, key = _certificates(tmp_path, names)
        sni: list[str] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda sock, server_name, ctx: sni.append(server_name)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_port, ca, sni

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _pinned_post(url: str, ca: str) -> requests.Response:
    with requests.Session() as session:
        session.mount("https://", PinnedAddressAdapter("127.0.0.1"))
        return session.post(url, data=b"{}", timeout=5, verify=ca)


def test_a_pinned_connection_verifies_the_certificate_against_the_host_name(tls_receiver, dns):
    port, ca, sni = tls_receiver(["hooks.bank-a.test"])
    assert _pinned_post(f"https://hooks.bank-a.test:{port}/lh", ca).status_code == 200
    assert sni == ["hooks.bank-a.test"]
    assert dns.lookups == []  # the name was never resolved: the address was given


def test_a_pinned_connection_refuses_a_certificate_for_another_name(tls_receiver, dns):
    port, ca, _sni = tls_receiver(["intranet.other.test"])
    with pytest.raises(requests.exceptions.SSLError):
        _pinned_post(f"https://hooks.bank-a.test:{port}/lh", ca)


def test_a_literal_address_needs_no_lookup(dns):
    assert net.host_addresses("10.0.0.1", 443) == ["10.0.0.1"]
    assert net.host_addresses("::1", 443) == ["::1"]
    assert dns.lookups == []


@pytest.mark.parametrize("url", ["https://[/hook", "https://hooks.bank-a.test:99999/hook"])
def test_a_malformed_url_is_a_validation_error(bank_a, dns, url):
    with pytest.raises(ValidationError) as refused:
        make(bank_a, url)
    assert "url" in refused.value.message_dict
