"""Hostile content stays inert in the widget, the widget and the server agree on what HTML is
allowed, and host-page CSS neither leaks into the widget nor out of it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.kernel.rendering import render_markdown, sanitizer
from tests.allowlist import allowlist_violations
from tests.browser.conftest import Reader
from tests.browser.live import LiveServer, Seeder
from tests.corpora import sample, xss_payloads

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
PAGES = 4
PER_PAGE = 300
ROOTS_PER_PAGE = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Records every way a payload could try to get attention; real dialogs are caught separately.
TRAPS = """
window.__sidenoteIncidents = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => {
    window.__sidenoteIncidents.push(name + ": " + String(args[0]).slice(0, 80));
  };
}
"""

# Inside the widget: anything that can run code or load something, and each body's markup.
INSPECT = """
host => {
  const root = host.shadowRoot, found = [];
  const active = ["script", "iframe", "frame", "object", "embed", "img", "image", "svg", "math",
    "video", "audio", "source", "link", "meta", "base", "style", "template", "frameset",
    "applet", "portal", "isindex"];
  for (const el of root.querySelectorAll("*")) {
    if (active.includes(el.localName)) found.push("element " + el.localName);
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) found.push("handler " + a.name + " on " + el.localName);
      if (/^(href|src|action|formaction|xlink:href|data)$/i.test(a.name)
          && !/^(https?:|mailto:|#)/i.test(a.value.trim())
          && !(a.name === "href" && a.value.startsWith(location.href.split("#")[0])))
        found.push("url " + a.name + "=" + a.value.slice(0, 60));
    }
  }
  return {
    found,
    names: [...root.querySelectorAll("article .name")].map(n => n.textContent),
    bodies: [...root.querySelectorAll("article .body")].map(b => b.innerHTML),
  };
}
"""


def postable(payloads: Iterable[str]) -> Iterator[str]:
    """Payloads the public API would accept as a comment body."""
    for payload in payloads:
        if payload.strip() and len(payload) <= 10_000 and not _CONTROL.search(payload):
            yield payload


def as_name(payload: str) -> str:
    """The payload as a name the API accepts: one line, at most 100 characters."""
    return " ".join(payload.split())[:100].strip()


@pytest.fixture(scope="module")
def hostile_threads(seed: Seeder) -> list[tuple[str, list[str]]]:
    """Four threads of 300 comments (50 top-level, 5 replies each), a payload as body and name."""
    payloads = list(postable(sample(xss_payloads(), 1400)))[: PAGES * PER_PAGE]
    assert len(set(payloads)) >= 1_000
    threads = []
    for number in range(PAGES):
        key = f"/t/hostile-{number}"
        chunk = payloads[number * PER_PAGE : (number + 1) * PER_PAGE]
        roots = []
        for index, payload in enumerate(chunk):
            parent = roots[index % ROOTS_PER_PAGE] if index >= ROOTS_PER_PAGE else None
            comment = seed.comment(key, payload, author=as_name(payload), parent=parent)
            if parent is None:
                roots.append(comment)
        threads.append((key, chunk))
    return threads


def test_hostile_payloads_render_as_inert_text(
    open_thread: Open,
    page: Page,
    live_server: LiveServer,
    hostile_threads: list[tuple[str, list[str]]],
) -> None:
    incidents: list[str] = []
    page.on("dialog", lambda d: (incidents.append("dialog: " + d.message), d.dismiss()))
    page.on("popup", lambda p: incidents.append("popup: " + p.url))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((live_server.url + "/", live_server.page_url + "/", "data:"))
            else incidents.append("request: " + r.url)
        ),
    )
    page.add_init_script(TRAPS)
    rendered = 0
    for key, payloads in hostile_threads:
        navigations: list[str] = []
        page.on("framenavigated", lambda f, log=navigations: log.append(f.url))
        reader = open_thread(key)
        expect(reader.widget.locator("article.card")).to_have_count(PER_PAGE, timeout=20_000)
        page.mouse.move(200, 200)
        page.mouse.wheel(0, 20_000)
        found: dict[str, Any] = reader.widget.evaluate(INSPECT)

        assert found["found"] == [], key
        assert sorted(found["names"]) == sorted(as_name(p) for p in payloads), key
        violations = {html: allowlist_violations(html) for html in found["bodies"]}
        assert {html: v for html, v in violations.items() if v} == {}, key
        incidents.extend(page.evaluate("window.__sidenoteIncidents"))
        assert navigations == [page.url], key
        rendered += len(found["bodies"])
    assert incidents == []
    assert rendered == PAGES * PER_PAGE


def _js_check(page: Page, html: list[str]) -> list[list[Any]]:
    """[dropped count, resulting markup] of the widget's one HTML insertion function, per item."""
    results: list[list[Any]] = []
    for start in range(0, len(html), 1_000):
        results += page.evaluate(
            """list => list.map(html => {
                const target = document.createElement("div");
                const dropped = Sidenote._insertHtml(target, html);
                return [dropped, target.innerHTML];
            })""",
            html[start : start + 1_000],
        )
    return results


@pytest.fixture
def widget_page(page: Page, live_server: LiveServer) -> Page:
    page.goto(live_server.page_url + "/")
    page.wait_for_function("() => typeof window.Sidenote?._insertHtml === 'function'")
    return page


def test_the_widget_keeps_everything_the_server_renders_from_the_corpus(
    widget_page: Page,
) -> None:
    """Server output (Markdown rendering and raw sanitising, both backends) passes the widget's
    re-check untouched: the two allowlists agree on every corpus payload."""
    payloads = xss_payloads()
    server_html = sorted(
        {render_markdown(p, backend) for p in payloads for backend in ("bleach", "nh3")}
        | {sanitizer(backend)(p) for p in payloads for backend in ("bleach", "nh3")}
    )

    results = _js_check(widget_page, server_html)

    dropped = {html: result[0] for html, result in zip(server_html, results, strict=True)}
    assert {html: count for html, count in dropped.items() if count} == {}
    assert len(server_html) > 9_000


def test_the_widget_alone_leaves_nothing_outside_the_server_allowlist(
    widget_page: Page,
) -> None:
    """Raw corpus payloads put straight through the widget's check come out inside the allowlist
    as the server's independent checker reads it."""
    payloads = list(xss_payloads())

    results = _js_check(widget_page, payloads)

    violations = {}
    for payload, (_dropped, markup) in zip(payloads, results, strict=True):
        problems = allowlist_violations(markup)
        if problems:
            violations[payload] = (markup, problems)
    assert violations == {}
    assert sum(1 for dropped, _markup in results if dropped) > 1_000  # it did remove things


HOSTILE_HOST_CSS = """<style>
* { color: red !important; font-family: "Courier New", monospace !important;
    letter-spacing: 4px !important; text-transform: uppercase !important;
    line-height: 3 !important; text-align: right !important; }
#sidenote-thread { font-size: 40px; white-space: pre; font-style: italic; word-spacing: 9px;
    visibility: visible; cursor: wait; }
button, article, textarea { display: none !important; }
p { margin: 100px !important; }
</style>"""
# The widget takes its container's font and text colour on purpose (README "Theming"); nothing else.
STYLED = ["letter-spacing", "text-transform", "text-align", "white-space", "font-style"]
STYLED += ["word-spacing", "display", "margin-top"]
INHERITED = ["color", "font-family", "font-size"]
COMPUTED = """(host, props) => {
  const root = host.shadowRoot;
  return ["h2", "article .body p", "article .name", "button.link", "textarea", ".acts"].map(
    sel => props.map(p => getComputedStyle(root.querySelector(sel)).getPropertyValue(p)));
}"""


def test_host_page_css_does_not_leak_into_the_widget_or_out_of_it(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Styled by the widget alone", author="Ada")
    clean = open_thread(thread_key, before="<p id=outside>Host text</p>")
    expect(clean.card("Styled by").locator(".body p")).to_be_visible()
    clean_styles = clean.widget.evaluate(COMPUTED, STYLED)
    outside = clean.page.locator("#outside").evaluate("el => getComputedStyle(el).marginTop")

    hostile = open_thread(thread_key, head=HOSTILE_HOST_CSS)
    expect(hostile.card("Styled by").locator(".body p")).to_be_visible()
    hostile_styles = hostile.widget.evaluate(COMPUTED, STYLED)

    assert hostile_styles == clean_styles
    assert outside == "16px"  # the widget's own p { margin } stays inside it
    # only the container's font and colour come in (the host's look), at the widget's own scale
    heading = hostile.widget.evaluate(COMPUTED, INHERITED)[0]
    assert heading == ["rgb(255, 0, 0)", '"Courier New", monospace', "52px"]  # 1.3 × 40px
