"""mnistlib.recognition.loading: safe loading, and the files shipped in the package."""

from __future__ import annotations

import zipfile

import keras
import numpy as np
import pytest

from mnistlib.errors import ModelLoadError
from mnistlib.recognition import loading as saving
from mnistlib.recognition.loading import sample_images, shipped_recognizer_path
from mnistlib.recognition.recognizer import Recognizer


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


def test_a_learners_model_loads_and_a_missing_one_is_named(tmp_path, dense_model):
    dense_model.save(tmp_path / "mine.keras")
    assert saving.load_model(tmp_path / "mine.keras").count_params() == dense_model.count_params()
    with pytest.raises(ModelLoadError, match="no model at"):
        Recognizer.load(tmp_path / "other.keras")


def test_a_missing_shipped_recognizer_says_reinstall(monkeypatch, tmp_path):
    import mnistlib.recognition.recognizer as recognizer

    monkeypatch.setattr(recognizer, "shipped_recognizer_path", lambda: tmp_path / "gone.keras")
    with pytest.raises(ModelLoadError, match="shipped with mnistlib is missing"):
        Recognizer.load()


def test_the_shipped_recognizer_loads_in_safe_mode_and_is_small():
    model = saving.load_model(shipped_recognizer_path())
    assert tuple(model.output_shape) == (None, 10)
    assert shipped_recognizer_path().stat().st_size <= 5_000_000


def test_the_shipped_samples_are_package_data():
    names = [p.name for p in sample_images()]
    assert len(names) >= 10 and all(p.is_file() for p in sample_images())
    assert all(name.rsplit(".", 1)[0].split("_")[-1].isdigit() for name in names)


def test_the_shipped_recognizer_reads_mnist_test_digits(mnist, shipped):
    _, (x_test, y_test) = mnist
    every_fifth = slice(None, None, 5)  # 2,000 digits from both halves of the test set's writers
    found = shipped.probabilities(x_test[every_fifth] / np.float32(255)).argmax(axis=1)
    assert (found == y_test[every_fifth]).mean() >= 0.99
