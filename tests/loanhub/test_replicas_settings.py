"""Production settings with several web replicas (LOANHUB_REPLICAS > 1): every cache is a
shared one — the database cache by default — and a process- or machine-local one is refused."""

from __future__ import annotations

import json

from tests.loanhub.test_settings import GOOD_ENV, run_manage

PRINT_CACHES = (
    "import json; from django.conf import settings; "
    "print(json.dumps({a: c['BACKEND'] for a, c in settings.CACHES.items()}))"
)


def _caches(env: dict[str, str]) -> dict[str, str]:
    result = run_manage("shell", "-c", PRINT_CACHES, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_several_replicas_share_the_database_cache_by_default():
    caches = _caches(dict(GOOD_ENV, LOANHUB_REPLICAS="2"))
    shared = "django.core.cache.backends.db.DatabaseCache"
    assert caches == {
        "default": shared,
        "pages": shared,
        "throttle": shared,
        "tokens": "django.core.cache.backends.dummy.DummyCache",
    }


def test_one_replica_keeps_the_process_caches():
    caches = _caches(GOOD_ENV)
    assert caches["throttle"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_url_is_kept_for_several_replicas():
    caches = _caches(dict(GOOD_ENV, LOANHUB_REPLICAS="3", LOANHUB_THROTTLE_CACHE_URL="redis://10.0.0.5:6379/2"))
    assert caches["throttle"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"] == "django.core.cache.backends.db.DatabaseCache"


def test_several_replicas_refuse_a_process_or_machine_local_cache():
    for variable, url in [
        ("LOANHUB_THROTTLE_CACHE_URL", "locmemcache://throttle"),
        ("LOANHUB_TOKEN_CACHE_URL", "filecache:///var/tmp/loanhub-tokens"),
    ]:
        result = run_manage("check", env=dict(GOOD_ENV, LOANHUB_REPLICAS="2", **{variable: url}))
        assert result.returncode != 0
        assert "LOANHUB_REPLICAS=2" in result.stderr and variable in result.stderr
