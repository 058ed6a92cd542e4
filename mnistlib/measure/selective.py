"""Does "not sure" cry wolf? Selective classification on digits MNIST's writers did not write.

A recogniser that may answer "not sure" is a selective classifier (Geifman and El-Yaniv 2017):
it answers a share of the digits (its *coverage*) and is wrong on a share of those it answers
(its *risk*). What a person sees, per kind of image:

- **right but doubted**: the share of the digits it reads right that it answers "not sure"
  about (a doubt that cries wolf);
- **wrong but sure**: the share of all digits it answers wrongly, and sure (a doubt that fails).

``other_writers`` makes digits by other writers than MNIST's: drawn with pen strokes
(``strokes``), handed in as each form of ``forms.FORMS``, under each degradation of
``degradation.CONDITIONS``, and filling their frame (cropped tight to the ink, or stretched to
28x28). ``selective_report`` gives the two shares per set (``format_selective`` prints them),
``selective_curve`` the risk at every coverage when the least sure digits are left unanswered
first, and ``plot_selective_curves`` draws it.

The ``"validation"`` and ``"test"`` splits draw different digits (different seeds); the checks
are chosen on ``"validation"`` alone, and only the sets in ``CHOOSING_SETS`` (the others are held
out of the choice, so their figures are honest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from PIL import Image

from mnistlib.data import load_mnist
from mnistlib.errors import ImageError
from mnistlib.measure.degradation import CONDITIONS, degrade, on_paper
from mnistlib.measure.forms import FORMS
from mnistlib.measure.strokes import digit_ink, draw_digit
from mnistlib.recognition.images import read_image
from mnistlib.recognition.prepare import prepare_image, prepare_many, prepare_pixels
from mnistlib.recognition.stretch import narrow_doubts, narrow_view
from mnistlib.recognition.sureness import (
    VALIDATION_SIZE,
    Mix,
    Scorer,
    Sureness,
    scores_in_batches,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Seeds of the two splits' drawings (each set adds its own offset).
SPLIT_SEEDS = {"validation": 7000, "test": 9000}
#: A drawn digit fills this share of its 28x28 frame's height, as MNIST's 20-of-28 do.
STROKES_FILL = 0.71
#: Heights (px) of the frame-filling digits, cropped tight: from a small crop to a big one.
TIGHT_HEIGHTS = (40, 160)
#: Sets the checks may be chosen on (with their validation split); the others are held out.
CHOOSING_SETS = (
    "strokes mnist_as_is",
    "strokes photo",
    "strokes scan",
    "strokes canvas_rgba",
    "degraded crisp",
    "degraded blur",
    "degraded pencil",
    "cropped tight",
)


def _mnist_sized(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Stroke-drawn digits as 28x28 images (ink 255 on 0), MNIST's size and margin."""
    return np.stack(
        [
            np.asarray(
                Image.fromarray(draw_digit(int(d), rng, size=112, fill=STROKES_FILL)).resize(
                    (28, 28), Image.Resampling.LANCZOS
                )
            )
            for d in labels
        ]
    )


def _degraded(digit: int, condition: str, rng: np.random.Generator) -> np.ndarray:
    """One stroke-drawn digit 24-96 px tall on a margin of paper, degraded, dark on white."""
    height = float(rng.uniform(24, 96))
    ink = np.pad(digit_ink(digit, rng, height=height), int(height // 2))
    return on_paper(degrade(ink, height, condition, rng), rng)


def _tight(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One stroke-drawn digit cropped tight to its ink (no margin), dark on white."""
    return 255 - digit_ink(digit, rng, height=float(rng.uniform(*TIGHT_HEIGHTS)))


#: A set of other writers' digits: prepared images (n, 28, 28) and labels, and with
#: ``other_writers(..., narrow=True)`` the narrow views of those filling their frame, by row.
DigitSet = tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]


def _prepared(
    images: list[bytes] | list[np.ndarray] | list[Any], labels: np.ndarray, narrow: bool
) -> DigitSet:
    """Each image prepared, as ``Recognizer.recognize`` prepares it; one the preparation
    refuses is kept as an empty frame (it is read as whatever the model makes of nothing, and
    doubted by any sane check)."""
    out, views = [], {}
    for k, image in enumerate(images):
        try:
            pixels = read_image(image)
            out.append(prepare_pixels(pixels))
        except ImageError:
            out.append(np.zeros((28, 28), np.float32))
            continue
        view = narrow_view(pixels) if narrow else None
        if view is not None:
            views[k] = view
    return (np.stack(out), labels, views) if narrow else (np.stack(out), labels)


def other_writers(
    split: str = "test", n: int = 500, *, sets: tuple[str, ...] | None = None, narrow: bool = False
) -> dict[str, DigitSet]:
    """Prepared digits (n, 28, 28) in [0, 1] and their labels, per set of digits not written
    by MNIST's writers: ``"strokes <form>"`` (each of ``forms.FORMS``), ``"degraded
    <condition>"`` (each of ``degradation.CONDITIONS``), ``"cropped tight"``; ``sets`` picks
    some (default all). With ``narrow``, each set also holds the narrow views
    (``stretch.narrow_view``) that ``Recognizer.recognize`` reads beside a frame-filling digit."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"split must be one of {sorted(SPLIT_SEEDS)}, got {split!r}")
    names = [f"strokes {form}" for form in FORMS]
    names += [f"degraded {condition}" for condition in CONDITIONS] + ["cropped tight"]
    unknown = set(sets or ()) - set(names)
    if unknown:
        raise ValueError(f"unknown sets {sorted(unknown)}; choose from {names}")
    out = {}
    images: list[bytes] | list[np.ndarray]
    for k, name in enumerate(names):
        if sets is not None and name not in sets:
            continue
        rng = np.random.default_rng(SPLIT_SEEDS[split] + k)
        labels = rng.integers(0, 10, size=n)
        kind, _, what = name.partition(" ")
        if kind == "strokes":
            maker = FORMS[what]
            images = [maker(digit, rng)[0] for digit in _mnist_sized(rng, labels)]
        elif kind == "degraded":
            images = [_degraded(int(d), what, rng) for d in labels]
        else:
            images = [_tight(int(d), rng) for d in labels]
        out[name] = _prepared(images, labels, narrow)
    return out


def mnist_digits(split: str = "test", n: int = 10000, *, narrow: bool = False) -> DigitSet:
    """MNIST's own digits, prepared: the test set, or the validation digits (the last 5,000
    of the training set), the first ``n``; with ``narrow``, their narrow views too (as
    ``other_writers``)."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if split == "test":
        x, y = x_test, y_test
    else:
        x, y = x_train[-VALIDATION_SIZE:], y_train[-VALIDATION_SIZE:]
    if narrow:
        return _prepared(list(x[:n]), y[:n], narrow)
    return prepare_many(x[:n]), y[:n]


def validation_mix(n: int = 300) -> Mix:
    """What ``fit_sureness(..., mix=...)`` chooses the checks on besides MNIST's validation
    digits: ``n`` digits per set of ``CHOOSING_SETS`` (validation split) and ``n`` non-digits
    per kind of ``outliers.TRAINING_KINDS`` (validation seeds, as ``outlier_report``'s), those
    the preparation refuses left out."""
    from mnistlib.measure.evaluation import SPLIT_SEEDS as OUTLIER_SEEDS
    from mnistlib.measure.outliers import KINDS, TRAINING_KINDS, outlier_set

    others = other_writers("validation", n, sets=CHOOSING_SETS)
    (x_train, _), _ = load_mnist()
    non_digits = []
    for k, kind in enumerate(KINDS):
        if kind in TRAINING_KINDS:
            made = outlier_set(
                kind, n, x_train[-VALIDATION_SIZE:], seed=k + OUTLIER_SEEDS["validation"]
            )
            prepared = []
            for image in made:
                try:
                    prepared.append(prepare_image(image))
                except ImageError:
                    continue  # refused: never answered as a digit
            non_digits.append(np.stack(prepared))
    return Mix([(s[0], s[1]) for s in others.values()], non_digits)


# --- selective classification ---------------------------------------------------------------
class SelectiveRow(NamedTuple):
    """One set's selective figures (shares)."""

    name: str
    n: int
    accuracy: float  #: read right, whether sure or not
    coverage: float  #: share answered sure
    right_doubted: float  #: of the digits read right, the share answered "not sure"
    wrong_sure: float  #: of all digits, the share answered wrongly and sure
    held_out: bool  #: never used in choosing the checks


def selective_row(
    name: str, right: np.ndarray, sure: np.ndarray, *, held_out: bool = True
) -> SelectiveRow:
    """The figures of one set from which digits were read right and which were answered sure."""
    right, sure = np.asarray(right, bool), np.asarray(sure, bool)
    n = len(right)
    return SelectiveRow(
        name,
        n,
        float(right.mean()) if n else float("nan"),
        float(sure.mean()) if n else float("nan"),
        float((~sure[right]).mean()) if right.any() else float("nan"),
        float((sure & ~right).mean()) if n else float("nan"),
        held_out,
    )


def _narrow_sure(
    scorer: Scorer, probabilities: np.ndarray, views: dict[int, np.ndarray]
) -> np.ndarray:
    """Which answers the narrow views (``stretch.narrow_doubts``) leave sure."""
    narrowed = np.full_like(probabilities, np.nan)
    if views:
        rows = sorted(views)
        narrowed[rows] = scores_in_batches(scorer, np.stack([views[r] for r in rows]))[1]
    return np.array([d is None for d in narrow_doubts(probabilities, narrowed)], bool)


def selective_report(
    scorer: Scorer,
    sets: dict[str, DigitSet],
    sureness: Sureness | None = None,
) -> list[SelectiveRow]:
    """Per set of prepared digits and labels (and narrow views, if the set has them: a 7 whose
    narrow view is a 1 is doubted, as ``Recognizer.recognize`` does), what ``scorer`` (a
    ``Recognizer``) answers with ``sureness`` (default: its own checks)."""
    checks = sureness if sureness is not None else scorer.sureness
    rows = []
    for name, (images, labels, *views) in sets.items():
        features, probabilities = scores_in_batches(scorer, images)
        right = probabilities.argmax(axis=1) == labels
        sure = checks.sure(probabilities, features)
        if views:
            sure &= _narrow_sure(scorer, probabilities, views[0])
        rows.append(selective_row(name, right, sure, held_out=name not in CHOOSING_SETS))
    return rows


def format_selective(rows: list[SelectiveRow]) -> str:
    """The rows as a table (shares as percentages)."""
    head = f"{'set':<28}{'n':>6}{'right':>8}{'answered':>10}{'right doubted':>15}{'wrong sure':>12}"
    lines = [head]
    for r in rows:
        name = r.name + ("" if r.held_out else " *")
        lines.append(
            f"{name:<28}{r.n:>6}{r.accuracy:>8.1%}{r.coverage:>10.1%}"
            f"{r.right_doubted:>15.1%}{r.wrong_sure:>12.1%}"
        )
    return "\n".join([*lines, "* used (validation split) to choose the checks"])


class RiskCoverage(NamedTuple):
    """The risk (share wrong among those answered) at each coverage (share answered), when the
    digits are answered most sure first; ``operating`` is the checks' own point."""

    coverage: np.ndarray
    risk: np.ndarray
    operating: tuple[float, float]  #: (coverage, risk) of the checks as chosen


def selective_curve(score: np.ndarray, right: np.ndarray, sure: np.ndarray) -> RiskCoverage:
    """The risk-coverage curve of a doubt score (higher: less sure; e.g.
    ``evaluation.check_score``), with ``right`` which digits were read right and ``sure``
    which the checks answered sure."""
    score, right, sure = np.asarray(score, float), np.asarray(right, bool), np.asarray(sure, bool)
    if not len(score):
        raise ValueError("selective_curve needs at least one digit")
    order = np.argsort(score, kind="stable")
    answered = np.arange(1, len(score) + 1)
    risk = np.cumsum(~right[order]) / answered
    covered = sure.mean()
    operating_risk = float((~right[sure]).mean()) if sure.any() else 0.0
    return RiskCoverage(answered / len(score), risk, (float(covered), operating_risk))


def plot_selective_curves(
    curves: dict[str, RiskCoverage], *, max_risk: float = 0.05, min_coverage: float = 0.8
) -> Figure:
    """Risk against coverage, one line per set, each checks' operating point marked."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, curve in curves.items():
        (line,) = ax.plot(curve.coverage, curve.risk, label=name)
        ax.plot(*curve.operating, "o", color=line.get_color())
    ax.set(xlabel="coverage (share answered)", ylabel="risk (share wrong of those answered)")
    ax.set_xlim(min_coverage, 1.0)
    ax.set_ylim(0, max_risk)
    ax.legend(fontsize="small")
    ax.set_title('Risk-coverage: dots are the "not sure" checks as chosen')
    fig.tight_layout()
    plt.close(fig)  # returned, not shown
    return fig
