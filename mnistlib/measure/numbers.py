"""Measuring how whole numbers are read (the ``numbers`` command and the bench).

``evaluate_numbers`` composes numbers from MNIST digits (or digits drawn with pen strokes),
degrades them as they arrive in life (``degradation``), puts them on paper, reads each with
``read_number`` and gives the share read exactly right per length, with the digits read right
inside the numbers beside the same digits read alone. ``number_report`` is what
``mnistlib numbers`` measures; ``format_numbers`` its table.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from mnistlib.errors import ImageError
from mnistlib.measure.degradation import CONDITIONS, degrade, on_paper
from mnistlib.measure.evaluation import mnist_digits, prepare_or_refuse
from mnistlib.measure.strokes import compose_number
from mnistlib.progress import Progress, report
from mnistlib.recognition.recognizer import Recognizer

#: Gaps between the digits of a measured number, in digit heights: written apart (the digits'
#: ink does not touch). ``compose_number``'s own default, (-0.05, 0.35), lets digits touch.
APART = (0.1, 0.4)
#: Digit height (pixels) of the measured numbers, unless asked otherwise.
NUMBER_HEIGHT = 64


@dataclass(frozen=True)
class Composition:
    """How the measured numbers are written: from MNIST's ``split`` digits ("test", or
    "validation" for choosing) or drawn ones (``source="strokes"``), ``height`` pixels tall,
    ``gap`` (digit heights, smallest and largest) apart."""

    source: str = "mnist"
    split: str = "test"
    height: int = NUMBER_HEIGHT
    gap: tuple[float, float] = APART


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


def digits_right(truth: str, read: str) -> int:
    """Digits of ``truth`` read right: by position when the lengths agree, else the longest
    matching pieces (a digit lost or added does not make the rest wrong)."""
    if len(truth) == len(read):
        return sum(a == b for a, b in zip(truth, read, strict=True))
    matcher = difflib.SequenceMatcher(None, truth, read, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def read_alone(recognizer: Recognizer, images: list[np.ndarray], truths: str) -> float:
    """Share of ``images`` (one digit each) read as ``truths`` says, in one model call; an
    image the preparation refuses counts as wrong."""
    prepared, refused = prepare_or_refuse(images)
    if not prepared:
        return 0.0
    expected = [int(d) for d, no in zip(truths, refused, strict=True) if not no]
    read = recognizer.read(np.stack(prepared))
    return sum(r.digit == d for r, d in zip(read, expected, strict=True)) / len(images)


def _one_number(
    recognizer: Recognizer, digits: list[int], images: list[np.ndarray] | None,
    how: Composition, condition: str, rng: np.random.Generator,
) -> tuple[str, str]:  # fmt: skip
    """Compose, degrade and read one number: (its truth, what was read; "" if refused)."""
    ink, _ = compose_number(
        digits, rng, source=how.source, mnist_images=images, height=how.height, gap=how.gap
    )
    page = on_paper(degrade(ink, how.height, condition, rng), rng)
    try:
        return "".join(map(str, digits)), recognizer.read_number(page).text
    except ImageError:
        return "".join(map(str, digits)), ""


def _singles(
    digits: list[int], images: list[np.ndarray] | None, how: Composition, condition: str,
    rng: np.random.Generator,
) -> list[np.ndarray]:  # fmt: skip
    """Each digit of a number composed by itself, under the same condition."""
    out = []
    for k, digit in enumerate(digits):
        one, _ = compose_number(
            [digit], rng, source=how.source, height=how.height,
            mnist_images=None if images is None else [images[k]],
        )  # fmt: skip
        out.append(on_paper(degrade(one, how.height, condition, rng), rng))
    return out


def _numbers_of_one_length(
    recognizer: Recognizer, how: Composition, condition: str, length: int, n: int,
    alone: bool, seed: int,
) -> NumberRow:  # fmt: skip
    """``n`` numbers of ``length`` digits under ``condition``, read: their ``NumberRow``."""
    rng = np.random.default_rng([seed, length, CONDITIONS.index(condition)])
    x, y = mnist_digits(how.split) if how.source == "mnist" else (None, None)
    whole = inside = 0
    singles: list[np.ndarray] = []
    truths = ""
    for _ in range(n):
        if x is not None and y is not None:
            index = rng.integers(0, len(x), length)
            digits, images = [int(d) for d in y[index]], list(x[index])
        else:
            digits, images = [int(d) for d in rng.integers(0, 10, length)], None
        truth, text = _one_number(recognizer, digits, images, how, condition, rng)
        whole += text == truth
        inside += digits_right(truth, text)
        if alone:
            truths += truth
            singles += _singles(digits, images, how, condition, rng)
    alone_share = read_alone(recognizer, singles, truths) if alone else float("nan")
    return NumberRow(how.source, condition, length, how.height, n, whole / n,
                     inside / (n * length), alone_share)  # fmt: skip


def evaluate_numbers(
    recognizer: Recognizer,
    *,
    n_per_length: int = 100,
    lengths: Iterable[int] = range(1, 13),
    conditions: Iterable[str] = ("crisp", "lowres8", "blur", "pencil"),
    composition: Composition = Composition(),
    alone: bool = True,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[NumberRow]:
    """Numbers of each length (1 to 12 digits by default) written as ``composition`` says,
    under each condition (``degrade``), handed to ``read_number`` as dark ink on white paper.
    With ``alone``, each digit is also composed by itself, under the same condition, and read
    with ``recognize``. ``progress`` hears of each length and condition done."""
    if composition.split not in ("test", "validation"):
        raise ValueError(f"split must be 'test' or 'validation', got {composition.split!r}")
    cells = [(c, n) for c in conditions for n in lengths]
    touching = ", touching" if composition.gap[0] < 0 else ""
    stage = f"numbers ({composition.source}, {composition.height} px{touching})"
    rows = []
    for done, (condition, length) in enumerate(cells):
        report(progress, stage, done, len(cells))
        rows.append(_numbers_of_one_length(
            recognizer, composition, condition, length, n_per_length, alone, seed
        ))  # fmt: skip
    report(progress, stage, len(cells), len(cells))
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


def number_report(
    recognizer: Recognizer, *, n: int = 50, seed: int = 0, progress: Progress | None = None
) -> list[NumberRow]:
    """What ``mnistlib numbers`` and the bench measure, on MNIST test digits: 1 to 12 digits
    written apart under every condition, with each digit also read alone; the long numbers of
    ``LONG_NUMBERS``; crisp numbers whose digits may touch; and drawn digits (1 to 6)."""
    crisp = ["crisp"]

    def measured(**how: object) -> list[NumberRow]:
        return evaluate_numbers(recognizer, n_per_length=n, seed=seed, progress=progress, **how)  # type: ignore[arg-type]

    rows = measured(conditions=CONDITIONS)
    for length, height in LONG_NUMBERS:
        rows += measured(
            lengths=[length], conditions=crisp, alone=False, composition=Composition(height=height)
        )
    touching = measured(conditions=crisp, alone=False, composition=Composition(gap=(-0.05, 0.35)))
    rows += [r._replace(source="mnist touching") for r in touching]
    rows += measured(
        lengths=range(1, 7), conditions=crisp, alone=False, composition=Composition("strokes")
    )
    return rows
