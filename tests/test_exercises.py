"""mnistlib.exercises: a check says whether the learner's newest run did what the exercise asks."""

from __future__ import annotations

import pytest

from mnistlib import exercises
from mnistlib.results import ResultRow


def _row(run: str, accuracy: float, at: str, model: str = "cnn") -> ResultRow:
    return ResultRow(model=model, run=run, val_accuracy=accuracy, val_loss=0.1,
                     test_accuracy=0.5, epochs=2, batch_size=128, seed=42, train_seconds=1.0,
                     parameters=1, key=run, settings={}, curves={}, finished_at=at)  # fmt: skip


FIRST = _row("first run", 0.98, "2026-01-01T00:00:00")


@pytest.fixture(autouse=True)
def _full_mode(monkeypatch):
    monkeypatch.delenv("MNISTLIB_FAST", raising=False)


def test_no_new_run_is_not_yet_and_says_what_to_do():
    found = exercises.check("cnn", ["4 epochs"], rows=[FIRST, _row("x", 0.9, "2", model="other")])
    assert not found.worked and str(found).startswith("Not yet") and "answer" in str(found)


def test_the_newest_run_must_name_the_change():
    rows = [FIRST, _row("4 epochs", 0.99, "2026-01-02"), _row("seed 1", 0.98, "2026-01-03")]
    found = exercises.check("cnn", ["4 epochs"], rows=rows)
    assert not found.worked and "[seed 1]" in found.message
    assert exercises.check("cnn", ["seed 1"], expect="same", rows=rows).worked


def test_a_run_whose_name_says_more_than_the_exercise_is_not_taken_for_it():
    # the lesson's own "MSE loss, 1 epoch" is not exercise 8's "MSE loss"
    rows = [FIRST, _row("MSE loss, 1 epoch", 0.98, "2026-01-02")]
    found = exercises.check("cnn", ["MSE loss"], exclude=["epoch"], expect="same", rows=rows)
    assert not found.worked and "also says epoch" in found.message
    rows.append(_row("MSE loss", 0.98, "2026-01-03"))
    assert exercises.check("cnn", ["MSE loss"], exclude=["epoch"], expect="same", rows=rows).worked


def test_the_direction_is_judged_against_seed_noise():
    noise = exercises.noise(0.98)
    assert 0.005 < noise < 0.006  # two standard errors of a difference, on 5,000 digits
    up, down = 0.98 + 2 * noise, 0.98 - 2 * noise
    assert exercises.check("cnn", ["4 epochs"], expect="higher",
                           rows=[FIRST, _row("4 epochs", up, "2")]).worked  # fmt: skip
    wrong = exercises.check("cnn", ["4 epochs"], expect="higher",
                            rows=[FIRST, _row("4 epochs", down, "2")])  # fmt: skip
    assert not wrong.worked and "lower" in wrong.message
    within = exercises.check("cnn", ["4 epochs"], expect="higher",
                             rows=[FIRST, _row("4 epochs", 0.98 - noise / 2, "2")])  # fmt: skip
    assert within.worked and "within seed noise" in within.message
    assert not exercises.check("cnn", ["4 epochs"], expect="same",
                               rows=[FIRST, _row("4 epochs", up, "2")]).worked  # fmt: skip
    with pytest.raises(ValueError, match="expect"):
        exercises.check("cnn", ["4 epochs"], expect="better", rows=[FIRST])


def test_quick_mode_judges_the_row_and_its_name_only(monkeypatch):
    monkeypatch.setenv("MNISTLIB_FAST", "1")
    found = exercises.check("cnn", ["4 epochs"], expect="higher",
                            rows=[FIRST, _row("4 epochs", 0.1, "2")])  # fmt: skip
    assert found.worked and "quick mode" in found.message
