"""The audit log: one append-only row per moderation action or settings change.

Every row says who (actor), what (action, target, before/after), when and why (reason). Rows that
one request writes share a `batch` id: undo reverts a batch, bulk actions are one batch. Database
triggers (migration 0002) refuse deletes and any update except a privacy redaction, which
`redact_subject` performs and announces with a row of its own. People appear by id or keyed hash
(`subject_key` is the comment's `author_key`), never by email or IP.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from service.kernel import clock
from service.kernel.clock import isoformat
from service.moderation.models import AuditEntry

if TYPE_CHECKING:
    from service.kernel.actors import Principal

REDACTED = "[redacted]"
#: Keys of before/after snapshots that hold personal data; erasure replaces their values.
PERSONAL_KEYS = frozenset({"body_source", "author_name", "author_website", "label", "note"})


def new_batch() -> str:
    return secrets.token_hex(8)


def record(
    session: Session,
    actor: Principal,
    action: str,
    *,
    target_kind: str,
    target_id: int | str | None = None,
    site_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    subject_key: str | None = None,
    batch: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        site_id=site_id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label[:120],
        action=action,
        target_kind=target_kind,
        target_id="" if target_id is None else str(target_id),
        subject_key=subject_key or None,
        before=before,
        after=after,
        reason=reason[:1000],
        batch=batch or new_batch(),
        created_at=clock.now(),
    )
    session.add(entry)
    session.flush()
    return entry


def record_many(session: Session, actor: Principal, rows: list[dict[str, Any]]) -> None:
    """`record` for many rows of one actor in one INSERT (bulk decisions); each row gives
    `record`'s keyword arguments plus `action`."""
    if not rows:
        return
    now = clock.now()
    session.flush()
    session.execute(
        insert(AuditEntry),
        [
            {
                "site_id": row.get("site_id"),
                "actor_kind": actor.kind,
                "actor_id": actor.id,
                "actor_label": actor.label[:120],
                "action": row["action"],
                "target_kind": row["target_kind"],
                "target_id": "" if row.get("target_id") is None else str(row["target_id"]),
                "subject_key": row.get("subject_key") or None,
                "before": row.get("before"),
                "after": row.get("after"),
                "reason": str(row.get("reason", ""))[:1000],
                "batch": row.get("batch") or new_batch(),
                "created_at": now,
            }
            for row in rows
        ],
    )


@dataclass(frozen=True)
class AuditFilter:
    site_ids: Sequence[int] | None = None  # None: every site (and site-less rows)
    action: str | None = None
    actor: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def query_entries(
    session: Session, where: AuditFilter, *, before_id: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """Newest first; `before_id` continues a page (the ids only grow)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if where.site_ids is not None:
        stmt = stmt.where(AuditEntry.site_id.in_(list(where.site_ids)))
    if where.action:
        stmt = stmt.where(
            or_(AuditEntry.action == where.action, AuditEntry.action.like(f"{where.action}.%"))
        )
    if where.actor:
        stmt = stmt.where(AuditEntry.actor_label == where.actor)
    if where.target_kind:
        stmt = stmt.where(AuditEntry.target_kind == where.target_kind)
    if where.target_id:
        stmt = stmt.where(AuditEntry.target_id == where.target_id)
    if where.since:
        stmt = stmt.where(AuditEntry.created_at >= where.since)
    if where.until:
        stmt = stmt.where(AuditEntry.created_at < where.until)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(session.scalars(stmt))


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "site_id": entry.site_id,
        "actor": {"kind": entry.actor_kind, "id": entry.actor_id, "label": entry.actor_label},
        "action": entry.action,
        "target": {"kind": entry.target_kind, "id": entry.target_id},
        "subject_key": entry.subject_key,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "batch": entry.batch,
        "created_at": isoformat(entry.created_at),
        "redacted": entry.redacted_at is not None,
    }


CSV_COLUMNS = (
    "id",
    "created_at",
    "site_id",
    "actor_kind",
    "actor",
    "action",
    "target_kind",
    "target_id",
    "subject_key",
    "reason",
    "before",
    "after",
    "batch",
    "redacted",
)


def _csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    if value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def entries_csv(entries: Iterable[AuditEntry]) -> str:
    import json

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = [
            str(entry.id),
            isoformat(entry.created_at) or "",
            "" if entry.site_id is None else str(entry.site_id),
            entry.actor_kind,
            entry.actor_label,
            entry.action,
            entry.target_kind,
            entry.target_id,
            entry.subject_key or "",
            entry.reason,
            json.dumps(entry.before, ensure_ascii=False) if entry.before is not None else "",
            json.dumps(entry.after, ensure_ascii=False) if entry.after is not None else "",
            entry.batch,
            "yes" if entry.redacted_at is not None else "",
        ]
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue()


def _redact(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {key: REDACTED if key in PERSONAL_KEYS else value for key, value in snapshot.items()}


def redact_subject(
    session: Session,
    actor: Principal,
    *,
    subject_keys: Sequence[str] = (),
    comment_ids: Sequence[int] = (),
    reason: str = "privacy erasure",
) -> int:
    """Privacy erasure: blank the personal data in the log rows about these people or comments.

    The only change the log permits. It writes one `privacy.redact` row saying how many rows
    were redacted (and nothing about whom). Returns that number.
    """
    conditions: list[ColumnElement[bool]] = []
    if subject_keys:
        conditions.append(AuditEntry.subject_key.in_(list(subject_keys)))
    if comment_ids:
        conditions.append(
            (AuditEntry.target_kind == "comment")
            & AuditEntry.target_id.in_([str(i) for i in comment_ids])
        )
    if not conditions:
        return 0
    now = clock.now()
    entries = list(session.scalars(select(AuditEntry).where(or_(*conditions))))
    for entry in entries:
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(
                before=_redact(entry.before),
                after=_redact(entry.after),
                reason=REDACTED if entry.reason else "",
                subject_key=None,
                redacted_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        session.expire(entry)
    record(
        session,
        actor,
        "privacy.redact",
        target_kind="audit",
        after={"redacted_rows": len(entries)},
        reason=reason,
    )
    return len(entries)
