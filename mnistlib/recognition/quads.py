"""Quadrilaterals: the four corners of a region, straight sides fitted to its outline, their
mask and angles, the colour step across its sides, and the perspective taking one
quadrilateral to another (the page finder's geometry, ``page``)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

#: A point of the outline within this many pixels of a side's line is on it.
LINE_TOLERANCE = 1.5
#: At least this share of the outline lies within 2 LINE_TOLERANCE of the four sides' lines: a
#: sheet's edges are straight (a shadow or a hand may hide a part), a blob's are not.
STRAIGHT_SHARE = 0.6
MAX_SKEW = 30.0  #: each corner's angle within this many degrees of a right angle


def corners_of(region: np.ndarray) -> np.ndarray:
    """The four corners of a region: (x, y) top-left, top-right, bottom-right, bottom-left,
    the points farthest out along the diagonals (a sheet tilted well under 45 degrees)."""
    rows, cols = np.nonzero(region)
    x, y = cols + 0.5, rows + 0.5
    picks = [np.argmin(x + y), np.argmax(x - y), np.argmax(x + y), np.argmin(x - y)]
    return np.array([[x[i], y[i]] for i in picks], dtype=np.float64)


def line_through(points: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The straight line through ``points`` (n x 2), as (unit normal, offset), fitted twice
    by total least squares, the second time without the points far off the first line (the
    edge of a shadow or a finger crossing the sheet's side)."""
    for _ in range(2):
        if len(points) < 3:
            return None
        centre = points.mean(axis=0)
        normal = np.linalg.svd(points - centre, full_matrices=False)[2][1]
        offset = float(normal @ centre)
        distance = np.abs(points @ normal - offset)
        points = points[distance <= max(LINE_TOLERANCE, 2.0 * float(np.median(distance)))]
    return normal, offset


def fit_quad(region: np.ndarray, corners: np.ndarray) -> np.ndarray | None:
    """The quadrilateral whose sides are straight lines fitted to the region's outline near
    each side of ``corners``: a corner hidden by a shadow or a hand is found where its two
    sides meet. None when the outline is not straight (less than STRAIGHT_SHARE of it lies
    on the lines): a blob, a disc, a digit's stroke."""
    edge = region & ~ndimage.binary_erosion(region)
    rows, cols = np.nonzero(edge)
    points = np.stack([cols + 0.5, rows + 0.5], axis=1)
    distances = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        t = np.clip((points - a) @ (b - a) / max(float((b - a) @ (b - a)), 1e-9), 0.0, 1.0)
        distances.append(np.linalg.norm(points - (a + t[:, None] * (b - a)), axis=1))
    side = np.argmin(np.stack(distances), axis=0)
    found = [line_through(points[side == k]) for k in range(4)]
    lines = [line for line in found if line is not None]
    if len(lines) < 4:
        return None
    normals = np.array([normal for normal, _ in lines])
    offsets = np.array([offset for _, offset in lines])
    off = np.abs(np.einsum("ij,ij->i", points, normals[side]) - offsets[side])
    if float(np.mean(off <= 2 * LINE_TOLERANCE)) < STRAIGHT_SHARE:
        return None
    return meeting_corners(lines)


def meeting_corners(lines: list[tuple[np.ndarray, float]]) -> np.ndarray | None:
    """The four corners where the four ``lines`` (each a unit normal and an offset, in order
    round the quadrilateral) meet, corner k on lines k - 1 and k; None where two of them are
    parallel."""
    quad = []
    for k in range(4):
        (n1, d1), (n2, d2) = lines[k - 1], lines[k]
        matrix = np.array([n1, n2])
        if abs(np.linalg.det(matrix)) < 1e-6:
            return None
        quad.append(np.linalg.solve(matrix, [d1, d2]))
    return np.array(quad)


def quad_mask(corners: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The pixels inside the quadrilateral ``corners`` in an image of ``shape`` (rows, cols)."""
    canvas = Image.new("1", (shape[1], shape[0]), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in corners], fill=1)
    return np.asarray(canvas, dtype=bool)


def square_enough(corners: np.ndarray) -> bool:
    """Whether every corner's angle is within MAX_SKEW degrees of a right angle."""
    for k in range(4):
        a = corners[k - 1] - corners[k]
        b = corners[(k + 1) % 4] - corners[k]
        norms = float(np.linalg.norm(a) * np.linalg.norm(b))
        if norms == 0:
            return False
        angle = np.degrees(np.arccos(np.clip(float(a @ b) / norms, -1.0, 1.0)))
        if abs(angle - 90.0) > MAX_SKEW:
            return False
    return True


def perspective(target: np.ndarray, source: np.ndarray) -> tuple[float, ...]:
    """Pillow's PERSPECTIVE coefficients taking each ``target`` point to its ``source``."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), source.ravel())
    return tuple(float(c) for c in solution)


def across(rgb: np.ndarray, corners: np.ndarray, offsets: np.ndarray, samples: int) -> np.ndarray:
    """The colours of ``rgb`` (HxWx3) across the quadrilateral's sides: at ``samples`` points a
    side, each at ``offsets`` pixels along the normal (out of the sheet: positive), as
    (points, offsets, 3); points whose profile leaves the photo are left out."""
    height, width = rgb.shape[:2]
    centre = corners.mean(axis=0)
    profiles = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        normal = np.array([b[1] - a[1], a[0] - b[0]]) / max(float(np.linalg.norm(b - a)), 1e-9)
        if normal @ (centre - a) > 0:
            normal = -normal  # pointing out of the sheet
        points = a + np.linspace(0.1, 0.9, samples)[:, None] * (b - a)
        at = np.round(points[:, None, :] + offsets[None, :, None] * normal).astype(int)
        keep = ((at >= 0) & (at < [width, height])).all(axis=(1, 2))
        profiles.append(rgb[at[keep][..., 1], at[keep][..., 0]])
    return np.concatenate(profiles)


def edge_step(rgb: np.ndarray, corners: np.ndarray, band: int, samples: int) -> float:
    """The median colour difference across the quadrilateral's sides of ``rgb`` (HxWx3),
    ``band`` pixels inside against outside, at ``samples`` points a side (where both lie in the
    photo): a sheet's edge is a step in colour."""
    found = across(rgb, corners, np.array([-band, band]), samples)
    steps = np.linalg.norm(found[:, 0] - found[:, 1], axis=1)
    return float(np.median(steps)) if len(steps) else 0.0


def line_back(rgb: np.ndarray, corners: np.ndarray, band: int, far: int, samples: int) -> float:
    """How far the brightness comes back past the quadrilateral's sides (median of the points):
    from ``band`` px inside to ``far`` px outside, what lies ``far`` outside above the darkest
    point, over the inside above it. A printed line is dark between paper and paper (about 1 or
    more); a sheet's edge steps down to the desk (near 0; its shadow a little more). NaN where
    no profile lies in the photo."""
    grey = across(rgb, corners, np.arange(-band, far + 1), samples).mean(axis=2)
    if len(grey) == 0:
        return float("nan")
    low = grey.min(axis=1)
    return float(np.median((grey[:, -1] - low) / np.maximum(grey[:, 0] - low, 1e-3)))
