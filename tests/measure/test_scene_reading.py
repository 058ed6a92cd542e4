"""Measuring the reading of scenes (mnistlib.measure.scene_reading) and `mnistlib scenes`."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from mnistlib import cli
from mnistlib.errors import ImageError
from mnistlib.measure import (
    Scene,
    format_scenes,
    plot_risk_coverage,
    read_scene,
    risk_coverage,
    scene_row,
)


class Reader:
    """Answers each image file with the text ``answer(truth)`` (the truth is looked up)."""

    def __init__(self, answer, sure=True, confidence=0.9):
        self.answer, self.sure, self.confidence = answer, sure, confidence
        self.truths: dict[bytes, str] = {}

    def read_number(self, data: bytes):
        text = self.answer(self.truths[data])
        if text is None:
            raise ImageError("no visible digit")
        digit = SimpleNamespace(confidence=self.confidence)
        return SimpleNamespace(text=text, sure=self.sure, digits=[digit] * max(len(text), 1))


def _scenes(kind: str, truths: list[str]) -> list[Scene]:
    return [Scene(kind, "strokes", f"{kind}{i}".encode(), t, "s", i % 2 == 0)
            for i, t in enumerate(truths)]  # fmt: skip


def _row(reader: Reader, scenes: list[Scene]):
    reader.truths.update({s.data: s.truth for s in scenes})
    return scene_row([read_scene(reader, s) for s in scenes])


DATES = ["12/06/25", "640.97", "14:30", "079-112-34"]


def test_a_reader_that_reads_everything_right_scores_full_marks():
    row = _row(Reader(lambda truth: truth), _scenes("separators", DATES))
    assert (row.n, row.whole, row.digits, row.separators, row.as_digit) == (4, 1, 1, 1, 0)
    assert row.right_doubted == 0 and row.wrong_sure == 0 and row.held_out_n == 2


def test_separators_read_as_digits_or_dropped_are_counted_apart():
    as_ones = _row(Reader(lambda t: "".join(c if c.isdigit() else "1" for c in t)),
                   _scenes("separators", DATES))  # fmt: skip
    assert as_ones.whole == 0 and as_ones.as_digit == 1 and as_ones.separators == 0
    # every digit is still there, in order, but the added ones count against: "12106125"
    # holds the 6 digits of "12/06/25" among 8
    assert as_ones.digits == pytest.approx((6 + 5 + 4 + 8) / (8 + 6 + 5 + 10))
    assert as_ones.wrong_sure == 1  # all wrong, all sure
    dropped = _row(Reader(lambda t: "".join(filter(str.isdigit, t))), _scenes("separators", DATES))
    assert dropped.as_digit == 0 and dropped.separators == 0 and dropped.digits == 1


def test_a_refused_image_is_right_for_a_shape_and_wrong_for_a_number():
    refusing = Reader(lambda truth: None)
    shapes = _row(refusing, _scenes("shapes", ["", "", ""]))
    assert shapes.whole == 1 and shapes.sure_number == 0
    numbers = _row(refusing, _scenes("boxes", ["123", "4567"]))
    assert numbers.whole == 0 and numbers.digits == 0 and numbers.wrong_sure == 0


def test_a_shape_read_as_a_sure_digit_is_wrong_and_a_doubted_one_is_not():
    sure = _row(Reader(lambda truth: "5"), _scenes("shapes", ["", ""]))
    assert sure.sure_number == 1 and sure.whole == 0 and sure.wrong_sure == 1
    doubted = _row(Reader(lambda truth: "5", sure=False), _scenes("shapes", ["", ""]))
    assert doubted.sure_number == 0 and doubted.whole == 1


def test_doubted_right_answers_are_the_cry_wolf_share():
    reader = Reader(lambda truth: truth, sure=False)
    row = _row(reader, _scenes("desk", ["1", "22", "333"]))
    assert row.whole == 1 and row.right_doubted == 1 and row.wrong_sure == 0


def test_the_risk_coverage_curve_answers_the_surest_first():
    scenes = _scenes("desk", ["1", "2", "3", "4"])
    reads = []
    for scene, (answer, confidence) in zip(
        scenes, [("1", 0.99), ("9", 0.4), ("3", 0.9), ("4", 0.8)], strict=True
    ):
        reader = Reader(lambda truth, a=answer: a, confidence=confidence)
        reader.truths[scene.data] = scene.truth
        reads.append(read_scene(reader, scene))
    coverage, risk = risk_coverage(reads)
    assert np.allclose(coverage, [0.25, 0.5, 0.75, 1.0])
    assert np.allclose(risk, [0, 0, 0, 0.25])  # the one wrong answer was the least confident
    figure = plot_risk_coverage({"desk": reads})
    assert figure.axes[0].get_xlabel().startswith("coverage")


def test_the_table_names_every_row():
    rows = [_row(Reader(lambda t: t), _scenes("separators", DATES)),
            _row(Reader(lambda t: None), _scenes("shapes", ["", ""]))]  # fmt: skip
    text = format_scenes(rows)
    assert "separators" in text and "shapes" in text and "held-out" in text


@pytest.mark.usefixtures("mnist")
def test_the_scenes_command_prints_a_row_per_scene_and_source(capsys):
    assert cli.main(["scenes", "--n", "1", "--split", "test"]) == cli.ExitStatus.OK
    out = capsys.readouterr().out
    assert "test scenes, 1 per row" in out
    for kind in ("sheet", "desk", "boxes", "ruled", "squared", "separators", "shapes"):
        assert kind in out
    assert out.count("mnist ") >= 6 and out.count("strokes ") >= 6
