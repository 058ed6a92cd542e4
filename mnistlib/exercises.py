"""Exercises that check themselves: did the learner's new run change what the exercise asks?

Each exercise in the notebooks ends with one call, ``exercises.check(...)``, whose ``Check``
prints as one sentence. It reads the results table only (``mnistlib.results``), and only its
validation columns, so checking never looks at the test set:

- a new row of the model exists (a run other than its first run);
- its run name names the change the exercise asks for (``names=["Conv2D", "filters"]``);
- its validation accuracy moved the way the exercise's answer predicts (``expect="lower"``,
  ``"higher"``, ``"same"`` or ``"any"``), or by no more than seed noise (``noise``).

In quick mode (the project's smoke runs) every run trains for seconds, so the direction is not
judged: only the row and its name are.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

from mnistlib.files import QUICK_VARIABLE
from mnistlib.results import ResultRow, load_results
from mnistlib.runs import FIRST_RUN

#: The validation set's size: MNIST's last 5,000 training digits.
VALIDATION_SIZE = 5000
#: "Within seed noise" is this many standard errors of the difference between two validation
#: accuracies (two runs that differ only in their seed land this far apart about 1 time in 20).
NOISE_ERRORS = 2.0
EXPECTATIONS = ("higher", "lower", "same", "any")


@dataclass(frozen=True)
class Check:
    """What a check found: ``worked`` and a one-sentence ``message`` (what ``str`` gives)."""

    worked: bool
    message: str
    row: ResultRow | None = None

    def __str__(self) -> str:
        return self.message


def noise(accuracy: float, n: int = VALIDATION_SIZE) -> float:
    """How far apart two validation accuracies near ``accuracy`` may land by chance alone:
    ``NOISE_ERRORS`` standard errors of their difference (0.0056 at 0.98 on 5,000 digits)."""
    p = min(max(accuracy, 1.0 / n), 1 - 1.0 / n)
    return NOISE_ERRORS * math.sqrt(2 * p * (1 - p) / n)


def _verdict(expect: str, change: float, margin: float) -> tuple[bool, str]:
    moved = f"validation accuracy {change:+.4f} (seed noise: +-{margin:.4f})"
    if expect == "any":
        return True, f"{moved}: {'within' if abs(change) <= margin else 'beyond'} seed noise"
    if abs(change) <= margin:
        return True, f"{moved}: within seed noise, so no clear change"
    if expect == "same":
        return False, f"{moved}: more than seed noise, where the answer expects no change"
    went = "higher" if change > 0 else "lower"
    if went == expect:
        return True, f"{moved}: {went}, as the answer predicts"
    return False, f"{moved}: {went}, where the answer predicts {expect}; look at the run again"


def check(
    model: str,
    names: Sequence[str],
    *,
    expect: str = "any",
    exclude: Sequence[str] = (),
    rows: list[ResultRow] | None = None,
) -> Check:
    """Check the newest run of ``model`` against its first run: a new row, a run name holding
    every word of ``names`` and none of ``exclude`` (case ignored; the lesson's own "MSE loss, 1
    epoch" is not exercise 8's "MSE loss"), and the validation accuracy moved as ``expect``
    says or within seed noise. Never raises for a missing run: it says what to do."""
    if expect not in EXPECTATIONS:
        raise ValueError(f"expect must be one of {', '.join(EXPECTATIONS)}, got {expect!r}")
    same = [r for r in (load_results() if rows is None else rows) if r.model == model]
    variants = [r for r in same if r.run != FIRST_RUN]
    if not same or not variants:
        return Check(False, f"Not yet: no new run of {model!r} in the results table; run "
                     "your answer (or the one under 'Answer'), then this cell.")  # fmt: skip
    first, new = same[0], max(variants, key=lambda r: r.finished_at)
    missing = [w for w in names if w.lower() not in new.run.lower()]
    extra = [w for w in exclude if w.lower() in new.run.lower()]
    if missing or extra:
        said = f"does not say {', '.join(missing)}" if missing else f"also says {', '.join(extra)}"
        return Check(False, f"Not yet: your newest run of {model!r} is [{new.run}], which "
                     f"{said}; run this exercise's answer, then this cell.", new)  # fmt: skip
    if os.environ.get(QUICK_VARIABLE) == "1":
        return Check(True, f"Worked: a new run [{new.run}] (quick mode: its accuracy is "
                     "not judged).", new)  # fmt: skip
    change = new.val_accuracy - first.val_accuracy
    ok, said = _verdict(expect, change, noise(first.val_accuracy))
    start = "Worked" if ok else "Check it"
    return Check(ok, f"{start}: [{new.run}] against the first run: {said}.", new)


__all__ = ["Check", "check", "noise"]
