"""Every plotting helper returns a titled Figure with labelled axes and leaves pyplot alone."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from mnistlib import metrics, plotting
from mnistlib.files import sample_images

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (12, 28, 28), dtype=np.uint8)
LABELS = np.arange(12) % 10
HISTORY = {"loss": [0.5, 0.2], "accuracy": [0.9, 0.95], "val_loss": [0.3, 0.2],
           "val_accuracy": [0.92, 0.96]}  # fmt: skip


def _titles(fig: Figure) -> str:
    parts = [fig._suptitle.get_text() if fig._suptitle else ""]
    parts += [ax.get_title() for ax in fig.axes]
    return " ".join(parts)


FIGURES = {
    "digits": lambda: plotting.plot_digits(IMAGES, LABELS),
    "predictions": lambda: plotting.plot_digits(IMAGES, LABELS, predictions=(LABELS + 1) % 10),
    "pixels": lambda: plotting.plot_pixel_values(IMAGES[0], label=3),
    "counts": lambda: plotting.plot_class_counts(LABELS, LABELS),
    "history": lambda: plotting.plot_history(
        {"a": HISTORY, "b": {"loss": [1.0], "accuracy": [0.5]}}
    ),
    "probabilities": lambda: plotting.plot_probabilities(np.eye(10)[4], image=IMAGES[0]),
    "preparation": lambda: plotting.preparation_figure(sample_images()[0]),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_titled_and_not_left_in_pyplot(name):
    before = plt.get_fignums()
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    assert _titles(fig).strip(), "every figure needs a title"
    assert plt.get_fignums() == before
    for ax in fig.axes:
        if ax.axison and ax.get_xticks().size:
            assert ax.get_xlabel() or name in {"digits", "predictions"}, (
                f"{name}: unlabelled x axis"
            )
    fig.canvas.draw()  # renders without error


def test_prediction_titles_mark_mistakes():
    fig = plotting.plot_digits(IMAGES[:2], [3, 4], predictions=[3, 5])
    titles = [ax.get_title() for ax in fig.axes[:2]]
    assert titles == ["3", "5 (true 4)"]


def test_confusion_matrix_counts():
    cm = metrics.confusion_matrix([0, 0, 1, 9], [0, 1, 1, 9])
    assert cm.shape == (10, 10) and cm.sum() == 4
    assert cm[0, 0] == 1 and cm[0, 1] == 1 and cm[1, 1] == 1 and cm[9, 9] == 1


def test_confusion_matrix_rejects_mismatched_lengths_and_non_digits():
    with pytest.raises(ValueError, match="predictions"):
        metrics.confusion_matrix([1, 2], [1])
    with pytest.raises(ValueError, match="digits 0-9"):
        metrics.confusion_matrix([1, 10], [1, 2])  # would have been counted in row 2, column 0
