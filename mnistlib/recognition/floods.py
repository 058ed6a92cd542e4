"""Flooding a photo's sheet from its centre to the strongest colour edges between it and the
desk seen at its border (a watershed on the colour gradient, at the page finder's working size):
the flood ``page`` checks for a sheet's evidence."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy import ndimage

#: The sheet is flooded from the photo's centre: seeds there lie within SEED_DISTANCE of its
#: median colour (RGB in 0..1: the writing is no seed), the desk's seeds are the photo's border
#: pixels over DESK_DISTANCE from it (a sheet running out of the frame is no desk seed).
SEED_DISTANCE, DESK_DISTANCE = 0.08, 0.15
#: The colour gradient (Sobel over R, G, B) at which the flood's levels saturate: a sheet's edge.
GRADIENT_TOP = 0.5
#: The gradient is taken after a grey closing this many pixels wide where asked (pen strokes
#: are 1-5 px at the page finder's size): a row of digits across the sheet stops a flood.
WRITING_CLOSE = 7
#: Paper reaches the border over gradient levels up to this: even paper is 8-23 (validation).
PLATEAU_LEVEL = 30


def largest_opened(mask: np.ndarray) -> np.ndarray | None:
    """The largest 4-connected region of ``mask``, thin links cut (an opening); or None."""
    # binary_opening with a 3x3 square, as the min and max filters it equals (twice as fast)
    low = ndimage.minimum_filter(mask.astype(np.uint8), 3, mode="constant", cval=0)
    opened = ndimage.maximum_filter(low, 3, mode="constant", cval=0).view(bool)
    labels, n = ndimage.label(opened)
    return None if n == 0 else labels == int(np.argmax(np.bincount(labels.ravel())[1:])) + 1


def filled(region: np.ndarray) -> np.ndarray:
    """``region`` with its holes filled: what ``ndimage.binary_fill_holes`` gives, by labelling
    the background once (a tenth of its time: it floods the background pixel by pixel)."""
    labels, _ = ndimage.label(~region)
    outside = np.zeros(labels.max() + 1, dtype=bool)
    outside[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    outside[0] = False
    return ~outside[labels]


def _lit_paper(rgb: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Where ``rgb`` is paper of ``colour`` in brighter light: brighter than it, and its colour
    once dimmed to the same brightness within DESK_DISTANCE of it (a sheet's brightly lit corner
    at the photo's border, not the desk)."""
    brightness = np.maximum(rgb.mean(axis=2, keepdims=True), 1e-3)
    dimmed = rgb * (float(colour.mean()) / brightness)
    return (brightness[..., 0] > colour.mean()) & (
        np.linalg.norm(dimmed - colour, axis=2) < DESK_DISTANCE
    )


def _desk_seeds(
    unlit: np.ndarray, desk: np.ndarray, levels: np.ndarray, centre: np.ndarray, ring: np.ndarray
) -> Iterator[np.ndarray]:
    """The desk seeds tried in turn: ``unlit`` (the border unlike the centre, its brightly lit
    paper left out), ``desk`` (all of it) where that differs, then ``unlit`` without what the
    centre reaches over an even surface (gradient levels up to PLATEAU_LEVEL): the sheet
    running out of the frame, shaded darker there, is no desk; last the whole border (``ring``) but
    what the centre reaches so: a second sheet of the same paper along the border, past this
    sheet's edge, is no part of it."""
    yield unlit
    if (desk != unlit).any():
        yield desk
    labels, _ = ndimage.label(levels <= PLATEAU_LEVEL)
    reached = np.unique(labels[centre])
    on_sheet = np.isin(labels, reached[reached > 0])
    if (unlit & on_sheet).any():
        yield unlit & ~on_sheet
    if (ring & ~on_sheet & ~desk).any():
        yield ring & ~on_sheet


def floods(rgb: np.ndarray, close: bool = False) -> Iterator[tuple[np.ndarray, float, np.ndarray]]:
    """The sheet flooded from the centre of ``rgb`` (HxWx3 in [0, 1]; ``close``: its dark
    strokes closed over) to the strongest colour edges between it and the desk seen at the
    border (a watershed on the colour gradient): the region, its share of writing, closeness to
    the sheet's colour; nothing without desk seeds. The desk's seeds as ``_desk_seeds`` tries
    them in turn; the gradient is computed once for all."""
    smooth = ndimage.gaussian_filter(rgb, (1, 1, 0))
    clean = ndimage.grey_closing(smooth, size=(WRITING_CLOSE,) * 2 + (1,)) if close else smooth
    gradient = np.sqrt(
        sum(ndimage.sobel(clean[..., c], axis) ** 2 for c in range(3) for axis in (0, 1))
    )
    levels = np.clip(gradient / GRADIENT_TOP * 255, 0, 255).astype(np.uint8)
    height, width = gradient.shape
    middle = np.zeros((height, width), dtype=bool)
    middle[int(height * 0.3) : int(height * 0.7), int(width * 0.3) : int(width * 0.7)] = True
    colour = np.median(smooth[middle], axis=0)
    distance = np.linalg.norm(smooth - colour, axis=2)
    ring = np.zeros((height, width), dtype=bool)
    ring[[0, -1], :] = ring[:, [0, -1]] = True
    desk = ring & (distance > DESK_DISTANCE)
    unlit = desk & ~_lit_paper(smooth, colour)
    centre = middle & (distance < SEED_DISTANCE)
    for seeds in _desk_seeds(unlit, desk, levels, centre, ring):
        markers = np.zeros((height, width), dtype=np.int16)
        markers[centre] = 2
        markers[seeds] = 1
        if not (markers == 1).any() or not (markers == 2).any():
            continue
        if smooth[markers == 2].mean() <= smooth[markers == 1].mean():
            continue  # the centre darker than the border: ink (a digit in a box), not paper
        if (largest := largest_opened(ndimage.watershed_ift(levels, markers) == 2)) is None:
            continue
        region = filled(largest)
        holes = float((region & ~largest).sum()) / max(1.0, float(region.sum()))
        yield region, holes, 1.0 - distance
