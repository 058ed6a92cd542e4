"""Models only the benchmarks build: the Keras "Simple MNIST convnet" recipe (the baseline) and
notebook 01's improved CNN, timed against it (``make bench``, ``time_to_accuracy``)."""

from __future__ import annotations

import mnistlib

mnistlib.quiet_tensorflow()

import keras  # noqa: E402
from keras import layers  # noqa: E402


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


#: The improved CNN's augmentation: random shifts of up to 0.04 of the image side (about one
#: pixel) each way; MNIST's digits are already centred, sized and upright.
SHIFT = 0.04
#: Peak learning rate of the one-cycle schedule (Adam), and the share of steps warming up: a
#: short schedule needs big early steps.
PEAK_LEARNING_RATE, WARMUP_SHARE = 6e-3, 0.2
#: Targets 0.91 for the true digit and 0.01 for each other: training stops pushing outputs
#: towards certainty.
LABEL_SMOOTHING = 0.1
#: Filters of the three convolutions: 16 first filters make the second convolution (most of the
#: time) half as costly as 32 would.
IMPROVED_FILTERS = (16, 64, 128)
#: Units of the dense layer before the output, and the share dropped while training (0: none).
IMPROVED_DENSE, IMPROVED_DROPOUT = 256, 0.0


def augmentation_layers(
    shift: float = SHIFT, rotation: float = 0.0, zoom: float = 0.0, seed: int | None = None
) -> list[layers.Layer]:
    """Random shifts, rotations and zooms, applied only while training.

    They act only with ``training=True``; at prediction time they pass images through
    unchanged. Seeing moved, turned and resized digits teaches the network to read digits that
    are not centred and sized exactly as MNIST's are. A range of 0 leaves its layer out; the
    defaults are the improved CNN's (shifts only).
    """
    chosen: list[layers.Layer] = []
    if shift:
        chosen.append(layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed))
    if rotation:
        chosen.append(layers.RandomRotation(rotation, fill_mode="constant", seed=seed))
    if zoom:
        chosen.append(layers.RandomZoom(zoom, fill_mode="constant", seed=seed))
    return chosen


def _conv_block(filters: int, *, pool: bool = True) -> list[layers.Layer]:
    # Pooling comes right after the convolution, so batch normalisation and ReLU work on a
    # quarter of the values (an epoch costs about a quarter less here). The convolution needs no
    # bias: batch normalisation adds its own offset.
    return [
        layers.Conv2D(filters, kernel_size=3, use_bias=False),
        *([layers.MaxPooling2D(pool_size=2)] if pool else []),
        layers.BatchNormalization(),
        layers.ReLU(),
    ]


def one_cycle(
    total_steps: int, peak: float = PEAK_LEARNING_RATE, warmup_share: float = WARMUP_SHARE
) -> keras.optimizers.schedules.LearningRateSchedule:
    """A one-cycle learning rate: up from ``peak / 25`` to ``peak``, then a cosine down to zero."""
    warmup = max(1, round(total_steps * warmup_share))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 25,
        warmup_target=peak,
        warmup_steps=warmup,
        decay_steps=max(1, total_steps - warmup),
    )


def _cnn(
    augmentation: list[layers.Layer],
    filters: tuple[int, int, int],
    name: str,
    *,
    units: int,
    dropout: float,
) -> keras.Model:
    first, second, third = filters
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *augmentation,
            *_conv_block(first),
            *_conv_block(second),
            *_conv_block(third, pool=False),
            layers.Flatten(),
            layers.Dense(units, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            *([layers.Dropout(dropout)] if dropout else []),
            layers.Dense(10, activation="softmax"),
        ],
        name=name,
    )


def _compile(
    model: keras.Model, total_steps: int, peak: float, label_smoothing: float
) -> keras.Model:
    loss = (
        keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
        if label_smoothing
        else "sparse_categorical_crossentropy"
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=one_cycle(total_steps, peak)),
        loss=loss,
        metrics=["accuracy"],
        steps_per_execution=16,
    )
    return model


def build_improved_cnn(
    *,
    epochs: int = 8,
    steps_per_epoch: int = 215,
    filters: tuple[int, int, int] = IMPROVED_FILTERS,
) -> keras.Model:
    """Notebook 01's improved CNN, as the bench times it against the Keras recipe.

    The example's Conv-pool-Conv(64)-pool, with 16 filters in the first convolution instead of
    32 (the second one costs half as much), plus: on-the-fly augmentation, a third convolution
    (128 filters, cheap on the 5x5 maps left after pooling), batch normalisation after each
    layer (faster, steadier training), a Dense(256) layer, and a one-cycle learning rate over
    ``epochs`` x ``steps_per_epoch`` steps (215 = 55,000 images in batches of 256). One-hot
    labels, smoothed (``LABEL_SMOOTHING``). ``filters`` sets the three convolutions' filters.

    The augmentation (shifts only), the peak rate, the dense layer's size and no dropout were
    chosen for 8 epochs on the validation set (docs/benchmarks.md has the runs).
    """
    model = _cnn(
        augmentation_layers(),
        filters,
        "improved_cnn",
        units=IMPROVED_DENSE,
        dropout=IMPROVED_DROPOUT,
    )
    return _compile(model, epochs * steps_per_epoch, PEAK_LEARNING_RATE, LABEL_SMOOTHING)
