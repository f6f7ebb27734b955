"""Mail messages: multipart text + HTML from templates, with headers no commenter can forge.

Every user-supplied string that reaches a header (names, thread titles in subjects, the site
name) goes through `header_text`, which drops CR, LF and every other control character, and is
then written onto the wire by us (`EncodedHeader`): printable ASCII as it is, anything else (and
any text holding `=?`, which a mail client would take for an RFC 2047 encoded word) as base64
encoded words of its UTF-8 bytes, folded at our own boundaries. The email package never parses
user text into a header: its parser decodes encoded words found in a value, and before Python
3.11.10 / 3.12.5 (CVE-2024-6923) folding such a value turned an encoded CR/LF into a real line
break, that is a new header (`Reply-To:`, `Bcc:`) or body text. So a name written as
`=?utf-8?q?hi?=` reaches the reader as those very characters, whatever Python runs.
Bodies come from Jinja templates: the HTML part is autoescaped and comment text is inserted as
text, never as markup, so `<script>` in a comment arrives as the visible characters `<script>`.
"""

from __future__ import annotations

import base64
import email.policy
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime

import jinja2

from service.kernel import clock
from service.kernel.i18n import translate

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


#: Printable ASCII that may stand in an unstructured header (Subject) as it is.
_PLAIN_TEXT = re.compile(r"[\x20-\x7e]*")
#: A display name of atoms (RFC 5322 atext) and spaces needs neither quotes nor encoding.
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
#: UTF-8 bytes per encoded word: 45 bytes are 60 base64 characters, 72 with `=?utf-8?b?…?=`,
#: within RFC 2047's 75.
_WORD_BYTES = 45


def encoded_words(text: str) -> list[str]:
    """`text` as RFC 2047 base64 encoded words, never splitting a character between two."""
    chunks: list[bytes] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if chunk and len(chunk) + len(data) > _WORD_BYTES:
            chunks.append(chunk)
            chunk = b""
        chunk += data
    chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(c).decode('ascii')}?=" for c in chunks]


class EncodedHeader(str):
    """A header value we wrote (ASCII, one logical line); the email package stores it as it is.

    `EmailPolicy` keeps a value that has a `name` unparsed and asks it to `fold` itself, so no
    user text ever passes through the email package's header parser or folder. The string is the
    value as sent; `display` is the text a mail client shows.
    """

    name: str
    display: str
    _parts: list[str]

    def __new__(cls, name: str, parts: list[str], display: str) -> EncodedHeader:
        value = super().__new__(cls, " ".join(parts))
        value.name = name
        value.display = display
        value._parts = parts
        return value

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: " + f"{policy.linesep} ".join(self._parts) + policy.linesep


def unstructured_header(name: str, text: str) -> EncodedHeader:
    """Subject-like header: the text as it is if plain, else encoded words (never parsed)."""
    if _PLAIN_TEXT.fullmatch(text) and "=?" not in text:
        return EncodedHeader(name, [text], text)
    return EncodedHeader(name, encoded_words(text), text)


def sender_header(display_name: str, address: str) -> EncodedHeader:
    """`From`: our display name (a site name) before our own address (`SIDENOTE_MAIL_FROM`)."""
    if not display_name:
        return EncodedHeader("From", [address], address)
    if _PLAIN_PHRASE.fullmatch(display_name) and "=?" not in display_name:
        words = [display_name]
    else:
        words = encoded_words(display_name)
    return EncodedHeader("From", [*words, f"<{address}>"], f"{display_name} <{address}>")


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


@functools.cache
def mail_templates() -> jinja2.Environment:
    """The mail templates (`service/templates/notifications/mail/`): plain Jinja, escaped in
    HTML as Flask escapes pages, so the worker renders a mail with no app or request. Built on
    first use, not at import."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("service", "templates"),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "xhtml", "svg")),
    )


def render_mail(template: str, locale: str, **context: object) -> tuple[str, str]:
    """The (text, html) bodies of `notifications/mail/<template>.{txt,html}` in `locale`."""

    def t(key: str, /, **params: object) -> str:
        return translate(locale, key, **params)

    helpers = {"t": t, "quote": quote, "locale": locale}
    templates = mail_templates()
    text = templates.get_template(f"notifications/mail/{template}.txt").render(**helpers, **context)
    html = templates.get_template(f"notifications/mail/{template}.html").render(
        **helpers, **context
    )
    return text.strip() + "\n", html


def message_domain(mail_from: str) -> str:
    return mail_from.rpartition("@")[2] or "localhost"


def build_message(mail: Mail, *, uid: str, mail_from: str, from_name: str) -> EmailMessage:
    """The MIME message; `uid` (the outbox item's stable id) becomes its Message-ID."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender_header(header_text(from_name, NAME_MAX), mail_from)
    to_local, _, to_domain = mail.to.strip().rpartition("@")
    message["To"] = Address(username=header_text(to_local, 64), domain=header_text(to_domain, 190))
    message["Subject"] = unstructured_header("Subject", header_text(mail.subject))
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<{uid}@{message_domain(mail_from)}>"
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in mail.headers.items():
        message[name] = unstructured_header(name, header_text(value))
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = mail.locale  # after set_content, which drops Content-*
    return message
