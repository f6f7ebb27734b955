"""The demo: a site, an article thread and a few conversations, seeded idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments.models import Comment, Site
from service.comments.posting import NewComment, create_comment
from service.comments.sites import create_site, find_thread, update_site
from service.comments.verdicts import Signals
from service.demo.inline import seed_inline_demo
from service.http.context import ip_hash, settings
from service.identity.sso import active_secrets, add_secret
from service.moderation.accounts import create_moderator
from service.moderation.models import Moderator
from service.moderation.pipeline import evaluate

DEMO_SITE = "demo"
DEMO_THREAD = "/"
DEMO_TITLE = "The Lighthouse Keepers of Skerryvore"


@dataclass(frozen=True)
class Seed:
    key: str
    author: str
    body: str
    reply_to: str | None = None


CONVERSATION = [
    Seed(
        "a", "Morag", "I grew up near Hynish and never knew the **signal tower** was built first."
    ),
    Seed("b", "Iain", "It was the shore station too: the keepers' families lived there.", "a"),
    Seed("c", "Morag", "That explains the flags. Thank you!", "b"),
    Seed(
        "d",
        "Priya",
        "The bit about the granite being dressed on land and numbered still amazes me.\n\n"
        "> every course fitted on shore before it was shipped\n\n"
        "That is *prefabrication* in 1840.",
    ),
    Seed("e", "Tomás", "Same trick as the Bell Rock, I believe.", "d"),
    Seed("f", "Ada", "Does anyone know how long the keepers' shifts on the rock were?"),
    Seed("g", "Iain", "Usually a month on, two weeks ashore, weather permitting.", "f"),
    Seed("h", "Ada", "Weather permitting is doing a lot of work in that sentence.", "g"),
]


DEMO_MODERATOR = "demo"
DEMO_PASSWORD = "demo-moderator"  # noqa: S105 - development only, printed by `make run`


def seed_demo_moderator(session: Session, *, port: int) -> Iterator[str]:
    """In development: an admin moderator `demo` / `demo-moderator` for /moderate."""
    if not settings().is_development:
        return
    exists = session.scalar(select(Moderator.id).where(Moderator.username == DEMO_MODERATOR))
    if exists is None:
        create_moderator(session, username=DEMO_MODERATOR, password=DEMO_PASSWORD, role="admin")
    yield (
        f"moderator login: http://127.0.0.1:{port}/moderate  "
        f"user {DEMO_MODERATOR}  password {DEMO_PASSWORD}"
    )


def seed_demo_sso(session: Session, site: Site) -> Iterator[str]:
    """The demo site signs its demo reader in (`POST /demo/sso-token`); guests stay welcome."""

    if not active_secrets(session, site.id):
        add_secret(session, site)
        yield "demo site: single sign-on secret created (the demo page's sign-in switch uses it)"


def seed_demo(session: Session, *, port: int) -> Iterator[str]:
    yield from seed_demo_moderator(session, port=port)
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    site = session.scalar(select(Site).where(Site.slug == DEMO_SITE))
    if site is None:
        site = create_site(
            session, slug=DEMO_SITE, name="Sidenote demo", origins=origins, moderation="post"
        )
        yield f"created site {DEMO_SITE}"
    else:
        update_site(session, site, origins=sorted(set(site.origins) | set(origins)))
    yield from seed_demo_sso(session, site)
    thread = find_thread(session, site, DEMO_THREAD)
    existing = 0
    if thread is not None:
        existing = (
            session.scalar(
                select(func.count()).select_from(Comment).where(Comment.thread_id == thread.id)
            )
            or 0
        )
    inline = seed_inline_demo(
        session, site=site, thread=DEMO_THREAD, url=f"{origins[0]}/", title=DEMO_TITLE
    )
    if existing:
        yield f"demo thread has {existing} comments already"
        yield from inline
        return
    ids: dict[str, int] = {}
    config = settings()
    for seed in CONVERSATION:
        posted = create_comment(
            session,
            NewComment(
                site=DEMO_SITE,
                thread=DEMO_THREAD,
                thread_url=f"{origins[0]}/",
                thread_title=DEMO_TITLE,
                parent_id=ids[seed.reply_to] if seed.reply_to else None,
                body=seed.body,
                author_name=seed.author,
                ip_hash=ip_hash("192.0.2.1"),
                signals=Signals(authenticated=True),  # seeded by the operator, not a bot
            ),
            judge=evaluate,
            max_body_chars=config.max_body_chars,
            sanitizer=config.sanitizer,
        )
        ids[seed.key] = posted.comment.id
    yield f"seeded {len(CONVERSATION)} demo comments"
    yield from inline
