"""mnistlib.measure.evaluation: choosing the "not sure" checks on validation digits only, what
they flag, and whole-number accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib.errors import ImageError
from mnistlib.measure import evaluation
from mnistlib.recognition.sureness import MAX_FLAGGED, VALIDATION_SIZE

N_TRAIN = VALIDATION_SIZE + 2000


class Confident:
    """A stand-in recogniser: reads every image as the digit of its brightest column band, with a
    top probability that grows with the ink; its "features" are the mean ink of 4 bands."""

    def scores(self, images):
        images = np.asarray(images, dtype=np.float64).reshape(len(images), 28, 28)
        bands = images.reshape(len(images), 28, 4, 7).mean(axis=(1, 3))
        top = np.clip(0.5 + 4 * images.mean(axis=(1, 2)), 0.5, 0.999)
        p = np.repeat(((1 - top) / 9)[:, None], 10, axis=1)
        p[np.arange(len(p)), 0] = top
        return bands, p


@pytest.fixture
def fake_mnist(monkeypatch):
    """Random blobs as training digits; the test set is None, so touching it fails loudly."""
    rng = np.random.default_rng(0)
    x = (rng.random((N_TRAIN, 28, 28)) < rng.uniform(0.05, 0.3, (N_TRAIN, 1, 1))) * 255
    y = (np.arange(N_TRAIN) % 10).astype(np.uint8)
    monkeypatch.setattr(evaluation, "load_mnist", lambda: ((x.astype(np.uint8), y), None))
    monkeypatch.setattr(evaluation, "_prepared", lambda images: np.asarray(images) / 255.0)
    return x, y


def test_the_checks_are_chosen_on_the_validation_digits_never_the_test_set(fake_mnist):
    sureness, curve = evaluation.fit_sureness(Confident())  # the test set is None: untouched
    x_val = fake_mnist[0][-VALIDATION_SIZE:] / 255.0
    features, probabilities = Confident().scores(x_val)
    flagged = ~sureness.sure(probabilities, features)
    assert flagged.mean() <= MAX_FLAGGED
    assert flagged.mean() > 0  # the budget was used, not ignored
    assert np.isfinite(sureness.distance_limit) and sureness.means is not None
    assert curve.flagged[0] <= curve.flagged[-1]  # a higher threshold flags more


def test_probability_only_leaves_the_familiarity_check_out(fake_mnist):
    sureness, _ = evaluation.fit_sureness(Confident(), probability_only=True)
    assert sureness.means is None and sureness.distance_limit == np.inf


class Reader:
    """A stand-in recogniser for numbers: reads each number right, but refuses any longer than
    ``longest`` digits (``truths`` are the numbers composed, in order)."""

    def __init__(self, longest: int):
        self.longest, self.truths = longest, []

    def read_number(self, image):
        truth = self.truths.pop(0)
        if len(truth) > self.longest:
            raise ImageError("too long")

        class Reading:
            text = truth

        return Reading()


def test_whole_number_accuracy_per_source_and_length(monkeypatch):
    rng = np.random.default_rng(1)
    x_test = rng.integers(0, 255, (50, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 50).astype(np.uint8)
    monkeypatch.setattr(evaluation, "load_mnist", lambda: (None, (x_test, y_test)))
    reader = Reader(longest=2)
    real = evaluation.compose_number

    def compose(digits, rng, **kwargs):
        reader.truths.append("".join(map(str, digits)))
        return real(digits, rng, **kwargs)

    monkeypatch.setattr(evaluation, "compose_number", compose)
    rows = evaluation.evaluate_numbers(reader, n_per_length=5, lengths=[1, 6])
    by = {(r.source, r.length): r.accuracy for r in rows}
    assert by[("mnist", 1)] == by[("strokes", 1)] == 1.0
    assert by[("mnist", 6)] == by[("strokes", 6)] == 0.0  # refused counts as wrong
    table = evaluation.format_numbers(rows).splitlines()
    assert table[0].split() == ["digits", "1", "6"] and table[1].split()[0] == "mnist"
