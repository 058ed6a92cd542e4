"""mnistlib.recognition.figures: the grid of images read (the other figures are tested beside
what they show: preparation in test_prepare, number reading in test_segment, the flag curve in
test_sureness)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.text import Text

from mnistlib.recognition.figures import plot_recognition_grid


def test_the_grid_marks_wrong_readings_and_leaves_pyplot_alone():
    rng = np.random.default_rng(0)
    images = rng.random((3, 28, 28))
    before = plt.get_fignums()
    fig = plot_recognition_grid(
        [images[0], np.zeros((40, 30, 4), np.uint8), images[2]],
        images,
        [1, 2, 3],
        [0.9, 0.5, 0.99],
        ["a.png", "b.png", "c.jpg"],
        [1, 7, 3],
    )
    assert plt.get_fignums() == before
    titles = [t for t in fig.findobj(Text) if t.get_text().startswith(("a.png", "b.png", "c.jpg"))]
    assert len(titles) == 3
    wrong = [t for t in titles if "true 7" in t.get_text()]
    assert len(wrong) == 1 and wrong[0].get_color() != titles[0].get_color()
