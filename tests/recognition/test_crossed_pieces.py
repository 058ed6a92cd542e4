"""A digit touching a printed line taken out that reads as another digit with the lines' ink
beside it put back is not sure (``numbers.line_doubts``)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from mnistlib.recognition import Recognition
from mnistlib.recognition.numbers import (
    CROSSED_PIECE,
    SIDE_CONFIDENCE,
    Candidates,
    line_doubts,
    with_sides,
)
from mnistlib.recognition.pieces import Segment
from mnistlib.recognition.segment import Group, find_groups


def _read(digit: int, confidence: float = 0.91) -> Recognition:
    p = np.full(10, (1 - confidence) / 9)
    p[digit] = confidence
    return Recognition(digit, p, np.zeros((28, 28), np.float32))


def _segment(box: tuple[int, int, int, int]) -> Segment:
    return Segment(box, box, np.ones((1, 1)))


def test_a_digit_read_as_another_with_the_rule_put_back_is_doubted():
    # "9614" read "9514": the 6's bowl lay on a rule; with the rule back it reads 6; the 9
    # reads 9 with it back, and the 4 reads a garbled 7 (below SIDE_CONFIDENCE)
    segments = [_segment((0, 0, 40, 60)), _segment((50, 0, 90, 60)), _segment((100, 0, 140, 60))]
    groups = [Group([[s]], 60.0, lined=True, with_lines=s) for s in segments]
    chosen = [(s, k) for k, s in enumerate(segments)]
    read = [_read(9), _read(5, 0.86), _read(4), _read(9), _read(6, 0.81), _read(7, 0.1)]
    found = Candidates(backed=[3, 4, 5])
    assert SIDE_CONFIDENCE > 0.1
    assert line_doubts(groups, found, chosen, read) == {1: CROSSED_PIECE}


def test_a_digit_not_crossed_by_a_rule_is_not_asked():
    segment = _segment((0, 0, 40, 60))
    groups = [Group([[segment]], 60.0, lined=True)]
    read = [_read(5)]
    assert line_doubts(groups, Candidates(backed=[None]), [(segment, 0)], read) == {}


def test_a_digit_read_surer_with_the_lines_put_back_is_read_so():
    # a 0 whose top lay on a rule, read 5 without it, reads 0 with the lines' ink back,
    # more confidently; a 1 read 4 with them back, less confidently, stays a 1
    zero = _segment((60, 0, 100, 60))
    one = _segment((0, 0, 10, 60))
    groups = [
        Group([[one]], 60.0, lined=True, with_lines=one),
        Group([[zero]], 60.0, lined=True, with_lines=zero),
    ]
    found = Candidates(sided=[None, None], backed=[2, 3])
    read = [_read(1, 0.99), _read(5, 0.7), _read(4, 0.65), _read(0, 0.95)]
    got = with_sides(groups, found, [(one, 0), (zero, 1)], read)
    assert [row for _, row in got] == [0, 3]


def _page(draw_lines) -> np.ndarray:
    """A 0 and a 7 written in pen on white paper, with printed lines drawn by ``draw_lines``."""
    paper = Image.new("L", (320, 200), 255)
    draw = ImageDraw.Draw(paper)
    draw.ellipse([100, 70, 140, 134], outline=0, width=6)
    draw.line([(170, 72), (210, 72), (185, 134)], fill=0, width=6)
    draw_lines(draw)
    return np.asarray(paper)


def test_digits_on_ruled_paper_touching_a_rule_are_read_with_the_lines_put_back_too():
    def ruled(draw):  # rules across the page, one through the digits' middles
        for y in range(12, 200, 34):
            draw.line([(0, y), (320, y)], fill=120, width=2)

    groups = [g for g in find_groups(_page(ruled)) if g.character is None]
    assert groups and all(g.lined for g in groups)
    assert any(g.with_lines is not None for g in groups)


def test_digits_in_a_forms_box_are_not_read_with_the_lines_put_back():
    def box(draw):  # a box across the page, its top line on the digits' heads
        draw.rectangle([4, 72, 315, 150], outline=120, width=2)

    groups = [g for g in find_groups(_page(box)) if g.character is None]
    assert groups and all(g.lined for g in groups)
    assert all(g.with_lines is None for g in groups)
