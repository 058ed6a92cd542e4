"""mnistlib.recognition.page: the sheet in a photo of a sheet on a desk is found and read alone,
straightened; images that are only paper (scans, canvases, MNIST-like digits) are left alone."""

from __future__ import annotations

import io

import numpy as np
import pytest
from desks import eight, on_desk, sheet
from helpers import seven
from PIL import Image

from mnistlib.measure import strokes
from mnistlib.measure.scenes import SCENE_KINDS, SOURCES, SPLIT_SEEDS, make_scene, scene_set
from mnistlib.recognition import images, page, prepare, sample_images


def _written(digits: list[int], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [strokes.draw_digit(d, rng, size=112, width=9.0) for d in digits]


def _eight_on_desk(desk: str = "dark", **options) -> bytes:
    paper = eight((600, 800), ink=30, paper=236, width=28).convert("RGB")
    return on_desk(paper, desk, **options)


def test_an_eight_on_a_sheet_on_a_dark_desk_reads_8_sure(shipped):
    reading = shipped.recognize(_eight_on_desk("dark", tilt=7.0, share=0.6))
    assert (reading.digit, reading.sure) == (8, True)


def test_nothing_outside_the_sheet_is_ink():
    prepared = prepare.prepare_image(_eight_on_desk("dark", tilt=-8.0, share=0.75, light=0.5))
    frame = np.ones((28, 28), dtype=bool)
    frame[3:-3, 3:-3] = False
    assert prepared[frame].max() < 0.05  # MNIST's margin is empty: the sheet's edge is not ink
    alone = prepare.prepare_image(eight((600, 800), ink=30, paper=236, width=28))
    assert np.corrcoef(prepared.ravel(), alone.ravel())[0, 1] > 0.7  # and the 8 is the same


@pytest.mark.parametrize("extras", [(), ("second", "hand", "shadow")])
def test_a_number_on_a_sheet_on_a_wood_desk_is_read(shipped, extras):
    paper = sheet(_written([4, 0, 7]), size=(700, 900), digit_height=0.2)
    photo = on_desk(paper, "wood", tilt=-6.0, share=0.7, light=0.4, extras=extras)
    reading = shipped.read_number(photo)
    assert "".join(str(d.digit) for d in reading.digits) == "407"


@pytest.mark.parametrize("tilt", [-10.0, 0.0, 4.0])
def test_the_sheet_is_found_and_straightened(tilt):
    paper = sheet(_written([5]), size=(700, 900))
    decoded = images.decode(on_desk(paper, "grey", tilt=tilt, share=0.6, frame=(1200, 900)))
    assert decoded.page is not None
    sides = np.linalg.norm(decoded.page - np.roll(decoded.page, -1, axis=0), axis=1)
    ratio = (sides[0] + sides[2]) / (sides[1] + sides[3])
    assert ratio == pytest.approx(700 / 900, rel=0.06)  # the sheet's own proportions
    width, height = decoded.size
    assert width / height == pytest.approx(700 / 900, rel=0.06)  # upright: no desk corners
    gray = np.asarray(decoded.image.convert("L"), dtype=np.float32)
    assert np.median(gray[0]) > 150 and np.median(gray[:, 0]) > 150  # paper up to its edges


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _canvas() -> Image.Image:
    """A canvas export: a dark 7 on a transparent background."""
    ink = seven((280, 280), ink=255, paper=0)
    out = Image.new("RGBA", ink.size, (0, 0, 0, 0))
    out.putalpha(ink)
    return out


@pytest.mark.parametrize(
    "source",
    [
        seven((400, 300)),  # a scan: a digit on white filling the frame
        seven((400, 300), ink=255, paper=0),  # light on dark, MNIST-like
        _canvas(),
        seven((60, 50)),  # a small crop
        sheet(_written([2, 8]), size=(700, 900)),  # the sheet alone, photographed close
        np.asarray(seven((200, 160))),  # an array
    ],
    ids=["scan", "light-on-dark", "canvas", "small-crop", "sheet-alone", "array"],
)
def test_plain_paper_is_left_alone(source):
    decoded = images.decode(_png(source) if isinstance(source, Image.Image) else source)
    assert decoded.page is None
    height, width = np.shape(source)[:2] if isinstance(source, np.ndarray) else source.size[::-1]
    assert decoded.size == (width, height)


def test_mnist_digits_enlarged_are_left_alone(mnist):
    _, (x_test, _) = mnist
    for digit in x_test[:50]:
        for picture in (Image.fromarray(digit), Image.fromarray(digit).resize((280, 280))):
            assert page.find_sheet(picture) is None
            assert page.find_sheet(Image.fromarray(255 - np.asarray(picture))) is None


def _desk_scene(i: int, seed: int = 1):
    """Validation desk scene ``i`` of ``seed`` with stroke digits, as ``scene_set`` makes it."""
    key = [seed, SPLIT_SEEDS["validation"], SOURCES.index("strokes"), SCENE_KINDS.index("desk")]
    return make_scene("desk", np.random.default_rng([*key, i]), pool=None, held_out=False)


@pytest.mark.parametrize("i", [19, 77])
def test_a_sheet_on_a_grey_desk_as_bright_as_paper_is_found_and_read(shipped, i):
    scene = _desk_scene(i)  # grey desks: a brightness threshold found no sheet in these
    assert scene.style == "grey"
    assert images.decode(scene.data).page is not None
    assert shipped.read_number(scene.data).text == scene.truth


def test_a_printed_box_on_paper_is_no_sheet():
    made = scene_set("boxes", 30, split="validation", source="strokes", seed=3)
    assert all(images.decode(scene.data).page is None for scene in made)


def test_a_photo_is_decoded_large_enough_to_read_small_digits():
    paper = sheet(_written([5, 2]), size=(900, 700), digit_height=0.1)
    decoded = images.decode(on_desk(paper, "dark", tilt=3.0, share=0.6, frame=(1200, 900)))
    assert decoded.page is not None
    assert min(decoded.size) >= 0.5 * images.DRAFT_SIDE  # not the 1/8-scale draft


def test_a_brightly_lit_corner_of_the_sheet_at_the_border_is_no_desk(shipped):
    scene = _desk_scene(52)  # the sheet's lit corner at the photo's edge seeded the desk there:
    decoded = images.decode(scene.data)  # the flood cut the corner off, the quad lost the "8"
    assert decoded.page is not None
    assert decoded.page[3][1] > 0.95 * 900  # the bottom-left corner at the photo's bottom edge
    assert shipped.read_number(scene.data).text == scene.truth == "8774"


def test_the_shipped_samples_hold_no_sheet_on_a_desk():
    # Paper filling the frame (its light falling off), scans, canvases: no desk at the border.
    for path in sample_images():
        assert images.decode(path).page is None


def test_a_second_brighter_sheet_at_the_border_is_still_desk(shipped):
    scene = _desk_scene(47, seed=2)  # a pale second sheet along the bottom, brighter than this
    assert images.decode(scene.data).page is not None  # one: not the lit corner of this sheet
    assert shipped.read_number(scene.data).text == scene.truth == "05"


def test_squared_paper_filling_the_frame_is_no_sheet():
    # Flooded over its grid closed, squared paper filling the frame fits a sheet's four corners
    # and its dark rim passes for a desk: that flood is taken only to grow a sheet found.
    made = scene_set("squared", 43, split="validation", source="mnist", seed=3)
    assert all(images.decode(made[i].data).page is None for i in (23, 42))


def test_a_row_of_digits_across_the_sheet_does_not_cut_it_short(shipped):
    scene = _desk_scene(26, seed=3)  # the flood stopped at "482", the sheet's part below it
    decoded = images.decode(scene.data)  # taken for the sheet, and the digits painted over
    assert decoded.page is not None
    height = np.linalg.norm(decoded.page[3] - decoded.page[0])
    assert height > 0.8 * 900  # the whole sheet, as tall as most of the photo
    assert shipped.read_number(scene.data).text == scene.truth == "482"


@pytest.mark.parametrize("i", [34, 41, 69])
def test_a_sheet_on_a_pale_grey_desk_is_found(i):
    scene = _desk_scene(i, seed=4)  # the desk 0.15-0.20 from the paper: under the distance
    assert scene.style == "grey"  # that tells a printed box's paper, but a step down to it
    assert images.decode(scene.data).page is not None


def test_a_finger_on_a_sheet_leaves_no_digit(shipped):
    scene = _desk_scene(39, seed=5)  # painted over in the median colour, the finger read "1"
    assert shipped.read_number(scene.data).text == scene.truth == "28"


@pytest.mark.parametrize(("i", "truth"), [(7, "51"), (72, "923"), (75, "9")])
def test_a_second_sheet_of_the_same_paper_along_the_border_is_no_part_of_it(shipped, i, truth):
    scene = _desk_scene(i, seed=14)  # a pale strip along the border, the sheet's own colour:
    decoded = images.decode(scene.data)  # flooded with the sheet, four corners fitted neither
    assert decoded.page is not None
    assert shipped.read_number(scene.data).text == scene.truth == truth


def test_a_sheet_on_a_desk_nearer_the_papers_colour_is_found():
    scene = _desk_scene(42, seed=13)  # the desk 0.13-0.14 from the paper, stepped down to
    assert scene.style == "grey"
    assert images.decode(scene.data).page is not None


def _ink_read(bar: tuple[int, int, int, int]) -> int:
    """Dark pixels in the sheet read from a photo of a blank sheet with a dark ``bar``
    (left, top, right, bottom in the sheet's 900x700 pixels) on a grey desk."""
    paper = Image.new("RGB", (900, 700), (236, 236, 236))
    paper.paste((30, 30, 30), bar)
    found = page.read_sheet(Image.open(io.BytesIO(on_desk(paper, "grey", tilt=0.0, share=0.5))))
    assert found is not None
    return int((np.asarray(found[0].convert("L")) < 100).sum())


def test_writing_crossing_the_edge_margin_is_kept_and_an_edge_along_it_is_not():
    whole = _ink_read((440, 300, 452, 342))  # a short stroke in the middle of the sheet
    foot = _ink_read((440, 613, 452, 655))  # the same, into the margin at the foot
    assert foot >= 0.85 * whole  # not cut at EDGE_MARGIN (6%) from the edge
    assert _ink_read((40, 662, 860, 668)) == 0  # a line along the whole foot: an edge, not ink
