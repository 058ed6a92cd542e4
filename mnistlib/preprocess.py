"""Turning MNIST's uint8 arrays into what the models take."""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 10


def _check_images(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[-2:] != (28, 28) and x.shape[-3:-1] != (28, 28):
        raise ValueError(f"expected images of 28x28 pixels, got an array of shape {x.shape}")
    return x


def scale(x: np.ndarray) -> np.ndarray:
    """Pixel values 0..255 to float32 in [0, 1]."""
    return np.asarray(x, dtype=np.float32) / np.float32(255.0)


def to_cnn_input(x: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) uint8 to (n, 28, 28, 1) float32 in [0, 1]: one colour channel."""
    x = _check_images(x)
    return scale(x).reshape(-1, 28, 28, 1)


def to_dense_input(x: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) uint8 to (n, 784) float32 in [0, 1]: each image one row of pixels."""
    x = _check_images(x)
    return scale(x).reshape(-1, 28 * 28)


def one_hot(y: np.ndarray) -> np.ndarray:
    """Integer labels (n,) to one-hot rows (n, 10), e.g. 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]."""
    import keras

    y = np.asarray(y)
    if y.ndim != 1 or y.size and (y.min() < 0 or y.max() >= NUM_CLASSES):
        raise ValueError(f"expected a 1-D array of digits 0-9, got shape {y.shape}")
    return keras.utils.to_categorical(y, NUM_CLASSES).astype(np.float32)
