"""The HTTP provider against a local stand-in of a provincial platform's API."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loanhub.credit_data.exceptions import ProviderAuthError, ProviderBadResponse, ProviderError, ProviderTimeout
from loanhub.credit_data.providers.http import QUERY_PATH, HttpProvider, sign

KEY, SECRET = "app-key", "app-secret"
USCC = "91440300708461136T"


class StandIn(BaseHTTPRequestHandler):
    """Behaviour is set per test through the server's ``script`` list."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        server.requests.append(json.loads(body))
        expected = sign(SECRET, "POST", self.path, self.headers["X-Timestamp"], self.headers["X-Nonce"], body)
        if (
            self.path != QUERY_PATH
            or self.headers.get("X-Signature") != expected
            or self.headers.get("X-App-Key") != KEY
        ):
            return self._send(401, {"error": "bad signature"})
        action = server.script.pop(0) if server.script else ("ok", None)
        kind, arg = action
        if kind == "sleep":
            time.sleep(arg)
            return self._send(200, {"records": []})
        if kind == "status":
            return self._send(arg, {"error": "x"})
        if kind == "raw":
            return self._send(200, None, raw=arg)
        page = json.loads(body).get("page")
        records = [
            {"category": "tax_rating", "uscc": USCC, "record_date": "2025-04-01", "year": 2024, "grade": "A"},
            {
                "category": "penalty",
                "uscc": USCC,
                "record_date": "2025-02-01",
                "issuer": "局",
                "severity": "一般",
                "fine_amount": 100,
            },
        ]
        if page is None:
            return self._send(200, {"records": records[:1], "next_page": "2"})
        return self._send(200, {"records": records[1:], "next_page": None})

    def _send(self, status: int, payload: object, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.script, server.requests = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def client(server, **options: object) -> HttpProvider:
    settings = {"timeout": 0.5, "retries": 2, "backoff": 0.0, **options}
    return HttpProvider(f"http://127.0.0.1:{server.server_address[1]}", KEY, SECRET, **settings)


def test_signed_query_pages_through_records(stand_in):
    frames = client(stand_in).fetch([USCC], ["tax_rating", "penalty"])
    assert len(stand_in.requests) == 2
    assert frames["tax_rating"].iloc[0]["grade"] == "A"
    assert frames["penalty"].iloc[0]["severity"] == "一般"


def test_wrong_secret_is_an_auth_error_without_retries(stand_in):
    with pytest.raises(ProviderAuthError):
        HttpProvider(f"http://127.0.0.1:{stand_in.server_address[1]}", KEY, "wrong", retries=3, backoff=0).fetch(
            [USCC], ["tax_rating"]
        )
    assert len(stand_in.requests) == 1


def test_server_errors_are_retried_then_succeed(stand_in):
    stand_in.script = [("status", 503), ("status", 500)]
    frames = client(stand_in).fetch([USCC], ["tax_rating", "penalty"])
    assert len(frames["penalty"]) == 1
    assert len(stand_in.requests) == 4  # two failures, then two pages


def test_persistent_server_errors_raise_after_the_last_retry(stand_in):
    stand_in.script = [("status", 502)] * 5
    with pytest.raises(ProviderError, match="502"):
        client(stand_in, retries=2).fetch([USCC], ["tax_rating"])
    assert len(stand_in.requests) == 3


def test_slow_provider_times_out(stand_in):
    stand_in.script = [("sleep", 1.0)] * 3
    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        client(stand_in, timeout=0.2, retries=1).fetch([USCC], ["tax_rating"])
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("raw", [b"not json", b'{"no_records": []}', b'{"records": [1, 2]}'])
def test_bad_payloads_are_reported(stand_in, raw):
    stand_in.script = [("raw", raw)]
    with pytest.raises(ProviderBadResponse):
        client(stand_in).fetch([USCC], ["tax_rating"])


def test_backoff_grows_between_retries(stand_in):
    waits: list[float] = []
    stand_in.script = [("status", 503)] * 3
    provider = client(stand_in, retries=2, backoff=0.1)
    provider.sleep = waits.append
    with pytest.raises(ProviderError):
        provider.fetch([USCC], ["tax_rating"])
    assert waits == [0.1, 0.2]


def test_configuration_is_checked():
    with pytest.raises(ValueError):
        HttpProvider("ftp://x", KEY, SECRET)
    with pytest.raises(ValueError):
        HttpProvider("http://127.0.0.1:1", "", SECRET)


@pytest.mark.django_db
def test_fetched_records_are_stored_only_under_a_live_authorization(stand_in, sme_owner):
    from loanhub.credit_data.exceptions import ConsentRequired
    from loanhub.credit_data.models import CreditRecord
    from loanhub.credit_data.services import credit_records_fetch
    from loanhub.enterprises.models import Enterprise
    from tests.factories.credit import authorize

    _user, enterprise = sme_owner
    Enterprise.objects.filter(pk=enterprise.pk).update(uscc=USCC)
    enterprise.refresh_from_db()
    with pytest.raises(ConsentRequired):
        credit_records_fetch(provider_client=client(stand_in), enterprise=enterprise)
    assert stand_in.requests == []  # nothing was even asked for
    authorize(enterprise, categories=["tax_rating", "penalty"])
    credit_records_fetch(provider_client=client(stand_in), enterprise=enterprise)
    assert stand_in.requests[0]["categories"] == ["penalty", "tax_rating"]
    assert CreditRecord.objects.filter(uscc=USCC).count() == 2
    credit_records_fetch(provider_client=client(stand_in), enterprise=enterprise)
    assert CreditRecord.objects.filter(uscc=USCC).count() == 2
