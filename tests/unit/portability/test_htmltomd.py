"""HTML comment bodies to Markdown: what a reader would recognise survives, the rest is text."""

from __future__ import annotations

import pytest

from service.kernel.rendering import render_markdown
from service.portability.htmltomd import html_to_markdown
from tests import corpora
from tests.allowlist import allowlist_violations


def rendered(html: str, **options: bool) -> str:
    return render_markdown(html_to_markdown(html, **options))


def test_paragraphs_and_line_breaks_are_kept() -> None:
    assert rendered("<p>one<br>two</p><p>three</p>") == "<p>one<br>\ntwo</p>\n<p>three</p>"


def test_links_keep_their_text_and_address() -> None:
    html = rendered('<a href="https://example.org/a_(b) c" title="t">the <b>site</b></a>')
    assert html == (
        '<p><a href="https://example.org/a_(b)%20c" rel="nofollow ugc noopener noreferrer">'
        "the <strong>site</strong></a></p>"
    )


def test_script_links_lose_their_address_but_keep_their_text() -> None:
    assert rendered('<a href="javascript:alert(1)">click</a>') == "<p>click</p>"


def test_emphasis_strong_and_strikethrough_are_kept() -> None:
    assert rendered("<i>a</i> <strong>b</strong> <s>c</s>") == (
        "<p><em>a</em> <strong>b</strong> <del>c</del></p>"
    )


def test_nested_emphasis_of_one_kind_does_not_turn_into_strong() -> None:
    assert rendered("<em>it <i>nested</i></em>") == "<p><em>it nested</em></p>"


def test_inline_code_and_code_blocks_keep_their_text_verbatim() -> None:
    assert rendered("use <code>a*b `c`</code>") == "<p>use <code>a*b `c`</code></p>"
    block = rendered('<pre><code class="language-py">x = 1\n\n  *y*\n</code></pre>')
    assert block == '<pre><code class="language-py">x = 1\n\n  *y*\n</code></pre>'


def test_quotes_and_nested_lists_are_kept() -> None:
    html = rendered(
        "<blockquote><p>said</p></blockquote><ul><li>a<ul><li>b</ul></li></ul>"
        '<ol start="3"><li>c</ol>'
    )
    assert html == (
        "<blockquote>\n<p>said</p>\n</blockquote>\n<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n"
        '</ul>\n<ol start="3">\n<li>c</li>\n</ol>'
    )


def test_markdown_characters_in_text_stay_literal() -> None:
    # The reader saw the text `... &copy; <b>` (escaped in the HTML they were stored in).
    html = rendered(r"*not bold* _x_ [a](b) `c` \o/ ¯\_(ツ)_/¯ &amp;copy; &lt;b&gt;")
    assert html == (r"<p>*not bold* _x_ [a](b) `c` \o/ ¯\_(ツ)_/¯ &amp;copy; &lt;b&gt;</p>")


def test_text_that_looks_like_a_block_at_a_line_start_stays_text() -> None:
    html = rendered("1. one<br>- two<br>&gt; three<br># four<br>---")
    assert html == "<p>1. one<br>\n- two<br>\n&gt; three<br>\n# four<br>\n---</p>"


def test_scripts_styles_and_frames_lose_their_content() -> None:
    html = rendered("<script>alert(1)</script><style>p{}</style><iframe>x</iframe>kept")
    assert html == "<p>kept</p>"


def test_images_keep_only_their_alt_text() -> None:
    assert rendered('<img src="x" onerror="alert(1)" alt="a cat">') == "<p>a cat</p>"


def test_unclosed_paragraphs_and_items_close_as_browsers_close_them() -> None:
    assert rendered("<p>a<p>b<ul><li>c<li>d</ul>") == (
        "<p>a</p>\n<p>b</p>\n<ul>\n<li>c</li>\n<li>d</li>\n</ul>"
    )


def test_wordpress_newlines_are_line_breaks_and_blank_lines_paragraphs() -> None:
    html = rendered("first\nsecond\n\nthird <b>bold</b>", newlines_are_breaks=True)
    assert html == "<p>first<br>\nsecond</p>\n<p>third <strong>bold</strong></p>"


def test_html_newlines_are_only_spaces() -> None:
    assert rendered("first\nsecond") == "<p>first second</p>"


@pytest.mark.skipif(not corpora.available(), reason="../shared/corpora is not beside the project")
def test_every_xss_payload_converts_to_html_inside_the_allowlist() -> None:
    problems = {}
    for payload in corpora.xss_payloads():
        for newlines in (False, True):
            html = rendered(payload, newlines_are_breaks=newlines)
            if allowlist_violations(html):
                problems[payload] = allowlist_violations(html)
    assert problems == {}
