"""mnistlib.measure.evaluation: what the "not sure" checks flag, and whole-number accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Confident

from mnistlib.errors import ImageError
from mnistlib.measure import evaluation
from mnistlib.recognition.sureness import VALIDATION_SIZE, Sureness

N_TRAIN = VALIDATION_SIZE + 2000


class Reader:
    """A stand-in recogniser: reads each number right but refuses any longer than ``longest``
    digits, and reads every digit alone right (``composed``: what ``compose_number`` made, in
    order; a number is read right after it is composed, its digits alone at the end)."""

    def __init__(self, longest: int):
        self.longest, self.composed, self.numbers, self.next_single = longest, [], set(), 0

    def read_number(self, image):
        self.numbers.add(len(self.composed) - 1)
        truth = self.composed[-1]
        if len(truth) > self.longest:
            raise ImageError("too long")

        class Reading:
            text = truth

        return Reading()

    def read(self, images):
        singles = [t for i, t in enumerate(self.composed) if i not in self.numbers]

        class One:
            def __init__(self, digit):
                self.digit = digit

        start, self.next_single = self.next_single, self.next_single + len(images)
        return [One(int(t)) for t in singles[start : self.next_single]]


def _recording(monkeypatch, reader):
    real = evaluation.compose_number

    def compose(digits, rng, **kwargs):
        reader.composed.append("".join(map(str, digits)))
        return real(digits, rng, **kwargs)

    monkeypatch.setattr(evaluation, "compose_number", compose)


def test_numbers_per_condition_and_length_beside_the_digits_alone(monkeypatch):
    rng = np.random.default_rng(1)
    x_test = rng.integers(0, 255, (50, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 50).astype(np.uint8)
    monkeypatch.setattr(evaluation, "load_mnist", lambda: (None, (x_test, y_test)))
    reader = Reader(longest=2)
    _recording(monkeypatch, reader)
    rows = evaluation.evaluate_numbers(
        reader, n_per_length=3, lengths=[1, 6], conditions=["crisp", "blur"]
    )
    by = {(r.condition, r.length): r for r in rows}
    assert set(by) == {("crisp", 1), ("crisp", 6), ("blur", 1), ("blur", 6)}
    for condition in ("crisp", "blur"):
        assert by[(condition, 1)].accuracy == by[(condition, 1)].inside == 1.0
        assert by[(condition, 6)].accuracy == by[(condition, 6)].inside == 0.0  # refused
        assert by[(condition, 6)].alone == 1.0  # the same digits alone are read right
    table = evaluation.format_numbers(rows).splitlines()
    assert table[0].split()[-2:] == ["1", "6"]
    assert table[1].split()[:2] == ["mnist", "crisp"]
    assert any(line.split()[:2] == ["mnist", "blur"] and line.endswith("1.000") for line in table)


def test_numbers_for_choosing_use_validation_digits_never_the_test_set(monkeypatch):
    rng = np.random.default_rng(2)
    x_train = rng.integers(0, 255, (N_TRAIN, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, N_TRAIN).astype(np.uint8)
    monkeypatch.setattr(evaluation, "load_mnist", lambda: ((x_train, y_train), None))
    reader = Reader(longest=12)
    _recording(monkeypatch, reader)
    rows = evaluation.evaluate_numbers(
        reader, n_per_length=2, lengths=[3], conditions=["crisp"], split="validation"
    )
    assert rows[0].accuracy == 1.0
    with pytest.raises(ValueError, match="split"):
        evaluation.evaluate_numbers(reader, split="train")


def test_digits_right_inside_a_number_follow_the_digits_not_the_positions():
    assert evaluation._digits_right("2026", "2026") == 4
    assert evaluation._digits_right("2026", "2036") == 3
    assert evaluation._digits_right("2026", "226") == 3  # a digit lost: the rest still count
    assert evaluation._digits_right("2026", "") == 0


def test_auroc_and_fpr_at_95_on_known_scores():
    inliers = np.arange(100.0)
    assert evaluation.auroc(inliers, inliers + 1000) == 1.0
    assert evaluation.auroc(inliers + 1000, inliers) == 0.0
    assert evaluation.auroc(inliers, inliers) == 0.5  # ties count half
    assert evaluation.fpr_at_95(inliers, inliers + 1000) == 0.0
    assert evaluation.fpr_at_95(inliers, np.r_[np.full(96, 1e6), np.zeros(4)]) == 0.0
    assert evaluation.fpr_at_95(inliers, np.r_[np.full(90, 1e6), np.zeros(10)]) == 1.0


def test_the_check_score_passes_one_exactly_where_a_check_fails():

    checks = Sureness(threshold=0.5)
    p = np.array([[0.9] + [0.1 / 9] * 9, [0.4] + [0.6 / 9] * 9])
    score = evaluation.check_score(checks, p, None)
    assert (score > 1).tolist() == (~checks.sure(p)).tolist() == [False, True]


def test_outlier_report_flags_refusals_and_uses_only_the_split_asked(monkeypatch):
    rng = np.random.default_rng(3)
    x_test = (rng.random((60, 28, 28)) < 0.2).astype(np.uint8) * 255
    monkeypatch.setattr(evaluation, "load_mnist", lambda: (None, (x_test, x_test[:, 0, 0])))

    flagged, rows = evaluation.outlier_report(
        Confident(), Sureness(threshold=0.6), n=8, read_whole=False
    )
    assert 0 <= flagged <= 1
    kinds = {r.kind: r for r in rows}
    assert set(kinds) >= {"letters", "noise", "two_digits", "empty_frame"}
    assert kinds["shapes"].held_out and not kinds["letters"].held_out
    assert all(r.refused <= r.flagged <= 1 and 0 <= r.auroc <= 1 for r in rows)
    assert "AUROC" in evaluation.format_outliers(flagged, rows)


def test_one_digit_share_counts_only_a_single_sure_digit(shipped, mnist):
    _, (x_test, _) = mnist
    digit = np.pad(x_test[0], 8)  # a 7, read surely alone
    pair = np.concatenate([digit, np.pad(x_test[1], 8)], axis=1)  # "72": a number
    blank = np.zeros((28, 28), np.uint8)  # refused: no visible digit
    assert evaluation.one_digit_share(shipped, [digit]) == 1.0
    assert evaluation.one_digit_share(shipped, [digit, pair, blank]) == pytest.approx(1 / 3)
