"""Images the tests draw (imported by test modules: ``from helpers import seven``)."""

from __future__ import annotations

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
