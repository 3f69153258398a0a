"""Calling the API over real HTTP (a live_server): JSON in, status and JSON out."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def api_call(base: str, token: str | None, path: str, body: dict | None = None) -> tuple[int, dict]:
    """GET ``path`` (POST when there is a ``body``) with the token, if any; errors come back as
    their status and body instead of raising."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(  # noqa: S310 — http to our own live_server
        base + path, data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST", headers=headers,
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — our own live_server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
