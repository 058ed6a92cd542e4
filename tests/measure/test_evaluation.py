"""mnistlib.measure.evaluation: what the "not sure" checks flag."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Confident

from mnistlib.measure import evaluation
from mnistlib.recognition.sureness import Sureness


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
