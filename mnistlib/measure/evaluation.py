"""Measuring the "not sure" checks (the ``sure`` command).

``measure_sureness`` reports what a model's "not sure" checks (chosen on validation digits by
``mnistlib.recognition.fit_sureness``) flag: MNIST test digits, the model's test errors, and
non-digits (letters and scribbles drawn by ``strokes``).
``outlier_report`` tells each kind of non-digit (``outliers``) from digits, with AUROC and FPR
at 95% detection. Reading whole numbers is measured in ``mnistlib.measure.numbers``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from mnistlib.data import load_mnist
from mnistlib.errors import ImageError
from mnistlib.measure.strokes import draw_non_digit
from mnistlib.progress import Progress, report
from mnistlib.recognition.prepare import prepare_image
from mnistlib.recognition.recognizer import Recognizer
from mnistlib.recognition.sureness import (
    Sureness,
    prepared_scores,
    scores_in_batches,
    validation_set,
)


def non_digits(n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` drawn letters and scribbles (half each), 112x112, ink 255 on 0."""
    rng = np.random.default_rng(seed)
    kinds = ["letter", "scribble"] * (n // 2) + ["letter"] * (n % 2)
    return [draw_non_digit(rng, kind=kind)[0] for kind in kinds]


class SureReport(NamedTuple):
    """What the checks flag, as shares."""

    test_flagged: float
    test_errors: int
    test_errors_flagged: float
    non_digits_flagged: float


def measure_sureness(
    recognizer: Recognizer,
    sureness: Sureness,
    *,
    n_non_digits: int = 1000,
    progress: Progress | None = None,
) -> SureReport:
    """Shares flagged: all 10,000 MNIST test digits, the model's errors, drawn non-digits."""
    _, (x_test, y_test) = load_mnist()
    features, probabilities = prepared_scores(recognizer, x_test, progress, "MNIST test digits")
    sure = sureness.sure(probabilities, features)
    wrong = probabilities.argmax(axis=1) != y_test
    drawn = np.stack(non_digits(n_non_digits))
    features, probabilities = prepared_scores(recognizer, drawn, progress, "letters, scribbles")
    return SureReport(
        test_flagged=float((~sure).mean()),
        test_errors=int(wrong.sum()),
        test_errors_flagged=float((~sure[wrong]).mean()) if wrong.any() else 0.0,
        non_digits_flagged=float((~sureness.sure(probabilities, features)).mean()),
    )


def format_sure(sureness: Sureness, report: SureReport) -> str:
    """The chosen checks and what they flag, as lines of text."""
    lines = [f"probability threshold        {sureness.threshold:.4f}"]
    if sureness.references is not None:
        lines.append(f"familiarity limit            {sureness.distance_limit:.4f} (neighbours)")
    elif sureness.means is not None:
        lines.append(f"familiarity limit            {sureness.distance_limit:.1f} (Mahalanobis)")
    return "\n".join(
        [
            *lines,
            f"MNIST test digits flagged    {report.test_flagged:.2%}",
            f"test errors flagged          {report.test_errors_flagged:.2%} "
            f"(of {report.test_errors})",
            f"non-digits flagged           {report.non_digits_flagged:.2%}",
        ]
    )


# --- non-digits -------------------------------------------------------------------------------
#: Added to the outlier sets' seeds, so that the validation sets are not the test sets.
SPLIT_SEEDS = {"test": 0, "validation": 50}


class OutlierRow(NamedTuple):
    """How the checks tell one kind of non-digit (``outliers.KINDS``) from MNIST digits."""

    kind: str
    held_out: bool  #: never used in training or in choosing the checks
    n: int
    refused: float  #: share the preparation refused ("no visible digit")
    flagged: float  #: share refused or "not sure" at the checks' operating point
    auroc: float  #: area under the ROC curve of ``check_score``, digits against these
    fpr95: float  #: share of digits flagged when 95% of these are
    #: share ``read_number`` answers with one digit it is sure of: what the command line, the
    #: drawing pad and the upload box would show as a digit (nan when not measured)
    one_digit: float = float("nan")


def check_score(sureness: Sureness, probabilities: np.ndarray, features) -> np.ndarray:
    """One number per image for both checks together: the larger of threshold / probability
    and distance / limit; above 1 means "not sure" (the operating point)."""
    score = sureness.threshold / np.maximum(probabilities.max(axis=1), 1e-12)
    distances = sureness.distances(features)
    if distances is not None and np.isfinite(sureness.distance_limit):
        score = np.maximum(score, distances / max(sureness.distance_limit, 1e-12))
    return score


def auroc(inliers: np.ndarray, outliers: np.ndarray) -> float:
    """Probability that an outlier scores higher than an inlier (ties count half)."""
    ordered = np.sort(inliers)
    below = np.searchsorted(ordered, outliers, side="left")
    equal = np.searchsorted(ordered, outliers, side="right") - below
    return float((below + 0.5 * equal).sum() / (len(inliers) * len(outliers)))


def fpr_at_95(inliers: np.ndarray, outliers: np.ndarray) -> float:
    """Share of inliers scoring at least as high as the lowest-scoring 95% of outliers reach."""
    return float((inliers >= np.quantile(outliers, 0.05, method="lower")).mean())


def prepare_or_refuse(images) -> tuple[list[np.ndarray], np.ndarray]:
    """Each image prepared with ``prepare_image`` (those it accepts, in order), and which ones
    it refused (``ImageError``)."""
    prepared, refused = [], []
    for image in images:
        try:
            prepared.append(prepare_image(image))
            refused.append(False)
        except ImageError:
            refused.append(True)
    return prepared, np.array(refused, dtype=bool)


def _scored(recognizer: Recognizer, sureness: Sureness, images) -> tuple[np.ndarray, np.ndarray]:
    """``check_score`` of each image (infinite where the preparation refuses it) and whether
    it was refused."""
    prepared, refused = prepare_or_refuse(images)
    scores = np.full(len(refused), np.inf)
    if prepared:
        features, probabilities = scores_in_batches(recognizer, np.stack(prepared))
        scores[~refused] = check_score(sureness, probabilities, features)
    return scores, refused


def one_digit_share(recognizer: Recognizer, images) -> float:
    """Share of ``images`` that ``read_number`` answers with exactly one digit it is sure of
    (a refused image, several digits or a doubted one are not)."""
    answered = 0
    for image in images:
        try:
            reading = recognizer.read_number(image)
        except ImageError:
            continue
        answered += len(reading.digits) == 1 and reading.sure
    return answered / max(len(images), 1)


def outlier_report(
    recognizer: Recognizer,
    sureness: Sureness,
    *,
    n: int = 300,
    split: str = "test",
    seed: int = 0,
    read_whole: bool = True,
    progress: Progress | None = None,
) -> tuple[float, list[OutlierRow]]:
    """Share of MNIST digits ("test", or "validation" for choosing) the checks flag, and per
    kind of non-digit (``outliers.KINDS``, ``n`` each, made from the same split's digits where
    made from digits) what they flag, AUROC and FPR at 95% detection; with ``read_whole``, also
    the share ``read_number`` (with these checks) answers as one sure digit."""
    from mnistlib.measure.outliers import KINDS, TRAINING_KINDS, outlier_set

    x, _ = mnist_digits(split)
    digits, _ = _scored(recognizer, sureness, x)
    reader = replace(recognizer, sureness=sureness) if read_whole else None  # compiled once
    rows = []
    for k, kind in enumerate(KINDS):
        report(progress, "each kind of non-digit", k, len(KINDS))
        made = outlier_set(kind, n, x, seed=seed * 100 + k + SPLIT_SEEDS[split])
        scores, refused = _scored(recognizer, sureness, made)
        one_digit = float("nan") if reader is None else one_digit_share(reader, made)
        rows.append(
            OutlierRow(
                kind,
                kind not in TRAINING_KINDS,
                n,
                float(refused.mean()),
                float((scores > 1).mean()),
                auroc(digits, scores),
                fpr_at_95(digits, scores),
                one_digit,
            )  # fmt: skip
        )
    report(progress, "each kind of non-digit", len(KINDS), len(KINDS))
    return float((digits > 1).mean()), rows


def mnist_digits(split: str) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test digits and labels, or ("validation", for choosing) the validation set's."""
    if split not in ("test", "validation"):
        raise ValueError(f"split must be 'test' or 'validation', got {split!r}")
    return validation_set() if split == "validation" else load_mnist()[1]


def format_outliers(digits_flagged: float, rows: list[OutlierRow]) -> str:
    """The outlier report as a table ("read as one sure digit": what ``read_number`` answers)."""
    header = f"{'flagged':>9}{'AUROC':>8}{'FPR95':>8}{'refused':>9}{'read as one sure digit':>24}"
    lines = [f"{'':<24}{header}"]
    lines.append(f"{'MNIST digits':<24}{digits_flagged:>9.3f}")
    for r in rows:
        name = r.kind + (" (held out)" if r.held_out else "")
        one = f"{r.one_digit:>24.3f}" if np.isfinite(r.one_digit) else f"{'-':>24}"
        cells = f"{r.flagged:>9.3f}{r.auroc:>8.3f}{r.fpr95:>8.3f}{r.refused:>9.3f}"
        lines.append(f"{name:<24}{cells}{one}")
    return "\n".join(lines)
