"""mnistlib.seed: one call makes training repeatable; bad seeds are refused."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import mnistlib


def test_set_seed_makes_training_repeatable():
    x = np.random.default_rng(1).random((128, 784), dtype=np.float32)
    y = np.arange(128) % 10

    def once():
        mnistlib.set_seed(7)
        model = keras.Sequential(
            [keras.Input((784,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(10)]
        )
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, epochs=2, batch_size=32, verbose=0)
        return model.get_weights()

    for a, b in zip(once(), once(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        mnistlib.set_seed(bad)
