"""Measuring number reading and the "not sure" checks (the ``numbers`` and ``sure`` commands).

``fit_sureness`` chooses a model's checks on the validation set (the last 5,000 MNIST training
images), never the test set. ``measure_sureness`` reports what they flag: MNIST test digits,
the model's test errors, and non-digits (letters and scribbles drawn by ``strokes``).
``evaluate_numbers`` reads numbers of 1 to 6 digits composed from MNIST test digits and from
stroke-drawn digits, and gives the share read exactly right per length.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mnistlib.data import load_mnist
from mnistlib.errors import ImageError
from mnistlib.measure.strokes import compose_number, draw_non_digit
from mnistlib.recognition.prepare import prepare_image
from mnistlib.recognition.recognizer import Recognizer
from mnistlib.recognition.sureness import (
    FAMILIAR_QUANTILE,
    FIT_IMAGES,
    MAX_FLAGGED,
    VALIDATION_SIZE,
    FlagCurve,
    Sureness,
    choose_threshold,
    flag_curve,
)


def _prepared(images) -> np.ndarray:
    return np.stack([prepare_image(image) for image in images])


def _in_batches(recognizer: Recognizer, images: np.ndarray, batch: int = 1000):
    parts = [recognizer.scores(images[i : i + batch]) for i in range(0, len(images), batch)]
    features = None if parts[0][0] is None else np.concatenate([f for f, _ in parts])
    return features, np.concatenate([p for _, p in parts])


def validation_set() -> tuple[np.ndarray, np.ndarray]:
    """The held-out digits (the last VALIDATION_SIZE training images) and their labels."""
    (x_train, y_train), _ = load_mnist()
    return x_train[-VALIDATION_SIZE:], y_train[-VALIDATION_SIZE:]


def non_digits(n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` drawn letters and scribbles (half each), 112x112, ink 255 on 0."""
    rng = np.random.default_rng(seed)
    kinds = ["letter", "scribble"] * (n // 2) + ["letter"] * (n % 2)
    return [draw_non_digit(rng, kind=kind)[0] for kind in kinds]


def fit_sureness(
    recognizer: Recognizer, *, probability_only: bool = False
) -> tuple[Sureness, FlagCurve]:
    """Choose the checks for ``recognizer``'s model on the validation set; also the curve
    behind the choice.

    The familiarity statistics come from the first FIT_IMAGES training images; its limit is
    the FAMILIAR_QUANTILE quantile of the validation digits' distances; the probability
    threshold is the highest keeping the validation digits flagged within MAX_FLAGGED.
    """
    x_val, y_val = validation_set()
    features, probabilities = _in_batches(recognizer, _prepared(x_val))
    sureness, unfamiliar = Sureness(), None
    if features is not None and not probability_only:
        (x_train, y_train), _ = load_mnist()
        train_features, _ = _in_batches(recognizer, x_train[:FIT_IMAGES] / np.float32(255))
        stats = Sureness.fit_statistics(train_features, y_train[:FIT_IMAGES])
        distances = stats.distances(features)
        assert distances is not None  # features and statistics are both there
        limit = float(np.quantile(distances, FAMILIAR_QUANTILE))
        sureness = Sureness(means=stats.means, precision=stats.precision, distance_limit=limit)
        unfamiliar = distances > limit
    curve = flag_curve(probabilities, y_val, unfamiliar)
    threshold = choose_threshold(curve, MAX_FLAGGED)
    return Sureness(threshold, sureness.means, sureness.precision, sureness.distance_limit), curve


class SureReport(NamedTuple):
    """What the checks flag, as shares."""

    test_flagged: float
    test_errors: int
    test_errors_flagged: float
    non_digits_flagged: float


def measure_sureness(
    recognizer: Recognizer, sureness: Sureness, *, n_non_digits: int = 1000
) -> SureReport:
    """Shares flagged: all 10,000 MNIST test digits, the model's errors, drawn non-digits."""
    _, (x_test, y_test) = load_mnist()
    features, probabilities = _in_batches(recognizer, _prepared(x_test))
    sure = sureness.sure(probabilities, features)
    wrong = probabilities.argmax(axis=1) != y_test
    features, probabilities = _in_batches(recognizer, _prepared(non_digits(n_non_digits)))
    return SureReport(
        test_flagged=float((~sure).mean()),
        test_errors=int(wrong.sum()),
        test_errors_flagged=float((~sure[wrong]).mean()) if wrong.any() else 0.0,
        non_digits_flagged=float((~sureness.sure(probabilities, features)).mean()),
    )


def format_sure(sureness: Sureness, report: SureReport) -> str:
    """The chosen checks and what they flag, as lines of text."""
    lines = [f"probability threshold        {sureness.threshold:.4f}"]
    if sureness.means is not None:
        lines.append(f"familiarity limit            {sureness.distance_limit:.1f}")
    return "\n".join(
        [
            *lines,
            f"MNIST test digits flagged    {report.test_flagged:.2%}",
            f"test errors flagged          {report.test_errors_flagged:.2%} "
            f"(of {report.test_errors})",
            f"non-digits flagged           {report.non_digits_flagged:.2%}",
        ]
    )


# --- numbers ----------------------------------------------------------------------------------
class NumberRow(NamedTuple):
    """Whole-number accuracy for one source and length."""

    source: str
    length: int
    n: int
    accuracy: float


def evaluate_numbers(
    recognizer: Recognizer, *, n_per_length: int = 200, lengths=range(1, 7), seed: int = 0
) -> list[NumberRow]:
    """Share of numbers read exactly right, per source ("mnist" test digits, "strokes") and
    length. Each number is composed by ``strokes.compose_number`` and handed to
    ``read_number`` as dark ink on white paper; a refused image counts as wrong."""
    _, (x_test, y_test) = load_mnist()
    rows = []
    for source in ("mnist", "strokes"):
        rng = np.random.default_rng(seed)
        for length in lengths:
            right = 0
            for _ in range(n_per_length):
                if source == "mnist":
                    index = rng.integers(0, len(x_test), length)
                    digits, images = [int(d) for d in y_test[index]], list(x_test[index])
                else:
                    digits, images = [int(d) for d in rng.integers(0, 10, length)], None
                image, _ = compose_number(digits, rng, source=source, mnist_images=images)
                try:
                    text = recognizer.read_number(255 - image).text
                except ImageError:
                    continue
                right += text == "".join(map(str, digits))
            rows.append(NumberRow(source, length, n_per_length, right / n_per_length))
    return rows


def format_numbers(rows: list[NumberRow]) -> str:
    """Whole-number accuracy as a table: one row per source, one column per length."""
    lengths = sorted({r.length for r in rows})
    lines = [f"{'digits':<10}" + "".join(f"{n:>8}" for n in lengths)]
    for source in dict.fromkeys(r.source for r in rows):
        by_length = {r.length: r.accuracy for r in rows if r.source == source}
        lines.append(f"{source:<10}" + "".join(f"{by_length[n]:>8.3f}" for n in lengths))
    return "\n".join(lines)
