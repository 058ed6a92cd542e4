"""Reading a digit image from any source, safely: a path, file bytes, a PIL image or an array.

``read_image`` decodes the source (Pillow for files, with the size checked from the header before
any pixel is decoded, so a decompression bomb is refused cheaply), applies the EXIF orientation,
and shrinks it to at most ``WORK_SIDE`` pixels a side. What comes back is a ``Pixels``: gray
levels in [0, 1], the alpha channel if any, and the colours (converted only when shown).

Every unusable input raises ``mnistlib.errors.ImageError`` with a message saying what is wrong.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeAlias

import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from mnistlib.errors import ImageError
from mnistlib.recognition import page

#: Images with more pixels than this are refused before their pixels are decoded (a digit needs a
#: few thousand pixels), unless they are JPEGs, which are decoded at a reduced scale (below).
MAX_PIXELS = 40_000_000
#: JPEGs up to this many pixels are read: phone photos reach 48-200 MP. libjpeg decodes them at
#: 1/8 scale (Pillow's draft mode), so a 200 MP photo takes the memory of a 3 MP one.
MAX_JPEG_PIXELS = 200_000_000
#: A JPEG is decoded at the smallest scale libjpeg offers (1/2 to 1/8) that keeps at least this
#: many pixels on its shorter side: a photo of a sheet on a desk keeps its digits 20-80 px tall
#: once the sheet is cut out and straightened (at 1/8 they were 10-40 px and read worse).
DRAFT_SIDE = 768
#: The first bytes of every JPEG file (JFIF, EXIF and the multi-picture MPO of phones alike).
JPEG_MAGIC = b"\xff\xd8\xff"
#: Working resolution: larger images are reduced to this longest side before any per-pixel work.
#: 128 is over four times MNIST's 28: enough detail for the 20x20 box, and it keeps the
#: preparation at a few milliseconds whatever the image's size.
WORK_SIDE = 128

#: What an image may be handed in as: a path, the bytes of an image file, a PIL image, or a
#: NumPy array (2-D gray, HxWx1, HxWx3 or HxWx4); array-likes such as tensors are converted.
#: A rectangle of an image: (left, top, right, bottom) in pixels, right and bottom exclusive.
Box: TypeAlias = tuple[int, int, int, int]

Source: TypeAlias = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | Image.Image | np.ndarray
)


@dataclass
class Pixels:
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


def _too_large(width: int, height: int, name: str, limit: int = MAX_PIXELS) -> ImageError:
    return ImageError(
        f"{name} is {width}x{height} pixels; images over {limit // 1_000_000} "
        "megapixels are refused (scale it down first)"
    )


def _header(stream: BinaryIO, name: str) -> Image.Image:
    """The image in ``stream``, opened from its header only (no pixel decoded).

    A JPEG is opened by Pillow's JPEG reader directly: ``Image.open`` would refuse the large
    phone photos that ``_decode`` reads at a reduced scale. Anything else goes through
    ``Image.open`` with its decompression-bomb guard turned into a refusal.
    """
    start = stream.tell()
    is_jpeg = stream.read(len(JPEG_MAGIC)) == JPEG_MAGIC
    stream.seek(start)
    try:
        if is_jpeg:
            return JpegImagePlugin.JpegImageFile(stream)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(stream)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(
            f"{name} is refused: its header claims an enormous image (over "
            f"{MAX_PIXELS // 1_000_000} megapixels), a possible decompression bomb"
        ) from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not a readable image file") from None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise ImageError(f"{name} could not be read as an image ({err})") from None


def _decode(stream: BinaryIO, name: str) -> Image.Image:
    """Open ``stream``, check the size from the header, then decode the first frame (a JPEG
    at the smallest scale libjpeg offers that keeps WORK_SIDE pixels a side)."""
    image = _header(stream, name)
    width, height = image.size
    is_jpeg = image.format in ("JPEG", "MPO")
    limit = MAX_JPEG_PIXELS if is_jpeg else MAX_PIXELS
    if width * height > limit:
        raise _too_large(width, height, name, limit)
    if width == 0 or height == 0:
        raise ImageError(f"{name} has no pixels ({width}x{height})")
    try:
        image.seek(0)  # animated images: the first frame
        if is_jpeg:  # decode big photos at a reduced scale: much faster, far less memory
            image.draft(image.mode, (DRAFT_SIDE, DRAFT_SIDE))
            if image.size[0] * image.size[1] > MAX_PIXELS:  # a strip too thin to reduce
                raise _too_large(width, height, name)
        image.load()
    except Image.DecompressionBombError:
        raise _too_large(width, height, name) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as err:
        raise ImageError(f"{name} is truncated or damaged ({err})") from None
    return image


def _open(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> Image.Image:
    """The decoded image of a file given as a path or its bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageError("the image is empty (0 bytes)")
        return _decode(io.BytesIO(bytes(source)), "the image data")
    path = Path(os.fspath(source))
    if not path.exists():
        raise FileNotFoundError(f"no such image file: {path}")
    if path.is_dir():
        raise ImageError(f"{path} is a folder, not an image file")
    if path.stat().st_size == 0:
        raise ImageError(f"{path.name} is empty (0 bytes)")
    with path.open("rb") as stream:
        return _decode(stream, path.name)


_REDUCIBLE = {"1": "L", "P": None, "PA": "RGBA", "La": "LA", "RGBa": "RGBA"}


def _fit_size(
    width: int, height: int, side: int = WORK_SIDE, area: int | None = None
) -> tuple[int, int]:
    """(width, height) with the longest side at most ``side`` (and, given ``area``, at most
    that many pixels in all), keeping the aspect ratio."""
    scale = side / max(width, height)
    if area is not None:
        scale = min(scale, (area / (width * height)) ** 0.5)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _as_float(image: Image.Image) -> np.ndarray:
    """An 8-bit PIL channel as float32 in [0, 1]."""
    return np.asarray(image, dtype=np.float32) * np.float32(1 / 255)


def _normalised(image: Image.Image) -> Image.Image:
    """A decoded PIL image turned by its EXIF orientation, in a mode ``_from_pil`` reads."""
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
    return image


def _from_pil(
    image: Image.Image, box: Box | None = None, side: int = WORK_SIDE, area: int | None = None
) -> Pixels:
    """Gray levels, alpha and colour of a ``_normalised`` PIL image (or of its ``box``), shrunk
    to at most ``side`` pixels a side (and ``area`` pixels in all).

    The shrinking happens in Pillow on 8-bit pixels (an area average, so anti-aliased), before
    any per-pixel work in NumPy: that keeps recognition at a few milliseconds for any size.
    """
    if box is not None:
        image = image.crop(box)
    mode = image.mode
    size = _fit_size(*image.size, side=side, area=area)
    alpha = None
    if mode in ("RGBA", "LA"):
        alpha = _as_float(image.getchannel("A").resize(size, Image.Resampling.BOX))
    if image.mode in ("I", "F"):
        factor = image.size[0] // size[0]
        if factor >= 2:
            image = image.reduce(factor)  # a box shrink; _shrink finishes the job in float
        values = np.asarray(image, dtype=np.float64)
        if not np.isfinite(values).all():
            raise ImageError("the image contains NaN or infinite values")
        return Pixels(_scale_values(values).astype(np.float32), alpha)
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX...
    luminance = image if image.mode == "L" else image.convert("L")  # from RGB(A): no alpha
    gray = _as_float(luminance.resize(size, Image.Resampling.BOX, reducing_gap=2.0))
    return Pixels(gray, alpha, image if image.mode in ("RGB", "RGBA") else None)


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


def _checked_array(array: np.ndarray) -> np.ndarray | Image.Image:
    """A NumPy array made ready to read (2-D gray, HxWx1, HxWx3 or HxWx4 RGBA): as a PIL image
    for the common 8-bit case, else the array itself."""
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
        return _normalised(Image.fromarray(np.ascontiguousarray(array)))
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ImageError("the array contains NaN or infinite values")
    return array


def _from_array(
    array: np.ndarray,
    scaling: tuple[float, float],
    box: Box | None = None,
    side: int = WORK_SIDE,
    area: int | None = None,
) -> Pixels:
    """Pixels of a checked array (or of its ``box``), values taken to [0, 1] by ``scaling``
    ((offset, divisor) of the whole array), shrunk as ``_from_pil`` shrinks."""
    if box is not None:
        array = array[box[1] : box[3], box[0] : box[2]]
    offset, divisor = scaling
    height, width = array.shape[:2]
    factor = width // _fit_size(width, height, side=side, area=area)[0]
    values = _block_mean(array, factor) if factor >= 2 else array.astype(np.float64)
    values = ((values - offset) / divisor).astype(np.float32)
    alpha = colour = None
    if values.ndim == 3:
        if values.shape[-1] == 4:
            alpha = values[..., 3]
        colour = values[..., :3]
        values = colour @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return Pixels(values, alpha, colour)


@dataclass
class Decoded:
    """An image decoded once, at its full size, from which ``Pixels`` of the whole or of any box
    are read at any working size (``pixels``): a number's digits are each read from their own
    box's original pixels, as if each had been handed in alone."""

    image: Image.Image | np.ndarray
    scaling: tuple[float, float] = (0.0, 1.0)  #: (offset, divisor) of an array's values
    #: In a photo of a sheet on a desk: the sheet's corners (x, y; top-left, top-right,
    #: bottom-right, bottom-left) in the photo as decoded; ``image`` is then the sheet alone,
    #: straightened, and boxes in it are in the straightened sheet's pixels. None otherwise.
    page: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels, after the EXIF orientation."""
        if isinstance(self.image, Image.Image):
            return self.image.size
        return self.image.shape[1], self.image.shape[0]

    def pixels(
        self, box: Box | None = None, *, side: int = WORK_SIDE, area: int | None = None
    ) -> Pixels:
        """Gray levels (and alpha) of ``box`` (left, top, right, bottom; default the whole),
        shrunk to at most ``side`` pixels a side and ``area`` pixels in all."""
        if box is not None:
            width, height = self.size
            box = (max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3]))
            if box[2] <= box[0] or box[3] <= box[1]:
                raise ImageError(f"the box {box} holds no pixels of the image")
        if isinstance(self.image, Image.Image):
            return _from_pil(self.image, box, side, area)
        return _from_array(self.image, self.scaling, box, side, area)


def _on_page(image: Image.Image) -> Decoded:
    """``image`` decoded; a photo of a sheet on a desk as the sheet alone, straightened."""
    found = page.read_sheet(image)
    if found is None:
        return Decoded(image)
    return Decoded(found[0], page=found[1])


def decode(source: Source) -> Decoded:
    """Decode ``source`` (see ``Source``) once, at full size, checking it as ``read_image`` does.
    A photo of a sheet of paper on a desk is decoded as the sheet alone, straightened
    (``page.find_sheet``; ``Decoded.page`` then holds its corners in the photo).

    Raises ImageError for anything unusable (too large, empty, damaged, not an image) and
    FileNotFoundError for a missing path.
    """
    if isinstance(source, Image.Image):
        if source.width * source.height > MAX_PIXELS:
            raise _too_large(source.width, source.height, "the image")
        if source.width == 0 or source.height == 0:
            raise ImageError("the image has no pixels")
        try:
            source.load()
        except (OSError, SyntaxError, ValueError, EOFError) as err:
            raise ImageError(f"the image is truncated or damaged ({err})") from None
        return _on_page(_normalised(source))
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        return _on_page(_normalised(_open(source)))
    if not isinstance(source, np.ndarray) and hasattr(source, "__array__"):
        with contextlib.suppress(Exception):  # array-likes: TensorFlow tensors and such
            source = np.asarray(source)
    if isinstance(source, np.ndarray):
        checked = _checked_array(source)
        if isinstance(checked, Image.Image):
            return _on_page(checked)
        return Decoded(checked, _scaling(float(checked.min()), float(checked.max())))
    raise ImageError(
        f"cannot read an image from a {type(source).__name__}; pass a path, bytes, "
        "a PIL image or a NumPy array"
    )


def read_image(source: Source) -> Pixels:
    """Decode ``source`` (see ``Source``) into gray levels at working size, with its alpha.

    Raises ImageError for anything unusable (too large, empty, damaged, not an image) and
    FileNotFoundError for a missing path.
    """
    return decode(source).pixels()
