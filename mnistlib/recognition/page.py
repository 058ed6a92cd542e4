"""Finding the sheet of paper in a photo of a sheet on a desk, and straightening it.

``find_sheet`` first glances at the photo at GLANCE_SIDE pixels: a border with no desk in it
(paper filling the frame, a scan, a canvas) ends the search at once (``_desk_seen``). Then it
looks at the photo shrunk to SHEET_SIDE pixels a side. First the sheet is flooded from the
photo's centre to the strongest colour edges between it and the desk seen at the border
(``floods``, a watershed; once more over the writing closed, in case a row of digits cut the
flood short; shaded paper at the border reached from the centre over even paper is no desk
where only that finds the sheet); failing that, it is the largest bright, grey region by Otsu's
threshold on a paper score (brightness lowered by saturation). Either is taken for a sheet only
on clear evidence: it covers MIN_SHARE..MAX_SHARE of the photo, something that is not paper
surrounds it, four corners fit it (a quadrilateral with roughly right angles that it fills), and
its outline is a step (in colour all along it, or in the paper score). A scan, a canvas export,
a digit on white filling the frame or light-on-dark digits show no such border.

``straighten`` warps the sheet found to an upright rectangle (a perspective transform, in
Pillow) and keeps it without a thin margin along its edge: nothing outside the sheet is read.
``read_sheet`` narrows that margin on a side that writing crosses (``_crossed_sides``).
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from mnistlib.recognition.floods import DESK_DISTANCE, filled, floods, largest_opened
from mnistlib.recognition.quads import (
    corners_of,
    edge_step,
    fit_quad,
    line_back,
    perspective,
    quad_mask,
    square_enough,
)
from mnistlib.recognition.strips import trim_strips

#: The photo is searched for a sheet at this longest side: a sheet's outline needs no more.
SHEET_SIDE = 256
#: Images smaller than this a side are never photos of a sheet on a desk (MNIST's 28x28, crops).
MIN_PHOTO_SIDE = 96
#: Saturation lowers the paper score this much: white and grey paper score their brightness,
#: a wood or coloured desk of the same brightness far less.
SATURATION_WEIGHT = 1.0
#: The sheet covers at least this share of the photo (less is a note on a desk, or not a sheet)
#: and at most this share (more is paper filling the frame: a scan, a canvas, a close-up).
MIN_SHARE, MAX_SHARE = 0.25, 0.92
#: At least this share of the photo's outermost ring of pixels is not paper: the desk around
#: (a tall sheet in a wide photo runs off the top and bottom: the desk shows at the sides).
MIN_BORDER = 0.3
#: The sheet's median paper score exceeds the surroundings' by at least this much (of 0..1).
MIN_CONTRAST = 0.08
#: A side within this many pixels (at SHEET_SIDE) of the photo's edge lies along it. A sheet
#: may run out of the frame on two opposite sides (a tall sheet in a wide photo), never more.
FRAME_NEAR = 3.0
#: Across the sheet's outline (EDGE_BAND pixels each side, at SHEET_SIDE) the paper score drops
#: by at least MIN_STEP: a sheet's edge is a step; light falling off across paper is not.
EDGE_BAND, MIN_STEP = 3, 0.06
#: Thresholds tried around Otsu's when it finds no sheet (light falling unevenly across a pale
#: desk makes part of the desk as bright as the sheet's shaded side).
THRESHOLD_STEPS = (-0.12, -0.06, 0.06, 0.12, 0.18)
#: The sheet fills at least this share of its quadrilateral, and the quadrilateral holds at
#: least SHEET_INSIDE of the sheet: a disc, a blob or a digit's stroke fits four corners badly.
QUAD_FILL, SHEET_INSIDE = 0.85, 0.9
#: The writing (the holes filled in the bright region) covers at most this share of a sheet:
#: more is bright ink on a dark ground (a light-on-dark 0 filled in is a blob, not a sheet).
MAX_INK_SHARE = 0.25
#: What lies past a flooded sheet (beyond 2 EDGE_BAND px) differs from its colour by at least
#: this (median RGB distance): validation desks 0.19-1.4, paper around a printed box 0.06-0.20.
MIN_DESK_DISTANCE = 0.25
#: Or a pale desk, at least PALE_DESK_DISTANCE from the paper: the brightness across the
#: outline, to PALE_FAR px out, comes back less than MAX_LINE_BACK (``quads.line_back``): a
#: pale desk stays pale past the sheet's edge, while past a printed box's line the paper's
#: brightness comes back almost whole (figures: docs/recognition.md, the desk's sixth round).
PALE_DESK_DISTANCE, PALE_FAR, MAX_LINE_BACK = 0.12, 9, 0.75
#: A flooded sheet's outline is a colour step of at least MIN_EDGE_STEP (RGB distance, 0..1,
#: median of EDGE_SAMPLES points a side): paper on the greyest validation desk stepped 0.1 or
#: more, a ruled line or a vignette read as an edge 0.02-0.05.
MIN_EDGE_STEP, EDGE_SAMPLES = 0.08, 40
#: A sheet found is flooded again over the writing closed (``floods``), and taken when it
#: holds the first and is MIN_GROWTH larger (alone, that flood took squared paper for a sheet).
MIN_GROWTH = 0.05
#: The first glance (``_desk_seen``): the photo reduced to about GLANCE_SIDE px on its shorter
#: side, a desk shows as at least GLANCE_SHARE of its border pixels DESK_DISTANCE or more from
#: the centre's median colour. Every sheet found on 594 validation scenes had 0.48 or more;
#: paper filling the frame (the shipped photos: 0.04 at most, their light falling off), scans
#: and canvases have none, and are let go in about a millisecond, not the 40-70 ms search.
GLANCE_SIDE, GLANCE_SHARE = 32, 0.2
#: The straightened sheet loses this share of its width and height at each edge: the edge's
#: shadow and the blur across it would otherwise read as ink.
EDGE_MARGIN = 0.06
#: Where writing crosses that margin (an ink component inside the sheet reaching into it, no
#: longer than EDGE_SPAN of the side: an edge or a rim running along it is no writing), that
#: side keeps only NEAR_MARGIN: a lone 1 at the sheet's foot, the top of a 9 in a corner. Ink is
#: INK_DROP (0..255) darker than the paper around (a grey closing INK_CLOSE px wide, the sheet
#: looked at INK_SIDE px a side).
NEAR_MARGIN, EDGE_SPAN, INK_DROP, INK_CLOSE, INK_SIDE = 0.03, 0.5, 60.0, 9, 200
#: What covers the sheet from outside is painted over in the paper's colour near it (the light
#: falls unevenly: one median colour left a visible patch, read as a digit on validation desks),
#: from a blur of the paper PAINT_SIGMA px wide at PAINT_SIDE px a side; a pixel whose paper
#: around weighs under PAINT_MIN_WEIGHT takes the paper's median. The region is shrunk by
#: PAINT_GROW px (at SHEET_SIDE) first: a finger's blurred rim is no paper.
PAINT_SIDE, PAINT_SIGMA, PAINT_MIN_WEIGHT, PAINT_GROW = 64, 4.0, 0.05, 2


def _paper_score(image: Image.Image) -> np.ndarray:
    """Brightness lowered by saturation, in [0, 1], of ``image`` (RGB or L)."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255
    high, low = rgb.max(axis=2), rgb.min(axis=2)
    saturation = (high - low) / np.maximum(high, 1e-3)
    luminance = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(luminance - SATURATION_WEIGHT * saturation * luminance, 0.0, 1.0)


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1]: the split leaving two classes most apart."""
    counts, edges = np.histogram(values, bins=64, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts).astype(np.float64)
    mass = np.cumsum(counts * centres)
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mass * weight / total - mass) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between[:-1], nan=-1.0)  # one class empty: no split there
    return float(edges[int(np.argmax(between)) + 1])


def _largest_region(bright: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``largest_opened(bright)`` with its holes (the writing, printed lines, the inside of a
    0) filled, and the share of it not bright; None when no region could be a sheet (too
    large, or filling the photo's border: filling holes changes neither)."""
    largest = largest_opened(bright)
    if largest is None or largest.mean() > MAX_SHARE or 1.0 - _ring(largest).mean() < MIN_BORDER:
        return None
    region = filled(largest)
    return region, float((region & ~bright).sum()) / max(1.0, float(region.sum()))


def _framed_sides(corners: np.ndarray, shape: tuple[int, int]) -> list[int]:
    """Which sides (0 top, 1 right, 2 bottom, 3 left of the quadrilateral) lie along the
    photo's edge: a sheet running out of the frame there, or no sheet at all."""
    height, width = shape
    near = [
        lambda p: p[1] <= FRAME_NEAR,
        lambda p: p[0] >= width - FRAME_NEAR,
        lambda p: p[1] >= height - FRAME_NEAR,
        lambda p: p[0] <= FRAME_NEAR,
    ]
    return [k for k in range(4) if any(f(corners[k]) and f(corners[(k + 1) % 4]) for f in near)]


def _ring(values: np.ndarray) -> np.ndarray:
    """The outermost pixels of an image, all four sides."""
    return np.concatenate([values[0], values[-1], values[1:-1, 0], values[1:-1, -1]])


def _desk_beyond(distance: float, rgb: np.ndarray, corners: np.ndarray) -> bool:
    """Whether what lies past the outline ``corners``, ``distance`` from the sheet's colour, is
    a desk: far enough (MIN_DESK_DISTANCE), or a pale desk (PALE_DESK_DISTANCE) stepped down to
    from the sheet, not a printed line with paper past it (``line_back``)."""
    if distance >= MIN_DESK_DISTANCE:
        return True
    back = line_back(rgb, corners, EDGE_BAND, PALE_FAR, EDGE_SAMPLES)
    return distance >= PALE_DESK_DISTANCE and back < MAX_LINE_BACK


def _sheet_of(
    region: np.ndarray, holes: float, score: np.ndarray, rgb: np.ndarray | None = None
) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The sheet's corners when ``region`` (a candidate sheet, its holes filled; ``holes`` the
    share of it that is writing) shows clear evidence of one in ``score`` (high on paper, low
    around it), and how well the region fits them (its share inside the quadrilateral), and
    the region; else None. Given ``rgb``, the outline must be a colour step (``edge_step``)
    and the sheet may run out of the frame at a corner."""
    share = float(region.mean())
    if not MIN_SHARE <= share <= MAX_SHARE or holes > MAX_INK_SHARE:
        return None
    if 1.0 - float(_ring(region).mean()) < MIN_BORDER:
        return None
    if rgb is None and np.median(score[region]) - np.median(score[~region]) < MIN_CONTRAST:
        return None
    corners = fit_quad(region, corners_of(region))
    if corners is not None:  # once more without what sticks out (a second sheet touching it)
        inside = region & ndimage.binary_dilation(quad_mask(corners, region.shape), iterations=2)
        corners = fit_quad(inside, corners)
    if corners is None or not square_enough(corners):
        return None
    framed = _framed_sides(corners, region.shape)
    if len(framed) > 2 or (len(framed) == 2 and abs(framed[0] - framed[1]) != 2 and rgb is None):
        return None  # a bright part of the photo cut off by one straight edge: light, not paper
    quad = quad_mask(corners, region.shape)
    inner = quad & ~ndimage.binary_erosion(quad, iterations=EDGE_BAND)
    outer = ndimage.binary_dilation(quad, iterations=EDGE_BAND) & ~quad
    if rgb is not None:
        beyond = ~ndimage.binary_dilation(quad, iterations=2 * EDGE_BAND)
        if not beyond.any() or not _desk_beyond(
            float(np.median(1.0 - score[beyond])), rgb, corners
        ):
            return None  # paper goes on past the outline: a printed box, not a sheet's edge
        if edge_step(rgb, corners, EDGE_BAND, EDGE_SAMPLES) < MIN_EDGE_STEP:
            return None  # no step in colour along the outline: not a sheet's edge
    elif not outer.any() or np.median(score[inner]) - np.median(score[outer]) < MIN_STEP:
        return None  # no step in brightness at the outline: light falling off, not an edge
    inside_share = float((region & quad).sum()) / float(region.sum())
    if float((region & quad).sum()) < QUAD_FILL * quad.sum() or inside_share < SHEET_INSIDE:
        return None
    if rgb is not None:  # a pale strip or a second sheet along a side is no part of the sheet
        trimmed = trim_strips(rgb, corners)
        corners = trimmed if square_enough(trimmed) else corners
    return corners, inside_share, region


Sheet = tuple[np.ndarray, float, np.ndarray]  #: corners or region, fit or writing, region or score


def _sheet_at(score: np.ndarray, threshold: float) -> tuple[np.ndarray, float, np.ndarray] | None:
    """``_sheet_of`` the largest region of ``score`` above ``threshold``."""
    region = _largest_region(score > threshold)
    return None if region is None else _sheet_of(*region, score)


def _flooded_sheet(
    rgb: np.ndarray, close: bool = False
) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The first of ``floods(rgb, close)`` that ``_sheet_of`` takes for a sheet, or None."""
    sheets = (_sheet_of(*flooded, rgb=rgb) for flooded in floods(rgb, close))
    return next((sheet for sheet in sheets if sheet is not None), None)


def _holds(larger: np.ndarray, region: np.ndarray) -> bool:
    """Whether ``larger`` holds nearly all of ``region`` and at least MIN_GROWTH more."""
    held = float((region & larger).sum()) >= SHEET_INSIDE * float(region.sum())
    return held and float(larger.sum()) >= (1.0 + MIN_GROWTH) * float(region.sum())


def _sheet_in(score: np.ndarray, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The sheet's corners in a photo (``score`` its paper score, ``rgb`` its colours) and its
    region (paper and writing), or None without clear evidence of one.
    The sheet flooded from the centre first (``floods``: the border's brightly lit paper taken
    for paper, failing that for desk); then Otsu's threshold on the paper
    score; where uneven light defeats it, a few thresholds around it, the best-fitting sheet
    winning."""
    if float(score.max() - score.min()) < MIN_CONTRAST:
        return None  # flat: nothing to tell a sheet from a desk
    found = _flooded_sheet(rgb)
    if found is not None:  # once more over the writing: a row of digits may have cut it
        over = _flooded_sheet(rgb, close=True)
        if over is not None and _holds(over[2], found[2]):
            found = over
    else:
        otsu = _otsu(score)
        found = _sheet_at(score, otsu)
        if found is None:
            tries = [_sheet_at(score, otsu + step) for step in THRESHOLD_STEPS]
            fits = [found for found in tries if found is not None]
            found = max(fits, key=lambda found: found[1]) if fits else None
    return None if found is None else (found[0], found[2])


def _desk_seen(image: Image.Image) -> bool:
    """Whether the border of ``image`` shows something unlike its centre (a desk) at all: the
    cheap first test, at GLANCE_SIDE, that lets most photos without a desk go at once."""
    factor = max(1, min(image.size) // GLANCE_SIDE)
    rgb = np.asarray(image.reduce(factor).convert("RGB"), dtype=np.float32) / 255
    height, width = rgb.shape[:2]
    middle = rgb[int(height * 0.3) : int(height * 0.7), int(width * 0.3) : int(width * 0.7)]
    colour = np.median(middle.reshape(-1, 3), axis=0)
    far = np.linalg.norm(_ring(rgb) - colour, axis=1) > DESK_DISTANCE
    return float(far.mean()) >= GLANCE_SHARE


def _find(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The sheet's corners in ``image``, its corners and region at SHEET_SIDE; or None."""
    if min(image.size) < MIN_PHOTO_SIDE or image.mode not in ("RGB", "L"):
        return None  # small images and transparent ones (canvas exports) are not desk photos
    if not _desk_seen(image):
        return None
    small = image.copy()
    small.thumbnail((SHEET_SIDE, SHEET_SIDE), Image.Resampling.BOX)
    rgb = np.asarray(small.convert("RGB"), dtype=np.float32) / 255
    found = _sheet_in(_paper_score(small), rgb)
    if found is None:
        return None
    corners, region = found
    scale = np.array([image.width / small.width, image.height / small.height])
    return corners * scale, corners, region


def find_sheet(image: Image.Image) -> np.ndarray | None:
    """The corners of the sheet of paper in a photo of a sheet and its surroundings, as (x, y)
    in ``image``'s pixels (top-left, top-right, bottom-right, bottom-left); None when the image
    shows no sheet with a clear border of something else around it (a scan, a canvas, a crop).
    """
    found = _find(image)
    return None if found is None else found[0]


def read_sheet(image: Image.Image) -> tuple[Image.Image, np.ndarray] | None:
    """The sheet in a photo of a sheet on a desk, straightened (``straighten``), with what
    covers it from outside (a finger, the desk past a torn edge) painted over in the paper's
    colour; and its corners in ``image``. None when there is no sheet (``find_sheet``)."""
    found = _find(image)
    if found is None:
        return None
    corners, small_corners, region = found
    sheet = straighten(image, corners, margin=NEAR_MARGIN)
    # PAINT_GROW pixels less than the region: a finger's soft, blurred rim is painted over too.
    kept = ndimage.binary_erosion(region, iterations=PAINT_GROW)
    mask = Image.fromarray(kept.astype(np.uint8) * 255)
    mask = straighten(mask, small_corners, size=sheet.size, margin=NEAR_MARGIN).point(
        lambda v: 255 * (v > 127)
    )
    if np.asarray(mask).any():
        sheet = Image.composite(sheet, _paper_around(sheet, mask), mask.convert("L"))
    return sheet.crop(_kept_box(sheet)), corners


def _kept_box(sheet: Image.Image) -> tuple[int, int, int, int]:
    """The part of ``sheet`` (straightened with NEAR_MARGIN) to read: EDGE_MARGIN in from the
    sheet's edge, NEAR_MARGIN on a side that writing crosses (``_crossed_sides``)."""
    extra = (EDGE_MARGIN - NEAR_MARGIN) / (1.0 - 2.0 * NEAR_MARGIN)
    cut = [round(extra * sheet.width), round(extra * sheet.height)] * 2
    for side in _crossed_sides(sheet, extra):
        cut[side] = 0
    return cut[0], cut[1], sheet.width - cut[2], sheet.height - cut[3]


def _crossed_sides(sheet: Image.Image, extra: float) -> list[int]:
    """Which sides (0 left, 1 top, 2 right, 3 bottom) of ``sheet`` an ink component crosses
    from inside the kept part into the ``extra`` share (of its width or height) along them."""
    small = sheet.convert("L")
    small.thumbnail((INK_SIDE, INK_SIDE), Image.Resampling.BOX)
    grey = np.asarray(small, dtype=np.float32)
    paper = ndimage.grey_closing(grey, size=INK_CLOSE)
    labels, count = ndimage.label(grey < paper - INK_DROP)
    height, width = grey.shape
    band = [round(extra * width), round(extra * height)] * 2
    edges = [np.s_[:, : band[0]], np.s_[: band[1], :], np.s_[:, width - band[2] :],
             np.s_[height - band[3] :, :]]  # fmt: skip
    rim = set(np.unique(_ring(labels)).tolist())
    spans = ndimage.find_objects(labels, count)
    crossed = []
    for side, edge in enumerate(edges):
        for label in set(np.unique(labels[edge]).tolist()) - rim - {0}:
            along = spans[label - 1][0 if side % 2 else 1]
            if (along.stop - along.start) / (height if side % 2 else width) <= EDGE_SPAN:
                crossed.append(side)
                break
    return crossed


def _paper_around(sheet: Image.Image, mask: Image.Image) -> Image.Image:
    """The paper's colour near each pixel of ``sheet``, from where ``mask`` is set (paper and
    writing): a blur of the paper normalised by a blur of the mask, at PAINT_SIDE px, so that
    what is painted over matches the light falling on the paper around it."""
    small = (max(1, sheet.width * PAINT_SIDE // max(sheet.size)),
             max(1, sheet.height * PAINT_SIDE // max(sheet.size)))  # fmt: skip
    colours = np.asarray(sheet.resize(small, Image.Resampling.BOX), dtype=np.float32)
    colours = colours.reshape(small[1], small[0], -1)  # gray too, as one channel
    weight = np.asarray(mask.resize(small, Image.Resampling.BOX), dtype=np.float32) / 255
    weight = (weight > 0.99).astype(np.float32)  # whole paper pixels only
    spread = ndimage.gaussian_filter(weight, PAINT_SIGMA)[..., None]
    paper = ndimage.gaussian_filter(weight[..., None] * colours, (PAINT_SIGMA, PAINT_SIGMA, 0))
    blurred = paper / np.maximum(spread, 1e-6)
    fallback = np.median(colours[weight > 0], axis=0) if (weight > 0).any() else colours.mean()
    local = np.where(spread > PAINT_MIN_WEIGHT, blurred, fallback)
    local = local[..., 0] if local.shape[2] == 1 else local
    painted = Image.fromarray(np.clip(local, 0, 255).astype(np.uint8))
    return painted.resize(sheet.size, Image.Resampling.BILINEAR)


def straighten(
    image: Image.Image,
    corners: np.ndarray,
    size: tuple[int, int] | None = None,
    margin: float = EDGE_MARGIN,
) -> Image.Image:
    """The sheet with ``corners`` (see ``find_sheet``) warped upright to a rectangle as large
    as its sides (or ``size``), less ``margin`` (a share of its sides) at each edge."""
    width = (np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])) / 2
    height = (np.linalg.norm(corners[3] - corners[0]) + np.linalg.norm(corners[2] - corners[1])) / 2
    margins = np.array([margin * width, margin * height])
    inner = (max(1, round(width - 2 * margins[0])), max(1, round(height - 2 * margins[1])))
    if size is not None:  # the same sheet at another size: scale the target rectangle
        scale = np.array([size[0] / inner[0], size[1] / inner[1]])
        width, height, margins, inner = width * scale[0], height * scale[1], margins * scale, size
    # The output's (0, 0) lies ``margin`` inside the sheet's top-left corner.
    upright = np.array([[0, 0], [width, 0], [width, height], [0, height]]) - margins
    return image.transform(
        inner, Image.Transform.PERSPECTIVE, perspective(upright, corners), Image.Resampling.BICUBIC
    )
