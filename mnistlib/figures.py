"""Figures for the notebooks. Every function returns a new matplotlib Figure.

Figures are made with ``matplotlib.figure.Figure`` rather than ``pyplot``, so nothing is left in
pyplot's global state and a notebook shows each figure exactly once (when a cell returns it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

DIGITS = list(range(10))
#: Resolution of every figure: sharp at notebook width (matplotlib's default is 100).
DPI = 120
#: Smallest text in a figure (tick labels, legends, numbers written in), in points.
SMALL = 9


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


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
    fig = _figure(1.1 * cols, 1.3 * rows + 0.4)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(images):
            ax.set_axis_off()
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=images.max() or 1)
        for side in ax.spines.values():  # a frame, so a blank input is not mistaken for a gap
            side.set_edgecolor("lightgray")
        if predictions is not None:
            true = None if labels is None else int(labels[i])
            guess = int(predictions[i])
            wrong = true is not None and guess != true
            text = f"{guess}" + (f" (true {true})" if wrong else "")
            ax.set_title(text, fontsize=SMALL + 1, color="crimson" if wrong else "black")
        elif labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=SMALL + 1)
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
    fig = _figure(9, 8.4)
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
    fig = _figure(9, 3.5)
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


#: Learning curves leave out at least the first epoch when choosing their y-axes, and a run's
#: first quarter of epochs: early epochs (an untrained network, a warm-up schedule) are far
#: below the rest and would flatten the epochs where runs differ into one line.
SKIPPED_SHARE = 0.25
#: The runs figure's legend wraps run names at this many characters.
LEGEND_CHARS = 34


def _settled(values: Sequence[float]) -> list[float]:
    """The values the y-axis is chosen from: after the first epoch and the first quarter (a
    one-epoch run's single value counts)."""
    values = list(values)
    skip = max(1, int(np.ceil(SKIPPED_SHARE * len(values))))
    return values[skip:] or values[-1:]


def _limits(values: list[float], log: bool) -> tuple[float, float]:
    low, high = min(values), max(values)
    if log:
        low, high = max(low, 1e-6), max(high, 1e-6)
        return low / 1.3, high * 1.3
    pad = max(high - low, 1e-3) * 0.12
    return low - pad, high + pad


def plot_runs(
    curves: Mapping[str, Mapping[str, Mapping[str, Sequence[float]]]],
    *,
    title: str = "Learning curves of your runs",
) -> Figure:
    """Every run's learning curves, one row per model ({model: {run: history}}, as
    ``results.learning_curves()`` gives): the runs of one model share its accuracy and loss
    panels, one colour each, validation solid and training dashed (a one-epoch run is a dot).

    The panel count grows with the models, never with the runs. The y-axes are chosen from the
    epochs after the first (see ``SKIPPED_SHARE``); the loss is on a log scale, because one
    model's runs may use losses of different sizes (cross-entropy and MSE).
    """
    models = list(curves.items())
    legend_lines = [
        sum(len(textwrap.wrap(run, LEGEND_CHARS)) for run in runs) for _, runs in models
    ]
    heights = [max(3.0, 0.19 * n + 0.8) for n in legend_lines] or [3.0]
    fig = _figure(12, sum(heights) + 0.6)
    axes = np.asarray(fig.subplots(len(heights), 2, squeeze=False, height_ratios=heights))
    for (model, runs), row in zip(models, axes, strict=False):
        for ax, key in zip(row, ("accuracy", "loss"), strict=True):
            shown: list[float] = []
            for i, (run, hist) in enumerate(runs.items()):
                color = f"C{i % 10}" if len(runs) <= 10 else sns.color_palette("tab20")[i % 20]
                label = "\n".join(textwrap.wrap(run, LEGEND_CHARS))
                for part, style in ((f"val_{key}", "-"), (key, "--")):
                    values = list(hist.get(part, []))
                    if not values:
                        continue
                    epochs = np.arange(1, len(values) + 1)
                    marker = "o" if len(values) == 1 else None
                    face = color if part.startswith("val_") else "white"
                    ax.plot(epochs, values, style, color=color, marker=marker, mfc=face,
                            label=label if part.startswith("val_") else None)  # fmt: skip
                    shown += _settled(values)
            if shown:
                ax.set_ylim(*_limits(shown, log=key == "loss"))
            ax.set_yscale("log" if key == "loss" else "linear")
            ax.set_xlabel("epoch")
            ax.set_title(f"{model}: {key}" + (" (log scale)" if key == "loss" else ""))
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.grid(alpha=0.3, which="both")
        row[1].legend(fontsize=SMALL, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    fig.suptitle(f"{title}\nvalidation solid, training dashed; y-axes leave out the first epochs")
    return fig


def plot_probabilities(
    probabilities: np.ndarray, *, image: np.ndarray | None = None, title: str | None = None
) -> Figure:
    """One prediction's ten probabilities as bars (with the digit beside them if given)."""
    probabilities = np.asarray(probabilities, dtype=float).ravel()
    guess = int(np.argmax(probabilities))
    fig = _figure(8 if image is not None else 6, 3)
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

    The diagonal (correct answers) is written in bold on pale blue, outside the colour scale,
    so the colours show only the mistakes; one scale for all panels, so they can be compared.
    """
    items = [(title, np.asarray(m, dtype=int)) for title, m in matrices.items()]
    off = np.ones((10, 10), dtype=bool) & ~np.eye(10, dtype=bool)
    vmax = max([int(m[off].max()) for _, m in items] + [1])
    fig = _figure(6.2 * len(items) + 0.8, 6.0)
    axes = np.atleast_1d(fig.subplots(1, len(items)))
    for ax, (title, matrix) in zip(axes, items, strict=True):
        sns.heatmap(
            matrix, ax=ax, mask=np.eye(10, dtype=bool), annot=True, fmt="d", cmap="Reds",
            vmin=0, vmax=vmax, cbar=ax is axes[-1], square=True, linewidths=0.5,
            linecolor="white", annot_kws={"fontsize": SMALL + 1},
            cbar_kws={"label": "wrong answers", "shrink": 0.8},
        )  # fmt: skip
        for d in DIGITS:
            ax.add_patch(Rectangle((d, d), 1, 1, facecolor="#dde6f0", edgecolor="white"))
            ax.text(d + 0.5, d + 0.5, str(matrix[d, d]), ha="center", va="center",
                    fontsize=SMALL, color="black", fontweight="bold")  # fmt: skip
        errors = int(matrix.sum() - np.trace(matrix))
        ax.set_xlabel("predicted digit")
        ax.set_ylabel("true digit")
        ax.set_title(f"{title}: {errors} errors in {int(matrix.sum()):,}")
    return fig


def plot_error_rates(
    accuracies: Mapping[str, float], *, title: str = "Validation error rate of each run"
) -> Figure:
    """Error rate (1 - accuracy, in %) per run ({label: accuracy}) on an axis from 0, worst
    at the top; each label is written above its bar, so long run names keep the bars wide.

    Error rates on a full axis show honest ratios: 2% is twice 1%, which an accuracy axis
    zoomed to 0.97-1.0 would exaggerate or hide.
    """
    items = sorted(accuracies.items(), key=lambda kv: kv[1])
    errors = [100 * (1 - float(a)) for _, a in items]
    fig = _figure(10, 0.62 * max(len(items), 1) + 1.2)
    ax = fig.subplots()
    positions = np.arange(len(items))[::-1]
    ax.barh(positions, errors, height=0.45, color="indianred")
    for y, err, (label, acc) in zip(positions, errors, items, strict=True):
        ax.text(0, y + 0.3, f"{label}: {err:.2f}% (accuracy {acc:.4f})", fontsize=SMALL,
                va="bottom")  # fmt: skip
    ax.set_yticks(positions, [label for label, _ in items])
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.set_ylim(-0.5, len(items) - 0.1)
    ax.set_xlim(0, max(errors + [0.1]) * 1.15)
    ax.set_xlabel("error rate (%): shorter is better")
    ax.set_title(title)
    return fig


def plot_augmentation(originals: np.ndarray, shifted: np.ndarray) -> Figure:
    """Digits before and after augmentation, and where they changed (red: ink added, blue:
    ink removed), so that shifts of a pixel or less can be seen."""
    originals, shifted = _images(originals), _images(shifted)
    n = len(originals)
    fig = _figure(1.5 * n, 5.2)
    axes = np.asarray(fig.subplots(3, n, squeeze=False))
    rows = ("original", "shifted", "shifted - original")
    for i in range(n):
        axes[0, i].imshow(originals[i], cmap=DIGIT_CMAP, vmin=0, vmax=1)
        axes[1, i].imshow(shifted[i], cmap=DIGIT_CMAP, vmin=0, vmax=1)
        change = axes[2, i].imshow(shifted[i] - originals[i], cmap="RdBu_r", vmin=-1, vmax=1)
        for r, ax in enumerate(axes[:, i]):
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_ylabel(rows[r], fontsize=SMALL)
    fig.colorbar(change, ax=list(axes[2]), shrink=0.9, label="change in ink")
    fig.suptitle("Random shifts: the same digits before and after, and the difference")
    return fig


def plot_filters(kernel: np.ndarray, *, title: str = "The first layer's filters") -> Figure:
    """A convolution's kxk filters for one input channel, kernel shape (k, k, 1, n), 8 a row.

    Red weights add up the ink under them, blue ones subtract it: one colour scale for all.
    """
    kernel = np.asarray(kernel)
    filters = kernel[:, :, 0, :].transpose(2, 0, 1)
    rows, cols = grid_shape(len(filters), 8)
    limit = float(np.abs(filters).max()) or 1.0
    fig = _figure(1.0 * cols + 1.2, 1.0 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i < len(filters):
            image = ax.imshow(filters[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(str(i + 1), fontsize=SMALL)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def plot_feature_maps(maps: np.ndarray, *, title: str, cols: int = 8, max_maps: int = 16) -> Figure:
    """A layer's output for one image, shape (h, w, channels): the first ``max_maps`` channels,
    one picture each, all on one colour scale (white 0, dark the layer's strongest response),
    so a pale map is a weak response, not a scaling artefact."""
    maps = np.asarray(maps)
    maps = maps.reshape(maps.shape[-3], maps.shape[-2], maps.shape[-1]).transpose(2, 0, 1)
    maps = maps[:max_maps]
    rows, cols = grid_shape(len(maps), cols)
    top = float(maps.max()) or 1.0
    fig = _figure(1.25 * cols + 1.2, 1.3 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(maps):
            ax.set_axis_off()
            continue
        image = ax.imshow(maps[i], cmap=DIGIT_CMAP, vmin=0, vmax=top)
        ax.set_title(str(i + 1), fontsize=SMALL)
        for side in ax.spines.values():  # a frame, so a map with no response is still seen
            side.set_edgecolor("lightgray")
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="response")
    fig.suptitle(title)
    return fig
