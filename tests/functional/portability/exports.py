"""Generated export files: small hand-made ones for edge cases, large ones for memory and speed.

`write_disqus` streams a Disqus export to disk without holding it: threads first, then posts
in a shuffled order (replies before their parents, pages interleaved), as real exports do.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)
START = datetime(2020, 1, 1, tzinfo=UTC)
#: Characters XML 1.0 cannot carry at all (an exporter drops them too).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def disqus_thread(thread_id: str, link: str, title: str = "A page") -> str:
    return (
        f'<thread dsq:id="{thread_id}"><id/><link>{escape(link)}</link>'
        f"<title>{escape(title)}</title><createdAt>2019-12-31T00:00:00Z</createdAt>"
        "<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n"
    )


def disqus_post(
    post_id: str,
    thread_id: str,
    message: str,
    *,
    parent_id: str | None = None,
    created: datetime = START,
    name: str = "Reader",
    email: str = "reader@example.org",
    deleted: bool = False,
    spam: bool = False,
    ip: str = "192.0.2.1",
) -> str:
    parent = f'<parent dsq:id="{parent_id}"/>' if parent_id else ""
    cdata = _XML_INVALID.sub("", message).replace("]]>", "]]]]><![CDATA[>")
    return (
        f'<post dsq:id="{post_id}"><id/><message><![CDATA[{cdata}]]></message>'
        f"<createdAt>{created.strftime('%Y-%m-%dT%H:%M:%SZ')}</createdAt>"
        f"<isDeleted>{str(deleted).lower()}</isDeleted><isSpam>{str(spam).lower()}</isSpam>"
        f"<author><email>{escape(email)}</email><name>{escape(name)}</name>"
        f"<isAnonymous>false</isAnonymous></author><ipAddress>{ip}</ipAddress>"
        f'<thread dsq:id="{thread_id}"/>{parent}</post>\n'
    )


def write_file(
    path: Path, parts: Iterable[str], *, head: str = HEAD, tail: str = "</disqus>\n"
) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        for part in parts:
            handle.write(part)
        handle.write(tail)
    return path


def write_disqus(
    path: Path,
    *,
    threads: int,
    posts_per_thread: int,
    body_chars: int = 400,
    embed_chars: int = 0,
    origin: str = "https://blog.example",
    seed: int = 8,
    huge_body_chars: int = 0,
) -> Path:
    """A realistic export: HTML bodies, replies up to a few levels deep, posts shuffled.

    `embed_chars` adds a video embed of about that size to every post (as Disqus keeps them);
    the import drops embeds, so they add bytes to read without adding text to render.
    `huge_body_chars` adds one post of that many characters (a pasted log, a spam dump) to the
    middle of the file.
    """
    rng = random.Random(seed)
    words = ["comment", "thread", "reply", "sidenote", "import", "page", "<b>bold</b>", "a&amp;b"]
    embed = ""
    if embed_chars:
        query = "&amp;".join(f"p{n}=v{n}" for n in range(embed_chars // 9))
        embed = f'<iframe src="https://video.example/embed/1?{query}" width="560"></iframe>'

    def body(number: int) -> str:
        text = " ".join(rng.choice(words) for _ in range(body_chars // 7))
        return (
            f"<p>Post {number}: {text}</p>{embed}"
            f"<p>Second <a href='{origin}/x'>link</a><br>line</p>"
        )

    def posts() -> Iterable[str]:
        # Shuffle within blocks of pages: replies often come before parents, pages interleave,
        # and memory stays bounded while writing.
        block = 50
        for first in range(0, threads, block):
            batch: list[str] = []
            for thread in range(first, min(first + block, threads)):
                for index in range(posts_per_thread):
                    number = thread * posts_per_thread + index
                    parent = None
                    if index and rng.random() < 0.6:
                        parent = f"p{thread * posts_per_thread + rng.randrange(index)}"
                    batch.append(
                        disqus_post(
                            f"p{number}",
                            f"t{thread}",
                            body(number),
                            parent_id=parent,
                            created=START + timedelta(minutes=number),
                            name=f"Reader {number % 97}",
                            email=f"reader{number % 97}@example.org",
                        )
                    )
            rng.shuffle(batch)
            yield from batch

    def everything() -> Iterable[str]:
        for thread in range(threads):
            yield disqus_thread(f"t{thread}", f"{origin}/posts/{thread}/", f"Post {thread}")
        for number, post in enumerate(posts()):
            if huge_body_chars and number == threads * posts_per_thread // 2:
                filler = "<p>" + "x" * (huge_body_chars - 7) + "</p>"
                yield disqus_post("huge", "t0", filler, created=START)
            yield post

    return write_file(path, everything())
