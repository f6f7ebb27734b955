"""How fast the widget shows a 200-comment thread, next to how long its JSON takes to arrive.

Starts a Sidenote server on a temporary SQLite file, seeds one thread of 200 comments (50
top-level, each with a chain of replies to depth 3, bodies 100-800 characters of Markdown; the
widget's first page holds them all), then opens a page with the embed snippet in headless
Chromium several times, each in a fresh browser context (nothing cached), and reads:

- render: from `sidenote:start` (embed.js starts) to `sidenote:rendered` (thread on screen);
- json: the thread request's Resource Timing (request start to last byte);
- config: the site config request, fetched alongside.

Run: `.venv/bin/python bench/widget_render.py [--runs 15]`. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.live import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Seeder,
    start_server,
    stop_server,
)

THREAD = "/bench/two-hundred"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>
<link rel="icon" href="data:,"></head><body><main><h1>Bench</h1>
<div id="sidenote-thread"></div></main>
<script async src="/embed.js" data-sidenote-site="demo"></script></body></html>"""
WORDS = [
    *("granite", "tower", "keeper", "lantern", "reef", "swell", "shore", "station", "signal"),
    *("flag", "relief", "weather", "course", "mason", "barrack", "harbour", "light", "lens"),
    *("wick", "gallery", "Atlantic", "Tiree", "Hynish"),
]
TIMINGS = """() => {
  const mark = name => performance.getEntriesByName(name)[0]?.startTime;
  const resource = part =>
    performance.getEntriesByType("resource").find(e => e.name.includes(part));
  const thread = resource("/api/v1/comments?"), config = resource("/config");
  return {
    render: mark("sidenote:rendered") - mark("sidenote:start"),
    start: mark("sidenote:start"),
    json: thread.responseEnd - thread.startTime,
    json_bytes: thread.transferSize,
    config: config.responseEnd - config.startTime,
    cards: document.querySelector("#sidenote-thread").shadowRoot
      .querySelectorAll("article.card").length,
  };
}"""


def markdown_body(rng: random.Random) -> str:
    """100-800 characters of Markdown with emphasis, code, a link and sometimes a quote."""
    target = rng.randint(100, 800)
    words: list[str] = []
    while len(" ".join(words)) < target:
        word = rng.choice(WORDS)
        roll = rng.random()
        if roll < 0.05:
            word = f"**{word}**"
        elif roll < 0.08:
            word = f"`{word}`"
        elif roll < 0.09:
            word = f"[{word}](https://example.org/{word})"
        words.append(word)
    text = " ".join(words)[:target]
    return ("> " + text[:80] + "\n\n" + text[80:]) if rng.random() < 0.2 else text


def seed_thread(seeder: Seeder) -> None:
    rng = random.Random(200)
    for _root in range(50):
        parent = seeder.comment(THREAD, markdown_body(rng), author=rng.choice(WORDS).title())
        for _depth in range(3):
            parent = seeder.comment(
                THREAD, markdown_body(rng), parent=parent, author=rng.choice(WORDS).title()
            )


def measure(url: str, runs: int) -> list[dict[str, Any]]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _run in range(runs):
                context = browser.new_context(viewport={"width": 1024, "height": 800})
                page = context.new_page()
                page.route(
                    url + THREAD, lambda route: route.fulfill(body=PAGE, content_type="text/html")
                )
                page.goto(url + THREAD)
                page.wait_for_function(
                    "() => performance.getEntriesByName('sidenote:rendered').length > 0",
                    timeout=30_000,
                )
                results.append(page.evaluate(TIMINGS))
                context.close()
        finally:
            browser.close()
    return results


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    return f"median {median:7.1f} ms   p90 {p90:7.1f} ms   min {ordered[0]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="page loads to measure (15)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sidenote-bench-") as workdir:
        process, server = start_server(Path(workdir))
        try:
            seeder = Seeder(server)
            seed_thread(seeder)
            seeder.close()
            measure(server.url, 2)  # warm the server and Chromium's disk caches
            results = measure(server.url, args.runs)
        finally:
            stop_server(process)
    assert all(r["cards"] == 200 for r in results), [r["cards"] for r in results]
    embed = Path(__file__).resolve().parents[1] / "service" / "static" / "embed.js"
    print(f"Widget render of a 200-comment thread, headless Chromium, {args.runs} cold page loads")
    print(
        f"  embed.js: {embed.stat().st_size} bytes; thread JSON: {results[0]['json_bytes']} bytes"
    )
    print(f"  script start -> thread rendered : {summary([r['render'] for r in results])}")
    print(f"  thread JSON fetch (in that time): {summary([r['json'] for r in results])}")
    print(f"  site config fetch (in parallel) : {summary([r['config'] for r in results])}")
    rendering = [r["render"] - r["json"] for r in results]
    print(f"  render minus JSON fetch         : {summary(rendering)}")


if __name__ == "__main__":
    main()
