"""A comb field printed as an underline with short upright dividers ("ticks"), as many forms
print a number's field: the dividers found by their place (``dividers``), for
``lines.find_lines``.

A divider is a short straight thin upright line standing on a horizontal line found (its foot
within ``END_REACH`` pixels of it), as thin as the line. A comb's dividers are evenly spaced
along it: at least ``LEAST`` of them on one pitch, few of the pitch's places empty. A digit's
stem standing on the underline (a 1, a 4, a 7 written low) is no divider: it stands in a
box's middle, off the pitch. A place with ink on it is not empty: a divider hidden where a
digit crosses it, or joined to a digit's stroke, is taken at its place on the pitch (out to
the underline's ends), as tall as the others. The comb is open at the top: a digit's stroke
lying across two dividers is no box's top (``capped``). The underline itself, which the
digits sit on, is found by the dividers standing on it (``ticked``).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mnistlib.recognition.boxes import (
    BOX_SIDE,
    CORNER_REACH,
    END_REACH,
    SIDE_EXTRA,
    SIDE_LEAN,
)
from mnistlib.recognition.straight import Piece, pieces, runs, thin_lines

#: A divider is at least this many pixels tall (a comb's ticks: a quarter to half a box).
SHORTEST = 4
#: At least this many dividers on one pitch make a comb (three digits' boxes have four; a
#: digit may hide one).
LEAST = 3
#: A divider is at most this share of the pitch tall (a comb's boxes are about square, its
#: ticks a quarter to half as tall; a digit's stem standing on the line is mostly taller).
TALL_SHARE = 0.6
#: A divider is within this share of the pitch (or PLACE_REACH pixels) of its place.
PLACE_SHARE, PLACE_REACH = 0.06, 2
#: At most this share of the places on the pitch, between the first divider and the last,
#: are empty (a digit crossing a divider hides it).
EMPTY_SHARE = 0.25
#: A line along the dividers' tops over at least this share of the comb's width is a comb of
#: boxes' top line (its sides, as short as a pitch's half, can pass for dividers): not open.
TOPPED = 0.5


def _upright(mask: np.ndarray, rules: np.ndarray) -> tuple[np.ndarray, list[Piece]]:
    """Straight upright runs of ``mask`` off the ``rules``, at least SHORTEST long (how thin,
    ``_standing`` says: the ink here may be the faint ink, a printed line's blur with it)."""
    lean = mask & ~rules
    return pieces(runs(lean, SHORTEST, 0) & lean, 0, 0)


def _standing(
    labels: np.ndarray, lines: list[Piece], rules: np.ndarray, thickest: float
) -> dict[int, list[Piece]]:
    """The upright ``lines`` standing on a rule (by the rule's label), no wider than
    ``thickest`` and SIDE_LEAN pixels of lean."""
    rule_labels, _ = ndimage.label(rules, np.ones((3, 3)))
    near = ndimage.grey_dilation(rule_labels, size=(2 * END_REACH + 1, 3))
    out: dict[int, list[Piece]] = {}
    for line in lines:
        ks, top, bottom, left, right = line
        across = np.isin(labels[top:bottom, left:right], ks).sum(axis=1)
        if right - left > thickest + SIDE_LEAN or np.median(across[across > 0]) > thickest:
            continue
        foot = near[min(bottom, len(near) - 1), left:right]
        if foot.any():
            out.setdefault(int(foot.max()), []).append(line)
    return out


def _on_pitch(
    xs: np.ndarray, heights: np.ndarray, inked: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Which of the places ``xs`` (sorted; of lines ``heights`` tall) lie evenly spaced, and
    the pitch's first place and step: the most places on one pitch at least BOX_SIDE pixels,
    at least LEAST, with at most EMPTY_SHARE of its places empty, no line on it taller than
    TALL_SHARE of the pitch. A place with ink (``inked``: by column, in the dividers' rows)
    is not empty: a digit crossing the divider hides it, or joins it into its own stroke."""
    best, most = (np.zeros(len(xs), bool), 0.0, 0.0), 0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            pitch = xs[j] - xs[i]
            if pitch < BOX_SIDE:
                continue
            steps = (xs - xs[i]) / pitch
            on = np.abs(steps - np.round(steps)) * pitch <= max(PLACE_REACH, PLACE_SHARE * pitch)
            places = np.unique(np.round(steps[on]))
            between = np.arange(places[0], places[-1] + 1)
            at = np.clip(np.round(xs[i] + between * pitch).astype(int), 0, len(inked) - 1)
            empty = np.count_nonzero(~np.isin(between, places) & ~inked[at])
            full = empty <= EMPTY_SHARE * len(between)
            short = heights[on].max() <= TALL_SHARE * pitch
            if len(places) >= LEAST and full and short and len(places) > most:
                best, most = (on, *_fitted(xs[on], np.round(steps[on]) - places[0])), len(places)
    return best


def _fitted(xs: np.ndarray, steps: np.ndarray) -> tuple[float, float]:
    """The first place and step of the pitch through the places ``xs`` at ``steps`` (least
    squares: a comb's end dividers, past those found, lie where all of them put them)."""
    step, first = np.polyfit(steps, xs, 1)
    return float(first), float(step)


def dividers(mask: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The dividers of comb fields in ``mask`` standing on ``rules`` (horizontal lines found):
    their ink, and where one is hidden under a digit, the thin ink at its place."""
    out = np.zeros_like(mask)
    columns, n = ndimage.label(rules, [[0, 1, 0]] * 3)  # each column's run across a rule
    if n == 0:
        return out
    rule = float(np.median(ndimage.sum_labels(rules, columns, np.arange(1, n + 1))))
    labels, lines = _upright(mask, rules)
    rule_labels, _ = ndimage.label(rules, np.ones((3, 3)))
    for k, standing in _standing(labels, lines, rules, rule + SIDE_EXTRA).items():
        if len(standing) < LEAST:
            continue
        standing.sort(key=lambda d: d[3] + d[4])
        xs = np.array([(d[3] + d[4]) / 2 for d in standing])
        band = slice(min(d[1] for d in standing), max(d[2] for d in standing))
        inked = ndimage.maximum_filter1d(mask[band].any(axis=0), 2 * PLACE_REACH + 1)
        on, first, pitch = _on_pitch(xs, np.array([d[2] - d[1] for d in standing]), inked)
        if not on.any():
            continue
        ticks = [d for d, keep in zip(standing, on, strict=True) if keep]
        for ks, *_ in ticks:
            out |= np.isin(labels, ks)
        along = np.flatnonzero((rule_labels == k).any(axis=0))
        _hidden(mask, out, ticks, (first, pitch), (along[0], along[-1]))
    return out & mask


def _hidden(
    mask: np.ndarray,
    out: np.ndarray,
    ticks: list[Piece],
    pitch: tuple[float, float],
    ends: tuple[int, int],
) -> None:
    """Marks in ``out`` the ink of ``mask`` at the comb's places with no divider found (on
    the ``pitch``: its first place and step, out to the ``ends`` of the line the ``ticks``
    stand on), as wide and as tall as the widest and tallest divider found: a divider hidden
    under a digit, or joined to its stroke (the comb's end dividers too)."""
    width = max(d[4] - d[3] for d in ticks)
    top, bottom = min(d[1] for d in ticks), max(d[2] for d in ticks)
    reach = max(PLACE_REACH, PLACE_SHARE * pitch[1])
    lo = int(np.ceil((ends[0] - reach - pitch[0]) / pitch[1]))
    hi = int(np.floor((ends[1] + reach - pitch[0]) / pitch[1]))
    found = {round(((d[3] + d[4]) / 2 - pitch[0]) / pitch[1]) for d in ticks}
    for step in sorted(set(range(lo, hi + 1)) - found):
        x = pitch[0] + step * pitch[1]
        cols = slice(max(0, int(x - width / 2)), int(x + width / 2) + 1)
        out[top:bottom, cols] |= mask[top:bottom, cols]


def ticked(
    mask: np.ndarray, rules: np.ndarray, runs: np.ndarray, minimum: int, thickest: float
) -> np.ndarray:
    """Flat lines on ``runs`` (at least ``minimum`` long), thin though not alone, on which a
    ticks comb's dividers stand (``ticks.dividers``): a ticks field's underline, which the
    digits sit on and cross along much of its length. Evenly spaced short upright lines
    standing on it no row of digits makes."""
    found = thin_lines(mask, runs, 1, thickest, minimum, alone=0.0) & ~rules
    labels, n = ndimage.label(found, np.ones((3, 3)))
    out = np.zeros_like(found)
    for k in range(1, n + 1):
        line = labels == k
        if dividers(mask, line).any():
            out |= line
    return out


def capped(flat: np.ndarray, ticks: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The pieces of ``flat`` (boxes' flat sides found by their shape) lying across a comb's
    dividers (``ticks``: within their columns, their densest row no higher than the
    dividers' tops and above their feet) where no line of ``rules`` runs along the dividers'
    tops: a digit's stroke lying across two dividers (a 4's bar) closes a "box" with them and
    the underline, but a comb of ticks is open at the top (a comb of boxes has its top line)."""
    out = np.zeros_like(flat)
    if not ticks.any() or not flat.any():
        return out
    rows, cols = np.flatnonzero(ticks.any(axis=1)), np.flatnonzero(ticks.any(axis=0))
    tops = slice(max(0, rows[0] - CORNER_REACH), rows[0] + CORNER_REACH + 1)
    if rules[tops, cols[0] : cols[-1] + 1].any(axis=0).mean() >= TOPPED:
        return out
    labels, _ = ndimage.label(flat, np.ones((3, 3)))
    for k, (down, across) in enumerate(ndimage.find_objects(labels), start=1):
        row = down.start + int(np.argmax((labels[down, across] == k).sum(axis=1)))
        within = cols[0] - CORNER_REACH <= across.start and across.stop <= cols[-1] + CORNER_REACH
        if within and rows[0] - CORNER_REACH <= row < rows[-1] - CORNER_REACH:
            out |= labels == k
    return out
