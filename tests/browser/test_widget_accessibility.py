"""Accessibility: axe-core finds nothing serious in any state, the keyboard alone suffices, and
screenshots of the light, dark and 360 px widget are kept under tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, Reader
from tests.browser.live import LiveServer, Seeder

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
AXE = Path(__file__).resolve().parents[2] / "embed" / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page: Page) -> list[str]:
    """Serious and critical axe-core violations on the page, shadow roots included."""
    page.evaluate(AXE.read_text())  # works under a strict CSP, unlike a script tag
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def conversation(seed: Seeder, thread: str) -> None:
    first = seed.comment(
        thread,
        "I grew up near Hynish and never knew the **signal tower** was built first.",
        author="Morag",
        author_website="https://morag.example",
    )
    reply = seed.comment(
        thread,
        "It was the shore station too: the *families* lived there.",
        parent=first,
        author="Iain",
    )
    seed.comment(thread, "That explains the flags. Thank you!", parent=reply, author="Morag")
    pinned = seed.comment(
        thread,
        "Granite dressed on land, numbered, shipped:\n\n> every course fitted on shore\n\n"
        "That is prefabrication in 1840. See `course 14`.",
        author="Priya",
    )
    seed.pin(pinned)
    seed.comment(thread, "Does anyone know how long the keepers' shifts were?", author="Ada")


@pytest.mark.parametrize(
    ("theme", "width"), [("light", 1024), ("dark", 1024), ("light", 360), ("dark", 320)]
)
def test_axe_finds_nothing_serious_in_the_thread_and_composer(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page, theme: str, width: int
) -> None:
    conversation(seed, thread_key)
    page.set_viewport_size({"width": width, "height": 900})
    reader = open_thread(thread_key, attrs={"data-sidenote-theme": theme})
    expect(reader.widget.locator("article.card")).to_have_count(5)

    assert axe_problems(page) == []

    reader.card("shifts were").get_by_role("button", name="Reply").click()
    reader.card("signal tower").get_by_role("button", name="Report").click()
    form = reader.open_composer()
    form.get_by_label("Email (optional, never shown)").fill("not-an-email")
    reader.post("Checking the error state")
    expect(form.locator(".ferr")).to_be_visible()
    reader.errors.clear()
    reader.page.evaluate("1")
    assert axe_problems(page) == []

    form.get_by_role("tab", name="Preview").click()
    expect(form.get_by_role("tabpanel")).to_contain_text("Checking the error state")
    assert axe_problems(page) == []


def test_axe_finds_nothing_serious_on_the_demo_article(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.page_url + "/csp?theme=dark")
    expect(page.locator("#sidenote-thread article.card").first).to_be_visible()

    assert axe_problems(page) == []


def press_tab_until(page: Page, target: Any, limit: int = 30) -> None:
    """Tab forward until `target` has focus (fails after `limit` presses)."""
    for _ in range(limit):
        if target.evaluate("el => el.getRootNode().activeElement === el"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_a_keyboard_alone_writes_replies_previews_and_votes(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Opening remark", author="Ada")
    reader = open_thread(thread_key)
    page = reader.page
    form = reader.composer()
    keys = page.keyboard

    press_tab_until(page, form.locator("textarea"))
    keys.type("Typed with **keys** only")
    keys.press("Tab")  # the tabs sit under the text box
    expect(form.get_by_role("tab", name="Write")).to_be_focused()
    keys.press("ArrowRight")
    expect(form.get_by_role("tab", name="Preview")).to_be_focused()
    expect(form.get_by_role("tabpanel").locator("strong")).to_have_text("keys")
    keys.press("ArrowLeft")
    press_tab_until(page, form.get_by_label("Name"))
    keys.type("Kim")
    press_tab_until(page, form.get_by_role("button", name="Post comment"))
    keys.press("Enter")

    mine = reader.card("Typed with")
    expect(mine).to_be_focused()
    press_tab_until(page, mine.get_by_role("button", name="Upvote"))
    keys.press("Enter")
    expect(mine.get_by_role("button", name="Upvote")).to_have_attribute("aria-pressed", "true")
    expect(mine.get_by_role("button", name="Upvote")).to_be_focused()

    opening = reader.card("Opening remark")
    opening.get_by_role("button", name="Reply").focus()
    keys.press("Enter")
    reply_form = reader.widget.get_by_role("form", name="Reply to Ada")
    expect(reply_form.locator("textarea")).to_be_focused()
    keys.press("Escape")
    expect(reply_form).to_have_count(0)
    expect(opening.get_by_role("button", name="Reply")).to_be_focused()
    keys.press("Enter")
    keys.type("A reply by keyboard")
    press_tab_until(page, reply_form.get_by_role("button", name="Post reply"))
    keys.press("Enter")
    expect(reader.card("A reply by keyboard")).to_be_focused()


@pytest.mark.parametrize(
    ("name", "theme", "width"),
    [("light", "light", 900), ("dark", "dark", 900), ("360px", "light", 360)],
)
def test_screenshots_are_kept_for_review(
    open_thread: Open,
    seed: Seeder,
    thread_key: str,
    page: Page,
    name: str,
    theme: str,
    width: int,
) -> None:
    conversation(seed, thread_key)
    page.set_viewport_size({"width": width, "height": 800})
    reader = open_thread(thread_key, attrs={"data-sidenote-theme": theme})
    expect(reader.widget.locator("article.card")).to_have_count(5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"widget-{name}.png"

    reader.widget.screenshot(path=path, animations="disabled")

    assert path.stat().st_size > 10_000
    width_used = reader.widget.evaluate("el => el.shadowRoot.firstElementChild.scrollWidth")
    assert width_used <= width  # nothing overflows sideways, even at 360 px
