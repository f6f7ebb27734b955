"""The outbox worker: compose due digests, claim due items under a lease, send, record.

Run as `sidenote worker` (production, as many as you like) or inline in the web process
(`SIDENOTE_WORKER=inline`, the default of `make run`): a daemon thread started on the first
request, woken as soon as a transaction that queued something commits.

Nothing is held open while sending: the item is claimed and committed, composed in a read-only
session, sent outside any transaction, then marked in a short write transaction. A worker killed
anywhere in between leaves either a pending item or a claimed one whose lease expires; the next
worker sends it. A mail server or receiver that got it but whose answer was lost will see it
again, under the same Message-ID / X-Sidenote-Delivery, and can drop the repeat.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import and_, delete, exists, select
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.db import get_db
from service.kernel import clock
from service.kernel.actors import SYSTEM_ACTOR
from service.kernel.config import Settings
from service.moderation.spam import calibrate_all, train_settled_comments
from service.notifications import outbox
from service.notifications.compose import COMPOSERS, Cancelled, compose
from service.notifications.digests import compose_due_digests
from service.notifications.mail import build_message
from service.notifications.models import EmailAddress, OutboxItem, Subscription, Webhook
from service.notifications.transport import (
    DeliveryError,
    MailTransport,
    mail_transport,
    post_webhook,
)
from service.notifications.webhooks import signature
from service.privacy import retention

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)
#: How often the worker applies the privacy retention settings (`sidenote purge`).
RETENTION_EVERY = timedelta(days=1)
#: How often the worker trains the spam score on comments that stayed published.
SPAM_SETTLE_EVERY = timedelta(hours=1)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Outcome:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    #: Left alone: its lease ran out (another worker may have it) before its turn came.
    skipped: int = 0
    digests: int = 0

    def add(self, other: Outcome) -> None:
        names = ("claimed", "sent", "retried", "failed", "cancelled", "skipped", "digests")
        for name in names:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Prepared:
    item_id: int
    kind: str
    mail: EmailMessage | None = None
    url: str = ""
    body: str = ""
    headers: dict[str, str] | None = None


class Worker:
    def __init__(
        self,
        app: Flask,
        worker_id: str | None = None,
        transport: MailTransport | None = None,
    ) -> None:
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self.settings: Settings = app.config["SIDENOTE"]
        self.transport = transport or mail_transport(
            self.settings.smtp_url, timeout=self.settings.smtp_timeout_seconds
        )
        self._last_purge: datetime | None = None
        self._last_retention: datetime | None = None
        self._last_settle: datetime | None = None

    def warn_about_settings(self) -> None:
        """Say once, at start, what would silently go wrong otherwise."""
        config = self.settings
        if not config.smtp_url:
            level = logging.WARNING if config.env == "production" else logging.INFO
            log.log(level, "SIDENOTE_SMTP_URL is not set: mails are printed to the console")
        if not config.public_url:  # never in production: it is required there
            log.info("SIDENOTE_PUBLIC_URL is not set: links in mails are relative")

    # -- one round ------------------------------------------------------------------------------

    def run_once(self) -> Outcome:
        """Compose due digests, then claim and deliver one batch of due items. No app context:
        the domain code takes the app's settings and keys from the sessions it is handed."""
        outcome = Outcome()
        database = get_db(self.app)
        session = database.session(write=True)
        try:
            outcome.digests = compose_due_digests(session, base=self.settings.public_url)
            ids = outbox.claim(
                session,
                self.worker_id,
                limit=self.settings.outbox_batch_size,
                lease_seconds=self.settings.outbox_lease_seconds,
            )
        finally:
            session.close()
        outcome.claimed = len(ids)
        if ids:
            with self.transport:
                for item_id in ids:
                    result = self.deliver(item_id)
                    setattr(outcome, result, getattr(outcome, result) + 1)
        self._maybe_purge()
        self._maybe_train_settled()
        return outcome

    def drain(self, max_rounds: int = 1000) -> Outcome:
        """Rounds until nothing is due now (`sidenote worker --once`)."""
        total = Outcome()
        for _ in range(max_rounds):
            outcome = self.run_once()
            total.add(outcome)
            if outcome.claimed == 0 and outcome.digests == 0:
                break
        return total

    def run_forever(self, stop: threading.Event, wake: threading.Event | None = None) -> None:
        self.warn_about_settings()
        log.info("outbox worker %s started", self.worker_id)
        failures = 0
        while not stop.is_set():
            try:
                outcome = self.run_once()
                failures = 0
            except Exception:
                failures += 1
                log.exception("outbox worker round failed")
                stop.wait(min(60.0, 2.0**failures))
                continue
            if outcome.claimed >= self.settings.outbox_batch_size:
                continue
            if wake is not None:
                wake.wait(self.settings.worker_poll_seconds)
                wake.clear()
            else:
                stop.wait(self.settings.worker_poll_seconds)
        log.info("outbox worker %s stopped", self.worker_id)

    # -- one item -------------------------------------------------------------------------------

    def deliver(self, item_id: int) -> str:
        """Send one claimed item and record the result: sent, retried, failed or cancelled."""
        database = get_db(self.app)
        with database.session(write=True) as session:
            lease = self.settings.outbox_lease_seconds
            if not outbox.renew(session, item_id, self.worker_id, lease):
                return "skipped"  # the lease ran out while earlier items were sent
        try:
            prepared = self._prepare(item_id)
        except Cancelled as why:
            with database.session(write=True) as session:
                outbox.cancel(session, item_id, self.worker_id, str(why))
            return "cancelled"
        if prepared is None:
            return "skipped"
        try:
            self._send(prepared)
        except DeliveryError as error:
            with database.session(write=True) as session:
                status = outbox.mark_failed(
                    session,
                    item_id,
                    self.worker_id,
                    str(error),
                    max_attempts=self.settings.outbox_max_attempts,
                    base_seconds=self.settings.outbox_retry_base_seconds,
                    cap_seconds=self.settings.outbox_retry_max_seconds,
                    permanent=error.permanent,
                )
            log.warning("outbox item %s not delivered (%s): %s", item_id, status, error)
            return "failed" if status == "failed" else "retried"
        with database.session(write=True) as session:
            outbox.mark_sent(session, item_id, self.worker_id)
        return "sent"

    def _prepare(self, item_id: int) -> _Prepared | None:
        """Everything the send needs, read in a short read-only session."""
        with get_db(self.app).session() as session:
            item = session.get(OutboxItem, item_id)
            if item is None or item.claimed_by != self.worker_id:
                return None

            if item.kind == "mail":
                mail = compose(session, item, self.app.extensions[COMPOSERS])
                site = session.get(Site, item.site_id) if item.site_id else None
                message = build_message(
                    mail,
                    uid=item.uid,
                    mail_from=self.settings.mail_from,
                    from_name=site.name if site else "Sidenote",
                )
                return _Prepared(item_id, "mail", mail=message)
            webhook = session.get(Webhook, item.webhook_id) if item.webhook_id else None
            if webhook is None or not webhook.active:
                raise Cancelled("the webhook was removed or switched off")
            body = str(item.payload.get("body", ""))
            timestamp = str(int(clock.timestamp()))
            headers = {
                "X-Sidenote-Event": item.event,
                "X-Sidenote-Delivery": item.uid,
                "X-Sidenote-Timestamp": timestamp,
                "X-Sidenote-Signature": signature(webhook.secret, timestamp, body),
            }
            return _Prepared(item_id, "webhook", url=webhook.url, body=body, headers=headers)

    def _send(self, prepared: _Prepared) -> None:
        if prepared.mail is not None:
            self.transport.send(prepared.mail)
            return
        allow_private = self.settings.webhook_allow_private
        if allow_private is None:
            allow_private = self.settings.env != "production"
        post_webhook(
            prepared.url,
            prepared.body,
            prepared.headers or {},
            timeout=self.settings.webhook_timeout_seconds,
            allow_private=allow_private,
        )

    # -- housekeeping ---------------------------------------------------------------------------

    def _maybe_purge(self) -> None:
        now = clock.now()
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return
        self._last_purge = now
        with get_db(self.app).session(write=True) as session:
            purge(session, self.settings)
        if self._last_retention is None or now - self._last_retention >= RETENTION_EVERY:
            self._last_retention = now
            with get_db(self.app).session(write=True) as session:
                retention.purge(session, self.settings, SYSTEM_ACTOR)
                session.commit()

    def _maybe_train_settled(self) -> None:
        """Every site's comments that stayed published train its spam score as legitimate;
        then each site's threshold is re-estimated from its decisions (`spam.calibrate`)."""
        now = clock.now()
        if self._last_settle is not None and now - self._last_settle < SPAM_SETTLE_EVERY:
            return
        self._last_settle = now
        with get_db(self.app).session(write=True) as session:
            trained = train_settled_comments(session)
            calibrate_all(session)
        if trained:
            log.info("spam score: %d published comments trained as legitimate", trained)


def purge(session: Session, config: Settings) -> None:
    """Forget old finished deliveries, never-confirmed subscriptions and unused addresses."""
    outbox.purge(session, config.outbox_retention_days)
    expired = clock.now() - timedelta(seconds=config.confirm_link_max_age)
    session.execute(
        delete(Subscription).where(
            Subscription.confirmed_at.is_(None), Subscription.created_at < expired
        ),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        delete(EmailAddress).where(
            and_(
                EmailAddress.confirmed_at.is_(None),
                EmailAddress.created_at < expired,
                ~exists(select(Subscription.id).where(Subscription.email_id == EmailAddress.id)),
            )
        ),
        execution_options={"synchronize_session": False},
    )
    session.commit()


# -- inline mode ------------------------------------------------------------------------------

_inline_lock = threading.Lock()
_inline_threads: dict[tuple[int, int], threading.Thread] = {}
_inline_stop = threading.Event()


def ensure_inline_worker(app: Flask) -> None:
    """Start this process's inline worker for `app` once (after a fork, again in the child)."""
    key = (os.getpid(), id(app))
    if key in _inline_threads:
        return
    with _inline_lock:
        if key in _inline_threads:
            return
        worker = Worker(app)
        thread = threading.Thread(
            target=worker.run_forever,
            args=(_inline_stop, app.extensions[outbox.WAKE_UP]),
            name="sidenote-outbox",
            daemon=True,
        )
        _inline_threads[key] = thread
        thread.start()


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (tests, cron).")
@click.option("--id", "worker_id", default=None, help="Name in claimed_by (default host:pid:rand).")
@with_appcontext
def worker_command(once: bool, worker_id: str | None) -> None:
    """Send queued mails and webhooks (run one or several; they never take the same item)."""
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
