"""Domain objects to public JSON. Private fields (email, IP hash, source) never appear here."""

from __future__ import annotations

from typing import Any

from service.comments.anchors import anchor_wire
from service.comments.caching import ThreadHead
from service.comments.models import Comment, CommentStatus, Thread
from service.comments.reading import ThreadPage
from service.kernel.actors import is_sso_key
from service.kernel.clock import isoformat


def comment_json(comment: Comment, *, with_anchor: bool = True) -> dict[str, Any]:
    """A listed comment; a hidden one with visible replies becomes a tombstone."""
    if comment.status != CommentStatus.APPROVED:
        return {
            "id": comment.id,
            "parent_id": comment.parent_id,
            "depth": comment.depth,
            "author": None,
            "html": None,
            "created_at": isoformat(comment.created_at),
            "edited_at": None,
            "edited_by_moderator": False,
            "upvotes": 0,
            "downvotes": 0,
            "anchor": None,
            "pinned": False,
            "deleted": True,
        }
    return own_comment_json(comment, with_anchor=with_anchor)


def own_comment_json(comment: Comment, *, with_anchor: bool = True) -> dict[str, Any]:
    """The comment as its author sees it, whatever its status."""
    anchor = comment.anchor if with_anchor and comment.depth == 0 else None
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author": {
            "name": comment.author_name or None,
            "website": comment.author_website or None,
            "avatar": comment.author_key,
            # Only a site's SSO users: a verified guest proved an address, not the name they chose.
            "verified": is_sso_key(comment.identity_key),
        },
        "html": comment.body_html,
        "created_at": isoformat(comment.created_at),
        "edited_at": isoformat(comment.edited_at),
        "edited_by_moderator": comment.edited_by_moderator,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "anchor": anchor_wire(anchor) if anchor is not None else None,
        "pinned": comment.pinned,
        "deleted": False,
    }


def thread_json(thread: Thread | ThreadHead | None, key: str) -> dict[str, Any]:
    if thread is None or thread.id is None:
        return {"key": key, "url": None, "title": None, "locked": False, "comment_count": 0}
    return {
        "key": thread.key,
        "url": thread.url,
        "title": thread.title,
        "locked": thread.locked,
        "comment_count": thread.approved_count,
    }


def thread_page_json(page: ThreadPage, key: str) -> dict[str, Any]:
    comments = []
    for root in page.roots:
        item = comment_json(root)
        item["replies"] = [comment_json(reply) for reply in page.replies.get(root.id, [])]
        item["more_replies_cursor"] = page.more_replies.get(root.id)
        comments.append(item)
    return {
        "thread": thread_json(page.head, key),
        "comments": comments,
        "next_cursor": page.next_cursor,
    }
