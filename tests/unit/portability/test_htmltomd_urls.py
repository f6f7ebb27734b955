"""URLs survive HTML-to-Markdown conversion: a link's address is never escaped (issue 24, point 2).

Real comments hold plain URLs with `_ ~ * [ ]` in them (wiki pages, tracker names). Escaping those
characters as text would put a backslash inside the address (`Tracker%5C_CC%5C_Indexing`) or cut a
`www.` link at the first one. The property round-trips random URLs through `html_to_markdown` and
the renderer, in the three shapes comments hold them, and checks the link's address is the URL.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from service.kernel.rendering import render_markdown
from service.portability.htmltomd import html_to_markdown

_HREF = re.compile(r'<a href="([^"]*)"')
_PATH_CHARS = "abcXYZ019-._~!$&'()*+,;=:@[]"

hosts = st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){0,2}\.(org|net)", fullmatch=True)
segments = st.lists(
    st.text(alphabet=_PATH_CHARS, min_size=1, max_size=12)
    | st.from_regex(r"%[0-9A-F]{2}", fullmatch=True),
    min_size=0,
    max_size=4,
)
#: Ends in a letter: trailing punctuation after a URL in text is punctuation, as linkify reads it.
urls = st.builds(
    lambda scheme, host, parts, end: f"{scheme}://{host}/{'/'.join(parts)}{end}",
    st.sampled_from(["http", "https"]),
    hosts,
    segments,
    st.sampled_from(["x", "a_b", "Tracker_CC_Indexing", "q?a=1&b_c=2", "p#frag_1"]),
)


def hrefs(body_html: str, wordpress: bool = False) -> list[str]:
    rendered = render_markdown(html_to_markdown(body_html, newlines_are_breaks=wordpress))
    return [unquote(html.unescape(href)) for href in _HREF.findall(rendered)]


@settings(max_examples=150, deadline=None)
@given(urls)
def test_a_link_keeps_its_address(url: str) -> None:
    assert hrefs(f'<a href="{html.escape(url)}">the page</a>') == [unquote(url)]


@settings(max_examples=150, deadline=None)
@given(urls)
def test_a_link_whose_text_is_its_address_keeps_both(url: str) -> None:
    assert hrefs(f'<a href="{html.escape(url)}">{html.escape(url)}</a>') == [unquote(url)]


@settings(max_examples=150, deadline=None)
@given(urls, st.booleans())
def test_a_plain_url_in_text_stays_one_working_link(url: str, wordpress: bool) -> None:
    body = f"<p>See {html.escape(url)} for more.</p>"
    assert hrefs(body, wordpress) == [unquote(url)]


def test_underscores_in_a_plain_url_are_not_escaped() -> None:
    source = html_to_markdown("see https://commoncrawl.org/Tracker_CC_Indexing now")
    assert source == "see <https://commoncrawl.org/Tracker_CC_Indexing> now"


def test_a_www_link_is_not_cut_at_its_first_underscore() -> None:
    rendered = render_markdown(html_to_markdown("at www.example.org/a_b~c*d[1] today"))
    assert 'href="http://www.example.org/a_b~c*d%5B1%5D"' in rendered
    assert ">www.example.org/a_b~c*d[1]</a>" in rendered


def test_an_address_in_text_becomes_a_mail_link() -> None:
    rendered = render_markdown(html_to_markdown("write to first_last@example.org."))
    assert 'href="mailto:first_last@example.org"' in rendered


def test_text_around_urls_is_still_escaped() -> None:
    assert html_to_markdown("*not bold* https://x.org/a_b _x_") == (
        "\\*not bold\\* <https://x.org/a_b> \\_x\\_"
    )
