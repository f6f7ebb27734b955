"""Which format a file looks like, from its first bytes: a file given with the wrong format is
refused with the format it looks like, instead of being read as nonsense ("59 skipped").

Only markers no other format has are trusted (a root element, a format name, field names that
belong to one system); anything else is left to the parser, whose own errors say what is wrong.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from service.portability.inputs import SQLITE_MAGIC, open_bytes
from service.portability.records import ImportFormatError

HEAD = 64 * 1024
NAMES = {
    "disqus": "Disqus",
    "wordpress": "WordPress (WXR)",
    "isso": "Isso",
    "remark42": "Remark42",
    "commento": "Commento/Comentario",
    "sidenote": "Sidenote",
}
_ROOT = re.compile(rb"<(?!\?|!)([A-Za-z_][\w.:-]*)")


def looks_like(path: Path) -> str | None:
    """The format `path` looks like, or None when its first bytes do not say."""
    try:
        with open_bytes(path) as raw:
            head = raw.read(HEAD)
    except (ImportFormatError, OSError, EOFError):  # the parser reports it properly
        return None
    if head.startswith(SQLITE_MAGIC):
        return "isso"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n`")
    if text.startswith(b"<"):
        root = _ROOT.search(text)
        name = root.group(1).split(b":")[-1].lower() if root else b""
        if name == b"disqus":
            return "disqus"
        if name == b"rss" and b"wordpress.org/export" in text:
            return "wordpress"
        return None
    return _json_format(text)


def _json_format(text: bytes) -> str | None:
    first_line = text.split(b"\n", 1)[0]
    if b'"sidenote-export"' in text[:4096]:
        return "sidenote"
    if text.startswith(b"{"):
        try:
            first = json.loads(first_line)
        except ValueError:
            first = None
        if isinstance(first, dict) and (
            "locator" in first or ("users" in first and "posts" in first)
        ):
            return "remark42"
        if b'"commentHex"' in text or b'"commenterHex"' in text or b'"pageId"' in text:
            return "commento"
        return None
    if text.startswith(b"[") and b'"comments"' in text and b'"commentHex"' not in text:
        return "isso"
    return None
