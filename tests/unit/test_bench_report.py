"""`make bench` writes docs/performance.md: every target row must land inside its table."""

from __future__ import annotations

import pytest

import bench.run
from bench.run import FAST_POSTING, BackendReport, Measurement, format_report


def report() -> BackendReport:
    return BackendReport(
        backend="SQLite",
        rows=[
            Measurement("static app, same bytes", 10_000, 0.5, 1.0),
            Measurement("post a comment", 300, 50.0, 100.0),
        ],
        checks=[("thread read / static (throughput)", 0.6, 0.5, True)],
        scaling=[(1, 6_000.0), (2, 10_000.0)],
        diagnostics=[("10k first page / 200, cache off", 0.9)],
        memory_mib=[90.0, 80.0],
    )


def test_the_isso_comparison_is_a_row_of_the_targets_table() -> None:
    isso = Measurement("Isso 0.14: post a comment", 500, 40.0, 90.0)
    lines = format_report([report()], isso, seconds=5).splitlines()
    header = lines.index("| target | measured | goal | met |")
    table = lines[header : lines.index("", header)]  # a Markdown table ends at a blank line
    assert table[-2:] == [
        "| posting p50 vs Isso 0.14 (40.00 ms) | 50.00 ms | ≤ Isso | NO |",
        "| posting throughput / Isso 0.14 (500 req/s) | 0.60 | ≥ 1.0 | NO |",
    ]
    assert sum("vs Isso" in line or "/ Isso" in line for line in lines) == 2


def test_without_isso_the_targets_table_has_no_comparison_row() -> None:
    text = format_report([report()], None, seconds=5)
    assert "Isso" not in text


def test_posting_without_durable_commits_is_compared_with_isso_after_the_targets_table() -> None:
    isso = Measurement("Isso 0.14: post a comment", 500, 40.0, 90.0)
    fast = report()
    fast.rows.append(Measurement(FAST_POSTING, 450, 45.0, 95.0))
    lines = format_report([fast], isso, seconds=5).splitlines()
    header = lines.index("| target | measured | goal | met |")
    table_end = lines.index("", header)
    assert lines[table_end + 1] == (
        "Posting with `SIDENOTE_DURABLE_COMMITS=false` (not a target; commits do not wait for the "
        "disk, Isso's do): 0.90 × Isso's throughput, p50 45.00 ms against Isso's 40.00 ms."
    )


def test_best_of_takes_throughput_and_latency_each_from_its_best_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lopsided split of wrk's connections costs one run its p50, another its throughput."""
    runs = iter(
        [
            Measurement("post", 650, 40.8, 70.0, non_2xx=1),
            Measurement("post", 600, 24.0, 45.0),
            Measurement("post", 320, 30.0, 60.0, non_2xx=2),
        ]
    )
    monkeypatch.setattr(bench.run, "wrk", lambda *_args, **_kwargs: next(runs))
    assert bench.run.best_of(3, "post", "http://127.0.0.1/") == Measurement(
        "post", 650, 24.0, 45.0, non_2xx=3
    )


def read_round(static: float, read: float, not_modified: float) -> bench.run.ReadRound:
    def row(name: str, rps: float) -> Measurement:
        return Measurement(name, rps, 1.0, 2.0, requests=int(rps) * 5, cpu_us=1e6 / rps)

    return bench.run.ReadRound(row("static", static), row("read", read), row("304", not_modified))


def test_read_ratios_are_judged_on_the_median_round_and_show_the_spread() -> None:
    ratios = bench.run.ReadRatios(
        "SQLite",
        [read_round(1000, 950, 900), read_round(1000, 800, 1200), read_round(2000, 1900, 2400)],
    )
    lines = bench.run.format_read_ratios([ratios], seconds=5).splitlines()
    assert "| thread read / static | 0.95 (0.80–0.95) | ≥ 0.9 | yes | 0.95 (0.80–0.95) |" in lines
    assert "| 304 / static | 1.20 (0.90–1.20) | ≥ 1.0 | yes | 1.20 (0.90–1.20) |" in lines


def test_a_read_ratio_below_its_target_in_the_median_round_is_not_met() -> None:
    ratios = bench.run.ReadRatios(
        "SQLite",
        [read_round(1000, 850, 990), read_round(1000, 950, 1100), read_round(1000, 880, 980)],
    )
    text = bench.run.format_read_ratios([ratios], seconds=5)
    assert "| thread read / static | 0.88 (0.85–0.95) | ≥ 0.9 | NO |" in text
    assert "| 304 / static | 0.99 (0.98–1.10) | ≥ 1.0 | NO |" in text
