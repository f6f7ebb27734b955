"""The transactional outbox: enqueue in the caller's transaction; claim, finish, retry, purge.

Enqueuing adds rows to the session of the change that causes them, so both commit or neither
does. Workers claim due items under a lease: on PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`,
on SQLite (one writer at a time, `BEGIN IMMEDIATE`) with an UPDATE that re-checks the item is
still free. A worker that dies leaves its lease to expire; the next claim takes the item over.
Attempts are counted at claim time, so an item that kills its worker still runs out of tries.
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Table, and_, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.db import table_of
from service.kernel import clock
from service.notifications.models import OutboxItem

log = logging.getLogger(__name__)

#: Where an app keeps the event its sessions set after a commit that enqueued something, so its
#: inline worker wakes up at once (`listen`).
WAKE_UP = "sidenote.outbox_wake_up"
_ENQUEUED = "sidenote.outbox_enqueued"

#: Namespace of the stable ids of idempotent items (one per recipient and cause, ever).
_UID_NAMESPACE = uuid.UUID("4f0a6f57-3c3b-4c1e-9a59-5d2f0b6c7e11")


def new_uid() -> str:
    return str(uuid.uuid4())


def stable_uid(*parts: object) -> str:
    return str(uuid.uuid5(_UID_NAMESPACE, "/".join(str(part) for part in parts)))


def _dialect_insert(dialect: str) -> Any:
    """The INSERT that knows ON CONFLICT for this database."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@functools.cache
def _insert_ignoring(dialect: str, table: Table, key: tuple[str, ...]) -> Insert:
    """Built once per table: the values come as parameters (posting runs several). RETURNING the
    key tells which rows were new."""
    insert: Insert = (
        _dialect_insert(dialect)(table)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(*(table.c[name] for name in key))
    )
    return insert


def _new_item(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A pending outbox row's values: `row` over the defaults (due now, a fresh uid)."""
    return {
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "payload": {},
        **row,
        "uid": row.get("uid") or new_uid(),
        "next_attempt_at": row.get("next_attempt_at") or now,
    }


def enqueue(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert outbox rows; a row whose `uid` exists already is skipped. Returns rows inserted.

    One statement for all the rows of one shape, however many (a comment on a thread that forty
    readers watch queues forty mails in one INSERT).
    """
    now = clock.now()
    values = [_new_item(row, now) for row in rows]
    if not values:
        return 0
    inserted = insert_all_ignoring_conflict(session, OutboxItem, values, ["uid"])
    if inserted:
        session.info[_ENQUEUED] = True
    return inserted


def insert_all_ignoring_conflict(
    session: Session, model: type[Any], rows: list[dict[str, Any]], key: list[str]
) -> int:
    """INSERT … ON CONFLICT (key) DO NOTHING for many rows; returns how many were new.

    Rows are sent as one executemany per set of columns, which SQLAlchemy turns into multi-row
    INSERTs ("insertmanyvalues"); RETURNING the key counts the rows that were not there yet.
    """
    if not rows:
        return 0
    session.flush()  # a Core statement does not autoflush; rows it refers to may be pending
    dialect = session.get_bind().dialect.name
    table = table_of(model)
    statement = _insert_ignoring(dialect, table, tuple(key))
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append(row)
    return sum(len(session.execute(statement, same).all()) for same in shapes.values())


def enqueue_where(session: Session, row: dict[str, Any], *where: Any) -> bool:
    """Insert one outbox row only if the `where` conditions (on other tables) match a row.

    One `INSERT … SELECT … WHERE … ON CONFLICT (uid) DO NOTHING` statement: the lookup that
    decides whether a mail is due and the row that sends it cost a single round trip (the
    posting path asks this for every reply). True if the row was inserted.
    """
    values = _new_item(row, clock.now())
    table = table_of(OutboxItem)
    columns = list(values)
    source = (
        select(*(literal(values[name], table.c[name].type) for name in columns))
        .where(*where)
        .limit(1)
    )
    insert = _dialect_insert(session.get_bind().dialect.name)
    session.flush()
    result = session.execute(
        insert(table).from_select(columns, source).on_conflict_do_nothing(index_elements=["uid"])
    )
    inserted = bool(getattr(result, "rowcount", 0))
    if inserted:
        session.info[_ENQUEUED] = True
    return inserted


def wake_on_commit(wake_up: threading.Event, session: Session) -> None:
    """After a commit: wake the inline worker if the transaction enqueued an item."""
    if session.info.pop(_ENQUEUED, False):
        wake_up.set()


def forget_enqueued(session: Session) -> None:
    """After a rollback: nothing was enqueued."""
    session.info.pop(_ENQUEUED, None)


def _claimable(now: datetime) -> Any:
    return and_(
        OutboxItem.status == "pending",
        OutboxItem.next_attempt_at <= now,
        or_(OutboxItem.lease_expires_at.is_(None), OutboxItem.lease_expires_at <= now),
    )


def claim(session: Session, worker_id: str, *, limit: int, lease_seconds: int) -> list[int]:
    """Take up to `limit` due items for `worker_id` and commit; returns their ids, oldest first."""
    now = clock.now()
    lease = {
        "claimed_by": worker_id,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "attempts": OutboxItem.attempts + 1,
    }
    due = (
        select(OutboxItem.id)
        .where(_claimable(now))
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
    )
    claimed: list[int] = []
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(OutboxItem).where(OutboxItem.id.in_(ids)).values(**lease),
                execution_options={"synchronize_session": False},
            )
            claimed = ids
    else:
        for item_id in session.scalars(due).all():
            result = session.execute(
                update(OutboxItem).where(OutboxItem.id == item_id, _claimable(now)).values(**lease),
                execution_options={"synchronize_session": False},
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(item_id)
    session.commit()
    return claimed


def renew(session: Session, item_id: int, worker_id: str, lease_seconds: int) -> bool:
    """Extend our still-valid lease on an item just before sending it; False if it is lost."""
    now = clock.now()
    result = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == item_id,
            OutboxItem.claimed_by == worker_id,
            OutboxItem.status == "pending",
            OutboxItem.lease_expires_at > now,
        )
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds)),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return getattr(result, "rowcount", 0) == 1


def _owned(item_id: int, worker_id: str) -> Any:
    return and_(OutboxItem.id == item_id, OutboxItem.claimed_by == worker_id)


def mark_sent(session: Session, item_id: int, worker_id: str) -> bool:
    """Record a delivery; False if the lease had passed to another worker meanwhile."""
    result = session.execute(
        update(OutboxItem)
        .where(_owned(item_id, worker_id))
        .values(
            status="sent",
            sent_at=clock.now(),
            claimed_by=None,
            lease_expires_at=None,
            last_error=None,
        ),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    ok = getattr(result, "rowcount", 0) == 1
    if not ok:
        log.warning("outbox item %s was sent after its lease passed to another worker", item_id)
    return ok


def backoff_seconds(attempts: int, base: int, cap: int) -> int:
    """Exponential: base, 2·base, 4·base, … never more than `cap`."""
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


def mark_failed(
    session: Session,
    item_id: int,
    worker_id: str,
    error: str,
    *,
    max_attempts: int,
    base_seconds: int,
    cap_seconds: int,
    permanent: bool = False,
) -> str:
    """Schedule a retry with backoff, or give up after `max_attempts`. Returns the new status."""
    item = session.get(OutboxItem, item_id, populate_existing=True)
    if item is None or item.claimed_by != worker_id:
        session.rollback()
        return "lost"
    error = error[:2000]
    if permanent or item.attempts >= max_attempts:
        status = "failed"
        item.next_attempt_at = clock.now()
    else:
        status = "pending"
        delay = backoff_seconds(item.attempts, base_seconds, cap_seconds)
        item.next_attempt_at = clock.now() + timedelta(seconds=delay)
    item.status = status
    item.last_error = error
    item.claimed_by = None
    item.lease_expires_at = None
    session.commit()
    return status


def cancel(session: Session, item_id: int, worker_id: str, reason: str) -> None:
    """Nothing to send any more (the comment was hidden, the subscription cancelled, …)."""
    session.execute(
        update(OutboxItem)
        .where(_owned(item_id, worker_id))
        .values(
            status="cancelled", last_error=reason[:2000], claimed_by=None, lease_expires_at=None
        ),
        execution_options={"synchronize_session": False},
    )
    session.commit()


def count_recent(session: Session, column: Any, value: str, event_name: str, seconds: int) -> int:
    """How many `event_name` items for `value` (a recipient or requester hash) were enqueued."""
    since = clock.now() - timedelta(seconds=seconds)
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(column == value, OutboxItem.event == event_name, OutboxItem.created_at > since)
        )
        or 0
    )


def purge(session: Session, older_than_days: int) -> int:
    """Forget finished items (sent, failed, cancelled) past the retention period."""
    cutoff = clock.now() - timedelta(days=older_than_days)
    result = session.execute(
        delete(OutboxItem).where(
            OutboxItem.status.in_(("sent", "failed", "cancelled")),
            OutboxItem.created_at < cutoff,
        ),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
