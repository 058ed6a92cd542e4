"""Refining a sheet's outline: a pale strip along a side is cut off, a plain edge is kept."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mnistlib.recognition.strips import trim_strips

PAPER = np.array([0.85, 0.82, 0.70])  # cream paper
STRIP = np.array([0.92, 0.93, 0.90])  # a paler second sheet along the bottom
DESK = np.array([0.35, 0.35, 0.38])
CORNERS = np.array([[40.0, 30.0], [216.0, 30.0], [216.0, 170.0], [40.0, 170.0]])


def _photo(strip_rows: int) -> np.ndarray:
    """A 256 x 200 photo: paper inside CORNERS on a desk, its last ``strip_rows`` rows a pale
    strip past a dark rim (the sheet's own edge), lightly blurred."""
    rgb = np.tile(DESK, (200, 256, 1))
    rgb[30:170, 40:216] = PAPER
    if strip_rows:
        rgb[170 - strip_rows : 170, 40:216] = STRIP
        rgb[170 - strip_rows - 2 : 170 - strip_rows, 40:216] = PAPER - 0.12
    return ndimage.gaussian_filter(rgb, (0.8, 0.8, 0))


def test_a_pale_strip_along_a_side_is_cut_off() -> None:
    trimmed = trim_strips(_photo(10), CORNERS)
    bottom = trimmed[2:, 1]
    assert np.all(np.abs(bottom - 160.0) < 3.0)  # the sheet's own edge, at the rim
    assert np.allclose(trimmed[:2], CORNERS[:2], atol=0.5)


def test_a_plain_sheet_keeps_its_outline() -> None:
    assert np.allclose(trim_strips(_photo(0), CORNERS), CORNERS, atol=0.5)
