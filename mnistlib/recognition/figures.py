"""Figures about recognition: how an image is prepared, how a number is read, what the "not
sure" checks trade. Every function returns a new Figure."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from mnistlib.figures import DIGIT_CMAP
from mnistlib.recognition.images import Source
from mnistlib.recognition.prepare import preparation_steps
from mnistlib.recognition.recognizer import NumberReading
from mnistlib.recognition.sureness import FlagCurve

#: Titles of the preparation steps in the preparation figure.
STEP_TITLES = {
    "original": "handed in (working copy)",
    "gray": "gray",
    "ink": "ink",
    "cropped": "cropped",
    "20x20": "fitted to 20x20",
    "28x28": "centred in 28x28",
}
#: Steps that are ink maps (1 = ink): drawn like every digit, dark on white.
INK_STEPS = ("ink", "cropped", "20x20", "28x28")
#: A digit read sure, and one "not sure", in ``plot_number_reading``: blue and orange, since red
#: means a wrong answer in the lesson's figures (``mnistlib.figures.plot_digits``).
SURE_COLOUR, DOUBT_COLOUR = "C0", "C1"


def preparation_figure(source: Source) -> Figure:
    """The steps of ``prepare_image`` on ``source`` side by side, each titled.

    The image handed in is shown as read (shrunk to the working size); the ink maps are drawn
    like every digit in the notebooks, dark ink on white.
    """
    steps = preparation_steps(source, for_display=True)
    fig = Figure(figsize=(13, 2.6), layout="constrained")
    axes = fig.subplots(1, len(steps))
    for ax, (name, image) in zip(axes, steps.items(), strict=True):
        cmap = None if image.ndim == 3 else "gray_r" if name in INK_STEPS else "gray"
        ax.imshow(image, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{STEP_TITLES[name]}\n{image.shape[1]}x{image.shape[0]}", fontsize=9)
        ax.set_xticks([])  # a frame without ticks: white ink maps keep their edges
        ax.set_yticks([])
    fig.suptitle("From the image handed in to what the model sees")
    return fig


def plot_flag_curve(curve: FlagCurve, chosen: float) -> Figure:
    """Errors caught against correct digits wrongly flagged "not sure" (``sureness``), with
    the chosen probability threshold marked."""
    fig = Figure(figsize=(5, 3.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(100 * curve.correct_flagged, 100 * curve.errors_caught, color="C0")
    i = int(np.argmin(np.abs(curve.thresholds - chosen)))
    point = (100 * curve.correct_flagged[i], 100 * curve.errors_caught[i])
    ax.plot(*point, "o", color="C3")
    ax.annotate(f"threshold {chosen:.3f}", point, textcoords="offset points", xytext=(8, -14))
    ax.set_xlabel("correct digits flagged 'not sure' (%)")
    ax.set_ylabel("errors caught (%)")
    ax.set_xlim(0, max(5.0, 3 * point[0]))
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.set_title("Choosing the threshold (validation digits)")
    return fig


def plot_number_reading(image: np.ndarray, reading: NumberReading) -> Figure:
    """The image with each digit's box found by ``read_number`` and what was read above it,
    then the 28x28 each digit became ("?" marks a digit the model is not sure of)."""
    n = len(reading.digits)
    fig = Figure(figsize=(max(6.0, 1.3 * n), 4.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 1])  # type: ignore[misc]
    ax = top.subplots()
    ax.imshow(np.asarray(image), cmap=None if np.ndim(image) == 3 else "gray")
    for (left, upper, right, lower), digit in zip(reading.boxes, reading.digits, strict=True):
        colour = SURE_COLOUR if digit.sure else DOUBT_COLOUR
        ax.add_patch(Rectangle((left - 0.5, upper - 0.5), right - left, lower - upper,
                               fill=False, edgecolor=colour, linewidth=1.5))  # fmt: skip
        label = str(digit.digit) if digit.sure else f"{digit.digit}?"
        ax.text(left, upper - 2, label, color=colour, fontsize=13, va="bottom")
    ax.set_axis_off()
    ax.set_title(reading.describe())
    for cell, digit in zip(np.atleast_1d(bottom.subplots(1, n)), reading.digits, strict=True):
        cell.imshow(digit.image, cmap=DIGIT_CMAP, vmin=0, vmax=1)
        cell.set_title(f"{digit.confidence:.0%}", fontsize=9)
        cell.set_axis_off()
    return fig
