"""Digits, letters and scribbles drawn with strokes (mnistlib.measure.strokes)."""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib.measure import strokes


def test_draw_digit_is_deterministic_for_a_seed():
    a = strokes.draw_digit(4, np.random.default_rng(7))
    b = strokes.draw_digit(4, np.random.default_rng(7))
    c = strokes.draw_digit(4, np.random.default_rng(8))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("digit", range(10))
def test_every_digit_draws_ink_on_a_square_canvas(digit):
    image = strokes.draw_digit(digit, np.random.default_rng(digit), size=96)
    assert image.shape == (96, 96) and image.dtype == np.uint8
    assert image.max() == 255 and image.min() == 0  # ink 255 on 0
    assert 0.02 < (image > 127).mean() < 0.5  # strokes, not a blob or nothing
    assert len(np.unique(image)) > 10  # anti-aliased edges


def test_each_digit_has_several_styles_and_all_are_drawn():
    assert all(len(styles) >= 2 for styles in strokes.DIGITS.values())
    rng = np.random.default_rng(0)
    shapes = {strokes.digit_ink(1, rng, height=60).shape[1] for _ in range(30)}
    assert max(shapes) > 1.5 * min(shapes)  # a plain 1 is narrow, one with flag and base wide


def test_pen_width_and_height_are_honoured():
    rng = np.random.default_rng(1)
    thin = strokes.digit_ink(0, rng, height=80, width=3)
    thick = strokes.digit_ink(0, np.random.default_rng(1), height=80, width=14)
    assert (thick > 127).sum() > 2.5 * (thin > 127).sum()
    assert 80 <= thin.shape[0] <= 80 + 3 + 6


def test_non_digits_are_letters_or_scribbles():
    rng = np.random.default_rng(2)
    names = set()
    for _ in range(40):
        image, name = strokes.draw_non_digit(rng, size=64)
        assert image.shape == (64, 64) and image.max() > 200
        names.add(name)
    assert "scribble" in names and len(names - {"scribble"}) >= 5
    assert strokes.draw_non_digit(rng, kind="letter")[1] in strokes.LETTERS
    with pytest.raises(ValueError, match="kind"):
        strokes.draw_non_digit(rng, kind="emoji")


def test_bad_digit_is_refused():
    with pytest.raises(ValueError, match="0-9"):
        strokes.draw_digit(12, np.random.default_rng(0))


@pytest.mark.parametrize("n", [1, 4, 6])
def test_compose_number_gives_boxes_left_to_right_around_the_ink(n):
    rng = np.random.default_rng(n)
    image, boxes = strokes.compose_number(list(range(n)), rng)
    assert len(boxes) == n
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    for left, top, right, bottom in boxes:
        assert 0 <= left < right <= image.shape[1] and 0 <= top < bottom <= image.shape[0]
        assert image[top:bottom, left:right].max() == 255
    covered = np.zeros(image.shape, bool)
    for left, top, right, bottom in boxes:
        covered[top:bottom, left:right] = True
    assert image[~covered].max() == 0  # no ink outside the boxes
    again, _ = strokes.compose_number(list(range(n)), np.random.default_rng(n))
    assert np.array_equal(image, again)


def test_compose_number_from_mnist_images():
    rng = np.random.default_rng(3)
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255  # a crude 1
    image, boxes = strokes.compose_number([1, 1], rng, source="mnist", mnist_images=[digit] * 2)
    assert len(boxes) == 2 and image.max() == 255
    with pytest.raises(ValueError, match="mnist_images"):
        strokes.compose_number([1, 1], rng, source="mnist", mnist_images=[digit])
