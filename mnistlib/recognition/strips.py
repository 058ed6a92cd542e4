"""Refining a sheet's outline: a side that takes in a strip of something else along the
sheet's edge (a pale strip, a second sheet of about the paper's colour) is moved in to where
the paper ends (``trim_strips``; the page finder's geometry at its working size, ``page``)."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition.quads import line_through, meeting_corners

#: Inside each side, profiles STRIP_BAND px long (at the page finder's size) are looked at:
#: a strip wider than that is taken for part of the sheet.
STRIP_BAND = 24
#: The paper's colour at a point of a side is the median of the STRIP_REF px deepest in the band.
STRIP_REF = 4
#: A strip differs from the paper by at least STRIP_DISTANCE (RGB, 0..1) all the way from its
#: inner edge to the side, and is at least MIN_STRIP px wide (the side's own blur is 1-2 px).
STRIP_DISTANCE, MIN_STRIP = 0.06, 4
#: A strip is no darker than the paper by more than MAX_DARKER (its median, of the mean of R,
#: G, B): the sheet's own dark rim, its shadow and a finger are; a pale strip or a second sheet
#: (past the rim) is not.
MAX_DARKER = 0.08
#: The strip begins with a step: its colour (1 px in) at least STRIP_STEP further from the
#: paper's than the paper's 2 px before it (light falling off towards the edge rises slowly).
STRIP_STEP = 0.05
#: A side is moved only where at least STRIP_SHARE of its points show such a strip (a digit's
#: stroke near the edge shows at a few).
STRIP_SHARE = 0.3
#: Points along each side, from 10% to 90% of it.
STRIP_SAMPLES = 40


def _side(corners: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Side k's ends and its unit normal pointing out of the quadrilateral."""
    a, b = corners[k], corners[(k + 1) % 4]
    normal = np.array([b[1] - a[1], a[0] - b[0]]) / max(float(np.linalg.norm(b - a)), 1e-9)
    if normal @ (corners.mean(axis=0) - a) > 0:
        normal = -normal
    return a, b, normal


def strip_widths(rgb: np.ndarray, corners: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Along side k of ``corners`` in ``rgb`` (HxWx3 in 0..1): the points (n x 2) whose profile
    lies in the photo and, at each, how many px in from the side a strip unlike the paper runs
    (0 where the paper reaches the side)."""
    height, width = rgb.shape[:2]
    a, b, normal = _side(corners, k)
    points = a + np.linspace(0.1, 0.9, STRIP_SAMPLES)[:, None] * (b - a)
    offsets = -np.arange(STRIP_BAND, 0, -1, dtype=np.float64)  # deep inside .. next to the side
    at = np.round(points[:, None, :] + offsets[None, :, None] * normal).astype(int)
    keep = ((at >= 0) & (at < [width, height])).all(axis=(1, 2))
    colours = rgb[at[keep][..., 1], at[keep][..., 0]]
    paper = np.median(colours[:, :STRIP_REF], axis=1)
    distance = np.linalg.norm(colours - paper[:, None, :], axis=2)
    # the run of pixels unlike the paper ending at the side, read from the side inward
    run = np.cumprod(distance[:, ::-1] > STRIP_DISTANCE, axis=1).sum(axis=1)
    start = np.clip(STRIP_BAND - run, 2, STRIP_BAND - 2)  # the strip's first pixel
    rows = np.arange(len(run))
    step = distance[rows, start + 1] - distance[rows, start - 2]
    darker = paper.mean(axis=1) - np.array(
        [np.median(line[first:].mean(axis=1)) for line, first in zip(colours, start, strict=True)]
    )
    return points[keep], np.where((step >= STRIP_STEP) & (darker <= MAX_DARKER), run, 0)


def trim_strips(rgb: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """``corners`` with each side that takes in a strip along the sheet's edge (at least
    STRIP_SHARE of its points, MIN_STRIP px or more wide) moved in to the strip's inner edge,
    a straight line fitted there; the others as they are."""
    lines = []
    for k in range(4):
        a, _, normal = _side(corners, k)
        line = (normal, float(normal @ a))
        points, run = strip_widths(rgb, corners, k)
        strip = (run >= MIN_STRIP) & (run < STRIP_BAND - STRIP_REF)
        if len(run) and float(strip.mean()) >= STRIP_SHARE:
            moved = line_through(points[strip] - (run[strip, None] - 0.5) * normal)
            if moved is not None:
                line = moved
        lines.append(line)
    quad = meeting_corners(lines)
    return corners if quad is None else quad
