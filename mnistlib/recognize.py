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
WORK_SIDE = 192
#: Oldest Keras whose safe mode has no known bypass (CVE-2025-1550, -8747, -9905, -12060).
MIN_KERAS = (3, 13)
#: Stroke width of an MNIST digit, in pixels of its 20x20 box.
MNIST_STROKE = 2.2

Source = Any  # str | os.PathLike | bytes | PIL.Image.Image | np.ndarray


# --- reading any source into a gray image ---------------------------------------------------
def _open(source: Source) -> Image.Image:
    """A PIL image from a path or bytes, refusing huge images before decoding their pixels."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageError("the image is empty (0 bytes)")
        stream, name = io.BytesIO(bytes(source)), "the image data"
    else:
        path = Path(os.fspath(source))
        if not path.exists():
            raise FileNotFoundError(f"no such image file: {path}")
        if path.is_dir():
            raise ImageError(f"{path} is a folder, not an image file")
        if path.stat().st_size == 0:
            raise ImageError(f"{path.name} is empty (0 bytes)")
        stream, name = path.open("rb"), path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(f"{name} is not a readable image file") from None
    except OSError as err:
        raise ImageError(f"{name} could not be read as an image ({err})") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"{name} is {width}x{height} pixels; images over {MAX_PIXELS // 1_000_000} "
            "megapixels are refused (scale it down first)"
        )
    if width == 0 or height == 0:
        raise ImageError(f"{name} has no pixels ({width}x{height})")
    try:
        image.seek(0)  # animated images: the first frame
        if image.format == "JPEG":  # decode big photos at a reduced scale: much faster
            image.draft(image.mode, (WORK_SIDE, WORK_SIDE))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ImageError(f"{name} is truncated or damaged ({err})") from None
    return image


def _ink_from_alpha(alpha: np.ndarray) -> np.ndarray | None:
    """Transparent-background images carry the ink in the alpha channel."""
    if alpha.min() < 0.9 and alpha.max() > 0.5:
        return alpha
    return None


def _pil_to_arrays(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Gray levels in [0, 1] (0 = black) and, if the image has real transparency, the alpha."""
    with contextlib.suppress(Exception):  # a broken EXIF block must not stop recognition
        image = ImageOps.exif_transpose(image)
    factor = max(image.size) // WORK_SIDE
    if factor >= 2 and image.mode in ("L", "LA", "RGB", "RGBA", "I", "F", "I;16"):
        image = image.reduce(factor)  # fast box shrink before any per-pixel work
    mode = image.mode
    alpha = None
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode == "PA":
        image = image.convert("RGBA")
    mode = image.mode
    if mode in ("RGBA", "LA", "RGBa", "La"):
        alpha = np.asarray(image.getchannel("A"), dtype=np.float32) / 255.0
        image = image.convert("RGB" if mode.startswith("RGB") else "L")
        mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        gray = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") else None
        gray = _scale_float(gray, top)
    else:
        if mode not in ("L", "RGB"):
            image = image.convert("RGB")  # CMYK, YCbCr, 1, LAB, HSV...
        gray = np.asarray(image.convert("L"), dtype=np.float64) / 255.0
    return gray, alpha


def _scale_float(values: np.ndarray, top: float | None = None) -> np.ndarray:
    if top is not None:
        return values / top
    low, high = float(values.min()), float(values.max())
    if low >= 0 and high <= 1:
        return values
    if low >= 0 and high <= 255:
        return values / 255.0
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def _array_to_arrays(array: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    if array.size == 0:
        raise ImageError(f"the array is empty (shape {array.shape})")
    if array.dtype == bool:
        array = array.astype(np.float64)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ImageError(f"cannot read pixels of dtype {array.dtype}; use integers or floats")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise ImageError(
            f"expected a 2-D gray image or an HxWx3 / HxWx4 colour image, got shape {array.shape}"
        )
    values = array.astype(np.float64)
    if not np.isfinite(values).all():
        raise ImageError("the array contains NaN or infinite values")
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        top = 255.0 if values.max() <= 255 and info.max >= 255 else float(max(values.max(), 1))
        values = np.clip(values, 0, None) / top
    else:
        values = _scale_float(values)
    alpha = None
    if values.ndim == 3:
        if values.shape[-1] == 4:
            alpha = values[..., 3]
        rgb = values[..., :3]
        values = rgb @ np.array([0.299, 0.587, 0.114])
    return values, alpha


def _to_gray_and_alpha(source: Source) -> tuple[np.ndarray, np.ndarray | None]:
    if isinstance(source, np.ndarray):
        return _array_to_arrays(source)
    if isinstance(source, Image.Image):
        if source.width * source.height > MAX_PIXELS:
            raise ImageError(f"the image is {source.width}x{source.height} pixels: too large")
        if source.width == 0 or source.height == 0:
            raise ImageError("the image has no pixels")
        return _pil_to_arrays(source)
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        return _pil_to_arrays(_open(source))
    raise ImageError(
        f"cannot read an image from a {type(source).__name__}; pass a path, bytes, "
        "a PIL image or a NumPy array"
    )


# --- from gray to MNIST's 28x28 -------------------------------------------------------------
def _resize(values: np.ndarray, size: tuple[int, int], resample=Image.Resampling.BOX) -> np.ndarray:
    """Resize a float array (width, height order in ``size``) with anti-aliasing."""
    image = Image.fromarray(values.astype(np.float32), mode="F")
    return np.asarray(image.resize(size, resample), dtype=np.float64)


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


def _ink_map(gray: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Ink strength in [0, 1] (light ink on black), whatever the polarity and lighting."""
    if alpha is not None:
        ink = _ink_from_alpha(alpha)
        if ink is not None:
            return ink
    height, width = gray.shape
    frame = max(1, min(height, width) // 20)
    border = np.concatenate(
        [
            gray[:frame].ravel(),
            gray[-frame:].ravel(),
            gray[:, :frame].ravel(),
            gray[:, -frame:].ravel(),
        ]
    )
    light_paper = np.median(border) > 0.5
    paper = gray if light_paper else 1.0 - gray  # paper bright, ink dark
    if min(height, width) >= 48:
        # Uneven lighting: estimate the paper's local brightness by erasing the (thin, dark)
        # strokes with a max filter, on a quarter-size copy for speed, smoothed by upscaling.
        small = _resize(paper, (max(1, width // 4), max(1, height // 4)))
        size = min(max(3, (min(small.shape) // 6) | 1), 15)
        small = _rank_filter(_rank_filter(small, size, np.max), size, np.min)
        background = _resize(small, (width, height), Image.Resampling.BILINEAR)
    else:
        background = np.full_like(paper, np.median(border if light_paper else 1.0 - border))
    background = np.maximum(background, paper)
    return np.clip(background - paper, 0.0, 1.0)


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
    top = int(np.clip(round(13.5 - com_r), 0, 28 - height))
    left = int(np.clip(round(13.5 - com_c), 0, 28 - width))
    out = np.zeros((28, 28), dtype=np.float64)
    out[top : top + height, left : left + width] = digit
    return out


def preparation_steps(source: Source) -> dict[str, np.ndarray]:
    """Each stage of ``prepare_image``, in order: original, gray, ink, cropped, 20x20, 28x28."""
    gray, alpha = _to_gray_and_alpha(source)
    original = gray if alpha is None else np.dstack([gray, gray, gray, alpha])
    gray_work = _shrink(gray)
    alpha_work = None if alpha is None else _shrink(alpha)
    ink = _clean(_ink_map(gray_work, alpha_work))
    top, bottom, left, right = _bounding_box(ink)
    cropped = ink[top:bottom, left:right]
    if cropped.sum() < 1.0:
        raise ImageError("no visible digit: only a few faint pixels")
    height, width = cropped.shape
    side = max(height, width)
    cropped = _thicken(cropped, side)
    scale = 20.0 / side
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    fitted = np.clip(_resize(cropped, size, Image.Resampling.LANCZOS), 0.0, 1.0)
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
    """A compiled function calling the model (``model.predict`` costs ~35 ms per call)."""
    fn = _PREDICTORS.get(model)
    if fn is None:
        import tensorflow as tf

        _check_model(model, getattr(model, "name", "the model"))
        shape = (None, *tuple(model.input_shape)[1:])

        @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32)], reduce_retracing=True)
        def fn(x):
            return model(x, training=False)

        _PREDICTORS[model] = fn
    return fn


def _as_probabilities(outputs: np.ndarray) -> np.ndarray:
    outputs = outputs.astype(np.float64)
    sums = outputs.sum(axis=1, keepdims=True)
    if (outputs >= 0).all() and np.allclose(sums, 1.0, atol=1e-3):
        return outputs / sums
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))  # logits: apply softmax
    return shifted / shifted.sum(axis=1, keepdims=True)


def recognize_many(model: Any, sources: Iterable[Source]) -> list[Recognition]:
    """Recognise several images in one model call."""
    images = [prepare_image(source) for source in sources]
    if not images:
        return []
    batch = np.stack(images).astype(np.float32)
    shape = tuple(model.input_shape)[1:]
    outputs = np.asarray(_predictor(model)(batch.reshape((len(images), *shape))))
    probabilities = _as_probabilities(outputs)
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
