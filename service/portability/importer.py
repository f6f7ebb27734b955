"""`sidenote import`: read an export, stage it, write it page by page.

1. The format's parser streams records (`records.py`) into a scratch SQLite file (`staging.py`).
   A strict XML parse that fails is retried once through the repairing reader.
2. Each page's URL is rewritten by `--remap`, must lie on one of the site's origins, and gets
   the thread key the widget uses by default: the URL's path (see `page_key`).
3. Each page is written in its own transaction: thread, then comments parents first, through
   `posting.insert_comment` (paths, root ids, counters, exactly as for posted comments), each
   recorded in `imported_comments` under its source installation and source id. An interrupted
   import therefore leaves whole pages only, and a second run finds every written comment by its
   source id and adds only what is missing.

Before anything is read, a file whose first bytes say it is another format is refused with that
format (`sniff.py`). While reading, a body longer than `max_body_chars` is skipped at once (and
XML text far past it is never built, see `xmlstream.ContentCap`).

Bodies are turned into Markdown (HTML through `htmltomd`) and rendered by the same renderer as a
new comment. Imported comments emit no events: nobody is mailed about a comment from 2011.
A reply whose parent is not in the file becomes a top-level comment (the summary lists it);
a reply to a deleted comment stays under it, shown as a tombstone as usual.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.comments.models import (
    MODERATION_MODES,
    REPORT_REASONS,
    Comment,
    CommentAnchor,
    CommentStatus,
    Report,
    Site,
    Thread,
    Vote,
)
from service.comments.posting import MAX_NESTING, author_key, erase_content, insert_comment
from service.comments.sites import find_thread, get_or_create_thread, get_site
from service.db import Database, keys_of
from service.kernel import clock
from service.kernel.keys import Keys
from service.kernel.rendering import clean_website, render_markdown
from service.kernel.urls import BadUrl, normalize_page_url, page_origin
from service.portability.commento import read_commento
from service.portability.disqus import read_disqus
from service.portability.htmltomd import html_to_markdown
from service.portability.import_run import (
    OVERSIZED,
    ImportHooks,
    ImportOptions,
    ImportSummary,
)
from service.portability.inputs import SQLITE_MAGIC, head, open_bytes, open_text
from service.portability.isso import read_isso_database, read_isso_json
from service.portability.models import ImportedComment
from service.portability.native import read_native
from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    Record,
    clean_text,
    installation_name,
    parse_datetime,
)
from service.portability.remark42 import read_remark42
from service.portability.sniff import NAMES, looks_like
from service.portability.staging import StagedThread, Staging
from service.portability.wordpress import read_wordpress
from service.portability.xmlstream import (
    ContentCap,
    RepairingReader,
    content_cap_bytes,
    repairable,
)

FORMATS = ("disqus", "wordpress", "isso", "remark42", "commento", "sidenote")
#: Query parameters that name the page itself on WordPress sites without pretty permalinks.
PAGE_QUERY_KEYS = ("p", "page_id", "attachment_id")
MAX_NAME, MAX_EMAIL, MAX_WEBSITE, MAX_TITLE, MAX_URL, MAX_KEY = 100, 254, 300, 300, 2000, 500


# -- options, hooks and the summary ----------------------------------------------------------


# -- reading -------------------------------------------------------------------------------


def read_records(
    source: str,
    path: Path,
    *,
    repair: bool = False,
    declare_prefixes: bool = False,
    max_body_chars: int = 100_000,
    on_read: Callable[[int], None] | None = None,
    repairs: list[str] | None = None,
) -> Iterator[Record]:
    """The records of the file, by format (see each parser's module)."""
    if source in {"disqus", "wordpress"}:
        parse = read_disqus if source == "disqus" else read_wordpress
        cap = content_cap_bytes(max_body_chars)
        with open_bytes(path, on_read) as raw:
            if not repair:
                yield from parse(ContentCap(raw, cap))
                return
            reader = RepairingReader(raw, declare_prefixes=declare_prefixes)
            yield from parse(ContentCap(reader, cap))
            if repairs is not None:
                repairs.extend([*reader.repairs, *reader.prefix_repairs])
    elif source == "isso" and head(path, len(SQLITE_MAGIC)) == SQLITE_MAGIC:
        yield from read_isso_database(path)
        if on_read is not None:
            on_read(path.stat().st_size)
    else:
        parse_text = {
            "isso": read_isso_json,
            "remark42": read_remark42,
            "commento": read_commento,
            "sidenote": read_native,
        }[source]
        with open_text(path, on_read) as text:
            yield from parse_text(text)


def _stage(
    staging: Staging,
    source: str,
    path: Path,
    summary: ImportSummary,
    hooks: ImportHooks,
    max_body_chars: int,
) -> None:
    oversized = f"{OVERSIZED} {max_body_chars:,} characters (SIDENOTE_IMPORT_MAX_BODY_CHARS)"

    def add(record: Record) -> None:
        # Dropped as soon as it is read: never staged, converted, rendered or written.
        if isinstance(record, CommentRecord) and len(record.body) > max_body_chars:
            staging.skip(oversized, record.location)
        else:
            staging.add(record)

    try:
        for record in read_records(
            source, path, max_body_chars=max_body_chars, on_read=hooks.reading
        ):
            add(record)
    except ImportFormatError as error:
        if source not in {"disqus", "wordpress"} or not repairable(error):
            raise
        # A sloppy export: read it once more through the repairing reader.
        staging.reset()
        repairs: list[str] = []
        unbound = "unbound prefix" in error.message
        for record in read_records(
            source,
            path,
            repair=True,
            declare_prefixes=unbound,
            max_body_chars=max_body_chars,
            repairs=repairs,
        ):
            add(record)
        summary.repairs = [f"strict parse failed at {error}", *repairs]
    staging.finish()


# -- pages ---------------------------------------------------------------------------------


def remap_url(url: str, remap: tuple[tuple[str, str], ...]) -> str:
    """Apply the longest matching `--remap OLD=NEW` prefix."""
    for old, new in sorted(remap, key=lambda pair: -len(pair[0])):
        if url.startswith(old):
            return new + url[len(old) :]
    return url


def page_key(url: str) -> str:
    """The widget's default thread key: the page's path, percent-encoded as a browser does.

    Query strings are left out, except the ones that name the page on WordPress sites without
    pretty permalinks (`/?p=42`), where the path alone would merge every post into one thread.
    """
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in PAGE_QUERY_KEYS]
    return path + (f"?{urlencode(kept)}" if kept else "")


def resolve_page(
    site: Site, url: str, options: ImportOptions, *, deleted: bool = False, key: str | None = None
) -> tuple[str, str]:
    """(url, thread key) of a page, or a ValueError whose message is the reason to skip it."""
    if deleted:
        raise ValueError("its page was deleted in the system it came from")
    url = remap_url(url.strip(), options.remap)
    if not url:
        raise ValueError("its page has no URL")
    if url.startswith("/") and not url.startswith("//"):
        url = site.origins[0] + url
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("its page URL is not valid") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError("its page URL is not an http(s) URL")
    url = urlunsplit(parts._replace(fragment=""))
    try:
        page = normalize_page_url(url)  # stored as posting stores it (service/urls.py)
    except BadUrl as error:
        raise ValueError(f"its page URL {error}") from None
    if page_origin(page) not in site.origins:
        origin = page_origin(page)
        host = (parts.hostname or "").lower()
        if host == "disqus.com" or host.endswith(".disqus.com"):
            # A discussion on Disqus's own pages (a channel), not a page of the blog.
            raise ValueError(f"its page is a discussion on {host} itself, not a page of your site")
        raise ValueError(
            f"its page is on {origin}, not on the site's origins "
            f"(add --remap {origin}={site.origins[0]})"
        )
    thread_key = key or page_key(url)  # from the URL as written, as the widget keys pages
    if len(page) > MAX_URL or len(thread_key) > MAX_KEY:
        raise ValueError("its page URL is too long")
    return page, thread_key


def _resolve_pages(staging: Staging, site: Site, options: ImportOptions) -> None:
    for ordinal, _source_id, url, deleted, extra in staging.threads():
        key = extra.get("key") if isinstance(extra.get("key"), str) else None
        try:
            page_url, thread_key = resolve_page(site, url, options, deleted=deleted, key=key)
        except ValueError as problem:
            staging.resolve(ordinal, key=None, url=None, problem=str(problem))
        else:
            staging.resolve(ordinal, key=thread_key, url=page_url, problem=None)


# -- writing -------------------------------------------------------------------------------


def clean_email(value: str) -> str:
    value = clean_text(value).strip()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        return ""
    return value if len(value) <= MAX_EMAIL else ""


def body_of(record: CommentRecord, sanitizer: str) -> tuple[str, str]:
    """(Markdown source, sanitised HTML) through the renderer new comments use."""
    body = clean_text(record.body)
    if record.body_format == "markdown":
        source = body.strip()
    else:
        source = html_to_markdown(body, newlines_are_breaks=record.body_format == "html_text")
    return source, render_markdown(source, sanitizer) if source.strip() else ""


def _tree_order(
    records: list[CommentRecord], placed: dict[str, int]
) -> Iterator[tuple[CommentRecord, str | None, str | None]]:
    """(record, parent source id or None, why it lost its parent) in an order with parents first.

    Siblings come oldest first. A parent that is neither in this page nor imported earlier makes
    the reply top-level; so does a reply cycle (a corrupt file), broken at its oldest comment.
    """
    by_id = {record.source_id: record for record in records}
    children: dict[str | None, list[CommentRecord]] = defaultdict(list)
    lost: dict[str, str] = {}
    for record in records:
        parent = record.parent_source_id
        if (
            parent is not None
            and parent != record.source_id
            and (parent in by_id or parent in placed)
        ):
            children[parent].append(record)
        else:
            children[None].append(record)
            if parent is not None:
                lost[record.source_id] = "parent missing"
    for siblings in children.values():
        siblings.sort(key=lambda record: record.created_at)
    visited: set[str] = set()

    def walk(start: list[str | None]) -> Iterator[tuple[CommentRecord, str | None, str | None]]:
        stack: list[tuple[CommentRecord, str | None]] = []
        for parent in start:
            stack.extend((child, parent) for child in reversed(children.get(parent, [])))
        while stack:
            record, parent = stack.pop()
            if record.source_id in visited:
                continue
            visited.add(record.source_id)
            yield record, parent, lost.get(record.source_id)
            stack.extend(
                (child, record.source_id) for child in reversed(children[record.source_id])
            )

    yield from walk([None, *(key for key in children if key in placed)])
    for record in sorted(records, key=lambda record: record.created_at):
        if record.source_id not in visited:
            lost[record.source_id] = "reply cycle"
            children[None] = [record]
            record.parent_source_id = None
            yield from walk([None])


@dataclass
class _Page:
    thread: Thread
    created: bool
    comments: dict[str, Comment] = field(default_factory=dict)


def write_page(
    session: Session,
    site: Site,
    staged: StagedThread,
    records: list[CommentRecord],
    *,
    source: str,
    options: ImportOptions,
    summary: ImportSummary,
) -> None:
    """Write one page (thread and comments) into the session; the caller commits."""
    installation = summary.installation
    known, clashes = _already_imported(session, site, source, installation, records)
    for record in records:
        if record.source_id in clashes:
            summary.skip(
                f"its id was already imported from another {source} installation "
                "(name this one with --source NAME)",
                record.location,
            )
    records = [record for record in records if record.source_id not in clashes]
    placed = {source_id: cid for source_id, cid in known.items() if cid is not None}
    new_records = [record for record in records if record.source_id not in known]
    summary.already_imported += len(records) - len(new_records)
    existing = find_thread(session, site, staged.key)
    if existing is not None and not new_records:
        summary.threads_unchanged += 1
        return
    thread = existing or get_or_create_thread(
        session, site, staged.key, staged.url, clean_text(staged.title, MAX_TITLE)
    )
    if existing is None:
        summary.threads_created += 1
        dates = [record.created_at for record in records]
        if staged.created_at is not None:
            dates.append(staged.created_at)
        thread.created_at = min(dates) if dates else clock.now()
        thread.settled_at = clock.now()  # the operator's file names the page: nothing to squat
        thread.locked = staged.locked or bool(staged.extra.get("locked"))
        moderation = staged.extra.get("moderation")
        thread.moderation = moderation if moderation in MODERATION_MODES else None
    else:
        summary.threads_extended += 1
    page = _Page(thread=thread, created=existing is None)
    ip_cutoff = clock.now() - timedelta(days=options.retain_ip_hash_days)
    keys = keys_of(session)
    for record, parent_id, lost in _tree_order(records, placed):
        if record.source_id in known:
            continue
        parent = _parent(session, page, placed, parent_id)
        if parent is None and parent_id is not None:
            lost = "parent deleted since the last import"
        if lost is not None:
            summary.reparented.add(f"{record.location} ({lost})")
        comment = _comment(keys, site, thread, record, options, ip_cutoff, summary)
        if record.extra:
            _native_fields(comment, thread, record.extra)
        insert_comment(session, comment, parent)
        page.comments[record.source_id] = comment
        session.add(
            ImportedComment(
                site_id=site.id,
                source=source,
                installation=installation,
                source_id=record.source_id,
                comment_id=comment.id,
            )
        )
        if record.extra:
            _native_rows(session, site, comment, record.extra)
        summary.comments[comment.status] += 1
    session.flush()


@dataclass(frozen=True)
class _Earlier:
    """An `imported_comments` row: what an earlier import wrote under a source id."""

    row_id: int
    installation: str
    comment_id: int | None
    created_at: datetime | None


def _earlier_imports(
    session: Session, site: Site, source: str, installations: set[str], source_ids: list[str]
) -> dict[str, list[_Earlier]]:
    found: dict[str, list[_Earlier]] = defaultdict(list)
    for start in range(0, len(source_ids), 500):
        chunk = source_ids[start : start + 500]
        rows = session.execute(
            select(
                ImportedComment.id,
                ImportedComment.source_id,
                ImportedComment.installation,
                ImportedComment.comment_id,
                Comment.created_at,
            )
            .outerjoin(Comment, Comment.id == ImportedComment.comment_id)
            .where(
                ImportedComment.site_id == site.id,
                ImportedComment.source == source,
                ImportedComment.installation.in_(installations),
                ImportedComment.source_id.in_(chunk),
            )
        )
        for row_id, source_id, installation, comment_id, created_at in rows:
            found[source_id].append(_Earlier(row_id, installation, comment_id, created_at))
    return found


def _same_comment(earlier: _Earlier, record: CommentRecord) -> bool:
    """A comment purged since cannot be compared: taken as the same (it is not re-imported)."""
    return earlier.created_at is None or earlier.created_at == record.created_at


def _already_imported(
    session: Session, site: Site, source: str, installation: str, records: list[CommentRecord]
) -> tuple[dict[str, int | None], set[str]]:
    """(source id -> comment id of what earlier imports wrote, None if deleted or purged since;
    source ids that earlier imports used for a different comment).

    A row of this installation is this comment. A row written before installations were
    recorded (installation "") is this comment only if the comment's creation time agrees: it
    then gets this installation, so a second installation with the same ids is imported in full.
    Without an installation, a row whose comment has another creation time is a clash.
    """
    found = _earlier_imports(
        session, site, source, {installation, ""}, [record.source_id for record in records]
    )
    known: dict[str, int | None] = {}
    clashes: set[str] = set()
    adopted: list[int] = []
    for record in records:
        rows = found.get(record.source_id, [])
        own = next((row for row in rows if row.installation == installation), None)
        legacy = next((row for row in rows if row.installation == ""), None)
        if own is not None and (installation or _same_comment(own, record)):
            known[record.source_id] = own.comment_id
        elif own is not None:
            clashes.add(record.source_id)
        elif legacy is not None and _same_comment(legacy, record):
            known[record.source_id] = legacy.comment_id
            adopted.append(legacy.row_id)
    if adopted:
        session.execute(
            update(ImportedComment)
            .where(ImportedComment.id.in_(adopted))
            .values(installation=installation)
        )
    return known, clashes


def _parent(
    session: Session, page: _Page, placed: dict[str, int], parent_id: str | None
) -> Comment | None:
    if parent_id is None:
        return None
    parent = page.comments.get(parent_id)
    if parent is None:
        parent = session.get(Comment, placed[parent_id]) if parent_id in placed else None
        if parent is None or parent.thread_id != page.thread.id:
            return None
        page.comments[parent_id] = parent
    # Deeper than posting allows: attach to the deepest allowed ancestor instead.
    while parent is not None and parent.depth + 1 > MAX_NESTING:
        parent = session.get(Comment, parent.parent_id) if parent.parent_id else None
    return parent


def _comment(
    keys: Keys,
    site: Site,
    thread: Thread,
    record: CommentRecord,
    options: ImportOptions,
    ip_cutoff: datetime,
    summary: ImportSummary,
) -> Comment:
    source, html = body_of(record, options.sanitizer)
    status = record.status if record.status in set(CommentStatus) else CommentStatus.PENDING
    if status != CommentStatus.DELETED and not source.strip():
        summary.emptied.add(record.location)
        status = CommentStatus.DELETED
    name = clean_text(record.author_name, MAX_NAME)
    email = clean_email(record.author_email)
    website = clean_website(clean_text(record.author_website, MAX_WEBSITE)) or ""
    ip_hash = None
    if record.ip and record.created_at >= ip_cutoff:
        ip_hash = keys.ip_hash(clean_text(record.ip).strip())
    comment = Comment(
        site_id=site.id,
        thread_id=thread.id,
        status=status,
        author_name=name,
        author_email=email,
        author_website=website,
        author_key=author_key(keys, None, email, name, ip_hash),
        ip_hash=ip_hash,
        body_source=source,
        body_html=html,
        created_at=record.created_at,
        status_changed_at=record.created_at,
        upvotes=max(record.upvotes, 0),
        downvotes=max(record.downvotes, 0),
        moderation_reasons=[],
    )
    if status == "deleted":
        # What a deleted comment keeps in Sidenote: nothing of its text or author.
        erase_content(comment)
    return comment


# -- Sidenote's own format: the fields no other system has -----------------------------------


def _parse_time(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _native_fields(comment: Comment, thread: Thread, extra: dict[str, Any]) -> None:
    comment.pinned = extra.get("pinned") is True
    comment.edited_at = _parse_time(extra.get("edited_at"))
    comment.edited_by_moderator = extra.get("edited_by_moderator") is True
    comment.status_changed_at = _parse_time(extra.get("status_changed_at")) or comment.created_at
    reasons = extra.get("moderation_reasons")
    if isinstance(reasons, list):
        comment.moderation_reasons = [
            {str(k): str(v)[:1000] for k, v in reason.items()}
            for reason in reasons
            if isinstance(reason, dict)
        ]
    score = extra.get("spam_score")
    comment.spam_score = float(score) if isinstance(score, int | float) else None
    identity = extra.get("identity_key")
    if isinstance(identity, str) and identity and len(identity) <= 200:
        comment.identity_key = identity
    key = extra.get("author_key")
    if isinstance(key, str) and 0 < len(key) <= 64:
        comment.author_key = key
    anchor = extra.get("anchor")
    if isinstance(anchor, dict):
        comment.anchor = _anchor(thread, anchor)


_ANCHOR_TEXT = ("exact", "prefix", "suffix")
_ANCHOR_INT = ("norm", "quote_len", "pos_start", "pos_end", "doc_len")


def _anchor(thread: Thread, data: dict[str, Any]) -> CommentAnchor | None:
    if data.get("kind") not in {"quote", "block", "passage"}:
        return None
    if not all(isinstance(data.get(name), int) for name in _ANCHOR_INT):
        return None
    if not isinstance(data.get("exact"), str) or not isinstance(data.get("doc_fp"), str):
        return None

    def optional(name: str, limit: int) -> str | None:
        value = data.get(name)
        return clean_text(value)[:limit] if isinstance(value, str) else None

    return CommentAnchor(
        thread_id=thread.id,
        kind=data["kind"],
        norm=data["norm"],
        exact=clean_text(data["exact"]),
        exact_end=optional("exact_end", 100_000),
        quote_len=data["quote_len"],
        prefix=clean_text(data.get("prefix") or ""),
        suffix=clean_text(data.get("suffix") or ""),
        pos_start=data["pos_start"],
        pos_end=data["pos_end"],
        doc_len=data["doc_len"],
        doc_fp=clean_text(data["doc_fp"])[:16],
        scope_id=optional("scope_id", 128),
        passage_key=optional("passage_key", 64),
        passage_question=optional("passage_question", 600),
    )


def _native_rows(session: Session, site: Site, comment: Comment, extra: dict[str, Any]) -> None:
    """Votes, reports and earlier provenance of a comment from a Sidenote export."""
    voters: set[str] = set()
    for vote in extra.get("votes") or []:
        if not isinstance(vote, dict):
            continue
        voter, value = vote.get("voter_key"), vote.get("value")
        if isinstance(voter, str) and 0 < len(voter) <= 64 and value in (1, -1):
            if voter in voters:
                continue
            voters.add(voter)
            session.add(
                Vote(
                    comment_id=comment.id,
                    voter_key=voter,
                    value=value,
                    created_at=_parse_time(vote.get("created_at")) or comment.created_at,
                )
            )
    reporters: set[str] = set()
    for report in extra.get("reports") or []:
        if not isinstance(report, dict):
            continue
        reporter, reason = report.get("reporter_key"), report.get("reason")
        if isinstance(reporter, str) and 0 < len(reporter) <= 64 and reason in REPORT_REASONS:
            if reporter in reporters:
                continue
            reporters.add(reporter)
            note = report.get("note")
            session.add(
                Report(
                    comment_id=comment.id,
                    reporter_key=reporter,
                    reason=reason,
                    note=clean_text(note)[:500] if isinstance(note, str) else "",
                    created_at=_parse_time(report.get("created_at")) or comment.created_at,
                    resolved_at=_parse_time(report.get("resolved_at")),
                )
            )
    count = extra.get("report_count")
    comment.report_count = count if isinstance(count, int) and count >= 0 else len(reporters)
    origin = extra.get("imported_from")
    for entry in origin if isinstance(origin, list) else []:
        if not (
            isinstance(entry, dict)
            and entry.get("source") in FORMATS
            and entry.get("source") != "sidenote"
            and isinstance(entry.get("source_id"), str)
            and 0 < len(entry["source_id"]) <= 200
        ):
            continue
        installation = entry.get("installation")
        installation = installation_name(installation) if isinstance(installation, str) else ""
        # Keeps a later import of the original system's file from adding the comment again.
        earlier = _earlier_imports(
            session, site, entry["source"], {installation}, [entry["source_id"]]
        )
        if not earlier:
            session.add(
                ImportedComment(
                    site_id=site.id,
                    source=entry["source"],
                    installation=installation,
                    source_id=entry["source_id"],
                    comment_id=comment.id,
                )
            )


# -- the run -------------------------------------------------------------------------------


def run_import(
    database: Database,
    source: str,
    path: Path,
    options: ImportOptions,
    hooks: ImportHooks | None = None,
) -> ImportSummary:
    """Import `path` (format `source`) into `options.site`: one transaction per page.

    Needs an app context (keyed hashes). Raises ImportFormatError for a malformed file (before
    anything is written) and ServiceError for an unknown site.
    """
    if source not in FORMATS:
        raise ValueError(f"unknown format {source!r}")
    hooks = hooks or ImportHooks()
    guess = looks_like(path)
    if guess is not None and guess != source:
        raise ImportFormatError(
            "",
            f"this looks like a {NAMES[guess]} export, not {NAMES[source]}: "
            f"import it with `sidenote import {guess} {path.name} ...`",
        )
    summary = ImportSummary(source=source, site=options.site, dry_run=options.dry_run)
    with tempfile.TemporaryDirectory(prefix="sidenote-import-") as scratch:
        staging = Staging(Path(scratch) / "staging.sqlite")
        try:
            _stage(staging, source, path, summary, hooks, options.max_body_chars)
            summary.installation = installation_name(options.source_name) or staging.installation()
            session = database.session(write=True)
            try:
                site = get_site(session, options.site)
                if not site.origins:
                    raise ImportFormatError("", f"site {site.slug!r} has no origins")
                _resolve_pages(staging, site, options)
                session.rollback()
                staging.skip_unplaceable()
                hooks.writing(staging.comment_total())
                for index, (staged, records) in enumerate(
                    staging.pages(include_empty=source == "sidenote")
                ):
                    try:
                        write_page(
                            session,
                            site,
                            staged,
                            records,
                            source=source,
                            options=options,
                            summary=summary,
                        )
                        if options.dry_run:
                            session.rollback()
                        else:
                            session.commit()
                    except BaseException:
                        session.rollback()
                        raise
                    hooks.written(len(records))
                    hooks.page_done(index)
            finally:
                session.close()
            for reason, location in staging.skipped():
                summary.skip(reason, location)
        finally:
            staging.close()
    return summary
