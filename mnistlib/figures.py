"""Figures for the notebooks. Every function returns a new matplotlib Figure.

Figures are made with ``matplotlib.figure.Figure`` rather than ``pyplot``, so nothing is left in
pyplot's global state and a notebook shows each figure exactly once (when a cell returns it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

DIGITS = list(range(10))


def _images(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return x.reshape(-1, 28, 28)


def grid_shape(n: int, cols: int) -> tuple[int, int]:
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
    rows, cols = grid_shape(len(images), cols)
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
    """One digit as the 28x28 matrix of its pixel values, each non-zero value written in.

    MNIST stores light ink (255) on a black background (0); drawn here like every digit in the
    notebooks, dark on white. The zeros are left blank so the values that matter stay legible.
    """
    image = np.asarray(image).reshape(28, 28)
    integer = np.issubdtype(image.dtype, np.integer)
    text = np.where(image == 0, "", image.astype(str) if integer else np.char.mod("%.1f", image))
    fig = Figure(figsize=(9, 8.4), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(
        image,
        ax=ax,
        annot=text,
        fmt="",
        annot_kws={"fontsize": 7},
        cmap="gray_r",
        cbar_kws={"label": "pixel value (0 = background, 255 = full ink)", "shrink": 0.8},
        square=True,
        linewidths=0.2,
        linecolor="whitesmoke",
        xticklabels=4,
        yticklabels=4,
    )
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    what = f"a {label}" if label is not None else "one digit"
    ax.set_title(f"The 28x28 pixel values of {what} (blank = 0)")
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


#: Digits are drawn the same way in every figure: ink dark on white paper (pixel value 0 white,
#: 255 black), whatever the data's own polarity.
DIGIT_CMAP = "gray_r"


def plot_error_heatmaps(matrices: Mapping[str, np.ndarray]) -> Figure:
    """Confusion matrices ({title: 10x10 counts}) with the errors on their own colour scale.

    The diagonal (correct answers) is greyed out and only written in, so the off-diagonal
    counts are what the colours show; one scale for all panels, so they can be compared.
    """
    items = [(title, np.asarray(m, dtype=int)) for title, m in matrices.items()]
    off = np.ones((10, 10), dtype=bool) & ~np.eye(10, dtype=bool)
    vmax = max([int(m[off].max()) for _, m in items] + [1])
    fig = Figure(figsize=(5.4 * len(items) + 0.8, 5.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(items)))
    for ax, (title, matrix) in zip(axes, items, strict=True):
        sns.heatmap(
            matrix, ax=ax, mask=np.eye(10, dtype=bool), annot=True, fmt="d", cmap="Reds",
            vmin=0, vmax=vmax, cbar=ax is axes[-1], square=True, linewidths=0.5,
            linecolor="white", annot_kws={"fontsize": 8},
            cbar_kws={"label": "wrong answers", "shrink": 0.8},
        )  # fmt: skip
        for d in DIGITS:
            ax.add_patch(Rectangle((d, d), 1, 1, facecolor="whitesmoke", edgecolor="white"))
            ax.text(d + 0.5, d + 0.5, str(matrix[d, d]), ha="center", va="center",
                    fontsize=7, color="dimgray")  # fmt: skip
        errors = int(matrix.sum() - np.trace(matrix))
        ax.set_xlabel("predicted digit")
        ax.set_ylabel("true digit")
        ax.set_title(f"{title}: {errors} errors in {int(matrix.sum()):,}")
    return fig


def plot_error_rates(
    accuracies: Mapping[str, float], *, title: str = "Test error rate of each model"
) -> Figure:
    """Error rate (1 - accuracy, in %) per model ({label: accuracy}) on an axis from 0.

    Error rates on a full axis show honest ratios: 2% is twice 1%, which an accuracy axis
    zoomed to 0.97-1.0 would exaggerate or hide.
    """
    items = sorted(accuracies.items(), key=lambda kv: kv[1])
    labels = [k for k, _ in items]
    errors = [100 * (1 - float(a)) for _, a in items]
    fig = Figure(figsize=(10, 0.45 * max(len(items), 1) + 1.4), layout="constrained")
    ax = fig.subplots()
    ax.barh(labels, errors, color="indianred")
    for i, (err, (_, acc)) in enumerate(zip(errors, items, strict=True)):
        ax.text(err, i, f" {err:.2f}% (accuracy {acc:.4f})", va="center", fontsize=8)
    ax.set_xlim(0, max(errors + [0.1]) * 1.6)
    ax.set_xlabel("test error rate (%): shorter is better")
    ax.set_title(title)
    return fig


def plot_batch_accuracy(
    curves: Mapping[str, Sequence[float]], *, title: str = "Training accuracy in the first epoch"
) -> Figure:
    """Running training accuracy after each batch ({name: values}), one line per run."""
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.subplots()
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set_ylim(0, 1)
    ax.set_xlabel("batches trained")
    ax.set_ylabel("training accuracy so far")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    return fig


def plot_filters(kernel: np.ndarray, *, title: str = "The first layer's filters") -> Figure:
    """A convolution's 3x3 (or kxk) filters for one input channel, kernel shape (k, k, 1, n).

    Red weights add up the pixels under them, blue ones subtract: one colour scale for all.
    """
    kernel = np.asarray(kernel)
    filters = kernel[:, :, 0, :].transpose(2, 0, 1)
    rows, cols = grid_shape(len(filters), 16)
    limit = float(np.abs(filters).max()) or 1.0
    fig = Figure(figsize=(0.6 * cols + 0.8, 0.65 * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i < len(filters):
            image = ax.imshow(filters[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def plot_feature_maps(
    maps: np.ndarray, *, title: str, cols: int = 16, max_maps: int = 64
) -> Figure:
    """A layer's output for one image, shape (h, w, channels): one small picture per channel.

    Dark is a strong response (the same convention as the digits); each map has its own scale.
    """
    maps = np.asarray(maps)
    maps = maps.reshape(maps.shape[-3], maps.shape[-2], maps.shape[-1]).transpose(2, 0, 1)
    maps = maps[:max_maps]
    rows, cols = grid_shape(len(maps), cols)
    fig = Figure(figsize=(0.62 * cols, 0.66 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i < len(maps):
            ax.imshow(maps[i], cmap=DIGIT_CMAP)
    fig.suptitle(title)
    return fig
