"""Photos of a sheet of paper lying on a desk, composed for the tests (``from desks import ...``).

A sheet (warm white paper, the digits written on it dark) is turned by a small angle, laid on a
desk (dark, wood-grained, grey or coloured, with some texture), lit unevenly from one side, and
saved as a JPEG: what a phone photo of a sheet on a table looks like.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

DESKS = {
    "dark": (45, 38, 34),
    "wood": (150, 100, 58),
    "grey": (105, 105, 108),
    "blue": (40, 70, 120),
}


def eight(size=(300, 400), ink=25, paper=235, width=16) -> Image.Image:
    """A hand-drawn-looking 8 (two loops), dark on light."""
    image = Image.new("L", size, paper)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse([0.32 * w, 0.15 * h, 0.68 * w, 0.48 * h], outline=ink, width=width)
    draw.ellipse([0.27 * w, 0.46 * h, 0.73 * w, 0.85 * h], outline=ink, width=width)
    return image


def sheet(digits: list[np.ndarray], size=(700, 900), digit_height=0.22, seed=0) -> Image.Image:
    """A sheet of paper (RGB) with ``digits`` (MNIST-like arrays, light ink on black, any size)
    written dark in a row across its middle."""
    rng = np.random.default_rng(seed)
    paper = np.array([238, 236, 228], dtype=np.float32) + rng.normal(0, 3, (size[1], size[0], 1))
    tall = round(digit_height * size[1])
    row = Image.new("L", (max(1, tall * len(digits)), tall), 0)
    for k, digit in enumerate(digits):
        cell = Image.fromarray(np.asarray(digit * 255 if digit.max() <= 1 else digit, np.uint8))
        row.paste(cell.resize((tall, tall), Image.Resampling.BICUBIC), (k * tall, 0))
    if row.width > 0.9 * size[0]:
        row = row.resize((round(0.9 * size[0]), round(0.9 * size[0] * tall / row.width)))
    ink = np.zeros((size[1], size[0]), np.float32)
    left, top = (size[0] - row.width) // 2, (size[1] - row.height) // 2
    ink[top : top + row.height, left : left + row.width] = np.asarray(row) / 255
    pixels = paper * (1 - ink[..., None]) + np.array([30, 30, 50]) * ink[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def on_desk(
    paper: Image.Image,
    desk: str = "dark",
    tilt: float = 6.0,
    share: float = 0.6,
    frame=(1200, 900),
    light: float = 0.35,
    seed: int = 0,
    quality: int = 85,
    extras: tuple[str, ...] = (),
) -> bytes:
    """``paper`` turned by ``tilt`` degrees and laid on a ``desk`` (see DESKS), covering about
    ``share`` of a ``frame``-sized photo, lit ``light`` darker on one side; JPEG bytes.
    ``extras``: "second" (another sheet's edge at the side), "hand" (fingers over the sheet's
    edge), "shadow" (a soft shadow across a corner)."""
    rng = np.random.default_rng(seed)
    w, h = frame
    scale = (share * w * h / (paper.width * paper.height)) ** 0.5
    paper = paper.convert("RGB").resize((round(paper.width * scale), round(paper.height * scale)))
    mask = Image.new("L", paper.size, 255).rotate(tilt, expand=True, resample=Image.BICUBIC)
    paper = paper.rotate(tilt, expand=True, resample=Image.BICUBIC)
    base = np.array(DESKS[desk], dtype=np.float32)
    grain = rng.normal(0, 1, (h, 1)) * 10 + rng.normal(0, 6, (h, w))  # streaks along the wood
    if desk != "wood":
        grain = rng.normal(0, 5, (h, w))
    desk_pixels = np.clip(base + grain[..., None], 0, 255).astype(np.uint8)
    photo = Image.fromarray(desk_pixels).filter(ImageFilter.GaussianBlur(1))
    left = (w - paper.width) // 2 + int(rng.integers(-20, 21))
    top = (h - paper.height) // 2 + int(rng.integers(-20, 21))
    if "second" in extras:  # another sheet, mostly out of the frame on the right
        other = Image.new("RGB", (w // 3, h), (232, 232, 226)).rotate(-4, expand=True)
        other_mask = Image.new("L", (w // 3, h), 255).rotate(-4, expand=True)
        photo.paste(other, (w - w // 12, -20), other_mask)
    photo.paste(paper, (left, top), mask)
    draw = ImageDraw.Draw(photo)
    if "hand" in extras:  # a thumb and fingers over the bottom-left edge
        for k in range(4):
            x = left + 40 + 55 * k
            draw.ellipse([x, min(top + paper.height, h) - 60, x + 45, h + 40], fill=(205, 150, 120))
    if "shadow" in extras:
        shade = Image.new("L", frame, 0)
        ImageDraw.Draw(shade).polygon([(w, 0), (w, h // 2), (w // 2, 0)], fill=90)
        shade = shade.filter(ImageFilter.GaussianBlur(25))
        photo = Image.composite(Image.new("RGB", frame, 0), photo, shade)
    side = np.linspace(1.0, 1.0 - light, w, dtype=np.float32)[None, :, None]
    lit = np.asarray(photo, dtype=np.float32) * side
    buffer = io.BytesIO()
    Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
