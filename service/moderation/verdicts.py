"""The pipeline's vocabulary: a `Draft` to judge, the `Verdict` of one check, the `Decision`.

Kept apart from `pipeline` so that check modules can import these at the top while `pipeline`
imports the checks (`service.moderation.pipeline` re-exports every name here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from service.comments.events import NOTHING_KNOWN, KnownAbsent
from service.comments.models import Comment, Site, Thread

#: `trust` lifts every `hold` (a trusted commenter skips pre-moderation, link and score holds)
#: but nothing stronger.
Action = Literal["allow", "trust", "hold", "spam", "shadow_ban", "ban", "reject"]
STRENGTH: dict[str, int] = {
    "allow": 0,
    "trust": 0,
    "hold": 1,
    "shadow_ban": 2,
    "spam": 3,
    "ban": 4,
    "reject": 5,
}


@dataclass(frozen=True)
class Verdict:
    action: Action
    code: str
    message: str
    #: The spam score, from the classifier check (also on an `allow` verdict).
    score: float | None = None
    #: The site's rule that gave it (a banned or suspect word as written), if any.
    rule: str = ""

    def as_reason(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "verdict": self.action}


@dataclass
class Draft:
    """What the pipeline judges: a new comment, or the new text of an edited one."""

    site: Site
    thread: Thread
    body_source: str
    body_html: str
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    identity_key: str | None = None
    ip_hash: str | None = None
    voter_key: str | None = None
    parent: Comment | None = None
    #: The comment being edited (None for a new comment).
    editing: Comment | None = None
    #: Signals from the request (form token, honeypot, …) that checks may read.
    signals: dict[str, Any] = field(default_factory=dict)
    #: What the posting lookup found none of (bans, a spam classifier): checks skip asking.
    known_absent: KnownAbsent = NOTHING_KNOWN


@dataclass(frozen=True)
class Decision:
    status: Literal["approved", "pending", "spam"]
    #: What the poster is told: a shadow-banned comment looks approved to its author.
    public_status: Literal["approved", "pending"]
    reasons: list[dict[str, str]]
    spam_score: float | None = None


Check = Callable[[Session, Draft], Verdict | None]
