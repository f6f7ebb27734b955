"""How long inline comments take to find their passages again, in headless Chromium.

50 anchors (quotes of 15 to 1,000 characters, spread over the article) are created on a generated
20,000-word article with the widget's own engine; then the article is changed (unchanged, lightly
edited, 30 % edited and 10 % deleted, every passage deleted) and the same anchors are re-anchored
the way inline.js does it: build the text model, then `locateAll` in 8-ms slices. Reported per
scenario (median of the runs): the text model, the wall time until every anchor is resolved, the
main-thread time spent, the longest slice (the model build counts with the first), long tasks seen
by a PerformanceObserver (tasks over 50 ms), and how many anchors landed on the right words. A
second pass repeats it under 4x CPU throttling (a mid-range phone).

Run: `.venv/bin/python bench/inline_anchoring.py [--runs 5] [--no-write]`. Prints figures and writes
them to docs/performance.md between the `bench:inline` markers; it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.live import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

HARNESS = ROOT / "bench" / "inline_anchoring.ts"
ESBUILD = ROOT / "embed" / "node_modules" / ".bin" / "esbuild"
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:inline:start -->", "<!-- bench:inline:end -->"


def bundle(directory: Path) -> Path:
    """The harness and the engine it imports, bundled for the browser."""
    out = directory / "inline_anchoring.js"
    subprocess.run(
        [str(ESBUILD), str(HARNESS), "--bundle", "--format=iife", f"--outfile={out}",
         "--log-level=warning"],
        check=True,
        timeout=120,
    )  # fmt: skip
    return out


def measure(page: Page, runs: int) -> list[dict[str, Any]]:
    scenarios: list[str] = page.evaluate("window.inlineScenarios")
    rows = []
    for name in scenarios:
        results = [page.evaluate("name => window.inlineBench(name)", name) for _ in range(runs)]
        median = {
            key: statistics.median(r[key] for r in results)
            for key in ("model", "anchored", "busy", "longestSlice", "painted", "slices")
        }
        rows.append(
            {
                **results[0],
                **median,
                "longTasks": max((len(r["longTasks"]) for r in results), default=0),
                "longestTask": max((max(r["longTasks"], default=0) for r in results), default=0),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario (50 anchors) | text model | all anchored | main thread | longest slice "
        "| long tasks (> 50 ms) | highlights | right words | anchored / edited / orphan |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        states = r["states"]
        lines.append(
            f"| {r['name']} | {r['model']:.1f} ms | {r['anchored']:.1f} ms | {r['busy']:.1f} ms "
            f"| {r['longestSlice']:.1f} ms | {r['longTasks']}"
            + (f" (longest {r['longestTask']:.0f} ms)" if r["longTasks"] else "")
            + f" | {r['painted']:.1f} ms | {r['correct']}/50 "
            f"| {states['anchored']} / {states['edited']} / {states['orphan']} |"
        )
    return "\n".join(lines)


def write_docs(text: str) -> None:
    current = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    section = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        current = (
            current[: current.index(START)] + section + current[current.index(END) + len(END) :]
        )
    else:
        current = current.rstrip("\n") + "\n\n## Inline comments: re-anchoring\n\n" + section + "\n"
    DOCS.write_text(current)
    print(f"\nwrote {DOCS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (median)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        script = bundle(Path(work))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sections = []
        try:
            for label, rate in (("desktop", 1), ("4x CPU throttling", 4)):
                page = browser.new_page()
                page.set_content("<!doctype html><html lang=en><body></body></html>")
                page.add_script_tag(path=str(script))
                if rate > 1:
                    cdp = page.context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                rows = measure(page, args.runs)
                page.close()
                sections.append((label, rows))
            version = browser.version
        finally:
            browser.close()
    first = sections[0][1][0]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"Measured {stamp} with `python bench/inline_anchoring.py --runs {args.runs}` in headless "
        f"Chromium {version} on {os.cpu_count()} cores ({platform.machine()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end): a generated "
        f"article of {first['words']:,} words ({first['units']:,} characters of normalised text), "
        '50 anchors of 15 to 1,000 characters; medians of the runs. "Main thread" is the time '
        'spent in slices (inline.js gives the main thread back every 8 ms); "longest slice" '
        "includes building the text model, which runs in the same task as the first slice; "
        '"highlights" is one `paint()` of all anchored passages; "long tasks" are what a '
        "PerformanceObserver saw on the page during the run (the most in one run, the longest in "
        "any run), which on a busy machine includes time the process was not running.\n"
    )
    for label, rows in sections:
        text += f"\n{label}:\n\n{table(rows)}\n"
    print(text)
    if not args.no_write:
        write_docs(text.rstrip("\n"))


if __name__ == "__main__":
    main()
