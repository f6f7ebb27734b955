"""Fast, deterministic bulk seeding for benchmarks (bypasses the API; keeps every invariant).

Comments get the same derived fields the domain writes: `root_id`, fixed-width `path`, `depth`,
`visible_descendants`, and the thread's `approved_count`. Bodies are real Markdown rendered by the
service's renderer (a pool of them, so seeding 100,000 comments takes seconds, not minutes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from service.kernel.rendering import render_markdown
from service.kernel.text import text_fingerprint
from service.models import PATH_WIDTH, Comment, Site, Thread

WORDS = [
    "lighthouse",
    "granite",
    "keeper",
    "storm",
    "reef",
    "signal",
    "tower",
    "lantern",
    "tide",
    "harbour",
    "ship",
    "light",
    "stone",
    "island",
    "weather",
    "mason",
    "course",
    "shore",
    "wave",
    "night",
    "beam",
    "rock",
    "survey",
    "engineer",
    "chart",
    "rope",
    "boat",
]


def markdown_body(rng: random.Random, low: int = 100, high: int = 800) -> str:
    target = rng.randint(low, high)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < target:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14)))
        choice = rng.random()
        if choice < 0.1:
            sentence = f"*{sentence}*"
        elif choice < 0.15:
            sentence = f"[{sentence[:20]}](https://example.org/{rng.randint(1, 999)})"
        elif choice < 0.2:
            sentence = f"`{sentence[:15]}` {sentence}"
        parts.append(sentence.capitalize() + ".")
        if rng.random() < 0.2:
            parts.append("\n\n")
    return " ".join(parts)[:high]


@dataclass
class BodyPool:
    bodies: list[tuple[str, str]]

    @classmethod
    def make(cls, size: int = 64, seed: int = 7) -> BodyPool:
        rng = random.Random(seed)
        sources = [markdown_body(rng) for _ in range(size)]
        return cls([(source, render_markdown(source)) for source in sources])


def ensure_site(engine: Engine, slug: str, origin: str) -> int:
    with engine.begin() as connection:
        existing = connection.scalar(select(Site.id).where(Site.slug == slug))
        if existing is not None:
            return int(existing)
        result = connection.execute(
            insert(Site).values(
                slug=slug,
                name=f"Bench {slug}",
                origins=[origin],
                moderation="post",
                edit_window_seconds=900,
                max_depth=5,
                settings={},
                created_at=datetime.now(UTC),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def seed_thread(
    engine: Engine,
    *,
    site_id: int,
    key: str,
    origin: str,
    pool: BodyPool,
    blocks: int = 1,
    roots_per_block: int = 120,
    replies_per_block: int = 80,
    max_depth: int = 3,
    seed: int = 1,
) -> int:
    """A thread of `blocks` blocks; each block is `roots_per_block` top-level comments followed by
    `replies_per_block` replies among them, nested up to `max_depth` (so every block, and every
    first page, has the same shape)."""
    rng = random.Random(seed)
    with engine.begin() as connection:
        thread_id = int(
            connection.execute(
                insert(Thread).values(
                    site_id=site_id,
                    key=key,
                    url=f"{origin}{key}",
                    title=f"Bench thread {key}",
                    locked=False,
                    moderation=None,
                    approved_count=0,
                    version=1,
                    score_epoch=0,
                    created_at=datetime.now(UTC),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        next_id = int(connection.scalar(select(func.coalesce(func.max(Comment.id), 0))) or 0) + 1
        start = datetime(2026, 1, 1, tzinfo=UTC)
        rows: list[dict[str, Any]] = []
        by_id: dict[int, dict[str, Any]] = {}
        for _block in range(blocks):
            block_nodes: list[dict[str, Any]] = []
            for index in range(roots_per_block + replies_per_block):
                ident = next_id + len(rows)
                parent = None
                if index >= roots_per_block:
                    parent = rng.choice([n for n in block_nodes if n["depth"] < max_depth])
                source, html = pool.bodies[len(rows) % len(pool.bodies)]
                own = str(ident).zfill(PATH_WIDTH)
                moment = start + timedelta(seconds=len(rows))
                node: dict[str, Any] = {
                    "id": ident,
                    "site_id": site_id,
                    "thread_id": thread_id,
                    "parent_id": parent["id"] if parent else None,
                    "root_id": parent["root_id"] if parent else ident,
                    "depth": parent["depth"] + 1 if parent else 0,
                    "path": f"{parent['path']}/{own}" if parent else own,
                    "status": "approved",
                    "author_name": f"Reader {len(rows) % 97}",
                    "author_email": "",
                    "author_website": "",
                    "identity_key": None,
                    "author_key": f"{len(rows) % 97:016x}",
                    "ip_hash": f"{len(rows) % 251:032x}",
                    "body_source": source,
                    "body_html": html,
                    "created_at": moment,
                    "edited_at": None,
                    "edited_by_moderator": False,
                    "upvotes": rng.randint(0, 9),
                    "downvotes": rng.randint(0, 3),
                    "pinned": False,
                    "moderation_reasons": [],
                    "spam_score": None,
                    "report_count": 0,
                    "visible_descendants": 0,
                    "status_changed_at": moment,
                    # As posting and imports store it; without it, statistics would call the
                    # repeated-comment lookup's index useless (every value NULL).
                    "text_fingerprint": text_fingerprint(source),
                }
                ancestor = parent
                while ancestor is not None:
                    ancestor["visible_descendants"] += 1
                    ancestor = by_id.get(ancestor["parent_id"]) if ancestor["parent_id"] else None
                block_nodes.append(node)
                by_id[ident] = node
                rows.append(node)
        for chunk in range(0, len(rows), 2000):
            connection.execute(insert(Comment), rows[chunk : chunk + 2000])
        connection.execute(
            text("UPDATE threads SET approved_count = :n WHERE id = :id"),
            {"n": len(rows), "id": thread_id},
        )
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval('comments_id_seq', (SELECT max(id) FROM comments))")
            )
    return thread_id
