"""The moderation checks are pure: a draft, the site's rules and a `History` snapshot in, a
verdict out, with no database (the pipeline and the rules' dry run read the history for them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from service.comments.verdicts import Draft, ReasonCode, Verdict, combine
from service.models import Site, Thread
from service.moderation.checks import (
    check_first_time,
    check_repeated,
    check_spam_score,
    check_trusted,
)
from service.moderation.history import History
from service.moderation.rules import Rules

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def draft(body: str = "A comment long enough to repeat", **fields: Any) -> Draft:
    site = Site(id=1, slug="blog", moderation=fields.pop("mode", "post"), settings={})
    return Draft(site, Thread(id=1, site_id=1), body, f"<p>{body}</p>", **fields)


def test_the_same_text_within_the_window_is_a_repeat_and_outside_it_is_not() -> None:
    rules = Rules(repeat_window_hours=24)
    inside = History(at=NOW, same_text_at=NOW - timedelta(hours=23))
    outside = History(at=NOW, same_text_at=NOW - timedelta(hours=25))
    assert check_repeated(draft(), rules, inside) == Verdict(
        "spam", ReasonCode.REPEATED_COMMENT, "The same comment was posted before."
    )
    assert check_repeated(draft(), rules, outside) is None
    assert check_repeated(draft("+1 +1"), rules, inside) is None  # too short to matter


def test_the_spam_score_holds_at_the_calibrated_threshold_before_the_rules_one() -> None:
    rules = Rules(spam_score_threshold=0.95)
    calibrated = History(at=NOW, spam_score=0.9, spam_threshold=0.8)
    verdict = check_spam_score(draft(), rules, calibrated)
    assert verdict is not None and verdict.action == "hold" and verdict.score == 0.9
    uncalibrated = check_spam_score(draft(), rules, History(at=NOW, spam_score=0.9))
    assert uncalibrated is not None and uncalibrated.action == "allow"


def test_trust_lifts_the_first_time_hold_but_not_a_later_reports_hold() -> None:
    rules = Rules(trusted_after=2, first_time_threshold=5)
    seen = History(at=NOW, approved_before=2)
    posted = draft(identity_key="sso:ann", mode="first-time")
    verdicts = [
        v for check in (check_first_time, check_trusted) if (v := check(posted, rules, seen))
    ]
    assert [v.code for v in verdicts] == ["first_time_commenter", "trusted_commenter"]
    assert combine(verdicts).strongest is None
    reported = Verdict("hold", ReasonCode.REPORTS_THRESHOLD, "3 readers reported it.")
    assert combine(verdicts, [reported]).strongest == reported
