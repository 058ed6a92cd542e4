"""Printed lines that are not writing: form boxes, underlines, table rules, ruled and squared
paper.

``remove_lines(mask, height)`` finds them on an ink mask (True where there is ink) and takes them
out before the digits are found; the strokes of a digit that touches or crosses a line are
mended across it. A line is ink that runs straight, thin and long:

- horizontal: a run (allowing a pixel of wobble, for a slightly tilted page) longer than
  LINE_LENGTH digit heights, which no digit is (MNIST's widest, a 0, is about 1.5 digit heights
  wide: the runs of its ink are shorter still);
- vertical: as long, or (the sides of a comb field's boxes, about a digit tall) a straight thin
  run joining two horizontal lines found, its top end on one and its bottom end on another;
- a printed box of any size (boxes apart, each about a digit tall): found by its shape
  (``boxes.frames``), two straight thin upright sides on one flat line, closed at the far side;
- the short upright dividers standing evenly spaced on an underline: a comb field printed as
  ticks (``ticks.dividers``);
- a long line not alone (digits written across it) when another line has the same two ends
  (``boxes.twins``: a box's top and bottom around the whole number), or, at least LINE_LENGTH
  digit heights long, whose ends are level with a line found alone (``boxes.level_with``: "one
  box"'s bottom line under the digits, its top found);
- any of these printed in dashes or dots: the gaps between small thin pieces of ink in line
  are joined first (``straight.dashes``); where such a line is not found whole (digits cross
  it too often), its pieces left in rows are taken out too (``straight.dash_chains``): they
  are no separators.

A line found alone, short of the image's width, touching the writing but with no writing
beside most of it, is a pen's stroke and stays ink (``_pen_strokes``: an arrow's shaft). A
stroke crossing a line is mended across it (an upright side only over a stroke's width:
``_crossings``), and a stroke lying along a box's line keeps the line's ink beside it
(``_along``; one lying on it, a 2's foot on a box's bottom line, keeps the thickened stretch:
``straight.thickened``; not on ruled or squared paper).

Without a digit height (the first, coarse look at an image), only lines spanning half the
image's width, and the runs between them, count, and only when very thin for their length.
The morphology (runs, labels, closings) is scipy.ndimage's, in C.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mnistlib.recognition.boxes import (
    BOX_SIDE,
    END_REACH,
    SIDE_EXTRA,
    SIDE_LEAN,
    frames,
    level_with,
    twins,
)
from mnistlib.recognition.straight import (
    EDGE,
    LINE_THICKNESS,
    THIN_SHARE,
    dash_chains,
    dash_joins,
    dash_pieces,
    dashes,
    grid_stubs,
    runs,
    slivers,
    spanning,
    thickened,
    thin_lines,
)
from mnistlib.recognition.ticks import capped, dividers, ticked

#: A horizontal or vertical line is at least this many digit heights long. The widest digit
#: is about 1.5 heights wide; its runs of ink are shorter, so nothing of a digit is taken.
LINE_LENGTH = 1.5
#: Without a digit height: a horizontal line spans at least this share of the image's width.
SPAN_SHARE = 0.5
#: Squared paper: an upright line runs through this share of the image's height (a form's
#: boxes, a margin of paper around them, do not).
GRID_SHARE = 0.9
#: Mending a digit cut by a line: ink on both sides of the removed band, within this many
#: pixels more than the band's thickness, is joined across it.
MEND_EXTRA = 2
#: ... where the ink joined along the line is at most this many digit heights long (a stroke
#: crossing it; a stroke crossing at 20 degrees, 0.12 of a digit height thick, is 0.35 long).
MEND_LONGEST = 0.4
#: A stroke lying against a line along this many digit heights (a 7's bar, an 8's side) is
#: the digit's, and the line's ink beside it (ALONG_ACROSS pixels across) is kept with it.
ALONG, ALONG_ACROSS = (0.25, 0.9), 3
#: ... along a flat line, up to this many digit heights (a 2's foot along a box's bottom
#: line, a ticks field's underline, runs a box's width).
FLAT_ALONG = 1.3
#: A line found alone (joined to no line across it, spanning less than SPAN_SHARE of the
#: image, not on ruled or squared paper), touching the writing but with the writing beside
#: it (within a digit height across, first to last) along less than this share of it, is a
#: pen's stroke, not a printed line: an arrow's shaft, its head at one end. It is left as
#: ink: taken out, the head with the shaft's end kept along it (``_along``) read a sure 7.
WRITTEN_ON = 0.5
#: ... where writing is ink at least this many digit heights across: smaller, it is a speck
#: or the stroke's own round end left beside the line's.
WRITING_LEAST = 0.25
#: Ink taken out this many px beside a side, not on a flat line, is a stroke on it (``uprights``).
ON_SIDE = 3


def _upright(piece: np.ndarray) -> bool:
    """Whether the ink of ``piece`` (a vertical run's) stands straight: the middle of its ink
    in its top third and in its bottom third (the median row's, robust to a digit touching it)
    at most SIDE_LEAN pixels apart. A digit's slanted stroke, a 1's, drifts further."""
    rows = np.flatnonzero(piece.any(axis=1))
    if len(rows) < 3:
        return False
    cols = np.arange(piece.shape[1])
    middles = (piece[rows] * cols).sum(axis=1) / piece[rows].sum(axis=1)
    third = max(1, len(rows) // 3)
    return bool(abs(np.median(middles[:third]) - np.median(middles[-third:])) <= SIDE_LEAN)


def _sides(mask: np.ndarray, rules: np.ndarray, shortest: int) -> np.ndarray:
    """Straight thin vertical runs of ``mask``, at least ``shortest`` long, whose top and bottom
    ends lie on ``rules`` (horizontal lines found): the sides of boxes."""
    near = ndimage.maximum_filter(rules, size=2 * END_REACH + 1)
    # each column's runs apart: a digit's stroke beside a side would join its run otherwise
    labels, _ = ndimage.label(runs(mask & ~rules, shortest, 0), [[0, 1, 0]] * 3)
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
        if (
            above
            and below
            and np.median(across) <= THIN_SHARE * piece.shape[0] + 2
            and _upright(piece)
        ):
            sides[found] |= piece
    return sides


def _as_thin_as(sides: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The upright ``sides`` no thicker than the ``rules`` they join (their median thickness)
    plus SIDE_EXTRA pixels: a form's lines are printed with one pen; a digit's stem standing
    between two rules (a 1, a 4) is mostly thicker."""
    columns, n = ndimage.label(rules, [[0, 1, 0]] * 3)  # each column's run across a rule
    if n == 0 or not sides.any():
        return sides
    rule = float(np.median(ndimage.sum_labels(rules, columns, np.arange(1, n + 1))))
    labels, m = ndimage.label(sides, np.ones((3, 3)))
    keep = np.zeros(m + 1, bool)
    for k, found in enumerate(ndimage.find_objects(labels), start=1):
        across = (labels[found] == k).sum(axis=1)
        keep[k] = np.median(across[across > 0]) <= rule + SIDE_EXTRA
    return keep[labels]


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


def find_lines(
    mask: np.ndarray, height: float | None, strong: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Where ``mask`` (ink) holds printed lines: (horizontal, vertical). ``height``: the
    typical digit height in the mask's pixels, or None when not yet known. Horizontal lines
    spanning SPAN_SHARE of the image's width past the ink beside them count either way (a box
    around a lone digit is shorter than LINE_LENGTH digit heights), and where horizontal lines
    are, upright ones spanning SPAN_SHARE of its height (squared paper). Boxes (``frames``)
    are looked for in ``mask`` and in ``strong`` (the ink at the pen's level), where a dark
    line blurred in a photo is thin again and the paper's noise beside it gone."""
    span = round(SPAN_SHARE * mask.shape[1])
    span_runs = runs(mask, span, 1)
    rules = thin_lines(mask, span_runs, 1, float(max(mask.shape)), span)
    rules |= twins(mask, rules, span_runs, span)
    rules = _past_the_rest(mask, rules) if rules.any() else rules
    shortest, under = 5.0, np.zeros_like(rules)
    down = round(SPAN_SHARE * mask.shape[0])
    grid = thin_lines(mask, runs(mask, down, 0), 0, float(max(mask.shape)), down)
    squared = bool((grid.sum(axis=0) >= GRID_SHARE * mask.shape[0]).any())
    framed, sides, inside = frames(mask, BOX_SIDE, float(max(mask.shape)), squared)
    if strong is not None:
        more = frames(strong & mask, BOX_SIDE, float(max(mask.shape)), squared)
        framed, sides, inside = framed | more[0], sides | more[1], inside | more[2]
    if height is not None:
        long, thickest, shortest = round(LINE_LENGTH * height), LINE_THICKNESS * height, height / 2
        flat = runs(mask, long, 1)
        rules |= thin_lines(mask, flat, 1, thickest, long)
        rules |= ticked(mask, rules, flat, long, thickest)
        # not a rule for sides to stand on: "one box"'s sides run through its first and last
        # digits, and found whole they took those digits' strokes ("8877" read "3877", sure)
        under = level_with(mask, rules, flat, long, thickest)
        sides |= thin_lines(mask, runs(mask, long, 0), 0, thickest, long)
    plain = rules.copy()  # the flat lines found other than by a box's shape
    rules |= framed
    if rules.any():  # squared paper's upright lines, and the sides of boxes
        boxed = _sides(mask, rules, max(3, round(shortest)))
        # on squared paper the upright runs between rules are the grid's, whatever their width
        sides |= grid | (boxed if squared else _as_thin_as(boxed, rules) & ~inside)
        if squared:  # the grid's lines cut short by a rule, the image's edge, a patch of paper
            sides |= grid_stubs(mask, rules | sides, sides)
        else:  # a grid's upright lines cross its rules: they stand on none
            ticks = dividers(mask, rules)
            sides, rules = sides | ticks, rules & ~capped(framed & ~plain, ticks, plain)
    rules |= under
    return rules, sides & ~rules


def _crossings(mended: np.ndarray, axis: int, longest: float) -> np.ndarray:
    """The pieces of ``mended`` (a line's ink joining strokes on both its sides) at most
    ``longest`` pixels along the line (``axis``: 1 flat, 0 upright): a stroke crossing the
    line. Longer, along an upright side, it is two digits' strokes running down either side
    of it (a comb's side between two digits), and the side between them would join them
    into one group read with a 1 (a flat line's long mend is mostly one digit's arc crossing
    it, a 3's top: those are kept)."""
    return spanning(mended, axis, 0.0, longest)


def _along(line: np.ndarray, rest: np.ndarray, axis: int, height: float) -> np.ndarray:
    """The ink of ``line`` (flat: ``axis`` 1; upright: 0) where a stroke of ``rest`` lies
    against it along ALONG digit heights: a digit's stroke on the line (a 7's bar on a box's
    top line, an 8's side on a box's side), which the line hid."""
    step = (1, 0) if axis == 1 else (0, 1)
    touch = np.zeros((3, 3), bool)
    touch[1 - step[0] : 2 + step[0], 1 - step[1] : 2 + step[1]] = True
    edge = line & ndimage.binary_dilation(rest, touch)
    shape = (1, 3) if axis == 1 else (3, 1)
    lo, hi = ALONG[0] * height, (ALONG[1] if axis == 0 else FLAT_ALONG) * height
    keep = spanning(ndimage.binary_closing(edge, np.ones(shape)) | edge, axis, lo, hi)
    across = (2 * ALONG_ACROSS + 1, 1) if axis == 1 else (1, 2 * ALONG_ACROSS + 1)
    return line & ndimage.binary_dilation(keep, np.ones(across))


def _pen_strokes(
    line: np.ndarray, other: np.ndarray, rest: np.ndarray, axis: int, height: float
) -> np.ndarray:
    """The pieces of ``line`` (flat: ``axis`` 1; upright: 0) that are a pen's stroke rather
    than a printed line: alone (touching no piece of ``other``, the lines across), shorter
    than SPAN_SHARE of the image, touching ``rest`` (the writing) but with it beside them
    (from its first to its last stroke) along less than WRITTEN_ON of their length. A
    form's line runs around, under or through the digits written on it; an arrow's shaft
    has its head at one end only."""
    labels, n = ndimage.label(line, np.ones((3, 3)))
    if n == 0:
        return line
    least, most = WRITING_LEAST * height, float(max(rest.shape))
    writing = spanning(rest, 0, least, most) | spanning(rest, 1, least, most)
    reach = 2 * round(height) + 1
    near = ndimage.maximum_filter1d(writing.astype(np.uint8), reach, axis=1 - axis) > 0
    joined = ndimage.binary_dilation(other, np.ones((3, 3)))
    touch = ndimage.binary_dilation(writing, np.ones((3, 3)), iterations=EDGE)
    stroke = np.zeros(n + 1, bool)
    for k, where in enumerate(ndimage.find_objects(labels), start=1):
        piece = labels[where] == k
        length = int(piece.any(axis=1 - axis).sum())
        beside = np.flatnonzero((piece & near[where]).any(axis=1 - axis))
        along = beside[-1] + 1 - beside[0] if len(beside) else 0
        alone = not (piece & joined[where]).any()
        short = length < SPAN_SHARE * line.shape[axis]
        written = (piece & touch[where]).any()
        stroke[k] = alone and short and written and along < WRITTEN_ON * length
    return stroke[labels]


def _printed(
    mask: np.ndarray, rules: np.ndarray, sides: np.ndarray, height: float
) -> tuple[np.ndarray, np.ndarray]:
    """``rules`` and ``sides`` without the pen's strokes found among them (``_pen_strokes``),
    which are left as ink."""
    rest = mask & ~(rules | sides)
    pen = _pen_strokes(rules, sides, rest, 1, height) | _pen_strokes(sides, rules, rest, 0, height)
    return rules & ~pen, sides & ~pen


def _paper_ruled(rules: np.ndarray, sides: np.ndarray) -> bool:
    """Whether a line runs across GRID_SHARE of the image (ruled or squared paper; a form's
    boxes have paper around them): digits written on a rule lie along it by design."""
    height, width = rules.shape
    return bool(
        (rules.sum(axis=1) >= GRID_SHARE * width).any()
        or (sides.sum(axis=0) >= GRID_SHARE * height).any()
    )


def remove_lines(
    mask: np.ndarray, faint: np.ndarray, height: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """``mask`` (the ink) without its printed lines, the digits' strokes that crossed them
    mended; and the lines' pixels (their faint edges too, and the slivers of ink left
    within EDGE pixels of them: a line's blurred edge, which read as a 1). The lines are looked for
    (``find_lines``) in ``faint``: all the ink above the paper's noise, since a thin grey rule
    is fainter than a pen's ink."""
    joins = dash_joins(mask)  # the pen's ink: the paper's noise in the faint ink is no dash
    joined = dashes(mask, joins)
    rules, sides = find_lines(faint | joined, height, joined)
    if height is not None and (rules | sides).any() and not _paper_ruled(rules, sides):
        rules, sides = _printed(mask, rules, sides, height)
    lines = rules | sides
    chains = dash_chains(joins)  # a dashed line's pieces, where it is not found whole too
    if not lines.any():
        return mask & ~chains, chains
    rest = mask & ~lines
    thickest = 2 * float(ndimage.distance_transform_edt(lines).max())
    reach = min(round(thickest), 8) + MEND_EXTRA
    longest = MEND_LONGEST * height if height is not None else float(max(mask.shape))
    mended = rules & mask & ndimage.binary_closing(rest, np.ones((2 * reach + 1, 1)))
    mended |= _crossings(
        sides & mask & ndimage.binary_closing(rest, np.ones((1, 2 * reach + 1))), 0, longest
    )
    edges = ndimage.binary_dilation(lines, np.ones((3, 3)), iterations=EDGE) & ~lines
    if height is not None and not _paper_ruled(rules, sides):
        # a line's own blurred edge left beside it is no stroke lying along it (a dash's
        # edge kept the dash: a dashed box's dashes came back and read as digits)
        strokes = rest & ~slivers(rest, edges, dash_pieces(lines & mask))
        mended |= _along(rules & mask, strokes, 1, height) | _along(
            sides & mask, strokes, 0, height
        )
        mended |= thickened(rules & mask, strokes, ALONG[0] * height, FLAT_ALONG * height)
    kept = rest | mended
    sliver = slivers(kept, edges)
    return kept & ~sliver & ~chains, (lines & ~mended) | sliver | chains


def uprights(removed: np.ndarray, height: float) -> np.ndarray:
    """The upright lines of ``removed`` (lines taken out): its runs at least half a digit
    ``height`` tall, and what was taken out with them within ON_SIDE pixels beside them
    that is not a flat line's: a digit's stroke lying on the side went with it."""
    tall = removed & runs(removed, round(height / 2), 0)
    beside = ndimage.binary_dilation(tall, np.ones((1, 2 * ON_SIDE + 1)))
    return tall | (removed & beside & ~runs(removed, round(height / 2), 1))


def touching(labels: np.ndarray, removed: np.ndarray) -> set[int]:
    """The labels (of components, in ``labels``) within END_REACH pixels of ``removed``."""
    if not removed.any():
        return set()
    near = ndimage.binary_dilation(removed, np.ones((3, 3)), iterations=END_REACH)
    return {int(label) for label in np.unique(labels[near]) if label > 0}
