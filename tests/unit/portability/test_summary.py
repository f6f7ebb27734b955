"""The import summary: counts by status and by reason, a few locations each, never all of them."""

from __future__ import annotations

from service.portability.import_run import ImportSummary


def test_summary_lists_counts_and_the_first_locations_of_each_reason() -> None:
    summary = ImportSummary(source="wordpress", site="blog", dry_run=False, threads_created=2)
    summary.installation = "https://one.example"
    summary.comments.update({"approved": 5, "pending": 1})
    for number in range(8):
        summary.skip("pingbacks are links from other sites, not comments", f"comment {number}")
    summary.skip("invalid or missing date", "comment 9")
    summary.reparented.add("comment 10 (parent missing)")
    assert summary.lines() == [
        "Imported from wordpress into site 'blog'",
        "Threads: 2 new, 0 existing with new comments, 0 already complete",
        "Comments: 6 imported (pending 1, approved 5, rejected 0, spam 0, deleted 0); "
        "0 already imported",
        "Source installation: https://one.example",
        "Replies to comments missing from the file, now top-level: 1 (comment 10 (parent missing))",
        "Skipped: 9",
        "  - pingbacks are links from other sites, not comments: 8 (comment 0, comment 1, "
        "comment 2, comment 3, comment 4, and 3 more)",
        "  - invalid or missing date: 1 (comment 9)",
    ]
    assert summary.as_dict()["skipped"] == {
        "pingbacks are links from other sites, not comments": 8,
        "invalid or missing date": 1,
    }


def test_a_dry_run_says_that_nothing_was_written() -> None:
    summary = ImportSummary(source="disqus", site="blog", dry_run=True)
    assert summary.lines()[0] == (
        "Would import from disqus into site 'blog' (dry run: nothing was written)"
    )


def test_a_file_that_names_no_installation_says_how_to_name_one() -> None:
    summary = ImportSummary(source="isso", site="blog", dry_run=False)
    assert "Source installation: none named in the file (--source NAME names one)" in (
        summary.lines()
    )
