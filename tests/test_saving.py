"""mnistlib.recognition.loading: atomic saving, safe loading, and the one default recogniser."""

from __future__ import annotations

import os
import zipfile

import keras
import numpy as np
import pytest

import mnistlib
from mnistlib import models, saving
from mnistlib.errors import ModelLoadError
from mnistlib.files import shipped_recognizer_path


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def dense_model():
    mnistlib.set_seed(0)
    return models.build_dense(16)


def test_save_model_writes_atomically_and_loads_back(tmp_path, dense_model):
    path = saving.save_model(dense_model, "dense")
    assert path == tmp_path / "home" / "models" / "dense.keras"
    assert sorted(p.name for p in path.parent.iterdir()) == ["dense.keras"]  # no temp left
    loaded = saving.load_model(path)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), dense_model.predict(x, verbose=0))


def test_a_failed_save_leaves_the_previous_model_and_no_temp(dense_model, monkeypatch):
    path = saving.save_model(dense_model, "dense")
    before = path.read_bytes()

    def broken_save(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as handle:
            handle.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        saving.save_model(dense_model, "dense")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["dense.keras"]


def test_model_keys_are_checked():
    with pytest.raises(ValueError, match="model key"):
        saving.model_path("../evil")


def test_load_model_refusals(tmp_path, dense_model):
    with pytest.raises(ModelLoadError, match="no model at"):
        saving.load_model(tmp_path / "missing.keras")
    (tmp_path / "legacy.h5").write_bytes(b"\x89HDF")
    with pytest.raises(ModelLoadError, match="legacy HDF5"):
        saving.load_model(tmp_path / "legacy.h5")
    (tmp_path / "junk.keras").write_bytes(b"junk" * 100)
    with pytest.raises(ModelLoadError, match="corrupt"):
        saving.load_model(tmp_path / "junk.keras")
    with zipfile.ZipFile(tmp_path / "empty.keras", "w") as archive:
        archive.writestr("nothing.txt", "hello")
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        saving.load_model(tmp_path / "empty.keras")
    with pytest.raises(ModelLoadError, match="not a .keras"):
        saving.load_model(tmp_path / "model.pkl")


def test_load_model_refuses_wrong_shapes(tmp_path):
    wrong = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(10)])  # fmt: skip
    wrong.save(tmp_path / "cifar.keras")
    with pytest.raises(ModelLoadError, match="not 28x28"):
        saving.load_model(tmp_path / "cifar.keras")
    three = keras.Sequential([keras.Input((784,)), keras.layers.Dense(3)])
    three.save(tmp_path / "three.keras")
    with pytest.raises(ModelLoadError, match="not 10"):
        saving.load_model(tmp_path / "three.keras")


def test_load_model_refuses_lambda_layers(tmp_path):
    model = keras.Sequential([keras.Input((784,)), keras.layers.Lambda(lambda x: x * 2),
                              keras.layers.Dense(10)])  # fmt: skip
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ModelLoadError, match="safely"):
        saving.load_model(tmp_path / "lambda.keras")


@pytest.mark.parametrize("old", [(3, 8, 0), (3, 13, 2), (3, 15, 0)])
def test_keras_below_the_floor_is_refused_naming_the_advisories(tmp_path, monkeypatch, old,
                                                                 dense_model):  # fmt: skip
    dense_model.save(tmp_path / "m.keras")
    monkeypatch.setattr(saving, "keras_version", lambda: old)
    with pytest.raises(ModelLoadError, match="CVE-2026-1462.*GHSA-hqp4-2352-xf5r.*3.15.1"):
        saving.load_model(tmp_path / "m.keras")
    monkeypatch.setattr(saving, "keras_version", lambda: (3, 15, 1))
    saving.load_model(tmp_path / "m.keras")


def test_load_recognizer_loads_a_learners_model(tmp_path, dense_model):
    dense_model.save(tmp_path / "mine.keras")
    assert saving.load_recognizer(tmp_path / "mine.keras").count_params() == 12_730
    with pytest.raises(ModelLoadError, match="no model at"):
        saving.load_recognizer(tmp_path / "other.keras")


def test_load_recognizer_without_a_path_is_the_shipped_one(monkeypatch, tmp_path):
    monkeypatch.setattr(saving, "shipped_recognizer_path", lambda: tmp_path / "gone.keras")
    with pytest.raises(ModelLoadError, match="shipped with mnistlib is missing"):
        saving.load_recognizer()


def test_the_shipped_recognizer_loads_in_safe_mode():
    model = saving.load_recognizer()
    assert tuple(model.output_shape) == (None, 10)
    assert shipped_recognizer_path().stat().st_size <= 5_000_000


def test_the_shipped_recognizer_is_what_build_recognizer_makes():
    """``make recognizer`` rebuilds the shipped file: the same layers, shapes and weight count."""
    from mnistlib import models

    def layout(model):
        return [(type(layer).__name__, layer.output.shape) for layer in model.layers]

    shipped, built = saving.load_recognizer(), models.build_recognizer(epochs=1, steps_per_epoch=1)
    assert layout(shipped) == layout(built)
    assert shipped.count_params() == built.count_params()


def test_the_shipped_recognizer_reads_mnist_test_digits():
    from mnistlib import data
    from mnistlib.preprocess import scale
    from mnistlib.recognition.recognizer import predict_probabilities

    if not data.cache_path().is_file() and os.environ.get("MNISTLIB_REQUIRE_DATA") != "1":
        pytest.skip("MNIST not fetched yet (run `make data`)")
    _, (x_test, y_test) = data.load_mnist()
    found = predict_probabilities(saving.load_recognizer(), scale(x_test)).argmax(axis=1)
    assert (found == y_test).mean() >= 0.99
