"""The local spam score: naive Bayes over words, phrases, character n-grams and links, per site.

It learns from the site's own comments, incrementally: moderators' decisions (approved →
legitimate, spam or rejected → spam, also when the status does not change) and every comment
that stayed published, unreported, for the site's `spam_ham_after_hours` (→ legitimate, by the
worker's `train_settled_comments`). Each adds the comment's features to the counts; a changed
decision moves them (`SpamTraining` remembers what each comment was trained as). Training is
batched (`train_many`: a fixed number of statements per batch). It only ever holds a comment;
it never rejects one.

Features come in two views. The word view: folded words, crude stems, word pairs and triples,
linked domains and their parts, and shape (link count, length, capitals, exclamation marks,
digits). The character view: 4- and 5-character pieces of each word and of each linked domain,
which catch misspellings and variants ("subscribe", "sucscribe", "subscribing") that whole
words miss. Each view's naive Bayes log-odds is divided by a power of its number of features
(the pieces of one word are far from independent, and long comments must not reach extreme
scores by length alone); the character view weighs less than the word view. Then the prior
log-odds and a small lean towards legitimate, through a logistic: a probability-like score in
[0, 1] that the site's `spam_score_threshold` compares against.

A new site has no decisions: the shipped model (`service.moderation.shipped`, trained on a
public corpus) scores alone until the site has `spam_min_examples` of each kind, then the site's
own model is blended in with weight n / (n + SITE_WEIGHT_K) (`site_weight`, `blend`).

Evaluation on a public corpus: tests/unit/moderation/test_spam_score.py and docs/moderation.md.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from sqlalchemy import Integer, bindparam, case, delete, exists, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from service.comments.models import Comment, CommentStatus, Report, Site
from service.db import table_of
from service.kernel import clock
from service.moderation.models import SpamClassifier, SpamToken, SpamTraining
from service.moderation.rules import rules_for
from service.moderation.shipped import ShippedModel, load
from service.moderation.spam_model import ALPHA, features, log_odds

if TYPE_CHECKING:
    from service.moderation.rules import Rules

# ALPHA, LENGTH_POWER, CHAR_WEIGHT and LEGITIMATE_LEAN were chosen on 40 random train/test
# splits of the evaluation corpus (docs/moderation.md); the optimum is flat around them.


def logistic(value: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, value))))


def spam_probability(
    tokens: Iterable[str],
    counts: Mapping[str, tuple[int, int]],
    spam_docs: int,
    ham_docs: int,
    alpha: float = ALPHA,
) -> float:
    """Score from per-token (spam, ham) document counts; 0.5 while a class has no document."""
    value = log_odds(tokens, counts, spam_docs, ham_docs, alpha)
    return 0.5 if value is None else logistic(value)


@dataclass
class MemoryModel:
    """The same classifier in memory (evaluation, tests): token -> (spam, ham) counts."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    spam_docs: int = 0
    ham_docs: int = 0

    def learn(self, source: str, is_spam: bool) -> None:
        self.learn_tokens(features(source), is_spam)

    def learn_tokens(self, tokens: Iterable[str], is_spam: bool) -> None:
        for token in tokens:
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


#: The site's own model weighs n / (n + SITE_WEIGHT_K) against the shipped model,
#: n = its trained comments of the rarer kind (see `service.moderation.shipped`).
SITE_WEIGHT_K = 50


def site_weight(spam_docs: int, ham_docs: int, min_examples: int) -> float:
    """The site's own model's share of the blend (0 until it has `min_examples` of each kind)."""
    rarer = min(spam_docs, ham_docs)
    if rarer < min_examples:
        return 0.0
    return rarer / (rarer + SITE_WEIGHT_K)


def blend(shipped: float | None, own: float | None, weight: float) -> float | None:
    """Blended log-odds: the shipped model's, the site's, or both by `site_weight`."""
    if own is None or weight <= 0:
        return shipped
    if shipped is None or weight >= 1:
        return own
    return (1 - weight) * shipped + weight * own


def score(
    session: Session,
    site_id: int,
    source: str,
    *,
    min_examples: int,
    model: ShippedModel | None = None,
    untrained: bool = False,
) -> float | None:
    """The site's spam score for `source`: the shipped `model` blended with the site's own (once
    it has `min_examples` of each class; `site_weight`), or None with neither. `untrained`: the
    caller knows the site has no classifier row (no query then; the shipped model alone)."""
    classifier = None if untrained else session.get(SpamClassifier, site_id)
    weight = (
        0.0
        if classifier is None
        else site_weight(classifier.spam_docs, classifier.ham_docs, min_examples)
    )
    if weight == 0 and model is None:
        return None
    tokens = features(source)
    own = None
    if classifier is not None and weight > 0:
        rows = session.execute(_TOKEN_COUNTS, {"site_id": site_id, "tokens": tokens})
        counts = {token: (spam, ham) for token, spam, ham in rows}
        own = log_odds(tokens, counts, classifier.spam_docs, classifier.ham_docs)
    value = blend(None if model is None else model.log_odds(tokens), own, weight)
    return None if value is None else round(logistic(value), 4)


# -- training -------------------------------------------------------------------------------

Label = Literal["spam", "ham"]
#: What a comment's status says about it: published comments are legitimate, spam and rejected
#: ones spam; pending and deleted ones (an author's choice, not a judgement) train nothing.
STATUS_LABELS: dict[str, Label] = {"approved": "ham", "spam": "spam", "rejected": "spam"}
_DEFERRED = "sidenote.spam.deferred"
_training = table_of(SpamTraining)
_classifiers = table_of(SpamClassifier)


def label_for_status(status: str) -> Label | None:
    return STATUS_LABELS.get(status)


@contextmanager
def deferred_training(session: Session) -> Iterator[None]:
    """Decisions inside the block train once, together, when it ends (bulk decisions): each
    comment as its status says *then*, so a decision rolled back in a savepoint trains nothing."""
    if _DEFERRED in session.info:  # nested: the outer block trains
        yield
        return
    session.info[_DEFERRED] = {}
    try:
        yield
        waiting: dict[int, Comment] = session.info[_DEFERRED]
        train_many(session, [(c, label_for_status(c.status)) for c in waiting.values()])
    finally:
        session.info.pop(_DEFERRED, None)


def train_decision(session: Session, comment: Comment) -> None:
    """Train `comment` as its status says (a moderator's decision), now or at the end of the
    enclosing `deferred_training` block."""
    waiting: dict[int, Comment] | None = session.info.get(_DEFERRED)
    if waiting is not None:
        waiting[comment.id] = comment
        return
    train_many(session, [(comment, label_for_status(comment.status))])


def train(session: Session, comment: Comment, label: str | None) -> None:
    """Make `comment` count as `label` ("spam", "ham", or None: not at all) for its site.

    Idempotent; a comment trained as one label and then decided otherwise moves over.
    """
    waiting: dict[int, Comment] | None = session.info.get(_DEFERRED)
    if waiting is not None:
        waiting.pop(comment.id, None)
    train_many(session, [(comment, cast(Label | None, label))])


def _dialect_insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _clamped(column: Any, delta: Any) -> Any:
    return case((column + delta < 0, 0), else_=column + delta)


@functools.cache
def _classifier_upsert(dialect_insert: Any) -> Any:
    """The classifier upsert adding signed deltas (never below zero); built once."""
    classifiers = dialect_insert(_classifiers).values(
        site_id=bindparam("p_site"),
        spam_docs=bindparam("p_spam"),
        ham_docs=bindparam("p_ham"),
        updated_at=bindparam("p_now"),
    )
    return classifiers.on_conflict_do_update(
        index_elements=["site_id"],
        set_={
            "spam_docs": _clamped(_classifiers.c.spam_docs, bindparam("p_dspam", type_=Integer)),
            "ham_docs": _clamped(_classifiers.c.ham_docs, bindparam("p_dham", type_=Integer)),
            "updated_at": bindparam("p_now"),
        },
    )


#: The token upsert as the driver's own SQL, per dialect (sqlite3: qmark; psycopg: %s): a batch
#: trains thousands of (site, token) rows, and sent as plain tuples they cost a tenth of what
#: SQLAlchemy's per-row parameter handling of the same statement as a Core upsert costs
#: (measured: 84 against 859 ms for 4,888 rows). Counts never go below zero.
_TOKEN_UPSERT = {
    "sqlite": "INSERT INTO spam_tokens (site_id, token, spam, ham) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (site_id, token) DO UPDATE SET "
    "spam = MAX(0, spam_tokens.spam + ?), ham = MAX(0, spam_tokens.ham + ?)",
    "postgresql": "INSERT INTO spam_tokens (site_id, token, spam, ham) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (site_id, token) DO UPDATE SET "
    "spam = GREATEST(0, spam_tokens.spam + %s), ham = GREATEST(0, spam_tokens.ham + %s)",
}


def train_many(session: Session, items: Sequence[tuple[Comment, Label | None]]) -> int:
    """Train each comment as its label (None: untrain it), moving what changed label; returns
    how many comments changed. A fixed number of statements whatever the batch's size: one
    SELECT of the earlier labels, one DELETE, one INSERT of the new labels, one token upsert and
    one classifier upsert (executemany); the ORM is told what changed under it."""
    wanted: dict[int, tuple[Comment, Label | None]] = {}
    for comment, label in items:
        wanted[comment.id] = (comment, label)
    if not wanted:
        return 0
    session.flush()
    earlier = {
        row.comment_id: row
        for row in session.execute(
            select(
                _training.c.comment_id, _training.c.site_id, _training.c.label, _training.c.tokens
            ).where(_training.c.comment_id.in_(list(wanted)))
        )
    }
    tokens: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    docs: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    dropped: list[int] = []
    added: list[dict[str, Any]] = []
    for comment_id, (comment, label) in wanted.items():
        record = earlier.get(comment_id)
        if record is not None:
            if record.label == label:
                continue
            side = 0 if record.label == "spam" else 1
            docs[record.site_id][side] -= 1
            for token in record.tokens or []:
                tokens[(record.site_id, token)][side] -= 1
            dropped.append(comment_id)
        if label is None:
            continue
        side = 0 if label == "spam" else 1
        found = features(comment.body_source)
        docs[comment.site_id][side] += 1
        for token in found:
            tokens[(comment.site_id, token)][side] += 1
        added.append(
            {"comment_id": comment_id, "site_id": comment.site_id, "label": label, "tokens": found}
        )
    if not dropped and not added:
        return 0
    if dropped:
        session.execute(delete(_training).where(_training.c.comment_id.in_(dropped)))
        for comment_id in dropped:
            loaded = session.identity_map.get(identity_key(SpamTraining, comment_id))
            if loaded is not None:
                session.expunge(loaded)
    if added:
        session.execute(insert(_training), added)
    upsert_classifiers = _classifier_upsert(_dialect_insert(session))
    token_rows = [
        (site_id, token, max(0, d_spam), max(0, d_ham), d_spam, d_ham)
        for (site_id, token), (d_spam, d_ham) in tokens.items()
        if d_spam or d_ham
    ]
    if token_rows:
        connection = session.connection()
        connection.exec_driver_sql(_TOKEN_UPSERT[connection.dialect.name], token_rows)
    now = clock.now()
    session.execute(
        upsert_classifiers,
        [
            {
                "p_site": site_id,
                "p_spam": max(0, d_spam),
                "p_ham": max(0, d_ham),
                "p_dspam": d_spam,
                "p_dham": d_ham,
                "p_now": now,
            }
            for site_id, (d_spam, d_ham) in docs.items()
        ],
    )
    keys: list[Any] = [identity_key(SpamClassifier, site_id) for site_id in docs]
    keys += [identity_key(SpamToken, key) for key in tokens]
    for key in keys:
        stale = session.identity_map.get(key)
        if stale is not None:
            session.expire(stale)
    return len(dropped) + len(added)


#: Comments the settling job trains per statement batch.
SETTLE_BATCH = 500


def train_settled(session: Session, site_id: int, *, after_hours: int) -> int:
    """Train as legitimate up to SETTLE_BATCH of the site's comments published at least
    `after_hours` ago that were never trained, are still published and have no open report;
    returns how many. Each comment is trained at most once by this: a trained comment has a
    `spam_training` row (a later decision moves it, and the job never touches it again)."""
    return len(_settled_batch(session, site_id, after_hours, 0))


def _settled_batch(session: Session, site_id: int, after_hours: int, after_id: int) -> list[int]:
    """One batch of `train_settled`, from the comment after `after_id` on (a keyset walk, so
    a long backlog is read once, not rescanned from the start for every batch); their ids."""
    cutoff = clock.now() - timedelta(hours=after_hours)
    published_at = func.coalesce(Comment.status_changed_at, Comment.created_at)
    comments = list(
        session.scalars(
            select(Comment)
            .where(
                Comment.site_id == site_id,
                Comment.id > after_id,
                Comment.status == CommentStatus.APPROVED,
                published_at <= cutoff,
                ~exists().where(_training.c.comment_id == Comment.id),
                ~exists().where(Report.comment_id == Comment.id, Report.resolved_at.is_(None)),
            )
            .order_by(Comment.id)
            .limit(SETTLE_BATCH)
        )
    )
    train_many(session, [(comment, "ham") for comment in comments])
    return [comment.id for comment in comments]


def train_settled_comments(session: Session) -> int:
    """`train_settled` on every site whose score is on, batch by batch, each batch committed
    (the worker's periodic job); returns how many comments it trained."""

    total = 0
    for site in list(session.scalars(select(Site).order_by(Site.id))):
        rules = rules_for(site)
        if not rules.spam_score_enabled or rules.spam_ham_after_hours == 0:
            continue
        after_id = 0
        while True:
            batch = _settled_batch(session, site.id, rules.spam_ham_after_hours, after_id)
            session.commit()
            total += len(batch)
            if len(batch) < SETTLE_BATCH:
                break
            after_id = batch[-1]
    return total


# -- calibration ------------------------------------------------------------------------------

#: The newest labelled comments a calibration reads at most.
CALIBRATION_MAX = 2000
#: Folds of the cross-validation.
CALIBRATION_FOLDS = 5


def threshold_for_rate(scores: Sequence[float], labels: Sequence[bool], rate: float) -> float:
    """The lowest threshold at which at most `rate` of the legitimate `scores` are held."""
    legit = sorted((s for s, spam in zip(scores, labels, strict=True) if not spam), reverse=True)
    allowed = int(rate * len(legit))
    if allowed >= len(legit):
        return 0.5
    return min(1.0, max(0.5, legit[allowed] + 1e-6))


def calibrate(
    session: Session,
    site_id: int,
    *,
    legit_held_rate: float,
    min_examples: int,
    model: ShippedModel | None = None,
) -> SpamClassifier | None:
    """Estimate the site's threshold from its own labelled comments (`spam_training`, the
    newest CALIBRATION_MAX): each is scored by a model trained on the other folds
    (CALIBRATION_FOLDS-fold cross-validation, folds by comment id), and the threshold is the
    lowest that holds at most `legit_held_rate` of the legitimate ones; the shares of spam and
    legitimate comments held there are stored with it. With fewer than `min_examples` of
    either kind, the calibration is cleared (the site's `spam_score_threshold` applies)."""
    classifier = session.get(SpamClassifier, site_id)
    if classifier is None:
        return None
    rows = session.execute(
        select(_training.c.comment_id, _training.c.label, _training.c.tokens)
        .where(_training.c.site_id == site_id)
        .order_by(_training.c.comment_id.desc())
        .limit(CALIBRATION_MAX)
    ).all()
    labelled = [(int(cid), label == "spam", list(tokens or [])) for cid, label, tokens in rows]
    spam_count = sum(1 for _, is_spam, _ in labelled if is_spam)
    if min(spam_count, len(labelled) - spam_count) < max(min_examples, CALIBRATION_FOLDS):
        classifier.threshold = None
        classifier.estimated_spam_held = classifier.estimated_legit_held = None
        classifier.calibrated_examples = len(labelled)
        classifier.calibrated_at = clock.now()
        return classifier
    scores: list[float] = []
    labels: list[bool] = []
    for fold_number in range(CALIBRATION_FOLDS):
        fold = MemoryModel()
        for cid, is_spam, tokens in labelled:
            if cid % CALIBRATION_FOLDS != fold_number:
                fold.learn_tokens(tokens, is_spam)
        weight = site_weight(fold.spam_docs, fold.ham_docs, min_examples)
        for cid, is_spam, tokens in labelled:
            if cid % CALIBRATION_FOLDS == fold_number:
                own = log_odds(tokens, fold.counts, fold.spam_docs, fold.ham_docs)
                value = blend(None if model is None else model.log_odds(tokens), own, weight)
                scores.append(0.5 if value is None else logistic(value))
                labels.append(is_spam)
    threshold = threshold_for_rate(scores, labels, legit_held_rate)
    held = [score >= threshold for score in scores]
    spam_total = sum(labels)
    classifier.threshold = round(threshold, 6)
    classifier.estimated_spam_held = sum(h and y for h, y in zip(held, labels, strict=True)) / max(
        1, spam_total
    )
    classifier.estimated_legit_held = sum(
        h and not y for h, y in zip(held, labels, strict=True)
    ) / max(1, len(labels) - spam_total)
    classifier.calibrated_examples = len(labelled)
    classifier.calibrated_at = clock.now()
    return classifier


def calibrate_all(session: Session) -> int:
    """`calibrate` every site whose score is on (the worker, after settling); how many sites
    got a threshold."""

    calibrated = 0
    for site in list(session.scalars(select(Site).order_by(Site.id))):
        rules = rules_for(site)
        if not rules.spam_score_enabled:
            continue
        found = calibrate(
            session,
            site.id,
            legit_held_rate=rules.spam_legit_held_rate,
            min_examples=rules.spam_min_examples,
            model=shipped_model(rules),
        )
        session.commit()
        calibrated += found is not None and found.threshold is not None
    return calibrated


def shipped_model(rules: Rules) -> ShippedModel | None:
    """The shipped model, unless the site turned it off (`spam_shipped_model`)."""
    return load() if rules.spam_shipped_model else None


def site_threshold(session: Session, site_id: int, default: float) -> float:
    """The site's calibrated threshold, or `default` (its `spam_score_threshold`) until it has
    one. Reads the classifier row `score` already loaded (no query of its own)."""
    classifier = session.get(SpamClassifier, site_id)
    if classifier is None or classifier.threshold is None:
        return default
    return classifier.threshold
