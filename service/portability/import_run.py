"""What an import run is given (its options, hooks for progress) and what it reports (the
tally and the summary `sidenote import` prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from service.comments.models import CommentStatus

_LISTED_LOCATIONS = 5


_LISTED_OVERSIZED = 200


OVERSIZED = "body longer than"


@dataclass(frozen=True)
class ImportOptions:
    site: str
    remap: tuple[tuple[str, str], ...] = ()
    dry_run: bool = False
    sanitizer: str = "bleach"
    #: IP hashes are kept only for comments younger than this (SIDENOTE_RETAIN_IP_HASH_DAYS).
    retain_ip_hash_days: int = 90
    #: `--source NAME`: the installation the file comes from, instead of the one it names.
    source_name: str = ""
    #: Longer bodies are skipped, counted, and their ids listed (SIDENOTE_IMPORT_MAX_BODY_CHARS).
    max_body_chars: int = 100_000


@dataclass
class ImportHooks:
    """Progress callbacks (the CLI draws bars with them) and a test hook after each page."""

    reading: Callable[[int], None] = lambda size: None
    writing: Callable[[int], None] = lambda total: None
    written: Callable[[int], None] = lambda count: None
    page_done: Callable[[int], None] = lambda index: None


@dataclass
class Tally:
    """How many, and the first few locations: a summary of a million skips stays small."""

    count: int = 0
    examples: list[str] = field(default_factory=list)
    limit: int = _LISTED_LOCATIONS

    def add(self, location: str) -> None:
        self.count += 1
        if len(self.examples) < self.limit:
            self.examples.append(location)

    def __bool__(self) -> bool:
        return self.count > 0

    def __str__(self) -> str:
        more = self.count - len(self.examples)
        listed = ", ".join(self.examples) + (f", and {more} more" if more else "")
        return f"{self.count} ({listed})"


@dataclass
class ImportSummary:
    source: str
    site: str
    dry_run: bool
    threads_created: int = 0
    threads_extended: int = 0
    threads_unchanged: int = 0
    comments: Counter[str] = field(default_factory=Counter)
    already_imported: int = 0
    emptied: Tally = field(default_factory=Tally)
    reparented: Tally = field(default_factory=Tally)
    skipped: dict[str, Tally] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    #: The installation the comments' ids belong to (see `ImportedComment.installation`).
    installation: str = ""

    def skip(self, reason: str, location: str) -> None:
        # Oversized comments are rare and each one matters: list (nearly) all of their ids.
        limit = _LISTED_OVERSIZED if reason.startswith(OVERSIZED) else _LISTED_LOCATIONS
        self.skipped.setdefault(reason, Tally(limit=limit)).add(location)

    @property
    def skipped_total(self) -> int:
        return sum(tally.count for tally in self.skipped.values())

    @property
    def imported(self) -> int:
        return sum(self.comments.values())

    def failure(self) -> str | None:
        """Why this run counts as failed: the file held comments and none could be imported."""
        if self.imported or self.already_imported or not self.skipped:
            return None
        reason, tally = max(self.skipped.items(), key=lambda item: item[1].count)
        return (
            f"nothing was imported: all {self.skipped_total} comments in the file were skipped"
            f" (most: {reason}, {tally.count})"
        )

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        statuses = ", ".join(f"{status} {self.comments[status]}" for status in CommentStatus)
        out = [
            f"{verb} from {self.source} into site {self.site!r}"
            + (" (dry run: nothing was written)" if self.dry_run else ""),
            f"Threads: {self.threads_created} new, {self.threads_extended} existing with new "
            f"comments, {self.threads_unchanged} already complete",
            f"Comments: {self.imported} imported ({statuses}); "
            f"{self.already_imported} already imported",
            "Source installation: "
            + (self.installation or "none named in the file (--source NAME names one)"),
        ]
        if self.reparented:
            out.append(
                f"Replies to comments missing from the file, now top-level: {self.reparented}"
            )
        if self.emptied:
            out.append(f"Empty comments, imported as deleted: {self.emptied}")
        out.append(f"Skipped: {self.skipped_total}")
        for reason, tally in sorted(self.skipped.items(), key=lambda item: -item[1].count):
            out.append(f"  - {reason}: {tally}")
        if self.repairs:
            shown = self.repairs[:_LISTED_LOCATIONS]
            more = len(self.repairs) - len(shown)
            out.append(
                f"Repaired malformed XML: {'; '.join(shown)}"
                + (f"; and {more} more" if more else "")
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "site": self.site,
            "dry_run": self.dry_run,
            "threads": {
                "created": self.threads_created,
                "extended": self.threads_extended,
                "unchanged": self.threads_unchanged,
            },
            "comments": {status.value: self.comments[status] for status in CommentStatus},
            "already_imported": self.already_imported,
            "reparented": self.reparented.count,
            "emptied": self.emptied.count,
            "skipped": {reason: tally.count for reason, tally in self.skipped.items()},
            "oversized": [
                location
                for reason, tally in self.skipped.items()
                if reason.startswith(OVERSIZED)
                for location in tally.examples
            ],
            "repairs": self.repairs,
            "installation": self.installation,
        }
