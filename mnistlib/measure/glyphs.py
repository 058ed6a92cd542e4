"""What people write besides single digits: a line of text with separators, words, shapes.

``write_line(text, rng, ...)`` writes digits and the separators ``/ . , : -`` on one baseline,
as handwriting: digits drawn with pen strokes (``strokes.digit_ink``) or taken from MNIST
(``strokes.mnist_ink``), separators drawn by hand (a dot is a small blob on the baseline, a
comma a tick going below it, a colon two dots, a dash a short stroke at mid-height, a slash a
long slanted stroke), each with its own size, slant and place. ``shape_ink`` draws a non-digit
(``SHAPES``: smiley, star, arrow, tick, hash, plus, a letter S) and ``word_ink`` a word in
capital and small letters. Ink is ``uint8``, 255 on 0 (MNIST's convention).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from mnistlib.measure.strokes import (
    LETTERS,
    PEN_RANGE,
    SUPERSAMPLE,
    Stroke,
    digit_ink,
    mnist_ink,
    render_strokes,
)

#: The separators people write inside numbers (dates, prices, times, phone numbers).
SEPARATORS = "/.,:-"


def _dot(x: float, y: float) -> Stroke:
    return ("L", [(x, y), (x + 0.01, y + 0.01)])  # drawn as a round blob by the pen's ends


# fmt: off
#: Non-digits people draw where a digit is expected (unit box, x right, y down, height 1).
#: Drawn apart from ``outliers.SYMBOLS``, which the shipped recogniser was fine-tuned on (arrow
#: heads, the tick and the S differ): the scenes measure the doubt on shapes that are not its
#: training templates. Kept two on purpose; one table would test on what was trained on.
SHAPES: dict[str, list[Stroke]] = {
    "smiley": [("O", [(0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a))
                      for a in np.linspace(0, 2 * np.pi, 10)[:-1]]),
               _dot(0.33, 0.35), _dot(0.67, 0.35),
               ("C", [(0.25, 0.62), (0.5, 0.8), (0.75, 0.62)])],
    "star": [("L", [(0.5 + 0.5 * np.sin(a), 0.5 - 0.5 * np.cos(a))
                    for a in np.radians(np.arange(0, 721, 144))])],
    "arrow": [("L", [(0.0, 0.5), (1.0, 0.5)]), ("L", [(0.7, 0.2), (1.0, 0.5), (0.7, 0.8)])],
    "tick": [("L", [(0.0, 0.55), (0.35, 1.0), (1.0, 0.0)])],
    "hash": [("L", [(0.35, 0.0), (0.25, 1.0)]), ("L", [(0.75, 0.0), (0.65, 1.0)]),
             ("L", [(0.0, 0.33), (1.0, 0.33)]), ("L", [(0.0, 0.67), (1.0, 0.67)])],
    "plus": [("L", [(0.5, 0.0), (0.5, 1.0)]), ("L", [(0.0, 0.5), (1.0, 0.5)])],
    "S": [("C", [(0.85, 0.12), (0.5, 0.0), (0.15, 0.15), (0.2, 0.4), (0.5, 0.5), (0.82, 0.62),
                 (0.85, 0.88), (0.5, 1.0), (0.12, 0.88)])],
}
#: Small letters (x-height box; "h", "l" and "t" reach up: ``TALL``).
SMALL: dict[str, list[Stroke]] = {
    "a": [("C", [(0.8, 0.2), (0.5, 0.0), (0.15, 0.3), (0.2, 0.85), (0.5, 1.0), (0.8, 0.7)]),
          ("L", [(0.8, 0.05), (0.82, 1.0)])],
    "c": [("C", [(0.85, 0.15), (0.5, 0.0), (0.15, 0.35), (0.2, 0.85), (0.5, 1.0), (0.85, 0.85)])],
    "e": [("C", [(0.15, 0.5), (0.85, 0.5), (0.8, 0.15), (0.5, 0.0), (0.2, 0.2), (0.12, 0.6),
                 (0.3, 0.92), (0.6, 1.0), (0.85, 0.85)])],
    "h": [("L", [(0.15, 0.0), (0.15, 1.0)]), ("C", [(0.15, 0.6), (0.45, 0.4), (0.8, 0.55),
                                                    (0.82, 1.0)])],
    "l": [("C", [(0.3, 0.9), (0.6, 0.4), (0.55, 0.0), (0.4, 0.15), (0.4, 1.0), (0.6, 0.95)])],
    "n": [("L", [(0.15, 0.0), (0.15, 1.0)]), ("C", [(0.15, 0.35), (0.45, 0.0), (0.8, 0.2),
                                                    (0.82, 1.0)])],
    "o": [("O", [(0.5 + 0.4 * np.cos(a), 0.5 + 0.5 * np.sin(a))
                 for a in np.linspace(0, 2 * np.pi, 9)[:-1]])],
    "r": [("L", [(0.2, 0.0), (0.2, 1.0)]), ("C", [(0.2, 0.4), (0.45, 0.05), (0.8, 0.05)])],
    "s": SHAPES["S"],
    "t": [("L", [(0.45, 0.0), (0.45, 0.9), (0.7, 1.0)]), ("L", [(0.1, 0.35), (0.8, 0.35)])],
    "u": [("C", [(0.15, 0.0), (0.18, 0.8), (0.5, 1.0), (0.8, 0.75)]),
          ("L", [(0.82, 0.0), (0.82, 1.0)])],
}
# fmt: on
TALL = "hlt"
#: Height of a small letter (without ascender) as a share of a capital's.
X_HEIGHT = 0.6


def shape_ink(name: str, rng: np.random.Generator, *, height: float, width: float) -> np.ndarray:
    """One of ``SHAPES`` drawn about ``height`` px tall with a ``width`` px pen."""
    if name not in SHAPES:
        raise ValueError(f"shape must be one of {sorted(SHAPES)}, got {name!r}")
    return render_strokes(SHAPES[name], rng, height=height, width=width, wobble=0.025)


def _letter(char: str, rng: np.random.Generator, height: float, pen: float):
    """A capital or small letter's ink and how far above the baseline its top sits."""
    if char in LETTERS:
        ink = render_strokes(LETTERS[char], rng, height=height, width=pen)
    elif char in SMALL:
        tall = height if char in TALL else height * X_HEIGHT
        ink = render_strokes(SMALL[char], rng, height=tall, width=pen)
    else:
        raise ValueError(f"no template for the letter {char!r}")
    return ink, ink.shape[0]


def word_ink(word: str, rng: np.random.Generator, *, height: float) -> np.ndarray:
    """``word`` (letters of ``LETTERS`` and ``SMALL``) written on one baseline, capitals about
    ``height`` px tall."""
    pen = height * rng.uniform(*PEN_RANGE)
    glyphs = [_letter(c, rng, height * rng.uniform(0.9, 1.1), pen) for c in word]
    return _assemble(glyphs, rng, height, (0.05, 0.25))[0]


def _separator(char: str, rng: np.random.Generator, height: float, pen: float):
    """A hand-drawn separator: its ink and how far above the baseline its top sits."""
    h = height
    if char == ".":
        pen *= rng.uniform(1.0, 1.6)
        lines = [[(0.0, -pen / 2), (0.01 * h, -pen / 2 - 0.01 * h)]]  # sitting on the baseline
    elif char == ",":
        top = rng.uniform(0.0, 0.08) * h
        lines = [[(0.06 * h, -top), (0.05 * h, 0.08 * h), (0.0, rng.uniform(0.15, 0.28) * h)]]
    elif char == ":":
        low, high = rng.uniform(0.05, 0.3) * h, rng.uniform(0.55, 0.8) * h
        shift = rng.uniform(-0.04, 0.08) * h
        lines = [[(0.0, -low), (0.01 * h, -low)], [(shift, -high), (shift + 0.01 * h, -high)]]
        pen *= rng.uniform(1.0, 1.6)
    elif char == "-":
        at, length = rng.uniform(0.35, 0.62) * h, rng.uniform(0.25, 0.55) * h
        tilt = rng.uniform(-0.06, 0.06) * h
        lines = [[(0.0, -at), (length, -at - tilt)]]
    elif char == "/":
        lean, below = rng.uniform(0.25, 0.6) * h, rng.uniform(-0.05, 0.12) * h
        lines = [[(0.0, below), (lean, -rng.uniform(0.9, 1.2) * h)]]
    else:
        raise ValueError(f"separator must be one of {SEPARATORS!r}, got {char!r}")
    return _drawn(lines, pen)


def _drawn(lines: list[list[tuple[float, float]]], pen: float) -> tuple[np.ndarray, int]:
    """Polylines (pixels, y up from the baseline negative) drawn with a round ``pen``: the ink
    cropped to the strokes and how far above the baseline its top sits."""
    points = np.array([p for line in lines for p in line], dtype=np.float64)
    low = points.min(axis=0) - pen
    size = np.ceil(points.max(axis=0) + pen - low).astype(int) + 1
    s = SUPERSAMPLE
    canvas = Image.new("L", (int(size[0]) * s, int(size[1]) * s), 0)
    draw = ImageDraw.Draw(canvas)
    width = max(1, round(pen * s))
    for line in lines:
        xy = [((x - low[0]) * s, (y - low[1]) * s) for x, y in line]
        draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    ink = np.asarray(canvas.resize((int(size[0]), int(size[1])), Image.Resampling.BOX))
    rows, cols = np.flatnonzero(ink.max(axis=1)), np.flatnonzero(ink.max(axis=0))
    ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return ink, int(round(-low[1] - rows[0]))


def _assemble(
    glyphs: list[tuple[np.ndarray, int]],
    rng: np.random.Generator,
    height: float,
    gap: tuple[float, float],
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Glyphs (ink, top above the baseline) left to right on one baseline: the image and each
    glyph's box (left, top, right, bottom; right and bottom exclusive)."""
    margin = int(height // 2)
    lefts, x = [], margin
    for ink, _ in glyphs:
        lefts.append(x)
        x += ink.shape[1] + int(round(rng.uniform(*gap) * height))
    baseline = margin + int(1.3 * height)
    tops = [baseline - above + int(round(rng.uniform(-0.04, 0.04) * height)) for _, above in glyphs]
    width = max(left + ink.shape[1] for left, (ink, _) in zip(lefts, glyphs, strict=True)) + margin
    lowest = max(top + ink.shape[0] for top, (ink, _) in zip(tops, glyphs, strict=True)) + margin
    image = np.zeros((lowest, width), np.uint8)
    boxes = []
    for left, top, (ink, _) in zip(lefts, tops, glyphs, strict=True):
        region = image[top : top + ink.shape[0], left : left + ink.shape[1]]
        np.maximum(region, ink, out=region)
        boxes.append((left, top, left + ink.shape[1], top + ink.shape[0]))
    return image, boxes


def digit_glyph(
    digit: int,
    rng: np.random.Generator,
    *,
    height: float,
    pen: float,
    mnist_image: np.ndarray | None = None,
) -> np.ndarray:
    """One handwritten digit about ``height`` px tall: the MNIST image given, enlarged, or else
    drawn with a ``pen`` px pen (``strokes.digit_ink``)."""
    if mnist_image is not None:
        return mnist_ink(mnist_image, height)
    return digit_ink(int(digit), rng, height=height, width=pen * rng.uniform(0.9, 1.1))


def write_line(
    text: str,
    rng: np.random.Generator,
    *,
    height: float = 64,
    mnist_images: list[np.ndarray] | None = None,
    gap: tuple[float, float] = (0.08, 0.35),
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """``text`` (digits and ``SEPARATORS``) handwritten on one baseline, digits about ``height``
    px tall: the ink (uint8, 255 on 0) and each character's box, left to right.

    Digits are drawn with strokes, or taken in order from ``mnist_images`` (one 28x28 MNIST
    image per digit of ``text``, whose labels must be those digits).
    """
    wanted = sum(c.isdigit() for c in text)
    if mnist_images is not None and len(mnist_images) != wanted:
        raise ValueError(f"{wanted} digits in {text!r} but {len(mnist_images)} MNIST images")
    pen = height * rng.uniform(*PEN_RANGE)
    glyphs, k = [], 0
    for char in text:
        if char.isdigit():
            h = height * rng.uniform(0.88, 1.12)
            image = None if mnist_images is None else mnist_images[k]
            ink = digit_glyph(int(char), rng, height=h, pen=pen, mnist_image=image)
            glyphs.append((ink, ink.shape[0]))
            k += 1
        else:
            glyphs.append(_separator(char, rng, height * rng.uniform(0.85, 1.15), pen))
    return _assemble(glyphs, rng, height, gap)
