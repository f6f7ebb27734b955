"""A site's moderation rules: word lists, link limit, thresholds. Stored in
`Site.settings["rules"]` (one JSON object; no table), validated by `Rules`, changed only through
`update_rules` (audit-logged), and tried out first with `dry_run`.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.comments.sites import update_site
from service.kernel.actors import Principal
from service.moderation import audit

log = logging.getLogger(__name__)

RULES_KEY = "rules"

WordEntry = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Rules(BaseModel):
    """Every rule a site can set (docs/moderation.md explains each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    banned_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that reject a comment (422). `*` stands for up to "
        "`rule_wildcard_max` letters.",
    )
    suspect_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that hold a comment for review.",
    )
    allowed_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that never match a banned or suspect word "
        "(“Scunthorpe”, “cum laude”).",
    )
    rule_wildcard_max: int = Field(
        default=2,
        ge=0,
        le=20,
        description="Letters a `*` in a banned or suspect word stands for, at most "
        "(inside one word).",
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
    spam_shipped_model: bool = Field(
        default=True,
        description="Start from the shipped spam model (trained on a public corpus) and blend "
        "in the site's own decisions as they accrue; false: only the site's own decisions.",
    )
    spam_legit_held_rate: float = Field(
        default=0.02,
        gt=0,
        le=0.5,
        description="Share of legitimate comments the site accepts to see held by the spam "
        "score: its threshold is estimated from the site's decisions for it (until there are "
        "enough, spam_score_threshold applies).",
    )
    spam_min_examples: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="Spam and legitimate decisions each needed before the site's own decisions "
        "join the score (before that: the shipped model alone, if on).",
    )
    spam_ham_after_hours: int = Field(
        default=72,
        ge=0,
        le=24 * 365,
        description="A published comment neither reported nor removed for this long trains the "
        "spam score as legitimate; 0: only moderators' approvals do.",
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
