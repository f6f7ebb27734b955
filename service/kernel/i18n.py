"""Localized text of mails and pages: one JSON catalog per locale in `locales/`.

Add a language by copying `locales/en.json` to `<code>.json` and translating the values; a test
checks every catalog has exactly the English keys and placeholders. Templates call `t(key, **vars)`;
the values are plain text and Jinja escapes them in HTML, so a placeholder filled with a thread
title or a commenter's name can never become markup.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "en"


@cache
def available_locales() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in LOCALES_DIR.glob("*.json")))


@cache
def catalog(locale: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES_DIR / f"{locale}.json").read_text("utf-8"))
    return data


def pick_locale(*candidates: str | None) -> str:
    """The first candidate we have a catalog for (`de-AT` falls back to `de`), else English."""
    known = available_locales()
    for candidate in candidates:
        if not candidate:
            continue
        code = candidate.strip().replace("_", "-").lower()
        if code in known:
            return code
        base = code.split("-")[0]
        if base in known:
            return base
    return DEFAULT_LOCALE


def translate(locale: str, key: str, /, **params: object) -> str:
    """The text for `key` in `locale` (English if missing there), placeholders filled in."""
    text = catalog(pick_locale(locale)).get(key) or catalog(DEFAULT_LOCALE)[key]
    return text.format_map({name: str(value) for name, value in params.items()})


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
