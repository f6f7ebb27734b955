"""bench/spam_eval.py tests what it claims: no test comment is a (folded) copy of a training one."""

from __future__ import annotations

import pytest

from bench.spam_eval import (
    DEFAULT_CORPUS,
    Example,
    duplicate_keys,
    leave_one_video_out,
    load,
    split_without_duplicates,
    threshold_for,
)


def example(text: str, video: str = "v", is_spam: bool = True) -> Example:
    return Example(video, text[:8], text, is_spam)


def test_exact_and_folded_duplicates_leave_the_test_part() -> None:
    train = [example("Check out my channel!"), example("Nice song")]
    test = [
        example("Check out my channel!"),  # exact
        example("CHECK OUT MY CHANNEL!"),  # folded: case
        example("Сheck out my chаnnel!"),  # folded: Cyrillic look-alikes
        example("Check\u200b out my channel!"),  # folded: zero-width space
        example("A different comment"),
    ]
    split = split_without_duplicates(train, test)
    assert [e.text for e in split.test] == ["A different comment"]
    assert split.removed == 4


@pytest.mark.skipif(not DEFAULT_CORPUS.exists(), reason="the shared corpus is not here")
def test_leave_one_video_out_shares_no_comment_between_train_and_test() -> None:
    splits = leave_one_video_out(load(DEFAULT_CORPUS))
    assert len(splits) == 5
    assert sum(s.removed for s in splits) > 0  # the corpus does repeat itself across videos
    for split in splits:
        assert {e.video for e in split.test} == {split.held_out}
        assert split.held_out not in {e.video for e in split.train}
        train_keys = {key for e in split.train for key in duplicate_keys(e.text)}
        assert all(not train_keys.intersection(duplicate_keys(e.text)) for e in split.test)


def test_the_threshold_for_a_legitimate_held_rate_holds_at_most_that_rate() -> None:
    scores = [i / 100 for i in range(100)]
    labels = [False] * 100
    cut = threshold_for(scores, labels, 0.02)
    assert sum(s >= cut for s in scores) <= 2
