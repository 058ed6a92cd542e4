"""Model builders used by the notebooks and the benchmarks.

Each function returns a new, compiled Keras model. The notebooks print ``model.summary()`` so
a learner sees every layer; the code here is short enough to read in one go.
"""

from __future__ import annotations

import keras
from keras import layers

from mnistlib.preprocess import NUM_CLASSES

INPUT_IMAGE = (28, 28, 1)
INPUT_FLAT = (28 * 28,)


def build_document_cnn(loss: str = "categorical_crossentropy") -> keras.Model:
    """The source document's CNN: Conv2D(64) -> Conv2D(32) -> Flatten -> Dense(10, softmax).

    Both convolutions use 3x3 kernels and ReLU; no pooling. Trained with Adam on one-hot labels,
    with categorical cross-entropy (the default) or ``loss="mean_squared_error"`` to compare.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=INPUT_IMAGE),
            layers.Conv2D(64, kernel_size=3, activation="relu"),
            layers.Conv2D(32, kernel_size=3, activation="relu"),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="document_cnn" if loss == "categorical_crossentropy" else "document_cnn_mse",
    )
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def build_dense(hidden_units: int | None = None) -> keras.Model:
    """A dense network on the 784 flattened pixels, for integer labels.

    ``hidden_units=None`` gives the document's first model (784 inputs straight to 10 outputs);
    ``hidden_units=100`` adds one hidden ReLU layer. Adam, sparse categorical cross-entropy.
    """
    stack: list[layers.Layer] = [keras.Input(shape=INPUT_FLAT)]
    if hidden_units:
        stack.append(layers.Dense(hidden_units, activation="relu"))
    stack.append(layers.Dense(NUM_CLASSES, activation="softmax"))
    model = keras.Sequential(stack, name="dense_hidden" if hidden_units else "dense")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_keras_example_cnn() -> keras.Model:
    """The public Keras "Simple MNIST convnet" example, the baseline the improved CNN must beat.

    Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Flatten -> Dropout(0.5) -> Dense(10).
    The recipe trains it with batch 128 for 15 epochs and a 10% validation split (~0.992).
    """
    model = keras.Sequential(
        [
            keras.Input(shape=INPUT_IMAGE),
            layers.Conv2D(32, kernel_size=3, activation="relu"),
            layers.MaxPooling2D(pool_size=2),
            layers.Conv2D(64, kernel_size=3, activation="relu"),
            layers.MaxPooling2D(pool_size=2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="keras_example_cnn",
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


# --- the improved CNN ----------------------------------------------------------------------
def augmentation_layers(seed: int | None = None) -> list[layers.Layer]:
    """Random shifts (up to 8%, about 2 pixels), rotations (up to about 7 degrees), zooms (8%).

    They act only while training (``training=True``); at prediction time they pass images
    through unchanged. Seeing moved, turned and resized digits teaches the network to read
    digits that are not centred and sized exactly as MNIST's are.
    """
    return [
        layers.RandomTranslation(0.08, 0.08, fill_mode="constant", seed=seed),
        layers.RandomRotation(0.02, fill_mode="constant", seed=seed),
        layers.RandomZoom(0.08, fill_mode="constant", seed=seed),
    ]


def _conv_block(filters: int) -> list[layers.Layer]:
    # The convolution needs no bias: batch normalisation right after adds its own offset.
    return [
        layers.Conv2D(filters, kernel_size=3, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.MaxPooling2D(pool_size=2),
    ]


def build_improved_cnn(
    *, epochs: int = 8, steps_per_epoch: int = 469, peak_learning_rate: float = 3e-3
) -> keras.Model:
    """A CNN that passes 99.5% in no more training time than the Keras example recipe.

    On top of the example's Conv(32)-pool-Conv(64)-pool: on-the-fly augmentation, a third
    convolution (128 filters, cheap on the 5x5 maps left after pooling), batch normalisation
    after each layer (faster, steadier training), a Dense(128) layer with dropout against
    over-fitting, and a learning rate that warms up for one epoch, then follows a cosine down to
    zero at the last step (``epochs`` x ``steps_per_epoch``). Integer labels.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=INPUT_IMAGE),
            *augmentation_layers(),
            *_conv_block(32),
            *_conv_block(64),
            layers.Conv2D(128, kernel_size=3, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Flatten(),
            layers.Dense(128, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Dropout(0.25),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="improved_cnn",
    )
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_learning_rate / 10,
        warmup_target=peak_learning_rate,
        warmup_steps=steps_per_epoch,
        decay_steps=max(1, (epochs - 1) * steps_per_epoch),
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=16,
    )
    return model
