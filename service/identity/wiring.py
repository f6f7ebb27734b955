"""How identity plugs into an app: reader sessions resolved before views (and rate limits) run,
the `sso` feature offered to the widget, the address-verification mail, and the identity pages."""

from __future__ import annotations

from flask import Flask

from service.comments.features import FEATURES, provide
from service.identity import auth, guests
from service.identity.pages import identity_pages
from service.identity.sso import has_sso_secret
from service.notifications.compose import COMPOSERS, add_composers


def init_app(app: Flask) -> None:
    auth.init_app(app)
    provide(app.extensions[FEATURES], "sso", has_sso_secret)
    add_composers(app.extensions[COMPOSERS], {"verify": guests.verify_mail})
    app.register_blueprint(identity_pages)
