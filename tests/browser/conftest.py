"""Browser tests: a real Sidenote server process on its own SQLite file, and one shared Chromium.

The server (tests/browser/live.py) runs `sidenote run` in development mode with the demo site
seeded for its port, rate limits and form tokens off, so tests post freely; tests about those
controls switch them on themselves. Comments are seeded straight into its database (`seed`).
Each test opens its own thread: a page at the thread's path, served by Playwright's router, with
the widget snippet in it, so the default thread key (the page path) is what the widget uses.

Cross-origin by default, as sites deploy it: host pages (the ones tests build, the demo article,
`/csp`) are on `live_server.page_url` (`http://localhost:PORT`) and load the widget from Sidenote
on `live_server.url` (`http://127.0.0.1:PORT`). A test that needs the page on Sidenote's own
origin says so (`open_thread(..., same_origin=True)`); `origin=` puts it anywhere else.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page

from tests.browser.live import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    Seeder,
    start_server,
    stop_server,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>{title}</title>{head}</head>
<body>{before}<main><h1>{title}</h1><div id="sidenote-thread"{attrs}></div></main>
<script async src="{sidenote}/embed.js" data-sidenote-site="{site}"></script></body></html>"""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    process, server = start_server(tmp_path_factory.mktemp("live"))
    try:
        yield server
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-base-url's fixture: pages open relative to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser (see notes/environment.md)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def seed(live_server: LiveServer) -> Iterator[Seeder]:
    seeder = Seeder(live_server)
    try:
        yield seeder
    finally:
        seeder.close()


_thread_numbers = itertools.count(1)


@pytest.fixture
def thread_key(request: pytest.FixtureRequest) -> str:
    """A fresh thread (page path) for this test."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    return f"/t/{next(_thread_numbers)}-{name}"


@dataclass
class Reader:
    """A page with the widget, and what went wrong on it."""

    page: Page
    server: LiveServer
    errors: list[str] = field(default_factory=list)

    @property
    def widget(self) -> Locator:
        return self.page.locator("#sidenote-thread")

    def card(self, text: str) -> Locator:
        """The comment card holding `text` (innermost article)."""
        return self.widget.locator("article.card", has_text=text).last

    def composer(self) -> Locator:
        return self.widget.locator("form.cm").first

    def open_composer(self) -> Locator:
        """The main composer, opened from its one line as a reader does (by clicking it)."""
        form = self.composer()
        form.locator("textarea").click()
        return form

    def post(self, body: str, name: str = "", within: Locator | None = None) -> None:
        form = within or self.composer()
        form.locator("textarea").first.fill(body)
        if name:
            if form.locator("input[name=name]").is_hidden():  # "Posting as …" a remembered name
                form.get_by_role("button", name="Change").click()
            form.locator("input[name=name]").fill(name)
        form.locator("button[type=submit]").click()


@pytest.fixture
def open_thread(page: Page, live_server: LiveServer) -> Iterator[Callable[..., Reader]]:
    """Open a page for a thread with the widget on it; fails the test on any page error."""
    reader = Reader(page, live_server)
    page.on("pageerror", lambda error: reader.errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and reader.errors.append(message.text),
    )

    def open_(
        path: str,
        *,
        attrs: dict[str, str] | None = None,
        head: str = "",
        before: str = "",
        lang: str = "en",
        site: str = "demo",
        fragment: str = "",
        wait: bool = True,
        same_origin: bool = False,
        origin: str = "",
    ) -> Reader:
        html = PAGE.format(
            sidenote=live_server.url,
            lang=lang,
            title=escape(f"Article at {path}"),
            head=head,
            before=before,
            attrs="".join(f' {name}="{escape(value)}"' for name, value in (attrs or {}).items()),
            site=site,
        )
        page.route(
            lambda url: urlsplit(url).path == path,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        origin = origin or (live_server.url if same_origin else live_server.page_url)
        page.goto(origin + path + fragment)
        if wait:
            reader.widget.locator(".hd h2").wait_for()
        return reader

    yield open_
    assert reader.errors == [], "errors on the page"
