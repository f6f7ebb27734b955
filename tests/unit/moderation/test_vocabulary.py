"""One vocabulary: comment statuses and reason codes are enums, and what stores or lists them is
generated from them (the CHECK constraint, the queue's reason filter)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import CheckConstraint

from service.comments.models import one_of
from service.comments.verdicts import REASON_LABELS, ReasonCode
from service.models import Comment, CommentStatus
from service.moderation.ui.queue_views import REASON_CODES

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations" / "versions"


def migration_check(name: str) -> str:
    """The text of the CHECK constraint `name` as the first migration that creates it wrote it."""
    for path in sorted(MIGRATIONS.glob("*.py")):
        found = re.search(rf'"([^"]+)",\s*name=op\.f\("{name}"\)', path.read_text())
        if found:
            return found.group(1)
    raise AssertionError(f"no migration creates {name}")


def test_the_migrations_status_check_allows_exactly_the_comment_statuses() -> None:
    assert migration_check("ck_comments_status") == one_of("status", CommentStatus)
    assert one_of("status", CommentStatus) == (
        "status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')"
    )


def test_the_models_status_check_is_generated_from_the_enum() -> None:
    checks = [c for c in Comment.__table__.constraints if isinstance(c, CheckConstraint)]
    (status,) = [c for c in checks if str(c.name).endswith("status")]
    assert str(status.sqltext) == migration_check("ck_comments_status")


def test_statuses_compare_and_serialise_as_their_stored_strings() -> None:
    assert CommentStatus.APPROVED == "approved"
    assert f"{CommentStatus.SPAM}" == "spam"
    assert [str(status) for status in CommentStatus] == [s.value for s in CommentStatus]


def test_every_reason_code_has_one_label() -> None:
    assert set(REASON_LABELS) == set(ReasonCode)
    assert all(label.strip() for label in REASON_LABELS.values())


def test_the_queue_filters_by_every_reason_a_comment_can_carry() -> None:
    stored = [code for code in ReasonCode if code not in ("banned", "banned_word")]
    assert list(REASON_CODES) == stored
