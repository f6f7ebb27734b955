"""Build the shipped spam model (`service/moderation/data/spam_model.json`) from the YouTube Spam
Collection, reproducibly: the same corpus and code give the same bytes.

    .venv/bin/python -m bench.train_shipped_model [--corpus ../shared/corpora/spam] [--check]

The corpus: T.C. Alberto, J.V. Lochter, T.A. Almeida, "TubeSpam: Comment Spam Filtering on
YouTube", ICMLA 2015; UCI Machine Learning Repository dataset 380, listed there under CC BY 4.0.
Only derived statistics are written (per-feature document counts of features seen in at least
two comments, class totals, the calibration offset), never comment text. `--check` exits 1 when
the file in the package differs from what the corpus and code build now (the features changed
and the model was not rebuilt).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from service.moderation import shipped
from service.moderation.rules import Rules

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "spam"
OUTPUT = Path(shipped.__file__).resolve().parent / "data" / "spam_model.json"
META = {
    "name": "YouTube Spam Collection v1 (1,956 comments from five videos)",
    "source": "UCI Machine Learning Repository, dataset 380 (YouTube Spam Collection)",
    "license": "CC-BY-4.0",
    "attribution": (
        "T.C. Alberto, J.V. Lochter, T.A. Almeida, 'TubeSpam: Comment Spam Filtering on "
        "YouTube', ICMLA 2015. Derived statistics (feature document counts), no comment text."
    ),
}


def load(corpus: Path, videos: Sequence[str] | None = None) -> list[shipped.Labelled]:
    """The corpus' comments labelled and grouped by video (only `videos`, when given)."""
    examples = []
    for path in sorted(corpus.glob("*.csv")):
        video = path.stem.split("__")[-1]
        if videos is not None and video not in videos:
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                examples.append(shipped.Labelled(row["CONTENT"], row["CLASS"] == "1", video))
    return examples


def build_text(corpus: Path) -> str:
    examples = load(corpus)
    if not examples:
        raise SystemExit(f"no CSV files in {corpus}")
    model = shipped.build(examples, threshold=Rules().spam_score_threshold, meta=META)
    return shipped.dumps(model)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = build_text(args.corpus)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: rebuild it with bench.train_shipped_model")
            sys.exit(1)
        print(f"{args.output} is up to date")
        return
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode()):,} bytes)")


if __name__ == "__main__":
    main()
