"""Markdown to safe HTML, once, at write time. The only module that imports a sanitiser.

markdown-it-py renders CommonMark with strikethrough and linkify; raw HTML in the source is shown as
text, and headings, images and tables stay as the text the reader typed. The sanitiser then polices
markdown-it's own output against `ALLOWED_TAGS`/`ALLOWED_ATTRIBUTES` (raw HTML never reaches it, so
its job is defence in depth). Two backends pass the same tests: bleach (default; 6.4 is its last
release) and nh3. The widget re-checks stored HTML against the same allowlist, generated from here
(`allowlist_for_widget`).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.image import image as parse_image

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "del", "hr"}
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "rel"}),
    "code": frozenset({"class"}),
    "ol": frozenset({"start"}),
}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"
CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,32}$")
OL_START = re.compile(r"^[0-9]{1,9}$")
WEBSITE_SCHEMES = frozenset({"http", "https"})

Sanitizer = Callable[[str], str]


def _image_as_text(state: StateInline, silent: bool) -> bool:
    """`![alt](url)` stays the text the reader typed: comments never load images."""
    start = state.pos
    if not parse_image(state, True):
        return False
    if not silent:
        token = state.push("text", "", 0)
        token.content = state.src[start : state.pos]
    return True


def _link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", LINK_REL)
    return str(self.renderToken(tokens, idx, options, env))


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable(["linkify", "strikethrough"])
    md.disable(["heading", "lheading"])
    md.inline.ruler.at("image", _image_as_text)
    md.add_render_rule("link_open", _link_open)
    # markdown-it prints <s> for ~~text~~; our allowlist (and the widget's) speaks <del>.
    md.add_render_rule("s_open", lambda *_a: "<del>")
    md.add_render_rule("s_close", lambda *_a: "</del>")
    return md


def href_allowed(value: str) -> bool:
    """Only absolute http(s) and mailto links survive; relative and script URLs do not."""
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in ALLOWED_SCHEMES


def attribute_allowed(tag: str, name: str, value: str) -> bool:
    """The single attribute policy both backends apply."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if tag == "a" and name == "href":
        return href_allowed(value)
    if tag == "a" and name == "rel":
        return value == LINK_REL
    if tag == "code":
        return bool(CODE_CLASS.match(value))
    if tag == "ol":
        return bool(OL_START.match(value))
    return True


def _bleach_sanitizer() -> Sanitizer:
    """One bleach `Cleaner` per thread: its HTML parser keeps state while it works, so a cleaner
    shared by the threads of a server mixes the comments they clean at the same moment."""
    import bleach  # only this module imports a sanitiser

    per_thread = threading.local()

    def clean(html: str) -> str:
        cleaner = getattr(per_thread, "cleaner", None)
        if cleaner is None:
            cleaner = per_thread.cleaner = bleach.Cleaner(
                tags=ALLOWED_TAGS,
                attributes=lambda tag, name, value: attribute_allowed(tag, name, value),
                protocols=ALLOWED_SCHEMES,
                strip=True,
                strip_comments=True,
            )
        cleaned: str = cleaner.clean(html)
        return cleaned

    return clean


def _nh3_sanitizer() -> Sanitizer:
    import nh3

    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}

    def keep(tag: str, name: str, value: str) -> str | None:
        return value if attribute_allowed(tag, name, value) else None

    def clean(html: str) -> str:
        return nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            attributes=attributes,
            attribute_filter=keep,
            url_schemes=set(ALLOWED_SCHEMES),
            link_rel=None,
            strip_comments=True,
        )

    return clean


SANITIZERS: dict[str, Callable[[], Sanitizer]] = {
    "bleach": _bleach_sanitizer,
    "nh3": _nh3_sanitizer,
}


@functools.cache
def sanitizer(name: str = "bleach") -> Sanitizer:
    """The cached cleaner for a backend (`SIDENOTE_SANITIZER`)."""
    return SANITIZERS[name]()


def render_markdown(source: str, backend: str = "bleach") -> str:
    """Reader Markdown to the HTML we store and serve."""
    html = _markdown().render(source)
    return sanitizer(backend)(html).strip()


# -- invisible and XML-invalid characters ---------------------------------------------------

#: Bidi embeddings, overrides, isolates and marks: they reorder or disguise what a reader sees
#: ("evil.exe" shown as "exe.live") without being visible themselves.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Zero-width and invisible formatting characters (ZWSP, word joiner, invisible operators,
#: BOM/ZWNBSP, Mongolian vowel separator, soft hyphen).
_ZERO_WIDTH = "\u00ad\u180e\u200b\u2060-\u2064\ufeff"
_INVISIBLE = re.compile(f"[{_BIDI}{_ZERO_WIDTH}]")
#: ZWNJ/ZWJ are spelling in Arabic, Persian and Indic scripts and glue emoji sequences; between
#: Latin, Greek or Cyrillic letters (or at an edge) they only make look-alikes.
_JOINERS = re.compile("[\u200c\u200d]")
_JOINING_SCRIPTS_FROM = 0x0590

#: Characters XML 1.0 does not allow (C0 controls but tab, newline and carriage return;
#: surrogates; U+FFFE and U+FFFF): refused in reader text, and never written into a feed.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _keep_joiner(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    joining = any(ch and ord(ch) >= _JOINING_SCRIPTS_FROM for ch in (before, after))
    return match.group() if joining else ""


def strip_invisible(text: str) -> str:
    """`text` without bidi controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C) and zero-width
    characters (U+200B, U+2060-2064, U+FEFF, U+180E, U+00AD; U+200C/U+200D unless next to a
    character of a script that needs them, or an emoji). The one function for what is stored:
    names, bodies and titles go through it. Word-rule matching (`moderation.text.fold`) removes
    a wider set on top (every joiner, variation selectors, tag characters), since there nothing
    is shown and a false split only helps an evasion."""
    text = _INVISIBLE.sub("", text)
    return _JOINERS.sub(_keep_joiner, text) if "\u200c" in text or "\u200d" in text else text


def clean_display_name(text: str, limit: int = 100) -> str:
    """A reader's name as shown: invisible characters stripped, any run of whitespace or other
    control/separator characters one space, trimmed to `limit`. Guest and SSO names alike."""
    text = strip_invisible(text)
    text = "".join(
        " " if unicodedata.category(ch)[0] in "CZ" and ch not in "\u200c\u200d" else ch
        for ch in text
    )
    return " ".join(text.split())[:limit]


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (for feeds: never an invalid feed)."""
    return XML_INVALID.sub("", text)


def clean_website(value: str) -> str | None:
    """A website as plain text: an http(s) URL without whitespace, else None."""
    value = value.strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEBSITE_SCHEMES or not parts.netloc or re.search(r"\s", value):
        return None
    return value


def allowlist_for_widget() -> dict[str, Any]:
    """The allowlist as data, for the widget's build (its HTML re-check must agree with ours)."""
    return {
        "tags": sorted(ALLOWED_TAGS),
        "attributes": {tag: sorted(names) for tag, names in sorted(ALLOWED_ATTRIBUTES.items())},
        "schemes": sorted(ALLOWED_SCHEMES),
        "rel": LINK_REL,
        "codeClass": CODE_CLASS.pattern,
        "olStart": OL_START.pattern,
    }
