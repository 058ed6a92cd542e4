"""Turning MNIST's uint8 arrays into what the models take."""

from __future__ import annotations

import numpy as np

#: The ten digits 0-9: the number of classes every model here predicts.
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)


def _check_images(x: np.ndarray) -> np.ndarray:
    """``x`` as an array of shape (n, 28, 28) or (n, 28, 28, 1); ValueError otherwise."""
    x = np.asarray(x)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            f"expected images of 28x28 pixels, shaped (n, 28, 28) or (n, 28, 28, 1); "
            f"got an array of shape {x.shape}"
        )
    return x


def scale(x: np.ndarray) -> np.ndarray:
    """Pixel values 0..255 to float32 in [0, 1]."""
    return np.asarray(x, dtype=np.float32) / np.float32(255.0)


def to_cnn_input(x: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) uint8 to (n, 28, 28, 1) float32 in [0, 1]: one colour channel."""
    x = _check_images(x)
    return scale(x)[..., np.newaxis]


def to_dense_input(x: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) uint8 to (n, 784) float32 in [0, 1]: each image one row of pixels."""
    x = _check_images(x)
    return scale(x).reshape(len(x), -1)


def one_hot(y: np.ndarray) -> np.ndarray:
    """Integer labels (n,) to one-hot rows (n, 10), e.g. 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].

    The same rows as ``keras.utils.to_categorical(y, 10)``.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size and (y.min() < 0 or y.max() >= NUM_CLASSES):
        raise ValueError(f"expected a 1-D array of digits 0-9, got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.array_equal(y, np.round(y)):
            raise ValueError("expected whole-number digit labels 0-9")
        y = y.astype(int)
    return np.eye(NUM_CLASSES, dtype=np.float32)[y.astype(int)]
