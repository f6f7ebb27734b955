"""The local spam score: naive Bayes over words, word pairs and link features, per site.

It learns only from the site's own moderator decisions (approved → legitimate, spam → spam),
incrementally: each decision adds the comment's features to the counts, and a changed decision
moves them (`SpamTraining` remembers what each comment was trained as). It only ever holds a
comment; it never rejects one.

The score is a probability-like number in [0, 1]: the naive Bayes log-odds over the features the
site has seen, divided by the square root of their number (so long comments do not reach extreme
scores by length alone), plus the prior log-odds, through a logistic. Evaluation on a public
corpus: tests/unit/test_spam_score.py and docs/moderation.md.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import clock
from service.models import Comment, SpamClassifier, SpamToken, SpamTraining
from service.moderation.text import fold

#: Laplace smoothing of the per-class token frequencies.
ALPHA = 0.2
MAX_TOKENS = 400
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SQUEEZE = re.compile(r"(\w)\1{2,}")
_URL = re.compile(
    r"(?:https?://|www\.)([^\s/<>\"'?#)\]]+)"
    r"|\b([a-z0-9-]+\.(?:com|net|org|info|biz|ly|me|tk|co|us|ru|de|pl|uk|tv|io|gl|xyz|top))\b",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"\d[\d\s-]{6,}\d")


def features(source: str) -> list[str]:
    """The features of a comment: folded words and word pairs, linked domains, link count,
    length, capitals and exclamation marks, long numbers (phone numbers)."""
    text = _SQUEEZE.sub(r"\1", fold(source))
    words = [w for w in _WORD.findall(text) if 1 < len(w) <= 30]
    found = set(words)
    found.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    domains = [(a or b).lower().removeprefix("www.")[:50] for a, b in _URL.findall(source)]
    found.update(f"url:{d}" for d in domains)
    found.add(f"links:{min(len(domains), 3)}")
    found.add(f"len:{min(int(math.log2(len(source) + 1)), 10)}")
    letters = [ch for ch in source if ch.isalpha()]
    if letters:
        found.add(f"caps:{int(4 * sum(ch.isupper() for ch in letters) / len(letters))}")
    found.add(f"excl:{min(source.count('!'), 3)}")
    found.add(f"words:{min(len(words) // 5, 8)}")
    if _LONG_NUMBER.search(source):
        found.add("long-number")
    return sorted(t[:64] for t in found)[:MAX_TOKENS]


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
    log_odds = 0.0
    seen = 0
    spam_total = spam_docs + 2 * alpha
    ham_total = ham_docs + 2 * alpha
    for token in tokens:
        spam, ham = counts.get(token, (0, 0))
        if spam + ham == 0:
            continue
        log_odds += math.log((spam + alpha) / spam_total) - math.log((ham + alpha) / ham_total)
        seen += 1
    if seen:
        log_odds /= math.sqrt(seen)
    log_odds += math.log(spam_docs / ham_docs)
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


def score(session: Session, site_id: int, source: str, *, min_examples: int) -> float | None:
    """The site's spam score for `source`, or None until it has `min_examples` of each class."""
    classifier = session.get(SpamClassifier, site_id)
    if classifier is None or min(classifier.spam_docs, classifier.ham_docs) < min_examples:
        return None
    tokens = features(source)
    rows = session.execute(
        select(SpamToken.token, SpamToken.spam, SpamToken.ham).where(
            SpamToken.site_id == site_id, SpamToken.token.in_(tokens)
        )
    )
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
