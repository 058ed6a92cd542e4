"""Reading a number's groups of ink: every way to read each group, and the reading chosen.

``segment.find_groups`` finds the groups written in a row: digits (each offered whole and, when
wide enough to hold touching digits, cut in pieces; with the next group, when the two together
may be one broken digit) and separators. ``candidates`` prepares every piece of every way the
MNIST way, so that the model reads them all in one call; ``best_reading`` then keeps, over the
whole row, the ways the model is surest of (a dynamic programme over the groups);
``shape_doubts`` says which of the pieces it kept are no whole digit (a tick cut in two, a
smiley or a hash cut in pieces), however sure the checks are of each piece alone;
``separator_doubt`` which readings hold separators where no number has them, or a dot or comma
among printed lines; ``thin_doubts`` which digits are a printed line's thin piece.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from mnistlib.errors import ImageError
from mnistlib.recognition.images import Decoded
from mnistlib.recognition.prepare import prepare_pixels
from mnistlib.recognition.segment import Group, Segment
from mnistlib.recognition.stretch import narrow_view
from mnistlib.recognition.verdict import percent

#: Log-probability a reading pays for each extra cut, and per digit height a piece is wider than
#: tall (digits are rarely wider than tall: a wide piece is more likely two digits).
#: Chosen on numbers composed from validation digits (docs/recognition.md has the search).
SPLIT_COST, WIDE_COST = 1.0, 3.0
#: Log-probability a reading pays for reading two neighbouring groups of ink as one digit...
JOIN_COST = 1.0
#: ...and for each piece the "not sure" checks doubt (a piece of a digit, two digits as one).
DOUBT_COST = 1.0

#: A piece cut out of one group of ink is a whole digit only when it is at least this share of
#: the group's digit height: touching digits stand side by side, each about as tall as the
#: row, while a tick cut in two leaves a short stroke read "1" (validation: 1 of 145 pieces of
#: touching digits read right is shorter; ticks' pieces 0.42-0.57, docs/recognition.md).
CUT_HEIGHT = 0.7
#: Ink less wide than this many times its height is rarely two digits side by side (MNIST's
#: are 0.8 as wide as tall in the median); cut in pieces, each must reach NARROW_CONFIDENCE.
#: A smiley (0.9), a hash (1.1) and a capital A read as two sure digits; on validation numbers
#: with touching digits it doubted 3 of 123 right readings and 3 wrong but sure ones.
NARROW_ASPECT, NARROW_CONFIDENCE = 1.15, 0.95
#: Why such a piece is "not sure" (``verdict`` words it).
SHORT_PIECE = "a short piece cut from a shape, not a whole digit"
NARROW_PIECE = "a piece of ink too narrow to hold two digits, read below {}"

#: Why a reading whose separators stand where no number has them is "not sure": a separator
#: before the first digit or after the last, or two side by side ("6363,", "64:26,,,,",
#: "19//6/96"). No date, price, time or dashed number is written so; on validation scenes most
#: wrong readings whose every digit was sure were such a stray mark (a speck, a ruled line's
#: end) read as a separator (docs/recognition.md, "The doubt, third round").
STRAY_SEPARATOR = "a separator where no number has one"
#: Why a reading with a dot or a comma is "not sure" when printed lines were taken out of its
#: image: a line's end, a bit of a grid line or a speck on it is read as one (validation seeds 5
#: and 6: 13 of 93 readings wrong but sure on ruled, squared and boxed paper, "4.84296",
#: "94804,7"; no right reading on such paper held one). A price written on ruled paper is
#: doubted too: the cost of this check.
LINED_SEPARATOR = "a dot or comma among printed lines: a line's end or a speck may be one"
#: The separators a line's remnant is read as (a slash or a colon on a form is printed more
#: often than it is made by a line).
LINE_MARKS = ".,"

#: A digit whose box is narrower than THIN_ASPECT of its own height and THIN_WIDTH of the
#: reading's median digit height is a printed line's piece, not a digit (a grid line read "1",
#: "98" read "111111"): validation seeds 5 and 6, 20 of 93 readings wrong but sure caught, 1 of
#: 2,321 right and sure doubted (a 1 joined to a grid line 627 px tall); a written 1 is at
#: least 0.07 as wide as tall there (its pen and the page's blur).
THIN_ASPECT, THIN_WIDTH = 0.06, 0.06
#: Why such a digit is "not sure" (``verdict`` words it).
THIN_PIECE = "a thin straight stroke, as a printed line's piece is, not a digit"
#: A digit against a box's side taken out is doubted when, the side's ink beside it put back,
#: it reads as another digit with at least this confidence (a 9 whose back lay on the side);
#: below it, the side put back reads as a garbled shape, not as a digit the side hid.
SIDE_CONFIDENCE = 0.2
#: Why such a digit is "not sure".
SIDE_PIECE = "ink against a box's side taken out: a stroke of it may have gone with the side"
#: Why a digit touching a printed line taken out (a rule across it) is "not sure": with the
#: lines' ink beside it put back it reads as another digit, with at least SIDE_CONFIDENCE (a
#: 6 whose bowl's foot lay on a rule, read 5 without it).
CROSSED_PIECE = "a printed line across it taken out: with the line put back it reads otherwise"

#: What a reading is made of, left to right: each digit's segment and its row of the images
#: read, or a separator's segment and its character.
Chosen = list[tuple[Segment, "int | str"]]


class Read(Protocol):
    """One image read (``recognizer.Recognition``): what the choice needs of it."""

    @property
    def confidence(self) -> float: ...

    @property
    def sure(self) -> bool: ...

    @property
    def digit(self) -> int: ...


@dataclass
class Candidates:
    """The images to read (prepared 28x28), and per group which rows of them hold each way
    of reading it (``spans``: (option, rows)) and the row of it read with the next (``joins``)."""

    images: list[np.ndarray] = field(default_factory=list)
    spans: list[list[tuple[int, slice]]] = field(default_factory=list)
    joins: list[int | None] = field(default_factory=list)
    #: Per group, the row of it read with a box's side put back (``Group.with_side``).
    sided: list[int | None] = field(default_factory=list)
    #: Per group, the row of it read with every line's ink beside it put back
    #: (``Group.with_lines``).
    backed: list[int | None] = field(default_factory=list)
    #: A lone digit's narrow view (``stretch.narrow_view``) by row, if it fills its frame.
    narrow: dict[int, np.ndarray] = field(default_factory=dict)


def candidates(decoded: Decoded, groups: list[Group]) -> Candidates:
    """Every way to read each group, prepared. A lone digit (no lines taken out) is prepared
    from the whole image, exactly as ``prepare_image`` would; a piece too faint to be a digit
    is not a way to read its group."""
    found = Candidates()
    for group in groups:
        found.spans.append([])
        found.joins.append(None)
        found.sided.append(None)
        found.backed.append(None)
        if group.character is not None:
            continue  # a separator: not read by the model
        for k, option in enumerate(group.options):
            try:
                if len(groups) == 1 and k == 0 and not group.lined:
                    whole = decoded.pixels()
                    prepared = [prepare_pixels(whole)]
                    view = narrow_view(whole)
                    if view is not None:
                        found.narrow[len(found.images)] = view
                else:
                    prepared = [prepare_pixels(decoded.pixels(p.region), p.keep) for p in option]
            except ImageError:
                continue
            start = len(found.images)
            found.spans[-1].append((k, slice(start, start + len(prepared))))
            found.images.extend(prepared)
        if group.with_next is not None:
            piece = group.with_next
            with contextlib.suppress(ImageError):
                found.images.append(prepare_pixels(decoded.pixels(piece.region), piece.keep))
                found.joins[-1] = len(found.images) - 1
        for again, rows in ((group.with_side, found.sided), (group.with_lines, found.backed)):
            if again is not None:
                with contextlib.suppress(ImageError):
                    found.images.append(prepare_pixels(decoded.pixels(again.region), again.keep))
                    rows[-1] = len(found.images) - 1
    return found


def _score(read: Sequence[Read], pieces: list[Segment], height: float) -> float:
    """How well a way of cutting a group reads: the sum of log top-probabilities, less
    SPLIT_COST per extra piece, WIDE_COST per digit height a piece is wider than tall and
    DOUBT_COST per piece the checks doubt."""
    wide = sum(max(0.0, (s.box[2] - s.box[0]) / max(height, 1.0) - 1.0) for s in pieces)
    top = sum(np.log(max(r.confidence, 1e-12)) for r in read)
    doubted = sum(not r.sure for r in read)
    return float(top) - SPLIT_COST * (len(pieces) - 1) - WIDE_COST * wide - DOUBT_COST * doubted


def _alone(
    group: Group, spans: list[tuple[int, slice]], read: Sequence[Read]
) -> tuple[float, Chosen]:
    """The best reading of one group by itself: its score and what it is made of."""
    if group.character is not None:
        return 0.0, [(group.options[0][0], group.character)]
    if not spans:
        return 0.0, []
    options = [(_score(read[rows], group.options[k], group.height), k, rows) for k, rows in spans]
    score, k, rows = max(options, key=lambda o: o[0])
    return score, list(zip(group.options[k], range(len(read))[rows], strict=True))


def best_reading(groups: list[Group], found: Candidates, read: Sequence[Read]) -> Chosen:
    """The reading of the whole row the model is surest of: each group by itself, or two
    neighbours read as one digit (JOIN_COST), whichever scores best over the row."""
    best: list[tuple[float, Chosen]] = [(0.0, [])]  # the best reading of the first j groups
    for j, group in enumerate(groups):
        score, pieces = _alone(group, found.spans[j], read)
        choice = (best[j][0] + score, best[j][1] + pieces)
        row = found.joins[j - 1] if j > 0 else None
        joint = groups[j - 1].with_next if j > 0 else None
        if row is not None and joint is not None:
            height = max(groups[j - 1].height, group.height)
            joined = best[j - 1][0] + _score([read[row]], [joint], height) - JOIN_COST
            if joined > choice[0]:
                choice = (joined, best[j - 1][1] + [(joint, row)])
        best.append(choice)
    return best[-1][1]


def _cut_from(groups: list[Group]) -> dict[int, tuple[float, float]]:
    """For every piece of a way to cut a group (by ``id``): the group's digit height and its
    ink's width over height."""
    out: dict[int, tuple[float, float]] = {}
    for group in groups:
        segments = [s for option in group.options for s in option]
        if not segments:
            continue
        width = max(s.box[2] for s in segments) - min(s.box[0] for s in segments)
        height = max(s.box[3] for s in segments) - min(s.box[1] for s in segments)
        for option in group.options:
            if len(option) > 1:
                out |= {id(s): (group.height, width / max(height, 1)) for s in option}
    return out


def shape_doubts(groups: list[Group], chosen: Chosen, read: Sequence[Read]) -> dict[int, str]:
    """Rows of ``chosen``'s digits the checks passed that are no whole digit, and why: pieces
    cut from a group less tall than CUT_HEIGHT of its digit height, or cut from ink narrower
    than NARROW_ASPECT and read below NARROW_CONFIDENCE (the row's pieces of shapes that are
    not digits: a tick read "11", a smiley "63", a hash "77")."""
    cut = _cut_from(groups)
    out: dict[int, str] = {}
    for piece, row in chosen:
        if isinstance(row, str) or id(piece) not in cut or not read[row].sure:
            continue
        height, aspect = cut[id(piece)]
        if piece.box[3] - piece.box[1] < CUT_HEIGHT * height:
            out[row] = SHORT_PIECE
        elif aspect < NARROW_ASPECT and read[row].confidence < NARROW_CONFIDENCE:
            out[row] = NARROW_PIECE.format(percent(NARROW_CONFIDENCE))
    return out


def separator_doubt(
    separators: Sequence[tuple[int, str]], n_digits: int, *, lined: bool = False
) -> str | None:
    """Why a reading's separators (each as (digits before it, character)) make it "not
    sure", or None: one before the first digit or after the last, or two with no digit between
    them (STRAY_SEPARATOR); a dot or a comma when printed lines were taken out (``lined``:
    LINED_SEPARATOR)."""
    places = [before for before, _ in separators]
    if any(before in (0, n_digits) for before in places) or len(set(places)) < len(places):
        return STRAY_SEPARATOR
    if lined and any(character in LINE_MARKS for _, character in separators):
        return LINED_SEPARATOR
    return None


def thin_doubts(chosen: Chosen, read: Sequence[Read]) -> dict[int, str]:
    """Rows of ``chosen``'s digits the checks passed that are a printed line's thin piece
    (THIN_PIECE): narrower than THIN_ASPECT of their height and THIN_WIDTH of the reading's
    median digit height."""
    digits = [(piece, row) for piece, row in chosen if not isinstance(row, str)]
    if not digits:
        return {}
    typical = float(np.median([piece.box[3] - piece.box[1] for piece, _ in digits]))
    out: dict[int, str] = {}
    for piece, row in digits:
        left, top, right, bottom = piece.box
        thin = right - left < THIN_ASPECT * (bottom - top) and right - left < THIN_WIDTH * typical
        if thin and read[row].sure:
            out[row] = THIN_PIECE
    return out


def _read_again(
    groups: list[Group], again: list[Segment | None], rows: list[int | None]
) -> dict[int, tuple[Group, Segment, int]]:
    """By its whole reading's segment (``id``), each group read again whole with a line's ink
    put back (``again``, one per group: ``Group.with_side`` or ``Group.with_lines``), that
    segment, and the row of its reading (``rows``: ``Candidates.sided`` or ``.backed``)."""
    return {id(g.options[0][0]): (g, a, r) for g, a, r in zip(groups, again, rows, strict=True)
            if r is not None and a is not None and g.options}  # fmt: skip


def _sided(groups: list[Group], found: Candidates) -> dict[int, tuple[Group, Segment, int]]:
    """``_read_again`` with a box's side put back (``Group.with_side``)."""
    return _read_again(groups, [g.with_side for g in groups], found.sided)


def _backed(groups: list[Group], found: Candidates) -> dict[int, tuple[Group, Segment, int]]:
    """``_read_again`` with every line's ink beside it put back (``Group.with_lines``)."""
    return _read_again(groups, [g.with_lines for g in groups], found.backed)


def with_sides(
    groups: list[Group], found: Candidates, chosen: Chosen, read: Sequence[Read]
) -> Chosen:
    """``chosen`` with each digit read whole from a group touching an upright line taken out
    read instead with the line's ink beside it put back (``Group.with_side``), or from a group
    touching a line of ruled or squared paper with every line's ink beside it put back
    (``Group.with_lines``), where that reads as another digit, more confidently: a stroke of
    it lay on the line (a 9's back on one box's side, read 0 without it)."""
    again = [_sided(groups, found), _backed(groups, found)]
    out: Chosen = []
    for piece, row in chosen:
        for found_again in again:
            if isinstance(row, str) or id(piece) not in found_again:
                continue
            _, whole, other = found_again[id(piece)]
            if (
                read[other].digit != read[row].digit
                and read[other].confidence > read[row].confidence
            ):
                out.append((whole, other))
                break
        else:
            out.append((piece, row))
    return out


def side_doubts(
    groups: list[Group], found: Candidates, chosen: Chosen, read: Sequence[Read]
) -> dict[int, str]:
    """Rows of ``chosen``'s sure digits read whole from a group touching an upright line taken
    out (``Group.with_side``: the group with the line's ink beside it put back) that is less
    tall than CUT_HEIGHT of its digit height (a piece of a digit the line cut), or that reads
    as another digit (at least SIDE_CONFIDENCE) with the line put back: a stroke of it may
    have lain on the line (SIDE_PIECE)."""
    rows = _sided(groups, found)
    out: dict[int, str] = {}
    for piece, row in chosen:
        if isinstance(row, str) or id(piece) not in rows or not read[row].sure:
            continue
        group, _, sided = rows[id(piece)]
        short = piece.box[3] - piece.box[1] < CUT_HEIGHT * group.height
        other = read[sided].digit != read[row].digit
        if short or (other and read[sided].confidence >= SIDE_CONFIDENCE):
            out[row] = SIDE_PIECE
    return out


def line_doubts(
    groups: list[Group], found: Candidates, chosen: Chosen, read: Sequence[Read]
) -> dict[int, str]:
    """Rows of ``chosen``'s sure digits read whole from a group touching a line of ruled or
    squared paper taken out that read as another digit (at least SIDE_CONFIDENCE) with every
    line's ink beside them put back (``Group.with_lines``): a stroke of the digit may have
    gone with the line (CROSSED_PIECE)."""
    backed = _backed(groups, found)
    out: dict[int, str] = {}
    for piece, row in chosen:
        if isinstance(row, str) or id(piece) not in backed or not read[row].sure:
            continue
        other = read[backed[id(piece)][2]]
        if other.digit != read[row].digit and other.confidence >= SIDE_CONFIDENCE:
            out[row] = CROSSED_PIECE
    return out
