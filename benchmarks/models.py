"""Models the benchmarks use: the Keras "Simple MNIST convnet" recipe (the baseline), built here,
and notebook 01's improved CNN, which is written only in the notebook: the bench loads the model
the notebook saved (``notebook_improved_cnn``) or reads its row in the results table."""

from __future__ import annotations

import mnistlib

mnistlib.quiet_tensorflow()

import keras  # noqa: E402
from keras import layers  # noqa: E402

from mnistlib import files  # noqa: E402


def build_keras_example_cnn() -> keras.Model:
    """The public Keras "Simple MNIST convnet" example, the baseline the improved CNN must beat.

    Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Flatten -> Dropout(0.5) -> Dense(10).
    The recipe trains it with batch 128 for 15 epochs and a 10% validation split (~0.992).
    """
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=3, activation="relu"),
            layers.MaxPooling2D(pool_size=2),
            layers.Conv2D(64, kernel_size=3, activation="relu"),
            layers.MaxPooling2D(pool_size=2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="keras_example_cnn",
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def notebook_improved_cnn(first_filters: int | None = None) -> keras.Model:
    """Notebook 01's improved CNN as the notebook saved it (``models/improved_cnn.keras``),
    rebuilt untrained and compiled as the notebook compiled it; ``first_filters`` changes the
    filters of its first convolution (16 in the notebook).

    Raises FileNotFoundError, saying to run notebook 01, when the file is not there.
    """
    path = files.model_path("improved_cnn")
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run notebook 01 first (make run)")
    saved = keras.models.load_model(path)
    config = saved.get_config()
    for layer in config["layers"]:
        layer.pop("build_config", None)  # built again from the input: shapes may change below
    if first_filters is not None:
        first = next(c for c in config["layers"] if c["class_name"] == "Conv2D")
        first["config"]["filters"] = first_filters
    model = keras.Sequential.from_config(config)
    optimizer = keras.optimizers.deserialize(keras.optimizers.serialize(saved.optimizer))
    model.compile(optimizer=optimizer, loss=saved.loss, metrics=["accuracy"])
    return model
