"""Images the tests draw (imported by test modules: ``from helpers import seven``)."""

from __future__ import annotations

from PIL import Image, ImageDraw


def seven(size=(200, 160), ink=0, paper=255, width=14, offset=(0, 0), mode="L") -> Image.Image:
    """A hand-drawn-looking 7: dark on light unless told otherwise."""
    image = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(image)
    w, h = size
    ox, oy = offset
    pts = [(0.3 * w + ox, 0.25 * h + oy), (0.7 * w + ox, 0.25 * h + oy),
           (0.45 * w + ox, 0.8 * h + oy)]  # fmt: skip
    draw.line(pts, fill=ink, width=width, joint="curve")
    return image
