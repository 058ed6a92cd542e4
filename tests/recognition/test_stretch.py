"""mnistlib.recognition.stretch: a digit filling its frame is also read narrower."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from mnistlib.measure.forms import photo
from mnistlib.recognition.images import read_image
from mnistlib.recognition.prepare import fills_frame
from mnistlib.recognition.stretch import NEAR_FRAME, NEAR_SIDES, narrow_doubts, narrow_view


def _stretched(lines: list[list[tuple[int, int]]], size: tuple[int, int]) -> np.ndarray:
    """Strokes drawn light on black, cropped to their ink and stretched to fill 28x28."""
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    for line in lines:
        draw.line(line, fill=255, width=14)
    ink = np.asarray(image)
    rows, cols = np.flatnonzero(ink.max(axis=1)), np.flatnonzero(ink.max(axis=0))
    crop = Image.fromarray(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    return np.asarray(crop.resize((28, 28), Image.Resampling.BILINEAR))


#: A 1 with a long flag, stretched to a square: a 7 to look at.
FLAGGED_ONE = _stretched([[(60, 10), (60, 200)], [(60, 12), (25, 33)]], (100, 220))
#: A 7, stretched the same way.
SEVEN = _stretched([[(8, 12), (122, 12)], [(122, 12), (50, 200)]], (140, 220))


def test_a_stretched_flagged_one_read_as_seven_is_not_sure(shipped):
    read = shipped.recognize(FLAGGED_ONE)
    assert read.digit == 7 and read.confidence > 0.9  # what the image shows
    assert not read.sure and "narrower it could be a 1" in (read.doubt or "")
    assert shipped.read_number(FLAGGED_ONE).describe() == read.describe()  # a lone digit


def test_a_stretched_seven_stays_sure(shipped):
    read = shipped.recognize(SEVEN)
    assert read.digit == 7 and read.sure


def test_only_a_frame_filling_image_has_a_narrow_view(mnist):
    _, (x_test, y_test) = mnist
    seven = x_test[int(np.flatnonzero(y_test == 7)[0])]
    on_paper = photo(seven, np.random.default_rng(0))[0]
    assert narrow_view(read_image(on_paper)) is None  # plain paper around the digit
    view = narrow_view(read_image(FLAGGED_ONE))
    assert view is not None and view.shape == (28, 28)
    near = {"margin": NEAR_FRAME, "sides": NEAR_SIDES}
    assert fills_frame(FLAGGED_ONE / 255.0, **near)
    assert not fills_frame(np.pad(FLAGGED_ONE, 20) / 255.0, **near)


def test_narrow_doubts_a_seven_whose_narrow_view_is_a_one():
    seven, one, four = np.eye(10)[7], np.eye(10)[1], np.eye(10)[4]
    nothing = np.full(10, np.nan)
    doubts = narrow_doubts(
        np.stack([seven, seven, four, seven]), np.stack([one, seven, one, nothing])
    )
    assert doubts[0] is not None and doubts[1:] == [None, None, None]


def test_a_narrow_view_two_thirds_a_one_doubts_a_seven():
    """A flagged 1 whose narrow view is a 1 at 0.65 (the fourth round's 0.7 let it through)."""
    seven = np.eye(10)[7]
    two_thirds, half = np.eye(10)[1] * 0.65, np.eye(10)[1] * 0.5
    two_thirds[7], half[7] = 0.35, 0.5
    doubts = narrow_doubts(np.stack([seven, seven]), np.stack([two_thirds, half]))
    assert doubts[0] is not None and "65" in doubts[0]
    assert doubts[1] is None
