"""The audit log page (filters, paging, a CSV link to the API's export) and the dashboard."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Response, request
from sqlalchemy.orm import Session

from service.comments.sites import get_site
from service.db import get_session
from service.kernel import actors
from service.kernel.errors import ValidationFailed
from service.kernel.inputs import parse_id
from service.moderation import audit, auth
from service.moderation.ui.blueprint import moderate
from service.moderation.ui.chart import comments_chart
from service.moderation.ui.common import page, visible_sites
from service.moderation.ui.stats import DAYS, dashboard, describe_wait

AUDIT_PAGE = 50
AUDIT_TEXT_ARGS = {"site": 64, "action": 64, "actor": 120, "target_kind": 32, "target_id": 64}
TARGET_KINDS = ("comment", "thread", "ban", "author", "site", "token", "moderator", "audit")
ACTION_GROUPS = (
    "comment",
    "comment.approve",
    "comment.reject",
    "comment.spam",
    "comment.edit",
    "thread",
    "ban",
    "author",
    "rules",
    "site",
    "token",
    "moderator",
    "privacy",
    "undo",
)


def _site_ids(session: Session, who: actors.Principal, slug: str) -> list[int] | None:
    if not slug:
        return who.visible_site_ids()
    site = get_site(session, slug)
    who.require("read", site.id)
    return [site.id]


def _date_arg(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValidationFailed.on(name, "Use a date like 2026-11-25.") from None


def _start(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


@moderate.get("/audit")
def audit_page() -> Response:
    who = auth.require("read")
    session = get_session()
    args: dict[str, str] = {}
    for name, limit in AUDIT_TEXT_ARGS.items():
        value = (request.args.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationFailed.on(name, f"Use at most {limit} characters.")
        args[name] = value
    since, until = _date_arg("since"), _date_arg("until")
    cursor = request.args.get("cursor", "")
    if cursor and parse_id(cursor) is None:
        raise ValidationFailed.on("cursor", "The cursor is not valid.")
    until_exclusive = until + timedelta(days=1) if until else None
    where = audit.AuditFilter(
        site_ids=_site_ids(session, who, args["site"]),
        action=args["action"] or None,
        actor=args["actor"] or None,
        target_kind=args["target_kind"] or None,
        target_id=args["target_id"] or None,
        since=_start(since),
        until=_start(until_exclusive),
    )
    entries = audit.query_entries(
        session, where, before_id=int(cursor) if cursor else None, limit=AUDIT_PAGE + 1
    )
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    filters = {k: v for k, v in args.items() if v}
    shown = dict(filters)
    if since:
        shown["since"] = since.isoformat()
    if until:
        shown["until"] = until.isoformat()
    exported = dict(filters)
    if since:
        exported["since"] = since.isoformat()
    if until_exclusive:
        exported["until"] = until_exclusive.isoformat()
    sites = visible_sites(session, who)
    return page(
        "audit.html",
        entries=entries,
        values=shown,
        sites=sites,
        site_slugs={s.id: s.slug for s in sites},
        target_kinds=TARGET_KINDS,
        action_groups=ACTION_GROUPS,
        older=f"/moderate/audit?{urlencode({**shown, 'cursor': entries[-1].id})}" if more else "",
        csv_url="/api/v1/moderation/audit.csv" + (f"?{urlencode(exported)}" if exported else ""),
        as_json=_as_json,
    )


def _as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@moderate.get("/dashboard")
def dashboard_page() -> Response:
    who = auth.require("read")
    session = get_session()
    slug = (request.args.get("site") or "").strip()[:64]
    figures = dashboard(session, _site_ids(session, who, slug))
    return page(
        "dashboard.html",
        figures=figures,
        chart=comments_chart(figures.days, title_id="chart-title", desc_id="chart-desc"),
        median=describe_wait(figures.median_wait),
        days=DAYS,
        site=slug,
        sites=visible_sites(session, who),
    )
