"""mnistlib.measure.selective: does "not sure" cry wolf on other writers' digits?"""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib.measure import (
    format_selective,
    other_writers,
    plot_selective_curves,
    selective_curve,
    selective_report,
)
from mnistlib.measure.selective import selective_row


def test_risk_coverage_answers_the_surest_first():
    score = np.array([0.1, 0.2, 0.3, 0.4])  # lower: surer
    right = np.array([True, True, False, True])
    sure = score <= 0.2
    curve = selective_curve(score, right, sure)
    np.testing.assert_allclose(curve.coverage, [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(curve.risk, [0, 0, 1 / 3, 1 / 4])
    assert curve.operating == (0.5, 0.0)
    with pytest.raises(ValueError):
        selective_curve(np.array([]), np.array([], bool), np.array([], bool))


def test_a_row_counts_right_answers_doubted_and_wrong_answers_sure():
    right = np.array([True] * 8 + [False] * 2)
    sure = np.array([True] * 6 + [False] * 2 + [True, False])
    row = selective_row("x", right, sure)
    assert row.n == 10 and row.accuracy == 0.8 and row.coverage == 0.7
    assert row.right_doubted == 2 / 8 and row.wrong_sure == 1 / 10
    assert "25.0%" in format_selective([row])


def test_the_risk_coverage_figure_marks_each_operating_point():
    curve = selective_curve(np.linspace(0, 1, 50), np.arange(50) < 48, np.arange(50) < 45)
    fig = plot_selective_curves({"a": curve, "b": curve})
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("coverage")
    assert len(ax.lines) == 4  # a curve and a dot per set


def test_other_writers_splits_draw_different_digits():
    val = other_writers("validation", 6, sets=("degraded crisp", "cropped tight"))
    test = other_writers("test", 6, sets=("degraded crisp", "cropped tight"))
    assert list(val) == ["degraded crisp", "cropped tight"]
    images, labels = val["cropped tight"]
    assert images.shape == (6, 28, 28) and labels.shape == (6,)
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert not np.array_equal(images, test["cropped tight"][0])
    with pytest.raises(ValueError, match="split"):
        other_writers("train", 2)
    with pytest.raises(ValueError, match="unknown"):
        other_writers("test", 2, sets=("nothing",))


def test_the_shipped_recogniser_rarely_doubts_other_writers_right_answers(shipped):
    sets = other_writers("test", 60, sets=("strokes photo", "cropped tight"))
    rows = selective_report(shipped, sets)
    for row in rows:  # 0-1% on 500 each (docs/recognition.md)
        assert row.accuracy >= 0.9, row
        assert row.right_doubted <= 0.08, row


def test_narrow_views_doubt_stretched_ones_read_as_sevens(shipped):
    sets = other_writers("validation", 400, sets=("strokes stretched",), narrow=True)
    images, labels, views = sets["strokes stretched"]
    assert len(views) > 300 and all(v.shape == (28, 28) for v in views.values())
    without = selective_report(shipped, {"s": (images, labels)})[0]
    with_views = selective_report(shipped, {"s": (images, labels, views)})[0]
    assert with_views.wrong_sure <= without.wrong_sure - 0.01  # 3.75% -> 1.75% (docs)
    assert with_views.right_doubted <= without.right_doubted + 0.01
