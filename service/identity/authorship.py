"""Who a new comment is from: a signed-in reader (SSO user or verified guest) or a guest.

A signed-in reader's comment carries their identity key, the name and private details of their
identity (never what the form says), their identity's voter key (votes, reports and voter bans
follow the person across devices) and `signals.authenticated`, which spares it the form token
and honeypot checks meant for anonymous bots. Guests are refused on a site that requires SSO, and
must give an address on a site that verifies guests (their comment waits until they confirm it).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from service.comments.posting import NewComment
from service.comments.site_identity import identity_settings
from service.comments.sites import get_site
from service.identity.sessions import Reader, session_refused
from service.kernel.actors import Principal
from service.kernel.errors import SsoRequired, ValidationFailed
from service.notifications.models import EmailAddress


def sent_by_integration(session: Session, new: NewComment, principal: Principal) -> NewComment:
    """`new` sent with an API token of this site: an integration's server vouches for it, so the
    checks meant for bots filling in the public form (form token, honeypot) do not apply."""
    site = get_site(session, new.site)
    principal.require("read", site.id)
    return dataclasses.replace(
        new, signals=dataclasses.replace(new.signals, api_token=principal.id)
    )


def as_author(session: Session, new: NewComment, reader: Reader | None) -> NewComment:
    """`new` as the signed-in reader's comment, or checked as a guest's (see module docstring)."""
    site = get_site(session, new.site)
    config = identity_settings(site)
    if reader is not None and reader.site_id != site.id:
        raise session_refused("This session belongs to another site. Sign in on this one.")
    if reader is None or (config.sso_required and reader.identity.kind != "sso"):
        if config.sso_required:
            raise SsoRequired("This site asks you to sign in with your account on it to comment.")
        if config.verify_guests and not new.author_email.strip():
            message = "Give your email address: guests' comments appear once it is confirmed."
            raise ValidationFailed.on("author.email", message)
        return new
    identity = reader.identity
    if identity.kind == "sso":
        email, website = identity.email, identity.website
        name = identity.display_name
    else:
        address = session.get(EmailAddress, identity.email_id) if identity.email_id else None
        email, website = (address.address if address else ""), new.author_website
        name = identity.display_name or new.author_name
        if not identity.display_name and name:
            identity.display_name = name
    return dataclasses.replace(
        new,
        author_name=name,
        author_email=email,
        author_website=website,
        identity_key=identity.key,
        voter_key=reader.voter_key,
        signals=dataclasses.replace(new.signals, authenticated=True, site_role=identity.role),
    )
