"""Issue 26, seventh round: a digit's stroke lying *on* a printed line, not beside it, goes
with the line when it is taken out; it is kept with the digit (a flat line:
``straight.thickened``) or read with the side put back (an upright one: ``lines.uprights``)."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition import lines, straight


def test_a_stroke_lying_on_a_flat_line_thickens_it_and_is_kept():
    # "42105" read "47105": the 2's foot lay on one box's bottom line and went with it
    line = np.zeros((60, 300), bool)
    line[40:42, 10:290] = True  # the printed line, 2 px
    line[38:42, 100:140] = True  # a 2's foot lying on it over 40 columns: 4 px thick there
    line[37:42, 200:205] = True  # a stroke crossing it: thick over 5 columns only
    line[38:42, 250:280] = True  # thick, but touching no other ink (a blot on the line)
    rest = np.zeros_like(line)
    for step in range(31):  # the 2's slanted stroke coming down to its foot
        rest[7 + step, 130 - step // 2 : 133 - step // 2] = True
    rest[5:37, 201:204] = True  # the crossing stroke
    kept = straight.thickened(line, rest, 10, 60)
    assert kept[38:42, 100:140].all()  # the foot, and the line's ink under it
    assert not kept[:, :95].any() and not kept[:, 145:].any()


def test_a_stroke_taken_out_with_a_box_s_side_counts_with_the_side():
    # "273944" read "273942": the 4's stem lay on one box's right side; its bar, 3 px off
    # the side's own run, did not touch it and was not read with the side put back
    removed = np.zeros((120, 200), bool)
    removed[20:100, 150:152] = True  # the side
    removed[98:100, 20:152] = True  # the box's bottom line
    removed[70:85, 148:150] = True  # the 4's stem, taken out with the side
    upright = lines.uprights(removed, 40.0)
    assert upright[20:98, 150:152].all()
    assert upright[70:85, 148:150].all()
    assert not upright[98:100, 20:140].any()  # the flat line is no side
