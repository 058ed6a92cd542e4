"""How people's digits really arrive: the same ink at low resolution, blurred, in soft pencil, or
with a thicker or thinner pen.

``degrade(ink, height, condition, rng)`` takes an image of ink (``uint8``, 255 on 0, as
``strokes.compose_number`` makes it) whose digits are about ``height`` pixels tall, and returns
the ink strength in [0, 1] after the degradation; ``on_paper`` turns it into dark ink on white
paper with a little noise, what a scan or photo hands in.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

#: The conditions, in the order the measurements report them.
CONDITIONS = ("crisp", "lowres8", "blur", "pencil", "thick", "thin")
#: "lowres8": each digit reduced to this many pixels tall, then enlarged back (a small number
#: photographed from across a room, or a low-resolution scan).
LOW_RES_HEIGHT = 8
#: "blur": Gaussian blur of this many pixels at MNIST's scale (a digit 20 pixels tall).
BLUR_SIGMA, MNIST_DIGIT_HEIGHT = 1.5, 20
#: "pencil": the darkest stroke reaches this share of full contrast, and each pixel of it keeps
#: a random share (grain) of its ink in this range.
PENCIL_CONTRAST, PENCIL_GRAIN = (0.3, 0.55), (0.35, 1.0)
#: "thick" / "thin": the stroke widened / narrowed by this share of the digit's height (the
#: ranges ``forms`` uses for other pens).
THICKER, THINNER = 0.07, 0.035


def degrade(ink: np.ndarray, height: float, condition: str, rng: np.random.Generator) -> np.ndarray:
    """``ink`` (uint8, 255 on 0; digits about ``height`` px tall) under ``condition`` (one of
    ``CONDITIONS``), as ink strength in [0, 1] (float32)."""
    values = ink.astype(np.float32) / 255
    if condition == "crisp":
        return values
    if condition == "lowres8":
        h, w = values.shape
        scale = LOW_RES_HEIGHT / height
        small = Image.fromarray(values, "F").resize(
            (max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX
        )
        return np.clip(np.asarray(small.resize((w, h), Image.Resampling.BICUBIC)), 0, 1)
    if condition == "blur":
        sigma = BLUR_SIGMA * height / MNIST_DIGIT_HEIGHT
        blurred = Image.fromarray(ink).filter(ImageFilter.GaussianBlur(sigma))
        return np.asarray(blurred, np.float32) / 255
    if condition == "pencil":
        grain = rng.uniform(*PENCIL_GRAIN, values.shape).astype(np.float32)
        grainy = Image.fromarray((values * grain * 255).astype(np.uint8))
        soft = np.asarray(grainy.filter(ImageFilter.GaussianBlur(0.6)), np.float32) / 255
        return rng.uniform(*PENCIL_CONTRAST) * soft
    if condition in ("thick", "thin"):
        size = int(round((THICKER if condition == "thick" else THINNER) * height)) | 1
        if size < 3:
            return values
        grow = ndimage.maximum_filter if condition == "thick" else ndimage.minimum_filter
        return grow(values, size, mode="nearest")
    raise ValueError(f"condition must be one of {CONDITIONS}, got {condition!r}")


def on_paper(ink: np.ndarray, rng: np.random.Generator, noise: float = 0.01) -> np.ndarray:
    """Ink strength (light on dark, [0, 1]) as dark ink on white paper: uint8 with a little
    noise (``noise`` of full scale)."""
    gray = 0.96 - 0.9 * ink + rng.normal(0, noise, ink.shape)
    return (np.clip(gray, 0, 1) * 255).astype(np.uint8)
