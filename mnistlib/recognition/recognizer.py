"""The recogniser: a digit classifier, its "not sure" checks and its predictor, together.

``Recognizer(model, sureness)`` wraps any Keras digit classifier (a learner's own, or the one
shipped with the package); ``Recognizer.load(path=None)`` loads a ``.keras`` file safely together
with the checks saved beside it (``<model>.sure.npz``), so one file always answers the same.
Its methods:

- ``recognize(source)`` / ``recognize_many(sources)``: prepare each image the MNIST way
  (``mnistlib.recognition.prepare``) and read it; ``Recognition``: the digit, the ten
  probabilities, the 28x28 the model saw, and why it is not sure, if it is not.
- ``read_number(source)``: find each digit written in a row (``mnistlib.recognition.segment``)
  and read them all in one model call; ``NumberReading``.
- ``probabilities(images)``: the ten probabilities of prepared 28x28 images, in one call.

Every answer is averaged over the views of each image its checks were chosen for: the shipped
recogniser reads each digit nine times, shifted by a pixel each way (``sureness.NINE_VIEWS``);
a learner's model, once.

The predictor is built from the model (``runtime.predictor``): Keras for a learner's model, LiteRT
for the shipped one (``Recognizer.load()``), which then answers without importing TensorFlow.
TensorFlow is imported only when a Keras model is loaded or wrapped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from mnistlib.errors import ImageError, ModelLoadError
from mnistlib.recognition.images import Box, Source, decode, read_image
from mnistlib.recognition.loading import (
    NUM_CLASSES,
    check_digit_model,
    load_model,
    shipped_recognizer_path,
)
from mnistlib.recognition.numbers import (
    best_reading,
    candidates,
    line_doubts,
    separator_doubt,
    shape_doubts,
    side_doubts,
    thin_doubts,
    with_sides,
)
from mnistlib.recognition.prepare import prepare_pixels
from mnistlib.recognition.runtime import LiteModel, Predictor, lite_path, predictor
from mnistlib.recognition.segment import find_groups
from mnistlib.recognition.stretch import narrow_doubts, narrow_view
from mnistlib.recognition.sureness import ONE_VIEW, Sureness, sureness_path
from mnistlib.recognition.verdict import digit_verdict, number_verdict

if TYPE_CHECKING:
    import keras

#: What a widget or command takes as its model: a ``Recognizer``, a Keras digit classifier,
#: the path of a ``.keras`` file, or None (the recogniser shipped with the package).
ModelSpec: TypeAlias = "Recognizer | keras.Model | str | os.PathLike[str] | None"


@dataclass(frozen=True)
class Recognition:
    """One digit read: the digit, the ten probabilities, the prepared 28x28 and any doubt."""

    digit: int
    probabilities: np.ndarray
    image: np.ndarray
    doubt: str | None = None  #: why it is "not sure" (``Sureness.doubts``); None when sure

    @property
    def sure(self) -> bool:
        """Whether the digit passed every "not sure" check."""
        return self.doubt is None

    @property
    def confidence(self) -> float:
        """The probability of the recognised digit."""
        return float(self.probabilities[self.digit])

    def describe(self) -> str:
        """ "7 (99.1%)", or "not sure: 4 or 9? (55.0%) - why" (``verdict.digit_verdict``)."""
        return digit_verdict(self)


@dataclass(frozen=True)
class NumberReading:
    """What ``read_number`` found: the digits left to right, where each one is, and the
    separators (``/ . , : -``) written between them."""

    digits: list[Recognition]
    boxes: list[Box]  #: (left, top, right, bottom) in the original image's pixels, per digit
    #: Each separator read, left to right, as (how many digits come before it, its character):
    #: "06/12/25" has ``[(2, "/"), (4, "/")]``.
    separators: list[tuple[int, str]] = field(default_factory=list)
    #: Why the reading as a whole is "not sure" (``numbers.separator_doubt``: a separator where
    #: no number has one), whatever its digits; None when nothing is wrong with it as a whole.
    doubt: str | None = None

    def _with_separators(self, digits: list[str]) -> str:
        """``digits`` (one string per digit) with the separators put back where they were."""
        parts = list(digits)
        for before, character in reversed(self.separators):
            parts.insert(before, character)
        return "".join(parts)

    @property
    def digits_only(self) -> str:
        """The digits alone, e.g. "061225" for "06/12/25"."""
        return "".join(str(r.digit) for r in self.digits)

    @property
    def text(self) -> str:
        """What was read, separators included, e.g. "2026" or "06/12/25"."""
        return self._with_separators([str(r.digit) for r in self.digits])

    @property
    def sure(self) -> bool:
        """Whether the model is sure of every digit, and of the reading as a whole."""
        return self.doubt is None and all(r.sure for r in self.digits)

    @property
    def marked(self) -> str:
        """The reading with "?" for each digit the model is not sure of, e.g. "20?6"."""
        return self._with_separators([str(r.digit) if r.sure else "?" for r in self.digits])

    def describe(self, *, details: bool = False) -> str:
        """ "2026", "06/12/25", or "20?6 (not sure: 2 or 7? ...)"; one digit alone as
        ``Recognition.describe``; every digit's verdict with ``details``
        (``verdict.number_verdict``)."""
        return number_verdict(self.marked, self.digits, details=details, doubt=self.doubt)


def _shifted(images: np.ndarray, views: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Every view of ``images`` (n, h, w): each rolled by (rows, columns) as ``np.roll`` does,
    view-major (views x n, h, w), gathered in one indexing (nine ``np.roll`` calls cost more)."""
    n, height, width = images.shape
    shifts = np.array(views)
    rows = (np.arange(height)[None, :] - shifts[:, :1]) % height  # (views, h)
    cols = (np.arange(width)[None, :] - shifts[:, 1:]) % width  # (views, w)
    out = images[:, rows[:, :, None], cols[:, None, :]]  # (n, views, h, w)
    return out.transpose(1, 0, 2, 3).reshape(-1, height, width)


def as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """A model's outputs (n, 10) as probabilities: kept if they already are, else a softmax."""
    outputs = outputs.astype(np.float64)
    sums = outputs.sum(axis=1, keepdims=True)
    if (outputs >= 0).all() and np.allclose(sums, 1.0, atol=1e-3):
        return outputs / sums
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))  # logits: apply softmax
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Recognizer:
    """A digit classifier with its "not sure" checks (default: the probability alone).

    ``model`` is a Keras digit classifier, or the shipped recogniser's LiteRT twin
    (``runtime.LiteModel``). Frozen: ``dataclasses.replace(recognizer, model=other)`` makes a
    new recogniser with its own predictor, built from its model.
    """

    model: Any
    sureness: Sureness = field(default_factory=Sureness)
    predict: Predictor = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_digit_model(self.model, getattr(self.model, "name", "the model"))
        object.__setattr__(self, "predict", predictor(self.model))

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Recognizer:
        """The ``.keras`` model at ``path``, loaded safely (``loading.load_model``), with the
        checks saved beside it, if any; by default the recogniser shipped with the package, run
        by LiteRT from its exported twin (``runtime.LiteModel``), without TensorFlow.

        Raises ModelLoadError when the model or its checks cannot be used.
        """
        if path is None:
            target = shipped_recognizer_path()
            lite = lite_path(target)
            if not (target.is_file() and lite.is_file()):
                raise ModelLoadError(
                    f"the recogniser shipped with mnistlib is missing ({lite}); reinstall the "
                    "package, or pass the path of your own .keras model"
                )
            try:
                model: Any = LiteModel(lite)
            except ImportError:  # no LiteRT for this platform: the same model on Keras
                model = load_model(target)
        else:
            target = Path(os.fspath(path))
            model = load_model(target)
        checks = sureness_path(target)
        if not checks.is_file():
            return cls(model)
        try:
            sureness = Sureness.load(checks)
        except (OSError, ValueError, KeyError) as err:
            raise ModelLoadError(
                f"{checks.name} (the model's 'not sure' checks) is unreadable: {err}"
            ) from err
        return cls(model, sureness)

    def scores(self, images: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """Last hidden features (n, d) (None if unreachable) and probabilities (n, 10) of
        prepared images (n, 28, 28) in [0, 1], in one model call: each averaged over the
        views of the image its checks were chosen for (``Sureness.views``)."""
        images = np.asarray(images, dtype=np.float32)
        if images.ndim == 2:
            images = images[None]
        if len(images) == 0:
            return None, np.zeros((0, NUM_CLASSES))
        n, shape, views = len(images), tuple(self.model.input_shape)[1:], self.sureness.views
        if views != ONE_VIEW:  # every view of every image in the same call
            images = _shifted(images, views)
        features, outputs = self.predict(images.reshape((len(images), *shape)))
        probabilities = as_probabilities(np.asarray(outputs))
        probabilities = probabilities.reshape(len(views), n, -1).mean(axis=0)
        if features is None:
            return None, probabilities
        features = np.asarray(features, np.float64).reshape(len(views), n, -1).mean(axis=0)
        return features, probabilities

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (n, 10) of prepared images (n, 28, 28) in [0, 1], in one model call."""
        return self.scores(images)[1]

    def read(
        self, images: np.ndarray, narrow: dict[int, np.ndarray] | None = None
    ) -> list[Recognition]:
        """Read prepared images (n, 28, 28) in one model call; ``narrow``: the narrow views
        (``stretch.narrow_view``) of those that fill their frame, by row, read in the same call
        (a 7 whose narrow view is a 1 is "not sure")."""
        rows = sorted(narrow or {})
        images = np.asarray(images, np.float32).reshape(-1, *np.shape(images)[-2:])
        if rows and narrow is not None:
            stacked = np.concatenate([images, np.stack([narrow[r] for r in rows])])
        else:
            stacked = images
        features, scored = self.scores(stacked)
        n = len(images)
        probabilities, features = scored[:n], None if features is None else features[:n]
        doubts = self.sureness.doubts(probabilities, features)
        if rows:
            narrowed = np.full_like(probabilities, np.nan)
            narrowed[rows] = scored[n:]
            doubts = [
                d or s for d, s in zip(doubts, narrow_doubts(probabilities, narrowed), strict=True)
            ]
        return [
            Recognition(int(np.argmax(p)), p, image, doubt)
            for p, image, doubt in zip(probabilities, images, doubts, strict=True)
        ]

    def recognize_many(self, sources: Iterable[Source]) -> list[Recognition]:
        """Recognise several images (each prepared with ``prepare_image``) in one model call;
        one that fills its frame is also read narrower (``stretch.narrow_view``)."""
        pixels = [read_image(source) for source in sources]
        if not pixels:
            return []
        views = {k: view for k, p in enumerate(pixels) if (view := narrow_view(p)) is not None}
        return self.read(np.stack([prepare_pixels(p) for p in pixels]), views)

    def recognize(self, source: Source) -> Recognition:
        """Recognise the digit in one image (see ``mnistlib.recognition.images.Source``)."""
        return self.recognize_many([source])[0]

    def read_number(self, source: Source) -> NumberReading:
        """Read the digits and separators written in a row in ``source`` (anything
        ``prepare_image`` takes).

        The image is decoded once; printed lines are taken out and the digits and separators
        found with ``segment.find_groups``; each digit is prepared the MNIST way from the
        original pixels of its own box, exactly as it would be if it had been handed in alone,
        then all are recognised in one model call. Ink wide enough to hold touching digits is
        read both whole and cut in pieces, and the reading the model is surest of wins
        (``numbers.best_reading``; a digit touching a box's side taken out is read with the
        side's ink put back too: ``numbers.with_sides``); a piece cut from a shape that is no
        digit is "not sure" (``numbers.shape_doubts``), and so is a printed line's thin piece
        (``numbers.thin_doubts``), a digit touching a box's side taken out, cut short by it or
        read as another digit with the side put back (``numbers.side_doubts``), and a dot or
        comma among printed lines (``numbers.separator_doubt``). An image holding one digit is
        read exactly as ``recognize`` reads it. Raises ImageError when there is no digit.
        """
        decoded = decode(source)
        groups = find_groups(decoded)
        found = candidates(decoded, groups)
        if not found.images:
            raise ImageError("no visible digit: the ink found is too faint or too small")
        read = self.read(np.stack(found.images), found.narrow)
        digits: list[Recognition] = []
        boxes: list[Box] = []
        separators: list[tuple[int, str]] = []
        chosen = with_sides(groups, found, best_reading(groups, found, read), read)
        doubts = thin_doubts(chosen, read)  # a printed line's thin piece
        doubts |= shape_doubts(groups, chosen, read)  # pieces of shapes, not whole digits
        doubts |= side_doubts(groups, found, chosen, read)  # ink against a box's side taken out
        doubts |= line_doubts(groups, found, chosen, read)  # a rule across it taken out
        for piece, row in chosen:
            if isinstance(row, str):
                separators.append((len(digits), row))
            else:
                doubt = doubts.get(row)
                digits.append(read[row] if doubt is None else replace(read[row], doubt=doubt))
                boxes.append(piece.box)
        lined = any(group.lined for group in groups)
        doubt = separator_doubt(separators, len(digits), lined=lined)
        return NumberReading(digits, boxes, separators, doubt)


def as_recognizer(model: ModelSpec) -> Recognizer:
    """A ``Recognizer`` for ``model`` (see ``ModelSpec``): a path or None is loaded."""
    if isinstance(model, Recognizer):
        return model
    if model is None or isinstance(model, str | os.PathLike):
        return Recognizer.load(model)
    return Recognizer(model)
