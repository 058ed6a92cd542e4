"""Tests for the small core modules: preprocess, seed, models."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import mnistlib
from mnistlib import models, preprocess


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))


# --- preprocess ---------------------------------------------------------------------------
def test_to_cnn_input_adds_channel_and_scales():
    x = np.array([np.full((28, 28), 255, np.uint8), np.zeros((28, 28), np.uint8)])
    out = preprocess.to_cnn_input(x)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32
    assert out[0].max() == 1.0 and out[1].max() == 0.0


def test_to_dense_input_flattens_row_major():
    x = np.arange(28 * 28, dtype=np.uint8).reshape(1, 28, 28)
    out = preprocess.to_dense_input(x)
    assert out.shape == (1, 784)
    np.testing.assert_allclose(out[0, :3] * 255, [0, 1, 2], atol=1e-4)


def test_one_hot_puts_a_single_one_at_the_label():
    out = preprocess.one_hot(np.array([3, 0, 9]))
    assert out.shape == (3, 10)
    assert out.sum(axis=1).tolist() == [1, 1, 1]
    assert np.argmax(out, axis=1).tolist() == [3, 0, 9]


def test_both_inputs_accept_a_channel_axis():
    x = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(preprocess.to_cnn_input(x[..., None]), preprocess.to_cnn_input(x))
    np.testing.assert_array_equal(
        preprocess.to_dense_input(x[..., None]), preprocess.to_dense_input(x)
    )


@pytest.mark.parametrize(
    "shape",
    [(5, 27, 28), (28,), (28, 28), (5, 28, 28, 3), (5, 3, 28, 28), (2, 5, 28, 28), (5, 784)],
)
@pytest.mark.parametrize("convert", [preprocess.to_cnn_input, preprocess.to_dense_input])
def test_preprocess_rejects_wrong_shapes(shape, convert):
    # (5, 28, 28, 3) used to become 15 rows of one channel each, silently.
    with pytest.raises(ValueError, match="28x28"):
        convert(np.zeros(shape, np.uint8))


def test_one_hot_matches_keras():
    y = np.array([3, 0, 9, 9, 1])
    np.testing.assert_array_equal(preprocess.one_hot(y), keras.utils.to_categorical(y, 10))


def test_one_hot_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="digits 0-9"):
        preprocess.one_hot(np.array([1, 10]))


# --- models -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("builder", "params", "input_shape"),
    [
        (models.build_document_cnn, 640 + 18_464 + 184_330, (None, 28, 28, 1)),
        (models.build_dense, 7_850, (None, 784)),
        (lambda: models.build_dense(100), 78_500 + 1_010, (None, 784)),
        (models.build_keras_example_cnn, 34_826, (None, 28, 28, 1)),
    ],
)
def test_builders_have_the_documented_shape(builder, params, input_shape):
    model = builder()
    assert model.count_params() == params
    assert tuple(model.input_shape) == input_shape
    assert tuple(model.output_shape) == (None, 10)
    assert model.layers[-1].activation is keras.activations.softmax


def test_document_cnn_layers_follow_the_document():
    model = models.build_document_cnn()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 32]
    assert all(c.kernel_size == (3, 3) for c in convs)
    assert model.loss == "categorical_crossentropy"
    assert models.build_document_cnn(loss="mean_squared_error").loss == "mean_squared_error"


# --- seeds (training.py's own tests are in test_training.py) ------------------------------
def test_set_seed_makes_training_repeatable():
    x = np.random.default_rng(1).random((128, 784), dtype=np.float32)
    y = np.arange(128) % 10

    def once():
        mnistlib.set_seed(7)
        model = models.build_dense(16)
        model.fit(x, y, epochs=2, batch_size=32, verbose=0)
        return model.get_weights()

    for a, b in zip(once(), once(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        mnistlib.set_seed(bad)


# --- models ------------------------------------------------------------------------------
def test_improved_cnn_augments_only_while_training():
    mnistlib.set_seed(0)
    model = models.build_improved_cnn(epochs=2, steps_per_epoch=10)
    assert tuple(model.input_shape) == (None, 28, 28, 1)
    assert tuple(model.output_shape) == (None, 10)
    assert model.loss.get_config()["label_smoothing"] == models.LABEL_SMOOTHING
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    a, b = model(x, training=False), model(x, training=False)
    np.testing.assert_array_equal(a, b)  # augmentation and dropout are off at inference
    augment = keras.Sequential(models.augmentation_layers())
    assert not np.array_equal(augment(x, training=True), x)
    np.testing.assert_array_equal(augment(x, training=False), x)
    # ...and the model really holds that augmentation, before its first convolution.
    kinds = [type(layer) for layer in model.layers]
    first_conv = kinds.index(keras.layers.Conv2D)
    expected = [type(layer) for layer in models.augmentation_layers()]
    assert kinds[:first_conv] == expected


def test_improved_cnn_has_16_filters_first_and_the_recognizer_32():
    def filters(model):
        return tuple(
            layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)
        )

    improved = models.build_improved_cnn(epochs=1, steps_per_epoch=10)
    recognizer = models.build_recognizer(epochs=1, steps_per_epoch=10)
    assert filters(improved) == models.IMPROVED_FILTERS == (16, 64, 128)
    assert filters(recognizer) == models.RECOGNIZER_FILTERS == (32, 64, 128)


def test_augmentation_leaves_out_ranges_of_zero():
    kinds = [type(layer).__name__ for layer in models.augmentation_layers()]
    assert kinds == ["RandomTranslation"]  # the improved CNN: shifts only
    wide = models.augmentation_layers(
        models.RECOGNIZER_SHIFT, models.RECOGNIZER_ROTATION, models.RECOGNIZER_ZOOM
    )
    assert [type(layer).__name__ for layer in wide] == [
        "RandomTranslation",
        "RandomRotation",
        "RandomZoom",
    ]
    assert models.augmentation_layers(0.0) == []


def test_dense_head_of_the_improved_cnn_and_of_the_recognizer():
    def head(model):
        dense = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        drops = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
        return dense, drops

    improved = models.build_improved_cnn(epochs=1, steps_per_epoch=10)
    recognizer = models.build_recognizer(epochs=1, steps_per_epoch=10)
    assert head(improved) == ([models.IMPROVED_DENSE, 10], [])  # no dropout: rate 0
    assert head(recognizer) == ([models.RECOGNIZER_DENSE, 10], [models.RECOGNIZER_DROPOUT])
