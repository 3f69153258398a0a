"""Several web replicas and task workers against one PostgreSQL (issue 14, "The web tier on
several machines"; docs/production.md, "Several machines").

Two gunicorn processes (replicas A and B, one worker each, on two loopback ports) run the
production settings with ``LOANHUB_REPLICAS=2`` — so every cache is the shared database
cache — against the test database; two ``db_worker`` processes share one task queue. The
checks: a session made on A is valid on B (and a logout on B ends it on A); failed logins
split between A and B lock the account on both; the token-issuing rate limit counts requests
on A and B together; every queued task runs exactly once though both workers take tasks.

Needs PostgreSQL (CI sets DATABASE_URL); on SQLite it is skipped, loudly.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.models import DBTaskResult

from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.replicas_tasks import RUNS_TABLE

ROOT = Path(__file__).resolve().parents[2]
CACHE_TABLES = ["loanhub_cache_default", "loanhub_cache_pages", "loanhub_cache_throttle"]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the multi-replica check needs PostgreSQL (set DATABASE_URL=postgres://…; CI does)",
    ),
]


def _load_test():
    """benchmarks/load_test.py: the production-like environment and gunicorn helpers."""
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "benchmarks" / "load_test.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def replica_env(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:
    load_test = _load_test()
    env = {
        k: v
        for k, v in load_test.django_env(_url()).items()
        if not k.startswith("LOANHUB_") or k == "LOANHUB_FIELD_KEYS"
    }
    env.update(
        LOANHUB_REPLICAS="2",  # every cache becomes the shared database cache (production.py)
        LOANHUB_API_AUTH_RATE="10/min",
        LOANHUB_TRUSTED_PROXY_COUNT="1",  # each check comes from its own X-Forwarded-For address
        DJANGO_CONN_MAX_AGE="0",  # no idle connection holds the tables the test flushes
        LOANHUB_FIELD_KEYS=load_test._fernet_key(),  # never the test settings' key, which production refuses
    )
    _manage(env, "createcachetable")
    _manage(env, "collectstatic", "--noinput", "-v0")  # pages name hashed static files (as load_test does)
    yield env
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for table in CACHE_TABLES:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


@pytest.fixture(scope="module")
def replicas(replica_env, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Base URLs of replicas A and B."""
    load_test = _load_test()
    env = replica_env
    ports = [load_test.free_port(0), load_test.free_port(0)]
    while ports[1] == ports[0]:
        ports[1] = load_test.free_port(0)
    logs = [(tmp_path_factory.mktemp("replicas") / f"gunicorn-{port}.log").open("w") for port in ports]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "loanhub.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        for port in ports:
            load_test.wait_ready(f"http://127.0.0.1:{port}/api/v1/products/", timeout=60)
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"
    finally:
        for server in servers:
            _stop(server)
        for log in logs:
            log.close()


def _user(username: str) -> None:
    """A signed-up SME whose password the production settings can check (the test settings
    hash with MD5, which production does not accept)."""
    user = UserFactory(username=username)
    user.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, get_random_string(16), iterations=1000)
    user.save(update_fields=["password"])


def _cookie(response: requests.Response, name: str) -> str:
    # The production cookies are Secure; this loopback check is plain http, so read them
    # from the response and send them back by hand.
    value = response.cookies.get(name)
    assert value, f"no {name} cookie from {response.url}: {response.status_code}"
    return value


def _login(base: str, username: str, password: str) -> str:
    page = requests.get(f"{base}/accounts/login/", timeout=30)
    assert page.status_code == 200
    csrf = _cookie(page, "csrftoken")
    response = requests.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Cookie": f"csrftoken={csrf}", "X-Forwarded-For": "192.0.2.10"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return _cookie(response, "sessionid")


def _dashboard(base: str, session: str) -> requests.Response:
    return requests.get(
        f"{base}/accounts/dashboard/", headers={"Cookie": f"sessionid={session}"}, allow_redirects=False, timeout=30
    )


def test_a_session_made_on_replica_a_is_valid_on_replica_b(replicas, transactional_db):
    a, b = replicas
    _user("replica_sme")
    assert _dashboard(b, "no-such-session").status_code == 302  # signed out: off to the login page
    session = _login(a, "replica_sme", TEST_PASSWORD)
    on_b = _dashboard(b, session)
    assert on_b.status_code == 200, on_b.headers.get("Location")
    assert "replica_sme" in on_b.text or on_b.url.endswith("/accounts/dashboard/")
    # Signing out on B ends the session on A as well.
    csrf = _cookie(requests.get(f"{b}/accounts/login/", timeout=30), "csrftoken")
    logout = requests.post(
        f"{b}/accounts/logout/",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf}"},
        allow_redirects=False,
        timeout=30,
    )
    assert logout.status_code == 302
    assert _dashboard(a, session).status_code == 302


def _token(base: str, username: str, password: str, ip: str) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/auth/token/",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": ip},
        timeout=30,
    )


def _code(response: requests.Response) -> str:
    return response.json()["error"]["code"]


def test_failed_logins_on_both_replicas_lock_the_account_on_both(replicas, transactional_db):
    a, b = replicas
    _user("replica_locked")
    ip = "198.51.100.21"
    # The right password gets a token.
    assert _token(a, "replica_locked", TEST_PASSWORD, "198.51.100.20").status_code == 201
    # Five failures, three on A and two on B: neither replica alone saw five.
    codes = [_code(_token(base, "replica_locked", "wrong-password", ip)) for base in (a, b, a, b, a)]
    assert codes[:4] == ["invalid_credentials"] * 4, codes
    # Now the right password is refused on both replicas from that address.
    for base in (b, a):
        response = _token(base, "replica_locked", TEST_PASSWORD, ip)
        assert (response.status_code, _code(response)) == (429, "locked_out")


def test_the_rate_limit_counts_requests_on_both_replicas(replicas, transactional_db):
    a, b = replicas
    ip = "198.51.100.31"
    # 10 token requests a minute per address (LOANHUB_API_AUTH_RATE), alternating A and B:
    # each replica sees five, so only a shared count reaches the limit.
    answers = [_token((a, b)[i % 2], f"nobody{i}", "wrong-password", ip) for i in range(10)]
    assert [r.status_code for r in answers] == [401] * 10
    for base in (a, b):
        over = _token(base, "nobody-else", "wrong-password", ip)
        assert (over.status_code, _code(over)) == (429, "throttled")
        assert int(over.headers["Retry-After"]) > 0
    # Another address still has its own allowance.
    assert _token(b, "nobody", "wrong-password", "198.51.100.32").status_code == 401


def test_two_workers_run_each_queued_task_exactly_once(replica_env, transactional_db):
    env = replica_env
    tasks = 30
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {RUNS_TABLE} (n integer NOT NULL, pid integer NOT NULL)")
    try:
        enqueue = f"from tests.replicas_tasks import record_run\nfor i in range({tasks}): record_run.enqueue(i)"
        _manage(env, "shell", "-c", enqueue)
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--batch",
                    "--no-startup-delay",
                    "--interval",
                    "0.1",
                    "--worker-id",
                    f"replica-worker-{i}",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(2)
        ]
        for worker in workers:
            _, stderr = worker.communicate(timeout=90)
            assert worker.returncode == 0, stderr[-3000:]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT n, pid FROM {RUNS_TABLE}")  # noqa: S608 — a constant
            runs = cursor.fetchall()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")
    assert sorted(n for n, _ in runs) == list(range(tasks))  # each task once: none missed, none twice
    assert len({pid for _, pid in runs}) == 2, "both workers should have taken tasks"
    results = list(DBTaskResult.objects.values_list("status", "worker_ids"))
    assert len(results) == tasks
    assert {status for status, _ in results} == {"SUCCESSFUL"}
    assert all(len(worker_ids) == 1 for _, worker_ids in results)
    assert {worker_ids[0] for _, worker_ids in results} == {"replica-worker-0", "replica-worker-1"}
