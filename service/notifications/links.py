"""Signed links in mails: confirm, unsubscribe, manage, the moderators' approve/reject, and (for
the identity part) a guest's address verification and a reader's data page.

Tokens are itsdangerous signatures (`service.kernel.keys`) over a row id and that row's random
`token_nonce`, so a leaked database alone forges nothing and replacing the nonce revokes links.
Confirmation and moderation links also expire (their issue time `t` comes from the one clock);
a moderation link additionally names the status change it was made for, so it works once:
after any decision it no longer matches.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.comments.models import Comment
from service.db import keys_of, settings_of
from service.kernel import clock
from service.kernel.clock import isoformat
from service.kernel.config import Settings
from service.kernel.keys import Keys
from service.kernel.urls import BadUrl, normalize_page_url
from service.notifications.models import EmailAddress, Subscription

DECISIONS = ("approve", "reject")


def _issued_now() -> int:
    return int(clock.timestamp())


@dataclass(frozen=True)
class Links:
    """Signs and reads the links of one app: its keys sign them, its settings say where they
    point and how long they last."""

    keys: Keys
    settings: Settings

    def base_url(self) -> str:
        """Where links in mails point: `SIDENOTE_PUBLIC_URL` (with the path prefix the service is
        served under), never the request's `Host` (a client chooses that header). Required in
        production; outside it, unset means relative links."""
        return self.settings.public_url

    def confirm_token(self, subscription: Subscription) -> str:
        return self.keys.sign(
            "confirm", {"s": subscription.id, "n": subscription.token_nonce, "t": _issued_now()}
        )

    def unsubscribe_token(self, subscription: Subscription) -> str:
        return self.keys.sign("unsubscribe", {"s": subscription.id, "n": subscription.token_nonce})

    def author_unsubscribe_token(
        self, address: EmailAddress, comment: Comment | None = None
    ) -> str:
        """Every mail about the address's own comments; with `comment`, the replies below it."""
        payload: dict[str, Any] = {"a": address.id, "n": address.token_nonce}
        if comment is not None:
            payload["c"] = comment.id
        return self.keys.sign("unsubscribe", payload)

    def manage_token(self, address: EmailAddress) -> str:
        return self.keys.sign("manage", {"e": address.id, "n": address.token_nonce})

    def decide_token(self, comment: Comment, action: str, moderator_id: int) -> str:
        return self.keys.sign(
            "decide",
            {
                "c": comment.id,
                "a": action,
                "m": moderator_id,
                "v": isoformat(comment.status_changed_at),
                "t": _issued_now(),
            },
        )

    def verify_token(
        self,
        address: EmailAddress,
        site_id: int,
        return_url: str,
        version: str | None,
        browser: str | None = None,
    ) -> str:
        """A guest proves `address` and signs in on `site_id`, then goes back to `return_url`.

        `version` is the guest's last sign-in when the link was made: a sign-in retires the link.
        `browser` is the keyed hash of the browser that asked (`sessions.browser_key`): the login
        code the link leads to signs in by itself only there.
        """
        return self.keys.sign(
            "verify",
            {
                "a": address.id,
                "n": address.token_nonce,
                "s": site_id,
                "u": return_url,
                "v": version,
                "b": browser,
                "t": _issued_now(),
            },
        )

    def verify_url(
        self,
        base: str,
        address: EmailAddress,
        site_id: int,
        return_url: str,
        version: str | None,
        browser: str | None = None,
    ) -> str:
        return f"{base}/verify/{self.verify_token(address, site_id, return_url, version, browser)}"

    def read_verify_token(self, token: str) -> dict[str, Any] | None:
        payload = self.keys.unsign("verify", token)
        if not isinstance(payload, dict) or not _shape(payload, "a"):
            return None
        if not isinstance(payload.get("s"), int):
            return None
        if not isinstance(payload.get("u"), str) or not isinstance(payload.get("v"), str | None):
            return None
        if not isinstance(payload.get("b"), str | None):
            return None
        return payload if _fresh(payload, self.settings.confirm_link_max_age) else None

    def data_token(
        self,
        *,
        nonce: str,
        max_age: int,
        address_id: int | None = None,
        identity_id: int | None = None,
    ) -> str:
        """A reader's data page: for an address (mail links) or a signed-in identity (widget)."""
        subject = {"e": address_id} if address_id is not None else {"i": identity_id}
        return self.keys.sign(
            "reader-data", {**subject, "n": nonce, "t": _issued_now(), "x": max_age}
        )

    def data_url(self, base: str, address: EmailAddress) -> str:
        token = self.data_token(
            nonce=address.token_nonce,
            max_age=self.settings.data_link_max_age,
            address_id=address.id,
        )
        return f"{base}/me/{token}"

    def read_data_token(self, token: str) -> dict[str, Any] | None:
        payload = self.keys.unsign("reader-data", token)
        if not isinstance(payload, dict) or not (_shape(payload, "e") or _shape(payload, "i")):
            return None
        if not isinstance(payload.get("x"), int):
            return None
        return payload if _fresh(payload, payload["x"]) else None

    def read_confirm_token(self, token: str) -> dict[str, Any] | None:
        payload = self.keys.unsign("confirm", token)
        if not isinstance(payload, dict) or not _shape(payload, "s"):
            return None
        return payload if _fresh(payload, self.settings.confirm_link_max_age) else None

    def read_decide_token(self, token: str) -> dict[str, Any] | None:
        payload = self.keys.unsign("decide", token)
        if not _fresh(payload, self.settings.moderation_link_max_age):
            return None
        if not isinstance(payload, dict) or payload.get("a") not in DECISIONS:
            return None
        if not all(isinstance(payload.get(k), int) for k in ("c", "m")):
            return None
        return payload

    def read_token(self, purpose: str, token: str, *ids: str) -> dict[str, Any] | None:
        """The payload of an unexpiring token if it carries one of `ids` (an id) and a nonce."""
        payload = self.keys.unsign(purpose, token)
        return payload if any(_shape(payload, key) for key in ids) else None

    def confirm_url(self, base: str, subscription: Subscription) -> str:
        return f"{base}/subscriptions/confirm/{self.confirm_token(subscription)}"

    def unsubscribe_url(self, base: str, subscription: Subscription) -> str:
        return f"{base}/unsubscribe/{self.unsubscribe_token(subscription)}"

    def author_unsubscribe_url(
        self, base: str, address: EmailAddress, comment: Comment | None = None
    ) -> str:
        return f"{base}/unsubscribe/{self.author_unsubscribe_token(address, comment)}"

    def manage_url(self, base: str, address: EmailAddress) -> str:
        return f"{base}/subscriptions/manage/{self.manage_token(address)}"

    def decide_url(self, base: str, comment: Comment, action: str, moderator_id: int) -> str:
        return f"{base}/mail/decide/{self.decide_token(comment, action, moderator_id)}"


def of(session: Session) -> Links:
    """The links of the app whose database made `session`."""
    return Links(keys_of(session), settings_of(session))


def _fresh(payload: Any, max_age: int) -> bool:
    """Issued (`t`, by the one clock, so tests can age links) no longer than `max_age` ago."""
    issued = payload.get("t") if isinstance(payload, dict) else None
    return isinstance(issued, int) and 0 <= clock.timestamp() - issued <= max_age


def _shape(payload: Any, key: str) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get(key), int)
        and isinstance(payload.get("n"), str)
    )


def nonce_matches(payload: dict[str, Any], nonce: str) -> bool:
    return hmac.compare_digest(str(payload["n"]), nonce)


def page_url(thread_url: str) -> str:
    """A thread's stored URL, normalised (`service.kernel.urls`) again so that a row stored before
    URLs were normalised links where a browser would go; "" if it is not a page URL."""
    try:
        return normalize_page_url(thread_url)
    except BadUrl:
        return ""


def comment_url(thread_url: str, comment_id: int) -> str:
    """The page with the comment; the widget scrolls to `#comment-<id>` (its permalinks)."""
    page = page_url(thread_url)
    return f"{page}#comment-{comment_id}" if page else ""
