"""mnistlib.recognition.verdict: one wording of a verdict, wherever it is shown."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from mnistlib.recognition import NumberReading, Recognition
from mnistlib.recognition.verdict import digit_verdict, number_verdict

ROOT = Path(__file__).resolve().parents[2]


def read(digit: int, top: float, doubt: str | None = None, second: int = 9) -> Recognition:
    runner_up = (1 - top) * 0.6  # the second likeliest; the other eight share the rest
    p = np.full(10, (1 - top - runner_up) / 8)
    p[digit], p[second] = top, runner_up
    return Recognition(digit, p, np.zeros((28, 28)), doubt)


def test_a_sure_digit_is_said_with_its_probability():
    assert digit_verdict(read(7, 0.991)) == "7 (99.1%)"
    assert read(7, 0.991).describe() == "7 (99.1%)"


def test_a_doubted_digit_names_its_two_likeliest_and_the_failed_check():
    doubted = read(4, 0.48, "why", second=9)
    assert digit_verdict(doubted) == "not sure: 4 or 9? (48.0%) - why"


def test_a_number_marks_its_doubted_digits_and_explains_them():
    sure, doubted = read(2, 0.99), read(7, 0.6, "why", second=1)
    reading = NumberReading([sure, doubted], [(0, 0, 1, 1), (2, 0, 3, 1)])
    assert reading.describe() == "2? (not sure: 7 or 1? (60.0%) - why)"
    assert number_verdict("2?", [sure, doubted], details=True) == (
        "2? (2 (99.0%); not sure: 7 or 1? (60.0%) - why)"
    )
    two = NumberReading([sure, sure], [(0, 0, 1, 1), (2, 0, 3, 1)])
    assert two.describe() == "22" and two.describe(details=True) == "22 (2 (99.0%); 2 (99.0%))"
    one = NumberReading([sure], [(0, 0, 1, 1)])
    assert one.describe() == "2 (99.0%)"


def test_each_wording_is_written_in_one_module_only():
    """grep finds "not sure:" and the probability's format only in verdict.py."""
    for needle in ("{NOT_SURE}", ":.1%}", " or {second}?", "Recognised", "confidence {"):
        found = subprocess.run(
            ["grep", "-rlF", needle, "mnistlib"], cwd=ROOT, capture_output=True, text=True
        ).stdout.split()
        assert set(found) <= {"mnistlib/recognition/verdict.py"}, (needle, found)
