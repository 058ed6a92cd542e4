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
  (``_frames``), two straight thin upright sides on one flat line, closed at the far side;
- a long line not alone (digits written across it) when another line has the same two ends
  (``_twins``: a box's top and bottom around the whole number).

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
#: A printed box stands alone (boxes apart, each about a digit tall: no side is LINE_LENGTH
#: digit heights long): four straight thin sides, each at least BOX_SIDE pixels long (or half
#: a digit height), whose corners meet within CORNER_REACH pixels, or this share of the
#: shorter side. No digit's strokes close such a frame.
BOX_SIDE, CORNER_REACH, CORNER_SHARE = 8, 3, 0.12
#: ... an upright side is at most BOX_LINE + this many pixels wide, end to end (a page tilted a
#: degree or so; a digit's slanted stroke, its straight pieces joined, is wider).
SIDE_LEAN = 2
#: A box's far side may be hidden under a digit's stroke, and the ends of its upright sides
#: with it: their far ends are level within this share of their length, and ink (a line or a
#: stroke along it) closes the box there.
FAR_SHARE = 0.25
#: A box's lines are looked for in the ink thinner than this many pixels (a digit's stroke
#: lying on a box's line, thicker, would join it into one thick blob), its gaps where a
#: stroke crossed it bridged.
BOX_LINE = 5
#: A box's line with a digit's stroke against it: its core is the rows inked along this share
#: of its length, at most CORE_ROWS of them (a printed line 1-3 px, blurred and scaled).
CORE_SHARE, CORE_ROWS = 0.8, 4
#: A printed box is at least this share of its height wide (a form's boxes: about square or
#: wider); a digit's stem beside a box's side makes a narrower one.
BOX_ASPECT = 0.6
#: Inside a box at most this many times as wide as tall (one digit's box) a digit's straight
#: stem is no side; a wider one may be several boxes whose inner sides were not seen.
SQUARE = 1.5
#: A box's upright side is at most this many pixels thicker than its flat sides.
SIDE_EXTRA = 1
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
    mask: np.ndarray,
    runs: np.ndarray,
    axis: int,
    thickest: float,
    minimum: int,
    alone: float = ALONE_SHARE,
) -> np.ndarray:
    """The ink of ``mask`` on the runs (``_runs`` along ``axis``) at least ``minimum`` long,
    at most ``thickest`` pixels (and THIN_SHARE of their length) thick, as thick all along
    (EVEN_SPREAD) and alone on the paper (ALONE_SHARE)."""
    if axis == 0:
        return _thin_lines(mask.T, runs.T, 1, thickest, minimum, alone).T
    labels, n = ndimage.label(runs, np.ones((3, 3)))
    keep = np.zeros(n + 1, bool)
    for k, found in enumerate(ndimage.find_objects(labels), start=1):
        band = labels[found] == k
        across = (band & mask[found]).sum(axis=0)  # thickness at each point along the line
        length = band.shape[1]
        if length < minimum or not across.any():
            continue
        thickness, thickest_here = np.percentile(across[across > 0], [50, 90])
        even = thickest_here <= EVEN_SPREAD * thickness + 1 or alone == 0
        thin = thickness <= min(thickest, THIN_SHARE * length)
        keep[k] = even and thin and _alone(mask, band, found[0].start, found[1].start) >= alone
    return keep[labels] & mask


def _cores(mask: np.ndarray, runs: np.ndarray, axis: int, minimum: int) -> np.ndarray:
    """The straight cores of the runs (``_runs`` along ``axis``) at least ``minimum`` long:
    in each, the rows (axis 1; columns for 0) holding ink along CORE_SHARE of its length, at
    most CORE_ROWS of them, side by side. A digit's stroke touching a printed line joins its
    run and makes it thick and uneven (``_thin_lines`` then drops it); the line is still the
    rows inked from end to end, and the stroke is not."""
    if axis == 0:
        return _cores(mask.T, runs.T, 1, minimum).T
    labels, _ = ndimage.label(runs, np.ones((3, 3)))
    out = np.zeros_like(mask)
    for k, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None or found[1].stop - found[1].start < minimum:
            continue
        band = (labels[found] == k) & mask[found]
        rows = np.flatnonzero(band.sum(axis=1) >= CORE_SHARE * band.shape[1])
        if 0 < len(rows) <= CORE_ROWS and rows[-1] - rows[0] < len(rows) + 1:
            out[found][rows[0] : rows[-1] + 1] |= band[rows[0] : rows[-1] + 1]
    return out


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
    labels, _ = ndimage.label(_runs(mask & ~rules, shortest, 0), [[0, 1, 0]] * 3)
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
    return _as_thin_as(sides, rules)


def _as_thin_as(sides: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The upright ``sides`` no thicker than the ``rules`` they join (their median thickness)
    plus SIDE_EXTRA pixels: a form's lines are printed with one pen; a digit's stem standing
    between two rules (a 1, a 4) is mostly thicker."""
    runs, n = ndimage.label(rules, [[0, 1, 0]] * 3)  # each column's run across a rule
    if n == 0 or not sides.any():
        return sides
    rule = float(np.median(ndimage.sum_labels(rules, runs, np.arange(1, n + 1))))
    labels, m = ndimage.label(sides, np.ones((3, 3)))
    keep = np.zeros(m + 1, bool)
    for k, found in enumerate(ndimage.find_objects(labels), start=1):
        across = (labels[found] == k).sum(axis=1)
        keep[k] = np.median(across[across > 0]) <= rule + SIDE_EXTRA
    return keep[labels]


Piece = tuple[list[int], int, int, int, int]  # labels, top, bottom, left, right (exclusive)


def _pieces(found: np.ndarray, axis: int, bridge: int) -> tuple[np.ndarray, list[Piece]]:
    """The labels of the 8-connected pieces of ``found`` (lines along ``axis``: 1 flat, 0
    upright), and the lines they make: pieces in line with each other (overlapping across
    ``axis``) at most ``bridge`` pixels apart along it are one line (a digit crossed it)."""
    labels, _ = ndimage.label(found, np.ones((3, 3)))
    lines: list[Piece] = []
    where = ndimage.find_objects(labels)
    boxes = [(k, w[0].start, w[0].stop, w[1].start, w[1].stop)
             for k, w in enumerate(where, start=1) if w is not None]  # fmt: skip
    for k, top, bottom, left, right in sorted(boxes, key=lambda b: b[3] if axis else b[1]):
        for n, (ks, t, b, lo, hi) in enumerate(lines):
            if axis == 1 and top < b and bottom > t and 0 <= left - hi <= bridge:
                lines[n] = (ks + [k], min(t, top), max(b, bottom), lo, max(hi, right))
                break
            if axis == 0 and left < hi and right > lo and 0 <= top - b <= bridge:
                lines[n] = (ks + [k], t, max(b, bottom), min(lo, left), max(hi, right))
                break
        else:
            lines.append(([k], top, bottom, left, right))
    return labels, lines


def _on(flat: np.ndarray, row: float, left: int, right: int, reach: float) -> np.ndarray:
    """The pixels of ``flat`` within ``reach`` rows of ``row``, between columns ``left`` and
    ``right`` (and ``reach`` past them)."""
    out = np.zeros_like(flat)
    rows = slice(max(0, int(row - reach)), int(row + reach) + 1)
    cols = slice(max(0, int(left - reach)), int(right + reach) + 1)
    out[rows, cols] = flat[rows, cols]
    return out


def _frames(
    mask: np.ndarray, shortest: int, thickest: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Printed boxes in ``mask``: two straight thin upright lines, at least ``shortest`` long and
    apart, both hanging from one flat line or both standing on one (covering SIDE_SHARE of the
    width between them), their far ends level (the other flat side may be hidden under a
    digit's stroke): (the boxes' flat sides, their upright sides, their insides). A box around
    each digit, boxes apart, is found by its shape, not its length. They are looked for in the
    ink thinner than BOX_LINE (a digit's stroke along a line would make it thick)."""
    thick = ndimage.binary_dilation(ndimage.binary_opening(mask, np.ones((BOX_LINE, BOX_LINE))))
    lean = mask & ~thick
    part = max(4, shortest // 2)
    flat = _thin_lines(lean, _runs(lean, part, 1), 1, thickest, part)
    flat |= _cores(lean, _runs(lean, part, 1), 1, part)
    upright = _thin_lines(lean, _runs(lean, part, 0), 0, thickest, part)
    upright |= _cores(lean, _runs(lean, part, 0), 0, part)
    rules, sides, inside = np.zeros_like(mask), np.zeros_like(mask), np.zeros_like(mask)
    if not flat.any() or not upright.any():
        return rules, sides, inside
    up_labels, downs = _pieces(upright, 0, 4 * BOX_LINE)
    downs = sorted((d for d in downs if d[4] - d[3] <= BOX_LINE + SIDE_LEAN), key=lambda d: d[3])
    widths = [_width(up_labels, d) for d in downs]
    walls: list[tuple[int, int, float]] = []
    for n, first in enumerate(downs):
        stop = _next_level(downs, n)
        alike = [d for d, w in zip(downs[n + 1 : stop], widths[n + 1 : stop], strict=True)
                 if abs(w - widths[n]) <= SIDE_EXTRA]  # fmt: skip
        paired = _pair(flat, mask, first, alike, shortest)
        if paired is not None:
            second, box = paired
            rules |= box
            sides |= np.isin(up_labels, first[0] + second[0])
            walls += [(first[1], first[2], widths[n]), (second[1], second[2], widths[n])]
            rows = slice(max(first[1], second[1]), min(first[2], second[2]))
            if second[3] - first[4] <= SQUARE * (rows.stop - rows.start):
                inside[rows, first[4] + BOX_LINE : second[3] - BOX_LINE] = True
    level = np.zeros_like(mask)  # other upright lines as tall as a box's sides, level with them
    for (ks, top, bottom, _, _), width in zip(downs, widths, strict=True):
        if any(abs(top - t) <= CORNER_REACH and abs(bottom - b) <= CORNER_REACH
               and width <= w + SIDE_EXTRA for t, b, w in walls):  # fmt: skip
            level |= np.isin(up_labels, ks)
    return rules & mask, (sides | (level & ~inside)) & mask, inside


def _next_level(downs: list[Piece], n: int) -> int:
    """The index past the first upright line after ``downs[n]`` at least as tall as it, level
    with both its ends or past them: a box's far side is the next such line (boxes apart: the
    next box's near side, across the gap between them, is no box's far side; nor is a box's
    side the far side of a digit's stem)."""
    _, top, bottom, _, _ = downs[n]
    for k in range(n + 1, len(downs)):
        if downs[k][1] <= top + CORNER_REACH and downs[k][2] >= bottom - CORNER_REACH:
            return k + 1
    return len(downs)


def _width(labels: np.ndarray, line: Piece) -> float:
    """The median width of an upright ``line`` (its pieces' ``labels``), row by row."""
    ks, top, bottom, left, right = line
    across = np.isin(labels[top:bottom, left:right], ks).sum(axis=1)
    return float(np.median(across[across > 0])) if across.any() else 0.0


def _pair(
    flat: np.ndarray, mask: np.ndarray, first: Piece, rest: list[Piece], shortest: int
) -> tuple[Piece, np.ndarray] | None:
    """The upright line of ``rest`` that makes a box with ``first``, and the box's flat sides:
    of those with both ends level with ``first``'s, the most level; else the first one (left
    to right) with its far end hidden (FAR_SHARE). A digit's stem standing on a box's bottom
    line, a little short of its top, is no side when the box's own side is further on."""
    level = sorted(rest, key=lambda d: max(abs(d[1] - first[1]), abs(d[2] - first[2])))
    for far_share, candidates in ((0.0, level), (FAR_SHARE, rest)):
        for second in candidates:
            box = _box(flat, mask, first, second, shortest, far_share)
            if box is not None:
                return second, box
    return None


def _box(
    flat: np.ndarray,
    mask: np.ndarray,
    first: Piece,
    second: Piece,
    shortest: int,
    far_share: float = FAR_SHARE,
) -> np.ndarray | None:
    """The flat sides of the box whose upright sides are ``first`` and ``second`` (see
    ``_frames``; their far ends level within ``far_share`` of their length), or None when
    they make no box."""
    _, top, bottom, _, right = first
    _, top2, bottom2, left2, _ = second
    width = left2 - right
    reach = max(CORNER_REACH, CORNER_SHARE * min(width, bottom - top))
    tall = min(bottom - top, bottom2 - top2)
    if min(width, tall) < shortest or width < BOX_ASPECT * tall:
        return None
    for near, far, near2, far2 in ((top, bottom, top2, bottom2), (bottom, top, bottom2, top2)):
        tall = max(abs(far - near), abs(far2 - near2))
        if abs(near - near2) > reach or abs(far - far2) > max(reach, far_share * tall):
            continue
        if abs(far - far2) > reach and not _hidden(mask, (first, second), near, (far, far2)):
            continue
        line = _on(flat, (near + near2) / 2, right, left2, reach)
        closed = _on(mask, (far + far2) / 2, right, left2, reach + abs(far - far2) / 2)
        if min(line[:, right:left2].any(axis=0).mean(),
               closed[:, right:left2].any(axis=0).mean()) >= SIDE_SHARE:  # fmt: skip
            return line | _on(flat, (far + far2) / 2, right, left2, reach)
    return None


def _hidden(
    mask: np.ndarray, pieces: tuple[Piece, Piece], near: int, ends: tuple[int, int]
) -> bool:
    """Whether the shorter of two upright lines (from ``near`` to their far ``ends``) runs on,
    under ink, to where the other ends: a box's side hidden under a digit's stroke does; a
    digit's stem standing between a box's sides stops short of its far side."""
    short = 0 if abs(ends[0] - near) < abs(ends[1] - near) else 1
    rows = slice(min(ends), max(ends) + 1)
    piece = pieces[short]
    return bool(mask[rows, piece[3] : piece[4]].any(axis=1).mean() >= SIDE_SHARE)


def _twins(mask: np.ndarray, rules: np.ndarray, runs: np.ndarray, minimum: int) -> np.ndarray:
    """Flat lines on ``runs`` (at least ``minimum`` long), thin, though neither even nor
    alone, whose two ends are level with those of another line (of ``rules`` or of these): a
    box's top and bottom, which the digits written on them touch and cross along much of their
    length. Two such lines as long as each other no digit makes."""
    found = _thin_lines(mask, runs, 1, float(max(mask.shape)), minimum, alone=0.0) | rules
    labels, pieces = _pieces(found, 1, 0)
    twins = [k for n, (ks, _, _, lo, hi) in enumerate(pieces) for k in ks
             if any(max(abs(lo - a), abs(hi - b)) <= max(CORNER_REACH, CORNER_SHARE * (b - a))
                    for m, (_, _, _, a, b) in enumerate(pieces) if m != n)]  # fmt: skip
    return np.isin(labels, twins) & mask


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
    are, upright ones spanning SPAN_SHARE of its height (squared paper). Boxes (``_frames``)
    are looked for in ``mask`` and in ``strong`` (the ink at the pen's level), where a dark
    line blurred in a photo is thin again and the paper's noise beside it gone."""
    span = round(SPAN_SHARE * mask.shape[1])
    span_runs = _runs(mask, span, 1)
    rules = _thin_lines(mask, span_runs, 1, float(max(mask.shape)), span)
    rules |= _twins(mask, rules, span_runs, span)
    rules = _past_the_rest(mask, rules) if rules.any() else rules
    shortest = 5.0
    framed, sides, inside = _frames(mask, BOX_SIDE, float(max(mask.shape)))
    if strong is not None:
        more = _frames(strong & mask, BOX_SIDE, float(max(mask.shape)))
        framed, sides, inside = framed | more[0], sides | more[1], inside | more[2]
    if height is not None:
        long, thickest, shortest = round(LINE_LENGTH * height), LINE_THICKNESS * height, height / 2
        rules |= _thin_lines(mask, _runs(mask, long, 1), 1, thickest, long)
        sides |= _thin_lines(mask, _runs(mask, long, 0), 0, thickest, long)
    rules |= framed
    if rules.any():  # squared paper's upright lines, and the sides of boxes
        down = round(SPAN_SHARE * mask.shape[0])
        sides |= _thin_lines(mask, _runs(mask, down, 0), 0, float(max(mask.shape)), down)
        sides |= _sides(mask, rules, max(3, round(shortest))) & ~inside
    return rules, sides & ~rules


def remove_lines(
    mask: np.ndarray, faint: np.ndarray, height: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """``mask`` (the ink) without its printed lines, the digits' strokes that crossed them
    mended; and the lines' pixels (their faint edges too, and the slivers of ink left
    within EDGE pixels of them: a line's blurred edge, which read as a 1). The lines are looked for
    (``find_lines``) in ``faint``: all the ink above the paper's noise, since a thin grey rule
    is fainter than a pen's ink."""
    rules, sides = find_lines(faint, height, mask)
    lines = rules | sides
    if not lines.any():
        return mask, lines
    rest = mask & ~lines
    thickest = 2 * float(ndimage.distance_transform_edt(lines).max())
    reach = min(round(thickest), 8) + MEND_EXTRA
    mended = rules & mask & ndimage.binary_closing(rest, np.ones((2 * reach + 1, 1)))
    mended |= sides & mask & ndimage.binary_closing(rest, np.ones((1, 2 * reach + 1)))
    kept = rest | mended
    edges = ndimage.binary_dilation(lines, np.ones((3, 3)), iterations=EDGE) & ~lines
    labels, _ = ndimage.label(kept, np.ones((3, 3)))
    slivers = np.setdiff1d(np.unique(labels[edges & kept]), np.unique(labels[kept & ~edges]))
    sliver = np.isin(labels, slivers[slivers > 0])
    return kept & ~sliver, (lines & ~mended) | sliver


def touching(labels: np.ndarray, removed: np.ndarray) -> set[int]:
    """The labels (of components, in ``labels``) within END_REACH pixels of ``removed``."""
    if not removed.any():
        return set()
    near = ndimage.binary_dilation(removed, np.ones((3, 3)), iterations=END_REACH)
    return {int(label) for label in np.unique(labels[near]) if label > 0}
