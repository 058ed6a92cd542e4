"""mnistlib.figures: every lesson figure is a titled Figure that leaves pyplot alone, and shows
what the notebooks say it shows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from mnistlib import figures

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (12, 28, 28), dtype=np.uint8)
LABELS = np.arange(12) % 10
HISTORY = {"loss": [0.5, 0.2], "accuracy": [0.9, 0.95], "val_loss": [0.3, 0.2],
           "val_accuracy": [0.92, 0.96]}  # fmt: skip
MATRIX = np.diag(np.full(10, 50)) + np.eye(10, k=1, dtype=int) * 3

FIGURES = {
    "digits": lambda: figures.plot_digits(IMAGES, LABELS),
    "predictions": lambda: figures.plot_digits(IMAGES, LABELS, predictions=(LABELS + 1) % 10),
    "pixels": lambda: figures.plot_pixel_values(IMAGES[0], label=3),
    "counts": lambda: figures.plot_class_counts(LABELS, LABELS),
    "runs": lambda: figures.plot_runs(
        {"a": {"first run": HISTORY, "1 epoch": {"loss": [1.0], "val_accuracy": [0.5]}}}
    ),
    "probabilities": lambda: figures.plot_probabilities(np.eye(10)[4], image=IMAGES[0]),
    "error heatmaps": lambda: figures.plot_error_heatmaps({"a": MATRIX, "b": MATRIX.T}),
    "error rates": lambda: figures.plot_error_rates({"cnn": 0.99, "dense": 0.92}),
    "augmentation": lambda: figures.plot_augmentation(IMAGES[:4] / 255, IMAGES[4:8] / 255),
    "filters": lambda: figures.plot_filters(RNG.normal(size=(3, 3, 1, 20))),
    "feature maps": lambda: figures.plot_feature_maps(RNG.random((26, 26, 20)), title="maps"),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_titled_sharp_and_not_left_in_pyplot(name):
    before = plt.get_fignums()
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() or any(ax.get_title() for ax in fig.axes), (
        "every figure needs a title"
    )
    assert plt.get_fignums() == before
    assert fig.dpi >= 120
    for ax in fig.axes:
        if ax.axison and ax.get_xticks().size and ax.get_xticklabels()[0].get_visible():
            assert ax.get_xlabel() or name in {"digits", "predictions", "augmentation"}, name
        if ax.get_legend():
            assert min(t.get_fontsize() for t in ax.get_legend().get_texts()) >= 9
    fig.canvas.draw()  # renders without error


def test_prediction_titles_mark_mistakes_and_every_digit_has_a_frame():
    fig = figures.plot_digits(np.zeros((2, 28, 28)), [3, 4], predictions=[3, 5])
    titles = [ax.get_title() for ax in fig.axes[:2]]
    assert titles == ["3", "5 (true 4)"]
    assert all(ax.spines["left"].get_visible() for ax in fig.axes[:2])  # a blank input is seen


def _curves(n: int, epochs: int = 8) -> dict[str, dict]:
    """``n`` runs of one model: a slow first epoch, then accuracies between 0.98 and 0.999."""
    runs = {}
    for i in range(n):
        late = np.linspace(0.98, 0.999, epochs - 1) - i / 1000
        runs[f"run {i}, a long name that names every change made"] = {
            "accuracy": [0.9, *late], "val_accuracy": [0.2, *late], "loss": [2.0, *(1 - late)],
            "val_loss": [2.5, *(1 - late)],
        }  # fmt: skip
    return runs


def test_the_runs_of_one_model_share_its_panels_however_many_there_are():
    one, ten = figures.plot_runs({"cnn": _curves(1)}), figures.plot_runs({"cnn": _curves(10)})
    assert len(one.axes) == len(ten.axes) == 2
    accuracy, loss = ten.axes
    assert len(accuracy.get_lines()) == 20  # validation and training, each run
    assert {line.get_linestyle() for line in accuracy.get_lines()} == {"-", "--"}
    assert len(loss.get_legend().get_texts()) == 10
    low, high = accuracy.get_ylim()
    assert 0.9 < low < 0.98 and high < 1.01  # chosen after the first epoch: it is off the axis
    assert loss.get_yscale() == "log"
    two = figures.plot_runs({"cnn": _curves(10), "dense": _curves(3)})
    assert len(two.axes) == 4  # a row per model
    ten.canvas.draw()


def test_error_heatmaps_colour_only_the_mistakes_on_one_scale_and_write_the_diagonal():
    fig = figures.plot_error_heatmaps({"a": MATRIX, "b": MATRIX * 2})
    heatmaps = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in heatmaps] == ["a: 27 errors in 527", "b: 54 errors in 1,054"]
    meshes = [ax.collections[0] for ax in heatmaps]
    # One colour scale for both panels, set by the largest mistake count (6), not the diagonal.
    assert all(m.get_clim() == (0, 6) for m in meshes)
    assert all(np.ma.getmaskarray(m.get_array()).sum() == 10 for m in meshes)
    texts = [t for t in heatmaps[0].texts if t.get_text() == "50"]
    assert len(texts) == 10 and all(t.get_fontsize() >= 9 for t in texts)


def test_error_rates_start_at_zero_worst_first_with_labels_above_the_bars():
    fig = figures.plot_error_rates({"good": 0.995, "bad": 0.92, "mid": 0.98})
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == 0
    widths = [p.get_width() for p in sorted(ax.patches, key=lambda p: -p.get_y())]
    assert np.allclose(widths, [8.0, 2.0, 0.5])  # top to bottom: worst first
    labels = [t.get_text() for t in ax.texts]
    assert labels[0].startswith("bad: 8.00%") and "good" in labels[-1]


def test_feature_maps_share_one_scale_and_show_at_most_max_maps():
    fig = figures.plot_feature_maps(RNG.random((1, 5, 5, 40)), title="t", max_maps=32, cols=8)
    shown = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(shown) == 32
    assert len({im.get_clim() for im in shown}) == 1


def test_augmentation_shows_the_difference():
    before = np.zeros((1, 28, 28))
    after = before.copy()
    after[0, 10, 10] = 1.0
    fig = figures.plot_augmentation(before, after)
    difference = fig.axes[2].images[0].get_array()
    assert difference[10, 10] == 1.0 and difference.sum() == 1.0
