"""The local spam score: features, and its precision and recall on a public labelled corpus.

The corpus is the YouTube Spam Collection (1,956 comments, 1,005 spam) in shared/corpora/spam.
A fixed, hash-based 70/30 split trains on one part and tests on the rest, at the default
threshold of the site rules. The figures are recorded in docs/moderation.md.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from service.moderation.rules import Rules
from service.moderation.spam import MemoryModel, features, spam_probability

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "spam"


def load_corpus() -> list[tuple[str, str, bool]]:
    rows = []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append((row["COMMENT_ID"], row["CONTENT"], row["CLASS"] == "1"))
    return rows


def in_training_part(comment_id: str, salt: str = "") -> bool:
    return int(hashlib.sha256((salt + comment_id).encode()).hexdigest(), 16) % 10 < 7


def evaluate(salt: str, threshold: float) -> tuple[float, float, float]:
    """(spam held, legitimate held, precision) on the test part of one split."""
    rows = load_corpus()
    model = MemoryModel()
    for comment_id, text, is_spam in rows:
        if in_training_part(comment_id, salt):
            model.learn(text, is_spam)
    test = [(text, is_spam) for cid, text, is_spam in rows if not in_training_part(cid, salt)]
    held = [(model.score(text) >= threshold, is_spam) for text, is_spam in test]
    spam_total = sum(1 for _, is_spam in held if is_spam)
    ham_total = len(held) - spam_total
    true_pos = sum(1 for h, is_spam in held if h and is_spam)
    false_pos = sum(1 for h, is_spam in held if h and not is_spam)
    return true_pos / spam_total, false_pos / ham_total, true_pos / max(1, true_pos + false_pos)


def test_the_corpus_is_there() -> None:
    rows = load_corpus()
    assert len(rows) == 1956
    assert sum(is_spam for *_, is_spam in rows) == 1005


def test_features_include_words_pairs_and_links() -> None:
    found = features("Check out my channel http://www.example.com/x NOW!!!")
    assert {"check", "my channel", "url:example.com", "links:1", "excl:3"} <= set(found)


def test_features_fold_look_alikes() -> None:
    assert "subscribe" in features("ЅUBSCRIBE")


def test_an_untrained_model_is_undecided() -> None:
    assert spam_probability(["a"], {}, 0, 0) == 0.5


def test_learning_moves_the_score() -> None:
    model = MemoryModel()
    for _ in range(5):
        model.learn("subscribe to my channel for free money", True)
        model.learn("the keepers lived on the shore station", False)
    assert model.score("free money on my channel") > 0.9
    assert model.score("the shore station keepers") < 0.1


def test_spam_score_on_the_corpus_meets_its_recorded_figures() -> None:
    """Default threshold; the split of docs/moderation.md. Aim: >= 95 % held at <= 2 %."""
    threshold = Rules().spam_score_threshold
    spam_held, ham_held, precision = evaluate("", threshold)
    print(f"spam held {spam_held:.3f}, legitimate held {ham_held:.3f}, precision {precision:.3f}")
    assert spam_held >= 0.93
    assert ham_held <= 0.02
    assert precision >= 0.97


@pytest.mark.parametrize("salt", ["a", "b", "c", "d"])
def test_spam_score_is_stable_across_splits(salt: str) -> None:
    spam_held, ham_held, _ = evaluate(salt, Rules().spam_score_threshold)
    assert spam_held >= 0.88
    assert ham_held <= 0.05
