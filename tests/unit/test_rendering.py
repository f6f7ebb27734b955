"""Markdown rendering and sanitising: what readers get, and what attackers don't."""

from __future__ import annotations

import json
import sys
import threading

import pytest

from service.kernel.rendering import (
    LINK_REL,
    allowlist_for_widget,
    clean_display_name,
    clean_website,
    render_markdown,
    strip_invisible,
    xml_safe,
)
from tests import corpora
from tests.allowlist import allowlist_violations, markup_shape

BACKENDS = ["bleach", "nh3"]
needs_corpora = pytest.mark.skipif(
    not corpora.available(), reason="../shared/corpora is not beside the project"
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_emphasis_and_code_render(backend: str) -> None:
    assert render_markdown("Hello *world* and `code`", backend) == (
        "<p>Hello <em>world</em> and <code>code</code></p>"
    )


def test_headings_stay_as_typed(backend: str) -> None:
    assert render_markdown("# Hi", backend) == "<p># Hi</p>"


def test_images_stay_as_typed_text(backend: str) -> None:
    html = render_markdown("![alt](https://example.org/x.png)", backend)
    assert "<img" not in html
    assert html.startswith("<p>![alt](")


def test_tables_stay_as_typed(backend: str) -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |", backend)
    assert "<table" not in html
    assert "| a | b |" in html


def test_raw_html_is_shown_as_text(backend: str) -> None:
    assert render_markdown("<b>bold</b>", backend) == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_strikethrough_becomes_del(backend: str) -> None:
    assert render_markdown("~~gone~~", backend) == "<p><del>gone</del></p>"


def test_links_get_rel_nofollow_ugc(backend: str) -> None:
    html = render_markdown("[site](https://example.org)", backend)
    assert html == f'<p><a href="https://example.org" rel="{LINK_REL}">site</a></p>'


def test_bare_urls_are_linkified(backend: str) -> None:
    assert 'href="http://www.example.org"' in render_markdown("see www.example.org", backend)


def test_javascript_links_are_not_links(backend: str) -> None:
    html = render_markdown("[x](javascript:alert(1))", backend)
    assert "<a" not in html


def test_relative_links_lose_their_href(backend: str) -> None:
    html = render_markdown("[x](/admin)", backend)
    assert "href" not in html


def test_mailto_links_are_kept(backend: str) -> None:
    assert 'href="mailto:ann@example.org"' in render_markdown("<mailto:ann@example.org>", backend)


def test_code_fence_language_is_kept_as_class(backend: str) -> None:
    html = render_markdown("```python\nx = 1\n```", backend)
    assert html == '<pre><code class="language-python">x = 1\n</code></pre>'


def test_ordered_list_start_is_kept(backend: str) -> None:
    assert render_markdown("3. three", backend).startswith('<ol start="3">')


def test_line_breaks_are_kept(backend: str) -> None:
    assert render_markdown("one\ntwo", backend) == "<p>one<br>\ntwo</p>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/me", "https://example.org/me"),
        ("  http://example.org  ", "http://example.org"),
        ("", ""),
        ("javascript:alert(1)", None),
        ("ftp://example.org", None),
        ("example.org", None),
        ("https://exa mple.org", None),
    ],
)
def test_websites_are_plain_http_urls(value: str, expected: str | None) -> None:
    assert clean_website(value) == expected


def test_allowlist_for_widget_is_json_data() -> None:
    data = json.loads(json.dumps(allowlist_for_widget()))
    assert "a" in data["tags"]
    assert data["attributes"]["a"] == ["href", "rel", "title"]


@needs_corpora
def test_every_xss_payload_renders_inside_the_allowlist(backend: str) -> None:
    failures = {}
    for payload in corpora.xss_payloads():
        problems = allowlist_violations(render_markdown(payload, backend))
        if problems:
            failures[payload] = problems
    assert failures == {}
    assert len(corpora.xss_payloads()) > 9000


@needs_corpora
def test_every_markdown_case_renders_inside_the_allowlist(backend: str) -> None:
    failures = {}
    for source in corpora.markdown_cases():
        problems = allowlist_violations(render_markdown(source, backend))
        if problems:
            failures[source] = problems
    assert failures == {}


@needs_corpora
def test_bleach_regression_inputs_render_inside_the_allowlist(backend: str) -> None:
    cases = json.loads((corpora.XSS / "mozilla-bleach__tests_data_regressions.json").read_text())
    for case in cases:
        assert allowlist_violations(render_markdown(case["input"], backend)) == []


@needs_corpora
def test_both_backends_agree_on_the_corpus() -> None:
    """Same elements and attributes (they differ only in how they escape odd text characters)."""
    differing = [
        p
        for p in corpora.sample(corpora.xss_payloads(), 2000)
        if markup_shape(render_markdown(p, "bleach")) != markup_shape(render_markdown(p, "nh3"))
    ]
    assert differing == []


def test_comments_rendered_at_once_in_many_threads_keep_their_own_text(backend: str) -> None:
    """A threaded server renders several posts at the same moment; bleach's parser keeps state,
    so a cleaner shared between threads mixed one reader's words into another's comment."""
    sources = [
        f"Reader {n} says *this* with a [link](https://example.org/{n}) and `code {n}`\n\n"
        f"> quoting {n}\n\n- one\n- two {n}"
        for n in range(12)
    ]
    expected = [render_markdown(source, backend) for source in sources]
    wrong: list[tuple[int, str]] = []

    def render_repeatedly(n: int) -> None:
        for _ in range(100):
            try:
                html = render_markdown(sources[n], backend)
            except Exception as error:  # a corrupted parser state raises from deep inside
                html = repr(error)
            if html != expected[n]:
                wrong.append((n, html))
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a loaded server does now and then
    try:
        threads = [threading.Thread(target=render_repeatedly, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)

    assert wrong == []


# -- invisible and XML-invalid characters (rendering.strip_invisible, clean_display_name) ----


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"),  # embeddings and overrides
        ("a\u2066b\u2067c\u2068d\u2069e", "abcde"),  # isolates
        ("a\u200eb\u200fc\u061cd", "abcd"),  # marks
        ("a\u200bb\u2060c\ufeffd\u180ee\u00adf", "abcdef"),  # zero-width, BOM, soft hyphen
        ("\u200dAdmin\u200c", "Admin"),  # joiners at an edge or between Latin letters
        ("Ad\u200dmin", "Admin"),
        ("\u0645\u06cc\u200c\u062e", "\u0645\u06cc\u200c\u062e"),  # Persian ZWNJ is spelling
        ("\U0001f468\u200d\U0001f469", "\U0001f468\u200d\U0001f469"),  # an emoji sequence
        ("line one\n\tline two", "line one\n\tline two"),  # whitespace is not invisible here
    ],
)
def test_strip_invisible(text: str, kept: str) -> None:
    assert strip_invisible(text) == kept


def test_a_display_name_is_one_line_of_visible_characters() -> None:
    assert clean_display_name("  Ada\u00a0\u00a0Love\u200blace\n\u202e ") == "Ada Lovelace"
    assert clean_display_name("x" * 150, 100) == "x" * 100


def test_xml_safe_drops_what_xml_cannot_carry() -> None:
    assert xml_safe("a\x00b\x01c\x0bd\ufffee\uffff\tf\ng\rh") == "abcde\tf\ng\rh"
