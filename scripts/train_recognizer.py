"""Train the digit recogniser shipped inside the package (``make recognizer``).

    python scripts/train_recognizer.py [--epochs N] [--seed S] [--out PATH] [--start MODEL]

The recogniser is a CNN like notebook 01's improved one, trained for the images people hand in
rather than for MNIST's test set alone: wider random shifts, rotations and zooms inside the
model, random stroke widths and blur on every training batch (``vary_pen``), some digits
reduced to 7-12 pixels and enlarged again (``low_resolution``), half the digits given as
``prepare_image`` makes them (``with_prepared``), and non-digits shown beside the
digits with a uniform target (outlier exposure, Hendrycks et al. 2019: letters, scribbles, half
digits and two digits squeezed into one box, from ``mnistlib.measure.outliers``). Then its
output layer alone is fine-tuned with drawn smileys, stars, hashes, plus signs and S's added
(``finetune_head``; ``--start`` fine-tunes a model already through the main training, e.g.
the recogniser shipped before). Shapes, noise, empty frames and drawn arrows and ticks are
kept out of both, to measure honestly. It trains on the first 55,000 training
images; the last 5,000 are the validation set that chooses its "not sure" checks (saved beside
it as ``<model>.sure.npz``, chosen with other writers' validation digits and validation
non-digits: ``mnistlib.measure.validation_mix``), and the test set is scored once, at the
end. The weights are saved without optimizer state (about 1 MB), and exported for LiteRT beside
them (``<model>.tflite``, ``scripts/export_recognizer.py``): what ``Recognizer.load()`` runs.

By default it writes ``<home>/models/digit_recognizer.keras`` (see ``mnistlib.files``), so the
shipped recogniser is never overwritten by accident; to ship a new one, pass
``--out mnistlib/recognition/assets/digit_recognizer.keras``. A fixed seed repeats the result on
the same machine and core count.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import mnistlib
from mnistlib import files

mnistlib.quiet_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

VALIDATION_IMAGES = 5_000
#: Epochs over the 55,000 training digits: 30 read validation forms, numbers and non-digits
#: better than 12 (docs/recognition.md, history step 13), at about 7-9 minutes on 2 cores.
EPOCHS, BATCH_SIZE = 30, 128
#: Up to about 3 pixels of shift, 12 degrees of rotation and 15% of size: people's digits vary
#: more than MNIST's, even after ``prepare_image`` evens them.
SHIFT, ROTATION, ZOOM = 0.1, 0.033, 0.15
#: Peak learning rate of the one-cycle schedule (Adam), and the share of steps warming up.
PEAK_LEARNING_RATE, WARMUP_SHARE = 3e-3, 0.2
#: Filters of the three convolutions; units of the dense layer and the share dropped.
FILTERS = (32, 64, 128)
DENSE, DROPOUT = 128, 0.25
#: Share of training images whose strokes are widened by one pixel all round (a 3x3 max filter),
#: and the share widened twice: MNIST's strokes are about 2-3 px of 28, a marker's 4-6 px.
THICKER, MUCH_THICKER = 0.25, 0.10
#: Share whose strokes are thinned by a 3x3 min filter (kept only where enough ink survives).
THINNER = 0.15
#: Gaussian blurs applied to the rest at random (standard deviations in pixels of the 28x28).
BLUR_SIGMAS = (0.0, 0.0, 0.6, 1.0, 1.5)
#: Share of digits reduced to LOW_SIDES pixels a side (one size per batch) and enlarged again.
LOW_RESOLUTION, LOW_SIDES = 0.15, (7, 13)
#: Share of the training digits given as ``prepare_image`` makes them (fixed per digit), so the
#: recogniser knows what the preparation does to a digit (refitting, thickening, resampling).
PREPARED_SHARE = 0.5
#: Non-digits per kind made for outlier exposure, per batch, and the weight of their loss
#: (chosen on validation digits and validation non-digits; docs/recognition.md).
OUTLIERS_PER_KIND, OUTLIER_BATCH, OUTLIER_WEIGHT = 3000, 16, 0.15
#: Drawn symbols (``outliers.TRAINING_SYMBOLS``) per kind: fewer, as they vary less than letters.
SYMBOLS_PER_KIND = 2000
#: After the main training (whose outlier exposure has no symbols), the output layer alone is
#: fine-tuned with the symbols added, on the trained network's features (the features, and so
#: the familiarity check's references, stay as they were): on HEAD_DIGITS training digits (half
#: of them prepared) and HEAD_OUTLIERS non-digits of each training kind, for HEAD_EPOCHS at
#: HEAD_LEARNING_RATE, the non-digits' loss weighted by HEAD_OUTLIER_WEIGHT per image. A full
#: retraining with the symbols costs 30 epochs, over an hour on this shared machine; this
#: costs minutes (docs/recognition.md, "not sure").
HEAD_DIGITS, HEAD_OUTLIERS, HEAD_EPOCHS, HEAD_LEARNING_RATE = 12000, 500, 30, 1e-3
HEAD_OUTLIER_WEIGHT = 0.15
#: An image that thinning would leave with less than this share of its ink is left as it was
#: (its strokes are already thin and would break up or vanish).
MIN_INK_KEPT_BY_THINNING = 0.5


def _gaussian_kernel(sigma: float) -> tf.Tensor:
    radius = 2
    offsets = np.arange(-radius, radius + 1, dtype=np.float32)
    line = np.exp(-(offsets**2) / (2 * sigma**2)) if sigma > 0 else (offsets == 0).astype(float)
    kernel = np.outer(line, line)
    kernel /= kernel.sum()
    return tf.constant(kernel[:, :, None, None], dtype=tf.float32)


def vary_pen(images: tf.Tensor, seed: int | None = None) -> tf.Tensor:
    """Randomly widen, thin and blur a batch of digits ``(n, 28, 28, 1)`` in [0, 1].

    Each image gets one stroke change (or none) and one blur (or none), drawn independently;
    the result is rescaled so that its brightest pixel is 1, as ``prepare_image``'s output is.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    n = tf.shape(images)[0]
    thicker = tf.nn.max_pool2d(images, 3, 1, "SAME")
    much_thicker = tf.nn.max_pool2d(thicker, 3, 1, "SAME")
    thinner = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    ink = tf.reduce_sum(images, axis=[1, 2, 3], keepdims=True)
    thin_ok = (
        tf.reduce_sum(thinner, axis=[1, 2, 3], keepdims=True) >= MIN_INK_KEPT_BY_THINNING * ink
    )
    draw = tf.random.uniform([n, 1, 1, 1], seed=seed)
    out = tf.where(draw < THICKER, thicker, images)
    out = tf.where((draw >= THICKER) & (draw < THICKER + MUCH_THICKER), much_thicker, out)
    low = THICKER + MUCH_THICKER
    out = tf.where((draw >= low) & (draw < low + THINNER) & thin_ok, thinner, out)
    blurred = [
        tf.nn.conv2d(out, _gaussian_kernel(s), 1, "SAME") if s > 0 else out for s in BLUR_SIGMAS
    ]
    pick = tf.random.uniform([n], maxval=len(BLUR_SIGMAS), dtype=tf.int32, seed=seed)
    stacked = tf.stack(blurred, axis=1)  # (n, k, 28, 28, 1)
    out = tf.gather(stacked, pick, axis=1, batch_dims=1)
    peak = tf.reduce_max(out, axis=[1, 2, 3], keepdims=True)
    return out / tf.maximum(peak, 1e-6)


def low_resolution(images: tf.Tensor, share: float = LOW_RESOLUTION) -> tf.Tensor:
    """A ``share`` of a batch ``(n, 28, 28, 1)`` reduced to a few pixels a side and enlarged
    again (a small number photographed from afar), brightest pixel rescaled to 1."""
    n = tf.shape(images)[0]
    side = tf.random.uniform([], *LOW_SIDES, dtype=tf.int32)
    small = tf.image.resize(images, tf.stack([side, side]), method="area")
    back = tf.image.resize(small, [28, 28], method="bilinear")
    back = back / tf.maximum(tf.reduce_max(back, axis=[1, 2, 3], keepdims=True), 1e-6)
    return tf.where(tf.random.uniform([n, 1, 1, 1]) < share, back, images)


def outlier_images(
    digits: np.ndarray, per_kind: int = OUTLIERS_PER_KIND, *, symbols: bool = True
) -> np.ndarray:
    """Prepared non-digits ``(n, 28, 28, 1)`` of the training kinds (without the drawn symbols
    unless ``symbols``), made from ``digits`` (training digits only) where made from digits;
    those the preparation refuses are left out."""
    from mnistlib.errors import ImageError
    from mnistlib.measure.outliers import TRAINING_KINDS, TRAINING_SYMBOLS, outlier_set
    from mnistlib.recognition.prepare import prepare_image

    prepared = []
    for k, kind in enumerate(TRAINING_KINDS):
        if kind in TRAINING_SYMBOLS and not symbols:
            continue
        n = min(SYMBOLS_PER_KIND, per_kind) if kind in TRAINING_SYMBOLS else per_kind
        for image in outlier_set(kind, n, digits, seed=1000 + k):
            try:
                prepared.append(prepare_image(image))
            except ImageError:
                continue
    return np.stack(prepared)[..., None].astype("float32")


def with_prepared(digits: np.ndarray, raw: np.ndarray, share: float = PREPARED_SHARE) -> np.ndarray:
    """``raw`` training digits ``(n, 28, 28, 1)`` with a fixed ``share`` of them replaced by
    ``prepare_image`` of the same ``digits`` (uint8 28x28)."""
    from mnistlib.recognition.prepare import prepare_image

    chosen = np.random.default_rng(7).random(len(raw)) < share
    out = raw.copy()
    out[chosen] = np.stack([prepare_image(d) for d in digits[chosen]])[..., None]
    return out


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


def build_recognizer(*, epochs: int = EPOCHS, steps_per_epoch: int = 430) -> keras.Model:
    """The recogniser's network, compiled: augmentation, three convolution blocks, a dense layer.

    One-hot targets for digits, not smoothed: its probabilities are shown to people and decide
    when it says "not sure", so they should not be capped; non-digits get a uniform target.
    """
    first, second, third = FILTERS
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant"),
            layers.RandomRotation(ROTATION, fill_mode="constant"),
            layers.RandomZoom(ZOOM, fill_mode="constant"),
            *_conv_block(first),
            *_conv_block(second),
            *_conv_block(third, pool=False),
            layers.Flatten(),
            layers.Dense(DENSE, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Dropout(DROPOUT),
            layers.Dense(10, activation="softmax"),
        ],
        name="digit_recognizer",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=one_cycle(epochs * steps_per_epoch)),
        loss="categorical_crossentropy",
        steps_per_execution=16,
    )
    return model


def training_batches(
    x_fit: np.ndarray, y_fit: np.ndarray, x_out: np.ndarray, seed: int
) -> tf.data.Dataset:
    """Batches of BATCH_SIZE varied digits (one-hot targets, weight 1) with OUTLIER_BATCH
    varied non-digits (uniform targets, weight OUTLIER_WEIGHT)."""
    one_hot = np.eye(10, dtype="float32")
    digits = (
        tf.data.Dataset.from_tensor_slices((x_fit, one_hot[y_fit]))
        .shuffle(len(x_fit), seed=seed)
        .batch(BATCH_SIZE)
        .map(lambda i, t: (low_resolution(vary_pen(i)), t, tf.ones(tf.shape(t)[0])))
    )
    uniform = np.full((len(x_out), 10), 0.1, "float32")
    others = (
        tf.data.Dataset.from_tensor_slices((x_out, uniform))
        .repeat()
        .shuffle(len(x_out), seed=seed + 1)
        .batch(OUTLIER_BATCH)
        .map(lambda i, t: (vary_pen(i), t, OUTLIER_WEIGHT * tf.ones(tf.shape(t)[0])))
    )
    return (
        tf.data.Dataset.zip((digits, others))
        .map(lambda d, o: tuple(tf.concat([a, b], 0) for a, b in zip(d, o, strict=True)))
        .prefetch(2)
    )


def features_of(model: keras.Model, images: np.ndarray, batch: int = 500) -> np.ndarray:
    """What the output layer of ``model`` reads for ``images`` (n, 28, 28, 1): the features of
    the layer before it, the random augmentation layers passing the images through as they are."""
    out = []
    for start in range(0, len(images), batch):
        x = tf.convert_to_tensor(images[start : start + batch])
        for layer in model.layers[:-1]:
            x = layer(x, training=False)
        out.append(np.asarray(x))
    return np.concatenate(out)


def finetune_head(
    model: keras.Model, x_digits: np.ndarray, y_digits: np.ndarray, x_out: np.ndarray, seed: int
) -> None:
    """Fine-tune ``model``'s output layer in place: digits with their one-hot targets,
    non-digits ``x_out`` with a uniform target (weight HEAD_OUTLIER_WEIGHT each)."""
    features = features_of(model, np.concatenate([x_digits, x_out]))
    targets = np.concatenate(
        [np.eye(10, dtype="float32")[y_digits], np.full((len(x_out), 10), 0.1, "float32")]
    )
    weights = np.r_[np.ones(len(x_digits)), np.full(len(x_out), HEAD_OUTLIER_WEIGHT)]
    last = model.layers[-1]
    head = keras.Sequential(
        [keras.Input(shape=features.shape[1:]), layers.Dense(10, activation="softmax")]
    )
    head.set_weights(last.get_weights())
    head.compile(
        optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE), loss="categorical_crossentropy"
    )
    order = np.random.default_rng(seed).permutation(len(features))
    head.fit(features[order], targets[order], sample_weight=weights[order], epochs=HEAD_EPOCHS,
             batch_size=BATCH_SIZE, verbose=0)  # fmt: skip
    last.set_weights(head.get_weights())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="train_recognizer", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="default: <home>/models/digit_recognizer.keras (never the shipped file)",
    )
    parser.add_argument(
        "--start",
        type=Path,
        default=None,
        help="a model already through the main training (e.g. the recogniser shipped before "
        "the symbols): only fine-tune it",
    )
    args = parser.parse_args(argv)

    from mnistlib import data
    from mnistlib.measure import validation_mix
    from mnistlib.recognition.loading import load_model
    from mnistlib.recognition.prepare import prepare_image
    from mnistlib.recognition.recognizer import Recognizer
    from mnistlib.recognition.sureness import NINE_VIEWS, Sureness, fit_sureness, sureness_path

    mnistlib.set_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    x = (x_train.astype("float32") / 255)[..., None]
    x_fit, y_fit = x[:-VALIDATION_IMAGES], y_train[:-VALIDATION_IMAGES]
    x_val, y_val = x[-VALIDATION_IMAGES:], y_train[-VALIDATION_IMAGES:]
    started = time.perf_counter()
    if args.start is None:
        x_fit = with_prepared(x_train[:-VALIDATION_IMAGES], x_fit)
        steps = int(np.ceil(len(x_fit) / BATCH_SIZE))
        x_out = outlier_images(x_train[:-VALIDATION_IMAGES], symbols=False)
        model = build_recognizer(epochs=args.epochs, steps_per_epoch=steps)
        model.fit(training_batches(x_fit, y_fit, x_out, args.seed), epochs=args.epochs, verbose=2)
    else:
        model = load_model(args.start)
    # the output layer fine-tuned with the symbols: digits half raw, half prepared
    rng = np.random.default_rng(args.seed)
    chosen = rng.choice(len(y_fit), HEAD_DIGITS, replace=False)
    x_head = x[:-VALIDATION_IMAGES][chosen]
    half = rng.random(HEAD_DIGITS) < PREPARED_SHARE
    x_head[half] = np.stack([prepare_image(d) for d in x_train[chosen[half]]])[..., None]
    x_out = outlier_images(x_train[:-VALIDATION_IMAGES], HEAD_OUTLIERS, symbols=True)
    finetune_head(model, x_head, y_fit[chosen], x_out, args.seed)
    print(f"trained in {time.perf_counter() - started:.0f} s")

    shipped = keras.models.clone_model(model)  # the same layers, without optimizer state
    shipped.set_weights(model.get_weights())
    out = args.out or files.model_path("digit_recognizer")
    out.parent.mkdir(parents=True, exist_ok=True)
    shipped.save(out)
    x_test = (x_test.astype("float32") / 255)[..., None]
    val_acc = float((shipped.predict(x_val, verbose=0).argmax(1) == y_val).mean())
    test_acc = float((shipped.predict(x_test, verbose=0).argmax(1) == y_test).mean())
    size_mb = out.stat().st_size / 1e6
    print(f"saved {out} ({size_mb:.1f} MB): validation {val_acc:.4f}, test {test_acc:.4f}")
    # read as the shipped recogniser is read (nine views); chosen on the validation digits,
    # MNIST's and other writers', and validation non-digits of the training kinds
    recognizer = Recognizer(shipped, Sureness(views=NINE_VIEWS))
    sureness, _ = fit_sureness(recognizer, mix=validation_mix())
    sureness.save(sureness_path(out))
    print(f"saved {sureness_path(out)} (its 'not sure' checks)")
    from export_recognizer import main as export  # its LiteRT twin, beside it

    export([str(out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
