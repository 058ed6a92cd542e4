"""Recognising the digit in a person's own image.

``recognize(model, source)`` prepares the image (``mnistlib.prepare``) and runs the model on it;
``recognize_many`` does the same for several images with one model call. Both return
``Recognition`` objects: the digit, the ten probabilities and the 28x28 the model saw.

TensorFlow is imported only when a model is first called.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mnistlib.imageio import Source
from mnistlib.prepare import prepare_image
from mnistlib.preprocess import NUM_CLASSES

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Recognition:
    """What ``recognize`` found: the digit, the ten probabilities and the prepared 28x28."""

    digit: int
    probabilities: np.ndarray
    image: np.ndarray

    @property
    def confidence(self) -> float:
        """The probability of the recognised digit."""
        return float(self.probabilities[self.digit])


_PREDICTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _predictor(model: keras.Model) -> Callable[[np.ndarray], Any]:
    """A compiled function calling the model (``model.predict`` costs ~35 ms per call).

    One per model, traced once for any batch size. It holds the model weakly, so a model that is
    no longer used can still be freed.
    """
    known: Callable[[np.ndarray], Any] | None = _PREDICTORS.get(model)
    if known is not None:
        return known
    from mnistlib._quiet import import_tensorflow_quietly
    from mnistlib.saving import check_digit_model

    import_tensorflow_quietly()
    import tensorflow as tf

    check_digit_model(model, getattr(model, "name", "the model"))
    shape = (None, *tuple(model.input_shape)[1:])
    ref = weakref.ref(model)

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32)], reduce_retracing=True)
    def call(x: Any) -> Any:
        live = ref()
        if live is None:  # only reachable through a stale reference to this function
            raise ReferenceError("the model behind this predictor was freed")
        return live(x, training=False)

    _PREDICTORS[model] = call
    return call


def as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """A model's outputs (n, 10) as probabilities: kept if they already are, else a softmax."""
    outputs = outputs.astype(np.float64)
    sums = outputs.sum(axis=1, keepdims=True)
    if (outputs >= 0).all() and np.allclose(sums, 1.0, atol=1e-3):
        return outputs / sums
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))  # logits: apply softmax
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict_probabilities(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Probabilities (n, 10) for prepared images (n, 28, 28) in [0, 1], in one model call.

    The images are reshaped to the model's input ((28, 28, 1), (28, 28) or (784,)); a model
    ending in logits gets a softmax.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 2:
        images = images[None]
    if len(images) == 0:
        return np.zeros((0, NUM_CLASSES))
    shape = tuple(model.input_shape)[1:]
    fn = _predictor(model)
    outputs = np.asarray(fn(images.reshape((len(images), *shape))))
    return as_probabilities(outputs)


def recognize_many(model: keras.Model, sources: Iterable[Source]) -> list[Recognition]:
    """Recognise several images with one model call (each prepared with ``prepare_image``)."""
    images = [prepare_image(source) for source in sources]
    if not images:
        return []
    probabilities = predict_probabilities(model, np.stack(images))
    return [
        Recognition(digit=int(np.argmax(p)), probabilities=p, image=image)
        for p, image in zip(probabilities, images, strict=True)
    ]


def recognize(model: keras.Model, source: Source) -> Recognition:
    """Recognise the digit in one image (see ``mnistlib.imageio.Source`` for what it may be)."""
    return recognize_many(model, [source])[0]


def command(images: Sequence[str], model: Path | None = None) -> int:
    """``mnistlib recognize IMAGE... [--model PATH]``: print the digit in each image file.

    Exit status 0 when every image was read, 1 when some could not be, 2 when the model could
    not be loaded.
    """
    from mnistlib.errors import ImageError, ModelLoadError
    from mnistlib.saving import load_recognizer

    try:
        recognizer = load_recognizer(model)
    except ModelLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for name in images:
        try:
            result = recognize(recognizer, name)
        except (ImageError, FileNotFoundError, PermissionError) as err:
            failed += 1
            print(f"{name}: error: {err}", file=sys.stderr)
            continue
        print(f"{name}: {result.digit} (confidence {result.confidence:.1%})", flush=True)
    return 1 if failed else 0
