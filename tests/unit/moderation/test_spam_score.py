"""The local spam score: features, and its precision and recall on a public labelled corpus.

The corpus is the YouTube Spam Collection (1,956 comments, 1,005 spam) in shared/corpora/spam.
A hash-based 70/30 split (one per salt) trains on one part and tests on the held-out rest, at
the default threshold of the site rules: the recorded split (salt "") and the mean of five
splits ("", "a" to "d"). The figures are recorded in docs/moderation.md.
"""

from __future__ import annotations

import csv
import hashlib
import statistics
from functools import lru_cache
from pathlib import Path

import pytest

from service.moderation.rules import Rules
from service.moderation.spam import MemoryModel, spam_probability
from service.moderation.spam_model import MAX_TOKENS, features

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "spam"
SALTS = ("", "a", "b", "c", "d")


@lru_cache(maxsize=1)
def load_corpus() -> list[tuple[str, str, bool]]:
    rows = []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append((row["COMMENT_ID"], row["CONTENT"], row["CLASS"] == "1"))
    return rows


def in_training_part(comment_id: str, salt: str = "") -> bool:
    return int(hashlib.sha256((salt + comment_id).encode()).hexdigest(), 16) % 10 < 7


@lru_cache(maxsize=32)
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


def test_features_include_stems_triples_character_pieces_and_link_parts() -> None:
    found = set(features("I subscribed to https://www.spam.example.net/win/big today"))
    assert {"s:subsc", "subscribed to https", "c:<sub", "c:ribed", "c:bed>"} <= found
    assert {"dom:example.net", "tld:net", "path:2", "d:<spa", "d:.net>"} <= found


def test_features_misspellings_share_character_pieces() -> None:
    pieces = {t for t in features("subscribe") if t.startswith("c:")}
    assert len(pieces & set(features("sucscribe"))) >= 3


def test_features_read_through_entities_and_keep_links_in_tags() -> None:
    found = set(features('I&#39;m <a href="http://spam.example/x">here</a>'))
    assert "i'm" in found and "url:spam.example" in found and "href" not in found


def test_features_of_a_long_comment_are_bounded() -> None:
    long = " ".join(f"word{n} thing{n * 7}" for n in range(2000))
    found = features(long)
    assert len(found) == MAX_TOKENS and found == features(long)
    assert "word0" in found and "word1999" not in found  # read from the start


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
    """Default threshold; the recorded split of docs/moderation.md (95.8 %, 0.65 %, 99.3 %)."""
    threshold = Rules().spam_score_threshold
    spam_held, ham_held, precision = evaluate("", threshold)
    print(f"spam held {spam_held:.3f}, legitimate held {ham_held:.3f}, precision {precision:.3f}")
    assert spam_held >= 0.95
    assert ham_held <= 0.01
    assert precision >= 0.99


def test_spam_score_meets_the_aim_on_average_over_five_splits() -> None:
    """The aim: >= 95 % of spam held with <= 2 % of legitimate comments held (measured: 95.6 %,
    1.7 %, precision 98.2 %)."""
    results = [evaluate(salt, Rules().spam_score_threshold) for salt in SALTS]
    spam_held, ham_held, precision = (statistics.mean(r[i] for r in results) for i in range(3))
    print(f"mean: spam held {spam_held:.3f}, legitimate {ham_held:.3f}, precision {precision:.3f}")
    assert spam_held >= 0.95
    assert ham_held <= 0.02
    assert precision >= 0.975


@pytest.mark.parametrize("salt", SALTS[1:])
def test_spam_score_is_stable_across_splits(salt: str) -> None:
    """No split far from the mean (measured: 95.0-96.2 % held, 0.96-3.2 % legitimate held)."""
    spam_held, ham_held, _ = evaluate(salt, Rules().spam_score_threshold)
    assert spam_held >= 0.93
    assert ham_held <= 0.04
