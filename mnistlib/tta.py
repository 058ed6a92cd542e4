"""Test-time augmentation: a digit classifier's answer averaged over shifted copies of each image.

A network trained on randomly shifted digits gives slightly different probabilities for the same
digit moved by one pixel. Averaging its probabilities over the image and its four one-pixel
shifts smooths out answers that hinge on exactly where the strokes fall. It costs five
predictions per image and no training. ``mnistlib.models.build_improved_cnn`` is scored both
ways in notebook 01 and in ``make bench``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mnistlib.preprocess import _check_images

#: The views averaged: the image itself, then one pixel down, up, right and left. One pixel is
#: within the shifts the improved CNN saw in training (``models.SHIFT``: about one pixel).
ONE_PIXEL_SHIFTS: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))

#: Images per model call: 1,000 MNIST images of 28x28x1 float32 are about 3 MB.
BATCH_SIZE = 1000


def shift_images(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """The images moved ``rows`` pixels down and ``cols`` right (negative: up, left).

    ``images`` is (n, 28, 28) or (n, 28, 28, 1); the result has the same shape and dtype. Pixels
    moved out of the frame are dropped and the uncovered edge is filled with zeros (background),
    not wrapped round to the other side.
    """
    array = np.asarray(images)
    _check_images(array)
    if not (isinstance(rows, int | np.integer) and isinstance(cols, int | np.integer)):
        raise TypeError(f"shifts must be whole pixels (int), got {rows!r} and {cols!r}")
    height, width = array.shape[1:3]
    if abs(rows) >= height or abs(cols) >= width:
        raise ValueError(f"a shift of ({rows}, {cols}) moves a 28x28 image out of its frame")
    out = np.zeros_like(array)
    src_rows = slice(max(0, -rows), height - max(0, rows))
    dst_rows = slice(max(0, rows), height - max(0, -rows))
    src_cols = slice(max(0, -cols), width - max(0, cols))
    dst_cols = slice(max(0, cols), width - max(0, -cols))
    out[:, dst_rows, dst_cols] = array[:, src_rows, src_cols]
    return out


def predict_shifted(
    model: Any,
    images: np.ndarray,
    shifts: tuple[tuple[int, int], ...] = ONE_PIXEL_SHIFTS,
) -> np.ndarray:
    """The model's probabilities (n, 10), averaged over the images moved by each of ``shifts``.

    ``images`` must already be in the model's input form, (n, 28, 28, 1) for the CNNs here.
    ``shifts=((0, 0),)`` gives the model's plain predictions.
    """
    if not shifts:
        raise ValueError("shifts is empty: give at least one (rows, cols) pair, e.g. (0, 0)")
    views = [
        model.predict(shift_images(images, rows, cols), batch_size=BATCH_SIZE, verbose=0)
        for rows, cols in shifts
    ]
    return np.mean(views, axis=0)
