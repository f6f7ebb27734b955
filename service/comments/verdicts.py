"""The pipeline's vocabulary: a `Draft` to judge, its `Signals`, the `Verdict` of one check, the
reason codes, how verdicts combine (`combine`) and the `Decision`.

Kept apart from `pipeline` so that check modules can import these at the top while `pipeline`
imports the checks (`service.moderation.pipeline` re-exports every name here). The live
pipeline and the rules' dry run both combine verdicts here: there is one strength table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from service.comments.events import NOTHING_KNOWN, KnownAbsent
from service.comments.models import Comment, CommentStatus, Site, Thread

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


class ReasonCode(StrEnum):
    """Why a check gave its verdict: stored in `Comment.moderation_reasons` and
    `RefusedAttempt.reason`, filtered by in the queue; docs/moderation.md explains each."""

    BANNED = "banned"
    SHADOW_BAN = "shadow_ban"
    HONEYPOT = "honeypot"
    TOO_FAST = "too_fast"
    FORM_TOKEN_MISSING = "form_token_missing"  # noqa: S105 - reason codes, not secrets
    FORM_TOKEN_INVALID = "form_token_invalid"  # noqa: S105
    FORM_TOKEN_EXPIRED = "form_token_expired"  # noqa: S105
    THREAD_PREMODERATED = "thread_premoderated"
    SITE_PREMODERATED = "site_premoderated"
    FIRST_TIME_COMMENTER = "first_time_commenter"
    UNVERIFIED_GUEST = "unverified_guest"
    TRUSTED_COMMENTER = "trusted_commenter"
    SITE_MODERATOR = "site_moderator"
    BANNED_WORD = "banned_word"
    SUSPECT_WORD = "suspect_word"
    TOO_MANY_LINKS = "too_many_links"
    REPEATED_COMMENT = "repeated_comment"
    SPAM_SCORE = "spam_score"
    REPORTS_THRESHOLD = "reports_threshold"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]

    @property
    def stored(self) -> bool:
        """Whether a comment can carry it: a ban (403) or a banned word (422) stores nothing."""
        return self not in (ReasonCode.BANNED, ReasonCode.BANNED_WORD)


#: What moderators read for each code (the queue's reason filter).
REASON_LABELS: dict[ReasonCode, str] = {
    ReasonCode.BANNED: "Banned",
    ReasonCode.SHADOW_BAN: "Shadow-banned",
    ReasonCode.HONEYPOT: "Filled in the hidden field",
    ReasonCode.TOO_FAST: "Sent very fast",
    ReasonCode.FORM_TOKEN_MISSING: "No form token",
    ReasonCode.FORM_TOKEN_INVALID: "Forged form token",
    ReasonCode.FORM_TOKEN_EXPIRED: "Expired form token",
    ReasonCode.THREAD_PREMODERATED: "Thread pre-moderated",
    ReasonCode.SITE_PREMODERATED: "Site pre-moderated",
    ReasonCode.FIRST_TIME_COMMENTER: "First-time commenter",
    ReasonCode.UNVERIFIED_GUEST: "Guest not yet confirmed",
    ReasonCode.TRUSTED_COMMENTER: "Trusted commenter",
    ReasonCode.SITE_MODERATOR: "Site moderator",
    ReasonCode.BANNED_WORD: "Banned word",
    ReasonCode.SUSPECT_WORD: "Suspect word",
    ReasonCode.TOO_MANY_LINKS: "Too many links",
    ReasonCode.REPEATED_COMMENT: "Repeated comment",
    ReasonCode.SPAM_SCORE: "Spam score",
    ReasonCode.REPORTS_THRESHOLD: "Reported by readers",
}


@dataclass(frozen=True)
class Verdict:
    action: Action
    code: ReasonCode
    message: str
    #: The spam score, from the classifier check (also on an `allow` verdict).
    score: float | None = None
    #: The site's rule that gave it (a banned or suspect word as written), if any.
    rule: str = ""

    def as_reason(self) -> dict[str, str]:
        """As stored in `Comment.moderation_reasons` (plain strings)."""
        return {"code": self.code.value, "message": self.message, "verdict": self.action}


@dataclass(frozen=True)
class Signals:
    """What the request says about how a comment was sent, beyond its text: read by the bot and
    identity checks (and `notify` by posting). Never stored."""

    #: The comment form's signed token, as sent (None: none).
    form_token: str | None = None
    #: The hidden honeypot field, as sent.
    homepage: str | None = None
    #: The notifications the poster asked for ("none", "replies", "thread").
    notify: str | None = None
    #: The poster's language (their Accept-Language), for the mails they asked for.
    locale: str | None = None
    #: A reader session (SSO or verified guest) sent it, or the operator seeded it.
    authenticated: bool = False
    #: The id of the site's API token it was sent with (an integration's server vouches for it).
    api_token: int | None = None
    #: The role the site's SSO token gives its author ("moderator" is trusted).
    site_role: str | None = None


NO_SIGNALS = Signals()


@dataclass
class Draft:
    """What the pipeline judges: a new comment, the new text of an edited one, or (in the rules'
    dry run) a stored comment as it was posted."""

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
    signals: Signals = NO_SIGNALS
    #: What the posting lookup found none of (bans, a spam classifier): the history skips asking.
    known_absent: KnownAbsent = NOTHING_KNOWN

    @property
    def anonymous(self) -> bool:
        """A new post with nothing that vouches for it (no reader session, no API token): what
        the bot checks apply to."""
        return self.editing is None and not (self.signals.authenticated or self.signals.api_token)

    @classmethod
    def of_comment(cls, site: Site, thread: Thread, comment: Comment) -> Draft:
        """A stored comment judged again as it was posted (the rules' dry run)."""
        return cls(
            site=site,
            thread=thread,
            body_source=comment.body_source,
            body_html=comment.body_html,
            author_name=comment.author_name,
            author_email=comment.author_email,
            author_website=comment.author_website,
            identity_key=comment.identity_key,
            ip_hash=comment.ip_hash,
            voter_key=comment.voter_key,
        )


@dataclass(frozen=True)
class Combined:
    """The verdicts of every check, combined."""

    #: Every verdict, in the order the checks ran.
    verdicts: tuple[Verdict, ...]
    #: Those that count: a trusted commenter's holds are lifted.
    binding: tuple[Verdict, ...]
    #: The strongest binding verdict; None when the comment is published (allow or trust).
    strongest: Verdict | None

    @property
    def reasons(self) -> list[dict[str, str]]:
        """What is recorded on the comment: every verdict but allow (lifted holds too)."""
        return [v.as_reason() for v in self.verdicts if v.action != "allow"]

    @property
    def caught(self) -> tuple[Verdict, ...]:
        """The binding verdicts that act on the comment (not allow, not trust)."""
        return tuple(v for v in self.binding if v.action not in ("allow", "trust"))

    @property
    def score(self) -> float | None:
        return next((v.score for v in self.verdicts if v.score is not None), None)


def combine(verdicts: Sequence[Verdict], later: Sequence[Verdict] = ()) -> Combined:
    """The strongest verdict wins (`STRENGTH`); a `trust` verdict lifts the holds of `verdicts`,
    not those of `later` (checks of a published comment, such as its reports)."""
    trusted = any(v.action == "trust" for v in verdicts)
    binding = (*(v for v in verdicts if not (trusted and v.action == "hold")), *later)
    strongest = max(binding, key=lambda v: STRENGTH[v.action], default=None)
    if strongest is not None and strongest.action in ("allow", "trust"):
        strongest = None
    return Combined((*verdicts, *later), binding, strongest)


@dataclass(frozen=True)
class Decision:
    status: Literal[CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM]
    #: What the poster is told: a shadow-banned comment looks approved to its author.
    public_status: Literal[CommentStatus.APPROVED, CommentStatus.PENDING]
    reasons: list[dict[str, str]]
    spam_score: float | None = None
