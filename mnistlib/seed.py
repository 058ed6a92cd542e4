"""Reproducible runs: one call seeds everything that draws random numbers."""

from __future__ import annotations

import numbers

DEFAULT_SEED = 42


def set_seed(seed: int = DEFAULT_SEED, *, deterministic: bool = False) -> int:
    """Seed Python, NumPy, Keras and TensorFlow so that re-running cells repeats the numbers.

    (Python's string hashing is seeded only at start-up, by ``PYTHONHASHSEED``; nothing here
    depends on it.)

    On a CPU the seeds alone repeat a training run bit for bit on the same machine and number
    of cores (checked here: the improved CNN trained twice from one seed gave identical
    weights). ``deterministic=True`` also switches on TensorFlow's op determinism, for hardware
    whose kernels are not repeatable by themselves (GPUs); it costs about 5% of training speed on
    a CPU (``make bench`` measures it) and cannot be switched off again in the same process.
    Returns the seed, for printing.
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
