"""Text folding for word rules and the spam score: what a comment *looks like* it says.

`fold()` maps text that reads the same to a person onto the same string, so a banned word cannot
be dodged with case, accents, look-alike letters from other scripts, digits standing in for
letters, zero-width characters or spaced-out letters:

    "Ｖ\u200bі\u0301agr@" reads as "viagra"; "s p a m" and "s.p.a.m" read as "spam".

Rules (`WordRule`) are folded the same way and matched on whole words; `*` in a rule matches any
run of letters (`spam*` matches "spammer", `*spam` matches "antispam").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Characters that render as nothing (or as a plain space) and only serve to split a word.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)

#: Look-alike letters (Unicode confusables for Latin letters) that NFKC does not fold: Cyrillic,
#: Greek, Armenian, Cherokee and a few symbols. Values are what a reader takes them for.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "у": "y", "ү": "y", "х": "x", "ԝ": "w", "ь": "b", "ъ": "b", "ы": "bi",
    "п": "n", "и": "u", "д": "d", "л": "n", "з": "3", "ч": "4", "ш": "w", "щ": "w", "ц": "u",
    "э": "e", "я": "r", "ф": "o", "ж": "x", "б": "6", "ѵ": "v", "ԍ": "g", "ԋ": "h", "ӡ": "3",
    # Greek
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "ζ": "z", "η": "n", "θ": "o", "ι": "i",
    "κ": "k", "λ": "l", "μ": "u", "ν": "v", "ξ": "e", "ο": "o", "π": "n", "ρ": "p", "σ": "o",
    "ς": "c", "τ": "t", "υ": "u", "φ": "o", "χ": "x", "ψ": "w", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Armenian and Cherokee (upper-case look-alikes fold through casefold first)
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ք": "p", "զ": "q", "ա": "w",
    "ꭺ": "a", "ꮃ": "w", "ꮇ": "m", "ꮋ": "h", "ꮓ": "z", "ꮪ": "s", "ꮯ": "c", "ꮲ": "p",
    "ꮮ": "l", "ꭼ": "e", "ꮖ": "i", "ꭰ": "d", "ꮶ": "k", "ꮤ": "t", "ꮢ": "r", "ꮟ": "b",
    "ꮩ": "v", "ꭹ": "y", "ꮐ": "g", "ꭻ": "j",
    # Latin letters that are not decomposed accents, and symbols
    "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŀ": "l", "ß": "ss",
    "æ": "ae", "œ": "oe", "þ": "p", "ð": "d", "ƒ": "f", "ɡ": "g", "ɑ": "a", "ɩ": "i",
    "ʋ": "u", "ᴏ": "o", "ᴄ": "c", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ꜱ": "s", "ɪ": "i",
    "ʀ": "r", "ɴ": "n", "ʏ": "y", "ʜ": "h", "ᴋ": "k", "ᴍ": "m", "ᴛ": "t", "ᴜ": "u",
    "ᴅ": "d", "ᴇ": "e", "ᴀ": "a", "ʙ": "b", "ɢ": "g", "ᴊ": "j", "ʟ": "l", "ᴘ": "p",
    "€": "e", "£": "l", "¢": "c", "¥": "y", "©": "c", "®": "r",
}  # fmt: skip

#: Digits and symbols that stand in for letters inside a word ("v1agr@", "fr33").
_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t",
}  # fmt: skip
_LEET_CHARS = re.escape("".join(_LEET))
#: A run of letters, digits and leet symbols that contains at least one letter.
_LEET_WORD = re.compile(rf"[\w{_LEET_CHARS}]*[^\W\d_][\w{_LEET_CHARS}]*")
#: Letters spaced out with one separator: "s p a m", "s.p.a.m", "s-p-a-m", "s_p_a_m".
_SPACED = re.compile(r"(?<!\w)(?:\w([ .\-_*·•/])){2,}\w(?!\w)")
_MARKS = {"Mn", "Me"}
_WHITESPACE = re.compile(r"\s+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in _MARKS)


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    return "".join(_LEET.get(ch, ch) for ch in word)


def _join_spaced(match: re.Match[str]) -> str:
    separator = match.group(1)
    return match.group(0).replace(separator, "")


@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """Case, accents, look-alike letters and invisible characters folded; spaces collapsed.

    Cached: posting folds the same body for several checks, the fingerprint and the spam score.
    """
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _strip_marks(text)
    text = "".join(_CONFUSABLES.get(ch, ch) for ch in text)
    return _WHITESPACE.sub(" ", text).strip()


def text_fingerprint(text: str) -> str:
    """Equal for texts that fold to the same thing (what "a repeated comment" means)."""
    return hashlib.sha256(fold(text).encode()).hexdigest()[:32]


def fold_variants(text: str) -> list[str]:
    """Readings of `text` to match rules against: folded; with leetspeak read as letters; and
    each with spaced-out letters joined ("s p a m" -> "spam")."""
    folded = fold(text)
    variants = [folded, _LEET_WORD.sub(_unleet, folded)]
    variants += [_SPACED.sub(_join_spaced, v) for v in variants]
    return list(dict.fromkeys(variants))


@dataclass(frozen=True)
class WordRule:
    """One word or phrase of a list; `*` matches any run of letters or digits."""

    source: str
    pattern: re.Pattern[str]


@lru_cache(maxsize=256)
def compile_rules(entries: tuple[str, ...]) -> tuple[WordRule, ...]:
    """Whole-word patterns for a word list (folded like the text they are matched against)."""
    rules = []
    for entry in entries:
        words = fold(entry).split(" ")
        if not any(ch.isalnum() for ch in "".join(words)):
            continue
        body = r"\s+".join(r"\w*".join(re.escape(piece) for piece in w.split("*")) for w in words)
        rules.append(WordRule(entry, re.compile(rf"(?<!\w){body}(?!\w)")))
    return tuple(rules)


def find_rule(text: str, entries: tuple[str, ...]) -> tuple[WordRule, str] | None:
    """The first rule that matches `text` in any reading, with the (folded) words it matched."""
    rules = compile_rules(entries)
    if not rules:
        return None
    for variant in fold_variants(text):
        for rule in rules:
            match = rule.pattern.search(variant)
            if match:
                return rule, match.group(0)
    return None
