"""Tests for test-time augmentation: shifting without wrap-round, and averaging predictions."""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib import tta


def _dot(row: int, col: int, *, channel: bool = False) -> np.ndarray:
    image = np.zeros((1, 28, 28), np.float32)
    image[0, row, col] = 1.0
    return image[..., None] if channel else image


@pytest.mark.parametrize("rows, cols", [(1, 0), (-1, 0), (0, 1), (0, -1), (2, -3)])
def test_shift_moves_the_ink_by_whole_pixels(rows, cols):
    out = tta.shift_images(_dot(10, 12), rows, cols)
    assert out.shape == (1, 28, 28) and out.dtype == np.float32
    assert np.argwhere(out[0]).tolist() == [[10 + rows, 12 + cols]]


def test_shift_keeps_the_channel_axis_and_leaves_the_input_alone():
    image = _dot(5, 5, channel=True)
    out = tta.shift_images(image, 0, 1)
    assert out.shape == (1, 28, 28, 1)
    assert out[0, 5, 6, 0] == 1.0 and image[0, 5, 5, 0] == 1.0 and image.sum() == 1.0


def test_ink_pushed_over_the_edge_is_dropped_not_wrapped_round():
    out = tta.shift_images(_dot(0, 27), -1, 1)
    assert out.sum() == 0.0  # np.roll would have moved it to the opposite corner


def test_zero_shift_is_a_copy():
    images = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(tta.shift_images(images, 0, 0), images)


@pytest.mark.parametrize(
    "images, rows, cols, error",
    [
        (np.zeros((2, 27, 28)), 0, 1, ValueError),
        (np.zeros((28, 28)), 0, 1, ValueError),
        (np.zeros((1, 28, 28)), 28, 0, ValueError),
        (np.zeros((1, 28, 28)), 0, 0.5, TypeError),
    ],
)
def test_bad_shift_arguments_are_refused(images, rows, cols, error):
    with pytest.raises(error):
        tta.shift_images(images, rows, cols)


class _ColumnReader:
    """A stand-in model: 'predicts' the digit equal to the column of the brightest pixel, mod 10."""

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, x, batch_size=None, verbose=0):
        self.calls += 1
        col = x.reshape(len(x), 28, 28).max(axis=1).argmax(axis=1)
        return np.eye(10, dtype=np.float32)[col % 10]


def test_predictions_are_averaged_over_every_view():
    model = _ColumnReader()
    probabilities = tta.predict_shifted(model, _dot(14, 12, channel=True))
    assert model.calls == len(tta.ONE_PIXEL_SHIFTS)
    # Views: column 12 three times (itself, down, up), 13 once (right), 11 once (left).
    np.testing.assert_allclose(probabilities[0, [1, 2, 3]], [0.2, 0.6, 0.2])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_one_unshifted_view_is_the_plain_prediction():
    model = _ColumnReader()
    probabilities = tta.predict_shifted(model, _dot(3, 7, channel=True), shifts=((0, 0),))
    assert probabilities[0].argmax() == 7 and probabilities[0].max() == 1.0


def test_no_views_is_refused():
    with pytest.raises(ValueError, match="empty"):
        tta.predict_shifted(_ColumnReader(), _dot(3, 7), shifts=())
