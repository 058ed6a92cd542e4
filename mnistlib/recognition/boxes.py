"""Printed boxes found by their shape (boxes apart, a comb, one box around a number): two
straight thin upright sides on one flat line, closed at the far side (``frames``), for
``lines.find_lines``; and a box's long flat lines that the digits written on them touch, found
by their ends (``twins``, ``level_with``).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mnistlib.recognition.straight import Piece, cores, pieces, runs, thin_lines

#: A printed box found: (its left side, its right side, its flat sides, the left side's width).
Box = tuple[Piece, Piece, np.ndarray, float]

#: A box's side joins two horizontal lines: its ends lie within this many pixels of them, and
#: it is at least this share of the distance between them long.
END_REACH, SIDE_SHARE = 2, 0.7
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
#: A printed box is at least this share of its height wide (a form's boxes: about square or
#: wider); a digit's stem beside a box's side makes a narrower one.
BOX_ASPECT = 0.6
#: Inside a box at most this many times as wide as tall (one digit's box) a digit's straight
#: stem is no side; a wider one may be several boxes whose inner sides were not seen.
SQUARE = 1.5
#: One pen prints a form: a box's two upright sides differ in width by at most this many
#: pixels, and a side joining two rules is at most this much thicker than they are (a digit's
#: stem standing between them is mostly thicker).
SIDE_EXTRA = 1


def _on(flat: np.ndarray, row: float, left: int, right: int, reach: float) -> np.ndarray:
    """The pixels of ``flat`` within ``reach`` rows of ``row``, between columns ``left`` and
    ``right`` (and ``reach`` past them)."""
    out = np.zeros_like(flat)
    rows = slice(max(0, int(row - reach)), int(row + reach) + 1)
    cols = slice(max(0, int(left - reach)), int(right + reach) + 1)
    out[rows, cols] = flat[rows, cols]
    return out


def frames(
    mask: np.ndarray, shortest: int, thickest: float, grid: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Printed boxes in ``mask``: two straight thin upright lines, at least ``shortest`` long and
    apart, both hanging from one flat line or both standing on one (covering SIDE_SHARE of the
    width between them), their far ends level (the other flat side may be hidden under a
    digit's stroke): (the boxes' flat sides, their upright sides, their insides). A box around
    each digit, boxes apart, is found by its shape, not its length. They are looked for in the
    ink thinner than BOX_LINE (a digit's stroke along a line would make it thick). On squared
    paper (``grid``) every cell is a box: a line is not passed over, nor a box left out for
    lying inside another (``_far_side``, ``_outermost``)."""
    thick = ndimage.binary_dilation(ndimage.binary_opening(mask, np.ones((BOX_LINE, BOX_LINE))))
    lean = mask & ~thick
    part = max(4, shortest // 2)
    flat = thin_lines(lean, runs(lean, part, 1), 1, thickest, part)
    flat |= cores(lean, runs(lean, part, 1), 1, part)
    upright = thin_lines(lean, runs(lean, part, 0), 0, thickest, part)
    upright |= cores(lean, runs(lean, part, 0), 0, part)
    rules, sides, inside = np.zeros_like(mask), np.zeros_like(mask), np.zeros_like(mask)
    if not flat.any() or not upright.any():
        return rules, sides, inside
    up_labels, downs = pieces(upright, 0, 4 * BOX_LINE)
    downs = sorted((d for d in downs if d[4] - d[3] <= BOX_LINE + SIDE_LEAN), key=lambda d: d[3])
    widths = [_width(up_labels, d) for d in downs]
    found: list[Box] = []
    for n, first in enumerate(downs):
        paired = _far_side(flat, mask, downs, widths, n, shortest, grid)
        if paired is not None:
            found.append((first, paired[0], paired[1], widths[n]))
    found = found if grid else _outermost(found)
    walls: list[tuple[int, int, float]] = []
    for first, second, box, width in found:
        rules |= box
        sides |= _whole(mask, up_labels, first) | _whole(mask, up_labels, second)
        walls += [(first[1], first[2], width), (second[1], second[2], width)]
        rows = slice(max(first[1], second[1]), min(first[2], second[2]))
        if second[3] - first[4] <= SQUARE * (rows.stop - rows.start):
            inside[rows, first[4] + BOX_LINE : second[3] - BOX_LINE] = True
    level = np.zeros_like(mask)  # other upright lines as tall as a box's sides, level with them
    spans = [_spans(box) for box in found]
    for down, width in zip(downs, widths, strict=True):
        if not _within(down, spans) and any(
               abs(down[1] - t) <= CORNER_REACH and abs(down[2] - b) <= CORNER_REACH
               and width <= w + SIDE_EXTRA for t, b, w in walls):  # fmt: skip
            level |= _whole(mask, up_labels, down)
    return rules & mask, (sides | (level & ~inside)) & mask, inside


def _far_side(
    flat: np.ndarray,
    mask: np.ndarray,
    downs: list[Piece],
    widths: list[float],
    n: int,
    shortest: int,
    grid: bool,
) -> tuple[Piece, np.ndarray] | None:
    """The upright line of ``downs`` that makes a box with ``downs[n]`` (as wide as it, up to
    the next line level with it: ``_next_level``), and the box's flat sides; where none does,
    up to the level line after that, when the box's flat sides run on across the line passed
    over: a digit's straight stem as tall as the box's sides, too near a side to make a box
    with it, stands between them ("40281"'s 1 in a comb); the next box's near side, across a
    gap without lines, is no such line (boxes apart); nor on squared paper (``grid``)."""

    def alike(stop: int) -> list[Piece]:
        return [d for d, w in zip(downs[n + 1 : stop], widths[n + 1 : stop], strict=True)
                if abs(w - widths[n]) <= SIDE_EXTRA]  # fmt: skip

    stop = _next_level(downs, n)
    paired = _pair(flat, mask, downs[n], alike(stop), shortest)
    if paired is not None or stop >= len(downs) or grid:
        return paired
    passed = downs[stop - 1]
    paired = _pair(flat, mask, downs[n], alike(_next_level(downs, stop - 1)), shortest)
    if paired is None:
        return None
    across = paired[1][:, max(0, passed[3] - BOX_LINE) : passed[4] + BOX_LINE].any(axis=0)
    return paired if across.all() else None


def _spans(box: Box) -> tuple[int, int, int, int]:
    """A box's (top, bottom, left, right): its upright sides' rows together, its outer
    columns."""
    first, second = box[0], box[1]
    return min(first[1], second[1]), max(first[2], second[2]), first[3], second[4]


def _outermost(found: list[Box]) -> list[Box]:
    """The boxes of ``found`` not nested in another (its columns within the other's, their rows
    overlapping): a form's boxes stand side by side (a comb's share a side); a narrower box
    inside one box is a digit's stem between its lines paired with the box's side ("708647"
    read "7086417", sure)."""
    spans = [_spans(box) for box in found]
    return [box for box, (top, bottom, left, right) in zip(found, spans, strict=True)
            if not any(other != (top, bottom, left, right) and other[2] <= left
                       and right <= other[3] and top < other[1] and other[0] < bottom
                       for other in spans)]  # fmt: skip


def _within(line: Piece, spans: list[tuple[int, int, int, int]]) -> bool:
    """Whether an upright ``line`` stands between the two sides of a box (``spans``: each
    box's ``_spans``), its rows overlapping the box's: no side of a form's box, a digit's
    stem."""
    _, top, bottom, left, right = line
    return any(span[2] < left and right < span[3] and top < span[1] and span[0] < bottom
               for span in spans)  # fmt: skip


def _whole(mask: np.ndarray, labels: np.ndarray, side: Piece) -> np.ndarray:
    """An upright ``side``'s pieces (``labels``) and the ink of ``mask`` in its columns
    between them: where a digit's stroke lies against the side, the two made a thick blob
    that ``frames`` left out, and the side's ink there would read as a 1 beside the digit."""
    ks, top, bottom, left, right = side
    out = np.isin(labels, ks)
    rows = slice(top, bottom)
    gaps = np.logical_not(np.any(out[rows, left:right], axis=1))
    out[rows, left:right] |= mask[rows, left:right] & gaps[:, None]
    return out


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
    ``frames``; their far ends level within ``far_share`` of their length), or None when
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


def twins(mask: np.ndarray, rules: np.ndarray, runs: np.ndarray, minimum: int) -> np.ndarray:
    """Flat lines on ``runs`` (at least ``minimum`` long), thin, though neither even nor
    alone, whose two ends are level with those of another line (of ``rules`` or of these): a
    box's top and bottom, which the digits written on them touch and cross along much of their
    length. Two such lines as long as each other no digit makes."""
    found = thin_lines(mask, runs, 1, float(max(mask.shape)), minimum, alone=0.0) | rules
    labels, parts = pieces(found, 1, 0)
    paired = [k for n, (ks, _, _, lo, hi) in enumerate(parts) for k in ks
             if any(max(abs(lo - a), abs(hi - b)) <= max(CORNER_REACH, CORNER_SHARE * (b - a))
                    for m, (_, _, _, a, b) in enumerate(parts) if m != n)]  # fmt: skip
    return np.isin(labels, paired) & mask


def level_with(
    mask: np.ndarray, rules: np.ndarray, runs: np.ndarray, minimum: int, thickest: float
) -> np.ndarray:
    """Flat lines on ``runs`` (at least ``minimum`` long), thin though not alone, whose two
    ends are level with those of a line of ``rules`` already found: "one box"'s bottom line
    under the digits, which they touch along most of its length, under its top line found.
    Unlike ``twins``, two lines not found alone do not vouch for each other."""
    found = thin_lines(mask, runs, 1, thickest, minimum, alone=0.0) & ~rules
    if not found.any() or not rules.any():
        return np.zeros_like(found)
    labels, parts = pieces(found | rules, 1, 0)
    ruled = set(np.unique(labels[rules]).tolist())
    known = [(a, b) for ks, _, _, a, b in parts if ruled.intersection(ks)]
    level = [k for ks, _, _, lo, hi in parts if not ruled.intersection(ks) for k in ks
             if any(max(abs(lo - a), abs(hi - b)) <= max(CORNER_REACH, CORNER_SHARE * (b - a))
                    for a, b in known)]  # fmt: skip
    return np.isin(labels, level) & found
