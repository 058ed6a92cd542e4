"""Running a digit classifier: Keras for any model, LiteRT for the recogniser shipped with mnistlib.

A predictor takes a batch of prepared images ((n, 28, 28, 1) or the model's own input shape,
float32 in [0, 1]) and gives two arrays: the last hidden features, which the familiarity check
reads, and the model's ten outputs.

- ``keras_predictor(model)``: any Keras digit classifier (a learner's own), traced once with
  ``tf.function`` for any batch size.
- ``LiteModel(path)``: the shipped recogniser's LiteRT twin (``digit_recognizer.tflite``),
  written by ``export_litert`` from the ``.keras`` file (``scripts/export_recognizer.py``,
  run by ``make recognizer``). Importing LiteRT and answering a first image takes about a tenth
  of a second, against about 4 s for importing TensorFlow (docs/recognition.md), so
  ``mnistlib recognize`` answers from a cold start in about a second.

TensorFlow is imported only by ``keras_predictor`` and ``export_litert``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mnistlib.errors import ModelLoadError

if TYPE_CHECKING:
    import keras

#: A predictor: prepared images in, (last hidden features or None, the ten outputs) out.
Predictor = Callable[[np.ndarray], tuple[np.ndarray | None, np.ndarray]]
#: The names the exported model gives its two outputs, in the order ``two_outputs`` lists them.
FEATURES_OUTPUT, SCORES_OUTPUT = "output_0", "output_1"
#: LiteRT's threads (its default is one): two read an image's nine views in half the time on
#: 2 idle cores (3.2 -> 1.7 ms); more add little for so small a batch (docs/benchmarks.md).
LITE_THREADS = min(2, os.cpu_count() or 1)


def lite_path(model_path: str | os.PathLike[str]) -> Path:
    """Where the LiteRT twin of the ``.keras`` model at ``model_path`` is written: beside it."""
    return Path(os.fspath(model_path)).with_suffix(".tflite")


def two_outputs(model: keras.Model) -> keras.Model | None:
    """``model`` with two outputs: the input of its last layer (its last hidden features) and
    its own output; None for a model whose layers cannot be reached (a subclassed model)."""
    import keras

    try:
        return keras.Model(model.inputs, [model.layers[-1].input, model.outputs[0]])
    except (AttributeError, ValueError, IndexError, TypeError):
        return None


def keras_predictor(model: keras.Model) -> Predictor:
    """A predictor running ``model`` with Keras (traced once for any batch size: one call costs
    about a tenth of ``model.predict``'s fixed overhead). A model without reachable layers gives
    None for the features."""
    from mnistlib._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    import tensorflow as tf

    both = two_outputs(model)
    shape = (None, *tuple(model.input_shape)[1:])

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32)], reduce_retracing=True)
    def call(x: Any) -> Any:
        if both is None:
            return model(x, training=False)
        return both(x, training=False)

    def predict(images: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        if both is None:
            return None, np.asarray(call(images))
        features, outputs = call(images)
        return np.asarray(features), np.asarray(outputs)

    return predict


class LiteModel:
    """A digit classifier exported for LiteRT by ``export_litert``: what the shipped recogniser
    runs on. Like a Keras model it has ``name``, ``input_shape`` and ``output_shape``; calling
    ``predict_both(images)`` gives its features and probabilities in one call.

    Raises ModelLoadError when the file is missing or is not such a model.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from mnistlib._quiet import silenced_stderr

        self.path = Path(os.fspath(path))
        if not self.path.is_file():
            raise ModelLoadError(f"no LiteRT model at {self.path}")
        try:
            with silenced_stderr():  # "INFO: Created TensorFlow Lite XNNPACK delegate"
                interpreter = Interpreter(str(self.path), num_threads=LITE_THREADS)
                self._runner = interpreter.get_signature_runner()
            details = self._runner.get_input_details()
            (self._input, spec), *others = details.items()
            outputs = self._runner.get_output_details()
        except (ValueError, RuntimeError) as err:
            raise ModelLoadError(f"{self.path.name} is not a usable LiteRT model: {err}") from err
        if others or set(outputs) != {FEATURES_OUTPUT, SCORES_OUTPUT}:
            raise ModelLoadError(f"{self.path.name} is not a model written by export_litert")
        self.name = self.path.stem
        self.input_shape: tuple[int | None, ...] = (
            None,
            *(int(d) for d in spec["shape_signature"][1:]),
        )
        self.output_shape = (None, int(outputs[SCORES_OUTPUT]["shape_signature"][-1]))
        with silenced_stderr():  # the delegate says "INFO: Created ..." on the first call
            self.predict_both(np.zeros((1, *spec["shape_signature"][1:]), np.float32))

    def predict_both(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The last hidden features and the ten probabilities of a batch of prepared images."""
        out = self._runner(**{self._input: np.ascontiguousarray(images, np.float32)})
        return out[FEATURES_OUTPUT], out[SCORES_OUTPUT]

    def __repr__(self) -> str:
        return f"LiteModel({str(self.path)!r})"


def predictor(model: Any) -> Predictor:
    """The predictor for ``model``: a ``LiteModel`` runs itself, anything else runs on Keras."""
    if isinstance(model, LiteModel):
        return model.predict_both
    return keras_predictor(model)


def export_litert(model: keras.Model, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` for LiteRT at ``path`` with two outputs (``two_outputs``): what
    ``LiteModel`` loads. Any batch size is accepted. Returns the path."""
    from mnistlib._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    both = two_outputs(model)
    if both is None:
        raise ModelLoadError(f"{model.name}: its last hidden layer cannot be reached for export")
    path = Path(os.fspath(path))
    both.export(str(path), format="litert", verbose=False)
    return path
