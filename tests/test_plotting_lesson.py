"""The figures added for the notebooks: titled Figures, no pyplot state, and what they show."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from mnistlib import plotting

RNG = np.random.default_rng(0)
IMAGES = RNG.random((12, 28, 28))
MATRIX = np.diag(np.full(10, 50)) + np.eye(10, k=1, dtype=int) * 3

FIGURES = {
    "error heatmaps": lambda: plotting.plot_error_heatmaps({"a": MATRIX, "b": MATRIX.T}),
    "error rates": lambda: plotting.plot_error_rates({"cnn": 0.99, "dense": 0.92}),
    "batch accuracy": lambda: plotting.plot_batch_accuracy({"ce": [0.1, 0.5], "mse": [0.1, 0.3]}),
    "filters": lambda: plotting.plot_filters(RNG.normal(size=(3, 3, 1, 20))),
    "feature maps": lambda: plotting.plot_feature_maps(RNG.random((26, 26, 20)), title="maps"),
    "recognition grid": lambda: plotting.plot_recognition_grid(
        [IMAGES[0], np.zeros((40, 30, 4), np.uint8), IMAGES[2]],
        IMAGES[:3],
        [1, 2, 3],
        [0.9, 0.5, 0.99],
        ["a.png", "b.png", "c.jpg"],
        [1, 7, 3],
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_titled_and_not_left_in_pyplot(name):
    before = plt.get_fignums()
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() or any(ax.get_title() for ax in fig.axes)
    assert plt.get_fignums() == before
    fig.canvas.draw()


def test_error_heatmaps_colour_only_the_mistakes_on_one_scale():
    fig = plotting.plot_error_heatmaps({"a": MATRIX, "b": MATRIX * 2})
    heatmaps = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in heatmaps] == ["a: 27 errors in 527", "b: 54 errors in 1,054"]
    meshes = [ax.collections[0] for ax in heatmaps]
    # One colour scale for both panels, set by the largest mistake count (6), not the diagonal.
    assert all(m.get_clim() == (0, 6) for m in meshes)
    assert all(np.ma.getmaskarray(m.get_array()).sum() == 10 for m in meshes)


def test_error_rates_start_at_zero_and_sort_worst_first():
    fig = plotting.plot_error_rates({"good": 0.995, "bad": 0.92, "mid": 0.98})
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["bad", "mid", "good"]
    widths = [p.get_width() for p in ax.patches]
    assert np.allclose(widths, [8.0, 2.0, 0.5])


def test_recognition_grid_marks_wrong_readings():
    fig = FIGURES["recognition grid"]()
    titles = [sub.get_suptitle() for sub in fig.subfigs]
    assert titles[0] == "a.png\nread 1 (90%)"
    assert titles[1] == "b.png\nread 2 (50%), true 7"


def test_feature_maps_show_at_most_max_maps():
    fig = plotting.plot_feature_maps(RNG.random((1, 5, 5, 40)), title="t", max_maps=32, cols=8)
    assert sum(1 for ax in fig.axes if ax.images) == 32
