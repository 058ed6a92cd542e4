"""How a verdict is worded, in one place: the command line, the drawing pad, the upload box,
``Recognition.describe()`` and ``NumberReading.describe()`` all say it this way.

- a sure digit: ``7 (99.1%)``, the digit and its probability;
- a digit the checks doubt: ``not sure: 4 or 9? (55.0%) - probability below 82.0%``, its two
  likeliest digits, the probability of the first and the check that failed;
- a number: ``2026``; with a doubted digit, ``20?6 (not sure: 2 or 7? (61.0%) - ...)``; with
  ``details``, every digit's verdict in brackets: ``2026 (2 (99.1%), 0 (98.7%), ...)``; a
  reading doubted as a whole (a separator where no number has one), ``6363, (not sure - why)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

#: What a doubted digit is called: scripts can look for it (``mnistlib recognize --json`` has
#: a ``sure`` field for them instead).
NOT_SURE = "not sure"


class Read(Protocol):
    """One digit read (``Recognition``): the digit, its ten probabilities, why it is doubted."""

    @property
    def digit(self) -> int: ...
    @property
    def probabilities(self) -> np.ndarray: ...
    @property
    def doubt(self) -> str | None: ...


def percent(share: float) -> str:
    """A probability or threshold as every verdict prints it: "59.5%"."""
    return f"{float(share):.1%}"


def likeliest(probabilities: np.ndarray) -> tuple[int, int]:
    """The two likeliest digits, likeliest first."""
    order = np.argsort(np.asarray(probabilities))[::-1]
    return int(order[0]), int(order[1])


def digit_verdict(read: Read) -> str:
    """ "7 (99.1%)", or "not sure: 4 or 9? (55.0%) - why" for a doubted digit."""
    share = f"({percent(read.probabilities[read.digit])})"
    if read.doubt is None:
        return f"{read.digit} {share}"
    first, second = likeliest(read.probabilities)
    return f"{NOT_SURE}: {first} or {second}? {share} - {read.doubt}"


def number_verdict(
    marked: str, digits: Sequence[Read], *, details: bool = False, doubt: str | None = None
) -> str:
    """A number read as ``marked`` (its text, "?" for each doubted digit): "2026"; one digit as
    ``digit_verdict``; the doubted digits' verdicts (every digit's with ``details``) after it,
    and ``doubt``, why the reading as a whole is not sure: "6363, (not sure - why)"."""
    if len(digits) == 1 and len(marked) == 1:  # one digit and nothing else: its own verdict
        return digit_verdict(digits[0])
    listed = [digit_verdict(d) for d in digits if details or d.doubt is not None]
    if doubt is not None:
        listed.append(f"{NOT_SURE} - {doubt}")
    return f"{marked} ({'; '.join(listed)})" if listed else marked
