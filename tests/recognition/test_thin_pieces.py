"""A printed line's thin piece read as a digit is not sure (``numbers.thin_doubts``)."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition import Recognition
from mnistlib.recognition.numbers import THIN_PIECE, thin_doubts
from mnistlib.recognition.pieces import Segment


def _read(digit: int) -> Recognition:
    p = np.full(10, 0.01)
    p[digit] = 0.91
    return Recognition(digit, p, np.zeros((28, 28), np.float32))


def _piece(left: int, top: int, right: int, bottom: int) -> Segment:
    return Segment((left, top, right, bottom), (left, top, right, bottom), np.ones((1, 1)))


def test_a_grid_lines_thin_piece_read_as_a_digit_is_doubted():
    # "64" on squared paper read "641": the 1 a grid line's piece 2 px wide, 44 px tall
    chosen = [(_piece(0, 0, 38, 64), 0), (_piece(60, 0, 122, 68), 1), (_piece(200, 10, 202, 54), 2)]
    read = [_read(6), _read(4), _read(1)]
    assert thin_doubts(chosen, read) == {2: THIN_PIECE}


def test_a_written_one_and_a_separator_are_not_thin_pieces():
    # a written 1 is at least 0.07 as wide as tall; a separator is not a digit
    chosen = [(_piece(0, 0, 30, 60), 0), (_piece(40, 0, 45, 60), 1), (_piece(50, 50, 52, 55), ".")]
    assert thin_doubts(chosen, [_read(4), _read(1)]) == {}


def test_every_piece_a_line_is_doubted_and_a_doubted_piece_keeps_its_doubt():
    # "98" on squared paper read "111111": every piece a grid line 9 px wide, 397 px tall
    chosen = [(_piece(40 * k, 0, 40 * k + 9, 397), k) for k in range(3)]
    read = [_read(1), _read(1), Recognition(1, _read(1).probabilities, np.zeros((28, 28)), "low")]
    assert thin_doubts(chosen, read) == {0: THIN_PIECE, 1: THIN_PIECE}
