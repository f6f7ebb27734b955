"""The local spam score: naive Bayes over words, phrases, character n-grams and links, per site.

It learns only from the site's own moderator decisions (approved → legitimate, spam → spam),
incrementally: each decision adds the comment's features to the counts, and a changed decision
moves them (`SpamTraining` remembers what each comment was trained as). It only ever holds a
comment; it never rejects one.

Features come in two views. The word view: folded words, crude stems, word pairs and triples,
linked domains and their parts, and shape (link count, length, capitals, exclamation marks,
digits). The character view: 4- and 5-character pieces of each word and of each linked domain,
which catch misspellings and variants ("subscribe", "sucscribe", "subscribing") that whole
words miss. Each view's naive Bayes log-odds is divided by a power of its number of features
(the pieces of one word are far from independent, and long comments must not reach extreme
scores by length alone); the character view weighs less than the word view. Then the prior
log-odds and a small lean towards legitimate, through a logistic: a probability-like score in
[0, 1] that the site's `spam_score_threshold` compares against.

Evaluation on a public corpus: tests/unit/moderation/test_spam_score.py and docs/moderation.md.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service import clock
from service.db import table_of
from service.models import Comment, SpamClassifier, SpamToken, SpamTraining
from service.moderation.text import fold

# ALPHA, LENGTH_POWER, CHAR_WEIGHT and LEGITIMATE_LEAN were chosen on 40 random train/test
# splits of the evaluation corpus (docs/moderation.md); the optimum is flat around them.

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


def spam_probability(
    tokens: Iterable[str],
    counts: Mapping[str, tuple[int, int]],
    spam_docs: int,
    ham_docs: int,
    alpha: float = ALPHA,
) -> float:
    """Score from per-token (spam, ham) document counts; tokens never seen are ignored."""
    if spam_docs <= 0 or ham_docs <= 0:
        return 0.5
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
    log_odds = math.log(spam_docs / ham_docs) - LEGITIMATE_LEAN
    if word_seen:
        log_odds += word_sum / word_seen**LENGTH_POWER
    if char_seen:
        log_odds += CHAR_WEIGHT * char_sum / char_seen**LENGTH_POWER
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, log_odds))))


@dataclass
class MemoryModel:
    """The same classifier in memory (evaluation, tests): token -> (spam, ham) counts."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    spam_docs: int = 0
    ham_docs: int = 0

    def learn(self, source: str, is_spam: bool) -> None:
        for token in features(source):
            spam, ham = self.counts.get(token, (0, 0))
            self.counts[token] = (spam + is_spam, ham + (not is_spam))
        if is_spam:
            self.spam_docs += 1
        else:
            self.ham_docs += 1

    def score(self, source: str) -> float:
        return spam_probability(features(source), self.counts, self.spam_docs, self.ham_docs)


# -- the per-site model in the database ------------------------------------------------------


_tokens = table_of(SpamToken)
#: Prepared once, as Core (posting scores every comment with a few hundred tokens).
_TOKEN_COUNTS = select(_tokens.c.token, _tokens.c.spam, _tokens.c.ham).where(
    _tokens.c.site_id == bindparam("site_id"),
    _tokens.c.token.in_(bindparam("tokens", expanding=True)),
)


def score(session: Session, site_id: int, source: str, *, min_examples: int) -> float | None:
    """The site's spam score for `source`, or None until it has `min_examples` of each class."""
    classifier = session.get(SpamClassifier, site_id)
    if classifier is None or min(classifier.spam_docs, classifier.ham_docs) < min_examples:
        return None
    tokens = features(source)
    rows = session.execute(_TOKEN_COUNTS, {"site_id": site_id, "tokens": tokens})
    counts = {token: (spam, ham) for token, spam, ham in rows}
    return round(spam_probability(tokens, counts, classifier.spam_docs, classifier.ham_docs), 4)


def _adjust(session: Session, site_id: int, tokens: list[str], label: str, delta: int) -> None:
    classifier = session.get(SpamClassifier, site_id)
    if classifier is None:
        classifier = SpamClassifier(site_id=site_id, spam_docs=0, ham_docs=0)
        session.add(classifier)
    if label == "spam":
        classifier.spam_docs = max(0, classifier.spam_docs + delta)
    else:
        classifier.ham_docs = max(0, classifier.ham_docs + delta)
    classifier.updated_at = clock.now()
    existing = {
        row.token: row
        for row in session.scalars(
            select(SpamToken).where(SpamToken.site_id == site_id, SpamToken.token.in_(tokens))
        )
    }
    for token in tokens:
        row = existing.get(token)
        if row is None:
            if delta < 0:
                continue
            row = SpamToken(site_id=site_id, token=token, spam=0, ham=0)
            session.add(row)
        if label == "spam":
            row.spam = max(0, row.spam + delta)
        else:
            row.ham = max(0, row.ham + delta)
    session.flush()


def train(session: Session, comment: Comment, label: str | None) -> None:
    """Make `comment` count as `label` ("spam", "ham", or None: not at all) for its site.

    Idempotent; a comment trained as one label and then decided otherwise moves over.
    """
    record = session.get(SpamTraining, comment.id)
    if record is not None:
        if record.label == label:
            return
        _adjust(session, record.site_id, list(record.tokens), record.label, -1)
        session.delete(record)
        session.flush()
    if label is None:
        return
    tokens = features(comment.body_source)
    _adjust(session, comment.site_id, tokens, label, +1)
    session.add(
        SpamTraining(comment_id=comment.id, site_id=comment.site_id, label=label, tokens=tokens)
    )
    session.flush()
