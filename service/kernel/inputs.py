"""Untrusted scalars from URLs, cursors and forms, parsed one way everywhere.

`str.isdigit()` is true for `³` and `٣`, `int()` accepts `1_000`, ` 7 ` and other scripts'
digits, and `datetime.fromisoformat` accepts instants that overflow when moved to UTC: each of
these once turned a request into a 500. These helpers answer None for anything that is not
plainly valid, and the caller raises its own 400 with the field's name.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

#: Largest row id (32-bit integer columns).
MAX_ID = 2**31 - 1
#: Largest integer a cursor may carry (scores, ids): far inside SQLite's and PostgreSQL's 64 bits.
MAX_CURSOR_INT = 2**62

_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(raw: str | None) -> int | None:
    """A row id written in ASCII digits, 1..MAX_ID; None otherwise."""
    if raw is None or not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def parse_instant(raw: str) -> datetime | None:
    """An ISO 8601 date or time (naive: UTC) as an aware UTC datetime; None if invalid or out
    of range once in UTC (e.g. `9999-12-31T23:59:59-14:00`)."""
    if not raw.isascii():
        return None
    try:
        parsed = datetime.fromisoformat(raw)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


#: Characters no database column can hold: NUL (PostgreSQL refuses it in text) and lone
#: surrogates (not encodable as UTF-8). Both are refused at the edge, as 400s naming the field.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "must not contain NUL or unpaired surrogate characters"


def unstorable_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string in `value` (JSON-like) that holds an unstorable
    character, or None; keys count as their value's place."""
    if isinstance(value, str):
        return path or "body" if _UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _UNSTORABLE.search(key):
                return here
            found = unstorable_field(item, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_field(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
