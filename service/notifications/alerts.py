"""Moderators' alert mails: one `moderation` subscription per moderator account.

The alerts cover every site the moderator may moderate (admins: all), checked when a comment
needs them, so assigning or removing sites later needs no change here. The address is set by
an operator (`sidenote alerts set`), so it counts as confirmed.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.schemas import Email
from service.db import settings_of
from service.kernel import clock
from service.kernel.errors import NotFound, ValidationFailed
from service.kernel.i18n import pick_locale
from service.moderation.models import Moderator
from service.notifications.models import Subscription
from service.notifications.subscriptions import get_or_create_address


def _moderator(session: Session, username: str) -> Moderator:
    moderator = session.scalar(
        select(Moderator).where(Moderator.username == username.strip().lower())
    )
    if moderator is None:
        raise NotFound(f"No moderator {username!r}.")
    return moderator


def alert_subscription(session: Session, moderator_id: int) -> Subscription | None:
    return session.scalar(
        select(Subscription).where(
            Subscription.kind == "moderation", Subscription.moderator_id == moderator_id
        )
    )


def set_alerts(
    session: Session, *, username: str, email: str, frequency: str, locale: str | None = None
) -> Subscription:
    try:
        email = TypeAdapter(Email).validate_python(email)
    except ValidationError:
        raise ValidationFailed.on("email", "must be an email address") from None
    moderator = _moderator(session, username)
    address = get_or_create_address(session, email)
    now = clock.now()
    address.confirmed_at = address.confirmed_at or now
    subscription = alert_subscription(session, moderator.id)
    if subscription is None:
        subscription = Subscription(kind="moderation", moderator_id=moderator.id)
        session.add(subscription)
    subscription.email_id = address.id
    subscription.frequency = frequency
    subscription.locale = pick_locale(locale, settings_of(session).mail_locale)
    subscription.confirmed_at = subscription.confirmed_at or now
    session.flush()
    return subscription


def stop_alerts(session: Session, *, username: str) -> bool:
    subscription = alert_subscription(session, _moderator(session, username).id)
    if subscription is None:
        return False
    session.delete(subscription)
    session.flush()
    return True
