"""Settings pages (admins only): a site's options, its moderation rules (always shown as a dry
run before they are saved), moderator accounts and API tokens.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.comments.sites import get_site
from service.db import get_session
from service.http.context import keys
from service.kernel import actors
from service.kernel.errors import ServiceError, ValidationFailed, fields_from_pydantic
from service.kernel.inputs import MAX_ID
from service.moderation import accounts, auth
from service.moderation.decisions import change_rules
from service.moderation.dry_run import DRY_RUN_DAYS, DRY_RUN_MAX_ITEMS, dry_run
from service.moderation.models import AuditEntry, SpamClassifier
from service.moderation.rules import Rules, rules_for, update_site_settings
from service.moderation.ui.blueprint import moderate
from service.moderation.ui.common import (
    Notice,
    act,
    back,
    error_text,
    flag,
    int_field,
    lines,
    page,
    refused,
    text_field,
    visible_sites,
)

MODE_LABELS = {
    "post": "Publish at once; moderate afterwards (post-moderation)",
    "pre": "Hold every comment for review (pre-moderation)",
    "first-time": "Hold comments of first-time commenters",
}
ROLE_LABELS = {"admin": "Admin (every site and the settings)", "moderator": "Moderator"}
SCOPE_LABELS = {"read": "Read", "moderate": "Moderate", "admin": "Admin"}
DRY_RUN_PURPOSE = "moderate.rules-dry-run"


def _site_for_admin(slug: str) -> tuple[actors.Principal, Site]:
    who = auth.require("admin")
    site = get_site(get_session(), slug)
    who.require("admin", site.id)
    return who, site


@moderate.get("/settings")
def settings_index() -> Response:
    who = auth.require("admin")
    sites = [s for s in visible_sites(get_session(), who) if who.can("admin", s.id)]
    return page("settings.html", sites=sites, mode_labels=MODE_LABELS)


# -- site ------------------------------------------------------------------------------------


def _site_values(site: Site) -> dict[str, str]:
    return {
        "name": site.name,
        "origins": "\n".join(site.origins),
        "moderation": site.moderation,
        "edit_window_minutes": str(site.edit_window_seconds // 60),
        "max_depth": str(site.max_depth),
    }


@moderate.get("/sites/<slug>/settings")
def site_settings(slug: str) -> Response:
    _who, site = _site_for_admin(slug)
    return page(
        "site_settings.html", site=site, values=_site_values(site), errors={}, modes=MODE_LABELS
    )


@moderate.post("/sites/<slug>/settings")
def save_site_settings(slug: str) -> Response:
    who, site = _site_for_admin(slug)
    form = request.form
    values = {name: form.get(name, "") for name in _site_values(site)}

    def run(session: Session) -> Site:
        minutes = int_field(form, "edit_window_minutes", low=0, high=7 * 24 * 60, blank=0) or 0
        seconds = site.edit_window_seconds
        if minutes != seconds // 60:  # unchanged keeps a window that is not whole minutes
            seconds = minutes * 60
        return update_site_settings(
            session,
            site,
            actor=who,
            name=text_field(form, "name", max_chars=200, required=True),
            origins=lines(form, "origins"),
            moderation=form.get("moderation", ""),
            edit_window_seconds=seconds,
            max_depth=int_field(form, "max_depth", low=1, high=20, blank=site.max_depth),
        )

    result = act(run)
    if isinstance(result, ServiceError):
        errors = dict(result.fields or {"name": result.message})
        if "edit_window_seconds" in errors:
            errors["edit_window_minutes"] = errors.pop("edit_window_seconds")
        get_session().refresh(site)
        return page(
            "site_settings.html",
            400,
            site=site,
            values=values,
            errors=errors,
            modes=MODE_LABELS,
        )
    return back(Notice(f"Saved the settings of {site.slug}."), f"/moderate/sites/{slug}/settings")


# -- rules -----------------------------------------------------------------------------------

RULE_NUMBERS = (
    "max_links",
    "report_threshold",
    "first_time_threshold",
    "trusted_after",
    "repeat_window_hours",
    "rule_wildcard_max",
    "spam_score_threshold",
    "spam_legit_held_rate",
    "spam_min_examples",
    "spam_ham_after_hours",
)


def _rule_values(rules: Rules) -> dict[str, str]:
    values = {
        name: "" if getattr(rules, name) is None else str(getattr(rules, name))
        for name in RULE_NUMBERS
    }
    values["banned_words"] = "\n".join(rules.banned_words)
    values["suspect_words"] = "\n".join(rules.suspect_words)
    values["allowed_words"] = "\n".join(rules.allowed_words)
    values["spam_score_enabled"] = "1" if rules.spam_score_enabled else ""
    values["spam_shipped_model"] = "1" if rules.spam_shipped_model else ""
    return values


def _rules_from_form() -> tuple[Rules | None, dict[str, str], dict[str, str]]:
    """The rules the form describes, its raw values (to show again) and its errors."""
    form = request.form
    values = {name: (form.get(name) or "").strip() for name in RULE_NUMBERS}
    values["banned_words"] = form.get("banned_words", "")
    values["suspect_words"] = form.get("suspect_words", "")
    values["allowed_words"] = form.get("allowed_words", "")
    values["spam_score_enabled"] = "1" if flag(form, "spam_score_enabled") else ""
    values["spam_shipped_model"] = "1" if flag(form, "spam_shipped_model") else ""
    try:
        data: dict[str, Any] = {
            name: values[name] for name in RULE_NUMBERS if values[name] or name == "max_links"
        }
        data["max_links"] = values["max_links"] or None
        data["banned_words"] = lines(form, "banned_words")
        data["suspect_words"] = lines(form, "suspect_words")
        data["allowed_words"] = lines(form, "allowed_words")
        data["spam_score_enabled"] = bool(values["spam_score_enabled"])
        data["spam_shipped_model"] = bool(values["spam_shipped_model"])
        return Rules.model_validate(data), values, {}
    except ValidationFailed as error:
        return None, values, dict(error.fields or {})
    except ValidationError as error:
        fields: dict[str, str] = {}
        for path, message in fields_from_pydantic(error).items():
            fields.setdefault(path.split(".")[0], message)
        return None, values, fields


def _digest(site: Site, rules: Rules) -> str:
    return hashlib.sha256(f"{site.id}:{rules.model_dump_json()}".encode()).hexdigest()


def _rules_page(
    site: Site,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    trial: Any = None,
    checked: str = "",
    message: str = "",
    status: int = 200,
) -> Response:
    return page(
        "rules.html",
        status,
        site=site,
        calibration=get_session().get(SpamClassifier, site.id),
        values=values,
        errors=errors or {},
        trial=trial,
        checked=checked,
        message=message,
        days=DRY_RUN_DAYS,
        max_items=DRY_RUN_MAX_ITEMS,
    )


@moderate.get("/sites/<slug>/rules")
def rules_page(slug: str) -> Response:
    _who, site = _site_for_admin(slug)
    return _rules_page(site, _rule_values(rules_for(site)))


@moderate.post("/sites/<slug>/rules")
def rules_submit(slug: str) -> Response:
    """`intent=dry-run` shows what the rules would catch; `intent=save` saves them, but only
    the exact rules whose dry run the moderator saw (else it shows the dry run first)."""
    who, site = _site_for_admin(slug)
    rules, values, errors = _rules_from_form()
    if rules is None:
        return _rules_page(site, values, errors=errors, status=400)
    digest = _digest(site, rules)
    seen = keys().unsign(DRY_RUN_PURPOSE, request.form.get("checked", "")[:300])
    if request.form.get("intent") == "save" and seen == digest:
        result = act(lambda session: change_rules(session, who, site, rules))
        if isinstance(result, ServiceError):
            return _rules_page(site, values, message=error_text(result), status=result.status)
        return back(Notice(f"Saved the rules of {site.slug}.", _last_batch(site)))
    message = ""
    if request.form.get("intent") == "save":
        message = "The rules changed since their dry run: check what they would catch, then save."
    trial = dry_run(get_session(), site, rules)
    return _rules_page(
        site, values, trial=trial, checked=keys().sign(DRY_RUN_PURPOSE, digest), message=message
    )


def _last_batch(site: Site) -> str | None:
    """The batch of the rules change just saved (so the notice can offer Undo)."""
    return get_session().scalar(
        select(AuditEntry.batch)
        .where(AuditEntry.action == "rules.update", AuditEntry.site_id == site.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


# -- moderators ------------------------------------------------------------------------------


def _moderators_page(status: int = 200, **context: Any) -> Response:
    session = get_session()
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return page(
        "moderators.html",
        status,
        moderators=accounts.list_moderators(session),
        sites=visible_sites(session, auth.require("admin", all_sites=True)),
        roles=ROLE_LABELS,
        **context,
    )


@moderate.get("/moderators")
def moderators_page() -> Response:
    auth.require("admin", all_sites=True)
    return _moderators_page()


@moderate.post("/moderators")
def add_moderator() -> Response:
    who = auth.require("admin", all_sites=True)
    form = request.form
    values = {"username": form.get("username", "")[:64], "role": form.get("role", "moderator")}
    result = act(
        lambda session: accounts.create_moderator(
            session,
            username=form.get("username", "")[:64],
            password=form.get("password", "")[:1024],
            role=form.get("role", ""),
            site_slugs=form.getlist("sites")[:1000],
            actor=who,
        )
    )
    if isinstance(result, ServiceError):
        errors = dict(result.fields or {"username": result.message})
        return _moderators_page(400, errors=errors, values=values)
    return back(Notice(f"Added the moderator {result.username}."), "/moderate/moderators")


@moderate.post(f"/moderators/<int(max={MAX_ID}):moderator_id>")
def update_moderator(moderator_id: int) -> Response:
    who = auth.require("admin", all_sites=True)
    form = request.form
    role = form.get("role") or None
    disabled = flag(form, "disabled")
    if moderator_id == who.id and (disabled or role not in (None, "admin")):
        return refused(
            ValidationFailed.on("role", "You cannot disable or demote your own account."),
            "/moderate/moderators",
        )
    password = form.get("password", "")[:1024] or None
    result = act(
        lambda session: accounts.update_moderator(
            session,
            moderator_id,
            actor=who,
            role=role,
            site_slugs=form.getlist("sites")[:1000],
            password=password,
            disabled=disabled,
        )
    )
    if isinstance(result, ServiceError):
        return refused(result, "/moderate/moderators")
    return back(Notice(f"Saved the moderator {result.username}."), "/moderate/moderators")


# -- API tokens ------------------------------------------------------------------------------


def _tokens_page(status: int = 200, **context: Any) -> Response:
    session = get_session()
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return page(
        "tokens.html",
        status,
        tokens=accounts.list_tokens(session),
        sites=visible_sites(session, auth.require("admin", all_sites=True)),
        scopes=SCOPE_LABELS,
        **context,
    )


@moderate.get("/tokens")
def tokens_page() -> Response:
    auth.require("admin", all_sites=True)
    return _tokens_page()


@moderate.post("/tokens")
def add_token() -> Response:
    """Create a token and show it once, in this answer (it is never stored or shown again)."""
    who = auth.require("admin", all_sites=True)
    form = request.form
    values = {name: form.get(name, "")[:100] for name in ("name", "scope", "site")}
    result = act(
        lambda session: accounts.create_token(
            session,
            scope=values["scope"],
            site_slug=values["site"] or None,
            name=values["name"],
            actor=who,
        )
    )
    if isinstance(result, ServiceError):
        errors = dict(result.fields or {"name": result.message})
        return _tokens_page(400, errors=errors, values=values)
    token, secret = result
    return _tokens_page(201, created=token, secret=secret)


@moderate.post(f"/tokens/<int(max={MAX_ID}):token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    who = auth.require("admin", all_sites=True)
    result = act(lambda session: accounts.revoke_token(session, token_id, actor=who))
    if isinstance(result, ServiceError):
        return refused(result, "/moderate/tokens")
    return back(Notice(f"Revoked token {token_id}."), "/moderate/tokens")
