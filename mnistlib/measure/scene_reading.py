"""Reading the composed scenes (``scenes``) and measuring it, per scene and digit source.

``evaluate_scenes(recognizer, split=..., n=...)`` reads ``n`` scenes of each kind and source
with ``recognizer.read_number`` (what the command line, the pad and the upload box use) and
returns a ``SceneRow`` each: the whole text read right (separators included), the digits read
right, the separators printed and those read as digits, the share answered as a sure number,
and the selective-classification figures (Geifman and El-Yaniv 2017): the share of right
answers doubted, the share answered wrong but sure, and (``scene_curve``) the risk-coverage
curve. An image ``read_number`` refuses (``ImageError``) is "no digit read": right for shapes,
wrong for anything written with digits.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from mnistlib.errors import ImageError
from mnistlib.measure.glyphs import SEPARATORS
from mnistlib.measure.numbers import digits_right
from mnistlib.measure.scenes import SCENE_KINDS, SOURCES, Scene, scene_set
from mnistlib.measure.selective import RiskCoverage, selective_curve
from mnistlib.progress import Progress, report

if TYPE_CHECKING:
    pass


class SceneRead(NamedTuple):
    """One scene and what was read in it."""

    kind: str
    source: str
    style: str
    held_out: bool
    truth: str
    text: str  #: the reading's text ("" when refused)
    sure: bool  #: the reader was sure of every character (False when refused)
    confidence: float  #: the lowest probability of a digit read (0 when refused)
    seconds: float  #: time to read the image file

    @property
    def right(self) -> bool:
        """Read exactly right; for a scene without digits, no sure answer."""
        return (not self.sure_number) if self.truth == "" else self.text == self.truth

    @property
    def sure_number(self) -> bool:
        """Answered as a number (at least one digit) the reader is sure of."""
        return self.sure and any(c.isdigit() for c in self.text)


def _text(reading: Any) -> str:
    return str(reading.text)


def read_scene(reader: Any, scene: Scene) -> SceneRead:
    """Read one scene with ``reader.read_number`` (a ``Recognizer``, or anything answering
    ``read_number(bytes)`` with ``.text``, ``.sure`` and ``.digits``)."""
    start = time.perf_counter()
    try:
        reading = reader.read_number(scene.data)
    except ImageError:
        text, sure, confidence = "", False, 0.0
    else:
        text, sure = _text(reading), bool(reading.sure)
        digits = getattr(reading, "digits", [])
        confidence = min((float(r.confidence) for r in digits), default=float(sure))
    seconds = time.perf_counter() - start
    return SceneRead(scene.kind, scene.source, scene.style, scene.held_out, scene.truth, text,
                     sure, confidence, seconds)  # fmt: skip


class SceneRow(NamedTuple):
    """The figures of one scene kind and digit source (nan where they do not apply)."""

    kind: str
    source: str
    n: int
    whole: float  #: the whole text read right, separators included
    digits: float  #: digits read right (aligned), of the truth's or the reading's, the more
    separators: float  #: truth separators printed in their place
    as_digit: float  #: truth separators read as a digit
    sure_number: float  #: answered as a number the reader is sure of (for shapes: wrong)
    right_doubted: float  #: share of the right answers that are doubted
    wrong_sure: float  #: share of all answers that are wrong and sure
    held_out_n: int  #: how many of the n are in held-out styles
    held_out_whole: float  #: ``whole`` on those (shapes: not a sure number)
    seconds: float  #: median time to read one image


def _separator_counts(truth: str, text: str) -> tuple[int, int, int]:
    """Separators in ``truth``; how many are printed in their place; how many were read as
    a digit (a separator aligned with a digit in ``text``)."""
    total = sum(c in SEPARATORS for c in truth)
    printed = as_digit = 0
    matcher = difflib.SequenceMatcher(None, truth, text, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        seps = sum(c in SEPARATORS for c in truth[i1:i2])
        if op == "equal":
            printed += seps
        elif op == "replace":
            as_digit += min(seps, sum(c.isdigit() for c in text[j1:j2]))
    return total, printed, as_digit


def _share(values: Iterable[bool | float]) -> float:
    items = list(values)
    return float(np.mean(items)) if items else float("nan")


def scene_row(reads: Sequence[SceneRead]) -> SceneRow:
    """The figures of ``reads`` (one kind and source)."""
    first = reads[0]
    pairs = [("".join(filter(str.isdigit, r.truth)), "".join(filter(str.isdigit, r.text)))
             for r in reads]  # fmt: skip
    right_digits = [digits_right(truth, read) for truth, read in pairs]
    # a digit added (a printed line or a separator read as a digit) counts as one lost does
    digit_counts = [max(len(truth), len(read)) if truth else 0 for truth, read in pairs]
    seps = np.array([_separator_counts(r.truth, r.text) for r in reads]).reshape(-1, 3)
    has_seps = seps[:, 0].sum() > 0
    right = [r.right for r in reads]
    doubted = [not r.sure for r in reads]
    held = [r for r in reads if r.held_out]
    return SceneRow(
        first.kind,
        first.source,
        len(reads),
        _share(right),
        sum(right_digits) / sum(digit_counts) if sum(digit_counts) else float("nan"),
        seps[:, 1].sum() / seps[:, 0].sum() if has_seps else float("nan"),
        seps[:, 2].sum() / seps[:, 0].sum() if has_seps else float("nan"),
        _share(r.sure_number for r in reads),
        _share(d for d, ok in zip(doubted, right, strict=True) if ok),
        _share(not ok and r.sure for r, ok in zip(reads, right, strict=True)),
        len(held),
        _share(r.right for r in held),
        float(np.median([r.seconds for r in reads])),
    )


def read_scenes(
    reader: Any,
    *,
    split: str = "validation",
    n: int = 200,
    seed: int = 0,
    kinds: Iterable[str] = SCENE_KINDS,
    sources: Iterable[str] = SOURCES,
    progress: Progress | None = None,
) -> list[list[SceneRead]]:
    """``n`` scenes of each kind and digit source (``scenes.scene_set``) read by ``reader``:
    one list per (kind, source); shapes have no digits, so they are read once. ``progress``
    hears of each (kind, source) done."""
    cells = [
        (kind, source)
        for kind in kinds
        for source in (("strokes",) if kind == "shapes" else tuple(sources))
    ]
    groups = []
    for done, (kind, source) in enumerate(cells):
        report(progress, "reading scenes", done, len(cells))
        made = scene_set(kind, n, split=split, source=source, seed=seed)
        groups.append([read_scene(reader, scene) for scene in made])
    report(progress, "reading scenes", len(cells), len(cells))
    return groups


def evaluate_scenes(
    recognizer: Any,
    *,
    split: str = "validation",
    n: int = 200,
    seed: int = 0,
    kinds: Iterable[str] = SCENE_KINDS,
    sources: Iterable[str] = SOURCES,
) -> list[SceneRow]:
    """A ``SceneRow`` per scene kind and digit source, ``n`` images each (see ``read_scenes``)."""
    groups = read_scenes(recognizer, split=split, n=n, seed=seed, kinds=kinds, sources=sources)
    return [scene_row(reads) for reads in groups]


def scene_curve(reads: Sequence[SceneRead]) -> RiskCoverage:
    """The risk-coverage curve of scene readings (``selective.selective_curve``), answering the
    most confident first (confidence: a reading's lowest digit probability)."""
    return selective_curve(
        np.array([-r.confidence for r in reads]),
        np.array([r.right for r in reads]),
        np.array([r.sure for r in reads]),
    )


def _cell(value: float, width: int = 8) -> str:
    return f"{value:>{width}.3f}" if np.isfinite(value) else f"{'-':>{width}}"


def format_scenes(rows: Sequence[SceneRow]) -> str:
    """The rows as a text table."""
    header = (
        f"{'scene':<12}{'digits of':<9}{'n':>5}{'whole':>8}{'digits':>8}{'seps':>8}"
        f"{'sep->d':>8}{'sure#':>8}{'ok?':>8}{'bad!':>8}{'held-out':>14}{'s/img':>7}"
    )
    lines = [header]
    for r in rows:
        held = f"{r.held_out_whole:.3f} ({r.held_out_n})" if r.held_out_n else "-"
        values = (r.whole, r.digits, r.separators, r.as_digit, r.sure_number, r.right_doubted,
                  r.wrong_sure)  # fmt: skip
        cells = "".join(_cell(v) for v in values)
        lines.append(f"{r.kind:<12}{r.source:<9}{r.n:>5}{cells}{held:>14}{r.seconds:>7.2f}")
    lines.append(
        "whole: text read exactly (separators included; shapes: no sure answer);\n"
        "digits: digits right, aligned (an added digit counts as a lost one);\n"
        "seps: separators printed; sep->d: separators read as a digit;\n"
        "sure#: answered as a sure number; ok?: right answers doubted;\n"
        "bad!: wrong and sure (of all); held-out: whole on held-out styles (count)"
    )
    return "\n".join(lines)
