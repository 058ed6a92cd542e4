"""Recognising a person's own digit image.

``prepare_image`` turns any image (a file, bytes, a PIL image or an array; any size, mode and
polarity) into what MNIST's digits look like: light ink on black, the digit fitted into a 20x20
box keeping its aspect ratio, anti-aliased, and centred by its centre of mass in 28x28.
``recognize`` runs a model on it; ``load_model`` loads a ``.keras`` model safely.

Every unusable input raises ``mnistlib.errors.ImageError`` with a message saying what is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import sys
import warnings
import weakref
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageOps, UnidentifiedImageError

from mnistlib.errors import ImageError, ModelLoadError

#: Images with more pixels than this are refused before their pixels are decoded.
MAX_PIXELS = 40_000_000
#: Working resolution: larger images are reduced to this longest side before processing.
WORK_SIDE = 128
#: Oldest Keras whose safe mode has no known bypass (CVE-2025-1550, -8747, -9905, -12060).
MIN_KERAS = (3, 13)
#: Stroke width of an MNIST digit, in pixels of its 20x20 box.
MNIST_STROKE = 2.2
#: Where MNIST's digits have their centre of mass, on average (row, column; 0 = first pixel).
MNIST_CENTRE = 14.0
#: Below this neighbour-to-neighbour correlation of the ink, an image is noise, not strokes.
NOISE_CORRELATION = 0.2
#: Width / height given to an image whose digit fills it edge to edge (its own shape is lost).
#: MNIST's digits are taller than wide: median 0.8, a tenth of them (the 1s) 0.55 or less.
FILLED_FRAME_ASPECT = 0.7

Source = Any  # str | os.PathLike | bytes | PIL.Image.Image | np.ndarray


# --- reading any source into a gray image ---------------------------------------------------
@dataclass
class _Pixels:
    """A decoded image at working size: gray levels in [0, 1] (0 = black), alpha if any.

    ``rgb`` keeps the colours: an HxWx3 array in [0, 1], or the decoded PIL image, converted
    only when the original is shown, so that recognising an image never pays for them.
    """

    gray: np.ndarray
    alpha: np.ndarray | None
    rgb: np.ndarray | Image.Image | None = None

    def colour(self) -> np.ndarray | None:
        """The colours at the size of ``gray`` (HxWx3 in [0, 1]); None for gray images."""
        if isinstance(self.rgb, Image.Image):
            size = (self.gray.shape[1], self.gray.shape[0])
            return _as_float(self.rgb.convert("RGB").resize(size, Image.Resampling.BOX))
        return self.rgb


def _too_large(width: int, height: int, name: str) -> ImageError:
    return ImageError(
        f"{name} is {width}x{height} pixels; images over {MAX_PIXELS // 1_000_000} "
        "megapixels are refused (scale it down first)"
    )


def _decode(stream: io.IOBase, name: str) -> Image.Image:
    """Open ``stream``, check the size from the header, then decode the first frame."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(
            f"{name} is refused: its header claims an enormous image (over "
            f"{MAX_PIXELS // 1_000_000} megapixels), a possible decompression bomb"
        ) from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not a readable image file") from None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise ImageError(f"{name} could not be read as an image ({err})") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_large(width, height, name)
    if width == 0 or height == 0:
        raise ImageError(f"{name} has no pixels ({width}x{height})")
    try:
        image.seek(0)  # animated images: the first frame
        if image.format == "JPEG":  # decode big photos at a reduced scale: much faster
            image.draft(image.mode, (WORK_SIDE, WORK_SIDE))
        image.load()
    except Image.DecompressionBombError:
        raise _too_large(width, height, name) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as err:
        raise ImageError(f"{name} is truncated or damaged ({err})") from None
    return image


def _open(source: Source) -> _Pixels:
    """Pixels of an image file given as a path or its bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageError("the image is empty (0 bytes)")
        return _from_pil(_decode(io.BytesIO(bytes(source)), "the image data"))
    path = Path(os.fspath(source))
    if not path.exists():
        raise FileNotFoundError(f"no such image file: {path}")
    if path.is_dir():
        raise ImageError(f"{path} is a folder, not an image file")
    if path.stat().st_size == 0:
        raise ImageError(f"{path.name} is empty (0 bytes)")
    with path.open("rb") as stream:
        return _from_pil(_decode(stream, path.name))


_REDUCIBLE = {"1": "L", "P": None, "PA": "RGBA", "La": "LA", "RGBa": "RGBA"}


def _fit_size(width: int, height: int) -> tuple[int, int]:
    """(width, height) with the longest side at most WORK_SIDE, keeping the aspect ratio."""
    scale = WORK_SIDE / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _as_float(image: Image.Image) -> np.ndarray:
    """An 8-bit PIL channel as float32 in [0, 1]."""
    return np.asarray(image, dtype=np.float32) * np.float32(1 / 255)


def _from_pil(image: Image.Image) -> _Pixels:
    """Gray levels, alpha and colour of a decoded PIL image, shrunk to the working size.

    The shrinking happens in Pillow on 8-bit pixels (an area average, so anti-aliased), before
    any per-pixel work in NumPy: that keeps recognition at a few milliseconds for any size.
    """
    with contextlib.suppress(Exception):  # a broken EXIF block must not stop recognition
        image = ImageOps.exif_transpose(image)
    mode = image.mode
    if mode == "P":
        mode = "RGBA" if "transparency" in image.info else "RGB"
    elif mode.startswith("I;16"):
        mode = "I"
    else:
        mode = _REDUCIBLE.get(mode) or mode
    if mode != image.mode:
        image = image.convert(mode)
    size = _fit_size(*image.size)
    alpha = None
    if mode in ("RGBA", "LA"):
        alpha = _as_float(image.getchannel("A").resize(size, Image.Resampling.BOX))
    if image.mode in ("I", "F"):
        factor = max(image.size) // WORK_SIDE
        if factor >= 2:
            image = image.reduce(factor)  # a box shrink; _shrink finishes the job in float
        values = np.asarray(image, dtype=np.float64)
        if not np.isfinite(values).all():
            raise ImageError("the image contains NaN or infinite values")
        return _Pixels(_scale_values(values).astype(np.float32), alpha)
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX...
    gray = image if image.mode == "L" else image.convert("L")  # from RGB(A): alpha left out
    gray = _as_float(gray.resize(size, Image.Resampling.BOX, reducing_gap=2.0))
    return _Pixels(gray, alpha, image if image.mode in ("RGB", "RGBA") else None)


def _scaling(low: float, high: float) -> tuple[float, float]:
    """(offset, divisor) taking numbers of unknown range to [0, 1].

    Ranges 0..1, 0..255 and 0..65535 are kept as they are (a faint digit stays faint); others,
    and anything negative, are stretched from their minimum to their maximum.
    """
    if low >= 0:
        for top in (1.0, 255.0, 65535.0):
            if high <= top:
                return 0.0, top
    return low, max(high - low, 1e-12)


def _scale_values(values: np.ndarray) -> np.ndarray:
    offset, divisor = _scaling(float(values.min()), float(values.max()))
    return (values - offset) / divisor


def _block_mean(values: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor`` x ``factor`` blocks (the array's own dtype in, float64 out)."""
    height, width = (values.shape[0] // factor) * factor, (values.shape[1] // factor) * factor
    out = np.empty((height // factor, width // factor, *values.shape[2:]))
    step = 64 * factor  # a few rows at a time: no full-size float copy of a big array
    for top in range(0, height, step):
        rows = values[top : min(top + step, height), :width].astype(np.float64)
        shape = (rows.shape[0] // factor, factor, width // factor, factor, *values.shape[2:])
        out[top // factor : (top + rows.shape[0]) // factor] = rows.reshape(shape).mean((1, 3))
    return out


def _from_array(array: np.ndarray) -> _Pixels:
    """Pixels of a NumPy array: 2-D gray, HxWx1, HxWx3 or HxWx4 (RGBA)."""
    if array.size == 0:
        raise ImageError(f"the array is empty (shape {array.shape})")
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ImageError(f"cannot read pixels of dtype {array.dtype}; use integers or floats")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise ImageError(
            f"expected a 2-D gray image or an HxWx3 / HxWx4 colour image, got shape {array.shape}"
        )
    height, width = array.shape[:2]
    if height * width > MAX_PIXELS:
        raise _too_large(width, height, "the array")
    if array.dtype == np.uint8 and array.max() > 1:  # the common case: Pillow does the work
        return _from_pil(Image.fromarray(np.ascontiguousarray(array)))
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ImageError("the array contains NaN or infinite values")
    offset, divisor = _scaling(float(array.min()), float(array.max()))
    factor = max(height, width) // WORK_SIDE
    values = _block_mean(array, factor) if factor >= 2 else array.astype(np.float64)
    values = ((values - offset) / divisor).astype(np.float32)
    alpha = colour = None
    if values.ndim == 3:
        if values.shape[-1] == 4:
            alpha = values[..., 3]
        colour = values[..., :3]
        values = colour @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return _Pixels(values, alpha, colour)


def _read(source: Source) -> _Pixels:
    if isinstance(source, Image.Image):
        if source.width * source.height > MAX_PIXELS:
            raise _too_large(source.width, source.height, "the image")
        if source.width == 0 or source.height == 0:
            raise ImageError("the image has no pixels")
        try:
            source.load()
        except (OSError, SyntaxError, ValueError, EOFError) as err:
            raise ImageError(f"the image is truncated or damaged ({err})") from None
        return _from_pil(source)
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        return _open(source)
    if not isinstance(source, np.ndarray) and hasattr(source, "__array__"):
        with contextlib.suppress(Exception):  # array-likes: TensorFlow tensors and such
            source = np.asarray(source)
    if isinstance(source, np.ndarray):
        return _from_array(source)
    raise ImageError(
        f"cannot read an image from a {type(source).__name__}; pass a path, bytes, "
        "a PIL image or a NumPy array"
    )


# --- from gray to MNIST's 28x28 -------------------------------------------------------------
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


def _rank_filter(values: np.ndarray, size: int, reduce) -> np.ndarray:
    """A separable ``size`` x ``size`` max or min filter (``reduce`` = np.max or np.min)."""
    half = size // 2
    out = values
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (half, half)
        padded = np.pad(out, pad, mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, size, axis=axis)
        out = reduce(windows, axis=-1)
    return out


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


def _paper_level(paper: np.ndarray) -> np.ndarray:
    """The brightness the paper would have everywhere without ink (``paper``: ink dark).

    Photos are lit unevenly. A smooth (quadratic) surface is fitted to the brightest pixels of
    small blocks, leaving out blocks darker than the fit (ink) in a few rounds, so that even
    thick strokes do not pull the estimate down.
    """
    height, width = paper.shape
    if min(height, width) < 48:
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
    keep = np.ones(level.shape, bool)
    for _ in range(4):
        kept = terms[keep]  # least squares by the 6x6 normal equations: cheap and exact enough
        coef = np.linalg.solve(kept.T @ kept + 1e-9 * np.eye(6), kept.T @ level[keep])
        residual = level - terms @ coef
        spread = 1.4826 * float(np.median(np.abs(residual[keep]))) + 0.01
        keep = residual > -2.5 * spread
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
    if alpha.max() < 0.1:
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
    if dark >= 1.5 * light:
        return _ink_on(gray)
    if light >= 1.5 * dark:
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


def _clean(ink: np.ndarray) -> np.ndarray:
    """Remove the noise floor and normalise the strongest ink to 1."""
    flat = ink.ravel()
    peak = float(np.partition(flat, -20)[-20]) if flat.size > 20 else float(flat.max())
    if peak < 0.08:
        raise ImageError("no visible digit: the image is blank or has almost no contrast")
    sample = flat[:: max(1, flat.size // 4096)]  # the noise floor needs no more pixels
    median = float(np.median(sample))
    spread = float(np.median(np.abs(sample - median)))
    floor = min(max(median + 6 * spread, 0.25 * peak), 0.5 * peak)
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
        keep = np.flatnonzero(profile > 0.05 * np.median(inked))
        # The largest run of kept positions, allowing small gaps (a broken stroke).
        gaps = np.flatnonzero(np.diff(keep) > max(2, len(profile) // 10))
        starts, ends = np.r_[keep[0], keep[gaps + 1]], np.r_[keep[gaps], keep[-1]]
        masses = [profile[s : e + 1].sum() for s, e in zip(starts, ends, strict=True)]
        best = int(np.argmax(masses))
        return int(starts[best]), int(ends[best]) + 1

    top, bottom = span(rows)
    left, right = span(cols)
    return top, bottom, left, right


def _fills_frame(ink: np.ndarray) -> bool:
    """Whether ink of at least 40% strength reaches all four edges (within 8% of the side).

    MNIST's digits never do: their 20x20 box leaves 8 rows of margin in 28x28. ``ink`` is the
    ink map before the noise floor is removed, which would cut the faint edges of a stretch.
    """
    height, width = ink.shape
    strong = ink > 0.4 * ink.max()
    rows, cols = np.flatnonzero(strong.any(axis=1)), np.flatnonzero(strong.any(axis=0))
    if len(rows) == 0:
        return False
    margin = math.ceil(0.08 * max(height, width))
    return max(rows[0], cols[0], height - 1 - rows[-1], width - 1 - cols[-1]) <= margin


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
    target = MNIST_STROKE * box_side / 20.0
    width = _stroke_width(ink)
    if width <= 0 or width >= 0.6 * target:
        return ink
    size = int(min(max(3, round(target - width)), 15)) | 1
    return _rank_filter(ink, size, np.max)


def _centre(digit: np.ndarray) -> np.ndarray:
    """Place the fitted digit in 28x28 so that its centre of mass sits at the centre."""
    height, width = digit.shape
    total = digit.sum()
    rows, cols = np.indices(digit.shape)
    com_r, com_c = (rows * digit).sum() / total, (cols * digit).sum() / total
    top = int(np.clip(round(MNIST_CENTRE - com_r), 0, 28 - height))
    left = int(np.clip(round(MNIST_CENTRE - com_c), 0, 28 - width))
    out = np.zeros((28, 28), dtype=np.float32)
    out[top : top + height, left : left + width] = digit
    return out


def preparation_steps(source: Source) -> dict[str, np.ndarray]:
    """Each stage of ``prepare_image``, in order: original, gray, ink, cropped, 20x20, 28x28."""
    pixels = _read(source)
    gray = _flatten(pixels.gray, pixels.alpha)
    colour = pixels.colour()
    original = pixels.gray if colour is None else colour
    if pixels.alpha is not None:
        rgb = original if original.ndim == 3 else np.dstack([original] * 3)
        original = np.dstack([rgb, pixels.alpha])
    raw_ink = _ink_map(_shrink(gray))
    ink = _clean(raw_ink)
    height, width = ink.shape
    if width > FILLED_FRAME_ASPECT * height and _fills_frame(raw_ink):
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
    scale = 20.0 / side
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    fitted = np.clip(_resize(cropped, size, Image.Resampling.LANCZOS, reducing_gap=3.0), 0, 1)
    if fitted.max() <= 0:
        raise ImageError("no visible digit: the ink vanished when scaled down")
    fitted = fitted / fitted.max()
    centred = _centre(fitted)
    box = np.zeros((20, 20))
    box[(20 - size[1]) // 2 : (20 - size[1]) // 2 + size[1],
        (20 - size[0]) // 2 : (20 - size[0]) // 2 + size[0]] = fitted  # fmt: skip
    return {
        "original": original,
        "gray": gray,
        "ink": ink,
        "cropped": cropped,
        "20x20": box,
        "28x28": centred.astype(np.float32),
    }


def prepare_image(source: Source) -> np.ndarray:
    """Any digit image as MNIST's (28, 28) float32 in [0, 1]: light ink on black, centred.

    ``source``: a path (str or PathLike), the bytes of an image file, a PIL image, or a NumPy
    array (2-D gray, HxWx3 or HxWx4). Raises ImageError when the input cannot be used, and
    FileNotFoundError for a missing path.
    """
    return preparation_steps(source)["28x28"]


def preparation_figure(source: Source) -> Figure:
    """The preparation steps side by side, each titled."""
    steps = preparation_steps(source)
    titles = {
        "original": "original",
        "gray": "gray",
        "ink": "ink (light on dark)",
        "cropped": "cropped",
        "20x20": "fitted to 20x20",
        "28x28": "centred in 28x28",
    }
    fig = Figure(figsize=(13, 2.6), layout="constrained")
    axes = fig.subplots(1, len(steps))
    for ax, (name, image) in zip(axes, steps.items(), strict=True):
        cmap = None if image.ndim == 3 else "gray"
        ax.imshow(image, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{titles[name]}\n{image.shape[1]}x{image.shape[0]}", fontsize=9)
        ax.set_axis_off()
    fig.suptitle("From the image handed in to what the model sees")
    return fig


# --- models ----------------------------------------------------------------------------------
def _keras_version() -> tuple[int, ...]:
    import keras

    return tuple(int(p) for p in keras.__version__.split(".")[:2] if p.isdigit())


def _check_model(model: Any, name: str) -> None:
    try:
        in_shape = tuple(model.input_shape)
        out_shape = tuple(model.output_shape)
    except (AttributeError, ValueError, TypeError) as err:
        raise ModelLoadError(f"{name} is not a single-input Keras model ({err})") from None
    if in_shape[1:] not in ((28, 28, 1), (28, 28), (784,)):
        raise ModelLoadError(f"{name} takes inputs of shape {in_shape[1:]}, not 28x28 digit images")
    if out_shape[1:] != (10,):
        raise ModelLoadError(f"{name} has outputs of shape {out_shape[1:]}, not 10 digit scores")


def load_model(path: str | os.PathLike) -> Any:
    """Load a ``.keras`` digit classifier with Keras' safe mode; refuse anything else.

    Raises ModelLoadError for a missing, corrupt, unsafe, legacy (``.h5``) or wrong-shaped
    model, with a message saying which.
    """
    import keras

    path = Path(os.fspath(path))
    if _keras_version() < MIN_KERAS:
        raise ModelLoadError(
            f"Keras {keras.__version__} has known safe-mode bypasses; upgrade to Keras "
            f"{'.'.join(map(str, MIN_KERAS))} or newer before loading models"
        )
    if path.suffix.lower() in (".h5", ".hdf5"):
        raise ModelLoadError(
            f"{path.name} is a legacy HDF5 model: Keras' safe mode does not apply to it, so it is "
            "refused. Re-save the model as .keras with a trusted Keras."
        )
    if path.suffix.lower() != ".keras":
        raise ModelLoadError(f"{path.name} is not a .keras model file")
    if not path.is_file():
        raise ModelLoadError(f"no model at {path} (run `make run` to train and save the models)")
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(f"{path.name} is corrupt: not a .keras (zip) archive")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as err:  # Keras raises many types for damaged or unsafe files
        first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise ModelLoadError(f"{path.name} could not be loaded safely: {first}") from None
    _check_model(model, path.name)
    return model


# --- recognition -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Recognition:
    """What ``recognize`` found: the digit, the ten probabilities and the prepared 28x28."""

    digit: int
    probabilities: np.ndarray
    image: np.ndarray

    @property
    def confidence(self) -> float:
        """The probability of the recognised digit."""
        return float(self.probabilities[self.digit])


_PREDICTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _predictor(model: Any):
    """A compiled function calling the model (``model.predict`` costs ~35 ms per call).

    One per model, traced once for any batch size. It holds the model weakly, so a model that is
    no longer used can still be freed.
    """
    fn = _PREDICTORS.get(model)
    if fn is None:
        import tensorflow as tf

        _check_model(model, getattr(model, "name", "the model"))
        shape = (None, *tuple(model.input_shape)[1:])
        ref = weakref.ref(model)

        @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32)], reduce_retracing=True)
        def fn(x):
            return ref()(x, training=False)

        _PREDICTORS[model] = fn
    return fn


def _as_probabilities(outputs: np.ndarray) -> np.ndarray:
    outputs = outputs.astype(np.float64)
    sums = outputs.sum(axis=1, keepdims=True)
    if (outputs >= 0).all() and np.allclose(sums, 1.0, atol=1e-3):
        return outputs / sums
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))  # logits: apply softmax
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict_probabilities(model: Any, images: np.ndarray) -> np.ndarray:
    """Probabilities (n, 10) for prepared images (n, 28, 28) in [0, 1], in one model call.

    The images are reshaped to the model's input ((28, 28, 1), (28, 28) or (784,)); a model
    ending in logits gets a softmax.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 2:
        images = images[None]
    if len(images) == 0:
        return np.zeros((0, 10))
    shape = tuple(model.input_shape)[1:]
    fn = _predictor(model)
    outputs = np.asarray(fn(images.reshape((len(images), *shape))))
    return _as_probabilities(outputs)


def recognize_many(model: Any, sources: Iterable[Source]) -> list[Recognition]:
    """Recognise several images in one model call (each prepared with ``prepare_image``)."""
    images = [prepare_image(source) for source in sources]
    if not images:
        return []
    probabilities = predict_probabilities(model, np.stack(images))
    return [
        Recognition(digit=int(np.argmax(p)), probabilities=p, image=image)
        for p, image in zip(probabilities, images, strict=True)
    ]


def recognize(model: Any, source: Source) -> Recognition:
    """Recognise the digit in one image (see ``prepare_image`` for what ``source`` may be)."""
    return recognize_many(model, [source])[0]


# --- command line ----------------------------------------------------------------------------
def cli_main(argv: list[str] | None = None) -> int:
    """``python -m mnistlib recognize IMAGE... [--model PATH]``."""
    from mnistlib.paths import default_model_path

    parser = argparse.ArgumentParser(
        prog="python -m mnistlib recognize", description="Print the digit in each image file."
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument("--model", type=Path, default=None, help="a .keras model (default: "
                        "models/digit_recognizer.keras, saved by `make run`)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model or default_model_path())
    except ModelLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for name in args.images:
        try:
            result = recognize(model, name)
        except (ImageError, FileNotFoundError, PermissionError) as err:
            failed += 1
            print(f"{name}: error: {err}", file=sys.stderr)
            continue
        print(f"{name}: {result.digit} (confidence {result.confidence:.1%})", flush=True)
    return 1 if failed else 0
