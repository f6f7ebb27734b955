"""What every moderator page shares: rendering, redirects with a notice, form parsing, and running
an action in its own transaction so a refused action can be shown instead of raised.

Pages are plain HTML forms first (they work without JavaScript); `moderate.js` makes them
instant. A form action answers 303 to the page it came from (`next`, always under /moderate)
with a signed `notice` saying what happened and, for undoable actions, the undo batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Response, redirect, render_template, request
from itsdangerous import BadData
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.db import get_session
from service.http.context import keys, settings
from service.kernel import actors
from service.kernel.errors import ServiceError, ValidationFailed
from service.moderation import auth

T = TypeVar("T")

HOME = "/moderate/queue"
NOTICE_PURPOSE = "moderate.notice"
#: How long a notice (and its Undo button) stays on the page it was redirected to.
NOTICE_MAX_AGE = 600


@dataclass(frozen=True)
class Notice:
    text: str
    undo: str | None = None
    error: bool = False


def safe_next(value: str | None, default: str = HOME) -> str:
    """A same-site path under /moderate to go back to; anything else becomes `default`."""
    if not value or len(value) > 2000:
        return default
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    if parts.path != "/moderate" and not parts.path.startswith("/moderate/"):
        return default
    return value


def here() -> str:
    """This page's path and query, without a notice, as a `next` for its forms."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "notice"]
    query = urlencode(args)
    return request.path + (f"?{query}" if query else "")


def with_notice(path: str, notice: Notice) -> str:
    parts = urlsplit(path)
    # A new notice replaces the old one.
    args = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "notice"]
    token = (
        keys()
        .timed_signer(NOTICE_PURPOSE)
        .dumps({"t": notice.text[:300], "u": notice.undo, "e": notice.error})
    )
    args.append(("notice", token))
    return f"{parts.path}?{urlencode(args)}"


def read_notice() -> Notice | None:
    token = request.args.get("notice")
    if not token or len(token) > 2000:
        return None
    try:
        data = keys().timed_signer(NOTICE_PURPOSE).loads(token, max_age=NOTICE_MAX_AGE)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        return None
    undo = data.get("u")
    return Notice(
        data["t"], undo if isinstance(undo, str) else None, error=bool(data.get("e", False))
    )


def back(notice: Notice, default: str = HOME) -> Response:
    """303 to the form's `next` page, showing `notice` there."""
    target = safe_next(request.form.get("next"), default)
    return redirect(with_notice(target, notice), 303)  # type: ignore[return-value]


def refused(error: ServiceError, default: str = HOME) -> Response:
    return back(Notice(error_text(error), error=True), default)


def error_text(error: ServiceError) -> str:
    if error.fields:
        return " ".join(dict.fromkeys(error.fields.values()))
    return error.message


def act(action: Callable[[Session], T]) -> T | ServiceError:
    """Run `action` and commit; on a ServiceError roll back and return the error instead."""
    session = get_session()
    try:
        result = action(session)
        session.commit()
    except ServiceError as error:
        session.rollback()
        return error
    except BaseException:
        session.rollback()
        raise
    return result


def principal() -> actors.Principal:
    return auth.require("read")


def visible_sites(session: Session, who: actors.Principal) -> list[Site]:
    ids = who.visible_site_ids()
    stmt = select(Site).order_by(Site.slug)
    if ids is not None:
        stmt = stmt.where(Site.id.in_(ids))
    return list(session.scalars(stmt))


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A full page of the moderator UI (with the navigation of the logged-in principal)."""
    try:
        who = auth.current_principal()
    except ServiceError:  # bad credentials: this is their error page
        who = None
    html = render_template(
        f"moderate/{template}",
        me=who,
        csrf_token=who.csrf_token if who else None,
        here=here(),
        notice=read_notice(),
        undo_seconds=settings().moderation_undo_seconds,
        **context,
    )
    return Response(html, status=status, mimetype="text/html")


# -- form fields -----------------------------------------------------------------------------


def text_field(
    form: Mapping[str, str], name: str, *, max_chars: int, required: bool = False
) -> str:
    value = (form.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed.on(name, "Fill this in.")
    if len(value) > max_chars:
        raise ValidationFailed.on(name, f"Use at most {max_chars} characters.")
    return value


def int_field(
    form: Mapping[str, str],
    name: str,
    *,
    low: int,
    high: int,
    default: int | None = None,
    blank: int | None = None,
) -> int | None:
    """An integer in [low, high]; `blank` when left empty (None if that is allowed)."""
    raw = (form.get(name) or "").strip()
    if not raw:
        if default is not None:
            return default
        return blank
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed.on(name, "Use a whole number.") from None
    if not low <= value <= high:
        raise ValidationFailed.on(name, f"Use a number from {low} to {high}.")
    return value


def flag(form: Mapping[str, str], name: str) -> bool:
    return form.get(name) in {"1", "on", "true", "yes"}


def lines(form: Mapping[str, str], name: str, *, max_chars: int = 200_000) -> list[str]:
    raw = form.get(name) or ""
    if len(raw) > max_chars:
        raise ValidationFailed.on(name, "That list is too long.")
    return [line.strip() for line in raw.splitlines() if line.strip()]
