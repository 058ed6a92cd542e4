"""Finding the digits of a number written in a row.

The image is decoded once (``images.decode``) and turned into an ink map the way
``prepare_image`` does it (any polarity, lighting and format), at a scale where a typical digit
is DIGIT_PIXELS tall (a first, coarse map measures the digits' height), whatever the image's
size and the number's length; each pixel's ink is measured against the strongest ink near it, so
a faint digit beside a dark one is found too. Ink pixels are grouped into connected components;
tiny specks are dropped; pieces of one digit (a 5's bar, a broken stroke) are joined when their
columns overlap; a group much wider than a digit (two digits touching) is cut at the columns
with the least ink near where the cuts are expected. Each digit comes back with its box in the
original image, the region to read it from (the box with a margin) and which ink in that region
is its own: ``prepare.prepare_pixels`` then prepares it from the original pixels, as if it had
been handed in alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from scipy import ndimage

from mnistlib.errors import ImageError
from mnistlib.recognition import separators
from mnistlib.recognition.images import Decoded, Source, decode
from mnistlib.recognition.lines import GRID_SHARE, remove_lines, touching, uprights
from mnistlib.recognition.pieces import LINE_LABEL, Segment, cuts, piece, with_side
from mnistlib.recognition.prepare import clean, raw_ink

#: Ink stronger than this (after the noise floor is removed, against the strongest ink near it)
#: forms components. Faint strokes (a thin 1 photographed small, a blurred one) stay whole
#: rather than breaking into specks: 0.3 lost them (validation numbers, docs/recognition.md);
#: 0.1 read as well as 0.15, which keeps more of a photo's shading out.
INK_LEVEL = 0.15
#: Components with less ink than this share of the largest one are specks, and dropped, unless
#: they have at least DOT_MASS_SHARE and are shaped and placed as a dot (``separators``): a
#: dot by a thin pen holds 2-5% of a digit's ink.
SPECK_MASS_SHARE, DOT_MASS_SHARE = 0.03, 0.008
#: Two groups are one digit when their columns overlap by this share of the narrower one...
MERGE_OVERLAP = 0.5
#: ...and together they are at most this many times as wide as tall.
MERGE_MAX_ASPECT = 1.1
#: A piece less tall than this many digit heights is not a digit: it belongs to a neighbour.
FLAT_HEIGHT = 0.4
#: ...unless it is a small digit, written small in its own box: between SMALL_ASPECTS times its
#: own height wide (a 5's bar or a 7's stroke is wider, a line's leftover tick narrower) and at
#: least SMALL_HEIGHT digit heights tall ("86048" in boxes: a small 4 beside a big 8 was
#: joined to the 8 and lost; a small 1 is left to join its neighbour, as before).
SMALL_ASPECTS, SMALL_HEIGHT = (0.4, 1.3), 0.3
#: A group at least this many times as wide as the digit height may hold touching digits: it is
#: offered cut into 2, 3... pieces as well as whole, and ``read_number`` keeps what reads best.
#: MNIST's digits are 0.8 as wide as tall in the median, but a wide 0 reaches 1.5: the width
#: alone cannot tell.
SPLIT_ASPECT = 0.75
#: Cut a group into at most this many pieces, each at least this many digit heights wide.
MAX_PIECES, MIN_PIECE_WIDTH = 4, 0.35
#: The ink map is made where a typical digit is this many pixels tall (never enlarged): 24-48
#: read numbers about as well; the work then grows with the number of digits, not the pixels.
DIGIT_PIXELS = 32
#: Pixel budgets of the coarse map that measures the digits' height, and of the ink map.
FIRST_PIXELS, MAP_PIXELS = 256 * 256, 512 * 512
#: Ink counts against the strongest ink within this many typical digit heights (at least
#: LOCAL_FLOOR of the image's strongest), so a faint digit beside a dark one is found. The
#: window reaches about a gap past a digit's own ink: 1.5 reached its neighbours' and lost a
#: faint digit between dark ones; 0.5-0.75 read validation numbers alike (docs/recognition.md).
LOCAL_WINDOW, LOCAL_FLOOR = 0.75, 0.2
#: Two neighbouring groups are also offered as one digit when together they are at most this
#: many digit heights wide (MNIST's digits: 0.8 in the median, a wide 0 up to 1.5).
JOIN_WIDTH = 1.0
#: Printed lines are looked for in ink this many median absolute deviations above the
#: median (the paper): ``prepare.clean``'s noise floor, before it is raised for faint ink;
#: and at least LINE_FLOOR of the strongest ink (noiseless paper has no spread at all).
LINE_SPREADS, LINE_FLOOR = 6, 0.05
#: Ruled or squared paper: this many lines taken out across GRID_SHARE of it (a box has two).
PAPER_LINES = 3
#: Pixels touching by a side or a corner belong to one component (a diagonal stroke is one).
EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)
#: More separate marks than this (after specks are dropped) is not a number: refused.
MAX_GROUPS = 100


# --- ink and components ----------------------------------------------------------------------
def _ink_at(decoded: Decoded, area: int, scale: float | None = None) -> np.ndarray:
    """The ink map of the whole image (noise floor not removed), at ``scale`` (at most ``area``
    pixels)."""
    width, height = decoded.size
    side = max(width, height)
    if scale is not None:
        side = max(1, round(side * min(scale, 1.0)))
    pixels = decoded.pixels(side=side, area=area)
    return raw_ink(pixels)


def components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Labels (0 = background, 1..n, numbered in reading order of their first pixel) of the
    8-connected regions of ``mask``, and n: scipy.ndimage's labelling, in C."""
    labels, n = ndimage.label(mask, structure=EIGHT_CONNECTED)
    return labels, int(n)


# --- grouping --------------------------------------------------------------------------------
@dataclass
class _Group:
    labels: set[int]
    left: int
    right: int  # exclusive
    top: int
    bottom: int  # exclusive
    mass: float
    members: tuple[_Group, ...] = ()  # the single components joined, when more than one

    @property
    def width(self) -> int:
        return self.right - self.left

    def join(self, other: _Group) -> _Group:
        return _Group(
            self.labels | other.labels,
            min(self.left, other.left),
            max(self.right, other.right),
            min(self.top, other.top),
            max(self.bottom, other.bottom),
            self.mass + other.mass,
            (self.members or (self,)) + (other.members or (other,)),
        )


def _groups(ink: np.ndarray, labels: np.ndarray, n: int) -> list[_Group]:
    groups = []
    for label in range(1, n + 1):
        rows, cols = np.nonzero(labels == label)
        mass = float(ink[rows, cols].sum())
        groups.append(_Group({label}, cols.min(), cols.max() + 1, rows.min(), rows.max() + 1, mass))
    return groups


def _digit_height(groups: list[_Group]) -> float:
    """The typical digit height: the median height of the groups with a fair share of ink."""
    largest = max(g.mass for g in groups)
    return float(np.median([g.bottom - g.top for g in groups if g.mass >= 0.25 * largest]))


def _merge(groups: list[_Group]) -> list[_Group]:
    """Join groups whose columns overlap strongly (pieces of one digit), until none do."""
    groups = sorted(groups, key=lambda g: g.left)
    merged = True
    while merged:
        merged = False
        pairs = [(i, j) for i in range(len(groups)) for j in range(i + 1, len(groups))]
        for i, j in pairs:
            a, b = groups[i], groups[j]
            overlap = min(a.right, b.right) - max(a.left, b.left)
            joined = a.join(b)
            if overlap >= MERGE_OVERLAP * min(
                a.width, b.width
            ) and joined.width <= MERGE_MAX_ASPECT * (joined.bottom - joined.top):
                groups[i] = joined
                del groups[j]
                merged = True
                break
    return sorted(groups, key=lambda g: g.left)


def is_flat(tall: int, wide: int, height: float) -> bool:
    """Whether a piece ``tall`` x ``wide`` is too flat to be a digit of typical ``height``:
    low, and not a small digit (about as wide as tall, not tiny)."""
    narrowest, widest = SMALL_ASPECTS
    small_digit = narrowest * tall <= wide <= widest * tall and tall >= SMALL_HEIGHT * height
    return tall < FLAT_HEIGHT * height and not small_digit


def _attach_flat(groups: list[_Group], height: float, small: bool = False) -> list[_Group]:
    """Join each flat piece (no digit is flat: a 5's bar, a 7's stroke) to the group below or
    beside it: the one its columns overlap most, else the nearest. ``small``: a small digit
    (``is_flat``) stays apart; not so among one group's pieces (a 9's loop cut off)."""

    def flat_small(g: _Group) -> bool:
        return is_flat(g.bottom - g.top, g.width, height)

    def flat_low(g: _Group) -> bool:
        return g.bottom - g.top < FLAT_HEIGHT * height

    is_piece_flat = flat_small if small else flat_low
    groups = list(groups)
    while len(groups) > 1:
        flat = [g for g in groups if is_piece_flat(g)]
        if not flat:
            break
        piece = min(flat, key=lambda g: g.mass)
        others = [g for g in groups if g is not piece]

        def closeness(g: _Group, piece: _Group = piece) -> float:
            return min(g.right, piece.right) - max(g.left, piece.left)  # < 0: a gap

        target = max(others, key=closeness)
        groups = [g for g in others if g is not target] + [target.join(piece)]
    return sorted(groups, key=lambda g: g.left)


def _options(ink, labels, group: _Group, height: float, scale) -> list[list[Segment]]:
    """Ways to read a group: whole; one digit per (non-flat) component; cut into pieces."""
    whole = piece(ink, labels, group.labels, (group.left, group.right), scale)
    options = [[whole]] if whole else []
    tall = max(height, group.bottom - group.top)
    if group.members:
        parts = _attach_flat(list(group.members), height)
        if len(parts) > 1:
            cut = [piece(ink, labels, g.labels, (g.left, g.right), scale) for g in parts]
            options.append([s for s in cut if s is not None])
    widest = max(g.width for g in (group.members or (group,)))
    if widest >= SPLIT_ASPECT * tall:
        mask = np.isin(labels, list(group.labels))[:, group.left : group.right]
        profile = (ink[:, group.left : group.right] * mask).sum(axis=0)
        most = min(MAX_PIECES, int(group.width / (MIN_PIECE_WIDTH * tall)))
        for pieces in range(2, most + 1):
            bounds = [group.left, *(group.left + c for c in cuts(profile, pieces)), group.right]
            cut = [
                piece(ink, labels, group.labels, (a, b), scale)
                for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            ]
            # every piece must be able to be a digit: not flat (a 5's bar cut off), not empty
            pieces_found = [s for s in cut if s is not None]
            if len(pieces_found) == len(cut) and all(
                s.box[3] - s.box[1] >= FLAT_HEIGHT * tall * scale[1] for s in pieces_found
            ):
                options.append(pieces_found)
    return options


@dataclass(frozen=True)
class Group:
    """Connected ink that holds one digit or several touching ones, or a separator.

    ``options``: ways to read it, each a list of segments left to right; the first is the
    group whole, the others cut into 2, 3... pieces (only for groups wide enough to hold more
    than one digit). ``height``: the digit
    height in original pixels (the group's own, or the typical one if that is taller).
    """

    options: list[list[Segment]]
    height: float
    #: This group and the next one read as one digit (a digit broken in two by a faint or
    #: low-resolution stroke), when together they are no wider than a digit; else None.
    with_next: Segment | None = None
    #: The separator this ink is (one of ``separators.SEPARATORS``), or None for digits.
    character: str | None = None
    #: Whether printed lines were taken out of the image: then even a lone digit is read from
    #: its own region, without them, never from the whole image.
    lined: bool = False
    #: Where its ink touches an upright line taken out (``lines.uprights``): the group whole
    #: with the line's ink beside it put back (a stroke of it lying on the line went with
    #: it); else None.
    with_side: Segment | None = None
    #: On ruled or squared paper (a line taken out runs across GRID_SHARE of the image),
    #: where its ink touches a line taken out: the group whole with every line's ink beside
    #: it put back (a stroke of it crossed by a rule went with it); else None.
    with_lines: Segment | None = None


class _Found(NamedTuple):
    ink: np.ndarray
    labels: np.ndarray  #: components; 0: no ink or a speck; LINE_LABEL: a printed line
    groups: list[_Group]  #: the digits' ink
    separators: list[tuple[_Group, str]]
    height: float
    lined: bool
    upright: np.ndarray  #: the upright lines taken out
    against: set[int]  #: labels of the ink touching them
    crossed: set[int]  #: on ruled or squared paper, labels of the ink touching a line


def _without_specks(ink, labels, n, groups) -> tuple[np.ndarray, list[_Group], list[_Group]]:
    """Groups with a fair share of ink, and the small ones that may be dots; the labels of
    the rest (specks) set to 0."""
    largest = max(g.mass for g in groups)
    small = [g for g in groups if DOT_MASS_SHARE * largest <= g.mass < SPECK_MASS_SHARE * largest]
    small = small if len(small) <= MAX_GROUPS else []
    groups = [g for g in groups if g.mass >= SPECK_MASS_SHARE * largest]
    if len(groups) > MAX_GROUPS:
        raise ImageError(
            f"{len(groups)} separate marks: too many to be digits written in a row "
            f"(at most {MAX_GROUPS})"
        )
    kept = [label for g in groups + small for label in g.labels]
    return np.where(np.isin(labels, kept), labels, 0), groups, small


def _grouped(ink: np.ndarray, window: int | None = None, height: float | None = None) -> _Found:
    """Components of ``ink`` (each pixel against the strongest ink within ``window`` pixels,
    if given; then the noise floor removed), printed lines taken out (``lines.remove_lines``,
    by the digit ``height`` when known), specks dropped, pieces of one digit joined,
    separators told apart; and the typical digit height."""
    if window is not None:
        floor = LOCAL_FLOOR * float(ink.max())
        ink = ink / np.maximum(
            ndimage.maximum_filter(ink, window | 1, mode="nearest"), max(floor, 1e-6)
        )
    paper = float(np.median(ink))
    noise = paper + LINE_SPREADS * float(np.median(np.abs(ink - paper)))
    faint = ink > max(noise, LINE_FLOOR * float(ink.max()))  # above the paper's noise
    ink = clean(ink)
    mask, ruled = remove_lines(ink > INK_LEVEL, faint, height)
    labels, n = components(mask)
    if n == 0:
        raise ImageError("no visible digit: only faint ink")
    labels, groups, small = _without_specks(ink, labels, n, _groups(ink, labels, n))
    groups = _merge(groups)
    height = _digit_height(groups)
    groups, found, specks = split_separators(labels, groups, small, height, ruled)
    labels[np.isin(labels, specks)] = 0
    upright = uprights(ruled, height)
    across = [ndimage.label(ruled.sum(axis=k) >= GRID_SHARE * ruled.shape[k])[1] for k in (1, 0)]
    paper = max(across) >= PAPER_LINES
    against, crossed = touching(labels, upright), touching(labels, ruled) if paper else set()
    labels[ruled] = LINE_LABEL
    groups = _attach_flat(groups, height, small=True)
    lined = bool(ruled.any())  # printed lines were taken out
    return _Found(ink, labels, groups, found, height, lined, upright, against, crossed)


def split_separators(
    labels: np.ndarray, groups: list[_Group], small: list[_Group], height: float, ruled
) -> tuple[list[_Group], list[tuple[_Group, str]], list[int]]:
    """The digits' groups, the separators (each group with its character) and the labels of
    the small marks that are neither (specks). Ink touching a printed line taken out
    (``ruled``) is no separator: it is what is left of the line, or a digit crossing it."""
    dot = separators.DOT_LARGEST * height  # a colon's dots may be a speck's size or more
    tiny = [g for g in groups if max(g.width, g.bottom - g.top) <= dot]
    groups = [g for g in groups if g not in tiny]
    least = separators.DOT_SMALLEST * height
    small = _merge([g for g in small if min(g.width, g.bottom - g.top) >= least] + tiny)
    groups += [g for g in small if any(t in tiny for t in (g.members or (g,)))]
    small = [g for g in small if g not in groups]
    marks = sorted(groups + small, key=lambda g: g.left)
    digits = [g for g in groups if g.bottom - g.top >= FLAT_HEIGHT * height]
    found = separators.characters([separators.mark_of(labels, g, digits, height) for g in marks])
    remnants = touching(labels, ruled)
    found = [None if remnants & g.labels else c for g, c in zip(marks, found, strict=True)]
    chosen = [(g, c) for g, c in zip(marks, found, strict=True) if c is not None]
    taken = {id(g) for g, _ in chosen}
    specks = [label for g in small if id(g) not in taken for label in g.labels]
    return [g for g in groups if id(g) not in taken], chosen, specks


def _as_groups(found: _Found, scale_xy: tuple[float, float]) -> list[Group]:
    """The digits' groups and the separators, left to right, as ``Group``s."""
    ink, labels, height = found.ink, found.labels, found.height
    items = [(g, None) for g in found.groups] + list(found.separators)
    out: list[Group] = []
    lines = labels == LINE_LABEL
    previous: _Group | None = None  # the digit group just before, with nothing between
    for group, character in sorted(items, key=lambda item: item[0].left):
        tall = max(height, group.bottom - group.top)
        if character is not None:
            whole = piece(ink, labels, group.labels, (group.left, group.right), scale_xy)
            if whole is not None:
                out.append(Group([[whole]], tall * scale_xy[1], None, character, found.lined))
            previous = None
            continue
        options = _options(ink, labels, group, height, scale_xy)
        if not options:
            continue
        if previous is not None:
            joined = previous.join(group)
            if joined.width <= JOIN_WIDTH * max(height, joined.bottom - joined.top):
                cols = (joined.left, joined.right)
                with_previous = piece(ink, labels, joined.labels, cols, scale_xy)
                out[-1] = replace(out[-1], with_next=with_previous)
        own = (group.labels, group.left, group.right, group.top, group.bottom)
        side, back = (
            with_side(ink, labels, own, taken, scale_xy) if group.labels & near else None
            for taken, near in ((found.upright, found.against), (lines, found.crossed))
        )
        height_px = tall * scale_xy[1]
        out.append(Group(options, height_px, lined=found.lined, with_side=side, with_lines=back))
        previous = group
    return out


def find_groups(source: Source | Decoded) -> list[Group]:
    """The groups of ink written in a row in ``source``, left to right: digits and separators.

    Raises ImageError when the image holds no visible ink (as ``prepare_image`` does), or
    too many separate marks to be a number.
    """
    decoded = source if isinstance(source, Decoded) else decode(source)
    orig_w, orig_h = decoded.size
    first = _ink_at(decoded, FIRST_PIXELS)
    first_height = _grouped(first).height  # printed lines by their span of the image
    first_height = _grouped(first, height=first_height).height  # and by the digits' height
    scale = DIGIT_PIXELS / max(first_height, 1.0) * first.shape[1] / orig_w
    ink = _ink_at(decoded, MAP_PIXELS, scale)
    ratio = ink.shape[1] / first.shape[1]
    window = round(LOCAL_WINDOW * first_height * ratio)
    found = _grouped(ink, max(3, window), first_height * ratio)
    groups = _as_groups(found, (orig_w / ink.shape[1], orig_h / ink.shape[0]))
    if not any(g.character is None for g in groups):
        raise ImageError("no visible digit: only specks of ink")
    return groups
