"""Load test: gunicorn (2 workers) + PostgreSQL on loopback, driven by wrk. Prints JSON.

    DATABASE_URL=postgres://user:pass@127.0.0.1:5432/loanhub \\
        .venv/bin/python benchmarks/load_test.py --seconds 30 --leads 100000

It makes a scratch database next to the one named by DATABASE_URL (dropped at the end),
migrates it, seeds the demo (banks, products, enterprises) plus ``--leads`` leads at
粤信银行, starts gunicorn with the production settings on 127.0.0.1, and runs two wrk
scenarios for a bounded time:

- ``lead_list``: bank officers paging through their ranked lead list (token auth);
- ``mixed``: 60% officers on the lead list, 40% SMEs and visitors browsing products
  (API and the portal's marketplace page).

Traffic goes to 127.0.0.1 only; every loop stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MIXED_LUA = """
local token = os.getenv("LOADTEST_TOKEN")
local n = 0
request = function()
  n = n + 1
  local r = math.random(100)
  if r <= 60 then
    local page = math.random(1, 20)
    return wrk.format("GET", "/api/v1/leads/?page=" .. page, {["Authorization"] = "Token " .. token})
  elseif r <= 85 then
    return wrk.format("GET", "/api/v1/products/?page=" .. math.random(1, 2))
  else
    return wrk.format("GET", "/products/")
  end
end
"""


# Appended to every scenario: wrk's own report stops at p99 without p95.
P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95 %d\\n", latency:percentile(95.0)))
end
"""
PAGES_LUA = """
local token = os.getenv("LOADTEST_TOKEN")
request = function()
  return wrk.format("GET", "/api/v1/leads/?page=" .. math.random(1, 20), {["Authorization"] = "Token " .. token})
end
"""


def scratch_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def psql_admin(url: str, sql: str, database: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(scratch_url(url, database), autocommit=True) as conn:
        conn.execute(sql)


def django_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="loanhub.settings.production",
        DATABASE_URL=db_url,
        DJANGO_SECRET_KEY="load-test-" + secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        LOANHUB_FIELD_KEYS=env.get("LOANHUB_FIELD_KEYS") or _fernet_key(),
        LOANHUB_DEMO_MODEL_ENTERPRISES="3000",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


SETUP = r"""
import json, sys
from loanhub.api.models import ApiToken
from loanhub.api.tokens import token_hash, KEY_PREFIX
from loanhub.matching.models import FinancingNeed, Lead
from loanhub.accounts.models import User
from loanhub.enterprises.models import Enterprise
from cms.models import FinancingProductPage
from django.utils import timezone
import secrets, datetime, random

n = int(sys.argv[1])
JUDGED = bool(int(sys.argv[2]))
officer = User.objects.get(username="demo_bank")
bank = officer.institution_membership.institution
products = [p for p in FinancingProductPage.objects.live() if p.institution == bank]
enterprises = list(Enterprise.objects.all())
owner = {e.pk: e.memberships.first().user_id for e in enterprises}
have = Lead.objects.filter(institution=bank).count()
rng = random.Random(1)
now = timezone.now()
batch = 5000
for start in range(have, n, batch):
    size = min(batch, n - start)
    needs = FinancingNeed.objects.bulk_create([
        FinancingNeed(enterprise=e, created_by_id=owner[e.pk], amount=rng.choice([2e5, 5e5, 1e6]), term_months=12,
                      purpose="load test", collateral_offered=[], product_types=[])
        for e in (rng.choice(enterprises) for _ in range(size))
    ])
    Lead.objects.bulk_create([
        Lead(need=need, product=rng.choice(products), institution=bank, enterprise_id=need.enterprise_id,
             grade=rng.choice("ABCDE"), pd=rng.random() / 10, bank_score=rng.random(),
             expected_value=rng.random() * 1e4,
             claim_deadline=now + datetime.timedelta(days=1), decision_deadline=now + datetime.timedelta(days=3))
        for need in needs
    ])
judged = 0
if JUDGED:
    # Every lead carries a judgement its bank may see: a live underwriting authorization
    # of its enterprise to the bank is its basis, so each shown row is logged (one
    # access-log INSERT per page).
    from loanhub.consent.models import Authorization, AuthorizationStatus, GranteeType, Purpose
    from loanhub.credit_data.catalog import CATEGORY_CODES
    from loanhub.matching.judgements import LeadKey, basis_text, coverage_for_leads

    used = set(Lead.objects.filter(institution=bank).values_list("enterprise_id", flat=True))
    Authorization.objects.bulk_create([
        Authorization(enterprise_id=e, granted_by_id=owner[e], grantee_type=GranteeType.INSTITUTION, institution=bank,
                      purpose=Purpose.UNDERWRITING, categories=list(CATEGORY_CODES),
                      data_from=now.date() - datetime.timedelta(days=730), valid_from=now - datetime.timedelta(days=1),
                      expires_at=now + datetime.timedelta(days=365), text_version="load-test", text="load test",
                      text_hash="0" * 64, status=AuthorizationStatus.ACTIVE)
        for e in used
    ])
    rows = Lead.objects.filter(institution=bank).values_list("pk", "enterprise_id", "institution_id", "status")
    coverage = coverage_for_leads([LeadKey(*row, "") for row in rows])
    by_basis = {}
    for pk, cover in coverage.items():
        by_basis.setdefault(basis_text(cover.live_ids), []).append(pk)
    for basis, pks in by_basis.items():
        if basis:
            judged += Lead.objects.filter(pk__in=pks).update(
                judgement_basis=basis, judgement_categories=list(CATEGORY_CODES[:4])
            )
key = KEY_PREFIX + secrets.token_urlsafe(32)
ApiToken.objects.create(user=officer, institution=bank, name="load test", prefix=key[:10], key_hash=token_hash(key))
# A signed-in, 2FA-verified browser session for the workbench page.
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
session = SessionStore()
session.update({
    "_auth_user_id": str(officer.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
    "_auth_user_hash": officer.get_session_auth_hash(),
    DEVICE_ID_SESSION_KEY: TOTPDevice.objects.filter(user=officer, confirmed=True).first().persistent_id,
})
session.create()
leads = Lead.objects.filter(institution=bank).count()
print(json.dumps({"token": key, "session": session.session_key, "leads": leads, "judged": judged}))
"""


def free_port(port: int) -> int:
    """``port``, or any free one for 0; refuses one another server listens on (wrk
    would measure that server instead)."""
    with socket.socket() as probe:
        if port == 0:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use on 127.0.0.1; choose another with --port")
    return port


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — loopback only
                if response.status < 500:
                    return
        except Exception:  # noqa: BLE001 — not up yet
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


def parse_wrk(text: str) -> dict:
    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    out = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["requests_per_second"] = float(rps.group(1)) if rps else None
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        out[f"p{pct}_ms"] = round(ms(*match.groups()), 2) if match else None
    total = re.search(r"(\d+) requests in", text)
    p95 = re.search(r"^P95 (\d+)$", text, re.M)
    out["p95_ms"] = round(int(p95.group(1)) / 1000, 2) if p95 else None
    out["requests"] = int(total.group(1)) if total else None
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(errors.group(1)) if errors else 0
    sock = re.search(r"Socket errors: (.*)", text)
    out["socket_errors"] = sock.group(1) if sock else ""
    return out


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User + system CPU clock ticks used so far by each of these processes (Linux /proc)."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_seconds_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds used in between by the processes alive at both ends (PostgreSQL
    backends of other sessions come and go)."""
    used = sum(after[pid] - before[pid] for pid in before.keys() & after.keys())
    return used / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    """``root`` and its children (gunicorn's master and workers)."""
    children = Path(f"/proc/{root}/task/{root}/children")
    found = [root]
    if children.exists():
        for child in children.read_text().split():
            found += process_tree(int(child))
    return found


def postgres_pids() -> list[int]:
    return [
        int(p.name) for p in Path("/proc").iterdir()
        if p.name.isdigit() and _comm(p).startswith("postgres")
    ]  # fmt: skip


def _comm(proc: Path) -> str:
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


def run_wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: list[str],
    script: str | None = None,
    server: int | None = None,
) -> dict:
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in headers:
        args += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write((script or "") + P95_LUA)
    args += ["-s", lua.name]
    app, database = (process_tree(server) if server else []), postgres_pids()
    before = cpu_ticks(app), cpu_ticks(database)
    result = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 60)
    out = parse_wrk(result.stdout)
    if out["requests"]:
        # Where the two cores went, per request: the app server, PostgreSQL (on Linux,
        # when this user may read its /proc entries) and everything else (wrk, kernel).
        after = cpu_ticks(app), cpu_ticks(database)
        out["cpu_ms_per_request"] = {
            "gunicorn": round(cpu_seconds_between(before[0], after[0]) * 1000 / out["requests"], 2),
            "postgres": round(cpu_seconds_between(before[1], after[1]) * 1000 / out["requests"], 2),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument(
        "--judged", action="store_true",
        help="leads carry a judgement the bank may see (a live authorization each), so every page read is logged",
    )  # fmt: skip
    parser.add_argument(
        "--identity-cache", choices=["file", "none"], default="file",
        help="API token identities in a file cache both workers share (default), or read on every request",
    )  # fmt: skip
    parser.add_argument("--check", action="store_true", help="exit 1 on errors (CI smoke test)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (for profiling)")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("load_test needs DATABASE_URL pointing at PostgreSQL (see README, Benchmarks)")
    if not shutil.which("wrk"):
        raise SystemExit("load_test needs wrk (apt-get install wrk)")
    port = free_port(args.port)
    name = f"loanhub_load_{os.getpid()}"
    psql_admin(base_url, f'CREATE DATABASE "{name}"')
    db_url = scratch_url(base_url, name)
    env = django_env(db_url)
    cache_dir = None
    if args.identity_cache == "file" and not env.get("LOANHUB_TOKEN_CACHE_URL"):
        # A cache both workers share, so a revocation in one reaches the other at once.
        cache_dir = tempfile.mkdtemp(prefix="loanhub-tokens-")
        env["LOANHUB_TOKEN_CACHE_URL"] = f"filecache://{cache_dir}"
    server = None
    try:
        started = time.perf_counter()
        manage(env, "migrate", "--noinput")
        # The demo refuses production settings (LOANHUB_DEMO_ALLOWED): seed the scratch
        # database under the development ones; gunicorn still serves with production.
        manage({**env, "DJANGO_SETTINGS_MODULE": "loanhub.settings.dev"}, "seed_demo", "--quiet-logins")
        manage(env, "collectstatic", "--noinput", "-v0")
        script = SETUP.replace("sys.argv[1]", str(args.leads)).replace("sys.argv[2]", str(int(args.judged)))
        setup = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
        # Statistics for the freshly loaded tables now, not from autovacuum in mid-run.
        psql_admin(base_url, "VACUUM ANALYZE", database=name)
        prepared = round(time.perf_counter() - started, 1)
        bind = f"127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "loanhub.wsgi", "-b", bind, "-w", str(args.workers),
             "--threads", str(args.threads), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_ready(f"http://{bind}/api/v1/products/")
        auth = f"Authorization: Token {setup['token']}"
        run_wrk(f"http://{bind}/api/v1/leads/", 3, args.connections, [auth])  # warm-up, not reported
        lead_list = run_wrk(f"http://{bind}/api/v1/leads/", args.seconds, args.connections, [auth], server=server.pid)
        os.environ["LOADTEST_TOKEN"] = setup["token"]
        mixed = run_wrk(f"http://{bind}/", args.seconds, args.connections, [], script=MIXED_LUA, server=server.pid)
        cookie = {"Cookie": f"sessionid={setup['session']}"}
        workbench = urllib.request.Request(f"http://{bind}/cms-admin/leads/", headers=cookie)
        with urllib.request.urlopen(workbench, timeout=30) as response:  # noqa: S310 — loopback only
            if response.status != 200 or not response.url.endswith("/cms-admin/leads/"):
                raise SystemExit(f"workbench session refused: {response.status} {response.url}")
        # One officer alone, paging: how long a page takes when nobody else is waiting.
        single = {
            "api_lead_list": run_wrk(f"http://{bind}/", args.seconds, 1, [], script=PAGES_LUA, server=server.pid),
            "workbench_page": run_wrk(
                f"http://{bind}/cms-admin/leads/",
                args.seconds,
                1,
                [f"Cookie: sessionid={setup['session']}"],
                server=server.pid,
            ),
        }
        report = {
            "benchmark": "api_load",
            "server": f"gunicorn {args.workers} workers × {args.threads} threads, PostgreSQL, loopback",
            "leads_at_bank": setup["leads"], "judged_leads": setup["judged"],
            "token_cache": env.get("LOANHUB_TOKEN_CACHE_URL", "none").split(":")[0],
            "seconds_each": args.seconds, "connections": args.connections,
            "setup_seconds": prepared, "lead_list": lead_list, "mixed": mixed, "one_officer": single,
            "targets": {
                "lead_list": "lead list >= 300 req/s at p99 < 100 ms with 2 workers",
                "one_officer": "bank lead list at 100k leads: p95 < 150 ms",
            },
        }  # fmt: skip
        print(json.dumps(report, ensure_ascii=False))
        runs = (lead_list, mixed, *single.values())
        if args.check and not all(r["requests"] and not r["non_2xx"] and not r["socket_errors"] for r in runs):
            raise SystemExit("load smoke test: errors or no requests (see the JSON above)")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept database {name}", file=sys.stderr)
        else:
            psql_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
