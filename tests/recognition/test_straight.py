"""Issue 26, sixth round: what is left of a line printed in dashes or dots where the line is
not found whole (digits cross it too often) is line, not separators ("98.6.2", "5:5:5:8")."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition import straight


def _dots(mask: np.ndarray, row: int, cols: range) -> None:
    for col in cols:
        mask[row : row + 2, col : col + 3] = True


def test_a_row_of_dots_between_digits_is_a_dashed_line_s():
    mask = np.zeros((120, 300), bool)
    _dots(mask, 20, range(20, 60, 6))  # a dotted box's top and bottom: runs of seven dots
    _dots(mask, 90, range(20, 60, 6))
    for left in (70, 130, 190):  # digits' strokes cut the bottom line into pairs of dots
        mask[15:100, left : left + 30] = True
    _dots(mask, 90, range(104, 116, 6))
    _dots(mask, 90, range(164, 176, 6))
    _dots(mask, 90, range(224, 236, 6))
    chains = straight.dash_chains(straight.dash_joins(mask))
    assert chains[20:22, 20:60].sum() == mask[20:22, 20:60].sum()
    for left in (104, 164, 224):
        assert chains[90:92, left : left + 12].sum() == mask[90:92, left : left + 12].sum()
    assert not chains[15:100, 70:100].any()  # the digits' ink stays
    _dots(mask, 60, range(104, 116, 6))  # three points in line, but with no dotted line's
    _dots(mask, 60, range(164, 170, 6))
    assert not straight.dash_chains(straight.dash_joins(mask))[60:62].any()


def test_a_colon_and_points_without_a_dashed_line_are_left():
    mask = np.zeros((100, 300), bool)
    mask[20:80, 20:50] = True  # a digit
    _dots(mask, 40, range(60, 61))  # a colon's dots
    _dots(mask, 60, range(60, 61))
    mask[20:80, 80:110] = True
    _dots(mask, 78, range(120, 121))  # two points on the digits' foot
    mask[20:80, 130:160] = True
    _dots(mask, 78, range(170, 171))
    assert not straight.dash_chains(straight.dash_joins(mask)).any()


def test_grid_stubs_take_a_grid_line_cut_short_and_keep_a_digit_stroke_in_its_column():
    mask = np.zeros((100, 60), bool)
    mask[:, 20:22] = True  # a grid line down the paper...
    mask[70:, 20:22] = False  # ...stopping at a patch of paper the number is written on
    mask[50:52, :] = True  # a rule across it
    upright = np.zeros_like(mask)
    upright[:50, 20:22] = True  # the line found down to the rule, not the stretch below it
    found = upright.copy()
    found[50:52, :] = True
    mask[85:95, 20:22] = True  # a digit's stem in the line's column...
    mask[85:87, 22:35] = True  # ...joined to the rest of its digit
    stubs = straight.grid_stubs(mask, found, upright)
    assert stubs[52:70, 20:22].all()  # the line's stretch between the rule and the patch
    assert not stubs[70:].any()  # the digit's stroke is kept
