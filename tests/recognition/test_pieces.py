"""Where ink holding touching digits is cut."""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib.recognition.pieces import cuts


def test_touching_digits_are_cut_at_the_least_ink_between_them():
    profile = np.array([5, 6, 7, 6, 1, 0, 2, 6, 7, 5], float)
    assert cuts(profile, 2) == [5]


@pytest.mark.parametrize("width", [1, 2, 3])
def test_ink_too_narrow_to_search_is_cut_inside_it_without_an_error(width):
    # a squared-paper scene once raised a raw IndexError here: the window to search was empty
    for pieces in (2, 3, 4):
        found = cuts(np.ones(width), pieces)
        assert len(found) == pieces - 1
        assert all(0 <= c <= width for c in found)
