"""The demo's Python mirror of the widget's text model (service/demo_inline.py) agrees with
embed/src/inline/text.ts: same text, same fingerprint, same passages. (The browser test
test_the_demo_articles_seeded_comments_anchor_as_seeded checks it on the real page.)"""

from __future__ import annotations

import pytest

from service.demo.inline import (
    article_text,
    deleted_sentence_anchor,
    fingerprint,
    normalise,
    quote_anchor,
)


def test_the_article_text_follows_normalization_v1() -> None:
    html = (
        "<nav>Menu</nav><article data-sidenote-article><h2>AT&amp;T&nbsp;&nbsp;news</h2>"
        "<p>caf\u00e9\u00ad  \u201cquoted\u201d \u2014 it\u2019s<br>next line</p><p>Hel<b>lo</b>"
        "<script>skipped()</script><span hidden>hidden</span><span data-sidenote-ignore>"
        "ignored <em>too</em></span> world</p></article><footer>After</footer>"
    )
    assert article_text(html).text == ('AT&T news caf\u00e9 "quoted" - it\'s next line Hello world')


def test_the_fingerprint_is_the_widgets() -> None:
    # values printed by embed/src/inline/text.ts fingerprint() for the same strings
    assert fingerprint("") == "488bdcb81aee8d83"
    assert fingerprint("Skerryvore") == "51509633cef3cec6"
    assert fingerprint('A "quoted" word - and an emoji \U0001f600 too') == "a8a6d21c1e55b447"


def test_passages_have_trimmed_spans_and_normalised_questions_and_the_first_key_wins() -> None:
    html = (
        '<div data-sidenote-article><p data-sidenote-passage="k" data-sidenote-question="  Is '
        '\u201cthis\u201d fair? ">  The price. </p><p data-sidenote-passage="k">Again.</p></div>'
    )
    text = article_text(html)
    start, end, question = text.passages["k"]
    assert text.text[start:end] == "The price."
    assert question == 'Is "this" fair?'
    assert normalise("  a\u00a0\u00a0b ") == "a b"


def test_a_quote_anchor_points_at_its_words_and_passes_the_servers_rules() -> None:
    text = article_text("<article data-sidenote-article><p>One two three four.</p></article>")
    anchor = quote_anchor(text.text, "two three")
    assert text.text[anchor.position.start : anchor.position.end] == "two three"
    assert (anchor.quote.prefix, anchor.quote.suffix) == ("One ", " four.")
    assert anchor.doc.fp == text.fp


def test_an_edited_quote_keeps_its_position_and_the_old_fingerprint() -> None:
    text = article_text("<article data-sidenote-article><p>One two three four.</p></article>")
    anchor = quote_anchor(text.text, "two three", said="two thrEE")
    assert anchor.quote.exact == "two thrEE"
    assert anchor.doc.fp == fingerprint("One two thrEE four.") != text.fp


def test_a_deleted_sentence_is_quoted_where_it_stood() -> None:
    text = article_text("<article data-sidenote-article><p>First. Third.</p></article>")
    anchor = deleted_sentence_anchor(text.text, "First.", "Second.")
    assert anchor.quote.exact == "Second." and "Second." not in text.text
    assert (anchor.position.start, anchor.doc.length) == (7, len("First. Second. Third."))


def test_a_quote_must_be_unique_in_the_article() -> None:
    text = article_text("<article data-sidenote-article><p>Echo. Echo.</p></article>")
    with pytest.raises(AssertionError):
        quote_anchor(text.text, "Echo.")
