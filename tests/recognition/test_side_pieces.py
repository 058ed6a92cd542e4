"""A digit touching a box's side taken out, whose stroke may have gone with the side, is not
sure (``numbers.side_doubts``); the side's ink beside it is put back to read it
(``pieces.with_side``)."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition import Recognition
from mnistlib.recognition.numbers import SIDE_PIECE, Candidates, side_doubts, with_sides
from mnistlib.recognition.pieces import LINE_LABEL, Segment, with_side
from mnistlib.recognition.segment import Group


def _read(digit: int, confidence: float = 0.91) -> Recognition:
    p = np.full(10, (1 - confidence) / 9)
    p[digit] = confidence
    return Recognition(digit, p, np.zeros((28, 28), np.float32))


def _group(box: tuple[int, int, int, int], height: float) -> Group:
    whole = Segment(box, box, np.ones((1, 1)))
    return Group([[whole]], height, lined=True, with_side=whole)


def _found(sided: list[int | None]) -> Candidates:
    return Candidates(sided=sided, backed=[None] * len(sided))


def test_a_digit_read_as_another_with_the_side_put_back_is_doubted():
    # "51009" read "51000": the 9's back lay on the box's side; with it back it reads 9
    groups = [_group((0, 0, 40, 60), 60.0), _group((60, 0, 100, 60), 60.0)]
    chosen = [(groups[0].options[0][0], 0), (groups[1].options[0][0], 1)]
    read = [_read(5), _read(0), _read(5), _read(9)]
    assert side_doubts(groups, _found([2, 3]), chosen, read) == {1: SIDE_PIECE}


def test_a_piece_cut_short_by_the_side_is_doubted_and_a_garbled_reading_is_not_another():
    # "69247" read "692411": the 7 cut in two by the side, each piece read 1 (short); a 5
    # whose side put back reads a garbled 3 (below SIDE_CONFIDENCE) keeps its reading
    groups = [_group((0, 0, 40, 60), 60.0), _group((60, 25, 70, 58), 60.0)]
    chosen = [(groups[0].options[0][0], 0), (groups[1].options[0][0], 1)]
    read = [_read(5), _read(1), _read(3, 0.15), _read(1)]
    assert side_doubts(groups, _found([2, 3]), chosen, read) == {1: SIDE_PIECE}


def test_the_sides_ink_beside_a_digit_down_its_rows_is_put_back():
    labels = np.zeros((40, 40), int)
    labels[10:30, 12:20] = 3  # the digit
    labels[:, 21:23] = LINE_LABEL  # the side taken out, beside it
    side = labels == LINE_LABEL
    got = with_side(np.ones((40, 40)), labels, ({3}, 12, 20, 10, 30), side, (1.0, 1.0))
    assert got is not None
    left, top, right, bottom = got.box
    assert (left, top, right, bottom) == (12, 10, 23, 30)  # the side's rows above it not


def test_a_digit_read_surer_with_the_side_put_back_is_read_so():
    # "51009" read "51000": with the side's ink back the 9 reads 9 (0.94 against 0.73); a 1
    # read 4 with the side back, less confidently than 1 alone, stays a 1
    nine = Segment((60, 0, 100, 60), (60, 0, 100, 60), np.ones((2, 2)))
    one = Segment((0, 0, 10, 60), (0, 0, 10, 60), np.ones((2, 2)))
    groups = [
        Group([[one]], 60.0, lined=True, with_side=one),
        Group([[nine]], 60.0, lined=True, with_side=nine),
    ]
    chosen = [(one, 0), (nine, 1)]
    read = [_read(1, 0.99), _read(0, 0.73), _read(4, 0.65), _read(9, 0.94)]
    got = with_sides(groups, _found([2, 3]), chosen, read)
    assert [row for _, row in got] == [0, 3]
