"""A 500-comment bulk approve on a 50,000-comment site (SQLite), spam training included.

Seeds a site with 50,000 comments (500 pending, the rest published), lets the worker's settling
job train the published ones as legitimate (so the spam score has a real vocabulary, as on a
site that has lived), then times `POST /api/v1/moderation/decisions {ids: the 500, action:
approve}` through the app in process, undoing it between runs (the undo trains too, and is
timed as well). Prints the medians and the share spent in `spam.train_many`; the target is
under 0.5 s. Not a test.

    .venv/bin/python -m bench.bulk_decisions [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service import create_app
from service.db import get_db
from service.db.migrate import upgrade
from service.kernel.config import Settings
from service.models import Comment
from service.moderation import auth, spam

COMMENTS = 50_000
PENDING = 500


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from bench.moderation_queue import seed

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        app = create_app(
            Settings(
                env="test",
                database_url=url,
                secret_key="bench-secret-0123456789",
                ratelimit_enabled=False,
            )
        )
        seed(app, COMMENTS, PENDING)
        with app.app_context():
            session = get_db(app).session(write=True)
            started = time.perf_counter()
            settled = spam.train_settled_comments(session)
            settle_seconds = time.perf_counter() - started
            _token, secret = auth.create_token(session, scope="moderate", site_slug="bench")
            ids = list(session.scalars(select(Comment.id).where(Comment.status == "pending")))
            session.commit()
            session.close()
        assert len(ids) == PENDING, len(ids)
        spent: list[float] = []
        original = spam.train_many

        def timed_train(*a: Any, **k: Any) -> int:
            begin = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                spent.append(time.perf_counter() - begin)

        spam.train_many = timed_train  # type: ignore[assignment]
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        approve: list[float] = []
        undo: list[float] = []
        approve_training: list[float] = []
        for _ in range(args.runs):
            spent.clear()
            begin = time.perf_counter()
            response = client.post(
                "/api/v1/moderation/decisions",
                json={"ids": ids, "action": "approve"},
                headers=headers,
            )
            approve.append(time.perf_counter() - begin)
            approve_training.append(sum(spent))
            assert response.status_code == 200 and all(r["ok"] for r in response.json["results"])
            begin = time.perf_counter()
            reverted = client.post(
                "/api/v1/moderation/undo",
                json={"batch": response.json["undo"]["batch"]},
                headers=headers,
            )
            undo.append(time.perf_counter() - begin)
            assert reverted.status_code == 200, reverted.json
        spam.train_many = original  # type: ignore[assignment]
        get_db(app).dispose()
    print(f"settling {settled} published comments: {settle_seconds:.1f} s")
    print(
        f"bulk approve of {PENDING} on {COMMENTS:,} comments: median "
        f"{statistics.median(approve) * 1000:.0f} ms (runs: "
        + ", ".join(f"{s * 1000:.0f}" for s in approve)
        + f"), of which spam training {statistics.median(approve_training) * 1000:.0f} ms"
    )
    print(f"undo of it: median {statistics.median(undo) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
