"""How fast the widget shows a 200-comment thread, against Isso 0.14's widget on the same thread.

Starts a Sidenote server on a temporary SQLite file and seeds one thread of 200 comments (50
top-level, each with a chain of replies to depth 3, bodies 100-800 characters of Markdown; the
widget's first page holds them all); starts Isso 0.14 (installed into bench/.isso-venv like
`make bench` does) and posts the same 200 comments to it through its API (Isso shows replies one
level deep, so its thread is 50 comments with 3 replies each: the same 200 on the page). Then it
opens a page with each embed snippet in headless Chromium, taking turns, each load in a fresh
browser context (nothing cached), and reads:

- render: from script start to the whole thread in the DOM. Sidenote: its own marks,
  `sidenote:start` (embed.js starts) to `sidenote:rendered`. Isso: a mark put before the first
  line of its embed.min.js (the bench serves the script with that line added) to the moment a
  MutationObserver set up by the page sees 200 comments (`.isso-comment` with an id);
- json: the thread request's Resource Timing (request start to last byte), for each;
- config: Sidenote's site config request, fetched alongside.

The ratio is Sidenote's median render over Isso's (target ≤ 0.25). Without Isso (it could not be
installed) only Sidenote's figures are printed.

Run: `.venv/bin/python bench/widget_render.py [--runs 15]`. Prints figures; not a test.
`bench/run.py` (`make bench`) runs it too and puts the ratio in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.live import (  # noqa: E402
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


def bodies() -> Iterator[tuple[int, str, str]]:
    """The 200 comments in posting order, (depth, author, Markdown body), each reply after its
    parent."""
    rng = random.Random(200)
    for _root in range(50):
        yield 0, rng.choice(WORDS).title(), markdown_body(rng)
        for depth in range(1, 4):
            yield depth, rng.choice(WORDS).title(), markdown_body(rng)


def seed_thread(seeder: Seeder) -> None:
    parent = None
    for depth, author, body in bodies():
        parent = seeder.comment(
            THREAD, body, author=author, **({"parent": parent} if depth else {})
        )


# -- Isso 0.14 -------------------------------------------------------------------------------

ISSO_VENV = ROOT / "bench" / ".isso-venv"
ISSO_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>
<link rel="icon" href="data:,"><script>
new MutationObserver((records, observer) => {
  if (document.querySelectorAll(".isso-comment[id^='isso-']").length < 200) return;
  performance.mark("isso:rendered");
  observer.disconnect();
}).observe(document.documentElement, {childList: true, subtree: true});
</script></head><body><main><h1>Bench</h1><section id="isso-thread"></section></main>
<script async src="/js/embed.min.js" data-isso="/"></script></body></html>"""
ISSO_TIMINGS = """() => {
  const mark = name => performance.getEntriesByName(name)[0]?.startTime;
  const thread = performance.getEntriesByType("resource").find(e => e.name.includes("?uri="));
  return {
    render: mark("isso:rendered") - mark("isso:start"),
    json: thread.responseEnd - thread.startTime,
    json_bytes: thread.transferSize,
    cards: document.querySelectorAll(".isso-comment[id^='isso-']").length,
  };
}"""


def isso_python() -> Path | None:
    """Isso 0.14's venv (bench/.isso-venv, shared with `make bench`), installed on first use."""
    python = ISSO_VENV / "bin" / "python"
    if not python.exists():
        print("== installing Isso 0.14 for the widget comparison", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "isso==0.14.0", "gunicorn"],
                check=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as error:
            print(f"   Isso could not be installed ({error}); no comparison")
            return None
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def isso_server(work: Path) -> Iterator[str]:
    """Isso on gunicorn (2 workers, as in `make bench`), moderation and rate limits off."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = work / "isso.cfg"
    config.write_text(
        f"[general]\ndbpath = {work / 'isso.db'}\nhost = {base}/\n"
        "[moderation]\nenabled = false\n[guard]\nenabled = false\n"
        f"[server]\nlisten = {base}/\n"
    )
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    with (work / "isso.log").open("wb") as log:
        args = [str(ISSO_VENV / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "2"]
        proc = subprocess.Popen(
            [*args, "--preload", "isso.run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/info", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Isso did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


def seed_isso(base: str) -> None:
    """The same 200 comments through Isso's API (a reply to a reply joins its top-level thread)."""
    parent = None
    for depth, author, body in bodies():
        data = {
            "text": body,
            "author": author,
            "title": "Bench",
            **({"parent": parent} if depth else {}),
        }
        request = urllib.request.Request(
            f"{base}/new?uri={THREAD.replace('/', '%2F')}",
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", "Origin": base, "Referer": base + THREAD},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                parent = json.loads(answer.read())["id"]
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"Isso refused a comment: {error.read()[:300]!r}") from None


# -- measuring -------------------------------------------------------------------------------


def load(browser: Browser, url: str, page_html: str, timings: str, done: str) -> dict[str, Any]:
    """One cold page load (fresh context) of `page_html` served at url + THREAD."""
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.route(url + THREAD, lambda route: route.fulfill(body=page_html, content_type="text/html"))

    def marked(route: Any) -> None:
        """Isso's script with a mark before its first line: where its work starts."""
        answer = route.fetch()
        body = 'performance.mark("isso:start");\n' + answer.text()
        route.fulfill(response=answer, body=body)

    page.route(url + "/js/embed.min.js", marked)
    page.goto(url + THREAD)
    page.wait_for_function(done, timeout=30_000)
    result: dict[str, Any] = page.evaluate(timings)
    context.close()
    return result


SIDENOTE_DONE = "() => performance.getEntriesByName('sidenote:rendered').length > 0"
ISSO_DONE = "() => performance.getEntriesByName('isso:rendered').length > 0"


def measure(
    sidenote: str, isso: str | None, runs: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`runs` loads of each widget, taking turns, in one Chromium."""
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _run in range(runs):
                ours.append(load(browser, sidenote, PAGE, TIMINGS, SIDENOTE_DONE))
                if isso:
                    theirs.append(load(browser, isso, ISSO_PAGE, ISSO_TIMINGS, ISSO_DONE))
        finally:
            browser.close()
    return ours, theirs


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    return f"median {median:7.1f} ms   p90 {p90:7.1f} ms   min {ordered[0]:7.1f} ms"


@dataclass
class WidgetRender:
    """Medians of one run (milliseconds); isso_* are None without Isso."""

    runs: int
    render: float
    render_p90: float
    json: float
    isso_render: float | None
    isso_json: float | None

    @property
    def ratio(self) -> float | None:
        return self.render / self.isso_render if self.isso_render else None


def compare(runs: int, with_isso: bool = True) -> WidgetRender:
    """Seed both, measure both in turns, print the figures and return the medians."""
    with tempfile.TemporaryDirectory(prefix="sidenote-bench-") as workdir:
        work = Path(workdir)
        process, server = start_server(work)
        try:
            seeder = Seeder(server)
            seed_thread(seeder)
            seeder.close()
            with contextlib.ExitStack() as stack:
                isso = None
                if with_isso and isso_python():
                    isso = stack.enter_context(isso_server(work))
                    seed_isso(isso)
                measure(server.url, isso, 2)  # warm the servers and Chromium's disk caches
                ours, theirs = measure(server.url, isso, runs)
        finally:
            stop_server(process)
    assert all(r["cards"] == 200 for r in ours), [r["cards"] for r in ours]
    assert all(r["cards"] == 200 for r in theirs), [r["cards"] for r in theirs]
    embed = ROOT / "service" / "static" / "embed.js"
    print(f"Widget render of a 200-comment thread, headless Chromium, {runs} cold page loads each")
    print(f"  embed.js: {embed.stat().st_size} bytes; thread JSON: {ours[0]['json_bytes']} bytes")
    print(f"  script start -> thread rendered : {summary([r['render'] for r in ours])}")
    print(f"  thread JSON fetch (in that time): {summary([r['json'] for r in ours])}")
    print(f"  site config fetch (in parallel) : {summary([r['config'] for r in ours])}")
    print(f"  render minus JSON fetch         : {summary([r['render'] - r['json'] for r in ours])}")
    figures = WidgetRender(
        runs,
        statistics.median(r["render"] for r in ours),
        sorted(r["render"] for r in ours)[min(runs - 1, round(0.9 * (runs - 1)))],
        statistics.median(r["json"] for r in ours),
        statistics.median(r["render"] for r in theirs) if theirs else None,
        statistics.median(r["json"] for r in theirs) if theirs else None,
    )
    if theirs:
        print(f"Isso 0.14 (embed.min.js), same thread, thread JSON {theirs[0]['json_bytes']} bytes")
        print(f"  script start -> thread rendered : {summary([r['render'] for r in theirs])}")
        print(f"  thread JSON fetch (in that time): {summary([r['json'] for r in theirs])}")
        rest = [r["render"] - r["json"] for r in theirs]
        print(f"  render minus JSON fetch         : {summary(rest)}")
        print(f"Sidenote / Isso, median render: {figures.ratio:.2f} (target <= 0.25)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="page loads of each widget (15)")
    parser.add_argument("--no-isso", action="store_true", help="measure Sidenote only")
    args = parser.parse_args()
    compare(args.runs, with_isso=not args.no_isso)


if __name__ == "__main__":
    main()
