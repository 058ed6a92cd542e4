"""Scenes people really photograph, composed offline: an image file and the text written in it.

Each kind (``SCENE_KINDS``) is made by ``make_scene(kind, rng, ...)``; ``scene_set`` makes ``n``
of one kind reproducibly from a seed, with digits from MNIST (the validation split: the last
5,000 training digits; the test split: the test set) or drawn with pen strokes (other writers).

- ``desk``: a sheet with 1-4 digits lying on a desk, photographed (1200x900 JPEG, quality
  60-90): the sheet fills 50-90% of the frame, turned up to 10 degrees, seen at an angle, a
  shadow, sometimes a second sheet's edge or a hand at the border, uneven light, noise.
- ``sheet``: the same sheet (same seed, same writing) photographed without the desk.
- ``boxes``: a form's number field, 3-6 digits, each in its own printed box (comb) or one box
  around the number; lines 1-3 px, grey to black; digits sometimes touch or cross the lines.
- ``ruled`` / ``squared``: 1-6 digits on ruled or squared paper (light blue or grey lines).
- ``separators``: dates, prices, times, dashed numbers ("12/06/25", "640.97", "12,50",
  "14:30", "079-112-34") with the separators drawn by hand.
- ``shapes``: a smiley, star, arrow, tick, hash, plus, a letter S, or a word ("Hello", random
  letters): the truth is "" (no digit).

``big_scene(megapixels, rng)``: one digit on a sheet on a desk as a 48 MP or 108 MP phone photo
(composed at 1200x900, enlarged), for time and memory.

Held out of choosing (``HELD_OUT``): the "checks" and "speckle" desks, "rounded" boxes (a
comb, boxes apart or one box, printed with rounded corners; added in the fifth round, when
the "dashed" boxes, printed in dashes or dots and held out in the fourth, were designed for
and so joined validation draws; a fifth of the rest of the test draw's boxes, the others as
they were), dotted-grid paper, grey ruled
lines, dates written with dots ("12.06.25") or as ISO ("2025-06-12"), and words of random
letters. Validation draws never use
them; test draws use every style, and each ``Scene`` says whether it is held out, so tune on
validation scenes and report the held-out ones apart.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PIL import Image

from mnistlib.data import load_mnist
from mnistlib.measure import paper
from mnistlib.measure.glyphs import SHAPES, SMALL, shape_ink, word_ink, write_line
from mnistlib.measure.strokes import LETTERS

SCENE_KINDS = ("sheet", "desk", "boxes", "ruled", "squared", "separators", "shapes")
#: Where the digits come from: MNIST (of the split) or drawn with pen strokes.
SOURCES = ("mnist", "strokes")
#: Styles of each kind that only test draws use (see the module's docstring).
HELD_OUT = {
    "desk": paper.HELD_OUT_DESKS,
    "boxes": ("rounded",),
    "ruled": ("grey",),
    "squared": ("dots",),
    "separators": ("dotted date", "iso date"),
    "shapes": ("letters",),
}
STYLES = {
    "desk": paper.DESKS,
    "boxes": ("comb", "separate", "one box", "ticks", "dashed", "rounded"),
    "ruled": ("blue", "grey"),
    "squared": ("blue", "grey", "dots"),
    "separators": ("date", "price", "comma price", "time", "dashes", "dotted date", "iso date"),
    "shapes": (*SHAPES, "Hello", "letters"),
}
#: Separator formats: each "d" is a digit.
FORMATS = {
    "date": ("dd/dd/dd", "d/d/dd", "dd/dd/dddd"),
    "price": ("d.dd", "dd.dd", "ddd.dd", "dddd.dd"),
    "comma price": ("d,dd", "dd,dd", "ddd,dd"),
    "time": ("dd:dd", "d:dd"),
    "dashes": ("ddd-ddd-dd", "dddd-ddd", "dd-dd-dd"),
    "dotted date": ("dd.dd.dd", "d.d.dddd"),
    "iso date": ("dddd-dd-dd",),
}
#: The share of a draw's boxes printed "dashed" (added in the fourth round, held out then,
#: in validation draws since the fifth). Drawn aside (``_aside``), so that a test draw's other
#: boxes are the scenes they were before it.
DASHED_SHARE = 0.2
#: The share of the rest of a test draw's boxes printed with "rounded" corners (the held-out
#: style of the fifth round), drawn aside after the dashes, so that the other boxes stay the
#: scenes they were; the corners' radius is this share of the box's side.
ROUNDED_SHARE, RADIUS = 0.2, (0.15, 0.35)
#: "dashed" boxes: each dash and each gap between dashes this many pixels long (at the low
#: end, dots).
DASH, GAP = (1.5, 12.0), (2.0, 8.0)
#: Added to the seed per split, so that validation scenes are never test scenes.
SPLIT_SEEDS = {"validation": 7919, "test": 0}
BIG_SIZES = {48: (8000, 6000), 108: (12000, 9000)}

Pool = tuple[np.ndarray, np.ndarray] | None  # MNIST images and labels, or None: stroke digits


class Scene(NamedTuple):
    """One composed image: what kind, whose digits, the file, the text written, its style."""

    kind: str
    source: str  #: "mnist", "strokes", or "drawn" (shapes)
    data: bytes  #: the image file (JPEG or PNG)
    truth: str  #: the text written ("" for shapes)
    style: str  #: the desk, box style, line colour, format or shape
    held_out: bool  #: a style kept out of choosing (``HELD_OUT``)


def _digits(pattern: str, rng: np.random.Generator, pool: Pool):
    """``pattern`` with each "d" replaced by a digit, and the MNIST images used (or None)."""
    count = pattern.count("d")
    if pool is None:
        values, images = [int(v) for v in rng.integers(0, 10, count)], None
    else:
        index = rng.integers(0, len(pool[0]), count)
        values, images = [int(v) for v in pool[1][index]], list(pool[0][index])
    it = iter(values)
    return "".join(str(next(it)) if c == "d" else c for c in pattern), images


def _tight(ink: np.ndarray) -> np.ndarray:
    """``ink`` cropped to its strokes."""
    rows, cols = np.flatnonzero(ink.max(axis=1)), np.flatnonzero(ink.max(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _style(kind: str, rng: np.random.Generator, held_out: bool) -> str:
    styles = [s for s in STYLES[kind] if held_out or s not in HELD_OUT.get(kind, ())]
    return styles[int(rng.integers(len(styles)))]


def _aside(rng: np.random.Generator) -> np.random.Generator:
    """A generator seeded from ``rng``'s state, without drawing from ``rng``."""
    return np.random.default_rng(rng.bit_generator.state["state"]["state"])


def _box_style(rng: np.random.Generator, held_out: bool) -> tuple[str, str]:
    """A boxes style and how its lines are printed ("", "dashed" or "rounded"): DASHED_SHARE
    of the boxes are "dashed" (a comb, boxes apart or one box, chosen aside), and on test
    draws ROUNDED_SHARE of the rest "rounded" (held out); the rest drawn as before either was
    added."""
    older = [s for s in STYLES["boxes"] if s not in ("dashed", "rounded")]
    style = older[int(rng.integers(len(older)))]
    aside = _aside(rng)
    if aside.random() < DASHED_SHARE:
        return ("comb", "separate", "one box")[int(aside.integers(3))], "dashed"
    if held_out and aside.random() < ROUNDED_SHARE:
        return ("comb", "separate", "one box")[int(aside.integers(3))], "rounded"
    return style, ""


def _box(rng: np.random.Generator, printed: str, corners: tuple[float, ...]) -> paper.Lines:
    """A box's four sides (``corners``: left, top, right, bottom), ``printed`` plain, in
    dashes or with rounded corners."""
    left, top, right, bottom = corners
    if printed == "rounded":
        radius = min(right - left, bottom - top) * rng.uniform(*RADIUS)
        return paper.rounded_box_lines(left, top, right, bottom, radius)
    return paper.box_lines(left, top, right, bottom)


def _dashes(lines: paper.Lines, rng: np.random.Generator) -> paper.Lines:
    """``lines`` cut into dashes (DASH long, GAP apart; dots at the short end)."""
    dash, gap = rng.uniform(*DASH), rng.uniform(*GAP)
    out: paper.Lines = []
    for (x0, y0), (x1, y1) in lines:
        length = float(np.hypot(x1 - x0, y1 - y0))
        for start in np.arange(0.0, length, dash + gap):
            a, b = start / length, min(start + dash, length) / length
            out.append(((x0 + a * (x1 - x0), y0 + a * (y1 - y0)),
                        (x0 + b * (x1 - x0), y0 + b * (y1 - y0))))  # fmt: skip
    return out


def _finish(sheet: np.ndarray, rng: np.random.Generator) -> bytes:
    """A photo (JPEG, 70%) or a gray scan (PNG) of ``sheet``."""
    if rng.random() < 0.7:
        return paper.encode(paper.photograph(sheet, rng), "JPEG", int(rng.integers(60, 91)))
    gray = sheet.mean(axis=2) + rng.normal(0, 2, sheet.shape[:2])
    return paper.encode(np.clip(gray, 0, 255).astype(np.uint8), "PNG")


def _on_paper(ink: np.ndarray, rng: np.random.Generator, margin: float):
    """A sheet just large enough for ``ink`` with ``margin`` x its height around it, the ink's
    place (x, y) and the pen."""
    pad = int(margin * ink.shape[0] * rng.uniform(0.3, 1.0)) + 4
    sheet = paper.paper(ink.shape[0] + 2 * pad, ink.shape[1] + 2 * pad, rng)
    return sheet, (pad, pad), paper.pen_colour(rng)


def _written_sheet(rng: np.random.Generator, pool: Pool, frame=(1200, 900), digits=None):
    """A sheet sized to fill 50-90% of ``frame`` with 1-4 digits written on it somewhere: the
    sheet, the text, and the writing's box on the sheet."""
    fraction = rng.uniform(0.5, 0.9)
    aspect = rng.uniform(1.25, 1.5) if rng.random() < 0.75 else rng.uniform(0.68, 0.8)
    h = np.sqrt(fraction * frame[0] * frame[1] / aspect)
    shrink = min(1.0, 0.98 * frame[1] / h, 0.98 * frame[0] / (aspect * h))
    height, width = int(h * shrink), int(aspect * h * shrink)
    count = digits or int(rng.integers(1, 5))
    text, images = _digits("d" * count, rng, pool)
    ink, _ = write_line(text, rng, height=min(height, width) * rng.uniform(0.08, 0.22),
                        mnist_images=images)  # fmt: skip
    if ink.shape[1] > 0.9 * width:
        scale = 0.9 * width / ink.shape[1]
        new = (int(ink.shape[1] * scale), int(ink.shape[0] * scale))
        ink = np.asarray(Image.fromarray(ink).resize(new, Image.Resampling.LANCZOS))
    x = int(rng.integers(0, max(1, width - ink.shape[1])))
    y = int(rng.integers(0, max(1, height - ink.shape[0])))
    pen, strength = paper.pen_colour(rng)
    sheet = paper.write(paper.paper(height, width, rng), ink, (x, y), pen, strength)
    return sheet, text, (x, y, x + ink.shape[1], y + ink.shape[0])


def _sheet_or_desk(kind: str, rng: np.random.Generator, pool: Pool, held_out: bool):
    sheet, text, writing = _written_sheet(rng, pool)
    quality = int(rng.integers(60, 91))
    if kind == "sheet":
        return paper.encode(paper.photograph(sheet, rng), "JPEG", quality), text, "plain"
    style = _style("desk", rng, held_out)
    frame = paper.on_desk(sheet, rng, kind=style, keep_clear=writing)
    return paper.encode(paper.photograph(frame, rng), "JPEG", quality), text, style


def _boxes(rng: np.random.Generator, pool: Pool, held_out: bool):
    style, printed = _box_style(rng, held_out)
    dashed = printed == "dashed"
    text, images = _digits("d" * int(rng.integers(3, 7)), rng, pool)
    side = rng.uniform(40, 110)
    line = rng.uniform(1, 3)
    grey = rng.uniform(0, 150)
    if style == "one box":
        ink, _ = write_line(text, rng, height=side * rng.uniform(0.55, 0.8), mnist_images=images)
        inset = int(ink.shape[0] * rng.uniform(0.12, 0.35))  # < the margin: lines may cross ink
        sheet, (x, y), (pen, strength) = _on_paper(ink, rng, 1.0)
        h, w = ink.shape
        lines = _box(rng, printed, (x + inset, y + inset, x + w - inset, y + h - inset))
        lines = _dashes(lines, rng) if dashed else lines
        sheet = paper.print_lines(sheet, lines, (grey,) * 3, line)
        done = paper.write(sheet, ink, (x, y), pen, strength)
        return _finish(done, rng), text, printed or style
    step = side * (1 + rng.uniform(0.1, 0.5)) if style == "separate" else side
    margin = int(side * rng.uniform(0.3, 1.2))
    sheet = paper.paper(int(side) + 2 * margin, int(step * len(text)) + 2 * margin, rng)
    lines = []
    for k in range(len(text)):
        left = margin + k * step
        if style == "ticks":
            tick = side * rng.uniform(0.25, 0.5)
            lines += [((left, margin + side - tick), (left, margin + side)),
                      ((left + side, margin + side - tick), (left + side, margin + side)),
                      ((left, margin + side), (left + side, margin + side))]  # fmt: skip
        else:
            lines += _box(rng, printed, (left, margin, left + side, margin + side))
    lines = _dashes(lines, rng) if dashed else lines
    sheet = paper.print_lines(sheet, lines, (grey,) * 3, line)
    pen, strength = paper.pen_colour(rng)
    for k, char in enumerate(text):
        crossing = rng.random() < 0.3  # larger than its box, or pushed against a side
        height = side * (rng.uniform(0.9, 1.15) if crossing else rng.uniform(0.5, 0.8))
        image = None if images is None else [images[k]]
        ink, _ = write_line(char, rng, height=height, mnist_images=image, gap=(0, 0))
        ink = _tight(ink)
        free = side - np.array(ink.shape[::-1])
        shift = free / 2 + rng.uniform(-0.2, 0.2, 2) * np.abs(free)
        if crossing:
            shift += rng.uniform(-0.15, 0.15, 2) * side
        at = (int(margin + k * step + shift[0]), int(margin + shift[1]))
        sheet = paper.write(sheet, ink, (max(at[0], 0), max(at[1], 0)), pen, strength)
    return _finish(sheet, rng), text, printed or style


def _lined(kind: str, rng: np.random.Generator, pool: Pool, held_out: bool):
    style = _style(kind, rng, held_out)
    text, images = _digits("d" * int(rng.integers(1, 7)), rng, pool)
    height = rng.uniform(30, 90)
    ink, boxes = write_line(text, rng, height=height, mnist_images=images)
    sheet, (x, y), (pen, strength) = _on_paper(ink, rng, 1.5)
    baseline = y + float(np.median([b[3] for b in boxes]))
    rows, cols = sheet.shape[:2]
    colour = ((rng.uniform(140, 200), rng.uniform(175, 215), rng.uniform(225, 250))
              if style == "blue" else (rng.uniform(110, 190),) * 3)  # fmt: skip
    if kind == "ruled":
        spacing = height / rng.uniform(0.6, 0.95)
        start = baseline + rng.uniform(-0.08, 0.12) * height
        ys = np.concatenate(
            [np.arange(start, -1, -spacing), np.arange(start + spacing, rows, spacing)]
        )
        lines = [((0.0, float(v)), (float(cols), float(v))) for v in ys]
    else:
        spacing = height * rng.uniform(0.45, 0.9)
        xs = np.arange(rng.uniform(0, spacing), cols, spacing)
        ys = np.arange(rng.uniform(0, spacing), rows, spacing)
        if style == "dots":
            lines = [((float(a), float(b)), (float(a) + 0.5, float(b))) for a in xs for b in ys]
        else:
            lines = [((float(a), 0.0), (float(a), float(rows))) for a in xs]
            lines += [((0.0, float(b)), (float(cols), float(b))) for b in ys]
    width = rng.uniform(1.5, 3) if style == "dots" else rng.uniform(0.8, 2)
    sheet = paper.print_lines(sheet, lines, colour, width)
    return _finish(paper.write(sheet, ink, (x, y), pen, strength), rng), text, style


def _separators(rng: np.random.Generator, pool: Pool, held_out: bool):
    style = _style("separators", rng, held_out)
    options = FORMATS[style]
    text, images = _digits(options[int(rng.integers(len(options)))], rng, pool)
    ink, _ = write_line(text, rng, height=rng.uniform(30, 90), mnist_images=images)
    sheet, at, (pen, strength) = _on_paper(ink, rng, 1.5)
    return _finish(paper.write(sheet, ink, at, pen, strength), rng), text, style


def _shapes(rng: np.random.Generator, held_out: bool):
    style = _style("shapes", rng, held_out)
    height = rng.uniform(30, 110)
    if style in SHAPES:
        ink = shape_ink(style, rng, height=height, width=height * rng.uniform(0.06, 0.14))
        ink = np.pad(ink, int(height // 2))
    else:
        alphabet = sorted(LETTERS) + sorted(SMALL)
        word = (
            "Hello"
            if style == "Hello"
            else "".join(
                alphabet[int(i)] for i in rng.integers(0, len(alphabet), int(rng.integers(2, 7)))
            )
        )
        ink = word_ink(word, rng, height=height)
    sheet, at, (pen, strength) = _on_paper(ink, rng, 1.5)
    return _finish(paper.write(sheet, ink, at, pen, strength), rng), "", style


def make_scene(
    kind: str, rng: np.random.Generator, *, pool: Pool = None, held_out: bool = True
) -> Scene:
    """One scene of ``kind`` (``SCENE_KINDS``), its digits from ``pool`` (MNIST images and
    labels) or drawn with strokes (``pool=None``); ``held_out=False`` leaves out the styles of
    ``HELD_OUT``."""
    if kind in ("sheet", "desk"):
        data, truth, style = _sheet_or_desk(kind, rng, pool, held_out)
    elif kind == "boxes":
        data, truth, style = _boxes(rng, pool, held_out)
    elif kind in ("ruled", "squared"):
        data, truth, style = _lined(kind, rng, pool, held_out)
    elif kind == "separators":
        data, truth, style = _separators(rng, pool, held_out)
    elif kind == "shapes":
        data, truth, style = _shapes(rng, held_out)
    else:
        raise ValueError(f"kind must be one of {SCENE_KINDS}, got {kind!r}")
    source = "drawn" if kind == "shapes" else ("strokes" if pool is None else "mnist")
    return Scene(kind, source, data, truth, style, style in HELD_OUT.get(kind, ()))


def digit_pool(split: str) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits of ``split``: "validation" (the last 5,000 training digits) or "test"."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"split must be one of {tuple(SPLIT_SEEDS)}, got {split!r}")
    (x_train, y_train), test = load_mnist()
    if split == "test":
        return test
    from mnistlib.recognition.sureness import VALIDATION_SIZE

    return x_train[-VALIDATION_SIZE:], y_train[-VALIDATION_SIZE:]


def scene_set(
    kind: str, n: int, *, split: str = "validation", source: str = "mnist", seed: int = 0
) -> list[Scene]:
    """``n`` scenes of ``kind`` with digits from ``source`` ("mnist" digits of ``split``, or
    "strokes"); validation draws leave out the ``HELD_OUT`` styles. Scene ``i`` of "sheet" and
    of "desk" hold the same writing on the same sheet."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if kind not in SCENE_KINDS:
        raise ValueError(f"kind must be one of {SCENE_KINDS}, got {kind!r}")
    pool = digit_pool(split) if source == "mnist" else None
    group = SCENE_KINDS.index("desk" if kind == "sheet" else kind)
    start = [seed, SPLIT_SEEDS[split], SOURCES.index(source), group]
    return [
        make_scene(kind, np.random.default_rng([*start, i]), pool=pool, held_out=split == "test")
        for i in range(n)
    ]


def big_scene(megapixels: int, rng: np.random.Generator, pool: Pool = None) -> Scene:
    """One digit on a sheet on a desk, as a phone photo of ``megapixels`` (``BIG_SIZES``):
    composed at 1200x900 and enlarged, a JPEG at quality 85."""
    if megapixels not in BIG_SIZES:
        raise ValueError(f"megapixels must be one of {tuple(BIG_SIZES)}, got {megapixels!r}")
    sheet, text, writing = _written_sheet(rng, pool, digits=1)
    style = _style("desk", rng, held_out=False)
    frame = paper.photograph(paper.on_desk(sheet, rng, kind=style, keep_clear=writing), rng)
    big = Image.fromarray(frame).resize(BIG_SIZES[megapixels], Image.Resampling.BILINEAR)
    return Scene("big", "strokes" if pool is None else "mnist", paper.encode(np.asarray(big)),
                 text, style, False)  # fmt: skip
