"""Identity: single sign-on for sites with accounts, verified guests, and a reader's own data.

`wiring.init_app` wires the part into an app without touching the database or the network: it
resolves reader sessions before views (and rate limits) run, offers the `sso` feature to the
widget, adds the mail that asks a guest to confirm their address (`create_app` subscribes
`guests.on_comment_created`, which queues it), and registers the verification and data pages.
The API lives in `api.py`, the CLI in `commands.py`; docs/sso.md explains it.
"""
