"""Printed lines that are not writing: form boxes, underlines, table rules, ruled and squared
paper.

``remove_lines(mask, height)`` finds them on an ink mask (True where there is ink) and takes them
out before the digits are found; the strokes of a digit that touches or crosses a line are
mended across it. A line is ink that runs straight, thin and long:

- horizontal: a run (allowing a pixel of wobble, for a slightly tilted page) longer than
  LINE_LENGTH digit heights, which no digit is (MNIST's widest, a 0, is about 1.5 digit heights
  wide: the runs of its ink are shorter still);
- vertical: as long, or (the sides of a comb field's boxes, about a digit tall) a straight thin
  run joining two horizontal lines found, its top end on one and its bottom end on another.

Without a digit height (the first, coarse look at an image), only lines spanning half the
image's width, and the runs between them, count, and only when very thin for their length.
The morphology (runs, labels, closings) is scipy.ndimage's, in C.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: A horizontal or vertical line is at least this many digit heights long. The widest digit
#: is about 1.5 heights wide; its runs of ink are shorter, so nothing of a digit is taken.
LINE_LENGTH = 1.5
#: A line is at most this many digit heights thick (printed rules: 1-3 px; a pen stroke is
#: 0.06-0.16 of a digit's height), and at most THIN_SHARE of its own length thick.
LINE_THICKNESS, THIN_SHARE = 0.2, 0.08
#: Without a digit height: a horizontal line spans at least this share of the image's width.
SPAN_SHARE = 0.5
#: A box's side joins two horizontal lines: its ends lie within this many pixels of them, and
#: it is at least this share of the distance between them long.
END_REACH, SIDE_SHARE = 2, 0.7
#: Mending a digit cut by a line: ink on both sides of the removed band, within this many
#: pixels more than the band's thickness, is joined across it.
MEND_EXTRA = 2
#: A run counts as straight when at least this share of it is ink (a thin printed line breaks
#: into dashes where it is fainter than the ink level)...
RUN_FILL = 0.95
#: A line is as thick all along: nine tenths of it at most this many times its median
#: thickness, plus a pixel (a blurred row of digits joined by their halos is not).
EVEN_SPREAD = 1.5
#: A line runs alone: in at least this share of its length no ink lies within EDGE pixels
#: beside it (digits touch a rule here and there; a row of blurred digits is ink all along).
ALONE_SHARE, EDGE = 0.5, 2


def _runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Where ``mask`` runs straight at least ``length`` long along ``axis`` (0: down the
    columns, 1: along the rows), allowing a pixel of wobble across it and RUN_FILL of gaps:
    the run's extent (not only its ink)."""
    length = max(3, int(length))
    wobbly = ndimage.maximum_filter1d(mask.astype(np.uint8), 3, axis=1 - axis)
    inside = ndimage.uniform_filter1d(wobbly.astype(np.float32), length, axis=axis) >= RUN_FILL
    return ndimage.maximum_filter1d(inside.astype(np.uint8), length, axis=axis).astype(bool)


def _alone(mask: np.ndarray, band: np.ndarray, top: int, left: int) -> float:
    """The share of the columns of ``band`` (a horizontal run's extent, at ``top``, ``left``
    in ``mask``) with no ink within EDGE pixels above or below it: a printed rule runs through
    the paper alone, touched here and there by a digit; a row of digits does not."""
    columns = np.flatnonzero(band.any(axis=0))
    first = top + band.argmax(axis=0)[columns]
    last = top + band.shape[0] - 1 - band[::-1].argmax(axis=0)[columns]
    padded = np.pad(mask, ((EDGE, EDGE), (0, 0)))
    cols = left + columns
    near = np.zeros(len(columns), bool)
    for step in range(1, EDGE + 1):
        near |= padded[first - step + EDGE, cols] | padded[last + step + EDGE, cols]
    return float(np.mean(~near))


def _thin_lines(
    mask: np.ndarray, runs: np.ndarray, axis: int, thickest: float, minimum: int
) -> np.ndarray:
    """The ink of ``mask`` on the runs (``_runs`` along ``axis``) at least ``minimum`` long,
    at most ``thickest`` pixels (and THIN_SHARE of their length) thick, as thick all along
    (EVEN_SPREAD) and alone on the paper (ALONE_SHARE)."""
    if axis == 0:
        return _thin_lines(mask.T, runs.T, 1, thickest, minimum).T
    labels, n = ndimage.label(runs, np.ones((3, 3)))
    keep = np.zeros(n + 1, bool)
    for k, found in enumerate(ndimage.find_objects(labels), start=1):
        band = labels[found] == k
        across = (band & mask[found]).sum(axis=0)  # thickness at each point along the line
        length = band.shape[1]
        if length < minimum or not across.any():
            continue
        thickness, thickest_here = np.percentile(across[across > 0], [50, 90])
        even = thickest_here <= EVEN_SPREAD * thickness + 1
        thin = thickness <= min(thickest, THIN_SHARE * length)
        keep[k] = (
            even and thin and _alone(mask, band, found[0].start, found[1].start) >= ALONE_SHARE
        )
    return keep[labels] & mask


def _sides(mask: np.ndarray, rules: np.ndarray, shortest: int) -> np.ndarray:
    """Straight thin vertical runs of ``mask``, at least ``shortest`` long, whose top and bottom
    ends lie on ``rules`` (horizontal lines found): the sides of boxes."""
    near = ndimage.maximum_filter(rules, size=2 * END_REACH + 1)
    labels, _ = ndimage.label(_runs(mask & ~rules, shortest, 0), np.ones((3, 3)))
    sides = np.zeros_like(mask)
    for k, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        piece = (labels[found] == k) & mask[found]
        top, bottom = found[0].start, found[0].stop - 1
        cols = np.flatnonzero(piece.any(axis=0)) + found[1].start
        above = near[max(0, top - 1), cols].any()
        below = near[min(len(near) - 1, bottom + 1), cols].any()
        across = piece.sum(axis=1)  # its thickness down its length (a digit may touch it)
        if above and below and np.median(across) <= THIN_SHARE * piece.shape[0] + 2:
            sides[found] |= piece
    return sides


def _past_the_rest(mask: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The ``rules`` when there are several (a box's top and bottom, ruled or squared paper);
    a single one only if it reaches past both ends of the other ink that does not touch it
    (digits underlined): a 7's long thin bar has nothing beside it but itself."""
    if ndimage.label(rules, np.ones((3, 3)))[1] > 1:
        return rules
    labels, _ = ndimage.label(mask, np.ones((3, 3)))
    touching = np.unique(labels[rules])
    cols = np.flatnonzero(((labels > 0) & ~np.isin(labels, touching)).any(axis=0))
    if len(cols) == 0:
        return np.zeros_like(rules)
    found, n = ndimage.label(rules, np.ones((3, 3)))
    keep = np.zeros(n + 1, bool)
    for k, where in enumerate(ndimage.find_objects(found), start=1):
        keep[k] = where is not None and where[1].start < cols[0] and where[1].stop > cols[-1] + 1
    return keep[found]


def find_lines(mask: np.ndarray, height: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Where ``mask`` (ink) holds printed lines: (horizontal, vertical). ``height``: the
    typical digit height in the mask's pixels, or None when not yet known. Horizontal lines
    spanning SPAN_SHARE of the image's width past the ink beside them count either way (a box
    around a lone digit is shorter than LINE_LENGTH digit heights), and where horizontal lines
    are, upright ones spanning SPAN_SHARE of its height (squared paper)."""
    span = round(SPAN_SHARE * mask.shape[1])
    rules = _thin_lines(mask, _runs(mask, span, 1), 1, float(max(mask.shape)), span)
    rules = _past_the_rest(mask, rules) if rules.any() else rules
    sides = np.zeros_like(mask)
    shortest = 5.0
    if height is not None:
        long, thickest, shortest = round(LINE_LENGTH * height), LINE_THICKNESS * height, height / 2
        rules |= _thin_lines(mask, _runs(mask, long, 1), 1, thickest, long)
        sides = _thin_lines(mask, _runs(mask, long, 0), 0, thickest, long)
    if rules.any():  # squared paper's upright lines, and the sides of boxes
        down = round(SPAN_SHARE * mask.shape[0])
        sides |= _thin_lines(mask, _runs(mask, down, 0), 0, float(max(mask.shape)), down)
        sides |= _sides(mask, rules, max(3, round(shortest)))
    return rules, sides & ~rules


def remove_lines(
    mask: np.ndarray, faint: np.ndarray, height: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """``mask`` (the ink) without its printed lines, the digits' strokes that crossed them
    mended; and the lines' pixels (their faint edges too). The lines are looked for
    (``find_lines``) in ``faint``: all the ink above the paper's noise, since a thin grey rule
    is fainter than a pen's ink."""
    rules, sides = find_lines(faint, height)
    lines = rules | sides
    if not lines.any():
        return mask, lines
    rest = mask & ~lines
    thickest = 2 * float(ndimage.distance_transform_edt(lines).max())
    reach = min(round(thickest), 8) + MEND_EXTRA
    mended = rules & mask & ndimage.binary_closing(rest, np.ones((2 * reach + 1, 1)))
    mended |= sides & mask & ndimage.binary_closing(rest, np.ones((1, 2 * reach + 1)))
    return rest | mended, lines & ~mended


def touching(labels: np.ndarray, removed: np.ndarray) -> set[int]:
    """The labels (of components, in ``labels``) within END_REACH pixels of ``removed``."""
    if not removed.any():
        return set()
    near = ndimage.binary_dilation(removed, np.ones((3, 3)), iterations=END_REACH)
    return {int(label) for label in np.unique(labels[near]) if label > 0}
