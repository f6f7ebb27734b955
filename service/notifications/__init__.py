"""Notifications: reader subscriptions, author and moderator mails, webhooks, and the outbox.

`init_app` wires the part into an app without touching the database or the network: it adds
the mail templates, wakes the inline worker after commits that queued mail, registers the pages
behind mail links and the moderators' webhook page, offers the `subscriptions` feature to the
widget, and, with `SIDENOTE_WORKER=inline`, starts the outbox worker thread on the first request.
"""

from __future__ import annotations

from flask import Flask

from service.comments.features import provide
from service.kernel.config import Settings


def init_app(app: Flask) -> None:
    from service.notifications import outbox
    from service.notifications.compose import TEMPLATES, add_composers
    from service.notifications.pages import pages
    from service.notifications.webhook_pages import webhook_pages

    provide(app, "subscriptions", lambda site: bool(site.settings.get("subscriptions", True)))
    add_composers(app, TEMPLATES)
    outbox.listen(app)
    app.register_blueprint(pages)
    app.register_blueprint(webhook_pages)
    settings: Settings = app.config["SIDENOTE"]
    if settings.worker == "inline":

        @app.before_request
        def _start_inline_worker() -> None:
            from service.worker import ensure_inline_worker

            ensure_inline_worker(app)
