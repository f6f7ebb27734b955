"""Two gunicorn instances on one PostgreSQL and one Redis: shared limits, concurrency, integrity."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import requests
from sqlalchemy import func, select, text

from service.models import Comment, Report, Thread, Vote
from tests.system.conftest import (
    REDIS_URL,
    Instance,
    SystemDatabase,
    comment_payload,
    unique_client_ip,
)

Start = Callable[..., AbstractContextManager[Instance]]
SHARED = {"ratelimit_storage_uri": REDIS_URL, "trusted_proxies": "1"}


def test_a_rate_limit_of_n_allows_n_across_both_instances(
    start: Start, system_db: SystemDatabase
) -> None:
    limits = {**SHARED, "ratelimit_enabled": "true", "ratelimit_post": "6/minute"}
    client_ip = unique_client_ip()
    statuses: list[int] = []
    with start(**limits) as first, start(**limits) as second:
        for n in range(12):
            instance = (first, second)[n % 2]
            response = requests.post(
                instance.url("/api/v1/comments"),
                json=comment_payload(system_db, "/limits", f"Comment {n} within the limit test"),
                headers={"X-Forwarded-For": client_ip},
                timeout=20,
            )
            statuses.append(response.status_code)
    assert Counter(statuses) == {201: 6, 429: 6}
    assert statuses[:6] == [201] * 6


def test_concurrent_clients_on_two_instances_keep_every_comment_and_count(
    start: Start, system_db: SystemDatabase
) -> None:
    total, clients = 2000, 20
    created: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    with start(**SHARED) as first, start(**SHARED) as second:
        instances = (first, second)

        def client(number: int) -> None:
            rng = random.Random(number)
            session = requests.Session()
            mine: list[int] = []
            for n in range(total // clients):
                instance = instances[(number + n) % 2]
                parent = rng.choice(mine) if mine and rng.random() < 0.6 else None
                thread = f"/load/{number % 4}" if parent is None else None
                body = f"Load comment {number}-{n}: " + "words " * rng.randint(3, 30)
                payload = comment_payload(
                    system_db, thread or f"/load/{number % 4}", body, parent_id=parent
                )
                response = session.post(instance.url("/api/v1/comments"), json=payload, timeout=30)
                if response.status_code != 201:
                    with lock:
                        failures.append(f"post {response.status_code}: {response.text[:200]}")
                    continue
                comment_id = response.json()["comment"]["id"]
                mine.append(comment_id)
                with lock:
                    created.append(comment_id)
                if rng.random() < 0.3:
                    target = rng.choice(mine)
                    voter = {"X-Sidenote-Voter": f"voter-{number:04d}-{rng.randint(0, 3)}"}
                    vote = session.post(
                        instances[n % 2].url(f"/api/v1/comments/{target}/vote"),
                        json={"value": rng.choice((1, -1))},
                        headers=voter,
                        timeout=30,
                    )
                    if vote.status_code >= 500:
                        with lock:
                            failures.append(f"vote {vote.status_code}")
                if rng.random() < 0.05:
                    report = session.post(
                        instances[(n + 1) % 2].url(f"/api/v1/comments/{rng.choice(mine)}/report"),
                        json={"reason": "off_topic"},
                        headers={"X-Sidenote-Voter": f"voter-{number:04d}-r"},
                        timeout=30,
                    )
                    if report.status_code >= 500:
                        with lock:
                            failures.append(f"report {report.status_code}")

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))

    assert failures == []
    assert len(created) == total
    with system_db.engine.connect() as connection:
        stored = connection.scalar(
            select(func.count()).select_from(Comment).where(Comment.id.in_(created))
        )
        assert stored == total
        # Threading intact: every reply is in its parent's thread, one level deeper, under its path.
        broken = connection.scalar(
            text(
                "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id "
                "WHERE c.thread_id <> p.thread_id OR c.depth <> p.depth + 1 "
                "OR c.path NOT LIKE p.path || '/%' OR c.root_id <> p.root_id"
            )
        )
        assert broken == 0
        # Counts equal the rows.
        for thread in connection.execute(select(Thread.id, Thread.approved_count)):
            approved = connection.scalar(
                select(func.count())
                .select_from(Comment)
                .where(Comment.thread_id == thread.id, Comment.status == "approved")
            )
            assert thread.approved_count == approved
        # Vote counters equal the vote rows, and nobody voted twice on one comment.
        drift = connection.scalar(
            text(
                "SELECT count(*) FROM comments c WHERE c.upvotes <> "
                "(SELECT count(*) FROM votes v WHERE v.comment_id = c.id AND v.value = 1) "
                "OR c.downvotes <> "
                "(SELECT count(*) FROM votes v WHERE v.comment_id = c.id AND v.value = -1)"
            )
        )
        assert drift == 0
        duplicate_votes = connection.scalar(
            select(func.count()).select_from(
                select(Vote.comment_id, Vote.voter_key)
                .group_by(Vote.comment_id, Vote.voter_key)
                .having(func.count() > 1)
                .subquery()
            )
        )
        assert duplicate_votes == 0
        reports = connection.scalar(select(func.count()).select_from(Report))
        report_counts = connection.scalar(select(func.sum(Comment.report_count)))
        assert reports == (report_counts or 0)
