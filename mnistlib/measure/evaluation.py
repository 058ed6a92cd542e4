"""Measuring number reading and the "not sure" checks (the ``numbers`` and ``sure`` commands).

``measure_sureness`` reports what a model's "not sure" checks (chosen on validation digits by
``mnistlib.recognition.fit_sureness``) flag: MNIST test digits, the model's test errors, and
non-digits (letters and scribbles drawn by ``strokes``).
``evaluate_numbers`` reads numbers of 1 to 6 digits composed from MNIST test digits and from
stroke-drawn digits, and gives the share read exactly right per length.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from mnistlib.data import load_mnist
from mnistlib.errors import ImageError
from mnistlib.measure.degradation import CONDITIONS, degrade, on_paper
from mnistlib.measure.strokes import compose_number, draw_non_digit
from mnistlib.recognition.prepare import prepare_image, prepare_many
from mnistlib.recognition.recognizer import Recognizer
from mnistlib.recognition.sureness import Sureness, scores_in_batches, validation_set


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
    recognizer: Recognizer, sureness: Sureness, *, n_non_digits: int = 1000
) -> SureReport:
    """Shares flagged: all 10,000 MNIST test digits, the model's errors, drawn non-digits."""
    _, (x_test, y_test) = load_mnist()
    features, probabilities = scores_in_batches(recognizer, prepare_many(x_test))
    sure = sureness.sure(probabilities, features)
    wrong = probabilities.argmax(axis=1) != y_test
    features, probabilities = scores_in_batches(recognizer, prepare_many(non_digits(n_non_digits)))
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


def _prepared_or_refused(images) -> tuple[list[np.ndarray], np.ndarray]:
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
    prepared, refused = _prepared_or_refused(images)
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
) -> tuple[float, list[OutlierRow]]:
    """Share of MNIST digits ("test", or "validation" for choosing) the checks flag, and per
    kind of non-digit (``outliers.KINDS``, ``n`` each, made from the same split's digits where
    made from digits) what they flag, AUROC and FPR at 95% detection; with ``read_whole``, also
    the share ``read_number`` (with these checks) answers as one sure digit."""
    from mnistlib.measure.outliers import KINDS, TRAINING_KINDS, outlier_set

    if split not in ("test", "validation"):
        raise ValueError(f"split must be 'test' or 'validation', got {split!r}")
    x, _ = _number_digits("mnist", split)
    digits, _ = _scored(recognizer, sureness, x)
    reader = replace(recognizer, sureness=sureness) if read_whole else None  # compiled once
    rows = []
    for k, kind in enumerate(KINDS):
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
    return float((digits > 1).mean()), rows


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


# --- numbers ----------------------------------------------------------------------------------
#: Gaps between the digits of a measured number, in digit heights: written apart (the digits'
#: ink does not touch). ``compose_number``'s own default, (-0.05, 0.35), lets digits touch.
APART = (0.1, 0.4)
#: Digit height (pixels) of the measured numbers, unless asked otherwise.
NUMBER_HEIGHT = 64


class NumberRow(NamedTuple):
    """Numbers of one source, condition, length and digit height: the share read whole, and
    the digits read right inside the numbers beside the same digits read alone."""

    source: str  #: "mnist" (test or validation digits) or "strokes" (drawn digits)
    condition: str  #: how the number arrives (``degrade.CONDITIONS``)
    length: int
    height: int  #: digit height in pixels
    n: int
    accuracy: float  #: whole numbers read exactly right (a refused image counts as wrong)
    inside: float  #: digits read right inside the numbers
    alone: float  #: the same digits, each composed and read alone (nan when not measured)


def _digits_right(truth: str, read: str) -> int:
    """Digits of ``truth`` read right: by position when the lengths agree, else the longest
    matching runs (a digit lost or added shifts the rest)."""
    if len(truth) == len(read):
        return sum(a == b for a, b in zip(truth, read, strict=True))
    matcher = difflib.SequenceMatcher(None, truth, read, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _number_digits(source: str, split: str):
    if source == "strokes":
        return None, None
    if split == "validation":
        return validation_set()
    _, test = load_mnist()
    return test


def _read_alone(recognizer: Recognizer, images: list[np.ndarray], truths: str) -> float:
    """Share of ``images`` (one digit each) read as ``truths`` says, in one model call; an
    image the preparation refuses counts as wrong."""
    prepared, refused = _prepared_or_refused(images)
    if not prepared:
        return 0.0
    expected = [int(d) for d, no in zip(truths, refused, strict=True) if not no]
    read = recognizer.read(np.stack(prepared))
    return sum(r.digit == d for r, d in zip(read, expected, strict=True)) / len(images)


def evaluate_numbers(
    recognizer: Recognizer,
    *,
    n_per_length: int = 100,
    lengths: Iterable[int] = range(1, 13),
    conditions: Iterable[str] = ("crisp", "lowres8", "blur", "pencil"),
    source: str = "mnist",
    split: str = "test",
    height: int = NUMBER_HEIGHT,
    gap: tuple[float, float] = APART,
    alone: bool = True,
    seed: int = 0,
) -> list[NumberRow]:
    """Numbers composed by ``strokes.compose_number`` from MNIST digits (``split``: "test", or
    "validation" for choosing) or drawn digits (``source="strokes"``), under each condition
    (``degrade``), handed to ``read_number`` as dark ink on white paper. With ``alone``, each
    digit is also composed by itself, under the same condition, and read with ``recognize``.
    """
    if split not in ("test", "validation"):
        raise ValueError(f"split must be 'test' or 'validation', got {split!r}")
    x, y = _number_digits(source, split)
    rows = []
    for condition in conditions:
        for length in lengths:
            rng = np.random.default_rng([seed, length, CONDITIONS.index(condition)])
            whole = inside = 0
            singles: list[np.ndarray] = []
            truths = ""
            for _ in range(n_per_length):
                if x is not None and y is not None:
                    index = rng.integers(0, len(x), length)
                    digits, images = [int(d) for d in y[index]], list(x[index])
                else:
                    digits, images = [int(d) for d in rng.integers(0, 10, length)], None
                ink, _ = compose_number(
                    digits, rng, source=source, mnist_images=images, height=height, gap=gap
                )
                page = on_paper(degrade(ink, height, condition, rng), rng)
                truth = "".join(map(str, digits))
                try:
                    text = recognizer.read_number(page).text
                except ImageError:
                    text = ""
                whole += text == truth
                inside += _digits_right(truth, text)
                if alone:
                    truths += truth
                    for k, digit in enumerate(digits):
                        one, _ = compose_number(
                            [digit],
                            rng,
                            source=source,
                            mnist_images=None if images is None else [images[k]],
                            height=height,
                        )
                        singles.append(on_paper(degrade(one, height, condition, rng), rng))
            alone_share = float("nan")
            if alone:
                alone_share = _read_alone(recognizer, singles, truths)
            total = n_per_length * length
            rows.append(
                NumberRow(
                    source,
                    condition,
                    length,
                    height,
                    n_per_length,
                    whole / n_per_length,
                    inside / total,
                    alone_share,
                )  # fmt: skip
            )
    return rows


def format_numbers(rows: list[NumberRow]) -> str:
    """Whole numbers read right as a table (one row per source and condition, one column per
    length), then digits read right inside numbers beside the same digits alone."""
    lengths = sorted({r.length for r in rows})
    groups: dict[str, list[NumberRow]] = {}  # per source, condition and height, in order
    for r in rows:
        groups.setdefault(f"{r.source} {r.condition} {r.height}px", []).append(r)
    lines = [f"{'whole numbers read right':<26}" + "".join(f"{n:>6}" for n in lengths)]
    for name, chosen in groups.items():
        by_length = {r.length: r.accuracy for r in chosen}
        cells = "".join(f"{by_length[n]:>6.2f}" if n in by_length else f"{'-':>6}" for n in lengths)
        lines.append(f"{name:<26}" + cells)
    lines.append("")
    lines.append(f"{'digits read right':<26}{'inside':>8}{'alone':>8}")
    for name, chosen in groups.items():
        weights = np.array([r.n * r.length for r in chosen], float)
        inside = float(np.average([r.inside for r in chosen], weights=weights))
        alone = float(np.average([r.alone for r in chosen], weights=weights))
        shown = f"{alone:>8.3f}" if np.isfinite(alone) else f"{'-':>8}"
        lines.append(f"{name:<26}{inside:>8.3f}{shown}")
    return "\n".join(lines)


#: Long numbers across wide images (length, digit height in pixels): phone numbers, IDs, meter
#: readings photographed large or small.
LONG_NUMBERS = ((8, 60), (8, 200), (10, 300), (12, 100))


def number_report(recognizer: Recognizer, *, n: int = 50, seed: int = 0) -> list[NumberRow]:
    """What ``mnistlib numbers`` and the bench measure, on MNIST test digits: 1 to 12 digits
    written apart under every condition, with each digit also read alone; the long numbers of
    ``LONG_NUMBERS``; crisp numbers whose digits may touch; and drawn digits (1 to 6)."""
    rows = evaluate_numbers(recognizer, n_per_length=n, conditions=CONDITIONS, seed=seed)
    for length, height in LONG_NUMBERS:
        rows += evaluate_numbers(
            recognizer, n_per_length=n, lengths=[length], conditions=["crisp"],
            height=height, alone=False, seed=seed,
        )  # fmt: skip
    touching = evaluate_numbers(
        recognizer, n_per_length=n, conditions=["crisp"], gap=(-0.05, 0.35), alone=False,
        seed=seed,
    )  # fmt: skip
    rows += [r._replace(source="mnist touching") for r in touching]
    rows += evaluate_numbers(
        recognizer, n_per_length=n, lengths=range(1, 7), conditions=["crisp"],
        source="strokes", alone=False, seed=seed,
    )  # fmt: skip
    return rows
