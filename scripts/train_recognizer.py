"""Train the digit recogniser shipped inside the package (``make recognizer``).

    python scripts/train_recognizer.py [--epochs N] [--seed S] [--out PATH]

The recogniser is the improved CNN of notebook 01 trained for the images people hand in rather
than for MNIST's test set alone: besides the random shifts, rotations and zooms inside the model,
every training batch gets random stroke widths and blur (``mnistlib.augment.vary_pen``). It trains
on the first 55,000 training images; the last 5,000 are the validation set that chooses the
"not sure" threshold, and the test set is scored once, at the end. The weights are saved without
optimizer state (about 1 MB). A fixed seed repeats the result on the same machine and core count;
another CPU gives slightly different weights of the same quality.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import mnistlib
from mnistlib import paths

VALIDATION_IMAGES = 5_000
BATCH_SIZE = 128


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="train_recognizer", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=None, help="default: the shipped model's path")
    args = parser.parse_args(argv)

    mnistlib.quiet_tensorflow()
    import keras
    import numpy as np
    import tensorflow as tf

    from mnistlib import augment, data, models

    mnistlib.set_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    x = (x_train.astype("float32") / 255)[..., None]
    x_fit, y_fit = x[:-VALIDATION_IMAGES], y_train[:-VALIDATION_IMAGES]
    x_val, y_val = x[-VALIDATION_IMAGES:], y_train[-VALIDATION_IMAGES:]
    steps = int(np.ceil(len(x_fit) / BATCH_SIZE))
    batches = (
        tf.data.Dataset.from_tensor_slices((x_fit, y_fit))
        .shuffle(len(x_fit), seed=args.seed)
        .batch(BATCH_SIZE)
        .map(lambda images, labels: (augment.vary_pen(images), labels))
        .prefetch(2)
    )
    model = models.build_recognizer(epochs=args.epochs, steps_per_epoch=steps)
    started = time.perf_counter()
    model.fit(batches, epochs=args.epochs, validation_data=(x_val, y_val), verbose=2)
    print(f"trained in {time.perf_counter() - started:.0f} s")

    shipped = keras.models.clone_model(model)  # the same layers, without optimizer state
    shipped.set_weights(model.get_weights())
    out = args.out or paths.shipped_recognizer_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    shipped.save(out)
    x_test = (x_test.astype("float32") / 255)[..., None]
    val_acc = float((shipped.predict(x_val, verbose=0).argmax(1) == y_val).mean())
    test_acc = float((shipped.predict(x_test, verbose=0).argmax(1) == y_test).mean())
    size_mb = out.stat().st_size / 1e6
    print(f"saved {out} ({size_mb:.1f} MB): validation {val_acc:.4f}, test {test_acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
