"""The other pages in Chromium: a rule's dry run before saving, axe-core on every page (light,
dark, 360 px), and hostile comments that stay inert in the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.models import Site
from service.moderation.rules import rules_for
from tests.browser.live import Seeder
from tests.browser.moderate.conftest import Moderator, pending
from tests.corpora import xss_payloads

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[3] / "embed" / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page: Page) -> list[str]:
    """Serious and critical axe-core violations on the page."""
    page.evaluate(AXE.read_text())  # works under the strict CSP, unlike a script tag
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def demo_rules(seed: Seeder) -> Any:
    seed.session.expire_all()
    site = seed.session.query(Site).filter_by(slug="demo").one()
    rules = rules_for(site)
    seed.done()
    return rules


def test_a_rule_is_dry_run_before_it_is_saved(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    word = "zqx" + "".join(ch for ch in thread_key if ch.isalnum())[-8:]
    caught = seed.comment(thread_key, f"This mentions {word} twice: {word}.", author="Wordy")
    page = moderator.page
    page.goto(moderator.server.url + "/moderate/sites/demo/rules")
    expect(page.get_by_role("button", name="Save these rules")).to_have_count(0)
    page.get_by_label("Suspect words (hold for review)").fill(word)
    page.get_by_role("button", name="Dry run").click()
    result = page.locator("#dry-run")
    expect(result).to_contain_text("would reject 0 and hold 1")
    expect(result).to_contain_text(f"#{caught.id}")
    expect(result).to_contain_text("suspect_word")
    assert word not in demo_rules(seed).suspect_words  # nothing saved yet
    assert axe_problems(page) == []
    page.get_by_role("button", name="Save these rules").click()
    notice = page.locator(".notice")
    expect(notice).to_contain_text("Saved the rules of demo.")
    assert word in demo_rules(seed).suspect_words
    notice.get_by_role("button", name="Undo").click()  # leave the shared demo site as it was
    expect(page.locator(".notice")).to_contain_text("Undone")
    assert word not in demo_rules(seed).suspect_words


PAGES = [
    "/moderate/queue?thread={thread}",
    "/moderate/queue?tab=approved&thread={thread}",
    "/moderate/dashboard",
    "/moderate/audit",
    "/moderate/bans",
    "/moderate/settings",
    "/moderate/sites/demo/settings",
    "/moderate/sites/demo/rules",
    "/moderate/moderators",
    "/moderate/tokens",
]


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1280), ("dark", 360)])
def test_axe_finds_nothing_serious_on_any_page(
    moderator: Moderator, seed: Seeder, thread_key: str, scheme: str, width: int
) -> None:
    parent = seed.comment(thread_key, "The *original* remark.", author="Pat")
    pending(
        seed,
        thread_key,
        "A reply with a [link](https://example.org) and `code`.\n\n> quoted",
        parent=parent,
        author="Ann",
        email="ann@example.org",
        author_website="https://ann.example",
    )
    page = moderator.page
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for template in PAGES:
        page.goto(moderator.server.url + template.format(thread=thread_key))
        problems[template] = axe_problems(page)
        if width < 400:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            problems[template] += [f"{overflow}px wider than the screen"] if overflow > 0 else []
    page.goto(moderator.server.url + PAGES[0].format(thread=thread_key))
    moderator.press("j", "e")
    page.locator("article.card details.ban summary").click()
    page.locator("article.card details.more summary").click()
    moderator.press("x")  # focus is on the summary, not typing
    page.locator("details.bulk-more summary").click()
    problems["open panels"] = axe_problems(page)
    moderator.press("?")
    problems["help"] = axe_problems(page)
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_login_page_passes_axe(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/moderate/login")
    assert axe_problems(page) == []
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("nothing at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_problems(page) == []


def test_hostile_comments_stay_inert_in_the_queue(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    payloads = xss_payloads()
    step = max(1, len(payloads) // 150)
    sample = [p for p in payloads[::step] if "\x00" not in p][:150]
    names = [p for p in payloads if 8 < len(p) <= 100 and "<" in p][:6]
    for n, name in enumerate(names):
        chunk = sample[n * 25 : (n + 1) * 25]
        pending(
            seed,
            thread_key,
            "\n\n".join(chunk),
            author=name,
            author_website=f"javascript:alert({n})",
            email=f"x{n}@example.org",
        )
    moderator.queue(thread_key)
    expect(moderator.cards()).to_have_count(len(names))
    for name in names:
        expect(moderator.page.get_by_role("heading", name=name, exact=True)).to_have_count(1)
    page = moderator.page
    live = page.evaluate(
        """() => {
          const bad = [];
          const dangerous = ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE', 'IMG', 'SVG', 'FORM'];
          for (const el of document.querySelectorAll('#queue *')) {
            for (const attr of el.attributes) {
              const what = el.tagName + ' ' + attr.name + '=' + attr.value.slice(0, 40);
              if (/^on/i.test(attr.name) || attr.name === 'style') bad.push(what);
              if (/^\\s*javascript:/i.test(attr.value)) bad.push(what);
            }
            if (dangerous.includes(el.tagName) && !el.closest('.actions')) bad.push(el.tagName);
          }
          return bad;
        }"""
    )
    assert live == []
    moderator.press("j", "e")  # the editor holds the hostile source as text
    expect(moderator.page.locator("article.card textarea").first).to_be_focused()
    moderator.press("Escape")
    moderator.press("a")
    expect(moderator.cards()).to_have_count(len(names) - 1)
    page.wait_for_timeout(300)  # give any payload a moment to fire
