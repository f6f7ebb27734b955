"""How notifications plug into an app: the `subscriptions` feature offered to the widget, the
mail templates, the outbox's session listener, and the pages behind mail links and webhooks."""

from __future__ import annotations

import functools
import threading

from flask import Flask

from service.comments.features import FEATURES, provide
from service.db import get_db
from service.notifications import outbox
from service.notifications.compose import COMPOSERS, TEMPLATES, add_composers
from service.notifications.pages import pages
from service.notifications.webhook_pages import webhook_pages


def init_app(app: Flask) -> None:
    provide(
        app.extensions[FEATURES],
        "subscriptions",
        lambda site: bool(site.settings.get("subscriptions", True)),
    )
    add_composers(app.extensions[COMPOSERS], TEMPLATES)
    # Wake the app's inline worker after a commit that enqueued an item.
    wake_up = app.extensions[outbox.WAKE_UP] = threading.Event()
    database = get_db(app)
    database.listen("after_commit", functools.partial(outbox.wake_on_commit, wake_up))
    database.listen("after_rollback", outbox.forget_enqueued)
    app.register_blueprint(pages)
    app.register_blueprint(webhook_pages)
