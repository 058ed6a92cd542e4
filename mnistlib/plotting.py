"""Figures for the notebooks. Every function returns a new matplotlib Figure.

Figures are made with ``matplotlib.figure.Figure`` rather than ``pyplot``, so nothing is left in
pyplot's global state and a notebook shows each figure exactly once (when a cell returns it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mnistlib.confidence import FlagCurve
from mnistlib.imageio import Source
from mnistlib.recognize import NumberReading
from mnistlib.results import ResultRow

DIGITS = list(range(10))


def _images(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return x.reshape(-1, 28, 28)


def _grid(n: int, cols: int) -> tuple[int, int]:
    cols = max(1, min(cols, n))
    return int(np.ceil(n / cols)), cols


def plot_digits(
    images: np.ndarray,
    labels: Sequence[int] | None = None,
    *,
    predictions: Sequence[int] | None = None,
    cols: int = 10,
    title: str = "Sample digits",
) -> Figure:
    """A grid of digits; under each its label, or 'predicted (true)' in red when wrong."""
    images = _images(images)
    rows, cols = _grid(len(images), cols)
    fig = Figure(figsize=(1.1 * cols, 1.3 * rows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap="gray_r")
        if predictions is not None:
            true = None if labels is None else int(labels[i])
            guess = int(predictions[i])
            wrong = true is not None and guess != true
            text = f"{guess}" + (f" (true {true})" if wrong else "")
            ax.set_title(text, fontsize=9, color="crimson" if wrong else "black")
        elif labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=10)
    fig.suptitle(title)
    return fig


def plot_pixel_values(image: np.ndarray, *, label: int | None = None) -> Figure:
    """One digit as the 28x28 matrix of its pixel values, each value written in its cell.

    MNIST stores light ink (255) on a black background (0); shown here dark-on-light for print.
    """
    image = np.asarray(image).reshape(28, 28)
    fig = Figure(figsize=(11, 10), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(
        image,
        ax=ax,
        annot=True,
        fmt="d" if np.issubdtype(image.dtype, np.integer) else ".1f",
        annot_kws={"fontsize": 5.5},
        cmap="gray_r",
        cbar_kws={"label": "pixel value (0 = background, 255 = full ink)"},
        square=True,
        xticklabels=4,
        yticklabels=4,
    )
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    what = f"a {label}" if label is not None else "one digit"
    ax.set_title(f"The 28x28 pixel values of {what}")
    return fig


def plot_class_counts(y_train: np.ndarray, y_test: np.ndarray) -> Figure:
    """How many examples of each digit the training and test sets hold."""
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, y, name in zip(axes, (y_train, y_test), ("training", "test"), strict=True):
        counts = np.bincount(np.asarray(y), minlength=10)
        ax.bar(DIGITS, counts, color="steelblue")
        ax.set_xticks(DIGITS)
        ax.set_xlabel("digit")
        ax.set_ylabel("images")
        ax.set_title(f"{name} set: {len(y):,} images")
    fig.suptitle("How many of each digit")
    return fig


def plot_history(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    title: str = "Learning curves",
    val_label: str = "validation",
) -> Figure:
    """Accuracy and loss per epoch for one or more training runs ({name: history}).

    ``val_label`` names what the ``val_*`` entries were measured on ("validation" or "test").
    """
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    ax_acc, ax_loss = fig.subplots(1, 2)
    for name, hist in histories.items():
        epochs = np.arange(1, len(hist["loss"]) + 1)
        for ax, key in ((ax_acc, "accuracy"), (ax_loss, "loss")):
            if key in hist:
                (line,) = ax.plot(epochs, hist[key], "o-", label=f"{name} (training)")
            if f"val_{key}" in hist:
                ax.plot(
                    epochs, hist[f"val_{key}"], "s--", color=line.get_color(),
                    label=f"{name} ({val_label})",
                )  # fmt: skip
    for ax, key in ((ax_acc, "accuracy"), (ax_loss, "loss")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(key.capitalize())
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def plot_probabilities(
    probabilities: np.ndarray, *, image: np.ndarray | None = None, title: str | None = None
) -> Figure:
    """One prediction's ten probabilities as bars (with the digit beside them if given)."""
    probabilities = np.asarray(probabilities, dtype=float).ravel()
    guess = int(np.argmax(probabilities))
    fig = Figure(figsize=(8 if image is not None else 6, 3), layout="constrained")
    if image is not None:
        ax_img, ax = fig.subplots(1, 2, width_ratios=(1, 2.6))
        ax_img.imshow(np.asarray(image).reshape(28, 28), cmap="gray_r")
        ax_img.set_title("input")
        ax_img.set_axis_off()
    else:
        ax = fig.subplots()
    colors = ["darkorange" if d == guess else "steelblue" for d in DIGITS]
    ax.bar(DIGITS, probabilities, color=colors)
    ax.set_xticks(DIGITS)
    ax.set_ylim(0, 1)
    ax.set_xlabel("digit")
    ax.set_ylabel("probability")
    ax.set_title(title or f"Predicted {guess} with probability {probabilities[guess]:.3f}")
    return fig


def _heatmap(ax: Axes, matrix: np.ndarray, title: str) -> None:
    sns.heatmap(
        matrix, ax=ax, annot=True, fmt="d", cmap="Blues", cbar=False, square=True,
        annot_kws={"fontsize": 8},
    )  # fmt: skip
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    ax.set_title(title)


def plot_confusion_matrices(matrices: Mapping[str, np.ndarray]) -> Figure:
    """One or more confusion matrices as annotated heatmaps side by side ({title: matrix})."""
    n = len(matrices)
    fig = Figure(figsize=(5.6 * n, 5.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, n))
    for ax, (title, matrix) in zip(axes, matrices.items(), strict=True):
        errors = int(matrix.sum() - np.trace(matrix))
        _heatmap(ax, np.asarray(matrix), f"{title}: {errors} errors")
    return fig


def plot_results(
    rows: Sequence[ResultRow], *, title: str = "Test accuracy of every model"
) -> Figure:
    """Bar chart of test accuracy per recorded model (zoomed to where they differ)."""
    rows = sorted(rows, key=lambda r: r.test_accuracy)
    fig = Figure(figsize=(8, 0.5 * max(len(rows), 1) + 1.5), layout="constrained")
    ax = fig.subplots()
    names = [f"{r.model} ({r.notebook[:2]})" + (f" [{r.run}]" if r.run else "") for r in rows]
    accs = [r.test_accuracy for r in rows]
    ax.barh(names, accs, color="seagreen")
    for i, acc in enumerate(accs):
        ax.text(acc, i, f" {acc:.4f}", va="center", fontsize=9)
    low = min(accs, default=0.9)
    ax.set_xlim(max(0.0, low - 0.02), 1.0)
    ax.set_xlabel("test accuracy (10,000 MNIST test images)")
    ax.set_title(title)
    return fig


def plot_recognitions(
    originals: Sequence[np.ndarray],
    prepared: Sequence[np.ndarray],
    probabilities: Sequence[np.ndarray],
    names: Sequence[str],
) -> Figure:
    """For each image: what was handed in, the 28x28 the model saw, and its probabilities."""
    n = len(names)
    fig = Figure(figsize=(10, 2.1 * n), layout="constrained")
    axes = np.array(fig.subplots(n, 3, width_ratios=(1, 1, 2.4))).reshape(n, 3)
    for row, (orig, prep, probs, name) in enumerate(
        zip(originals, prepared, probabilities, names, strict=True)
    ):
        ax_o, ax_p, ax_b = axes[row]
        orig = np.asarray(orig)
        ax_o.imshow(orig, cmap="gray" if orig.ndim == 2 else None)
        ax_o.set_title(name, fontsize=9)
        ax_p.imshow(np.asarray(prep).reshape(28, 28), cmap="gray")
        ax_p.set_title("model input", fontsize=9)
        for ax in (ax_o, ax_p):
            ax.set_axis_off()
        guess = int(np.argmax(probs))
        ax_b.bar(DIGITS, probs, color=["darkorange" if d == guess else "steelblue" for d in DIGITS])
        ax_b.set_xticks(DIGITS)
        ax_b.set_ylim(0, 1)
        ax_b.set_ylabel("probability")
        ax_b.set_xlabel("digit")
        ax_b.set_title(f"recognised {guess} ({probs[guess]:.0%})", fontsize=9)
    return fig


#: Titles of the preparation steps in the preparation figure.
STEP_TITLES = {
    "original": "original",
    "gray": "gray",
    "ink": "ink (light on dark)",
    "cropped": "cropped",
    "20x20": "fitted to 20x20",
    "28x28": "centred in 28x28",
}


def preparation_figure(source: Source) -> Figure:
    """The steps of ``mnistlib.prepare.prepare_image`` on ``source`` side by side, each titled."""
    from mnistlib.prepare import preparation_steps

    steps = preparation_steps(source, for_display=True)
    fig = Figure(figsize=(13, 2.6), layout="constrained")
    axes = fig.subplots(1, len(steps))
    for ax, (name, image) in zip(axes, steps.items(), strict=True):
        cmap = None if image.ndim == 3 else "gray"
        ax.imshow(image, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{STEP_TITLES[name]}\n{image.shape[1]}x{image.shape[0]}", fontsize=9)
        ax.set_axis_off()
    fig.suptitle("From the image handed in to what the model sees")
    return fig


def plot_flag_curve(curve: FlagCurve, chosen: float) -> Figure:
    """Errors caught against correct digits wrongly flagged "not sure" (``confidence``), with
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
    from matplotlib.patches import Rectangle

    n = len(reading.digits)
    fig = Figure(figsize=(max(6.0, 1.3 * n), 4.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 1])
    ax = top.subplots()
    ax.imshow(np.asarray(image), cmap=None if np.ndim(image) == 3 else "gray")
    for (left, upper, right, lower), digit in zip(reading.boxes, reading.digits, strict=True):
        ax.add_patch(Rectangle((left - 0.5, upper - 0.5), right - left, lower - upper,
                               fill=False, edgecolor="C3", linewidth=1.5))  # fmt: skip
        label = str(digit.digit) if digit.sure else f"{digit.digit}?"
        ax.text(left, upper - 2, label, color="C3", fontsize=13, va="bottom")
    ax.set_axis_off()
    ax.set_title(f"Read: {reading.describe()}")
    for cell, digit in zip(np.atleast_1d(bottom.subplots(1, n)), reading.digits, strict=True):
        cell.imshow(digit.image, cmap="gray", vmin=0, vmax=1)
        cell.set_title(f"{digit.confidence:.0%}", fontsize=9)
        cell.set_axis_off()
    return fig
