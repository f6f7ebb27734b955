"""How notifications plug into an app: the `subscriptions` feature offered to the widget, the
mail templates, the outbox's session listener, and the pages behind mail links and webhooks."""

from __future__ import annotations

from flask import Flask

from service.comments.features import provide
from service.notifications import outbox
from service.notifications.compose import TEMPLATES, add_composers
from service.notifications.pages import pages
from service.notifications.webhook_pages import webhook_pages


def init_app(app: Flask) -> None:
    provide(app, "subscriptions", lambda site: bool(site.settings.get("subscriptions", True)))
    add_composers(app, TEMPLATES)
    outbox.listen(app)
    app.register_blueprint(pages)
    app.register_blueprint(webhook_pages)
