"""The pieces of a row of writing read as digits: each one's box, the region it is read from
and which ink in that region is its own (``Segment``), and where to cut ink holding touching
digits (``cuts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnistlib.recognition.images import Box

#: Margin added around each digit's region, as a share of its longest side: a digit composed
#: alone has half its height of paper around it; less margin read worse (measured on validation
#: numbers, docs/recognition.md).
CROP_MARGIN = 0.5
#: Where the ink map holds printed lines taken out (``lines.remove_lines``): nobody's ink.
LINE_LABEL = -1
#: A digit against a box's side (``with_side``): the side's ink this many pixels beside its
#: ink (a side's width and its blurred edges) may be a stroke of it.
SIDE_REACH = 6


@dataclass(frozen=True)
class Segment:
    """One digit found: its ink's box and the region it is read from, in the original image's
    pixels, and ``keep``: over the region (at the ink map's resolution), 1 where the ink is this
    digit's and 0 where it is a neighbour's or a printed line's."""

    box: Box
    region: Box
    keep: np.ndarray


def cuts(profile: np.ndarray, pieces: int) -> list[int]:
    """Columns cutting ``profile`` (ink per column) into ``pieces``, each at the least ink
    within a quarter of a piece's width of where an even split would cut."""
    width = len(profile)
    step = width / pieces
    found = []
    for k in range(1, pieces):
        expected = k * step
        low, high = int(expected - step / 4), int(expected + step / 4) + 1
        low, high = max(low, 1), min(high, width - 1)
        if high <= low:  # too narrow to search: where an even split cuts
            found.append(min(max(round(expected), 1), width - 1))
            continue
        window = profile[low:high]
        # the least ink; among equals, the column nearest the expected place
        order = np.lexsort((np.abs(np.arange(low, high) - expected), window))
        found.append(low + int(order[0]))
    return found


def _dilate(mask: np.ndarray) -> np.ndarray:
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    out[:, 1:] |= out[:, :-1].copy()
    out[:, :-1] |= out[:, 1:].copy()
    return out


def _nearest_own(own: np.ndarray, others: np.ndarray, steps: int) -> np.ndarray:
    """Where ink would be this digit's: pixels nearer (in 8-connected steps, up to ``steps``)
    to ``own`` ink than to ``others``; pixels near neither count as its own."""
    own, others = own.copy(), others.copy()
    for _ in range(steps):
        grown_own, grown_others = _dilate(own), _dilate(others)
        reached = ~own & ~others
        own |= grown_own & reached & ~grown_others
        others |= grown_others & reached & ~grown_own
        if not (reached & (grown_own | grown_others)).any():
            break
    return ~others


def piece(
    ink: np.ndarray, labels: np.ndarray, own_labels: set[int], cols: tuple[int, int], scale
) -> Segment | None:
    """Components ``own_labels`` within columns ``cols`` as a segment: its box and region in
    the original image, and which ink of the region is its own: the pixels nearer to its ink
    than to any other ink found (its faint edges, a blur's halo, are its own too), less the
    printed lines taken out (LINE_LABEL in ``labels``) and their edges."""
    own = np.isin(labels, list(own_labels))
    own[:, : cols[0]] = False
    own[:, cols[1] :] = False
    rows = np.flatnonzero(own.any(axis=1))
    if len(rows) == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    margin = max(2, round(CROP_MARGIN * max(bottom - top, cols[1] - cols[0])))
    height, width = ink.shape
    r_top, r_bottom = max(0, top - margin), min(height, bottom + margin)
    r_left, r_right = max(0, cols[0] - margin), min(width, cols[1] + margin)
    region = (slice(r_top, r_bottom), slice(r_left, r_right))
    others = (labels[region] > 0) & ~own[region]
    lines = _dilate(_dilate(labels[region] == LINE_LABEL))  # with their edges...
    keep = _nearest_own(own[region], others, margin) & (~lines | own[region])  # ...not its ink

    def original(left: int, top: int, right: int, bottom: int) -> Box:
        return (
            int(np.floor(left * scale[0])),
            int(np.floor(top * scale[1])),
            int(np.ceil(right * scale[0])),
            int(np.ceil(bottom * scale[1])),
        )

    return Segment(
        original(cols[0], top, cols[1], bottom),
        original(r_left, r_top, r_right, r_bottom),
        keep.astype(np.float32),
    )


def with_side(
    ink: np.ndarray,
    labels: np.ndarray,
    own: tuple[set[int], int, int, int, int],
    side: np.ndarray,
    scale: tuple[float, float],
) -> Segment | None:
    """Components ``own`` (labels, left, right, top, bottom) as a segment with the ink of
    ``side`` (an upright line taken out) beside them (within SIDE_REACH pixels) down their rows
    put back: the digit as it was if a stroke of it lay on the side."""
    own_labels, left, right, top, bottom = own
    band = np.zeros_like(side)
    lo, hi = max(0, left - SIDE_REACH), right + SIDE_REACH
    band[top:bottom, lo:hi] = side[top:bottom, lo:hi]
    if not band.any():
        return None
    cols = np.flatnonzero(band.any(axis=0))
    marked = labels.copy()
    mark = int(labels.max()) + 1
    marked[band] = mark
    span = (min(left, int(cols[0])), max(right, int(cols[-1]) + 1))
    return piece(ink, marked, own_labels | {mark}, span, scale)
