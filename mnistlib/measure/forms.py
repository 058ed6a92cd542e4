"""Digit images in the forms people hand in, made from MNIST test digits, and accuracy per form.

Each ``FORMS`` function turns one 28x28 MNIST digit into the encoded bytes of an image file of
one kind: a phone photo of dark ink on tinted paper (JPEG), a scan, a big off-centre canvas, a
transparent drawing-app export, a small light-on-dark image, a digit stretched to fill 28x28.
``evaluate_forms`` measures how often a ``Recognizer`` reads them right.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

from mnistlib.errors import ImageError
from mnistlib.progress import Progress, report
from mnistlib.recognition.prepare import prepare_image
from mnistlib.recognition.recognizer import Recognizer

Maker = Callable[[np.ndarray, np.random.Generator], tuple[bytes, str]]


def _big(digit: np.ndarray, side: int) -> Image.Image:
    """The digit (ink 255 on 0) enlarged smoothly to ``side`` pixels."""
    return Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)


def _pen(ink: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The same digit written with another pen: strokes up to ~40% thinner or ~70% thicker.

    MNIST's strokes are about a tenth of the digit's height; people's pens, markers and brush
    settings differ, so the forms vary the width (a max filter thickens, a min filter thins).
    """
    change = rng.uniform(-0.035, 0.07) * ink.height  # pixels added to the stroke width
    size = int(round(abs(change))) | 1
    if size < 3:
        return ink
    values = np.asarray(ink)
    grow = ndimage.maximum_filter if change > 0 else ndimage.minimum_filter
    values = grow(values, size, mode="nearest")
    return Image.fromarray(values.astype(np.uint8))


def _encode(image: Image.Image, fmt: str, **options: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _paste_ink(canvas_side: tuple[int, int], ink: Image.Image, at: tuple[int, int]) -> np.ndarray:
    """Ink strength (0..1) of ``ink`` placed at ``at`` on an empty canvas (width, height)."""
    layer = Image.new("L", canvas_side, 0)
    layer.paste(ink, at)
    return np.asarray(layer, dtype=np.float64) / 255.0


def photo(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """Dark ink on tinted paper, photographed: uneven light, noise, blur, JPEG."""
    side = int(rng.integers(220, 360))
    ink_side = int(side * rng.uniform(0.55, 0.8))
    ink_img = _pen(_big(digit, ink_side), rng).rotate(rng.uniform(-6, 6), Image.Resampling.BILINEAR)
    offset = rng.integers(0, side - ink_side + 1, size=2)
    ink = _paste_ink((side, side), ink_img, (int(offset[0]), int(offset[1])))
    paper = np.array([rng.uniform(200, 245), rng.uniform(190, 235), rng.uniform(160, 215)])
    pen = np.array([rng.uniform(10, 60), rng.uniform(10, 60), rng.uniform(30, 110)])
    rows, cols = np.mgrid[0:side, 0:side] / side
    angle = rng.uniform(0, 2 * np.pi)
    shade = rng.uniform(0.15, 0.5)  # how much darker the far side is than the near side
    light = 1.0 - shade * ((np.cos(angle) * cols + np.sin(angle) * rows + 1) / 2)
    rgb = (paper * (1 - ink[..., None]) + pen * ink[..., None]) * light[..., None]
    rgb += rng.normal(0, 6, rgb.shape)
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2))
    )
    return _encode(image, "JPEG", quality=int(rng.integers(60, 85))), "jpg"


def scan(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """A gray scan: dark ink on white paper with a little texture, slightly rotated."""
    width, height = int(rng.integers(300, 420)), int(rng.integers(300, 420))
    ink_side = int(min(width, height) * rng.uniform(0.35, 0.6))
    ink_img = _pen(_big(digit, ink_side), rng).rotate(rng.uniform(-4, 4), Image.Resampling.BILINEAR)
    at = (int(rng.integers(0, width - ink_side)), int(rng.integers(0, height - ink_side)))
    ink = _paste_ink((width, height), ink_img, at)
    gray = 250 - 215 * ink + rng.normal(0, 3, ink.shape)
    return _encode(Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8)), "PNG"), "png"


def large_offcentre(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """A big white canvas (600x400) with the digit small and far from the centre."""
    width, height = 600, 400
    ink_side = int(rng.integers(90, 220))
    at = (int(rng.integers(0, width - ink_side)), int(rng.integers(0, height - ink_side)))
    ink = _paste_ink((width, height), _big(digit, ink_side), at)
    gray = (255 * (1 - ink)).astype(np.uint8)
    return _encode(Image.fromarray(gray).convert("RGB"), "PNG"), "png"


def canvas_rgba(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """A drawing-app export: transparent background, the ink only in the alpha channel."""
    side = 280
    ink_side = int(rng.integers(170, 260))
    left, top = (int(v) for v in rng.integers(0, side - ink_side + 1, size=2))
    alpha = _paste_ink((side, side), _pen(_big(digit, ink_side), rng), (left, top))
    colour = rng.integers(0, 256, size=3) if rng.random() < 0.5 else np.zeros(3)
    rgba = np.zeros((side, side, 4), np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = (255 * alpha).astype(np.uint8)
    return _encode(Image.fromarray(rgba, "RGBA"), "PNG"), "png"


def small_light_on_dark(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """A small gray image, light ink on a dark background (like MNIST, but any size)."""
    side = int(rng.integers(20, 33))
    ink = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.LANCZOS)) / 255
    background, pen = rng.uniform(10, 60), rng.uniform(190, 255)
    gray = background + (pen - background) * np.clip(ink, 0, 1)
    return _encode(Image.fromarray(gray.astype(np.uint8)), "PNG"), "png"


def stretched(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """The digit cropped to its ink and stretched to fill all of 28x28 (aspect ratio lost)."""
    rows, cols = np.flatnonzero(digit.max(axis=1)), np.flatnonzero(digit.max(axis=0))
    crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    image = Image.fromarray(crop).resize((28, 28), Image.Resampling.BILINEAR)
    return _encode(image, "PNG"), "png"


def as_is(digit: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """The MNIST digit itself, as a PNG (the baseline)."""
    return _encode(Image.fromarray(digit), "PNG"), "png"


FORMS: dict[str, Maker] = {
    "mnist_as_is": as_is,
    "photo": photo,
    "scan": scan,
    "large_offcentre": large_offcentre,
    "canvas_rgba": canvas_rgba,
    "small_light_on_dark": small_light_on_dark,
    "stretched": stretched,
}

#: MNIST test-set indices used for the committed sample images (two per form, varied digits).
SAMPLE_INDICES = {
    "photo": (0, 1),
    "scan": (2, 3),
    "large_offcentre": (4, 8),
    "canvas_rgba": (11, 18),
    "small_light_on_dark": (61, 15),
    "stretched": (21, 7),
}


def make_samples(out_dir: str | Path, seed: int = 0) -> list[Path]:
    """Write the sample images (``<form>_<true digit>.<ext>``) into ``out_dir``."""
    from mnistlib.data import load_mnist

    _, (x_test, y_test) = load_mnist()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = []
    for form, indices in SAMPLE_INDICES.items():
        for index in indices:
            payload, ext = FORMS[form](x_test[index], rng)
            path = out / f"{form}_{int(y_test[index])}.{ext}"
            path.write_bytes(payload)
            written.append(path)
    return written


class FormRow(NamedTuple):
    """One row of ``evaluate_forms``: the form, how many images, the share recognised right."""

    form: str
    n: int
    accuracy: float


#: Digit sources: MNIST's test set, or digits drawn with pen strokes (``mnistlib.measure.strokes``),
#: handwriting that is not MNIST's, for an outside view of the recogniser.
DIGIT_SOURCES = ("mnist", "strokes")
#: A drawn digit fills this share of its 28x28 frame's height, as MNIST's 20-of-28 do.
STROKES_FILL = 0.71


def _stroke_digits(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` digits drawn with strokes as MNIST-sized 28x28 images (ink 255 on 0), and labels."""
    from mnistlib.measure.strokes import draw_digit

    labels = rng.integers(0, 10, size=n)
    images = [
        np.asarray(
            Image.fromarray(draw_digit(int(d), rng, size=112, fill=STROKES_FILL)).resize(
                (28, 28), Image.Resampling.LANCZOS
            )
        )
        for d in labels
    ]
    return np.stack(images), labels


def evaluate_forms(
    recognizer: Recognizer,
    n_per_form: int = 1000,
    seed: int = 0,
    *,
    digits: str = "mnist",
    batch: int = 250,
    progress: Progress | None = None,
) -> list[FormRow]:
    """Recognition accuracy per form on ``n_per_form`` digits each.

    ``digits="mnist"``: MNIST test digits; ``"strokes"``: digits drawn with pen strokes, not
    taken from MNIST (``mnistlib.measure.strokes``). Every image goes the whole way a person's file
    does: encoded to bytes, decoded, prepared with ``prepare_image``, recognised (in batches of
    ``batch``). An image the preparation refuses counts as wrong. The first row,
    ``mnist_as_is``, is the baseline: the digit itself as a PNG. ``progress`` hears of each
    batch done.
    """
    if digits not in DIGIT_SOURCES:
        raise ValueError(f"digits must be one of {DIGIT_SOURCES}, got {digits!r}")
    rng = np.random.default_rng(seed)
    if digits == "strokes":
        x_test, y_test = _stroke_digits(n_per_form, rng)
    else:
        from mnistlib.data import load_mnist

        _, (x_test, y_test) = load_mnist()
    indices = rng.choice(len(x_test), size=min(n_per_form, len(x_test)), replace=False)
    rows = []
    total = len(FORMS) * len(indices)
    for k, (form, maker) in enumerate(FORMS.items()):
        correct = 0
        for start in range(0, len(indices), batch):
            report(progress, f"forms ({digits})", k * len(indices) + start, total)
            chunk = indices[start : start + batch]
            prepared, labels = [], []
            for i in chunk:
                try:
                    prepared.append(prepare_image(maker(x_test[i], rng)[0]))
                except ImageError:
                    continue  # refused: counts as wrong
                labels.append(int(y_test[i]))
            if prepared:
                found = recognizer.probabilities(np.stack(prepared)).argmax(axis=1)
                correct += int((found == np.array(labels)).sum())
        rows.append(FormRow(form, len(indices), correct / len(indices)))
    report(progress, f"forms ({digits})", total, total)
    return rows


def format_forms(rows: list[FormRow] | list[tuple[str, int, float]]) -> str:
    """Rows of ``evaluate_forms`` as an aligned text table."""
    lines = [f"{'form':<22}{'images':>8}{'accuracy':>10}"]
    lines += [f"{form:<22}{n:>8}{acc:>10.4f}" for form, n, acc in rows]
    return "\n".join(lines)
