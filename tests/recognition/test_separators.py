"""Issue 26's repros for separators: dates, prices, times and dashed numbers are read with their
``/ . , : -``, never as digits; a slanted 1 stays a 1; words are never a sure number."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from mnistlib.measure import strokes
from mnistlib.recognition import NumberReading, Recognition
from mnistlib.recognition.numbers import LINED_SEPARATOR, separator_doubt
from mnistlib.recognition.separators import Mark, characters

HEIGHT = 64
PEN = 7  # about an MNIST digit's stroke at this height


def _separator(character: str) -> np.ndarray:
    """A separator drawn with a pen on a canvas as tall as a composed digit's (ink 255 on 0):
    the digits' band runs from HEIGHT / 2 to 3 HEIGHT / 2."""
    top, base = HEIGHT // 2, HEIGHT // 2 + HEIGHT
    width = {"/": 44, "-": 40}.get(character, 20)
    image = Image.new("L", (width, 2 * HEIGHT + 4), 0)
    draw = ImageDraw.Draw(image)
    dot = PEN + 2
    if character == "/":
        draw.line([(width - 6, top - 4), (6, base + 2)], fill=255, width=PEN)
    elif character in ".,":
        draw.ellipse([6, base - dot, 6 + dot, base], fill=255)
        if character == ",":
            draw.line([(6 + dot, base - dot // 2), (4, base + 16)], fill=255, width=PEN - 2)
    elif character == ":":
        draw.ellipse([6, base - dot, 6 + dot, base], fill=255)
        draw.ellipse([6, top + 22, 6 + dot, top + 22 + dot], fill=255)
    elif character == "-":
        draw.line([(6, top + 34), (width - 6, top + 32)], fill=255, width=PEN)
    return np.asarray(image)


def _written(mnist, clear, text: str, seed: int = 0) -> np.ndarray:
    """``text`` (digits and separators) written in a row, as dark ink on white paper."""
    _, (x_test, _) = mnist
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = []
    used: dict[int, int] = {}
    chunk = ""
    for character in text + "\n":
        if character.isdigit():
            chunk += character
            continue
        if chunk:
            images = []
            for d in chunk:
                images.append(x_test[clear[int(d)][used.get(int(d), 0) % len(clear[int(d)])]])
                used[int(d)] = used.get(int(d), 0) + 1
            ink, _ = strokes.compose_number(
                [int(d) for d in chunk], rng, source="mnist", mnist_images=images,
                height=HEIGHT, gap=(0.15, 0.3),
            )  # fmt: skip
            ink = ink[: 2 * HEIGHT + 4]
            ink = np.pad(ink, ((0, 2 * HEIGHT + 4 - ink.shape[0]), (0, 0)))
            parts.append(ink[:, HEIGHT // 2 - 8 : ink.shape[1] - HEIGHT // 2 + 8])
            chunk = ""
        if character != "\n":
            parts.append(_separator(character))
    ink = np.pad(np.hstack(parts), ((0, 0), (HEIGHT // 2, HEIGHT // 2)))
    return 255 - ink


@pytest.mark.parametrize("text", ["06/12/25", "12.50", "14:30", "079-112-34", "640,97"])
def test_separators_are_read_as_characters_never_as_digits(mnist, clear, shipped, text):
    # Before, "06/12/25" read "06112125" (every digit sure), "12.50" read "1250", ":" read 0.
    reading = shipped.read_number(_written(mnist, clear, text))
    assert reading.text == text
    assert reading.digits_only == "".join(c for c in text if c.isdigit())
    assert len(reading.digits) == len(reading.boxes) == len(reading.digits_only)


def _tilt(image: np.ndarray) -> float:
    """Degrees from upright the ink leans right (its main axis)."""
    rows, cols = np.nonzero(image > 128)
    values, vectors = np.linalg.eigh(np.cov(np.stack([cols, rows]).astype(float)))
    dx, dy = vectors[:, 1] * (1 if vectors[1, 1] >= 0 else -1)
    return float(np.degrees(np.arctan2(-dx, dy)))


@pytest.fixture(scope="module")
def slanted_ones(mnist, clear):
    """MNIST test 1s leaning 30 degrees or more (a tenth of MNIST's 1s do)."""
    _, (x_test, y_test) = mnist
    ones = [x for x in x_test[y_test == 1][:600] if _tilt(x) >= 30]
    assert len(ones) >= 5
    return ones[:5]


def test_a_slanted_handwritten_one_is_still_a_one(shipped, slanted_ones):
    for one in slanted_ones:
        assert shipped.read_number(255 - one).text == "1"


def test_slanted_ones_inside_numbers_stay_digits(mnist, clear, shipped, slanted_ones):
    _, (x_test, _) = mnist
    for k, one in enumerate(slanted_ones[:3]):
        digits = [4, 1, 7, 1]
        images = [x_test[clear[4][k]], one, x_test[clear[7][k]], one]
        ink, _ = strokes.compose_number(
            digits, np.random.default_rng(k), source="mnist", mnist_images=images,
            height=HEIGHT, gap=(0.3, 0.4),
        )  # fmt: skip
        reading = shipped.read_number(255 - ink)
        assert not reading.separators, reading.text


def test_a_written_word_is_not_a_sure_number(shipped):
    # Before, "Hello" read "??110".
    image = Image.new("L", (420, 140), 255)
    font = ImageFont.load_default(size=90)
    ImageDraw.Draw(image).text((20, 10), "Hello", fill=0, font=font)
    reading = shipped.read_number(np.asarray(image))
    assert not reading.sure, reading.describe()


def _read(digit: int, sure: bool = True) -> Recognition:
    p = np.full(10, 0.01)
    p[digit] = 0.91
    return Recognition(digit, p, np.zeros((28, 28), np.float32), None if sure else "unsure")


def test_a_reading_shows_its_separators_and_keeps_the_digits_alone_at_hand():
    digits = [_read(d) for d in (0, 6, 1, 2, 2, 5)]
    boxes = [(k, 0, k + 1, 1) for k in range(6)]
    date = NumberReading(digits, boxes, [(2, "/"), (4, "/")])
    assert date.text == "06/12/25"
    assert date.digits_only == "061225"
    assert date.describe() == "06/12/25"
    doubted = NumberReading([*digits[:5], _read(5, sure=False)], boxes, [(2, "/"), (4, "/")])
    assert doubted.marked == "06/12/2?"
    assert doubted.describe().startswith("06/12/2? (")
    plain = NumberReading(digits, boxes)
    assert plain.text == plain.digits_only == "061225"


@pytest.mark.parametrize("text", ["6363,", ".25", "14:30-"])
def test_a_separator_where_no_number_has_one_is_not_sure(mnist, clear, shipped, text):
    # Before, "6363," (a speck after the number read as a comma) was a sure reading: wrong and
    # sure. A separator before the first digit, after the last, or two side by side, doubt it.
    reading = shipped.read_number(_written(mnist, clear, text))
    assert reading.text == text  # the reading itself does not change
    assert not reading.sure
    assert "separator where no number has one" in reading.describe()


def test_two_separators_side_by_side_are_not_sure():
    assert separator_doubt([(2, "/"), (2, "/"), (3, "/")], 5) is not None  # "19//6/96"
    assert separator_doubt([(2, "/"), (4, "/")], 6) is None  # "06/12/25"
    assert separator_doubt([], 3) is None


def test_separators_between_digits_leave_a_reading_sure():
    digits = [_read(d) for d in (6, 3, 6, 3)]
    boxes = [(k, 0, k + 1, 1) for k in range(4)]
    assert NumberReading(digits, boxes, [(2, ".")]).sure
    stray = NumberReading(digits, boxes, [(4, ",")], doubt="a separator where no number has one")
    assert not stray.sure
    assert stray.describe() == "6363, (not sure - a separator where no number has one)"


def test_a_dot_or_comma_among_printed_lines_is_not_sure():
    # Validation scenes: a ruled line's end or a bit of a grid line read as a dot or comma
    # ("4.84296", "94804,7") was a reading wrong but sure; no right one on lined paper held one.
    assert separator_doubt([(1, ".")], 6, lined=True) == LINED_SEPARATOR
    assert separator_doubt([(5, ",")], 6, lined=True) == LINED_SEPARATOR
    assert separator_doubt([(1, ".")], 6) is None  # on plain paper, a price
    assert separator_doubt([(2, "/"), (4, "/")], 6, lined=True) is None  # a date on a form


def _mark(top: float, bottom: float, width: float, columns: tuple[int, int]) -> Mark:
    """A mark of one piece of ink, upright, in a band 50 px tall."""
    parts = ((bottom - top, (top + bottom) / 2),)
    return Mark(top, bottom, width, bottom - top, parts, 0.0, 1.0, 0.0, columns, 50.0)


def test_a_colons_dots_found_apart_are_a_colon():
    # "2:93" was read "2.93", wrong but sure: the colon's dots were measured as two marks, the
    # lower one a dot on the baseline, the upper one a speck.
    digit, later = _mark(0.0, 1.0, 0.7, (0, 35)), _mark(0.0, 1.0, 0.7, (50, 85))
    lower, upper = _mark(0.93, 0.99, 0.09, (40, 45)), _mark(0.47, 0.53, 0.09, (41, 46))
    assert characters([digit, lower, upper, later]) == [None, ":", None, None]
    elsewhere = _mark(0.47, 0.53, 0.09, (70, 75))  # above the next digit, not the dot
    assert characters([digit, lower, later, elsewhere]) == [None, ".", None, None]
    assert characters([digit, lower, later]) == [None, ".", None]  # a price's point
