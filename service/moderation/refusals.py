"""Comments refused at posting (422 `rejected_by_policy`): a minimal record of each attempt.

Nothing of the text is kept but its folded fingerprint; with the reason code and the rule that
refused it, the rules' dry run can count how many refused comments a change would let through.
Rows older than `SIDENOTE_RETAIN_REJECTED_DAYS` are deleted by the retention purge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from service.comments.verdicts import Verdict
from service.db import table_of
from service.kernel import clock
from service.moderation.models import RefusedAttempt

_refused = table_of(RefusedAttempt)


@dataclass(frozen=True)
class Refusal:
    site_id: int
    text_fingerprint: str
    verdict: Verdict


def record(session: Session, refusal: Refusal) -> None:
    """Remember one refused attempt (the caller commits, after rolling the attempt back)."""
    session.execute(
        insert(_refused).values(
            site_id=refusal.site_id,
            created_at=clock.now(),
            text_fingerprint=refusal.text_fingerprint,
            reason=refusal.verdict.code[:32],
            rule=refusal.verdict.rule[:100],
        )
    )


def since(session: Session, site_id: int, start: datetime) -> list[tuple[str, str]]:
    """(reason, rule) of the site's refused attempts since `start`."""
    rows = session.execute(
        select(_refused.c.reason, _refused.c.rule).where(
            _refused.c.site_id == site_id, _refused.c.created_at >= start
        )
    )
    return [(reason, rule) for reason, rule in rows]


def purge(session: Session, before: datetime) -> int:
    result = session.execute(delete(_refused).where(_refused.c.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
