"""Verified guests: a guest proves an email address once, with a link in a mail, and is known by
a stable pseudonymous identity from then on (`identities.guest_key`: a keyed hash of the address).

The mail is the notifications part's double opt-in, extended: it leaves through the outbox as a
`confirm` item (so it shares `SIDENOTE_RATELIMIT_CONFIRM_MAIL` with subscription confirmations),
uses the same layout and catalogs, and its link (`/verify/<token>`, signed over the address's
nonce, expiring like confirmation links) opens a page whose button confirms. Confirming marks the
address confirmed (as a subscription confirmation would), makes the identity, publishes the
guest's comments that waited only for this (`unverified_guest`), and hands the widget a one-time
login code in the link back to the page (`#sidenote-login=snc_…`), which it exchanges for a
session. A verification link signs in once: using it (or a newer one) retires it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments import events
from service.comments.models import Comment, CommentStatus, Site, Thread
from service.comments.posting import author_key
from service.comments.site_identity import identity_settings
from service.comments.sites import get_site, page_url_on_site, safe_page_url
from service.comments.verdicts import ReasonCode
from service.comments.visibility import change_status
from service.db import keys_of, settings_of
from service.identity import identities, sessions
from service.identity.models import Identity
from service.kernel import clock
from service.kernel.clock import isoformat
from service.kernel.errors import SsoRequired
from service.kernel.i18n import pick_locale, translate
from service.kernel.keys import IP_VOTER_PREFIX
from service.notifications import links, outbox
from service.notifications.compose import Cancelled, site_name
from service.notifications.mail import Mail, render_mail
from service.notifications.models import EmailAddress
from service.notifications.subscriptions import confirmation_allowed, get_or_create_address

LOGIN_FRAGMENT = "sidenote-login="
#: Held comments a verification page shows and publishes at most.
MAX_HELD = 20


def request_verification(
    session: Session,
    *,
    site_slug: str,
    thread_url: str,
    email: str,
    name: str = "",
    ip_hash: str | None = None,
    locale: str | None = None,
    browser: str | None = None,
) -> None:
    """Mail a verification link to `email` (silently nothing beyond the confirmation limit).

    `browser` (`sessions.browser_key` of the widget's browser id) binds the login code to it."""
    site = get_site(session, site_slug)
    if identity_settings(site).sso_required:
        raise SsoRequired("This site asks you to sign in with your account on it.")
    page = page_url_on_site(site, thread_url)
    address = get_or_create_address(session, email)
    queue_verification_mail(
        session, site, address, page, ip_hash, locale=locale, name=name, browser=browser
    )


def queue_verification_mail(
    session: Session,
    site: Site,
    address: EmailAddress,
    return_url: str,
    ip_hash: str | None,
    *,
    locale: str | None = None,
    name: str = "",
    browser: str | None = None,
) -> bool:
    if not confirmation_allowed(session, address, ip_hash):
        return False
    outbox.enqueue(
        session,
        [
            {
                "kind": "mail",
                "event": "confirm",
                "site_id": site.id,
                "recipient_hash": address.address_hash,
                "requester_hash": ip_hash,
                "payload": {
                    "template": "verify",
                    "email_id": address.id,
                    "site_id": site.id,
                    "return_url": safe_page_url(site, return_url),
                    "name": name.strip()[:100],
                    "locale": locale,
                    "base": links.of(session).base_url(),
                    "browser": browser,
                },
            }
        ],
    )
    return True


def on_comment_created(session: Session, event: events.CommentEvent) -> None:
    """A guest's comment waits for their address: mail them the link that publishes it."""
    comment = event.comment
    if comment.status != CommentStatus.PENDING or not comment.author_email.strip():
        return
    if not any(
        reason.get("code") == ReasonCode.UNVERIFIED_GUEST for reason in comment.moderation_reasons
    ):
        return
    site = session.get_one(Site, comment.site_id)
    thread = session.get_one(Thread, comment.thread_id)
    address = get_or_create_address(session, comment.author_email)
    queue_verification_mail(
        session,
        site,
        address,
        thread.url,
        comment.ip_hash,
        locale=(site.settings or {}).get("locale"),
        name=comment.author_name,
        browser=_browser_of(comment),
    )


def _browser_of(comment: Comment) -> str | None:
    """The poster's browser (the keyed id the widget sent as `X-Sidenote-Voter`), not an IP."""
    key = comment.voter_key
    return key if key and not key.startswith(IP_VOTER_PREFIX) else None


def held_comments(session: Session, site_id: int, address: EmailAddress) -> list[Comment]:
    """The guest's comments on the site that wait for this address to be confirmed."""
    rows = session.scalars(
        select(Comment)
        .where(
            Comment.site_id == site_id,
            Comment.status == CommentStatus.PENDING,
            Comment.identity_key.is_(None),
            func.lower(Comment.author_email) == address.address.strip().lower(),
        )
        .order_by(Comment.id)
        .limit(200)
    )
    return [
        comment
        for comment in rows
        if any(
            reason.get("code") == ReasonCode.UNVERIFIED_GUEST
            for reason in comment.moderation_reasons
        )
    ][:MAX_HELD]


def verify_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    address_id, site_id = payload.get("email_id"), payload.get("site_id")
    address = session.get(EmailAddress, address_id) if isinstance(address_id, int) else None
    site = session.get(Site, site_id) if isinstance(site_id, int) else None
    if address is None or site is None:
        raise Cancelled("the address or the site no longer exists")
    locale = pick_locale(
        str(payload.get("locale") or ""),
        (site.settings or {}).get("locale"),
        settings_of(session).mail_locale,
    )
    held = bool(held_comments(session, site.id, address))
    return_url = safe_page_url(site, str(payload.get("return_url") or ""))
    version = _sign_in_version(session, address)
    browser = payload.get("browser") if isinstance(payload.get("browser"), str) else None
    context = {
        "site_name": site_name(site),
        "held": held,
        "verify_link": links.of(session).verify_url(
            base, address, site.id, return_url, version, browser
        )
        + _name_suffix(payload),
    }
    subject = translate(locale, "verify.subject", site=site_name(site))
    text, html = render_mail("verify", locale, subject=subject, **context)
    return Mail(to=address.address, subject=subject, text=text, html=html, locale=locale)


def _sign_in_version(session: Session, address: EmailAddress) -> str | None:
    """When the guest last signed in with a link (None: never): links made before it are used."""
    identity = identities.by_key(session, identities.guest_key(keys_of(session), address.address))
    return isoformat(identity.last_seen_at) if identity is not None else None


def _name_suffix(payload: dict[str, Any]) -> str:
    """The name the guest typed rides along as a query (unsigned: it only fills the page's form)."""
    name = str(payload.get("name") or "").strip()
    return f"?name={quote(name[:100])}" if name else ""


# -- the link ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    address: EmailAddress
    site: Site
    return_url: str
    browser: str | None = None


def verification_for_token(session: Session, token: str) -> Verification | None:
    """What a verification link is for, or None if it is forged, expired or already used."""
    payload = links.of(session).read_verify_token(token)
    if payload is None:
        return None
    address = session.get(EmailAddress, payload["a"])
    site = session.get(Site, payload["s"])
    if address is None or site is None or not links.nonce_matches(payload, address.token_nonce):
        return None
    if payload["v"] != _sign_in_version(session, address):
        return None  # signed in with this link (or a newer one) already
    return_url = safe_page_url(site, payload["u"])
    return Verification(address, site, return_url, payload.get("b"))


@dataclass(frozen=True)
class Verified:
    identity: Identity
    published: list[Comment]
    login_code: str
    return_link: str


def confirm(session: Session, verification: Verification, name: str = "") -> Verified:
    """The owner pressed the button: see the module docstring."""
    address, site = verification.address, verification.site
    address.confirmed_at = address.confirmed_at or clock.now()
    identity = identities.guest_identity(session, address, name)
    published = publish_held(session, site, address, identity)
    code = sessions.issue_login_code(session, identity, site.id, verification.browser)
    return Verified(identity, published, code, login_link(verification.return_url, code))


def login_link(return_url: str, code: str) -> str:
    return f"{return_url.split('#')[0]}#{LOGIN_FRAGMENT}{code}" if return_url else ""


def sign_in_after_confirmation(
    session: Session, address: EmailAddress, site: Site, return_url: str
) -> str:
    """A subscription confirmation proves the address too: a sign-in link back to the page."""
    page = safe_page_url(site, return_url)
    if identity_settings(site).sso_required or not page:
        return ""
    identity = identities.guest_identity(session, address)
    return login_link(page, sessions.issue_login_code(session, identity, site.id))


def publish_held(
    session: Session, site: Site, address: EmailAddress, identity: Identity
) -> list[Comment]:
    """The guest's waiting comments become theirs; those held for nothing else are published."""
    published = []
    for comment in held_comments(session, site.id, address):
        comment.identity_key = identity.key
        comment.author_key = author_key(keys_of(session), identity.key, "", "", None)
        reasons = [
            r for r in comment.moderation_reasons if r.get("code") != ReasonCode.UNVERIFIED_GUEST
        ]
        comment.moderation_reasons = reasons
        if any(reason.get("verdict") == "hold" for reason in reasons):
            continue
        change_status(session, comment, CommentStatus.APPROVED, announce=False)
        events.emit(
            session,
            events.CommentEvent(
                "comment.approved",
                comment,
                previous_status=CommentStatus.PENDING,
                data={"cause": "author"},
            ),
        )
        published.append(comment)
    session.flush()
    return published
