"""Issue 26's repros for printed lines: form boxes, a box around a digit, ruled and squared paper
are taken out before the digits are found, and a digit crossing a line is still read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mnistlib.measure import strokes
from mnistlib.recognition import lines, ticks

HEIGHT = 64


def _written(mnist, clear, digits: str, *, gap=(0.3, 0.4), seed=0):
    """The digits written in a row (ink 255 on 0) and each digit's box."""
    _, (x_test, _) = mnist
    images = [x_test[clear[int(d)][k % len(clear[int(d)])]] for k, d in enumerate(digits)]
    return strokes.compose_number(
        [int(d) for d in digits], np.random.default_rng(seed), source="mnist",
        mnist_images=images, height=HEIGHT, gap=gap,
    )  # fmt: skip


def _on_paper(ink: np.ndarray, draw_lines) -> np.ndarray:
    """Dark ink on white paper, with printed lines drawn by ``draw_lines(draw, shape)``."""
    paper = Image.fromarray(255 - ink)
    draw_lines(ImageDraw.Draw(paper), ink.shape)
    return np.asarray(paper)


def test_digits_each_in_its_own_printed_box_are_read(mnist, clear, shipped):
    # A form's number field: before, the boxes' sides were read as 1s ("852229" read
    # "5755852229").
    ink, boxes = _written(mnist, clear, "852229", gap=(0.45, 0.5))
    top, bottom = min(b[1] for b in boxes) - 8, max(b[3] for b in boxes) + 8
    middles = [(a[2] + b[0]) // 2 for a, b in zip(boxes, boxes[1:], strict=False)]
    sides = [boxes[0][0] - 10, *middles, boxes[-1][2] + 10]

    def comb(draw, _shape):
        draw.rectangle([sides[0], top, sides[-1], bottom], outline=90, width=2)
        for x in sides[1:-1]:
            draw.line([(x, top), (x, bottom)], fill=90, width=2)

    assert shipped.read_number(_on_paper(ink, comb)).text == "852229"


def test_a_six_inside_a_drawn_box_is_read_sure(mnist, clear, shipped):
    ink, (box,) = _written(mnist, clear, "6", seed=2)

    def frame(draw, _shape):  # a box drawn by hand around it, close to the digit
        draw.rectangle([box[0] - 12, box[1] - 6, box[2] + 12, box[3] + 6], outline=0, width=4)

    reading = shipped.read_number(_on_paper(ink, frame))
    assert reading.text == "6"
    assert reading.sure, reading.describe()


def test_an_underlined_number_touching_its_line_is_read(mnist, clear, shipped):
    ink, boxes = _written(mnist, clear, "4071", seed=3)
    under = max(b[3] for b in boxes) - 2  # the line runs through the digits' lowest strokes

    def underline(draw, shape):
        draw.line([(10, under), (shape[1] - 10, under)], fill=30, width=3)

    assert shipped.read_number(_on_paper(ink, underline)).text == "4071"


@pytest.mark.parametrize(
    "paper",
    [
        "ruled",
        pytest.param(
            "squared",
            marks=pytest.mark.xfail(
                reason="issue 26, open: upright grid lines running through a digit are not "
                "all found (ink beside them along much of their length); the bench's squared "
                "paper reads 0.785 / 0.745 whole (MNIST / stroke digits, seventh round)",
                strict=False,
            ),
        ),
    ],
)
def test_numbers_on_ruled_and_squared_paper_are_read(mnist, clear, shipped, paper):
    ink, boxes = _written(mnist, clear, "50396", seed=4)
    baseline = max(b[3] for b in boxes) + 3

    def rules(draw, shape):
        step = round(1.4 * HEIGHT) if paper == "ruled" else round(0.6 * HEIGHT)
        for y in range(baseline % step, shape[0], step):
            draw.line([(0, y), (shape[1], y)], fill=140, width=2)
        if paper == "squared":
            for x in range(7, shape[1], step):
                draw.line([(x, 0), (x, shape[0])], fill=140, width=2)

    assert shipped.read_number(_on_paper(ink, rules)).text == "50396"


def test_digits_alone_have_no_lines():
    # The widest digits' strokes are far shorter than a line: nothing of them is taken.
    image = Image.new("L", (300, 120), 0)
    draw = ImageDraw.Draw(image)
    draw.line([(20, 20), (110, 20)], fill=255, width=7)  # a 7's long top bar
    draw.line([(110, 20), (60, 100)], fill=255, width=7)
    draw.ellipse((150, 20, 280, 100), outline=255, width=7)  # a wide 0
    mask = np.asarray(image) > 128
    kept, removed = lines.remove_lines(mask, mask, height=80)
    assert not removed.any()
    assert (kept == mask).all()


def test_a_line_crossing_a_stroke_is_taken_out_and_the_stroke_mended():
    mask = np.zeros((100, 400), bool)
    mask[60:62, :] = True  # a rule across the page
    mask[20:90, 200:206] = True  # a digit's upright stroke crossing it
    kept, removed = lines.remove_lines(mask, mask, height=70)
    assert removed[60:62, :190].all() and removed[60:62, 215:].all()
    assert kept[20:90, 200:206].all()  # the stroke is whole again
    assert not kept[60:62, :190].any()


def _boxes_apart(boxes, pad: int, shift: int = 0):
    """A printed grey box around each digit's box, ``pad`` pixels out, every other one moved
    ``shift`` pixels down (boxes apart, each a little taller than a digit: no side is as long
    as a rule, and a box with its digit is as tall as the boxes)."""

    def draw_boxes(draw, _shape):
        for k, (left, top, right, bottom) in enumerate(boxes):
            down = shift * (k % 2)
            outline = [left - pad, top - pad + down, right + pad, bottom + pad + down]
            draw.rectangle(outline, outline=120, width=2)

    return draw_boxes


def test_digits_in_boxes_apart_are_read(mnist, clear, shipped):
    # Issue 26 (validation scenes): each digit in its own box, the boxes apart, read
    # "555565" for "63167" before (here "6,31,6,7"): no side was long enough to be a line,
    # and a box with its digit was taken for a digit.
    ink, boxes = _written(mnist, clear, "63167", gap=(0.8, 0.9), seed=5)
    assert shipped.read_number(_on_paper(ink, _boxes_apart(boxes, 16))).text == "63167"


def test_digits_crossing_their_boxes_apart_are_read(mnist, clear, shipped):
    # Every other box lower, its top line through its digit ("401711" before): the boxes are
    # still found by their shape, and the digits' strokes mended across them.
    ink, boxes = _written(mnist, clear, "4071", gap=(0.8, 0.9), seed=6)
    assert shipped.read_number(_on_paper(ink, _boxes_apart(boxes, 8, 10))).text == "4071"


def test_one_box_drawn_through_the_digits_is_taken_out(mnist, clear, shipped):
    # One box around the whole number, inset so that its top and bottom cross the digits:
    # before, the bottom line was not alone and stayed, "41448" read "4448".
    ink, boxes = _written(mnist, clear, "41448", seed=7)
    top, bottom = min(b[1] for b in boxes) + 6, max(b[3] for b in boxes) - 6
    left, right = boxes[0][0] + 4, boxes[-1][2] - 4

    def frame(draw, _shape):
        draw.rectangle([left, top, right, bottom], outline=120, width=2)

    assert shipped.read_number(_on_paper(ink, frame)).text == "41448"


def test_a_slanted_stroke_between_box_lines_is_no_side():
    # A 1's slanted stroke reaching from a box's top line to its bottom one stays ink; the
    # box's upright sides go (a guard for the boxes found by their shape, whose upright
    # sides are pieced together from short straight runs).
    mask = np.zeros((120, 300), bool)
    mask[20:22, 10:290] = mask[100:102, 10:290] = True  # the box's top and bottom
    mask[20:102, 10:12] = mask[20:102, 288:290] = True  # its sides
    for row in range(22, 100):  # a 1 leaning right, 5 px thick, from line to line
        col = 150 - (row - 22) // 4
        mask[row, col : col + 5] = True
    kept, removed = lines.remove_lines(mask, mask, height=70)
    assert removed[30:90, 10:12].all() and removed[30:90, 288:290].all()
    assert kept[30:90, 120:160].sum() == mask[30:90, 120:160].sum()


def _comb(mask: np.ndarray, lefts, top: int, side: int, width: int) -> None:
    """Printed boxes ``side`` pixels square, their lines ``width`` thick, at ``lefts``."""
    for left in lefts:
        mask[top : top + width, left : left + side + width] = True
        mask[top + side : top + side + width, left : left + side + width] = True
        mask[top : top + side + width, left : left + width] = True
        mask[top : top + side + width, left + side : left + side + width] = True


def test_a_stem_standing_on_a_box_s_bottom_line_is_no_side():
    # Issue 26, third round (validation scenes): a 4's or a 1's straight stem standing on a
    # box's bottom line, short of its top, was taken for the box's side ("491241" read
    # "297241", "311" read "321").
    mask = np.zeros((180, 300), bool)  # the boxes with a margin of paper around them
    _comb(mask, (30, 110, 190), 50, 78, 2)
    mask[60:128, 148:152] = True  # the stem, 4 px thick, from near the top line to the bottom
    mask[90:94, 120:148] = True  # the 4's bar
    kept, removed = lines.remove_lines(mask, mask, height=60)
    assert kept[65:125, 148:152].all()
    assert removed[60:120, 30:32].all()


def test_box_lines_touched_by_strokes_are_found_by_their_core():
    # Lines as thick as the digits' strokes on a small image, a digit's stroke lying against
    # a box's top line: the line's run, thick and uneven there, was not taken ("3206" read
    # "5005" with every box kept). Boxes apart, each 36 px square, lines 3 px.
    mask = np.zeros((70, 200), bool)
    _comb(mask, (10, 60, 110, 160), 15, 33, 3)
    for left in (10, 60, 110, 160):  # a stroke along the top line, inside, 12 px long
        mask[18:22, left + 8 : left + 20] = True
        mask[22:44, left + 18 : left + 21] = True
    kept, removed = lines.remove_lines(mask, mask, height=28)
    for left in (10, 60, 110, 160):
        assert removed[15:18, left + 24 : left + 33].all()  # the top line, past the stroke
        assert removed[25:45, left : left + 3].all()  # the left side
        assert kept[24:42, left + 18 : left + 21].all()  # the stroke stays


def test_a_nine_s_stem_inside_its_box_is_no_side():
    # Issue 26, third round (validation scenes, "8987" read "887"): a 9's straight stem
    # from near its box's top line down to the bottom line, as thin as the box's lines, was
    # taken for a side, and the 9 lost it.
    image = Image.new("L", (300, 160), 0)
    draw = ImageDraw.Draw(image)
    for left in (20, 110, 200):  # boxes apart, 70 px square, lines 2 px
        draw.rectangle([left, 40, left + 70, 110], outline=255, width=2)
    draw.ellipse([128, 45, 158, 75], outline=255, width=3)  # the 9's head, near the top line
    draw.line([(157, 44), (157, 108)], fill=255, width=2)  # its stem, down to the bottom line
    mask = np.asarray(image) > 128
    kept, removed = lines.remove_lines(mask, mask, height=60)
    assert kept[80:105, 156:159].sum() == mask[80:105, 156:159].sum()
    assert removed[50:100, 20:22].all() and removed[50:100, 110:112].all()


def test_digits_in_a_comb_of_ticks_are_read(mnist, clear, shipped):
    # Issue 26, fourth round: a comb field printed as an underline with short upright
    # dividers (the "ticks" style of the scenes): the dividers were read as 1s ("74887" read
    # "714188171").
    ink, boxes = _written(mnist, clear, "74887", gap=(0.45, 0.5), seed=3)
    bottom = max(b[3] for b in boxes) + 6
    middles = [(a[2] + b[0]) // 2 for a, b in zip(boxes, boxes[1:], strict=False)]
    places = [boxes[0][0] - 10, *middles, boxes[-1][2] + 10]
    pitch = (places[-1] - places[0]) / (len(places) - 1)
    even = [round(places[0] + k * pitch) for k in range(len(places))]

    def ticks(draw, _shape):  # dividers of uneven length, as a form's ticks may be
        draw.line([(even[0], bottom), (even[-1], bottom)], fill=100, width=2)
        for x, tall in zip(even, (30, 44, 26, 40, 28, 48), strict=True):
            draw.line([(x, bottom - tall), (x, bottom)], fill=100, width=2)

    assert shipped.read_number(_on_paper(ink, ticks)).text == "74887"


def test_a_comb_s_dividers_go_and_ones_standing_on_its_line_stay():
    # The dividers stand evenly spaced on the underline; a 1's stem standing on it in a box's
    # middle is off their pitch and stays ink.
    mask = np.zeros((120, 360), bool)
    mask[90:92, 20:340] = True  # the underline
    for x in range(20, 341, 64):  # six dividers, 20 px tall, 2 px wide
        mask[70:90, x : x + 2] = True
    for x in (50, 114):  # two 1s, 4 px thick, standing on the line
        mask[30:90, x : x + 4] = True
    rules, _ = lines.find_lines(mask, 60)
    found = ticks.dividers(mask, rules)
    assert found[72:88, 84:86].all() and found[72:88, 340:342].all()
    assert not found[:, 50:54].any() and not found[:, 114:118].any()
    _, removed = lines.remove_lines(mask, mask, height=60)
    assert removed[72:88, 84:86].all() and removed[72:88, 340:342].all()


def test_ones_alone_on_an_underline_are_no_comb():
    # Three 1s written on an underline, as thick as it and evenly spaced, but as tall as
    # their spacing: no comb's dividers (those are short), so they stay digits.
    mask = np.zeros((120, 300), bool)
    mask[90:93, 20:280] = True
    for x in (60, 120, 180):
        mask[40:90, x : x + 3] = True
    rules, _ = lines.find_lines(mask, 50)
    assert rules.any() and not ticks.dividers(mask, rules).any()


def _dashed(mask: np.ndarray, dash: int, gap: int) -> np.ndarray:
    """``mask``'s lines cut into dashes ``dash`` pixels long, ``gap`` apart, along the rows
    and down the columns (where both cross, the corner's ink stays)."""
    cols = (np.arange(mask.shape[1]) % (dash + gap)) < dash
    rows = (np.arange(mask.shape[0]) % (dash + gap)) < dash
    return mask & (cols[None, :] | rows[:, None])


def test_boxes_printed_in_dashes_are_taken_out():
    # Issue 26, fifth round: a line printed in dashes or dots is inked along a third to two
    # thirds of its length, and no run was found (the held-out "dashed" boxes read 0.31).
    mask = np.zeros((120, 330), bool)
    _comb(mask, (30, 120, 210), 20, 78, 2)
    mask = _dashed(mask, 4, 4)
    mask[40:80, 68:72] = True  # a 1 in the first box
    kept, removed = lines.remove_lines(mask, mask, height=50)
    for left in (30, 120, 210):
        assert removed[40:80, left : left + 2].sum() >= 0.9 * mask[40:80, left : left + 2].sum()
        assert (
            removed[20:22, left + 10 : left + 70].sum()
            >= 0.9 * mask[20:22, left + 10 : left + 70].sum()
        )
    assert kept[40:80, 68:72].all()


def test_a_comb_s_side_between_two_digits_strokes_is_not_mended():
    # Issue 26, fifth round ("590335" read "7910335"): a 9's stroke down one side of a comb's
    # side and a 0's down the other, a pixel or two off it, were joined across the side as
    # if they crossed it, and the side left between them read as a 1.
    mask = np.zeros((140, 260), bool)
    _comb(mask, (30, 120), 30, 90, 2)
    mask[45:105, 114:119] = True  # a stroke down the left of the side at 120-121
    mask[45:105, 124:129] = True  # and one down its right
    kept, removed = lines.remove_lines(mask, mask, height=70)
    assert not kept[50:100, 120:122].any()
    assert kept[45:105, 114:119].all() and kept[45:105, 124:129].all()


#: A stroke lying against a box's line: its ink, the line's rows beside it (kept) and the next
#: box's same line (taken out).
ALONG_CASES = {
    # Issue 26, fifth round ("0703" read "0103", "8645" read "3645"): a 7's bar just under the
    # top line, 40 px (0.57 heights), went with the line.
    "a 7's bar on the top line": ((32, 36, 45, 85), (30, 36, 50, 80), (30, 32)),
    # Fifth round, second pass ("729" on ticks read "7291", sure): a 2's foot just above the
    # bottom line, 75 px (1.07 heights), longer than a stroke along an upright side may be.
    "a 2's foot on the bottom line": ((116, 120, 36, 111), (116, 122, 40, 105), (120, 122)),
}


@pytest.mark.parametrize("stroke, kept_at, next_line", ALONG_CASES.values(), ids=list(ALONG_CASES))
def test_a_stroke_along_a_box_s_line_keeps_the_line_s_ink_beside_it(stroke, kept_at, next_line):
    mask = np.zeros((140, 260), bool)
    _comb(mask, (30, 120), 30, 90, 2)
    top, bottom, left, right = stroke
    mask[top:bottom, left:right] = True
    kept, removed = lines.remove_lines(mask, mask, height=70)
    top, bottom, left, right = kept_at
    assert kept[top:bottom, left:right].all()
    assert removed[next_line[0] : next_line[1], 130:200].all()


def test_one_box_s_bottom_line_under_the_digits_is_found_level_with_its_top():
    # Issue 26, sixth round ("40251" read "525", "9871" read "884"): "one box"'s bottom line,
    # touched by the digits along most of its length and narrower than half the image, was
    # not found; its ends level with the top line's (found alone) make it the box's.
    mask = np.zeros((200, 500), bool)
    mask[40:42, 100:300] = True  # the box's top line, alone
    mask[110:112, 100:300] = True  # its bottom line
    mask[40:112, 100:102] = mask[40:112, 298:300] = True
    for left in range(115, 290, 30):  # the digits' strokes crossing it and lying along it
        mask[60:125, left : left + 5] = True
        mask[105:110, left : left + 22] = True
    rules, _ = lines.find_lines(mask, 70.0)
    assert rules[110:112, 100:300].all()
    assert not rules[60:105].any()  # the digits' strokes are no line


def _arrow(mask: np.ndarray, top: int, left: int, length: int) -> None:
    """A drawn arrow pointing right: a shaft 4 px thick, ``length`` long, its head of two
    strokes 4 px thick meeting at the shaft's right end."""
    mask[top : top + 4, left : left + length] = True
    tip = left + length
    for step in range(36):
        mask[top - 34 + step : top - 30 + step, tip - 36 + step : tip - 32 + step] = True
        mask[top + 34 - step : top + 38 - step, tip - 36 + step : tip - 32 + step] = True


def test_an_arrow_s_shaft_is_a_pen_s_stroke_not_a_printed_line():
    # Issue 26, sixth round (drawn arrows read a sure "7"): the shaft, longer than LINE_LENGTH
    # digit heights, was found as a flat printed line and taken out, and the head kept with
    # the shaft's end along it read as a 7. Alone, touching the head, with no writing beside
    # most of it, it is the pen's and stays ink.
    mask = np.zeros((200, 400), bool)
    _arrow(mask, 100, 60, 130)
    kept, removed = lines.remove_lines(mask, mask, height=60)
    assert kept[100:104, 60:190].all()
    assert not removed.any()


def test_a_printed_line_under_the_writing_is_still_taken_out():
    # The same line with strokes standing on it along most of its length (a number written
    # on a form's line) is printed: taken out, the strokes kept.
    mask = np.zeros((200, 400), bool)
    mask[100:104, 60:190] = True
    for left in range(65, 185, 30):
        mask[45:100, left : left + 5] = True
    kept, removed = lines.remove_lines(mask, mask, height=60)
    assert removed[100:104, 70:180].sum() >= 0.8 * mask[100:104, 70:180].sum()
    assert kept[45:98, 65:70].all()


def test_a_ticks_underline_the_digits_sit_on_is_found_by_its_dividers():
    # Issue 26, sixth round ("852" read "22285", "530" read "425"): digits sitting on a
    # ticks field's underline along most of its length leave it not alone on the paper, and
    # it was not found; the dividers standing evenly on it make it a line.
    mask = np.zeros((120, 360), bool)
    mask[90:92, 20:340] = True  # the underline
    for x in range(20, 341, 64):  # six dividers, 20 px tall, 2 px wide
        mask[70:90, x : x + 2] = True
    for left in range(30, 300, 64):  # each digit's foot lying on the line, 44 px of 64
        mask[86:90, left : left + 44] = True
        mask[40:86, left + 20 : left + 24] = True
    rules, sides = lines.find_lines(mask, 50.0)
    assert rules[90:92, 20:340].sum() >= 0.9 * 2 * 320
    assert sides[72:88, 84:86].all()  # a divider
    assert not rules[40:86].any()  # the digits' strokes are no line


def test_a_dash_s_blurred_edge_does_not_keep_the_dash():
    # Issue 26, sixth round ("723061" in dashed boxes read "5772213205671"): a dash's blurred
    # edge, left beside the line found, lies along the dash and kept it (``_along``, meant
    # for a stroke lying on a line); the dashes came back and read as digits.
    mask = np.zeros((100, 200), bool)
    _comb(mask, (30, 110), 27, 60, 3)  # the top lines at rows 27-29, dashed along the rows
    mask = _dashed(mask, 10, 6)
    for left in range(32, 200, 16):  # each top dash's edge above its middle, 7 px long
        mask[26, left : left + 7] = mask[27, left : left + 7].all()
    kept, removed = lines.remove_lines(mask, mask, height=24)
    assert removed[26:30, 112:119].all()  # the second box's first dash, its edge over it
    assert not kept[26:30, 112:119].any()
