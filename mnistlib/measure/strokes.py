"""Digits, letters and scribbles drawn with pen strokes: handwriting that is not MNIST.

Each digit has a few stroke templates in a unit box (x to the right, y downwards, the height 1),
one per way people write it: a 1 with or without flag and base, a 7 with or without a bar, an
open or closed 4, a 9 with a straight or a curved tail... A drawing picks a template, bends it
with a smooth random displacement, slants, stretches, turns it a little and renders it with
Pillow at a random pen width, anti-aliased (drawn 4x larger, then reduced).

Images follow MNIST's convention: ``uint8``, ink 255 on a black (0) background; ``255 - image``
gives dark ink on white paper. Everything is deterministic for a given ``numpy`` generator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

#: Pen width as a share of the digit's height: MNIST's strokes are ~0.11 (2.2 px in 20 px).
PEN_RANGE = (0.06, 0.16)
#: Supersampling factor of the renderer (anti-aliasing).
SUPERSAMPLE = 4

Stroke = tuple[str, list[tuple[float, float]]]  # ("L" polyline | "C" smooth | "O" closed smooth)


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, n: int = 7):
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, 0 = right, 90 = up)."""
    angles = np.radians(np.linspace(start, stop, n))
    return [(cx + rx * np.cos(a), cy - ry * np.sin(a)) for a in angles]


# --- templates (x right, y down, height 1) ----------------------------------------------------
# fmt: off
DIGITS: dict[int, list[list[Stroke]]] = {
    0: [[("O", _arc(0.5, 0.5, 0.32, 0.5, 90, 450, 9)[:-1])],
        [("C", _arc(0.5, 0.5, 0.28, 0.5, 100, 465, 10))]],
    1: [[("L", [(0.5, 0.0), (0.5, 1.0)])],
        [("L", [(0.25, 0.22), (0.52, 0.0), (0.5, 1.0)])],
        [("L", [(0.28, 0.2), (0.52, 0.0), (0.5, 1.0)]), ("L", [(0.25, 1.0), (0.75, 1.0)])]],
    2: [[("C", [(0.15, 0.25), (0.3, 0.05), (0.55, 0.0), (0.8, 0.15), (0.76, 0.4), (0.45, 0.7),
                (0.12, 1.0)]),
         ("L", [(0.12, 1.0), (0.88, 0.97)])],
        [("C", [(0.15, 0.2), (0.45, 0.0), (0.8, 0.12), (0.75, 0.4)]),
         ("L", [(0.75, 0.4), (0.1, 1.0), (0.9, 1.0)])]],
    3: [[("C", [(0.15, 0.12), (0.45, 0.0), (0.75, 0.12), (0.72, 0.33), (0.42, 0.47), (0.78, 0.62),
                (0.82, 0.85), (0.5, 1.0), (0.15, 0.9)])],
        [("L", [(0.15, 0.0), (0.82, 0.0), (0.4, 0.42)]),
         ("C", [(0.4, 0.42), (0.75, 0.52), (0.84, 0.8), (0.5, 1.0), (0.15, 0.88)])]],
    4: [[("L", [(0.65, 0.0), (0.05, 0.66), (0.92, 0.66)]), ("L", [(0.65, 0.0), (0.65, 1.0)])],
        [("L", [(0.15, 0.0), (0.1, 0.6), (0.9, 0.6)]), ("L", [(0.7, 0.05), (0.7, 1.0)])]],
    5: [[("L", [(0.85, 0.0), (0.27, 0.0), (0.22, 0.45)]),
         ("C", [(0.22, 0.45), (0.5, 0.36), (0.8, 0.52), (0.82, 0.8), (0.55, 1.0), (0.13, 0.9)])],
        [("L", [(0.3, 0.02), (0.85, 0.0)]),  # the bar written last, apart from the stem
         ("L", [(0.25, 0.06), (0.22, 0.45)]),
         ("C", [(0.22, 0.45), (0.5, 0.36), (0.8, 0.52), (0.82, 0.8), (0.55, 1.0), (0.13, 0.9)])]],
    6: [[("C", [(0.75, 0.02), (0.45, 0.15), (0.22, 0.45), (0.16, 0.75), (0.35, 1.0), (0.7, 0.95),
                (0.82, 0.72), (0.55, 0.52), (0.25, 0.6), (0.17, 0.75)])],
        [("C", [(0.62, 0.0), (0.32, 0.35), (0.18, 0.72), (0.38, 1.0), (0.72, 0.92), (0.78, 0.68),
                (0.5, 0.52), (0.22, 0.68)])]],
    7: [[("L", [(0.1, 0.02), (0.85, 0.0), (0.4, 1.0)])],
        [("L", [(0.1, 0.02), (0.85, 0.0), (0.4, 1.0)]), ("L", [(0.38, 0.5), (0.85, 0.5)])],
        [("L", [(0.1, 0.03), (0.85, 0.0)]),
         ("C", [(0.85, 0.0), (0.62, 0.38), (0.47, 0.7), (0.42, 1.0)])]],
    8: [[("O", [(0.5, 0.48), (0.78, 0.24), (0.5, 0.0), (0.22, 0.22), (0.5, 0.48), (0.82, 0.75),
                (0.5, 1.0), (0.18, 0.75)])],
        [("O", _arc(0.5, 0.24, 0.26, 0.24, 90, 450, 9)[:-1]),
         ("O", _arc(0.5, 0.73, 0.33, 0.27, 90, 450, 9)[:-1])]],
    9: [[("O", _arc(0.45, 0.25, 0.3, 0.25, 0, 360, 9)[:-1]), ("L", [(0.75, 0.2), (0.72, 1.0)])],
        [("C", [(0.76, 0.25), (0.5, 0.46), (0.2, 0.36), (0.22, 0.08), (0.5, 0.0), (0.76, 0.16),
                (0.76, 0.5), (0.62, 0.85), (0.35, 1.0)])]],
}

LETTERS: dict[str, list[Stroke]] = {
    "A": [("L", [(0.0, 1.0), (0.4, 0.0), (0.8, 1.0)]), ("L", [(0.18, 0.62), (0.62, 0.62)])],
    "B": [("L", [(0.1, 0.0), (0.1, 1.0)]),
          ("C", [(0.1, 0.0), (0.55, 0.05), (0.6, 0.3), (0.1, 0.48)]),
          ("C", [(0.1, 0.48), (0.7, 0.6), (0.68, 0.92), (0.1, 1.0)])],
    "E": [("L", [(0.75, 0.0), (0.1, 0.0), (0.1, 1.0), (0.78, 1.0)]),
          ("L", [(0.1, 0.5), (0.6, 0.5)])],
    "F": [("L", [(0.8, 0.0), (0.15, 0.0), (0.15, 1.0)]), ("L", [(0.15, 0.48), (0.62, 0.48)])],
    "H": [("L", [(0.1, 0.0), (0.1, 1.0)]), ("L", [(0.75, 0.0), (0.75, 1.0)]),
          ("L", [(0.1, 0.5), (0.75, 0.5)])],
    "K": [("L", [(0.1, 0.0), (0.1, 1.0)]), ("L", [(0.7, 0.0), (0.12, 0.55), (0.75, 1.0)])],
    "M": [("L", [(0.0, 1.0), (0.05, 0.0), (0.42, 0.65), (0.8, 0.0), (0.85, 1.0)])],
    "N": [("L", [(0.1, 1.0), (0.1, 0.0), (0.75, 1.0), (0.75, 0.0)])],
    "R": [("L", [(0.1, 1.0), (0.1, 0.0)]),
          ("C", [(0.1, 0.0), (0.6, 0.05), (0.62, 0.35), (0.1, 0.5)]),
          ("L", [(0.3, 0.5), (0.75, 1.0)])],
    "W": [("L", [(0.0, 0.0), (0.22, 1.0), (0.45, 0.3), (0.68, 1.0), (0.9, 0.0)])],
    "X": [("L", [(0.05, 0.0), (0.8, 1.0)]), ("L", [(0.8, 0.0), (0.05, 1.0)])],
    "Y": [("L", [(0.05, 0.0), (0.42, 0.5), (0.8, 0.0)]), ("L", [(0.42, 0.5), (0.42, 1.0)])],
    "Z": [("L", [(0.05, 0.0), (0.8, 0.0), (0.05, 1.0), (0.85, 1.0)])],
}
# fmt: on


# --- geometry --------------------------------------------------------------------------------
def _spline(points: np.ndarray, closed: bool, per_segment: int = 10) -> np.ndarray:
    """A Catmull-Rom curve through ``points`` (n, 2)."""
    if closed:
        padded = np.vstack([points[-1], points, points[0], points[1]])
    else:
        padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        out.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    out.append(padded[-2][None] if not closed else padded[1][None])
    return np.vstack(out)


def _distort(strokes: list[Stroke], rng: np.random.Generator, wobble: float) -> list[np.ndarray]:
    """The strokes as point arrays, bent, slanted, stretched and turned at random.

    The bending is a smooth displacement field (two low-frequency waves per axis), so points
    shared by two strokes (a 4's crossing, a 2's corner) stay together.
    """
    freqs = rng.normal(0, 1.2, size=(2, 2, 2))
    phases = rng.uniform(0, 2 * np.pi, size=(2, 2))
    amps = rng.normal(0, wobble, size=(2, 2))
    slant = rng.uniform(-0.12, 0.35)
    aspect = rng.uniform(0.75, 1.2)
    angle = np.radians(rng.uniform(-7, 7))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    out = []
    for kind, pts in strokes:
        p = np.asarray(pts, dtype=np.float64)
        p = p + rng.normal(0, wobble / 3, p.shape)
        shift = np.stack(
            [
                (amps[axis] * np.sin(p @ freqs[axis].T * np.pi + phases[axis])).sum(1)
                for axis in (0, 1)
            ],
            axis=1,
        )
        p = p + shift
        if kind != "L":
            p = _spline(p, closed=kind == "O")
        x = (p[:, 0] - 0.5) * aspect + slant * (0.5 - p[:, 1])
        out.append(np.stack([x, p[:, 1] - 0.5], axis=1) @ rot.T)
    return out


def _render(lines: list[np.ndarray], height: float, width: float) -> np.ndarray:
    """Strokes (unit height) drawn ``height`` px tall with a ``width`` px pen; tight uint8 crop."""
    allp = np.vstack(lines)
    low, high = allp.min(0), allp.max(0)
    scale = height / max(high[1] - low[1], 1e-6)
    pad = width / 2 + 2
    size = np.ceil((high - low) * scale + 2 * pad).astype(int)
    s = SUPERSAMPLE
    canvas = Image.new("L", (int(size[0]) * s, int(size[1]) * s), 0)
    draw = ImageDraw.Draw(canvas)
    pen = max(1, round(width * s))
    for line in lines:
        xy = [(float(a), float(b)) for a, b in ((line - low) * scale + pad) * s]
        draw.line(xy, fill=255, width=pen, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round pen ends
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=255)
    small = canvas.resize((int(size[0]), int(size[1])), Image.Resampling.BOX)
    return _crop(np.asarray(small, dtype=np.uint8))


def _crop(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(ink.max(1) > 0), np.flatnonzero(ink.max(0) > 0)
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _pen_width(height: float, rng: np.random.Generator, width: float | None) -> float:
    return float(width) if width is not None else height * rng.uniform(*PEN_RANGE)


def _on_canvas(ink: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """``ink`` placed at a random spot of a square canvas of side ``size`` (shrunk if needed)."""
    if max(ink.shape) > size:
        factor = size / max(ink.shape)
        new = (max(1, int(ink.shape[1] * factor)), max(1, int(ink.shape[0] * factor)))
        ink = np.asarray(Image.fromarray(ink).resize(new, Image.Resampling.LANCZOS))
    canvas = np.zeros((size, size), np.uint8)
    top = int(rng.integers(0, size - ink.shape[0] + 1))
    left = int(rng.integers(0, size - ink.shape[1] + 1))
    canvas[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return canvas


# --- public drawing functions ----------------------------------------------------------------
def digit_ink(
    digit: int, rng: np.random.Generator, *, height: float = 80, width: float | None = None
) -> np.ndarray:
    """One drawn digit, cropped tight to its ink: about ``height`` px tall, pen ``width`` px."""
    if digit not in DIGITS:
        raise ValueError(f"digit must be 0-9, got {digit!r}")
    styles = DIGITS[digit]
    strokes = styles[int(rng.integers(len(styles)))]
    return _render(_distort(strokes, rng, 0.035), height, _pen_width(height, rng, width))


def draw_digit(
    digit: int,
    rng: np.random.Generator,
    *,
    size: int = 112,
    width: float | None = None,
    fill: float | None = None,
) -> np.ndarray:
    """A (size, size) uint8 image of ``digit`` (ink 255 on 0), placed at random.

    The digit's height is ``fill`` x ``size`` (random in 0.5-0.85 by default); ``width`` is the
    pen width in pixels (random, ``PEN_RANGE`` of the height, by default).
    """
    height = size * (fill if fill is not None else rng.uniform(0.5, 0.85))
    return _on_canvas(digit_ink(digit, rng, height=height, width=width), size, rng)


def render_strokes(
    strokes: list[Stroke],
    rng: np.random.Generator,
    *,
    height: float,
    width: float,
    wobble: float = 0.035,
) -> np.ndarray:
    """Any stroke template (unit box, as ``DIGITS``) bent, slanted and drawn ``height`` px tall
    with a ``width`` px pen: a tight uint8 crop, ink 255 on 0."""
    return _render(_distort(strokes, rng, wobble), height, width)


def _scribble(rng: np.random.Generator) -> list[Stroke]:
    kind = int(rng.integers(4))
    if kind == 0:  # a coil: loops running sideways, like a phone cord
        n = int(rng.integers(3, 6))
        t = np.linspace(0, 2 * np.pi * n, 8 * n)
        r = rng.uniform(0.3, 0.5)
        pts = np.stack(
            [t / (2 * np.pi) * rng.uniform(0.25, 0.5) + r * np.cos(t), 0.5 + r * np.sin(t)], 1
        )
        return [("C", [tuple(p) for p in pts])]
    if kind == 1:  # a zig-zag, flat or tall
        n = int(rng.integers(4, 9))
        xs = np.linspace(0, rng.uniform(0.8, 1.6), n)
        ys = np.where(np.arange(n) % 2 == 0, 0.0, 1.0) + rng.normal(0, 0.08, n)
        return [("L", list(zip(xs, ys, strict=True)))]
    if kind == 2:  # hatching: parallel strokes over a patch, sometimes crossed
        n = int(rng.integers(3, 7))
        step, tilt = rng.uniform(0.15, 0.3), rng.uniform(-0.5, 0.5)
        lines: list[Stroke] = [("L", [(i * step, 0.0), (i * step + tilt, 1.0)]) for i in range(n)]
        if rng.random() < 0.5:
            span = n * step
            lines += [("L", [(0.0, i / n), (span, i / n + tilt)]) for i in range(n)]
        return lines
    # a tangle: a random smooth curve wandering over the box
    tangle = [
        (float(x), float(y)) for x, y in rng.uniform(0, 1, size=(int(rng.integers(7, 12)), 2))
    ]
    return [("C", tangle)]


def non_digit_ink(
    rng: np.random.Generator,
    *,
    height: float = 80,
    width: float | None = None,
    kind: str | None = None,
) -> tuple[np.ndarray, str]:
    """A drawn letter or scribble cropped to its ink, and its name ("A".."Z" or "scribble")."""
    kind = kind or ("letter" if rng.random() < 0.5 else "scribble")
    if kind == "letter":
        name = sorted(LETTERS)[int(rng.integers(len(LETTERS)))]
        strokes, wobble = LETTERS[name], 0.035
    elif kind == "scribble":
        name, strokes, wobble = "scribble", _scribble(rng), 0.02
    else:
        raise ValueError(f"kind must be 'letter' or 'scribble', got {kind!r}")
    return _render(_distort(strokes, rng, wobble), height, _pen_width(height, rng, width)), name


def draw_non_digit(
    rng: np.random.Generator,
    *,
    size: int = 112,
    width: float | None = None,
    kind: str | None = None,
) -> tuple[np.ndarray, str]:
    """A (size, size) uint8 image of a letter or a scribble (ink 255 on 0), and its name."""
    ink, name = non_digit_ink(rng, height=size * rng.uniform(0.5, 0.85), width=width, kind=kind)
    return _on_canvas(ink, size, rng), name


def mnist_ink(image: np.ndarray, height: float) -> np.ndarray:
    """An MNIST digit cropped to its ink and scaled to ``height`` px."""
    ink = _crop(np.asarray(image, dtype=np.uint8))
    factor = height / ink.shape[0]
    size = (max(1, round(ink.shape[1] * factor)), max(1, round(height)))
    return np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.BICUBIC))


def compose_number(
    digits: Sequence[int],
    rng: np.random.Generator,
    *,
    source: str = "strokes",
    mnist_images: Sequence[np.ndarray] | None = None,
    height: int = 64,
    gap: tuple[float, float] = (-0.05, 0.35),
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Digits written in a row: the image (uint8, ink 255 on 0) and each digit's true box.

    ``source="strokes"`` draws each digit; ``source="mnist"`` uses ``mnist_images`` (one 28x28
    image per digit, in order). Each digit gets a random size (0.85-1.15 x ``height``) and
    baseline (+-8% of ``height``); the gaps between digits are ``gap`` x ``height`` (a negative
    gap makes the boxes overlap, so the ink may touch). Boxes are (left, top, right, bottom),
    right and bottom exclusive, in image pixels, left to right.
    """
    if not 1 <= len(digits) <= 12:
        raise ValueError(f"compose_number takes 1 to 12 digits, got {len(digits)}")
    if source == "mnist" and (mnist_images is None or len(mnist_images) != len(digits)):
        raise ValueError("source='mnist' needs one image in mnist_images per digit")
    if source not in ("strokes", "mnist"):
        raise ValueError(f"source must be 'strokes' or 'mnist', got {source!r}")
    inks = []
    pen = height * rng.uniform(*PEN_RANGE)  # one pen for the whole number
    for i, digit in enumerate(digits):
        h = height * rng.uniform(0.85, 1.15)
        if source == "mnist":
            assert mnist_images is not None  # checked above
            inks.append(mnist_ink(mnist_images[i], h))
        else:
            inks.append(digit_ink(int(digit), rng, height=h, width=pen * rng.uniform(0.9, 1.1)))
    margin = height // 2
    lefts, x = [], margin
    for ink in inks:
        lefts.append(x)
        x += ink.shape[1] + int(round(rng.uniform(*gap) * height))
    tops = [margin + int(round(rng.uniform(-0.08, 0.08) * height)) + (height - ink.shape[0]) // 2
            for ink in inks]  # fmt: skip
    width = max(x + ink.shape[1] for x, ink in zip(lefts, inks, strict=True)) + margin
    lowest = max(t + ink.shape[0] for t, ink in zip(tops, inks, strict=True)) + margin
    image = np.zeros((lowest, width), np.uint8)
    boxes = []
    for left, top, ink in zip(lefts, tops, inks, strict=True):
        region = image[top : top + ink.shape[0], left : left + ink.shape[1]]
        np.maximum(region, ink, out=region)
        boxes.append((left, top, left + ink.shape[1], top + ink.shape[0]))
    return image, boxes
