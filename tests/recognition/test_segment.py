"""mnistlib.recognition.segment and ``Recognizer.read_number``: the digits of a number."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import counting, whole_groups
from PIL import Image, ImageDraw, ImageFilter

from mnistlib.errors import ImageError
from mnistlib.measure import strokes
from mnistlib.recognition import segment
from mnistlib.recognition.recognizer import Recognizer


@pytest.fixture(scope="module")
def model(trained_model):
    """A reasonable recogniser: a small CNN trained for 2 epochs (conftest), probability only."""
    return Recognizer(trained_model)


@pytest.fixture(scope="module")
def clear_digits(mnist, model):
    """Indices of MNIST test digits the model reads right with confidence, by digit."""
    from mnistlib.recognition.prepare import prepare_image

    _, (x_test, y_test) = mnist
    p = model.probabilities(np.stack([prepare_image(x) for x in x_test[:300]]))
    good = (p.argmax(axis=1) == y_test[:300]) & (p.max(axis=1) > 0.99)
    return {d: [i for i in np.flatnonzero(good) if y_test[i] == d] for d in range(10)}


def _iou(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return w * h / (area - w * h)


def test_four_mnist_digits_are_read_left_to_right(mnist, model, clear_digits):
    _, (x_test, _) = mnist
    digits = [2, 0, 2, 6]
    images = [x_test[clear_digits[d][k]] for k, d in enumerate(digits)]
    image, true_boxes = strokes.compose_number(
        digits, np.random.default_rng(4), source="mnist", mnist_images=images, gap=(0.15, 0.3)
    )
    reading = model.read_number(255 - image)  # dark ink on white paper
    assert reading.text == "2026"
    assert len(reading.digits) == len(reading.boxes) == 4
    assert [b[0] for b in reading.boxes] == sorted(b[0] for b in reading.boxes)
    for found, true in zip(reading.boxes, true_boxes, strict=True):
        assert _iou(found, true) > 0.6


def test_the_reading_figure_shows_a_box_per_digit(model):
    from mnistlib.recognition.figures import plot_number_reading

    image, _ = strokes.compose_number([3, 5, 8], np.random.default_rng(3), gap=(0.3, 0.4))
    reading = model.read_number(image)
    fig = plot_number_reading(image, reading)
    main = fig.subfigs[0].axes[0]
    assert len(main.patches) == len(reading.digits) == 3
    assert main.get_title() == reading.describe()  # worded as everywhere (verdict)
    assert len(fig.subfigs[1].axes) == 3


def test_boxes_are_in_the_original_images_pixels(mnist, model, clear_digits):
    _, (x_test, _) = mnist
    images = [x_test[clear_digits[d][0]] for d in (3, 7)]
    image, true_boxes = strokes.compose_number(
        [3, 7], np.random.default_rng(1), source="mnist", mnist_images=images, height=200
    )
    assert image.shape[1] > 400  # much larger than the working size
    reading = model.read_number(Image.fromarray(255 - image))
    assert reading.text == "37"
    for found, true in zip(reading.boxes, true_boxes, strict=True):
        assert _iou(found, true) > 0.6


def test_touching_digits_are_split(mnist, model, clear_digits):
    _, (x_test, _) = mnist
    images = [x_test[clear_digits[d][0]] for d in (0, 4)]
    image, _ = strokes.compose_number(
        [0, 4], np.random.default_rng(0), source="mnist", mnist_images=images, gap=(-0.2, -0.2)
    )
    _, n = segment.components(image > 100)
    assert n == 1  # the two digits' ink is one connected piece
    assert model.read_number(image).text == "04"


def _five_with_detached_bar() -> np.ndarray:
    image = Image.new("L", (140, 140), 255)
    draw = ImageDraw.Draw(image)
    draw.line([(72, 25), (118, 21)], fill=0, width=9)  # the bar: apart, sticking out right
    draw.line([(40, 32), (36, 70)], fill=0, width=9)
    draw.arc((28, 52, 90, 118), start=-150, end=130, fill=0, width=9)
    return np.asarray(image)


def test_a_five_with_a_detached_bar_is_one_digit(model):
    image = _five_with_detached_bar()
    _, n = segment.components(image < 128)
    assert n == 2
    reading = model.read_number(image)
    assert len(reading.digits) == 1
    assert reading.text == "5"


def test_specks_are_dropped_and_flat_pieces_joined():
    image = np.full((100, 200), 255, np.uint8)
    image[20:80, 40:48] = 0  # a 1
    image[20:80, 120:128] = 0  # another 1
    image[15:19, 126:160] = 0  # a flat stroke above it, mostly to its right: belongs to it
    image[90, 100] = 0  # a speck
    found = whole_groups(image)
    assert len(found) == 2
    assert found[1].box[0] <= 120 and found[1].box[2] >= 159


def test_a_small_square_piece_is_a_small_digit_not_flat():
    height = 32.0
    assert segment.is_flat(4, 30, height)  # a 5's bar: low and wide
    assert segment.is_flat(12, 1, height)  # a line's leftover tick: low and a pixel wide
    assert not segment.is_flat(12, 12, height)  # a 4 written small in its box
    assert not segment.is_flat(20, 40, height)  # tall enough to be a digit, whatever its width


def test_a_small_digit_beside_a_big_one_is_kept_apart():
    # A small 0 written low in its box beside a big 0 ("86048" in boxes read "8608": the
    # small 4 was taken for a flat piece and joined to the 8).
    image = Image.new("L", (300, 140), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 80, 120), outline=0, width=9)
    draw.ellipse((120, 20, 180, 120), outline=0, width=9)
    draw.ellipse((212, 72, 244, 108), outline=0, width=5)  # small: 0.36 of the others' height
    found = whole_groups(np.asarray(image))
    assert len(found) == 3
    assert found[2].box[0] >= 205 and found[2].box[2] <= 255


def test_a_faint_thin_one_beside_a_bold_zero_is_found():
    # A 1 in pencil half as dark as the 0 beside it, softened a little (a small number
    # photographed from afar): it must stay one piece, not break into specks that are dropped.
    image = Image.new("L", (220, 120), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((30, 20, 100, 100), outline=0, width=14)
    draw.line([(150, 22), (144, 98)], fill=130, width=6)
    found = whole_groups(np.asarray(image.filter(ImageFilter.GaussianBlur(1))))
    assert len(found) == 2
    assert found[1].box[0] >= 135 and found[1].box[3] - found[1].box[1] >= 60  # the whole 1


def test_one_digit_is_read_as_recognize_reads_it(model, mnist):

    _, (x_test, _) = mnist
    reading = model.read_number(x_test[0])
    single = model.recognize(x_test[0])
    assert reading.text == str(single.digit)
    np.testing.assert_allclose(reading.digits[0].probabilities, single.probabilities, atol=1e-6)


def test_all_digits_in_one_model_call(trained_model):
    model = Recognizer(counting(trained_model))
    image, _ = strokes.compose_number([1, 2, 3, 4, 5], np.random.default_rng(2))
    assert len(model.read_number(image).digits) == 5
    assert float(model.model.calls.numpy()) == 1


@pytest.mark.parametrize(
    "blank", [np.zeros((60, 200), np.uint8), np.full((60, 200), 255, np.uint8)]
)
def test_blank_image_raises_image_error(model, blank):
    with pytest.raises(ImageError, match="no visible digit"):
        model.read_number(blank)


def test_a_group_narrower_than_its_pieces_is_cut_without_error():
    # A sliver two columns wide offered cut into three (it raised IndexError from deep inside
    # on a validation scene of squared paper before).
    from mnistlib.recognition.pieces import cuts

    found = cuts(np.ones(2), 3)
    assert len(found) == 2 and all(1 <= c <= 1 for c in found)
