"""Scenes people photograph, composed offline (mnistlib.measure.scenes, glyphs, paper)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from mnistlib.measure import (
    HELD_OUT,
    SCENE_KINDS,
    make_scene,
    paper,
    scene_set,
    scenes,
    shape_ink,
    write_line,
)

FORMAT = r"[0-9]+([/.,:-][0-9]+)+"


def _size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


@pytest.mark.parametrize("kind", SCENE_KINDS)
def test_a_scene_is_the_same_for_the_same_seed(kind):
    a = make_scene(kind, np.random.default_rng([3, 1]))
    b = make_scene(kind, np.random.default_rng([3, 1]))
    c = make_scene(kind, np.random.default_rng([3, 2]))
    assert a == b
    assert a.data != c.data


@pytest.mark.parametrize("kind", SCENE_KINDS)
def test_each_kind_writes_what_its_truth_says(kind):
    scenes = [make_scene(kind, np.random.default_rng([5, i])) for i in range(8)]
    for scene in scenes:
        assert scene.kind == kind
        image = Image.open(io.BytesIO(scene.data))
        image.load()  # a whole, readable file
        if kind == "shapes":
            assert scene.truth == "" and scene.source == "drawn"
        elif kind == "separators":
            assert re.fullmatch(FORMAT, scene.truth), scene.truth
        else:
            assert scene.truth.isdigit()
    lengths = {len(s.truth) for s in scenes}
    if kind in ("sheet", "desk"):
        assert lengths <= {1, 2, 3, 4}
    if kind == "boxes":
        assert lengths <= {3, 4, 5, 6}


def test_a_desk_photo_is_1200_by_900_and_holds_the_plain_sheets_writing():
    desks = scene_set("desk", 3, source="strokes", seed=4)
    sheets = scene_set("sheet", 3, source="strokes", seed=4)
    for desk, sheet in zip(desks, sheets, strict=True):
        assert _size(desk.data) == (1200, 900)
        assert desk.data[:2] == b"\xff\xd8"  # a JPEG
        assert desk.truth == sheet.truth
        width, height = _size(sheet.data)
        assert 0.45 * 1200 * 900 < width * height < 0.92 * 1200 * 900  # the sheet's share


def test_mnist_scenes_use_the_split_s_digits_and_validation_leaves_out_the_held_out_styles(mnist):
    validation = scene_set("separators", 30, split="validation", seed=0)
    test = scene_set("separators", 30, split="test", seed=0)
    assert not any(s.held_out for s in validation)
    assert {s.style for s in validation}.isdisjoint(HELD_OUT["separators"])
    assert any(s.held_out for s in test)
    assert [s.truth for s in validation] != [s.truth for s in test]
    assert all(s.source == "mnist" for s in validation)


def test_a_written_line_has_one_box_per_character_and_separators_where_they_belong():
    rng = np.random.default_rng(0)
    ink, boxes = write_line("12.50", rng, height=60)
    assert len(boxes) == 5 and ink.dtype == np.uint8
    left, top, right, bottom = boxes[2]  # the dot: small, on the baseline
    digit_bottom = np.median([boxes[i][3] for i in (0, 1, 3, 4)])
    assert right - left < 20 and bottom - top < 20
    assert abs(bottom - digit_bottom) < 10
    ink, boxes = write_line("14:30", rng, height=60)
    assert 20 < boxes[2][3] - boxes[2][1] < 70  # a colon: two dots, one above the other
    ink, boxes = write_line("0-1", rng, height=60)
    dash = boxes[1]
    assert dash[3] < np.median([boxes[0][3], boxes[2][3]]) - 10  # above the baseline
    with pytest.raises(ValueError, match="separator"):
        write_line("1+2", rng)


def test_shapes_are_drawn_and_unknown_names_refused():
    ink = shape_ink("smiley", np.random.default_rng(0), height=80, width=6)
    assert 70 < ink.shape[0] < 100 and ink.max() == 255
    with pytest.raises(ValueError, match="shape"):
        shape_ink("heart", np.random.default_rng(0), height=80, width=6)


def test_unknown_kind_split_and_source_are_refused():
    with pytest.raises(ValueError, match="kind"):
        make_scene("receipt", np.random.default_rng(0))
    with pytest.raises(ValueError, match="split"):
        scene_set("desk", 1, split="train")
    with pytest.raises(ValueError, match="source"):
        scene_set("desk", 1, source="emnist")


def test_rounded_boxes_are_held_out_and_dashed_boxes_are_drawn_on_validation():
    # Fifth round: dashed boxes are designed for (drawn on validation); boxes with rounded
    # corners are the held-out box style, drawn on test scenes only.
    validation = scene_set("boxes", 30, split="validation", source="strokes", seed=1)
    test = scene_set("boxes", 40, split="test", source="strokes", seed=0)
    assert HELD_OUT["boxes"] == ("rounded",)
    assert {"ticks", "dashed"} <= {s.style for s in validation}
    assert "rounded" not in {s.style for s in validation}
    rounded = [s for s in test if s.style == "rounded"]
    assert rounded and all(s.held_out for s in rounded)
    assert not any(s.held_out for s in test if s.style != "rounded")


def test_a_test_draw_s_other_boxes_are_the_scenes_they_were():
    # The held-out style is chosen aside: a scene not made "rounded" is drawn as before it
    # was added (here: the same scene drawn with every "rounded" draw turned off).
    test = scene_set("boxes", 12, split="test", source="strokes", seed=0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scenes, "ROUNDED_SHARE", 0.0)
        before = scene_set("boxes", 12, split="test", source="strokes", seed=0)
    kept = [(a, b) for a, b in zip(test, before, strict=True) if a.style != "rounded"]
    assert kept and all(a.data == b.data for a, b in kept)


def test_a_rounded_box_is_closed_and_keeps_inside_its_corners():
    sides = paper.rounded_box_lines(10, 20, 110, 80, radius=15)
    assert all(a == b for (_, a), (b, _) in zip(sides, sides[1:] + sides[:1], strict=True))
    xs = [x for (x, _), _ in sides]
    ys = [y for (_, y), _ in sides]
    assert min(xs) >= 10 - 1e-9 and max(xs) <= 110 + 1e-9
    assert min(ys) >= 20 - 1e-9 and max(ys) <= 80 + 1e-9
    assert (10.0, 20.0) not in [a for a, _ in sides]  # the corner is cut round
