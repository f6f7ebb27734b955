"""Identity: single sign-on for sites with accounts, verified guests, and a reader's own data.

`init_app` wires the part into an app without touching the database or the network: it resolves
reader sessions before views (and rate limits) run, offers the `sso` feature to the widget,
adds the mail that asks a guest to confirm their address (`create_app` subscribes
`guests.on_comment_created`, which queues it), and registers the verification and data
pages. The API lives in `service/api/sso.py`, the CLI in `commands.py`; docs/sso.md explains it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from service.comments.features import provide
    from service.identity import guests, sessions
    from service.identity.pages import identity_pages
    from service.identity.sso import has_sso_secret
    from service.notifications.compose import add_composers

    sessions.init_app(app)
    provide(app, "sso", has_sso_secret)
    add_composers(app, {"verify": guests.verify_mail})
    app.register_blueprint(identity_pages)
