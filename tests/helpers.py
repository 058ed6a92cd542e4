"""Images the tests draw (imported by test modules: ``from helpers import seven``)."""

from __future__ import annotations

import numpy as np
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


def counting(model):
    """``model`` wrapped so that ``wrapper.calls`` counts how often it is called on a batch
    (a variable incremented inside the call, so compiled calls count too), and
    ``wrapper.traces`` lists the input shapes it was traced with (Python runs only then)."""
    import keras

    class Counting(keras.Model):
        def __init__(self):
            super().__init__()
            self.inner = model
            self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False)
            self.traces: list[tuple] = []

        def call(self, x, training=False):
            self.traces.append(tuple(x.shape))
            self.calls.assign_add(1.0)
            return self.inner(x, training=training)

        @property
        def input_shape(self):
            return model.input_shape

        @property
        def output_shape(self):
            return model.output_shape

    return Counting()


class Confident:
    """A stand-in recogniser: reads every image as the digit of its brightest column band, with a
    top probability that grows with the ink; its "features" are the mean ink of 4 bands."""

    from mnistlib.recognition import Sureness

    sureness = Sureness()  # read once: one view

    def scores(self, images):
        images = np.asarray(images, dtype=np.float64).reshape(len(images), 28, 28)
        bands = images.reshape(len(images), 28, 4, 7).mean(axis=(1, 3))
        top = np.clip(0.5 + 4 * images.mean(axis=(1, 2)), 0.5, 0.999)
        p = np.repeat(((1 - top) / 9)[:, None], 10, axis=1)
        p[np.arange(len(p)), 0] = top
        return bands, p


def whole_groups(source):
    """The digits ``find_groups`` finds in ``source``, each group whole, left to right (the
    tests' digits are written apart, so a group is one digit)."""
    from mnistlib.recognition import segment

    groups = segment.find_groups(source)
    return [group.options[0][0] for group in groups if group.character is None]
