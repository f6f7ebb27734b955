"""A site's moderation rules: word lists, link limit, thresholds. Stored in
`Site.settings["rules"]` (one JSON object; no table), validated by `Rules`, changed only through
`update_rules` (audit-logged), and tried out first with `dry_run`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import clock
from service.auth import Principal
from service.comments.sites import update_site
from service.models import Comment, Site
from service.moderation import audit
from service.moderation.text import find_rule

log = logging.getLogger(__name__)

RULES_KEY = "rules"
DRY_RUN_DAYS = 30
#: A dry run judges at most this many of the newest comments of the period.
DRY_RUN_MAX_COMMENTS = 5_000
DRY_RUN_MAX_ITEMS = 200

WordEntry = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Rules(BaseModel):
    """Every rule a site can set (docs/moderation.md explains each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    banned_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that reject a comment (422). `*` matches any letters.",
    )
    suspect_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that hold a comment for review.",
    )
    max_links: int | None = Field(
        default=3, ge=0, le=100, description="Hold comments with more links; null: no limit."
    )
    report_threshold: int = Field(
        default=3, ge=0, le=1000, description="Open reports that hold an approved comment; 0: off."
    )
    first_time_threshold: int = Field(
        default=1, ge=1, le=100, description="Approved comments that end first-time review."
    )
    trusted_after: int = Field(
        default=5,
        ge=0,
        le=1000,
        description="Approved comments (none rejected) that make a verified commenter trusted; "
        "0: only explicit trust.",
    )
    repeat_window_hours: int = Field(
        default=24, ge=0, le=24 * 90, description="Identical comments within it are spam; 0: off."
    )
    spam_score_threshold: float = Field(
        default=0.95, gt=0, le=1, description="Hold comments whose spam score reaches it."
    )
    spam_score_enabled: bool = True
    spam_min_examples: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="Spam and legitimate decisions each needed before the score is used.",
    )


@lru_cache(maxsize=512)
def _parse(raw: str) -> Rules:
    return Rules.model_validate_json(raw)


def rules_for(site: Site) -> Rules:
    """The site's rules (defaults for what it has not set; defaults if the stored JSON is bad)."""
    settings = site.settings or {}
    raw: Any = settings.get(RULES_KEY) or {}
    if "first_time_threshold" in settings and "first_time_threshold" not in raw:
        raw = {**raw, "first_time_threshold": settings["first_time_threshold"]}
    try:
        return _parse(json.dumps(raw, sort_keys=True))
    except ValidationError:
        log.warning("site %s has invalid moderation rules; using the defaults", site.slug)
        return Rules()


def update_rules(session: Session, site: Site, rules: Rules, *, actor: Principal) -> Rules:
    before = rules_for(site).model_dump()
    after = rules.model_dump()
    site.settings = {**(site.settings or {}), RULES_KEY: after}
    session.flush()
    audit.record(
        session,
        actor,
        "rules.update",
        target_kind="site",
        target_id=site.id,
        site_id=site.id,
        before=before,
        after=after,
    )
    return rules


def update_site_settings(session: Session, site: Site, *, actor: Principal, **options: Any) -> Site:
    """Change a site's name, origins, mode, edit window or depth (audit-logged)."""
    fields = ("name", "origins", "moderation", "edit_window_seconds", "max_depth")
    before = {name: getattr(site, name) for name in fields}
    update_site(session, site, **options)
    after = {name: getattr(site, name) for name in fields}
    if before != after:
        audit.record(
            session,
            actor,
            "site.update",
            target_kind="site",
            target_id=site.id,
            site_id=site.id,
            before=before,
            after=after,
        )
    return site


# -- content rules (shared by the pipeline and the dry run) ----------------------------------

_HREF = re.compile(r"<a\s[^>]*href=", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def count_links(source: str, html: str) -> int:
    """Links in the rendered comment, or bare addresses in its text if that finds more."""
    return max(len(_HREF.findall(html)), len(_URL.findall(source)))


@dataclass(frozen=True)
class ContentVerdict:
    action: str
    code: str
    message: str


def judge_banned_words(source: str, rules: Rules) -> ContentVerdict | None:
    found = find_rule(source, tuple(rules.banned_words))
    if found is None:
        return None
    _rule, words = found
    return ContentVerdict(
        "reject",
        "banned_word",
        f"This site does not allow “{words}” in comments. Please rephrase your comment.",
    )


def judge_suspect_words(source: str, rules: Rules) -> ContentVerdict | None:
    found = find_rule(source, tuple(rules.suspect_words))
    if found is None:
        return None
    _rule, words = found
    return ContentVerdict("hold", "suspect_word", f"Contains “{words}”, which moderators review.")


def judge_links(source: str, html: str, rules: Rules) -> ContentVerdict | None:
    if rules.max_links is None:
        return None
    links = count_links(source, html)
    if links <= rules.max_links:
        return None
    return ContentVerdict(
        "hold", "too_many_links", f"Has {links} links (more than {rules.max_links})."
    )


def judge_content(source: str, html: str, rules: Rules) -> ContentVerdict | None:
    """The strongest verdict of the word and link rules."""
    return (
        judge_banned_words(source, rules)
        or judge_suspect_words(source, rules)
        or judge_links(source, html, rules)
    )


@dataclass(frozen=True)
class DryRunItem:
    comment: Comment
    verdict: ContentVerdict
    #: What the current rules say about the same comment (None: nothing).
    current: ContentVerdict | None


@dataclass(frozen=True)
class DryRun:
    scanned: int
    rejected: int
    held: int
    items: list[DryRunItem]


def dry_run(session: Session, site: Site, rules: Rules, *, days: int = DRY_RUN_DAYS) -> DryRun:
    """Which of the last `days` days of comments `rules` would reject or hold (word and link
    rules; nothing is changed). Judges the newest DRY_RUN_MAX_COMMENTS at most."""
    since = clock.now() - timedelta(days=days)
    current_rules = rules_for(site)
    comments = session.scalars(
        select(Comment)
        .where(
            Comment.site_id == site.id,
            Comment.created_at >= since,
            Comment.status != "deleted",
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(DRY_RUN_MAX_COMMENTS)
    )
    scanned = rejected = held = 0
    items: list[DryRunItem] = []
    for comment in comments:
        scanned += 1
        verdict = judge_content(comment.body_source, comment.body_html, rules)
        if verdict is None:
            continue
        if verdict.action == "reject":
            rejected += 1
        else:
            held += 1
        if len(items) < DRY_RUN_MAX_ITEMS:
            current = judge_content(comment.body_source, comment.body_html, current_rules)
            items.append(DryRunItem(comment, verdict, current))
    return DryRun(scanned=scanned, rejected=rejected, held=held, items=items)
