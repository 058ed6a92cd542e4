"""Reproducible runs: one call seeds everything that draws random numbers."""

from __future__ import annotations

import numbers

DEFAULT_SEED = 42


def set_seed(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> int:
    """Seed Python, NumPy, Keras and TensorFlow so that re-running cells repeats the numbers.

    (Python's string hashing is seeded only at start-up, by ``PYTHONHASHSEED``; nothing here
    depends on it.)

    With ``deterministic=True`` TensorFlow's op determinism is also switched on, so the same
    cells give the same accuracies on the same machine. It costs some training speed
    (``make bench`` measures how much). Returns the seed, for printing.
    """
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    from mnistlib._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # seeds Python, NumPy, TensorFlow and Keras' SeedGenerator
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed
