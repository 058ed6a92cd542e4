"""Separators written between digits: ``/ . , : -``, told from digits by shape, size and place.

Each mark found in a row of writing is measured (``measure``) against the band its neighbouring
digits are written in (their top and their baseline):

- a dot ``.`` is small and round and sits on the baseline;
- a comma ``,`` is a small mark at the baseline that reaches below it;
- a colon ``:`` is two dots, one above the other (measured as one mark, or as a dot on the
  baseline with a dot-sized mark above it);
- a dash ``-`` is short, flat and at mid-height;
- a slash ``/`` is long, thin, straight and leans right.

None of them may overlap a digit's columns much: a 5's bar or a broken stroke lies over its own
digit. A slash is the hard one: MNIST's own 1s lean as far (a tenth of them 30 degrees or more,
measured on the validation digits), so a leaning straight stroke counts as a slash only when it
leans further than almost any 1 (SLASH_ALONE), or when two such strokes cut the digits the way a
date is written (d/m/y: 1-2, 1-2 and 2 or 4 digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Protocol

import numpy as np

#: The characters read as separators.
SEPARATORS = "/.,:-"
#: A dot (or each dot of a colon) is at most this many digit heights wide and tall, at least
#: DOT_SMALLEST (smaller is a speck of dust or noise), and at most DOT_ASPECT times as wide as
#: tall or as tall as wide.
DOT_LARGEST, DOT_SMALLEST, DOT_ASPECT = 0.3, 0.04, 2.5
#: A dot's centre lies below this share of the band (0: the digits' top, 1: their baseline).
DOT_LOW = 0.7
#: A comma reaches at least this many digit heights below the baseline, and is at most
#: COMMA_TALLEST digit heights tall and COMMA_WIDEST wide.
COMMA_BELOW, COMMA_TALLEST, COMMA_WIDEST = 0.08, 0.55, 0.4
#: A colon's two dots are at least this many digit heights apart (centre to centre).
COLON_GAP = 0.2
#: A dot on the baseline with a dot-sized mark above it, their columns at most this many digit
#: heights apart, is a colon whose dots were found apart ("2:93" was read "2.93", wrong but
#: sure: 4 of 5 such readings on validation separators, seeds 5 and 6).
COLON_SHIFT = 0.1
#: A dash is at most this many digit heights tall, at least DASH_SHORTEST and at most
#: DASH_LONGEST wide, DASH_FLAT times as wide as tall, its centre in the band's middle
#: (DASH_MIDDLE: the shares of the band it may lie between).
DASH_TALLEST, DASH_SHORTEST, DASH_LONGEST, DASH_FLAT = 0.3, 0.15, 1.2, 1.8
DASH_MIDDLE = (0.3, 0.75)
#: A slash is at least this many digit heights tall, at most SLASH_THICK of its length thick.
SLASH_TALLEST, SLASH_THICK = 0.6, 0.25
#: Degrees from upright. A straight stroke leaning this far is a slash wherever it is: 0.3% of
#: MNIST's validation 1s lean further (half of them 16 degrees or less, 99% under 40).
SLASH_ALONE = 45.0
#: ...and one leaning this far is a slash when two such cut the digits like a date.
SLASH_DATE = 8.0
#: A mark at least this many digit heights tall counts as a digit when a date is looked for.
DIGIT_SHORTEST = 0.4
#: A separator's columns overlap a digit's by at most this share of its width.
MAX_OVERLAP = 0.35


@dataclass(frozen=True)
class Mark:
    """A mark's geometry in a row of writing, in digit heights where lengths are concerned.

    ``top``, ``bottom``: its extent in the band of its neighbours (0 at their top, 1 at their
    baseline); ``width``, ``height``: its size; ``parts``: the (height, centre) of each of its
    pieces of ink, in the band's units; ``tilt``: degrees from upright its ink leans right
    (negative: left); ``thickness``: across its main direction, a share of its length;
    ``overlap``: the share of its columns a digit's columns cover; ``columns``: its first and
    past-last columns in the row's pixels, ``band``: its band's height in those pixels.
    """

    top: float
    bottom: float
    width: float
    height: float
    parts: tuple[tuple[float, float], ...]
    tilt: float
    thickness: float
    overlap: float
    columns: tuple[int, int] = (0, 0)
    band: float = 1.0


def measure(
    ink: np.ndarray, pieces: Sequence[np.ndarray], band: tuple[float, float], overlap: float
) -> Mark:
    """The ``Mark`` of ``ink`` (a boolean mask cut to the mark's box, at the row's own pixels;
    its top-left is the box's), whose ``pieces`` are its separate inks (masks the same shape),
    in the row at ``band`` = (digits' top, digits' baseline) relative to the box's top, in the
    same pixels."""
    high = max(band[1] - band[0], 1.0)
    rows, cols = np.nonzero(ink)
    top, bottom = (rows.min() - band[0]) / high, (rows.max() + 1 - band[0]) / high
    parts = []
    for piece in pieces:
        r = np.flatnonzero(piece.any(axis=1))
        if len(r):
            parts.append(((r[-1] + 1 - r[0]) / high, ((r[0] + r[-1] + 1) / 2 - band[0]) / high))
    tilt, thickness = 0.0, 1.0
    if len(rows) >= 3:
        spread = np.cov(np.stack([cols, rows]).astype(np.float64))
        values, vectors = np.linalg.eigh(spread)
        dx, dy = vectors[:, 1] * (1 if vectors[1, 1] >= 0 else -1)  # pointing down the page
        tilt = float(np.degrees(np.arctan2(-dx, dy)))  # leaning right: x grows going up
        thickness = float(np.sqrt(max(values[0], 0) / max(values[1], 1e-9)))
    return Mark(
        float(top),
        float(bottom),
        (cols.max() + 1 - cols.min()) / high,
        (rows.max() + 1 - rows.min()) / high,
        tuple(parts),
        tilt,
        thickness,
        overlap,
    )


class Inked(Protocol):
    """Ink found in a row (``segment``'s groups): its components' labels and box."""

    labels: set[int]
    left: int
    right: int
    top: int
    bottom: int

    @property
    def width(self) -> int: ...


def _band(group: Inked, digits: Sequence[Inked]) -> tuple[float, float]:
    """The top and baseline of the digits written beside ``group``: its nearest neighbours'."""
    left = [d for d in digits if d.right <= group.left]
    right = [d for d in digits if d.left >= group.right]
    near = [max(left, key=lambda d: d.right)] if left else []
    near += [min(right, key=lambda d: d.left)] if right else []
    near = near or list(digits)
    return float(np.mean([d.top for d in near])), float(np.mean([d.bottom for d in near]))


def mark_of(labels: np.ndarray, group: Inked, digits: Sequence[Inked], height: float) -> Mark:
    """The ``Mark`` of ``group`` (its pieces: its ``labels`` in the row's ``labels``) in the
    row of ``digits``; ``height``: the typical digit height."""
    box = (slice(group.top, group.bottom), slice(group.left, group.right))
    parts = [labels[box] == label for label in group.labels]
    overlap = max(
        (min(d.right, group.right) - max(d.left, group.left) for d in digits if d is not group),
        default=0,
    )
    top, bottom = _band(group, [d for d in digits if d is not group] or [group])
    if bottom - top < 0.5 * height:  # no digit beside it: the typical height
        top, bottom = bottom - height, bottom
    band = (top - group.top, bottom - group.top)
    mark = measure(np.any(parts, axis=0), parts, band, max(overlap, 0) / group.width)
    return replace(mark, columns=(group.left, group.right), band=max(bottom - top, 1.0))


def _dot(height: float, width: float) -> bool:
    small = min(height, width) >= DOT_SMALLEST and max(height, width) <= DOT_LARGEST
    return small and max(height, width) <= DOT_ASPECT * max(min(height, width), 1e-9)


def _small_mark(mark: Mark) -> str | None:
    """'.', ',', ':' or '-' for a small mark's shape and place, or None."""
    centre = (mark.top + mark.bottom) / 2
    if len(mark.parts) == 2 and all(h <= DOT_LARGEST for h, _ in mark.parts):
        (_, upper), (_, lower) = sorted(mark.parts, key=lambda p: p[1])
        if lower - upper >= COLON_GAP and mark.width <= DOT_LARGEST and upper < DOT_LOW:
            return ":"
    if len(mark.parts) != 1:
        return None
    if _dot(mark.height, mark.width) and centre >= DOT_LOW and mark.bottom <= 1 + COMMA_BELOW:
        return "."
    below = mark.bottom - 1
    low = mark.top >= DOT_LOW - 0.1
    if low and below >= COMMA_BELOW and mark.height <= COMMA_TALLEST and mark.width <= COMMA_WIDEST:
        return ","
    flat = mark.width >= DASH_FLAT * mark.height
    middle = DASH_MIDDLE[0] <= centre <= DASH_MIDDLE[1]
    if (
        flat
        and middle
        and mark.height <= DASH_TALLEST
        and DASH_SHORTEST <= mark.width <= DASH_LONGEST
    ):
        return "-"
    return None


def _leaning(mark: Mark) -> bool:
    """Whether the mark could be a slash: one tall, thin, straight stroke leaning right."""
    straight = len(mark.parts) == 1 and mark.thickness <= SLASH_THICK
    return straight and mark.height >= SLASH_TALLEST and mark.tilt >= SLASH_DATE


def _date_slashes(marks: Sequence[Mark], found: list[str | None], leaning: list[int]):
    """The two leaning strokes (indices) that cut the digits as a date is written: 1-2, 1-2,
    then 2 or 4 digits (the other leaning strokes counted as 1s); the most leaning such pair,
    or None."""
    pairs = []
    for a, b in combinations(leaning, 2):
        digits = [
            k
            for k, m in enumerate(marks)
            if found[k] is None and k not in (a, b) and m.height >= DIGIT_SHORTEST
        ]
        first, second = sum(k < a for k in digits), sum(k < b for k in digits)
        if 1 <= first <= 2 and 1 <= second - first <= 2 and len(digits) - second in (2, 4):
            pairs.append((marks[a].tilt + marks[b].tilt, a, b))
    return max(pairs)[1:] if pairs else None


def _colon_dots(marks: Sequence[Mark], found: list[str | None]) -> list[str | None]:
    """``found`` with each dot that has a dot-sized mark (not a separator) above it, within
    COLON_SHIFT of its columns and COLON_GAP higher, read as a colon: the colon's two dots
    measured apart."""
    out = list(found)
    for k, lower in enumerate(marks):
        if found[k] != ".":
            continue
        for j, upper in enumerate(marks):
            apart = max(upper.columns[0] - lower.columns[1], lower.columns[0] - upper.columns[1])
            centre = (upper.top + upper.bottom) / 2
            if (
                found[j] is None
                and _dot(upper.height, upper.width)
                and apart <= COLON_SHIFT * lower.band
                and centre < DOT_LOW
                and (lower.top + lower.bottom) / 2 - centre >= COLON_GAP
            ):
                out[k] = ":"
    return out


def characters(marks: Sequence[Mark]) -> list[str | None]:
    """The separator each mark of a row is (left to right), or None for a digit (or a speck:
    a mark too small to be either, which the caller drops)."""
    found: list[str | None] = [None if m.overlap > MAX_OVERLAP else _small_mark(m) for m in marks]
    found = _colon_dots(marks, found)
    leaning = [k for k, m in enumerate(marks) if found[k] is None and _leaning(m)]
    for k in leaning:
        if marks[k].tilt >= SLASH_ALONE:
            found[k] = "/"
    date = _date_slashes(marks, found, [k for k in leaning if found[k] is None])
    for k in date or ():
        found[k] = "/"
    return found
