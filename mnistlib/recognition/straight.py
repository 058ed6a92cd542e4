"""Straight thin runs of ink: what printed lines are made of (``lines``, ``boxes``).

``runs`` finds where a mask runs straight along the rows or the columns; ``thin_lines`` keeps
the runs thin, even and alone on the paper; ``cores`` the rows inked from end to end of a run
that a digit's stroke touches; ``pieces`` joins pieces of one line broken where strokes
crossed it; ``dashes`` joins the dashes or dots of a line printed so, and ``dash_chains``
finds them where the line is not found whole (both from one ``dash_joins``); ``spanning``,
``slivers`` and ``dash_pieces`` keep the pieces of a mask by their span. The morphology
(filters, labels) is scipy.ndimage's, in C.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: A line is at most this many digit heights thick (printed rules: 1-3 px; a pen stroke is
#: 0.06-0.16 of a digit's height), and at most THIN_SHARE of its own length thick.
LINE_THICKNESS, THIN_SHARE = 0.2, 0.08
#: A run counts as straight when at least this share of it is ink (a thin printed line breaks
#: into dashes where it is fainter than the ink level)...
RUN_FILL = 0.95
#: A line is as thick all along: nine tenths of it at most this many times its median
#: thickness, plus a pixel (a blurred row of digits joined by their halos is not).
EVEN_SPREAD = 1.5
#: A box's line with a digit's stroke against it: its core is the rows inked along this share
#: of its length, at most CORE_ROWS of them (a printed line 1-3 px, blurred and scaled).
CORE_SHARE, CORE_ROWS = 0.8, 4
#: A line runs alone: in at least this share of its length no ink lies within EDGE pixels
#: beside it (digits touch a rule here and there; a row of blurred digits is ink all along).
ALONE_SHARE, EDGE = 0.5, 2
#: A line printed in dashes or dots: pieces of ink at most DASH_LONGEST pixels long and
#: DASH_THIN thick (a dash 1.5-12 px, a line 1-3 px, blurred), at most GAP_REACH pixels apart
#: along the line, are joined into one run (a digit's stroke is longer or thicker).
DASH_LONGEST, DASH_THIN, GAP_REACH = 16, 6, 9
#: Small pieces joined so in a row of at least this many are a line's dashes even where the
#: line is not found (digits cross it too often): no separator is three dots in line (a
#: colon is two; a dash, a point, a comma one).
CHAIN_PIECES = 3
#: ... and, where there is such a row, small pieces whose middles lie this many pixels apart
#: across the line at most, CHAIN_PIECES of them, are another row of the same dashes.
ALIGN_REACH = 1


def runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
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


def thin_lines(
    mask: np.ndarray,
    runs: np.ndarray,
    axis: int,
    thickest: float,
    minimum: int,
    alone: float = ALONE_SHARE,
) -> np.ndarray:
    """The ink of ``mask`` on the runs (``runs`` along ``axis``) at least ``minimum`` long,
    at most ``thickest`` pixels (and THIN_SHARE of their length) thick, as thick all along
    (EVEN_SPREAD) and alone on the paper (ALONE_SHARE)."""
    if axis == 0:
        return thin_lines(mask.T, runs.T, 1, thickest, minimum, alone).T
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


def cores(mask: np.ndarray, runs: np.ndarray, axis: int, minimum: int) -> np.ndarray:
    """The straight cores of the runs (``runs`` along ``axis``) at least ``minimum`` long:
    in each, the rows (axis 1; columns for 0) holding ink along CORE_SHARE of its length, at
    most CORE_ROWS of them, side by side. A digit's stroke touching a printed line joins its
    run and makes it thick and uneven (``thin_lines`` then drops it); the line is still the
    rows inked from end to end, and the stroke is not."""
    if axis == 0:
        return cores(mask.T, runs.T, 1, minimum).T
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


#: Per axis (0, then 1): the labels of a mask's 8-connected pieces, its small thin ones, and
#: those joined along the axis (``dash_joins``).
DashJoins = list[tuple[np.ndarray, np.ndarray, np.ndarray]]


def dash_joins(mask: np.ndarray) -> DashJoins:
    """For each axis (0, then 1): the labels of ``mask``'s 8-connected pieces, the small thin
    ones (DASH_LONGEST, DASH_THIN), and those joined along the axis across GAP_REACH; what
    ``dashes`` and ``dash_chains`` both start from."""
    labels, _ = ndimage.label(mask, np.ones((3, 3)))
    sizes = np.array([(0, 0)] + [(w[0].stop - w[0].start, w[1].stop - w[1].start)
                                 for w in ndimage.find_objects(labels)])  # fmt: skip
    joins = []
    for axis in (0, 1):
        along, across = sizes[:, axis], sizes[:, 1 - axis]
        small = (along <= DASH_LONGEST) & (across <= DASH_THIN) & (sizes.max(axis=1) > 0)
        shape = (GAP_REACH + 2, 1) if axis == 0 else (1, GAP_REACH + 2)
        dots = small[labels]
        joins.append((labels, dots, ndimage.binary_closing(dots, np.ones(shape, bool))))
    return joins


def dashes(mask: np.ndarray, joins: DashJoins) -> np.ndarray:
    """``mask`` with the gaps of lines printed in dashes or dots filled: small thin pieces of
    ink (DASH_LONGEST, DASH_THIN) in line along the rows or the columns, at most GAP_REACH
    pixels apart, joined along them (``joins``: ``dash_joins(mask)``; for ``runs``: a dashed
    line is straight but not inked along RUN_FILL of its length)."""
    out = mask.copy()
    for _, _, joined in joins:
        out |= joined
    return out


def _aligned(chain: np.ndarray, dots: np.ndarray, labels: np.ndarray, axis: int) -> np.ndarray:
    """The pieces of ``dots`` whose middles across ``axis`` (rows for flat lines, axis 1)
    lie within ALIGN_REACH pixels of those of CHAIN_PIECES - 1 others and of a piece of
    ``chain``: a dashed line's pieces left between the digits crossing it, too few at any
    one place to make a chain."""
    ks = np.unique(labels[dots])
    if len(ks) < CHAIN_PIECES:
        return np.zeros_like(dots)
    middles = np.array(ndimage.center_of_mass(dots, labels, ks))[:, 1 - axis]
    near = np.abs(middles[:, None] - middles[None, :]) <= ALIGN_REACH
    in_chain = np.isin(ks, np.unique(labels[chain & dots]))
    keep = (near.sum(axis=1) >= CHAIN_PIECES) & (near & in_chain[None, :]).any(axis=1)
    return np.isin(labels, ks[keep]) & dots


def dash_chains(joins: DashJoins) -> np.ndarray:
    """The ink of a mask's small thin pieces joined (``joins``: ``dash_joins(mask)``, as
    ``dashes`` joins them) in rows of at least CHAIN_PIECES: what is left of a line printed in
    dashes or dots, found or not; and the small pieces in line with such a row's
    (``_aligned``)."""
    out = np.zeros_like(joins[0][1])
    for labels, dots, joined in joins:
        chains, n = ndimage.label(joined, np.ones((3, 3)))
        pairs = np.unique(np.stack([chains[dots], labels[dots]]), axis=1)
        count = np.bincount(pairs[0], minlength=n + 1)
        count[0] = 0
        out |= dots & (count[chains] >= CHAIN_PIECES)
    if out.any():
        for labels, dots, _ in joins:  # a dot is small both ways: in line either way
            out |= _aligned(out, dots, labels, 0) | _aligned(out, dots, labels, 1)
    return out


Piece = tuple[list[int], int, int, int, int]  # labels, top, bottom, left, right (exclusive)


def pieces(found: np.ndarray, axis: int, bridge: int) -> tuple[np.ndarray, list[Piece]]:
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


def _extents(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 8-connected pieces of ``mask`` labelled, and each piece's extent in pixels along
    the rows and the columns (one row per label, label 0 first, extent 0)."""
    labels, _ = ndimage.label(mask, np.ones((3, 3)))
    extents = [
        (w[0].stop - w[0].start, w[1].stop - w[1].start) for w in ndimage.find_objects(labels)
    ]
    return labels, np.array([(0, 0), *extents]).reshape(-1, 2)


def spanning(mask: np.ndarray, axis: int, lo: float, hi: float) -> np.ndarray:
    """The 8-connected pieces of ``mask`` spanning ``lo`` to ``hi`` pixels along ``axis``."""
    labels, extents = _extents(mask)
    keep = (lo <= extents[:, axis]) & (extents[:, axis] <= hi)
    keep[0] = False
    return keep[labels]


#: A stroke lying on a flat line, not beside it, thickens the line's ink by at least this many
#: pixels over the line's own thickness (a printed line 1-3 px, blurred; a pen's stroke 2-5).
THICKER = 2
#: ... over its own thickness: that of its thinnest BARE_SHARE (digits lie along much of a
#: box's bottom line).
BARE_SHARE = 0.25


def thickened(line: np.ndarray, rest: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """The ink of ``line`` (flat lines' ink) in the stretches of columns, ``lo`` to ``hi``
    long, where a line is at least THICKER pixels thicker than its own and touches
    ``rest`` (the other ink): a stroke lying on the line (a 2's foot on a box's bottom line)."""
    labels, _ = ndimage.label(line, np.ones((3, 3)))
    out = np.zeros_like(line)
    near = ndimage.binary_dilation(rest, np.ones((3, 3)))
    for k, where in enumerate(ndimage.find_objects(labels), start=1):
        if where is None:
            continue
        piece = labels[where] == k
        across = piece.sum(axis=0)
        thick = across >= np.percentile(across[across > 0], 100 * BARE_SHARE) + THICKER
        stretches, _ = ndimage.label(thick)
        for cols in ndimage.find_objects(stretches):
            run = piece[:, cols[0]]
            if lo <= run.shape[1] <= hi and (run & near[where][:, cols[0]]).any():
                out[where[0], where[1].start + cols[0].start : where[1].start + cols[0].stop] |= run
    return out


def slivers(ink: np.ndarray, edges: np.ndarray, beside: np.ndarray | None = None) -> np.ndarray:
    """The 8-connected pieces of ``ink`` lying wholly in ``edges`` (within EDGE pixels of a
    line): the line's blurred edge, not a stroke; with ``beside``, only those within EDGE
    pixels of it."""
    labels, _ = ndimage.label(ink, np.ones((3, 3)))
    slivers = np.setdiff1d(np.unique(labels[edges & ink]), np.unique(labels[ink & ~edges]))
    if beside is not None:
        near = ndimage.binary_dilation(beside, np.ones((3, 3)), iterations=EDGE)
        slivers = np.intersect1d(slivers, np.unique(labels[near & ink]))
    return np.isin(labels, slivers[slivers > 0])


def dash_pieces(lines: np.ndarray) -> np.ndarray:
    """The pieces of ``lines`` no longer either way than a dash (DASH_LONGEST pixels)."""
    labels, extents = _extents(lines)
    short = extents.max(axis=1) <= DASH_LONGEST
    short[0] = False
    return short[labels]


#: Squared paper: a column holds a grid line where the upright lines found in it (and a
#: pixel beside) cover this share of the image's height; its other stretches of ink are the
#: same line's, cut short by a rule, the image's edge or a patch of paper (too short between
#: rules to be found as a side, half a digit height).
GRID_COLUMN = 0.3
#: ... stretches at least this many pixels long (a speck on the line is not).
STUB_LEAST = 3
#: ... where the line is not found beside them along more than this share of their rows
#: (a digit's stem written along a grid line is ink beside the line found).
BESIDE_SHARE = 0.5


def grid_stubs(mask: np.ndarray, lines: np.ndarray, upright: np.ndarray) -> np.ndarray:
    """The ink of ``mask`` left in squared paper's grid columns (``upright`` lines covering
    GRID_COLUMN of the height there): upright runs at least STUB_LEAST long, no thicker than
    the line and a pixel either side, touching a line already found (``lines``) and no other
    ink, where the line is not found beside them (BESIDE_SHARE). A digit's stroke in a grid
    column joins the rest of its digit, or runs beside the line: it is kept."""
    cover = ndimage.maximum_filter1d(upright.astype(np.uint8), 3, axis=1).sum(axis=0)
    columns = cover >= GRID_COLUMN * mask.shape[0]
    if not columns.any():
        return np.zeros_like(mask)
    bands, _ = ndimage.label(columns)
    width = int(np.bincount(bands)[1:].max())  # the widest line's columns, a pixel beside
    stubs = runs(mask & ~lines, STUB_LEAST, 0) & mask & ~lines & columns[None, :]
    labels, n = ndimage.label(stubs, np.ones((3, 3)))
    near = ndimage.binary_dilation(lines, np.ones((3, 3)))
    writing = ndimage.binary_dilation(mask & ~lines & ~stubs, np.ones((3, 3)))
    keep = np.zeros(n + 1, bool)
    for k, where in enumerate(ndimage.find_objects(labels), start=1):
        piece = labels[where] == k
        across = piece.sum(axis=1)
        printed = (piece & near[where]).any() and not (piece & writing[where]).any()
        band = upright[where[0], max(0, where[1].start - 2) : where[1].stop + 2]
        gap = band.any(axis=1).mean() <= BESIDE_SHARE  # not a stroke beside the line found
        keep[k] = printed and gap and np.median(across[across > 0]) <= width
    return keep[labels]
