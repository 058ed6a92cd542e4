"""Preparing a digit image the way MNIST's digits were prepared.

``prepare_image`` turns any image (see ``images.Source``: any size, mode, polarity and
lighting) into what MNIST's digits look like (LeCun's MNIST page): light ink on black, the digit
fitted into a 20x20 box keeping its aspect ratio, anti-aliased, and centred by its centre of mass
in 28x28. ``preparation_steps`` returns every stage, for the preparation figure.

The steps: flatten transparency; find the ink whatever its polarity, correcting uneven lighting;
remove the noise floor (refusing blank or pure-noise images); crop to the digit, ignoring specks;
thicken hairline strokes; fit to 20x20; centre in 28x28.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from PIL import Image
from scipy import ndimage

from mnistlib.errors import ImageError
from mnistlib.recognition.images import WORK_SIDE, Pixels, Source, read_image

# --- MNIST's own geometry (LeCun's MNIST page; measured on the training set) ---------------------
#: Side of an MNIST image, in pixels.
MNIST_SIDE = 28
#: Side of the box MNIST fits each digit into, keeping its aspect ratio (MNIST page).
MNIST_BOX = 20
#: Where MNIST's digits have their centre of mass, on average (row, column; 0 = first pixel):
#: the middle of 28x28 (MNIST page: centred by centre of mass).
MNIST_CENTRE = MNIST_SIDE / 2
#: Stroke width of an MNIST digit, in pixels of its 20x20 box (a typical MNIST stroke).
MNIST_STROKE = 2.2
#: Width / height given to an image whose digit fills it edge to edge (its own shape is lost).
#: MNIST's digits are taller than wide: median 0.8, a tenth of them (the 1s) 0.55 or less.
FILLED_FRAME_ASPECT = 0.7

# --- thresholds, set by hand on the image forms; ``mnistlib forms`` measures any change ---------
#: Below this neighbour-to-neighbour correlation of the ink, an image is noise, not strokes
#: (strokes correlate above 0.5 at any size; uniform noise near 0).
NOISE_CORRELATION = 0.2
#: Strongest ink (as a fraction of full contrast) below which an image counts as blank: 8% is
#: below the faintest pencil scan among the forms and above JPEG noise on white paper.
MIN_CONTRAST = 0.08
#: Noise floor = median + this many median absolute deviations of the ink (6 MADs ~ 4 standard
#: deviations of Gaussian noise: almost no noise pixel passes it).
NOISE_SPREADS = 6
#: A polarity (dark-on-light or light-on-dark) is taken when the ink differs from the edges' median
#: this many times more in one direction than the other; closer calls try both.
POLARITY_RATIO = 1.5
#: Uneven lighting is fitted only on images at least this many pixels a side (smaller images,
#: like MNIST's own, are lit evenly enough for one paper level: their edges' median).
MIN_LIGHTING_SIDE = 48
#: While fitting the lighting, blocks this many robust spreads darker than the fit are ink.
INK_SPREADS = 2.5
#: Alpha below this everywhere means a fully transparent image (10%: less is invisible on screen).
MIN_ALPHA = 0.1
#: Rows or columns holding less than this share of the median inked row's ink are specks.
SPECK_LINE_SHARE = 0.05
#: Ink of at least this strength reaching all four edges (within FRAME_MARGIN of the side) means a
#: digit stretched to fill its frame: MNIST's 20x20 box always leaves a 4-pixel margin (14%).
FRAME_INK = 0.4
FRAME_MARGIN = 0.08
#: Strokes thinner than this share of MNIST's (scaled to the box) are thickened; thicker are left.
THIN_STROKE = 0.6


def _resize(
    values: np.ndarray,
    size: tuple[int, int],
    resample: Image.Resampling = Image.Resampling.BOX,
    reducing_gap: float | None = None,
) -> np.ndarray:
    """Resize a float array (width, height order in ``size``) with anti-aliasing."""
    image = Image.fromarray(values.astype(np.float32, copy=False), mode="F")
    return np.asarray(image.resize(size, resample, reducing_gap=reducing_gap), dtype=np.float32)


def _shrink(values: np.ndarray) -> np.ndarray:
    height, width = values.shape
    side = max(height, width)
    if side <= WORK_SIDE:
        return values
    scale = WORK_SIDE / side
    return _resize(values, (max(1, round(width * scale)), max(1, round(height * scale))))


def _border(values: np.ndarray) -> np.ndarray:
    """The pixels of a frame 1/20 of the image wide (at least one pixel) around the edge."""
    frame = max(1, min(values.shape) // 20)
    return np.concatenate(
        [
            values[:frame].ravel(),
            values[-frame:].ravel(),
            values[:, :frame].ravel(),
            values[:, -frame:].ravel(),
        ]
    )


def _spread(deviations: np.ndarray) -> float:
    """A robust standard deviation of ``deviations`` from a fit (1.4826 x their median absolute
    value), plus 0.01 so that perfectly flat paper still leaves room for its noise."""
    size = np.abs(deviations).ravel()  # never empty (see _paper_level)
    half = len(size) // 2  # the median by one partition: np.median's checks cost more here
    part = np.partition(size, [half - 1, half] if len(size) % 2 == 0 else [half])
    middle = part[half] if len(size) % 2 else (part[half - 1] + part[half]) / 2
    return 1.4826 * float(middle) + 0.01


def _paper_level(paper: np.ndarray) -> np.ndarray:
    """The brightness the paper would have everywhere without ink (``paper``: ink dark).

    Photos are lit unevenly. A smooth (quadratic) surface is fitted to the brightest pixels of
    small blocks, leaving out blocks darker than the fit (ink) in a few rounds, so that even
    thick strokes do not pull the estimate down.
    """
    height, width = paper.shape
    if min(height, width) < MIN_LIGHTING_SIDE:
        return np.full_like(paper, np.median(_border(paper)))
    block = max(2, min(height, width) // 24)
    rows, cols = height // block, width // block
    blocks = paper[: rows * block, : cols * block].reshape(rows, block, cols, block)
    blocks = blocks.transpose(0, 2, 1, 3).reshape(rows * cols, -1)
    k = int(0.9 * (blocks.shape[1] - 1))
    level = np.partition(blocks, k, axis=1)[:, k]  # each block's 90th percentile
    y = np.repeat((np.arange(rows) + 0.5) / rows, cols)
    x = np.tile((np.arange(cols) + 0.5) / cols, rows)
    terms = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)
    # Start from the blocks as bright as most (paper is most of a page): ink-heavy blocks
    # would pull the first fit down and leave it bowed above the paper at the edges.
    middle = float(np.median(level))
    keep = level >= middle - INK_SPREADS * _spread(level - middle)
    for _ in range(4):
        kept = terms[keep]  # least squares by the 6x6 normal equations: cheap and exact enough
        coef = np.linalg.solve(kept.T @ kept + 1e-9 * np.eye(6), kept.T @ level[keep])
        residual = level - terms @ coef
        keep = residual > -INK_SPREADS * _spread(residual[keep])
        if keep.sum() < 12:
            return np.full_like(paper, np.median(_border(paper)))
    y = ((np.arange(height, dtype=np.float32) + 0.5) / height)[:, None]
    x = ((np.arange(width, dtype=np.float32) + 0.5) / width)[None, :]
    c = coef.astype(np.float32)
    return c[0] + c[1] * x + c[2] * y + c[3] * x * x + c[4] * x * y + c[5] * y * y


def _flatten(gray: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """One gray image in which the ink shows, whatever the transparency.

    A transparent background (drawing apps, canvases) carries the ink in the alpha channel,
    whatever colour the ink has: it becomes dark ink on white. Transparent holes in an opaque
    picture are the ink too: they are filled with the opposite of the paper's brightness.
    """
    if alpha is None:
        return gray
    if alpha.max() < MIN_ALPHA:
        raise ImageError("no visible digit: the image is fully transparent")
    edge = float(np.median(_border(alpha)))
    if edge < 0.5 and alpha.max() - edge > 0.25:
        return 1.0 - alpha
    if alpha.min() >= 1.0:
        return gray
    opaque = _border(alpha) >= 0.5
    paper = float(np.median(_border(gray)[opaque])) if opaque.any() else 1.0
    return gray * alpha + (1.0 - round(paper)) * (1.0 - alpha)


def _ink_on(paper: np.ndarray) -> np.ndarray:
    """Ink strength where ``paper`` is bright and the ink dark, corrected for the lighting."""
    level = np.maximum(_paper_level(paper), paper)
    # Lighting multiplies: ink as the fraction of the paper's local brightness it takes away.
    return np.clip((level - paper) / np.maximum(level, 0.1), 0.0, 1.0)


def _ink_map(gray: np.ndarray) -> np.ndarray:
    """Ink strength in [0, 1] (light ink on black), whatever the polarity and lighting.

    The ink is what differs most from the background (the edge's median). Where that is not
    clear (strong shadows reach darker than the ink elsewhere), both polarities are tried after
    correcting the lighting, and the one leaving less ink wins: ink is the smaller part.
    """
    background = float(np.median(_border(gray)))
    low, high = np.percentile(gray[::2, ::2], [0.5, 99.5])  # every 4th pixel is plenty
    dark, light = background - low, high - background
    if dark >= POLARITY_RATIO * light:
        return _ink_on(gray)
    if light >= POLARITY_RATIO * dark:
        return _ink_on(1.0 - gray)
    inks = [_ink_on(gray), _ink_on(1.0 - gray)]
    return min(inks, key=lambda ink: float(np.mean(ink > 0.5 * ink.max())))


def _has_strokes(ink: np.ndarray) -> bool:
    """Whether pixels resemble a neighbour in some direction (strokes do; noise does not).

    The correlation of the ink with itself shifted by one pixel, across, down and along both
    diagonals; the first direction above NOISE_CORRELATION settles it.
    """
    for a, b in (
        (ink[:, :-1], ink[:, 1:]),
        (ink[:-1], ink[1:]),
        (ink[:-1, :-1], ink[1:, 1:]),
        (ink[:-1, 1:], ink[1:, :-1]),
    ):
        if a.size < 2:
            continue
        a = a - np.float32(a.mean())
        b = b - np.float32(b.mean())
        norm = float(np.sqrt(float((a * a).sum()) * float((b * b).sum())))
        if norm > 0 and float((a * b).sum()) / norm >= NOISE_CORRELATION:
            return True
    return False


def clean(ink: np.ndarray) -> np.ndarray:
    """``ink`` with its noise floor removed and the strongest ink at 1. Raises ImageError when
    there is no visible ink, or only noise."""
    flat = ink.ravel()
    peak = float(np.partition(flat, -20)[-20]) if flat.size > 20 else float(flat.max())
    if peak < MIN_CONTRAST:
        raise ImageError("no visible digit: the image is blank or has almost no contrast")
    sample = flat[:: max(1, flat.size // 4096)]  # the noise floor needs no more pixels
    median = float(np.median(sample))
    spread = float(np.median(np.abs(sample - median)))
    floor = min(max(median + NOISE_SPREADS * spread, 0.25 * peak), 0.5 * peak)
    ink = np.clip((ink - floor) / max(peak - floor, 1e-6), 0.0, 1.0)
    if ink.max() <= 0:
        raise ImageError("no visible digit: the image is flat")
    if ink.size >= 64 and not _has_strokes(ink):
        raise ImageError("no visible digit: the image looks like noise, with no strokes")
    return ink


def _bounding_box(ink: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns holding the digit, ignoring isolated specks (by projection mass)."""
    rows, cols = ink.sum(axis=1), ink.sum(axis=0)

    def span(profile: np.ndarray) -> tuple[int, int]:
        inked = profile[profile > 0]
        keep = np.flatnonzero(profile > SPECK_LINE_SHARE * np.median(inked))
        # The largest run of kept positions, allowing small gaps (a broken stroke).
        gaps = np.flatnonzero(np.diff(keep) > max(2, len(profile) // 10))
        starts, ends = np.r_[keep[0], keep[gaps + 1]], np.r_[keep[gaps], keep[-1]]
        masses = [profile[s : e + 1].sum() for s, e in zip(starts, ends, strict=True)]
        best = int(np.argmax(masses))
        return int(starts[best]), int(ends[best]) + 1

    top, bottom = span(rows)
    left, right = span(cols)
    return top, bottom, left, right


def fills_frame(ink: np.ndarray, margin: float = FRAME_MARGIN, sides: float | None = None) -> bool:
    """Whether ink of ``FRAME_INK`` of the strongest or more reaches within ``margin`` of the
    side from the top and bottom of ``ink`` and ``sides`` (default ``margin``) from its left and
    right. MNIST's digits never do (a 20x20 box in 28x28). ``ink``: before the noise floor is
    removed, which would cut the faint edges of a stretch."""
    strong = ink > FRAME_INK * ink.max()
    rows, cols = np.flatnonzero(strong.any(axis=1)), np.flatnonzero(strong.any(axis=0))
    side, sides = max(ink.shape), margin if sides is None else sides
    return bool(len(rows)) and (
        max(rows[0], ink.shape[0] - 1 - rows[-1]) <= math.ceil(margin * side)
        and max(cols[0], ink.shape[1] - 1 - cols[-1]) <= math.ceil(sides * side)
    )


def _stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels: 2 x area / perimeter of the inked region."""
    solid = ink > 0.5
    area = solid.sum()
    if area == 0:
        return 0.0
    padded = np.pad(solid, 1)
    inner = padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2]
    inner &= padded[1:-1, 2:]
    perimeter = max(1, int(area - inner.sum()))
    return 2.0 * area / perimeter


def _thicken(ink: np.ndarray, box_side: int) -> np.ndarray:
    """Thicken hairline strokes so that, shrunk to 20x20, they are as wide as MNIST's."""
    target = MNIST_STROKE * box_side / MNIST_BOX
    width = _stroke_width(ink)
    if width <= 0 or width >= THIN_STROKE * target:
        return ink
    size = int(min(max(3, round(target - width)), 15)) | 1
    return ndimage.maximum_filter(ink, size, mode="nearest")


def _centre(digit: np.ndarray) -> np.ndarray:
    """Place the fitted digit in 28x28 so that its centre of mass sits at the centre."""
    height, width = digit.shape
    total = digit.sum()
    rows, cols = np.indices(digit.shape)
    com_r, com_c = (rows * digit).sum() / total, (cols * digit).sum() / total
    top = int(np.clip(round(MNIST_CENTRE - com_r), 0, MNIST_SIDE - height))
    left = int(np.clip(round(MNIST_CENTRE - com_c), 0, MNIST_SIDE - width))
    out = np.zeros((MNIST_SIDE, MNIST_SIDE), dtype=np.float32)
    out[top : top + height, left : left + width] = digit
    return out


def preparation_steps(source: Source, *, for_display: bool = False) -> dict[str, np.ndarray]:
    """Each stage of ``prepare_image``, in order: gray, ink, cropped, 28x28.

    With ``for_display=True`` the steps also hold the ``original`` (in colour, first) and the
    digit fitted to its ``20x20`` box (before ``28x28``): what the preparation figure shows.
    ``prepare_image`` never pays for those two.
    """
    return _steps(read_image(source), None, for_display)


def _steps(
    pixels: Pixels, keep: np.ndarray | None, for_display: bool = False
) -> dict[str, np.ndarray]:
    """``preparation_steps`` of decoded pixels; ``keep`` (any size, 0..1) masks the ink map."""
    gray = _flatten(pixels.gray, pixels.alpha)
    raw_ink = _ink_map(_shrink(gray))
    if keep is not None:
        keep = _resize(keep.astype(np.float32), (raw_ink.shape[1], raw_ink.shape[0]))
        raw_ink = raw_ink * keep
    ink = clean(raw_ink)
    height, width = ink.shape
    if width > FILLED_FRAME_ASPECT * height and fills_frame(raw_ink):
        # Ink from edge to edge: the digit was stretched to fill its image (or cropped to it),
        # so its own width is unknown. Give the image MNIST's typical proportions instead.
        ink = _resize(ink, (max(2, round(FILLED_FRAME_ASPECT * height)), height))
    top, bottom, left, right = _bounding_box(ink)
    cropped = ink[top:bottom, left:right]
    if cropped.sum() < 1.0:
        raise ImageError("no visible digit: only a few faint pixels")
    height, width = cropped.shape
    side = max(height, width)
    cropped = _thicken(cropped, side)
    scale = MNIST_BOX / side
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    fitted = np.clip(_resize(cropped, size, Image.Resampling.LANCZOS, reducing_gap=3.0), 0, 1)
    if fitted.max() <= 0:
        raise ImageError("no visible digit: the ink vanished when scaled down")
    fitted = fitted / fitted.max()
    centred = _centre(fitted)
    if not for_display:
        return {"gray": gray, "ink": ink, "cropped": cropped, "28x28": centred}
    return {
        "original": _original(pixels),
        "gray": gray,
        "ink": ink,
        "cropped": cropped,
        "20x20": _boxed(fitted),
        "28x28": centred,
    }


def _original(pixels: Pixels) -> np.ndarray:
    """The image as handed in, at working size: colour (and alpha) kept, for showing."""
    colour = pixels.colour()
    original = pixels.gray if colour is None else colour
    if pixels.alpha is not None:
        rgb = original if original.ndim == 3 else np.dstack([original] * 3)
        original = np.dstack([rgb, pixels.alpha])
    return original


def _boxed(fitted: np.ndarray) -> np.ndarray:
    """The fitted digit in the middle of its 20x20 box, for showing."""
    box = np.zeros((MNIST_BOX, MNIST_BOX), dtype=np.float32)
    top, left = (MNIST_BOX - fitted.shape[0]) // 2, (MNIST_BOX - fitted.shape[1]) // 2
    box[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return box


def raw_ink(pixels: Pixels) -> np.ndarray:
    """The ink of pixels already read, at their own size: light on black in [0, 1], whatever
    the polarity, lighting and transparency (``clean`` removes its noise floor)."""
    return _ink_map(_flatten(pixels.gray, pixels.alpha))


def prepare_pixels(pixels: Pixels, keep: np.ndarray | None = None) -> np.ndarray:
    """``prepare_image`` of pixels already read (``images.Decoded.pixels``: a number's digit
    read from its own box). ``keep``: where the ink is this digit's (1) and not a neighbour's
    (0), at any resolution covering the same box; it is resized to the working size."""
    return _steps(pixels, keep)["28x28"]


def prepare_image(source: Source) -> np.ndarray:
    """Any digit image as MNIST's (28, 28) float32 in [0, 1]: light ink on black, centred.

    ``source``: a path (str or PathLike), the bytes of an image file, a PIL image, or a NumPy
    array (2-D gray, HxWx3 or HxWx4). Raises ImageError when the input cannot be used, and
    FileNotFoundError for a missing path.
    """
    return preparation_steps(source)["28x28"]


def prepare_many(sources: Iterable[Source]) -> np.ndarray:
    """``prepare_image`` of each source, stacked: (n, 28, 28) float32."""
    return np.stack([prepare_image(source) for source in sources])
