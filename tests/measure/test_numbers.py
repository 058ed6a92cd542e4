"""mnistlib.measure.numbers: whole numbers composed, degraded and read."""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib.errors import ImageError
from mnistlib.measure import evaluation, numbers
from mnistlib.recognition.sureness import VALIDATION_SIZE

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
    real = numbers.compose_number

    def compose(digits, rng, **kwargs):
        reader.composed.append("".join(map(str, digits)))
        return real(digits, rng, **kwargs)

    monkeypatch.setattr(numbers, "compose_number", compose)


def test_numbers_per_condition_and_length_beside_the_digits_alone(monkeypatch):
    rng = np.random.default_rng(1)
    x_test = rng.integers(0, 255, (50, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 50).astype(np.uint8)
    monkeypatch.setattr(evaluation, "load_mnist", lambda: (None, (x_test, y_test)))
    reader = Reader(longest=2)
    _recording(monkeypatch, reader)
    rows = numbers.evaluate_numbers(
        reader, n_per_length=3, lengths=[1, 6], conditions=["crisp", "blur"]
    )
    by = {(r.condition, r.length): r for r in rows}
    assert set(by) == {("crisp", 1), ("crisp", 6), ("blur", 1), ("blur", 6)}
    for condition in ("crisp", "blur"):
        assert by[(condition, 1)].accuracy == by[(condition, 1)].inside == 1.0
        assert by[(condition, 6)].accuracy == by[(condition, 6)].inside == 0.0  # refused
        assert by[(condition, 6)].alone == 1.0  # the same digits alone are read right
    table = numbers.format_numbers(rows).splitlines()
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
    rows = numbers.evaluate_numbers(
        reader,
        n_per_length=2,
        lengths=[3],
        conditions=["crisp"],
        composition=numbers.Composition(split="validation"),
    )
    assert rows[0].accuracy == 1.0
    with pytest.raises(ValueError, match="split"):
        numbers.evaluate_numbers(reader, composition=numbers.Composition(split="train"))


def test_digits_right_inside_a_number_follow_the_digits_not_the_positions():
    assert numbers.digits_right("2026", "2026") == 4
    assert numbers.digits_right("2026", "2036") == 3
    assert numbers.digits_right("2026", "226") == 3  # a digit lost: the rest still count
    assert numbers.digits_right("2026", "") == 0


def test_progress_hears_of_each_length_and_condition(monkeypatch):
    rng = np.random.default_rng(1)
    x_test = rng.integers(0, 255, (50, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 50).astype(np.uint8)
    monkeypatch.setattr(evaluation, "load_mnist", lambda: (None, (x_test, y_test)))
    reader = Reader(longest=12)
    _recording(monkeypatch, reader)
    heard = []
    numbers.evaluate_numbers(
        reader, n_per_length=1, lengths=[1, 2], conditions=["crisp"], alone=False,
        progress=lambda stage, done, total: heard.append((done, total)),
    )  # fmt: skip
    assert heard == [(0, 2), (1, 2), (2, 2)]
