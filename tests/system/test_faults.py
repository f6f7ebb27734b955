"""Faults under load: PostgreSQL restarts, Redis stops; every service runs again at the end."""

from __future__ import annotations

import glob
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import redis
import requests
from sqlalchemy import func, select

from service.kernel.keys import Keys
from service.models import Comment
from tests.system.conftest import (
    REDIS_URL,
    SECRET,
    Instance,
    SystemDatabase,
    comment_payload,
    redis_reachable,
    unique_client_ip,
)

Start = Callable[..., AbstractContextManager[Instance]]
HANG_SECONDS = 15.0


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def pg_cluster() -> list[str]:
    version = sorted(p.rsplit("/", 1)[-1] for p in glob.glob("/etc/postgresql/*"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def ensure_postgres_running() -> None:
    if not pg_ready():
        subprocess.run([*pg_cluster(), "start"], check=False, timeout=60)
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back")


def ensure_redis_running() -> None:
    if redis_reachable():
        return
    subprocess.run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
            "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
            "--logfile", "/var/log/redis/ci.log",
        ],
        check=False,
        timeout=30,
    )  # fmt: skip
    for _ in range(40):
        if redis_reachable():
            return
        time.sleep(0.25)
    raise RuntimeError("Redis did not come back")


@dataclass
class LoadResult:
    statuses: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    slowest: float = 0.0
    retry_after_missing: int = 0
    errors: list[str] = field(default_factory=list)


@contextmanager
def posting_load(instance: Instance, db: SystemDatabase, clients: int = 6) -> Iterator[LoadResult]:
    """Clients post continuously until the block ends."""
    result = LoadResult()
    stop = threading.Event()
    lock = threading.Lock()

    def run(number: int) -> None:
        session = requests.Session()
        n = 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                response = session.post(
                    instance.url("/api/v1/comments"),
                    json=comment_payload(db, f"/faults/{number}", f"Under load {number}-{n}."),
                    timeout=HANG_SECONDS + 5,
                )
            except requests.RequestException as error:
                with lock:
                    result.errors.append(repr(error))
                session = requests.Session()
                continue
            elapsed = time.monotonic() - started
            with lock:
                result.slowest = max(result.slowest, elapsed)
                result.statuses.append(response.status_code)
                if response.status_code == 201:
                    result.created.append(response.json()["comment"]["id"])
                elif response.status_code == 503 and "Retry-After" not in response.headers:
                    result.retry_after_missing += 1
            if response.status_code == 503:
                time.sleep(0.2)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield result
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=HANG_SECONDS + 10)


def test_a_postgresql_restart_gives_503s_then_recovers_and_loses_nothing(
    start: Start, system_db: SystemDatabase
) -> None:
    with start() as instance:
        try:
            with posting_load(instance, system_db) as load:
                time.sleep(2)
                subprocess.run([*pg_cluster(), "stop", "-m", "fast"], check=True, timeout=60)
                time.sleep(3)  # requests during the outage
                subprocess.run([*pg_cluster(), "start"], check=True, timeout=60)
                ensure_postgres_running()
                recovered_at = time.monotonic()
                while time.monotonic() - recovered_at < 30:
                    if load.statuses[-5:] == [201] * 5:
                        break
                    time.sleep(0.5)
                time.sleep(2)
        finally:
            ensure_postgres_running()
    statuses = set(load.statuses)
    assert 503 in statuses, "the outage was not seen"
    assert statuses <= {201, 503}, statuses
    assert load.retry_after_missing == 0
    assert load.slowest < HANG_SECONDS
    assert load.statuses[-5:] == [201] * 5, "the service did not recover by itself"
    assert load.errors == []
    with system_db.engine.connect() as connection:
        stored = connection.scalar(
            select(func.count()).select_from(Comment).where(Comment.id.in_(load.created))
        )
    assert stored == len(load.created)


def test_without_redis_limits_fall_back_per_process_and_return_with_it(
    start: Start, system_db: SystemDatabase
) -> None:
    settings = {
        "ratelimit_enabled": "true",
        "ratelimit_storage_uri": REDIS_URL,
        "ratelimit_post": "4/minute",
        "redis_url": REDIS_URL,
        "trusted_proxies": "1",
    }

    def post(instance: Instance, address: str, n: int) -> int:
        response = requests.post(
            instance.url("/api/v1/comments"),
            json=comment_payload(system_db, "/redis", f"Redis fault comment {address} {n}"),
            headers={"X-Forwarded-For": address},
            timeout=20,
        )
        return response.status_code

    with start(**settings) as instance:
        try:
            subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
            assert not redis_reachable()
            address = unique_client_ip()
            answers = [post(instance, address, n) for n in range(12)]
            assert set(answers) <= {201, 429}, answers  # the service keeps answering
            assert 201 in answers
            assert (
                requests.get(
                    instance.url("/api/v1/comments?site=sys&thread=/redis"), timeout=20
                ).status_code
                == 200
            )
        finally:
            ensure_redis_running()
        # Back with Redis: the shared counter is used again (within the limiter's retry backoff).
        deadline = time.monotonic() + 70
        shared = False
        while time.monotonic() < deadline and not shared:
            address = unique_client_ip()
            answers = [post(instance, address, n) for n in range(5)]
            counter = f"*LIMITER*ip:{Keys(SECRET).ip_hash(address)}*"
            keys = redis.Redis.from_url(REDIS_URL).keys(counter)
            shared = answers == [201, 201, 201, 201, 429] and bool(keys)
            if not shared:
                time.sleep(2)
        assert shared, "rate limiting did not return to Redis"
