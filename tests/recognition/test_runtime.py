"""mnistlib.recognition.runtime: the shipped recogniser on LiteRT answers as Keras does."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mnistlib.errors import ModelLoadError
from mnistlib.recognition import Recognizer, load_model, prepare_image, sample_images
from mnistlib.recognition.loading import shipped_recognizer_path
from mnistlib.recognition.runtime import LiteModel, export_litert, lite_path

STALE = "the shipped .tflite disagrees with the .keras: run `python scripts/export_recognizer.py`"


def test_the_shipped_litert_twin_answers_as_keras_on_samples_and_mnist_digits(mnist):
    lite = Recognizer.load()
    assert isinstance(lite.model, LiteModel)
    keras_model = Recognizer(load_model(shipped_recognizer_path()), lite.sureness)
    _, (x_test, _) = mnist
    images = np.concatenate(
        [np.stack([prepare_image(p) for p in sample_images()]), x_test[:300] / np.float32(255)]
    )
    features, probabilities = lite.scores(images)  # nine views, as shipped
    keras_features, keras_probabilities = keras_model.scores(images)
    assert features is not None and keras_features is not None
    np.testing.assert_allclose(probabilities, keras_probabilities, atol=1e-5, err_msg=STALE)
    np.testing.assert_allclose(features, keras_features, atol=1e-5, err_msg=STALE)
    assert (probabilities.argmax(1) == keras_probabilities.argmax(1)).all(), STALE
    assert [r.doubt for r in lite.read(images)] == [r.doubt for r in keras_model.read(images)]


def test_an_exported_model_answers_as_keras(tmp_path, dense_model):
    path = export_litert(dense_model, lite_path(tmp_path / "dense.keras"))
    assert path == tmp_path / "dense.tflite"
    twin = Recognizer(LiteModel(path))
    images = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(
        twin.probabilities(images), Recognizer(dense_model).probabilities(images), atol=1e-5
    )


def test_a_file_that_is_not_a_litert_model_is_refused(tmp_path):
    (tmp_path / "x.tflite").write_bytes(b"not a model")
    with pytest.raises(ModelLoadError):
        LiteModel(tmp_path / "x.tflite")
    with pytest.raises(ModelLoadError, match="no LiteRT model"):
        LiteModel(tmp_path / "missing.tflite")


def test_a_recognizer_is_frozen_and_a_new_model_brings_its_own_predictor(dense_model):
    import keras

    other = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)], name="other")
    recognizer = Recognizer(dense_model)
    with pytest.raises(dataclasses.FrozenInstanceError):
        recognizer.model = other  # type: ignore[misc]
    swapped = dataclasses.replace(recognizer, model=other)
    images = np.random.default_rng(1).random((3, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(
        swapped.probabilities(images), Recognizer(other).probabilities(images), atol=1e-6
    )
    assert not np.allclose(swapped.probabilities(images), recognizer.probabilities(images))
