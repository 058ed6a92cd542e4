"""A comb field printed as ticks (``ticks.dividers``): its dividers joined to a digit's stroke
are still found, and a digit's stroke lying across two of them closes no box."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition import lines, ticks


def _ticks(width: int = 360) -> np.ndarray:
    """An underline (rows 90-91) with six dividers 20 px tall, 2 px wide, 64 px apart."""
    mask = np.zeros((120, width), bool)
    mask[90:92, 20:342] = True
    for x in range(20, 341, 64):
        mask[70:90, x : x + 2] = True
    return mask


def test_dividers_joined_to_a_digit_s_stroke_are_still_found():
    # Issue 26, seventh round: two of six dividers touched a digit's stroke, so only four
    # stood alone; two of the comb's places were counted empty and no comb was found (the
    # dividers kept and read as 1s: "24492" read "21414192", sure). A place with ink on it
    # is hidden, not empty; and the comb's end divider joined to a stroke is found too.
    mask = _ticks()
    for x in (86, 150, 342):  # a thick stroke against three dividers, the last one too
        mask[60:90, x : x + 6] = True
    rules, _ = lines.find_lines(mask, 60)
    found = ticks.dividers(mask, rules)
    assert found[72:88, 84:86].all() and found[72:88, 148:150].all()
    assert found[72:88, 212:214].all() and found[72:88, 340:342].all()
    assert not found[60:70, :].any()  # the strokes above the dividers' tops stay


def test_a_stroke_lying_across_two_dividers_is_kept():
    # A 4's bar lying across two dividers at their tops closed a "box" with them and the
    # underline (``boxes.frames``), and went as its top ("2143" read "21113", sure).
    mask = _ticks()
    mask[69:72, 80:152] = True  # the bar, across the dividers at 84 and 148
    mask[40:69, 128:132] = True  # the stem above it
    mask[40:69, 96:100] = True  # the other arm
    kept, _ = lines.remove_lines(mask, mask, height=60)
    assert kept[69:72, 100:128].all()
