"""Reading a number: every digit of an image found, prepared and recognised in one model call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mnistlib.errors import ImageError
from mnistlib.recognize import Recognition, Source, predict_probabilities, prepare_image
from mnistlib.segment import Box, Segment, find_groups

#: Log-probability a reading pays for each extra cut, and per digit height a piece is wider
#: than tall (digits are rarely wider than tall: a wide piece is more likely two digits).
#: Chosen on numbers composed from the validation digits (the last 5,000 MNIST training images)
#: and from stroke-drawn digits, 60 per length 1-6 each, with a stand-in model: among
#: {0, 0.5, 1, 2, 3} x {0, 1, 3, 6}, (0.5, 3) read the most numbers right (0.908; (0, 0) 0.906).
SPLIT_COST, WIDE_COST = 0.5, 3.0


@dataclass(frozen=True)
class NumberReading:
    """What ``read_number`` found: the digits left to right and where each one is."""

    digits: list[Recognition]
    boxes: list[Box]

    @property
    def text(self) -> str:
        """The number as a string of digits, e.g. "2026"."""
        return "".join(str(r.digit) for r in self.digits)


def _aspect(segment: Segment, height: float) -> float:
    return (segment.box[2] - segment.box[0]) / max(height, 1.0)


def _choose(options: list[np.ndarray], aspects: list[list[float]]) -> int:
    """The option whose pieces the model reads best: the highest sum of log top-probability,
    less SPLIT_COST for every extra piece and WIDE_COST per digit height a piece is wider
    than tall (``aspects``: each piece's width in digit heights)."""
    scores = [
        float(np.log(np.maximum(p.max(axis=1), 1e-12)).sum())
        - SPLIT_COST * (len(p) - 1)
        - WIDE_COST * sum(max(0.0, a - 1.0) for a in aspect)
        for p, aspect in zip(options, aspects, strict=True)
    ]
    return int(np.argmax(scores))


def read_number(model: Any, source: Source) -> NumberReading:
    """Read the digits written in a row in ``source`` (anything ``prepare_image`` takes).

    The digits are found with ``find_groups``, prepared the MNIST way with ``prepare_image`` and
    recognised, all in one model call. Where ink is wide enough to hold touching digits, it is
    read both whole and cut in pieces, and the reading the model is surest of wins. An image
    holding one digit is read exactly as ``recognize`` reads it. Raises ImageError when there is
    no digit.
    """
    groups = find_groups(source)
    images: list[np.ndarray] = []
    where = []  # per group: (option index, slice of ``images``) for each option prepared
    for group in groups:
        spans = []
        for k, option in enumerate(group.options):
            try:
                if len(groups) == 1 and k == 0:
                    prepared = [prepare_image(source)]
                else:
                    prepared = [prepare_image(s.crop) for s in option]
            except ImageError:
                continue  # a piece too faint to be a digit: not a way to read this group
            spans.append((k, slice(len(images), len(images) + len(prepared))))
            images.extend(prepared)
        where.append(spans)
    if not images:
        raise ImageError("no visible digit: the ink found is too faint or too small")
    probabilities = predict_probabilities(model, np.stack(images))
    digits, boxes = [], []
    for group, spans in zip(groups, where, strict=True):
        if not spans:
            continue
        aspects = [[_aspect(s, group.height) for s in group.options[k]] for k, _ in spans]
        k, span = spans[_choose([probabilities[span] for _, span in spans], aspects)]
        for segment, i in zip(group.options[k], range(len(images))[span], strict=True):
            p = probabilities[i]
            digits.append(Recognition(digit=int(np.argmax(p)), probabilities=p, image=images[i]))
            boxes.append(segment.box)
    return NumberReading(digits=digits, boxes=boxes)
