"""The shipped spam model: what a site's spam score starts from before it has decisions of its own.

It is the same naive Bayes as the per-site score (`spam_model.features`, `spam_model.log_odds`),
trained on a public labelled corpus (the YouTube Spam Collection, CC BY 4.0; docs/moderation.md) by
`bench/train_shipped_model.py`, and shipped as derived statistics only: per-feature document
counts of features seen in at least `MIN_DOCUMENTS` comments, the two class totals and a
calibration offset. No comment text is in the file.

**Calibration.** The corpus comes in groups (one per video). Each group is scored by a model
trained on the other groups (duplicates of training comments removed first), and the offset is
chosen so that, at the site default threshold (`Rules().spam_score_threshold`), at most
`TARGET_LEGIT_HELD` (0.5 %) of those legitimate comments would have been held: estimated on
traffic the model had not seen, with a margin for traffic less like the corpus than its videos
are like each other.

**Blend.** A site's own model joins once it has `spam_min_examples` decisions of each kind, with
weight w = n / (n + `spam.SITE_WEIGHT_K`), n its trained comments of the rarer kind (spam, usually):
log-odds = (1 - w) · shipped + w · site. With 50 spam decisions the site counts half, with 450
nine tenths.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from service.kernel.text import text_fingerprint
from service.moderation.spam_model import features, log_odds

#: Where the model lives inside the package (shipped in the wheel as package data).
RESOURCE = ("service.moderation", "data/spam_model.json")
FORMAT = 1
#: Features seen in fewer comments of the corpus are dropped (they say little, and a feature
#: seen once could only describe one person's comment).
MIN_DOCUMENTS = 2
#: The share of the corpus' held-out legitimate comments the calibration allows at the site
#: default threshold: a quarter of the owner's default 2 % (`spam_legit_held_rate`), a margin
#: for traffic unlike the corpus (a blog's "Thanks for the feedback!" reads like YouTube spam's
#: "thanks for watching"); the site's own calibration takes over from its decisions.
TARGET_LEGIT_HELD = 0.005


@dataclass(frozen=True)
class ShippedModel:
    counts: Mapping[str, tuple[int, int]]
    spam_docs: int
    ham_docs: int
    #: Added to the naive Bayes log-odds: the calibration (see the module docstring).
    offset: float
    meta: Mapping[str, Any]

    def log_odds(self, tokens: Sequence[str]) -> float:
        value = log_odds(tokens, self.counts, self.spam_docs, self.ham_docs)
        return (value or 0.0) + self.offset


@functools.cache
def load() -> ShippedModel:
    """The model shipped inside the package (read once per process)."""
    package, name = RESOURCE
    raw = json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    return from_dict(raw)


def from_dict(raw: Mapping[str, Any]) -> ShippedModel:
    if raw.get("format") != FORMAT:
        raise ValueError(f"unknown spam model format {raw.get('format')!r}")
    counts = {token: (int(pair[0]), int(pair[1])) for token, pair in raw["tokens"].items()}
    meta = {k: v for k, v in raw.items() if k != "tokens"}
    return ShippedModel(
        counts, int(raw["spam_docs"]), int(raw["ham_docs"]), float(raw["offset"]), meta
    )


# -- building -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Labelled:
    text: str
    is_spam: bool
    #: Where it comes from (a video): calibration holds out one group at a time.
    group: str


def _count(examples: Iterable[Labelled]) -> tuple[dict[str, tuple[int, int]], int, int]:
    spam_counts: Counter[str] = Counter()
    ham_counts: Counter[str] = Counter()
    spam_docs = ham_docs = 0
    for example in examples:
        (spam_counts if example.is_spam else ham_counts).update(features(example.text))
        spam_docs += example.is_spam
        ham_docs += not example.is_spam
    counts = {t: (spam_counts[t], ham_counts[t]) for t in spam_counts.keys() | ham_counts.keys()}
    return counts, spam_docs, ham_docs


def _pruned(counts: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {t: c for t, c in counts.items() if c[0] + c[1] >= MIN_DOCUMENTS}


def _held_out_log_odds(examples: Sequence[Labelled]) -> list[tuple[float, bool]]:
    """Each group scored by a (pruned) model of the other groups, without their duplicates."""
    found: list[tuple[float, bool]] = []
    for group in sorted({e.group for e in examples}):
        train = [e for e in examples if e.group != group]
        seen = {key for e in train for key in (e.text.strip(), text_fingerprint(e.text))}
        counts, spam_docs, ham_docs = _count(train)
        counts = _pruned(counts)
        for example in examples:
            if example.group != group or {example.text.strip(), text_fingerprint(example.text)} & (
                seen
            ):
                continue
            value = log_odds(features(example.text), counts, spam_docs, ham_docs)
            found.append((value or 0.0, example.is_spam))
    return found


def calibration_offset(
    examples: Sequence[Labelled], threshold: float, legit_held: float = TARGET_LEGIT_HELD
) -> tuple[float, dict[str, float]]:
    """The offset that puts the held-out cut for `legit_held` at `threshold`, and the held-out
    shares of spam and legitimate comments held there."""
    scored = _held_out_log_odds(examples)
    legit = sorted((v for v, is_spam in scored if not is_spam), reverse=True)
    allowed = int(legit_held * len(legit))
    cut = legit[allowed] + 1e-6 if allowed < len(legit) else min(legit) - 1e-6
    offset = math.log(threshold / (1 - threshold)) - cut
    spam_values = [v for v, is_spam in scored if is_spam]
    held = {
        "spam_held": round(sum(v >= cut for v in spam_values) / max(1, len(spam_values)), 4),
        "legit_held": round(sum(v >= cut for v in legit) / max(1, len(legit)), 4),
        "examples": len(scored),
    }
    return offset, held


def build(
    examples: Sequence[Labelled], *, threshold: float, meta: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The model file's content for `examples`, calibrated for `threshold` (deterministic)."""
    counts, spam_docs, ham_docs = _count(examples)
    offset, held = calibration_offset(examples, threshold)
    return {
        "format": FORMAT,
        **(meta or {}),
        "spam_docs": spam_docs,
        "ham_docs": ham_docs,
        "offset": round(offset, 6),
        "calibration": {
            "threshold": threshold,
            "target_legit_held": TARGET_LEGIT_HELD,
            "held_out_by": "group",
            **held,
        },
        "min_documents": MIN_DOCUMENTS,
        "tokens": {t: list(c) for t, c in sorted(_pruned(counts).items())},
    }


def dumps(model: Mapping[str, Any]) -> str:
    """Stable text for the file: sorted keys, one token per line (readable diffs)."""
    head = {k: v for k, v in model.items() if k != "tokens"}
    lines = [json.dumps(head, sort_keys=True, ensure_ascii=False)[:-1] + ', "tokens": {']
    tokens = list(model["tokens"].items())
    for n, (token, pair) in enumerate(tokens):
        comma = "," if n < len(tokens) - 1 else ""
        lines.append(f"{json.dumps(token, ensure_ascii=False)}: [{pair[0]}, {pair[1]}]{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"
