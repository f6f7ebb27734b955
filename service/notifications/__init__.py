"""Notifications: reader subscriptions, author and moderator mails, webhooks, and the outbox.

`wiring.init_app` wires the part into an app without touching the database or the network: it adds
the mail templates, wakes the inline worker after commits that queued mail, registers the pages
behind mail links and the moderators' webhook page, offers the `subscriptions` feature to the
widget, and, with `SIDENOTE_WORKER=inline`, starts the outbox worker thread on the first request.
"""
