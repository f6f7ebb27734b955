"""`sidenote alerts`: moderators' alert mails (the worker that sends them is `service.worker`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from service.db.cli import db_session


@click.group("alerts", cls=AppGroup)
def alerts_group() -> None:
    """Moderators' mails about pending and reported comments."""


@alerts_group.command("set")
@click.argument("username")
@click.option("--email", required=True, help="Where the alerts go.")
@click.option(
    "--frequency",
    type=click.Choice(["immediate", "daily"]),
    default="immediate",
    show_default=True,
    help="A mail per comment, or one digest a day.",
)
@click.option(
    "--locale", default=None, help="Language of the mails (default: SIDENOTE_MAIL_LOCALE)."
)
def alerts_set(username: str, email: str, frequency: str, locale: str | None) -> None:
    """Mail USERNAME about comments that need a moderator on the sites they moderate."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.notifications.alerts import set_alerts

    with db_session() as session:
        subscription = set_alerts(
            session, username=username, email=email, frequency=frequency, locale=locale
        )
        click.echo(f"alerts for {username}: {subscription.frequency}")


@alerts_group.command("off")
@click.argument("username")
def alerts_off(username: str) -> None:
    """Stop USERNAME's alert mails."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.notifications.alerts import stop_alerts

    with db_session() as session:
        stopped = stop_alerts(session, username=username)
        click.echo(f"alerts for {username}: {'off' if stopped else 'were not on'}")


@alerts_group.command("list")
def alerts_list() -> None:
    """One moderator a line: username, frequency, address."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.moderation.models import Moderator
    from service.notifications.models import EmailAddress, Subscription

    with db_session() as session:
        rows = session.execute(
            select(Moderator.username, Subscription.frequency, EmailAddress.address)
            .join(Subscription, Subscription.moderator_id == Moderator.id)
            .join(EmailAddress, EmailAddress.id == Subscription.email_id)
            .where(Subscription.kind == "moderation")
            .order_by(Moderator.username)
        )
        for username, frequency, address in rows:
            click.echo(f"{username} {frequency} {address}")
