"""Reading numbers (segment + read_number) and the "not sure" checks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

import mnistlib
from mnistlib import confidence, recognize, segment, strokes
from mnistlib.errors import ImageError


@pytest.fixture(scope="module")
def mnist():
    from mnistlib.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="module")
def model(mnist):
    """A reasonable recogniser: the Keras example CNN, 2 epochs on 20,000 digits (~99%)."""
    from mnistlib.models import build_keras_example_cnn

    (x_train, y_train), _ = mnist
    mnistlib.set_seed(0)
    model = build_keras_example_cnn()
    x = x_train[:20000, ..., None].astype("float32") / 255
    y = np.eye(10)[y_train[:20000]]
    model.fit(x, y, batch_size=128, epochs=2, verbose=0)
    return model


@pytest.fixture(scope="module")
def clear_digits(mnist, model):
    """Indices of MNIST test digits the model reads right with confidence, by digit."""
    from mnistlib.recognition.recognizer import predict_probabilities, prepare_image

    _, (x_test, y_test) = mnist
    p = predict_probabilities(model, np.stack([prepare_image(x) for x in x_test[:300]]))
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
    reading = recognize.read_number(model, 255 - image)  # dark ink on white paper
    assert reading.text == "2026"
    assert len(reading.digits) == len(reading.boxes) == 4
    assert [b[0] for b in reading.boxes] == sorted(b[0] for b in reading.boxes)
    for found, true in zip(reading.boxes, true_boxes, strict=True):
        assert _iou(found, true) > 0.6


def test_the_reading_figure_shows_a_box_per_digit(model):
    from mnistlib.figures import plot_number_reading

    image, _ = strokes.compose_number([3, 5, 8], np.random.default_rng(3), gap=(0.3, 0.4))
    reading = recognize.read_number(model, image)
    fig = plot_number_reading(image, reading)
    main = fig.subfigs[0].axes[0]
    assert len(main.patches) == len(reading.digits) == 3
    assert main.get_title().startswith("Read: ")
    assert len(fig.subfigs[1].axes) == 3


def test_boxes_are_in_the_original_images_pixels(mnist, model, clear_digits):
    _, (x_test, _) = mnist
    images = [x_test[clear_digits[d][0]] for d in (3, 7)]
    image, true_boxes = strokes.compose_number(
        [3, 7], np.random.default_rng(1), source="mnist", mnist_images=images, height=200
    )
    assert image.shape[1] > 400  # much larger than the working size
    reading = recognize.read_number(model, Image.fromarray(255 - image))
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
    assert recognize.read_number(model, image).text == "04"


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
    reading = recognize.read_number(model, image)
    assert len(reading.digits) == 1
    assert reading.text == "5"


def test_specks_are_dropped_and_flat_pieces_joined():
    image = np.full((100, 200), 255, np.uint8)
    image[20:80, 40:48] = 0  # a 1
    image[20:80, 120:128] = 0  # another 1
    image[15:19, 126:160] = 0  # a flat stroke above it, mostly to its right: belongs to it
    image[90, 100] = 0  # a speck
    found = segment.segment(image)
    assert len(found) == 2
    assert found[1].box[0] <= 120 and found[1].box[2] >= 159


def test_one_digit_is_read_as_recognize_reads_it(model, mnist):

    _, (x_test, _) = mnist
    reading = recognize.read_number(model, x_test[0])
    single = recognize.recognize(model, x_test[0])
    assert reading.text == str(single.digit)
    np.testing.assert_allclose(reading.digits[0].probabilities, single.probabilities, atol=1e-6)


def test_all_digits_in_one_model_call(model, monkeypatch):
    calls = []
    real = recognize.predict_probabilities
    monkeypatch.setattr(
        recognize, "predict_probabilities", lambda m, x: calls.append(len(x)) or real(m, x)
    )
    image, _ = strokes.compose_number([1, 2, 3, 4, 5], np.random.default_rng(2))
    assert len(recognize.read_number(model, image).digits) == 5
    assert len(calls) == 1


@pytest.mark.parametrize(
    "blank", [np.zeros((60, 200), np.uint8), np.full((60, 200), 255, np.uint8)]
)
def test_blank_image_raises_image_error(model, blank):
    with pytest.raises(ImageError, match="no visible digit"):
        recognize.read_number(model, blank)


def test_cli_prints_each_number_and_says_not_sure(model, tmp_path, capsys):
    path = tmp_path / "quick.keras"
    model.save(path)
    image, _ = strokes.compose_number([4, 2], np.random.default_rng(0), gap=(0.3, 0.4))
    Image.fromarray(255 - image).save(tmp_path / "n.png")
    assert recognize.command([str(tmp_path / "n.png")], path, number=True) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*n\.png: \d\d \(\d [\d.]+%, \d [\d.]+%\)", line), line
    # checks saved beside the model are used: an impossible threshold makes every digit unsure
    confidence.Sureness(threshold=1.01).save(confidence.sureness_path(path))
    assert recognize.command([str(tmp_path / "n.png")], path, number=True) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*n\.png: \?\? \(not sure: \d or \d\? .*\)", line), line
    assert recognize.command([str(tmp_path / "n.png")], path) == 0
    assert "n.png: not sure: " in capsys.readouterr().out


# --- not sure ---------------------------------------------------------------------------------
def test_describe_says_not_sure_with_the_two_likeliest():
    p = np.array([0, 0, 0, 0, 0.48, 0, 0, 0, 0, 0.42]) + 0.01
    assert confidence.describe(4, p, sure=False) == "not sure: 4 or 9?"
    assert confidence.describe(4, p, sure=True) == "4"


def test_probability_threshold_flags_low_top_probabilities():
    sureness = confidence.Sureness(threshold=0.8)
    p = np.array([[0.9] + [0.1 / 9] * 9, [0.5, 0.5] + [0.0] * 8])
    assert sureness.sure(p).tolist() == [True, False]


def test_familiarity_flags_features_far_from_every_digit(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 2000)
    centres = rng.normal(0, 5, (10, 8))
    features = centres[labels] + rng.normal(0, 1, (2000, 8))
    stats = confidence.Sureness.fit_statistics(features, labels)
    near = centres[:3] + rng.normal(0, 1, (3, 8))
    far = centres[:3] + 30
    sureness = confidence.Sureness(0.0, stats.means, stats.precision, distance_limit=30.0)
    p = np.full((6, 10), 0.1)
    assert sureness.sure(p, np.vstack([near, far])).tolist() == [True] * 3 + [False] * 3
    sureness.save(tmp_path / "m.sure.npz")
    again = confidence.Sureness.load(tmp_path / "m.sure.npz")
    assert again.distance_limit == 30.0
    np.testing.assert_allclose(again.precision, sureness.precision)


def test_threshold_is_the_highest_within_the_flagged_budget():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 1000)
    p = np.full((1000, 10), 0.01)
    top = rng.uniform(0.5, 1.0, 1000)
    p[np.arange(1000), labels] = top
    curve = confidence.flag_curve(p, labels)
    chosen = confidence.choose_threshold(curve, 0.05)
    assert (top < chosen).mean() <= 0.05
    assert (top < chosen + 0.01).mean() > 0.04  # not needlessly low
    from mnistlib.figures import plot_flag_curve

    fig = plot_flag_curve(curve, chosen)
    assert fig.axes[0].get_xlabel().startswith("correct digits flagged")


def test_the_shipped_recognizer_carries_its_checks(mnist):
    from mnistlib.measure.evaluation import non_digits
    from mnistlib.recognition.loading import load_recognizer

    shipped = load_recognizer()
    sureness = confidence.sureness_for(shipped)
    assert sureness.means is not None and np.isfinite(sureness.distance_limit)
    _, (x_test, _) = mnist
    digits = recognize.recognize_many(shipped, x_test[-500:])
    assert np.mean([not r.sure for r in digits]) <= 0.04  # about 1.7% on all 10,000
    others = recognize.recognize_many(shipped, non_digits(100, seed=7))
    assert np.mean([not r.sure for r in others]) >= 0.4  # about 60% on 1,000
