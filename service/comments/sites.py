"""Sites and threads: lookup, creation, and which URLs belong to a site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.caching import note_thread_created
from service.errors import NotFound, ValidationFailed
from service.models import MODERATION_MODES, Site, Thread

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


def url_belongs_to(site: Site, url: str) -> bool:
    origin = normalize_origin(url)
    return origin is not None and origin in site.origins


_SITE_BY_SLUG = select(Site).where(Site.slug == bindparam("slug"))


def get_site(session: Session, slug: str) -> Site:
    """The site, looked up once per session (a request asks for it from several places)."""
    known: dict[str, Site] = session.info.setdefault("sidenote.sites", {})
    site = known.get(slug)
    if site is not None and site in session:
        return site
    site = session.scalar(_SITE_BY_SLUG, {"slug": slug})
    if site is None:
        raise NotFound(f"No site {slug!r}.")
    known[slug] = site
    return site


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
    if not url_belongs_to(site, url):
        raise ValidationFailed.on(
            "thread_url", "The page URL is not on one of this site's origins."
        )
    thread = Thread(site_id=site.id, key=key, url=url, title=title or "")
    note_thread_created(session, site.id, key)
    try:
        with session.begin_nested():
            session.add(thread)
    except IntegrityError:
        # Two first comments raced to create the thread; the other one won.
        existing = find_thread(session, site, key)
        if existing is None:
            raise
        return existing
    return thread


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
