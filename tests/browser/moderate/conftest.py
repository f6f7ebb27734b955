"""Browser fixtures for the moderator UI: the live server of tests/browser (development mode, so
the demo admin `demo` / `demo-moderator` exists), logged in through the real form.

Every test seeds its own thread and opens the queue filtered to it, so tests sharing the server
do not see each other's comments. A test fails on any page error, console error or
Content-Security-Policy violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from service.db import get_db
from service.demo import DEMO_MODERATOR, DEMO_PASSWORD
from service.models import Comment
from tests.browser.live import LiveServer, Seeder

WATCH = """
window.__incidents = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__incidents.push("csp: " + event.violatedDirective + " " + event.blockedURI);
});
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => {
    window.__incidents.push(name + ": " + String(args[0]).slice(0, 80));
  };
}
"""


@dataclass
class Moderator:
    """A logged-in moderator's browser tab, and what went wrong in it."""

    page: Page
    server: LiveServer
    seed: Seeder
    errors: list[str] = field(default_factory=list)

    def log_in(self, next_path: str = "/moderate/queue") -> None:
        self.page.goto(f"{self.server.url}/moderate/login?next={quote(next_path)}")
        self.page.get_by_label("Username").fill(DEMO_MODERATOR)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(lambda url: url == self.server.url + next_path)

    def queue(self, thread: str, tab: str = "pending") -> None:
        self.page.goto(f"{self.server.url}/moderate/queue?tab={tab}&thread={quote(thread)}")
        self.page.locator("#queue").wait_for()

    def card(self, comment: Comment) -> Locator:
        return self.page.locator(f'article.card[data-id="{comment.id}"]')

    def cards(self) -> Locator:
        return self.page.locator("#queue article.card")

    def focused_id(self) -> str | None:
        value: str | None = self.page.evaluate(
            "document.activeElement && document.activeElement.getAttribute('data-id')"
        )
        return value

    def expect_focus_on(self, comment: Comment) -> None:
        expect(self.card(comment)).to_be_focused()

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def status(self, comment: Comment) -> str:
        """The comment's status in the server's database (a read-only session: no lock)."""
        return str(self.read(select(Comment.status).where(Comment.id == comment.id)))

    def read(self, statement: Any) -> Any:
        with get_db(self.seed.app).session() as session:
            return session.scalar(statement)

    def incidents(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__incidents || []")
        return found

    def toast(self) -> Locator:
        return self.page.locator("#toast")


@pytest.fixture
def moderator(page: Page, live_server: LiveServer, seed: Seeder) -> Iterator[Moderator]:
    mod = Moderator(page, live_server, seed)
    seed.done()  # a fresh Seeder's write session holds SQLite's write lock until it commits
    page.add_init_script(WATCH)
    page.on("pageerror", lambda error: mod.errors.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and mod.errors.append(message.text))
    page.on(
        "dialog", lambda dialog: (mod.errors.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    mod.log_in()
    yield mod
    assert mod.errors == [], "errors on the page"
    assert mod.incidents() == [], "script ran or the CSP blocked something"


def pending(seed: Seeder, thread: str, *bodies: str, **fields: Any) -> list[Comment]:
    return [seed.comment(thread, body, status="pending", **fields) for body in bodies]
