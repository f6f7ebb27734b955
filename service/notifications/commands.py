"""`sidenote worker` (send the outbox) and `sidenote alerts` (moderators' alert mails)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from service.db.cli import db_session


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (tests, cron).")
@click.option("--id", "worker_id", default=None, help="Name in claimed_by (default host:pid:rand).")
@with_appcontext
def worker_command(once: bool, worker_id: str | None) -> None:
    """Send queued mails and webhooks (run one or several; they never take the same item)."""
    from service.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = Worker(current_app._get_current_object(), worker_id)  # type: ignore[attr-defined]
    if once:
        worker.warn_about_settings()
        outcome = worker.drain()
        click.echo(
            f"sent {outcome.sent}, retried {outcome.retried}, failed {outcome.failed}, "
            f"cancelled {outcome.cancelled}, digests {outcome.digests}"
        )
        return
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"worker: stopping after the current item ({signal.Signals(signum).name})")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker.run_forever(stop)


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
    from service.notifications.alerts import stop_alerts

    with db_session() as session:
        stopped = stop_alerts(session, username=username)
        click.echo(f"alerts for {username}: {'off' if stopped else 'were not on'}")


@alerts_group.command("list")
def alerts_list() -> None:
    """One moderator a line: username, frequency, address."""
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
