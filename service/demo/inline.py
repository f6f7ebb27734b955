"""Inline comments for the demo article (development only).

The anchors are computed on the article's text exactly as the widget's text model builds it
("normalization v1", embed/src/inline/text.ts): the same skipped elements, block boundaries,
character folds and fingerprint. (The widget also breaks at inline elements that CSS shows as
blocks, such as floated sidenotes; this mirror has no CSS, so it knows block boundaries by tag only,
which is all the demo article has.) So the seeded comments anchor on the page (one of them as an
edited passage), and one, on purpose, quotes a sentence the article no longer has (an orphan).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.anchors import AnchorIn
from service.comments.models import CommentAnchor, Site
from service.comments.posting import NewComment, create_comment
from service.comments.sites import find_thread
from service.comments.verdicts import Signals
from service.http.context import ip_hash, settings
from service.moderation.pipeline import evaluate


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# the same lists as text.ts
SKIP = _words(
    "script style noscript template textarea select option button svg math iframe object canvas "
    "audio video"
)
BLOCK = _words(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tfoot tr td th "
    "caption figure figcaption section article aside header footer nav main address details "
    "summary hr br"
)
VOID = _words("area base br col embed hr img input link meta source track wbr")
_FOLDS = {
    **dict.fromkeys(
        "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
        "\u200a\u2028\u2029\u202f\u205f\u3000",
        " ",
    ),
    **dict.fromkeys("\xad\u200b\u2060\ufeff", ""),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"),
}
CONTEXT = 64


def fold(char: str) -> str:
    """One character under normalization v1: "" = dropped, " " = whitespace (collapsed later)."""
    if char in _FOLDS:
        return _FOLDS[char]
    code = ord(char)
    return "" if code < 32 or 126 < code < 160 else char


def normalise(text: str) -> str:
    """A plain string under normalization v1 (the widget normalises author questions so)."""
    out: list[str] = []
    for char in text:
        folded = fold(char)
        if folded and (folded != " " or (out and out[-1] != " ")):
            out.append(folded)
    return "".join(out).rstrip(" ")


def fingerprint(text: str) -> str:
    """The widget's fingerprint of the normalised text (cyrb53-style, over UTF-16 units)."""

    def imul(a: int, b: int) -> int:
        return (a * b) & 0xFFFFFFFF

    h1, h2 = 0xDEADBEEF, 0x41C6CE57
    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        unit = units[i] | units[i + 1] << 8
        h1 = imul(h1 ^ unit, 2654435761)
        h2 = imul(h2 ^ unit, 1597334677)
    h1 = imul(h1 ^ (h1 >> 16), 2246822507) ^ imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = imul(h2 ^ (h2 >> 16), 2246822507) ^ imul(h1 ^ (h1 >> 13), 3266489909)
    return f"{h2:08x}{h1:08x}"


@dataclass(frozen=True)
class ArticleText:
    """The normalised text of the `[data-sidenote-article]` element and its author passages."""

    text: str
    fp: str
    #: passage key -> (start, end, question)
    passages: dict[str, tuple[int, int, str | None]]


class _Reader(HTMLParser):
    """Walks the article the way buildTextModel does (the HTML must close its elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        # open elements: tag, skipped, block, passage key, question, where the text stood
        self.stack: list[tuple[str, bool, bool, str | None, str | None, int]] = []
        self.spans: list[tuple[str, int, int, str | None]] = []
        self.done = False

    def push(self, char: str) -> None:
        if char != " " or (self.out and self.out[-1] != " "):
            self.out.append(char)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if not self.stack:
            if not self.done and "data-sidenote-article" in found:
                self.stack.append((tag, False, False, None, None, 0))
            return
        skipped = (
            self.stack[-1][1] or tag in SKIP or "hidden" in found or "data-sidenote-ignore" in found
        )
        block = not skipped and tag in BLOCK
        if block:
            self.push(" ")
        if tag in VOID:
            return
        key = None if skipped else found.get("data-sidenote-passage")
        question = found.get("data-sidenote-question")
        self.stack.append((tag, skipped, block, key, question, len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, *_ in self.stack):
            return
        while self.stack:
            open_tag, _skipped, block, key, question, start = self.stack.pop()
            if key is not None:
                self.spans.append((key, start, len(self.out), question))
            if block:
                self.push(" ")
            if open_tag == tag:
                break
        self.done = not self.stack

    def handle_data(self, data: str) -> None:
        if self.stack and not self.stack[-1][1]:
            for char in data:
                folded = fold(char)
                if folded:
                    self.push(folded)


def article_text(html: str) -> ArticleText:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    text = "".join(reader.out).rstrip(" ")
    passages: dict[str, tuple[int, int, str | None]] = {}
    for key, start, end, question in sorted(reader.spans, key=lambda span: span[1]):
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip(" "))
        end = start + len(piece.strip(" "))
        passages.setdefault(
            key, (start, end, normalise(question)[:300] or None if question else None)
        )
    return ArticleText(text, fingerprint(text), passages)


def _context_before(text: str, start: int) -> str:
    before = text[max(0, start - CONTEXT) : start]
    return before if start <= CONTEXT else before[before.find(" ") + 1 :]


def _context_after(text: str, end: int) -> str:
    after = text[end : end + CONTEXT]
    return after if end + CONTEXT >= len(text) else after[: after.rfind(" ")]


def quote_anchor(
    text: str,
    exact: str,
    *,
    said: str | None = None,
    passage: tuple[str, str | None] | None = None,
) -> AnchorIn:
    """The anchor a reader's selection of `exact` makes; with `said`, the quote as the article
    worded it when the comment was written (same length), which the widget finds by fuzzy
    matching and marks "edited"."""
    assert text.count(exact) == 1, f"quote not unique in the demo article: {exact!r}"
    start = text.index(exact)
    end = start + len(exact)
    then = text
    if said is not None:
        assert len(said) == len(exact)
        then = text[:start] + said + text[end:]
    return AnchorIn.model_validate(
        {
            "v": 1,
            "kind": "passage" if passage else "quote",
            "quote": {
                "exact": said or exact,
                "prefix": _context_before(text, start),
                "suffix": _context_after(text, end),
            },
            "quote_length": len(exact),
            "position": {"start": start, "end": end},
            "doc": {"length": len(then), "fp": fingerprint(then)},
            "passage": {"key": passage[0], "question": passage[1]} if passage else None,
        }
    )


def deleted_sentence_anchor(text: str, after: str, sentence: str) -> AnchorIn:
    """An anchor on `sentence`, which stood after `after` when the comment was written and has
    since been taken out of the article: the widget shows its comment as an orphan."""
    at = text.index(after) + len(after) + 1
    then = text[:at] + sentence + " " + text[at:]
    return AnchorIn.model_validate(
        {
            "v": 1,
            "kind": "quote",
            "quote": {
                "exact": sentence,
                "prefix": _context_before(then, at),
                "suffix": _context_after(then, at + len(sentence)),
            },
            "quote_length": len(sentence),
            "position": {"start": at, "end": at + len(sentence)},
            "doc": {"length": len(then), "fp": fingerprint(then)},
        }
    )


@dataclass(frozen=True)
class InlineSeed:
    key: str
    author: str
    body: str
    quote: str | None = None
    said: str | None = None
    passage: str | None = None
    deleted_after: str | None = None
    reply_to: str | None = None


INLINE_CONVERSATION = [
    InlineSeed(
        "tall",
        "Hamish",
        "Taller than the Bell Rock, then? I had always assumed the older tower was the taller.",
        quote="it was the tallest lighthouse in the British Isles",
    ),
    InlineSeed(
        "tall-1", "Priya", "By about forty feet, if I remember the figures right.", reply_to="tall"
    ),
    InlineSeed(
        "barrack",
        "Ada",
        "Imagine being one of the men who built the first barrack and watched it go.",
        quote="The first one was swept away by a storm in its first winter, before anyone had "
        "slept in it.",
    ),
    InlineSeed(
        "storm",
        "Tomás",
        "Storms on that reef are something else: the spray reaches the lantern.",
        quote="swept away by a storm in its first winter",
    ),
    InlineSeed("storm-1", "Iain", "I have seen photographs of that. Terrifying.", reply_to="storm"),
    InlineSeed(
        "glass",
        "Morag",
        "My grandmother said the families took turns at the telescope every evening.",
        quote="that view through the glass was the only news a family might have for weeks",
    ),
    InlineSeed(
        "glass-1", "Iain", "That is a lovely detail. Thank you for sharing it.", reply_to="glass"
    ),
    InlineSeed(
        "fire",
        "Ada",
        "Was anyone hurt in the fire?",
        quote="In 1954 a fire broke out inside the tower and burned through the wooden fittings "
        "of its rooms.",
        said="In 1954 a fire broke out inside the tower and burned through the wooden fittings "
        "of the rooms.",
    ),
    InlineSeed(
        "fire-1", "Hamish", "No: all three keepers got off the rock safely.", reply_to="fire"
    ),
    InlineSeed(
        "shape",
        "Priya",
        "Yes! The tree trunk is exactly it: it looks grown, not built.",
        passage="shape",
    ),
    InlineSeed(
        "garden",
        "Tomás",
        "Did anything really grow out there in the salt spray?",
        quote="The keepers kept a few herbs in boxes on the gallery.",
        deleted_after="and the sound of the sea was never absent.",
    ),
    InlineSeed("garden-1", "Morag", "I would love to know too.", reply_to="garden"),
]


def demo_article_text() -> ArticleText:
    """The demo page's article as the widget reads it."""
    with current_app.test_request_context("/"):
        html = render_template("demo.html", strict=False, theme="auto", lang="")
    return article_text(html)


def seed_inline_demo(
    session: Session, *, site: Site, thread: str, url: str, title: str
) -> Iterator[str]:
    """Seed the inline comments once (skipped when the thread has anchored comments already)."""
    existing = find_thread(session, site, thread)
    if existing is not None and session.scalar(
        select(CommentAnchor.comment_id).where(CommentAnchor.thread_id == existing.id).limit(1)
    ):
        return
    article = demo_article_text()
    config = settings()
    ids: dict[str, int] = {}
    for seed in INLINE_CONVERSATION:
        anchor = None
        if seed.passage:
            start, end, question = article.passages[seed.passage]
            anchor = quote_anchor(
                article.text, article.text[start:end], passage=(seed.passage, question)
            )
        elif seed.deleted_after and seed.quote:
            anchor = deleted_sentence_anchor(article.text, seed.deleted_after, seed.quote)
        elif seed.quote:
            anchor = quote_anchor(article.text, seed.quote, said=seed.said)
        posted = create_comment(
            session,
            NewComment(
                site=site.slug,
                thread=thread,
                thread_url=url,
                thread_title=title,
                parent_id=ids[seed.reply_to] if seed.reply_to else None,
                anchor=anchor,
                body=seed.body,
                author_name=seed.author,
                ip_hash=ip_hash("192.0.2.1"),
                signals=Signals(authenticated=True),  # seeded by the operator, not a bot
            ),
            judge=evaluate,
            max_body_chars=config.max_body_chars,
            sanitizer=config.sanitizer,
        )
        ids[seed.key] = posted.comment.id
    yield f"seeded {len(INLINE_CONVERSATION)} inline demo comments (one quotes a deleted passage)"
