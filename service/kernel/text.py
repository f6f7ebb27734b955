"""Text folding for word rules and the spam score: what a comment *looks like* it says.

`fold()` maps text that reads the same to a person onto the same string: invisible and bidi
control characters removed, NFKC, diacritics removed, Unicode confusables mapped to the Latin
letter they imitate (from Unicode's confusables data, as shipped by the `confusable-homoglyphs`
package, read offline), case folded, whitespace collapsed.

Word rules are judged on what readers see (`readings()`): the source with HTML entities decoded,
the rendered text (after Markdown), the author's name and website, each folded the same way, with
text shown right-to-left by an override read in display order too. On each reading:

- repeated letters count once ("spaaaam" is "spam"; a rule's own double letters still need two);
- leetspeak is read per token, only in tokens with at least two letters ("1d10t" is "idiot",
  "A55" stays a model number);
- single letters joined by separators of any kind and length ("s. p. a. m.", "s~p~a~m",
  "s.p-a m") are read as one word, only a whole run of them, and never across a comma,
  semicolon or line break (a list of items such as grades);
- the site's allowed words and phrases are taken out first: they never match.

Rules (`WordRule`) are folded the same way and matched on whole words; `*` stands for at most
`wildcard_max` letters inside one word (`spam*` matches "spams", `f*ck` "fuck" but not
"feedback").
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs import utils as confusables_data

#: Characters that render as nothing (or as a plain space) and only serve to split a word, and
#: the bidirectional controls (embeddings, overrides, isolates, marks): removed for matching.
#: A superset of what `rendering.strip_invisible` removes from stored text (which keeps ZWJ/ZWNJ
#: where a script needs them); matching removes them everywhere.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f]"
)
_RLO, _LRO, _PDF = "\u202e", "\u202d", "\u202c"
#: Latin letters whose stroke or bar is part of the letter for Unicode (NFKD keeps it), so
#: "diacritics removed" needs them spelled out; ligatures likewise.
_STROKES = {
    "ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ɨ": "i", "ʉ": "u", "ƶ": "z",
    "ǥ": "g", "ɉ": "j", "ɍ": "r", "ꝁ": "k", "ŀ": "l", "æ": "ae", "œ": "oe", "ð": "d",
}  # fmt: skip


@lru_cache(maxsize=1)
def _skeleton() -> dict[str, str]:
    """Non-ASCII characters that Unicode's confusables data says imitate a Latin letter, mapped
    to that letter (lower case). Digits and symbols are left to the leetspeak reading."""
    table: dict[str, str] = {}
    for char, entries in confusables_data.load("confusables.json").items():
        if len(char) != 1 or char.isascii():
            continue
        for entry in entries:
            target = str(entry["c"])
            if target.isascii() and target.isalpha():
                table[char] = target.lower()
                break
    return table


_MARKS = {"Mn", "Me"}
_WHITESPACE = re.compile(r"\s+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in _MARKS)


def _letter(ch: str, table: dict[str, str]) -> str:
    found = table.get(ch)
    if found is not None:
        return found
    lower = ch.casefold()
    # A lower-case letter whose capital is the look-alike ("м" of "М", "н" of "Н").
    return table.get(lower) or table.get(ch.upper()) or _STROKES.get(lower, lower)


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Invisible and bidi characters removed, NFKC, diacritics removed, confusables mapped to
    their Latin skeleton, case folded, spaces collapsed.

    Cached: posting folds the same body for several checks, the fingerprint and the spam score.
    """
    text = _INVISIBLE.sub("", text)
    text = _strip_marks(unicodedata.normalize("NFKC", text))
    table = _skeleton()
    text = "".join(ch if ch.isascii() else _letter(ch, table) for ch in text).casefold()
    return _WHITESPACE.sub(" ", text).strip()


def text_fingerprint(text: str) -> str:
    """Equal for texts that fold to the same thing (what "a repeated comment" means)."""
    return hashlib.sha256(fold(text).encode()).hexdigest()[:32]


# -- what readers see ------------------------------------------------------------------------


def display_order(text: str) -> str:
    """`text` with right-to-left overrides applied: what a reader sees ("\u202emaps" shows as
    "spam"). An override lasts to its PDF or the end of the line."""
    stack: list[tuple[bool, list[str]]] = [(False, [])]

    def close() -> None:
        reverse, chars = stack.pop()
        stack[-1][1].extend(reversed(chars) if reverse else chars)

    for ch in text:
        if ch in (_RLO, _LRO):
            stack.append((ch == _RLO, []))
        elif ch == _PDF and len(stack) > 1:
            close()
        elif ch in "\n\r\u2029":
            while len(stack) > 1:
                close()
            stack[-1][1].append(ch)
        else:
            stack[-1][1].append(ch)
    while len(stack) > 1:
        close()
    return "".join(stack[0][1])


_BLOCK_TAG = re.compile(
    r"</?(?:p|br|li|ul|ol|div|blockquote|h[1-6]|pre|tr|td|th|table|hr)\b[^>]*>", re.IGNORECASE
)
_TAG = re.compile(r"<[^<>]*>")


def rendered_text(body_html: str) -> str:
    """The text of sanitised HTML as a reader sees it: inline tags vanish ("sp<b>a</b>m" reads
    "spam"), block tags break lines, entities are decoded."""
    return html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", body_html)))


def readings(source: str, body_html: str = "", name: str = "", website: str = "") -> list[str]:
    """Every text of a comment that word rules judge: its source with entities decoded, its
    rendered text, its author's name and website; each also in display order when a
    right-to-left override rearranges it. Not folded yet (`find_rule` does that)."""
    texts = [html.unescape(source), rendered_text(body_html) if body_html else "", name, website]
    found: list[str] = []
    for text in texts:
        if not text.strip():
            continue
        found.append(text)
        if _RLO in text or _LRO in text:
            found.append(display_order(text))
    return list(dict.fromkeys(found))


# -- readings of folded text -----------------------------------------------------------------

#: Digits and symbols that stand in for letters inside a word ("v1agr@", "fr33").
_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t",
}  # fmt: skip
_LEET_CHARS = re.escape("".join(_LEET))
_TOKEN = re.compile(rf"[\w{_LEET_CHARS}]+")
_LETTER = re.compile(r"[^\W\d_]")
#: Runs of one letter repeated three or more times ("spaaaam"): read as two, and rules accept
#: any number of a letter they have once or twice.
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
#: A lone letter: a token of one letter, between non-alphanumerics.
_SINGLE = re.compile(r"(?<![^\W_])[^\W\d_](?![^\W_])")
#: Separators that make single letters a list of items rather than a spaced-out word.
_LIST_SEPARATOR = re.compile(r"[,;\n\r\u2029]")


def _leet_token(match: re.Match[str]) -> str:
    token = match.group(0)
    core = token.rstrip("!")  # a closing exclamation mark is punctuation, not an "i"
    if len(_LETTER.findall(core)) < 2 or not any(ch in _LEET for ch in core):
        return token
    return "".join(_LEET.get(ch, ch) for ch in core) + token[len(core) :]


def leet_reading(folded: str) -> str:
    """Leetspeak read as letters, token by token, in tokens with at least two letters."""
    return _TOKEN.sub(_leet_token, folded)


def joined_reading(folded: str) -> str:
    """Runs of single letters with any separators between them read as one word, a whole run
    at a time; a comma, semicolon or line break ends a run (items of a list)."""
    singles = list(_SINGLE.finditer(folded))
    if len(singles) < 2:
        return folded
    pieces: list[str] = []
    position = 0
    run: list[re.Match[str]] = [singles[0]]

    def flush() -> None:
        nonlocal position
        if len(run) >= 2:
            pieces.append(folded[position : run[0].start()])
            pieces.append("".join(m.group(0) for m in run))
            position = run[-1].end()

    for match in singles[1:]:
        gap = folded[run[-1].end() : match.start()]
        if gap and not any(ch.isalnum() for ch in gap) and not _LIST_SEPARATOR.search(gap):
            run.append(match)
            continue
        flush()
        run = [match]
    flush()
    pieces.append(folded[position:])
    return "".join(pieces)


def _squeezed(folded: str) -> str:
    return _REPEATS.sub(r"\1\1", folded)


@dataclass(frozen=True)
class WordRule:
    """One word or phrase of a list; `*` stands for at most `wildcard_max` letters."""

    source: str
    pattern: re.Pattern[str]


_WORD_GAP = r"[\W_]+"
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


def _literal(piece: str) -> str:
    """A folded piece of a rule, each run of one letter matching that many or more."""
    out = []
    for match in re.finditer(r"(.)\1*", piece):
        ch, count = match.group(1), len(match.group(0))
        escaped = re.escape(ch)
        out.append(f"{escaped}{{{count},}}" if _LETTER.match(ch) else escaped * count)
    return "".join(out)


def _word_pattern(word: str, wildcard_max: int) -> str:
    """A `*` at a word's edge stands for up to `wildcard_max` letters; between letters for one
    to `wildcard_max` (it stands for something there: "f*ck" is not "fck")."""
    pieces = word.split("*")
    edge = rf"[^\W\d_]{{0,{wildcard_max}}}"
    inner = rf"[^\W\d_]{{1,{max(1, wildcard_max)}}}" if wildcard_max else ""
    out = []
    for n, piece in enumerate(pieces):
        if n:
            between = pieces[n - 1] and piece
            out.append(inner if between else edge)
        out.append(_literal(piece))
    return "".join(out)


@lru_cache(maxsize=256)
def compile_rules(entries: tuple[str, ...], wildcard_max: int = 2) -> tuple[WordRule, ...]:
    """Whole-word patterns for a word list (folded like the text they are matched against)."""
    rules = []
    for entry in entries:
        words = fold(entry).split(" ")
        if not any(ch.isalnum() for ch in "".join(words)):
            continue
        body = _WORD_GAP.join(_word_pattern(w, wildcard_max) for w in words)
        rules.append(WordRule(entry, re.compile(rf"{_BEFORE}{body}{_AFTER}")))
    return tuple(rules)


def _without_allowed(folded: str, allowed: tuple[WordRule, ...]) -> str:
    for rule in allowed:
        folded = rule.pattern.sub("\n", folded)  # a line break: nothing joins across it
    return folded


def match_readings(text: str, allowed: tuple[WordRule, ...] = ()) -> list[str]:
    """The folded readings of one text that rules are matched against: as written, with
    leetspeak read, and each with spaced-out letters joined; repeated letters squeezed; the
    allowed words and phrases taken out of each."""
    # Line breaks survive folding here (they end a spaced run): fold line by line.
    lines = "\n".join(fold(line) for line in text.splitlines())
    variants: list[str] = []
    for base in (lines, leet_reading(lines)):
        base = _squeezed(base)
        variants += [base, joined_reading(base)]
    return [_without_allowed(v, allowed) for v in dict.fromkeys(variants)]


def find_rule(
    texts: str | Sequence[str],
    entries: Iterable[str],
    *,
    allowed: Iterable[str] = (),
    wildcard_max: int = 2,
) -> tuple[WordRule, str] | None:
    """The first rule that matches any of `texts` in any reading, with the (folded) words it
    matched; `allowed` words and phrases never match."""
    rules = compile_rules(tuple(entries), wildcard_max)
    if not rules:
        return None
    allow = compile_rules(tuple(allowed), 0)
    for text in [texts] if isinstance(texts, str) else texts:
        for variant in match_readings(text, allow):
            for rule in rules:
                match = rule.pattern.search(variant)
                if match:
                    return rule, match.group(0)
    return None
