"""The spam score's model, pure: the features of a text (words, phrases, character n-grams,
links and shapes) and the naive Bayes log-odds over per-class document counts. The per-site
model (`spam`) and the shipped one (`shipped`) both score with it."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping

from service.kernel.text import fold

#: Additive smoothing of the per-class document frequencies.
ALPHA = 0.3


#: Each view's summed log-odds is divided by (its feature count) ** LENGTH_POWER: 0 would
#: treat the features as independent evidence, 1 as one averaged piece.
LENGTH_POWER = 0.65


#: Weight of the character view against the word view (its pieces overlap heavily).
CHAR_WEIGHT = 0.4


#: Subtracted from every score's log-odds: holding a legitimate comment costs more than
#: missing a spam one (the other checks still see it).
LEGITIMATE_LEAN = 0.25


MAX_TOKENS = 400


#: Linked domains (distinct, in order) whose character pieces count.
MAX_DOMAINS = 3


#: Prefixes of the character view's features.
CHAR_PREFIXES = ("c:", "d:")


_WORD = re.compile(r"\w+(?:['’]\w+)*")


_SQUEEZE = re.compile(r"(\w)\1{2,}")


_TAG = re.compile(r"<[^<>]{0,200}>")


_URL = re.compile(
    r"(?:https?://|www\.)([^\s/<>\"'?#)\]]+)"
    r"|\b([a-z0-9-]+\.(?:com|net|org|info|biz|ly|me|tk|co|us|ru|de|pl|uk|tv|io|gl|xyz|top))\b",
    re.IGNORECASE,
)


_URL_REST = re.compile(r"(?:https?://|www\.)([^\s<>\"']+)", re.IGNORECASE)


_LONG_NUMBER = re.compile(r"\d[\d\s-]{6,}\d")


_DIGIT = re.compile(r"\d")


_NOT_DIGIT = re.compile(r"\D")


def _pieces(prefix: str, word: str) -> list[str]:
    """Character 4- and 5-grams of `word` with its edges marked ("<sub", "ibe>")."""
    padded = f"<{word}>"
    return [prefix + padded[i : i + 4] for i in range(len(padded) - 3)] + [
        prefix + padded[i : i + 5] for i in range(len(padded) - 4)
    ]


def _link_and_shape(source: str, word_count: int) -> list[str]:
    """Features of the comment as a whole: its links, length, capitals, exclamation marks."""
    domains = [(a or b).lower().removeprefix("www.")[:50] for a, b in _URL.findall(source)]
    found = [f"links:{min(len(domains), 3)}", f"len:{min(int(math.log2(len(source) + 1)), 10)}"]
    for domain in domains:
        labels = domain.split(".")
        found += [f"url:{domain}", f"tld:{labels[-1]}", f"dom:{'.'.join(labels[-2:])}"]
    for domain in list(dict.fromkeys(domains))[:MAX_DOMAINS]:
        found += _pieces("d:", domain)
    found += [f"path:{min(rest.count('/'), 3)}" for rest in _URL_REST.findall(source)]
    letters = sum(map(str.isalpha, source))
    if letters:
        found.append(f"caps:{4 * sum(map(str.isupper, source)) // letters}")
    found.append(f"excl:{min(source.count('!'), 3)}")
    found.append(f"words:{min(word_count // 5, 8)}")
    if _LONG_NUMBER.search(source):
        found.append("long-number")
    return found


def features(source: str) -> list[str]:
    """The features of a comment (see the module docstring), in reading order, at most
    MAX_TOKENS: a longer comment is judged on its links, shape and the words that fit."""
    # Entities and tags are how a comment's words are written, not what it says; links are
    # read from the source, so a link inside a tag still counts.
    text = _SQUEEZE.sub(r"\1", fold(html.unescape(_TAG.sub(" ", source))))
    words = [w for w in _WORD.findall(text) if 1 < len(w) <= 30]
    found = dict.fromkeys(_link_and_shape(source, len(words)))
    second_last = last = ""
    for word in words:
        new = [word]
        if last:
            new.append(f"{last} {word}")
            if second_last:
                new.append(f"{second_last} {last} {word}"[:64])
        if len(word) > 5:
            new.append("s:" + word[:5])  # a crude stem: "subscribed", "subscribers"
        if not word.isalpha() and _DIGIT.search(word):
            new.append("n:" + _NOT_DIGIT.sub("a", _DIGIT.sub("9", word))[:12])  # "n:9999aa"
        if word not in found:
            new += _pieces("c:", word)
        found.update(dict.fromkeys(new))
        if len(found) >= MAX_TOKENS:
            break
        second_last, last = last, word
    return list(found)[:MAX_TOKENS]


def log_odds(
    tokens: Iterable[str],
    counts: Mapping[str, tuple[int, int]],
    spam_docs: int,
    ham_docs: int,
    alpha: float = ALPHA,
) -> float | None:
    """The score's log-odds from per-token (spam, ham) document counts (tokens never seen are
    ignored); None while either class has no document (nothing to compare against)."""
    if spam_docs <= 0 or ham_docs <= 0:
        return None
    spam_total = spam_docs + 2 * alpha
    ham_total = ham_docs + 2 * alpha
    word_sum = char_sum = 0.0
    word_seen = char_seen = 0
    for token in tokens:
        spam, ham = counts.get(token, (0, 0))
        if spam + ham == 0:
            continue
        ratio = math.log((spam + alpha) * ham_total / ((ham + alpha) * spam_total))
        if token.startswith(CHAR_PREFIXES):
            char_sum += ratio
            char_seen += 1
        else:
            word_sum += ratio
            word_seen += 1
    result = prior_log_odds(spam_docs, ham_docs) - LEGITIMATE_LEAN
    if word_seen:
        result += word_sum / word_seen**LENGTH_POWER
    if char_seen:
        result += CHAR_WEIGHT * char_sum / char_seen**LENGTH_POWER
    return result


#: A site's prior log-odds is never above this (even odds): until its published comments have
#: settled into training, a burst of spam marks must not make every new comment look like spam.
MAX_PRIOR_LOG_ODDS = 0.0


def prior_log_odds(spam_docs: int, ham_docs: int) -> float:
    """The site's traffic mix as log-odds (see `MAX_PRIOR_LOG_ODDS`)."""
    return min(MAX_PRIOR_LOG_ODDS, math.log(max(spam_docs, 1) / max(ham_docs, 1)))
