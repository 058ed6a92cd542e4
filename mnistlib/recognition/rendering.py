"""How a recognition is shown in the notebook widgets: the verdict line, the ten probabilities as
HTML bars, and a gray image as a crisp, enlarged PNG. Pure functions: no widget, no browser.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from mnistlib.recognition.recognizer import NumberReading, Recognition


def png_bytes(array: np.ndarray, scale: int = 1) -> bytes:
    """PNG bytes of a gray image (floats in [0, 1] or uint8), enlarged ``scale`` times, crisp."""
    pixels = np.asarray(array)
    if pixels.dtype != np.uint8:
        pixels = (np.clip(np.nan_to_num(pixels), 0.0, 1.0) * 255).round().astype(np.uint8)
    picture = Image.fromarray(pixels, mode="L")
    if scale != 1:
        picture = picture.resize(
            (picture.width * scale, picture.height * scale), Image.Resampling.NEAREST
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def result_text(result: Recognition | NumberReading) -> str:
    """The verdict shown for a digit or a number, worded as everywhere else
    (``mnistlib.recognition.verdict``): "7 (98.2%)", "2026", "not sure: 4 or 9? (55.0%) - ..."."""
    return result.describe()


def side_by_side(images: Sequence[np.ndarray], gap: int = 2) -> np.ndarray:
    """Gray images of one height in a row, ``gap`` black columns apart (the digits of a number)."""
    height = images[0].shape[0]
    spacer = np.zeros((height, gap), dtype=np.asarray(images[0]).dtype)
    parts = [part for image in images for part in (spacer, image)][1:]
    return np.hstack(parts)


def probability_bars_html(probabilities: Sequence[float] | np.ndarray | None) -> str:
    """A small HTML bar chart of the ten class probabilities (empty bars for ``None``)."""
    probs = [0.0] * 10 if probabilities is None else [float(p) for p in probabilities]
    best = int(np.argmax(probs)) if probabilities is not None else -1
    rows = []
    for digit, p in enumerate(probs):
        colour = "#1f77b4" if digit == best else "#9bbbd9"
        rows.append(
            f'<div class="mnistlib-bar" style="display:flex;align-items:center;gap:6px;'
            f'height:17px;font-family:monospace">'
            f'<span style="width:1ch">{digit}</span>'
            f'<span style="display:inline-block;width:120px;height:11px;background:#eee">'
            f'<span style="display:block;width:{100 * p:.1f}%;height:100%;background:{colour}">'
            f"</span></span>"
            f'<span style="width:4ch;text-align:right">{p:.0%}</span></div>'
        )
    return "".join(rows)


def bars_per_digit_html(reading: NumberReading) -> str:
    """Each digit's probability bars, side by side (one digit: just its bars)."""
    if len(reading.digits) == 1:
        return probability_bars_html(reading.digits[0].probabilities)
    columns = "".join(
        f'<div style="margin-right:14px"><b>{k + 1}.</b>{probability_bars_html(d.probabilities)}'
        "</div>"
        for k, d in enumerate(reading.digits)
    )
    return f'<div style="display:flex">{columns}</div>'


def verdict_html(text: str, *, error: bool = False, font_px: int = 26) -> str:
    """``text`` as a large verdict line, or a red error message (escaped)."""
    style = "color:#b00020;font-size:15px" if error else f"font-size:{font_px}px;font-weight:600"
    return f'<div style="{style};line-height:1.3">{html.escape(text)}</div>'
