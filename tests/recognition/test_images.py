"""mnistlib.recognition.images: what cannot be read is refused with a clear ImageError, and
huge images are refused from their header, before any pixel is decoded."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from helpers import seven
from PIL import Image

from mnistlib.errors import ImageError
from mnistlib.recognition import images as imageio
from mnistlib.recognition import prepare


def _to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "empty"),
        (b"this is a text file, not an image", "not a readable image"),
        (np.zeros((0, 5)), "empty"),
        (np.full((28, 28), np.nan), "NaN"),
        (np.zeros((4, 28, 28, 1)), "2-D gray"),
        (np.zeros((28, 28, 2)), "2-D gray"),
        (np.array([["a"]], dtype=object), "dtype"),
        (np.zeros((100, 100), np.uint8), "no visible digit"),
        (np.full((100, 100), 200, np.uint8), "no visible digit"),
        (12345, "cannot read an image from a int"),
        (np.full((28, 28), np.inf), "NaN or infinite"),
        (np.zeros((28, 28), complex), "dtype"),
        (np.zeros((28, 28, 5)), "2-D gray"),
        (np.zeros((8, 8, 4), np.uint8), "fully transparent"),
        (np.random.default_rng(0).random((120, 120)), "noise"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'/>", "not a readable"),
    ],
    ids=[
        "empty-bytes",
        "text",
        "empty-array",
        "nan",
        "4d",
        "2-channels",
        "object",
        "blank",
        "flat",
        "int",
        "inf",
        "complex",
        "5-channels",
        "transparent",
        "noise",
        "svg",
    ],  # fmt: skip
)
def test_unusable_inputs_raise_image_error(source, message):
    with pytest.raises(ImageError, match=message):
        prepare.prepare_image(source)


def test_truncated_file(tmp_path):
    data = _to_png(seven())
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated|damaged|not a readable"):
        prepare.prepare_image(path)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        prepare.prepare_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="folder"):
        prepare.prepare_image(tmp_path)


def test_huge_image_is_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    seven((400, 300)).save(path)
    monkeypatch.setattr(imageio, "MAX_PIXELS", 100_000)
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(1))
    with pytest.raises(ImageError, match="megapixels are refused"):
        prepare.prepare_image(path)
    assert decoded == []


def _png_header(width: int, height: int) -> bytes:
    """A PNG file claiming ``width`` x ``height`` pixels, with no pixel data at all."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("size", "message"),
    [((7000, 7000), "megapixels are refused"), ((100_000, 100_000), "decompression bomb")],
)
def test_huge_headers_are_refused_without_decoding(size, message):
    with pytest.raises(ImageError, match=message):
        prepare.prepare_image(_png_header(*size))


def test_huge_arrays_and_pil_images_are_refused(monkeypatch):
    monkeypatch.setattr(imageio, "MAX_PIXELS", 10_000)
    with pytest.raises(ImageError, match="megapixels are refused"):
        prepare.prepare_image(np.zeros((200, 200), np.float32))
    with pytest.raises(ImageError, match="megapixels are refused"):
        prepare.prepare_image(Image.new("L", (200, 200)))


def _jpeg(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def test_a_48_megapixel_phone_photo_is_read_like_a_small_one():
    # A JPEG compresses flat paper to almost nothing: 8000x6000 costs a fraction of a second.
    big = seven((8000, 6000), ink=30, paper=225, width=200)
    small = seven((800, 600), ink=30, paper=225, width=20)
    read_big = prepare.prepare_image(_jpeg(big))
    read_small = prepare.prepare_image(_jpeg(small))
    assert np.corrcoef(read_big.ravel(), read_small.ravel())[0, 1] > 0.95
    decoded = imageio.decode(_jpeg(big, exif=_rotated_exif()))
    assert decoded.size[0] < decoded.size[1]  # EXIF orientation kept: turned to portrait
    assert max(decoded.size) <= 8000 // 4  # decoded at a reduced scale


def _rotated_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to show
    return exif


def test_jpegs_over_the_jpeg_limit_are_refused(monkeypatch):
    monkeypatch.setattr(imageio, "MAX_JPEG_PIXELS", 100_000)
    with pytest.raises(ImageError, match="megapixels are refused"):
        prepare.prepare_image(_jpeg(seven((400, 300))))


def test_a_48_megapixel_png_is_still_refused_from_its_header():
    with pytest.raises(ImageError, match="40 megapixels are refused"):
        prepare.prepare_image(_png_header(8000, 6000))
