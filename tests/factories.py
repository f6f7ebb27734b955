"""Factories: build sites, threads and comments through the domain, with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from service.comments.posting import NewComment, create_comment
from service.comments.sites import create_site
from service.comments.visibility import change_status
from service.db import keys_of
from service.kernel import clock
from service.models import Comment, Site, Thread
from service.moderation.pipeline import evaluate

ORIGIN = "https://blog.example"
_sequence = itertools.count(1)


class Factories:
    """`make.site()`, `make.comment(...)`, …: each commits its savepoint so requests see it."""

    def __init__(self, app: Flask, session: Session) -> None:
        self.app = app
        self.session = session

    def site(self, slug: str | None = None, **options: Any) -> Site:
        options.setdefault("origins", [ORIGIN])
        options.setdefault("moderation", "post")
        with self.app.app_context():
            site = create_site(
                self.session,
                slug=slug or f"site{next(_sequence)}",
                name=options.pop("name", "A blog"),
                **options,
            )
            self.session.commit()
        return site

    def comment(
        self,
        site: Site | None = None,
        thread: str = "/post",
        *,
        body: str | None = None,
        parent: Comment | None = None,
        status: str | None = None,
        author: str = "Reader",
        email: str = "",
        created_at: datetime | None = None,
        **fields: Any,
    ) -> Comment:
        """A comment (approved unless `status` says otherwise) on `thread` of `site`."""
        site = site or self.site()
        with self.app.app_context():
            new = NewComment(
                site=site.slug,
                thread=thread,
                thread_url=f"{site.origins[0]}{thread if thread.startswith('/') else '/'}",
                thread_title=fields.pop("thread_title", "A post"),
                body=body if body is not None else f"A thoughtful comment (#{next(_sequence)}).",
                parent_id=parent.id if parent else None,
                author_name=author,
                author_email=email,
                ip_hash=fields.pop("ip_hash", keys_of(self.session).ip_hash("198.51.100.7")),
                **fields,
            )
            if created_at is not None:
                with clock.frozen(created_at):
                    posted = self._post(new)
            else:
                posted = self._post(new)
            comment = posted.comment
            if status is not None and status != comment.status:
                change_status(self.session, comment, status)
            self.session.commit()
            self.session.refresh(comment)
        return comment

    def _post(self, new: NewComment) -> Any:
        return create_comment(
            self.session, new, judge=evaluate, max_body_chars=10_000, sanitizer="bleach"
        )

    def thread_of(self, comment: Comment) -> Thread:
        thread = self.session.get(Thread, comment.thread_id)
        assert thread is not None
        self.session.refresh(thread)
        return thread

    def site_of(self, comment: Comment) -> Site:
        return self.session.get_one(Site, comment.site_id)

    def slug_of(self, comment: Comment) -> str:
        return self.site_of(comment).slug

    def set_status(self, comment: Comment, status: str) -> None:
        """Change a status the one way the service does (counters and events follow)."""
        with self.app.app_context():
            change_status(self.session, comment, status)
            self.session.commit()

    def refresh(self, obj: Any) -> Any:
        self.session.expire_all()
        self.session.refresh(obj)
        return obj
