"""Sites and threads: lookup, creation, and which URLs belong to a site."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.comments.caching import note_thread_created
from service.comments.events import KnownAbsent
from service.comments.models import MODERATION_MODES, Site, Thread
from service.comments.visibility import bump_thread_version
from service.kernel.errors import NotFound, OriginNotAllowed, ValidationFailed
from service.kernel.urls import BadUrl, normalize_page_url, page_origin

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(url: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def page_url_on_site(site: Site, url: str, field: str = "thread_url") -> str:
    """`url` normalised (`service.kernel.urls`), if it is a page on one of the site's origins;
    else a 400 on `field`. Every page URL the service accepts or stores goes through here."""
    try:
        normalized = normalize_page_url(url)
    except BadUrl as error:
        raise ValidationFailed.on(field, f"The page URL {error}.") from None
    if page_origin(normalized) not in site.origins:
        raise ValidationFailed.on(field, "The page URL is not on one of this site's origins.")
    return normalized


def safe_page_url(site: Site, url: str) -> str:
    """`url` normalised if it is on the site, else "": for URLs read back (tokens, old rows)."""
    try:
        return page_url_on_site(site, url)
    except ValidationFailed:
        return ""


def check_page_origin(site: Site, origin: str | None) -> None:
    """A cross-origin page (a browser sends `Origin`) must be on one of the site's origins."""
    if origin is not None and origin not in site.origins:
        raise OriginNotAllowed(origin, site.slug)


_SITE_BY_SLUG = select(Site).where(Site.slug == bindparam("slug"))


def _known_sites(session: Session) -> dict[str, Site]:
    """Sites this session has looked up, by slug (`get_site`, `find_posting_target`)."""
    known: dict[str, Site] = session.info.setdefault("sidenote.sites", {})
    return known


def get_site(session: Session, slug: str) -> Site:
    """The site, looked up once per session (a request asks for it from several places)."""
    known = _known_sites(session)
    site = known.get(slug)
    if site is not None and site in session:
        return site
    site = session.scalar(_SITE_BY_SLUG, {"slug": slug})
    if site is None:
        raise NotFound(f"No site {slug!r}.")
    known[slug] = site
    return site


@dataclass(frozen=True)
class PostingTarget:
    """The site and thread (None before its first comment) a new comment goes to."""

    site: Site
    thread: Thread | None
    known_absent: KnownAbsent


#: Where the app keeps the probes of every feature (`app.extensions`).
POSTING_PROBES_KEY = "sidenote.posting_probes"


@dataclass(frozen=True)
class AbsenceProbe:
    """A question an upper feature asks in posting's one lookup: does any of its rows exist?

    Moderation asks about bans and the spam classifier, notifications about webhooks and
    watchers (their `POSTING_PROBES`); the app hands them to `find_posting_target`, so the
    comments domain knows none of their tables. `column` is an EXISTS against `Site` and
    `Thread`, or an entity outer-joined by `outerjoin` (loaded into the session as a side
    benefit); the probe finds nothing when its value is false or None.
    """

    known_absent_field: str
    column: Any
    outerjoin: tuple[Any, Any] | None = None


@functools.lru_cache(maxsize=8)
def _posting_target_query(probes: tuple[AbsenceProbe, ...]) -> Any:
    """One query for everything posting needs to know before it judges a comment."""
    query = select(Site, Thread, *(probe.column for probe in probes)).outerjoin(
        Thread, and_(Thread.site_id == Site.id, Thread.key == bindparam("key"))
    )
    for probe in probes:
        if probe.outerjoin is not None:
            query = query.outerjoin(*probe.outerjoin)
    return query.where(Site.slug == bindparam("slug"))


def find_posting_target(
    session: Session, slug: str, key: str, probes: tuple[AbsenceProbe, ...] = ()
) -> PostingTarget:
    """The site and thread of a new comment and what they have, in one query.

    Without `probes` nothing is known absent, so every check asks for itself. The site is
    remembered for `get_site` in this session.
    """
    row = session.execute(_posting_target_query(probes), {"slug": slug, "key": key}).one_or_none()
    if row is None:
        raise NotFound(f"No site {slug!r}.")
    site, thread, *answers = row
    _known_sites(session)[slug] = site
    absent = {
        probe.known_absent_field: answer is None or answer is False
        for probe, answer in zip(probes, answers, strict=True)
    }
    return PostingTarget(site, thread, KnownAbsent(**absent))


_THREAD_BY_KEY = select(Thread).where(
    Thread.site_id == bindparam("site_id"), Thread.key == bindparam("key")
)


def find_thread(session: Session, site: Site, key: str) -> Thread | None:
    return session.scalar(_THREAD_BY_KEY, {"site_id": site.id, "key": key})


def get_or_create_thread(
    session: Session, site: Site, key: str, url: str, title: str | None
) -> Thread:
    """The thread for `key`; created on its first comment if `url` is on a site origin."""
    thread = find_thread(session, site, key)
    if thread is not None:
        return thread
    thread = Thread(site_id=site.id, key=key, url=page_url_on_site(site, url), title=title or "")
    note_thread_created(session, site.id, key)
    try:
        with session.begin_nested():
            session.add(thread)
    except IntegrityError:
        # Two first comments raced to create the thread; the other one won.
        existing = find_thread(session, site, key)
        if existing is None:
            raise
        replace_unsettled_details(session, site, existing, url, title)
        return existing
    return thread


def replace_unsettled_details(
    session: Session, site: Site, thread: Thread, url: str, title: str | None
) -> None:
    """Until a visible comment or a moderator settles a thread (`Thread.settled_at`), each new
    poster's page URL (if on a site origin) and title replace the stored ones, so a first
    comment held or stored as spam cannot fix them for good. A settled thread keeps its own."""
    if thread.settled_at is not None:
        return
    changed = False
    page = safe_page_url(site, url)
    if page and page != thread.url:
        thread.url = page
        changed = True
    if title is not None and title != thread.title:
        thread.title = title
        changed = True
    if changed:
        bump_thread_version(session, thread.id)


def validate_site_options(
    *,
    slug: str | None = None,
    origins: list[str] | None = None,
    moderation: str | None = None,
    edit_window_seconds: int | None = None,
    max_depth: int | None = None,
) -> dict[str, Any]:
    """Check site settings given by an operator; return them normalised."""
    values: dict[str, Any] = {}
    if slug is not None:
        if not SLUG.match(slug):
            raise ValidationFailed.on("slug", "Use 1-64 lower-case letters, digits, '-' or '_'.")
        values["slug"] = slug
    if origins is not None:
        normalized = []
        for origin in origins:
            value = normalize_origin(origin)
            if value is None or urlsplit(origin.strip()).path not in {"", "/"}:
                raise ValidationFailed.on("origins", f"Not an http(s) origin: {origin!r}.")
            normalized.append(value)
        if not normalized:
            raise ValidationFailed.on("origins", "A site needs at least one origin.")
        values["origins"] = sorted(set(normalized))
    if moderation is not None:
        if moderation not in MODERATION_MODES:
            raise ValidationFailed.on("moderation", "Use post, pre or first-time.")
        values["moderation"] = moderation
    if edit_window_seconds is not None:
        if not 0 <= edit_window_seconds <= 7 * 24 * 3600:
            raise ValidationFailed.on("edit_window_seconds", "Use 0 to 604800 seconds.")
        values["edit_window_seconds"] = edit_window_seconds
    if max_depth is not None:
        if not 1 <= max_depth <= 20:
            raise ValidationFailed.on("max_depth", "Use 1 to 20.")
        values["max_depth"] = max_depth
    return values


def create_site(session: Session, *, slug: str, name: str, **options: Any) -> Site:
    values = validate_site_options(slug=slug, **options)
    if not name.strip():
        raise ValidationFailed.on("name", "A site needs a name.")
    if session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise ValidationFailed.on("slug", f"A site {slug!r} exists already.")
    site = Site(name=name.strip(), **values)
    session.add(site)
    session.flush()
    return site


def update_site(session: Session, site: Site, *, name: str | None = None, **options: Any) -> Site:
    values = validate_site_options(**{k: v for k, v in options.items() if v is not None})
    if name is not None:
        if not name.strip():
            raise ValidationFailed.on("name", "A site needs a name.")
        site.name = name.strip()
    for key, value in values.items():
        setattr(site, key, value)
    session.flush()
    return site
