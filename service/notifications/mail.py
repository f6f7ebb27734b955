"""Mail messages: multipart text + HTML from templates, with headers no commenter can forge.

Every user-supplied string that reaches a header (names, thread titles in subjects, the site
name) goes through `header_text`, which drops CR, LF and every other control character before
`email.message.EmailMessage` (policy `default`, which itself refuses line breaks) encodes it.
Bodies come from Jinja templates: the HTML part is autoescaped and comment text is inserted as
text, never as markup, so `<script>` in a comment arrives as the visible characters `<script>`.
"""

from __future__ import annotations

import email.policy
import re
import unicodedata
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask import render_template

from service import clock
from service.notifications.i18n import translate

_SPACE = re.compile(r"\s+")
#: Folding at 78 would turn a long `List-Unsubscribe: <https://…>` into an encoded word that
#: mail clients cannot use; RFC 5322 allows 998.
MAIL_POLICY = email.policy.default.clone(max_line_length=998)
SUBJECT_MAX = 200
NAME_MAX = 80


def header_text(value: str, limit: int = SUBJECT_MAX) -> str:
    """One line of plain text for a header: no control or format characters, bounded length."""
    cleaned = "".join(
        " " if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in value
    )
    cleaned = _SPACE.sub(" ", cleaned).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


@dataclass
class Mail:
    """A rendered mail before it becomes MIME: what the composers produce and tests inspect."""

    to: str
    subject: str
    text: str
    html: str
    locale: str
    unsubscribe_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def quote(text: str) -> str:
    """Comment text for the plain-text part: each line indented, control characters dropped."""
    lines = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return "\n".join(f"    {line}" if line else "" for line in lines.splitlines())


def render_mail(template: str, locale: str, **context: object) -> tuple[str, str]:
    """The (text, html) bodies of `notifications/mail/<template>.{txt,html}` in `locale`."""

    def t(key: str, /, **params: object) -> str:
        return translate(locale, key, **params)

    helpers = {"t": t, "quote": quote, "locale": locale}
    text = render_template(f"notifications/mail/{template}.txt", **helpers, **context)
    html = render_template(f"notifications/mail/{template}.html", **helpers, **context)
    return text.strip() + "\n", html


def message_domain(mail_from: str) -> str:
    return mail_from.rpartition("@")[2] or "localhost"


def build_message(mail: Mail, *, uid: str, mail_from: str, from_name: str) -> EmailMessage:
    """The MIME message; `uid` (the outbox item's stable id) becomes its Message-ID."""
    message = EmailMessage(policy=MAIL_POLICY)
    local, _, domain = mail_from.partition("@")
    message["From"] = Address(
        display_name=header_text(from_name, NAME_MAX), username=local, domain=domain
    )
    to_local, _, to_domain = mail.to.strip().rpartition("@")
    message["To"] = Address(username=header_text(to_local, 64), domain=header_text(to_domain, 190))
    message["Subject"] = header_text(mail.subject)
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<{uid}@{message_domain(mail_from)}>"
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in mail.headers.items():
        message[name] = header_text(value)
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = mail.locale  # after set_content, which drops Content-*
    return message
