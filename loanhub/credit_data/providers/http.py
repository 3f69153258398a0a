"""Client for a provincial public-credit platform's HTTP API.

Protocol (documented in README): ``POST {base_url}/v1/records/query`` with JSON
``{"usccs": [...], "categories": [...], "since": "YYYY-MM-DD", "page": token}``,
answered by ``{"records": [{"category", "uscc", "record_date", ...}], "next_page":
token or null}``. Each request is signed: ``X-App-Key``, ``X-Timestamp``,
``X-Nonce`` and ``X-Signature`` = hex HMAC-SHA256 of
``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256(body)`` with the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests

from ..exceptions import ProviderAuthError, ProviderBadResponse, ProviderError, ProviderTimeout

QUERY_PATH = "/v1/records/query"
RETRY_STATUSES = {429, 500, 502, 503, 504}


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class HttpProvider:
    kind = "http"

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        *,
        code: str = "http",
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_pages: int = 1000,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        if not app_key or not app_secret:
            raise ValueError("app_key and app_secret are required")
        self.base_url = base_url.rstrip("/")
        self.app_key, self.app_secret, self.code = app_key, app_secret, code
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.max_pages = max_pages
        self.session = session or requests.Session()
        self.sleep = sleep

    def fetch(
        self, usccs: Iterable[str], categories: Iterable[str], since: date | None = None
    ) -> dict[str, pd.DataFrame]:
        query: dict[str, Any] = {"usccs": sorted(set(usccs)), "categories": sorted(set(categories))}
        if since:
            query["since"] = since.isoformat()
        rows: list[dict] = []
        page = None
        for _ in range(self.max_pages):
            answer = self._post({**query, "page": page})
            rows.extend(answer["records"])
            page = answer.get("next_page")
            if not page:
                break
        return _frames(rows, query["categories"])

    def _post(self, payload: dict) -> dict:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        last_error: ProviderError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.post(
                    self.base_url + QUERY_PATH, data=body, headers=self._headers(body),
                    timeout=self.timeout,
                )  # fmt: skip
            except requests.Timeout as exc:
                last_error = ProviderTimeout(f"provider did not answer within {self.timeout}s")
                last_error.__cause__ = exc
                continue
            except requests.ConnectionError as exc:
                last_error = ProviderError(f"cannot connect to provider: {exc}")
                continue
            if response.status_code in RETRY_STATUSES:
                last_error = ProviderError(f"provider answered HTTP {response.status_code}")
                continue
            return self._parse(response)
        raise last_error or ProviderError("no attempt was made")

    def _headers(self, body: bytes) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        path = urlsplit(self.base_url + QUERY_PATH).path
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Key": self.app_key,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": sign(self.app_secret, "POST", path, timestamp, nonce, body),
        }

    @staticmethod
    def _parse(response: requests.Response) -> dict:
        if response.status_code in (401, 403):
            raise ProviderAuthError(f"provider refused the credentials (HTTP {response.status_code})")
        if response.status_code != 200:
            raise ProviderBadResponse(f"provider answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise ProviderBadResponse("provider answered with invalid JSON") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("records"), list):
            raise ProviderBadResponse("provider answer has no 'records' list")
        if not all(isinstance(r, dict) for r in answer["records"]):
            raise ProviderBadResponse("provider records must be JSON objects")
        return answer


def _frames(rows: list[dict], categories: list[str]) -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return {c: pd.DataFrame(columns=["uscc", "record_date"]) for c in categories}
    if "category" not in frame.columns:
        raise ProviderBadResponse("provider records have no 'category'")
    return {c: frame[frame["category"] == c].drop(columns="category") for c in categories}
