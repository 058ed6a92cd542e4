"""Recognising the digit in a person's own image, or the number written in it.

``recognize(model, source)`` prepares the image (``mnistlib.prepare``) and runs the model on it;
``recognize_many`` does the same for several images with one model call. Both return
``Recognition`` objects: the digit, the ten probabilities, the 28x28 the model saw, and whether
the model is sure (``mnistlib.confidence``). ``read_number`` finds each digit of a number
written in a row (``mnistlib.segment``) and reads them all with one model call.

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

from mnistlib.confidence import describe, features_and_probabilities, sureness_for
from mnistlib.errors import ImageError
from mnistlib.imageio import Source
from mnistlib.prepare import prepare_image
from mnistlib.preprocess import NUM_CLASSES
from mnistlib.segment import Box, Segment, find_groups

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Recognition:
    """What ``recognize`` found: the digit, the ten probabilities and the prepared 28x28."""

    digit: int
    probabilities: np.ndarray
    image: np.ndarray
    sure: bool = True  #: False: "not sure" (``mnistlib.confidence``)

    @property
    def confidence(self) -> float:
        """The probability of the recognised digit."""
        return float(self.probabilities[self.digit])

    def describe(self) -> str:
        """The digit, e.g. "7", or "not sure: 4 or 9?" (its two likeliest digits)."""
        return describe(self.digit, self.probabilities, self.sure)


@dataclass(frozen=True)
class NumberReading:
    """What ``read_number`` found: the digits left to right and where each one is."""

    digits: list[Recognition]
    boxes: list[Box]  #: (left, top, right, bottom) in the original image's pixels

    @property
    def text(self) -> str:
        """The number as a string of digits, e.g. "2026"."""
        return "".join(str(r.digit) for r in self.digits)

    @property
    def sure(self) -> bool:
        """Whether the model is sure of every digit."""
        return all(r.sure for r in self.digits)

    def describe(self) -> str:
        """ "2026"; one digit as ``Recognition.describe``; else e.g. "20?6 (not sure: 2 or 7?)"."""
        if len(self.digits) == 1 or self.sure:
            return self.digits[0].describe() if len(self.digits) == 1 else self.text
        text = "".join(str(r.digit) if r.sure else "?" for r in self.digits)
        doubts = ", ".join(r.describe() for r in self.digits if not r.sure)
        return f"{text} ({doubts})"


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


def _read_all(model: keras.Model, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (n, 10) and sure flags (n,) of prepared images, in one model call."""
    sureness = sureness_for(model)
    if sureness.means is None:
        probabilities, features = predict_probabilities(model, images), None
    else:  # the familiarity check needs the last hidden layer too: same call
        features, probabilities = features_and_probabilities(model, images)
    return probabilities, sureness.sure(probabilities, features)


def recognize_many(model: keras.Model, sources: Iterable[Source]) -> list[Recognition]:
    """Recognise several images with one model call (each prepared with ``prepare_image``)."""
    images = [prepare_image(source) for source in sources]
    if not images:
        return []
    probabilities, sure = _read_all(model, np.stack(images))
    return [
        Recognition(int(np.argmax(p)), p, image, bool(ok))
        for p, image, ok in zip(probabilities, images, sure, strict=True)
    ]


def recognize(model: keras.Model, source: Source) -> Recognition:
    """Recognise the digit in one image (see ``mnistlib.imageio.Source`` for what it may be)."""
    return recognize_many(model, [source])[0]


#: Log-probability a reading pays for each extra cut, and per digit height a piece is wider
#: than tall (digits are rarely wider than tall: a wide piece is more likely two digits).
#: Chosen with the shipped recogniser on numbers composed from the validation digits (the last
#: 5,000 MNIST training images) and from stroke-drawn digits, 60 per length 1-6 each: among
#: {0.5, 1, 2, 3, 4, 6} x {1, 3, 6}, (1, 3) read the most numbers right (0.903; (0.5, 3) 0.893).
SPLIT_COST, WIDE_COST = 1.0, 3.0


def _score(probabilities: np.ndarray, pieces: list[Segment], height: float) -> float:
    """How well a way of cutting a group reads: the sum of log top-probabilities, less
    SPLIT_COST per extra piece and WIDE_COST per digit height a piece is wider than tall."""
    wide = sum(max(0.0, (s.box[2] - s.box[0]) / max(height, 1.0) - 1.0) for s in pieces)
    top = np.log(np.maximum(probabilities.max(axis=1), 1e-12)).sum()
    return float(top) - SPLIT_COST * (len(pieces) - 1) - WIDE_COST * wide


def read_number(model: keras.Model, source: Source) -> NumberReading:
    """Read the digits written in a row in ``source`` (anything ``prepare_image`` takes).

    The digits are found with ``segment.find_groups``, prepared the MNIST way with
    ``prepare_image`` and recognised, all in one model call. Ink wide enough to hold touching
    digits is read both whole and cut in pieces, and the reading the model is surest of wins.
    An image holding one digit is read exactly as ``recognize`` reads it. Raises ImageError
    when there is no digit.
    """
    groups = find_groups(source)
    images: list[np.ndarray] = []
    spans: list[list[tuple[int, slice]]] = []  # per group: (option, its rows of ``images``)
    for group in groups:
        spans.append([])
        for k, option in enumerate(group.options):
            try:
                if len(groups) == 1 and k == 0:
                    prepared = [prepare_image(source)]
                else:
                    prepared = [prepare_image(piece.crop) for piece in option]
            except ImageError:
                continue  # a piece too faint to be a digit: not a way to read this group
            spans[-1].append((k, slice(len(images), len(images) + len(prepared))))
            images.extend(prepared)
    if not images:
        raise ImageError("no visible digit: the ink found is too faint or too small")
    probabilities, sure = _read_all(model, np.stack(images))
    digits, boxes = [], []
    for group, options in zip(groups, spans, strict=True):
        if not options:
            continue
        k, rows = max(
            options, key=lambda o: _score(probabilities[o[1]], group.options[o[0]], group.height)
        )
        for piece, i in zip(group.options[k], range(len(images))[rows], strict=True):
            p = probabilities[i]
            digits.append(Recognition(int(np.argmax(p)), p, images[i], bool(sure[i])))
            boxes.append(piece.box)
    return NumberReading(digits, boxes)


def _number_line(reading: NumberReading) -> str:
    """ "2026 (2 99.8%, 0 99.5%, ...)"; a digit the model is not sure of shows as "?" in the
    number and as "not sure: 2 or 7? (61.0%)" in the list."""
    if len(reading.digits) == 1:
        return f"{reading.digits[0].describe()} ({reading.digits[0].confidence:.1%})"
    head = "".join(str(r.digit) if r.sure else "?" for r in reading.digits)
    details = ", ".join(
        f"{r.digit} {r.confidence:.1%}" if r.sure else f"{r.describe()} ({r.confidence:.1%})"
        for r in reading.digits
    )
    return f"{head} ({details})"


def command(images: Sequence[str], model: Path | None = None, *, number: bool = False) -> int:
    """``mnistlib recognize [--number] IMAGE... [--model PATH]``: print the digit (or with
    ``number``, the number) in each image file; "not sure: 4 or 9?" where the model is not.

    Exit status 0 when every image was read, 1 when some could not be, 2 when the model could
    not be loaded.
    """
    from mnistlib.errors import ModelLoadError
    from mnistlib.saving import load_recognizer

    try:
        recognizer = load_recognizer(model)
    except ModelLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for name in images:
        try:
            if number:
                line = _number_line(read_number(recognizer, name))
            else:
                result = recognize(recognizer, name)
                line = f"{result.describe()} (confidence {result.confidence:.1%})"
        except (ImageError, FileNotFoundError, PermissionError) as err:
            failed += 1
            print(f"{name}: error: {err}", file=sys.stderr)
            continue
        print(f"{name}: {line}", flush=True)
    return 1 if failed else 0
