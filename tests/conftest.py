"""Shared test set-up: quiet TensorFlow, an isolated home folder, and the shared fixtures.

Fixtures that train or load data are session-scoped, so each is paid for once per run.
"""

from __future__ import annotations

import os

import pytest

import mnistlib

mnistlib.quiet_tensorflow()  # first: TensorFlow loads without its C++ log lines


def pytest_collection_modifyitems(items):
    """Tests that train a model (``trained_model``) are slow: ``-m "not slow"`` skips them."""
    for item in items:
        if "trained_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test writes models and results under its own temporary home folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("MNISTLIB_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def mnist():
    """MNIST as Keras returns it; skipped when not fetched (never in CI: MNISTLIB_REQUIRE_DATA)."""
    from mnistlib import data

    if not data.cache_path().is_file() and os.environ.get("MNISTLIB_REQUIRE_DATA") != "1":
        pytest.skip("MNIST not fetched yet (run `make data`)")
    return data.load_mnist()


@pytest.fixture(scope="session")
def dense_model():
    """An untrained dense digit classifier on 784 flattened pixels (answers are arbitrary)."""
    import keras

    mnistlib.set_seed(0)
    model = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(10)],
        name="dense",
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="session")
def trained_model(mnist):
    """A small CNN trained here for 2 epochs on 20,000 MNIST digits (about 98-99%)."""
    import keras
    from keras import layers

    (x_train, y_train), _ = mnist
    mnistlib.set_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = x_train[:20000, ..., None].astype("float32") / 255
    model.fit(x, y_train[:20000], batch_size=128, epochs=2, verbose=0)
    return model


@pytest.fixture(scope="session")
def shipped():
    """The recogniser shipped with the package, with its "not sure" checks."""
    from mnistlib.recognition.recognizer import Recognizer

    return Recognizer.load()
