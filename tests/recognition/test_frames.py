"""Printed boxes found by their shape (``boxes.frames``): a digit's straight stem standing
between a box's lines is no side."""

from __future__ import annotations

import numpy as np

from mnistlib.recognition import boxes


def _box(mask: np.ndarray, top: int, left: int, bottom: int, right: int) -> None:
    """A printed box's four lines, 2 px thick."""
    mask[top : top + 2, left:right] = mask[bottom - 2 : bottom, left:right] = True
    mask[top:bottom, left : left + 2] = mask[top:bottom, right - 2 : right] = True


def _one_box_and_a_stem() -> np.ndarray:
    mask = np.zeros((100, 320), bool)
    _box(mask, 30, 20, 70, 300)
    mask[31:75, 250:252] = True  # the stem, on past the bottom line
    mask[55:57, 225:262] = True  # the 4's bar
    return mask


def test_a_stem_inside_one_box_makes_no_narrower_box_with_its_side():
    # Issue 26, sixth round ("708647" read "7086417", sure): a 4's straight stem from one
    # box's top line to its bottom line, as thin as they are, made a narrower box with the
    # box's right side, and was taken out as a side.
    mask = _one_box_and_a_stem()
    _, sides, _ = boxes.frames(mask, boxes.BOX_SIDE, 320.0)
    assert sides[35:65, 20:22].all() and sides[35:65, 298:300].all()
    assert not sides[:, 240:262].any()


def test_a_stem_near_a_comb_s_divider_does_not_hide_the_box():
    # Issue 26, sixth round ("40281" read "428", sure): in a comb, a 1's straight stem as tall
    # as the dividers, too near the next divider to make a box with the one before it, was
    # taken as the far side, the box beyond it not found, and the stem went with the lines.
    mask = np.zeros((90, 200), bool)
    for left in (20, 56, 92, 128):
        _box(mask, 30, left, 72, left + 38)
    mask[27:72, 150:152] = True  # the 1's stem, from over the top line to the bottom line
    _, sides, _ = boxes.frames(mask, boxes.BOX_SIDE, 200.0)
    assert sides[35:65, 128:130].all() and sides[35:65, 164:166].all()
    assert not sides[:, 145:157].any()


def test_on_squared_paper_a_box_inside_another_is_kept():
    # On squared paper every cell is a box: leaving out boxes inside others there lost
    # readings (seed 13's "577162"), so ``frames`` does there what it did.
    _, sides, _ = boxes.frames(_one_box_and_a_stem(), boxes.BOX_SIDE, 320.0, grid=True)
    assert sides[35:65, 250:252].any()
