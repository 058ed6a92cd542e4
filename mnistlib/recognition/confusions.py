"""Confusable pairs: a digit read with a credible second reading it is often mistaken for.

The probability threshold treats every digit alike, but other writers' digits are mistaken in
one or two ways: most of their confident errors are a 1 written with a long flag read as a 7 at
60-90%, its second likeliest digit the 1 at 5-35%, while MNIST's 7s read right almost never
give the 1 more than 4% (docs/recognition.md, "The doubt, third round"). A **cap** on the
runner-up's probability for such a pair (``caps[read, runner_up]``; 1 where there is none)
doubts those readings and few others.

``choose_caps`` chooses the caps on validation digits, after the threshold and the familiarity
limit (``sureness.choose_on_mix``): for the pairs behind other writers' answers wrong but
sure, the cap that leaves the fewest answers wrong but sure or right but doubted, within the
bounds on MNIST's digits flagged and other writers' right answers doubted.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import numpy as np

#: Digits a model reads (the caps are a 10 x 10 table).
DIGITS = 10
#: The caps tried for a pair's runner-up probability, strictest first: a pair is capped only
#: where the runner-up credibly competes (MNIST's right answers give it 0-4% for the 7-1 pair).
CAP_STEPS = (0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3)
#: At most this many pairs are capped: each cap is chosen on few errors, and more pairs would
#: fit the validation draws' accidents rather than a way other writers write.
MAX_PAIRS = 3
#: A pair is considered only when this many of the validation answers wrong but sure read it.
MIN_ERRORS = 3
#: What a doubt from a cap says (``verdict`` words it: "not sure: 7 or 1? (71.0%) - ...").
CONFUSABLE = "could be a {} ({})"


def no_caps() -> np.ndarray:
    """Caps that never doubt (1 everywhere)."""
    return np.ones((DIGITS, DIGITS))


def runner_up(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's likeliest digit, second likeliest digit and that digit's probability."""
    probabilities = np.atleast_2d(probabilities)
    order = np.argsort(probabilities, axis=1)
    read, second = order[:, -1], order[:, -2]
    return read, second, np.take_along_axis(probabilities, second[:, None], axis=1)[:, 0]


def confused(probabilities: np.ndarray, caps: np.ndarray | None) -> np.ndarray:
    """Which rows' runner-up is more probable than its pair's cap allows ((n,) booleans)."""
    return over_cap(*runner_up(probabilities), caps)


def over_cap(
    read: np.ndarray, second: np.ndarray, p_second: np.ndarray, caps: np.ndarray | None
) -> np.ndarray:
    """``confused`` of rows whose ``runner_up`` is already known."""
    if caps is None:
        return np.zeros(len(read), bool)
    return p_second > caps[read, second]


class Answers(NamedTuple):
    """One set of validation digits as the caps see it: the probabilities, whether each digit
    was read right, and whether the other checks (threshold, familiarity) answered it sure."""

    probabilities: np.ndarray
    right: np.ndarray
    sure: np.ndarray


def _sure(s: Answers, caps: np.ndarray) -> np.ndarray:
    return s.sure & ~confused(s.probabilities, caps)


def _cost(mnist: Answers, others: list[Answers], caps: np.ndarray) -> float:
    """Answers wrong but sure or right but doubted: MNIST's share plus the mean of others'."""
    shares = []
    for s in others:
        sure = _sure(s, caps)
        shares.append(float((sure & ~s.right).mean() + (~sure & s.right).mean()))
    sure = _sure(mnist, caps)
    return float((sure & ~mnist.right).mean() + (~sure & mnist.right).mean()) + np.mean(shares)


def _within(
    mnist: Answers, others: list[Answers], caps: np.ndarray, max_flagged: float, max_doubted: float
) -> bool:
    """MNIST's digits flagged and each other set's right answers doubted within the bounds."""
    if (~_sure(mnist, caps)).mean() > max_flagged:
        return False
    return all((~_sure(s, caps)[s.right]).mean() <= max_doubted for s in others if s.right.any())


def choose_caps(
    mnist: Answers, others: list[Answers], *, max_flagged: float, max_doubted: float
) -> np.ndarray:
    """The caps (10 x 10) for up to MAX_PAIRS pairs (read, runner-up) behind at least
    MIN_ERRORS of ``others``' answers wrong but sure: each the loosest step of CAP_STEPS leaving
    the fewest answers wrong but sure or right but doubted (``_cost``), keeping MNIST's digits
    flagged within ``max_flagged`` and each other set's right answers doubted within
    ``max_doubted``; no cap for a pair that no step improves."""
    errors: Counter[tuple[int, int]] = Counter()
    for s in others:
        reads, seconds, _ = runner_up(s.probabilities[s.sure & ~s.right])
        errors.update(zip(reads.tolist(), seconds.tolist(), strict=True))
    caps = no_caps()
    for (read, second), count in errors.most_common(MAX_PAIRS):
        if count < MIN_ERRORS:
            break
        best = _cost(mnist, others, caps)
        chosen = caps
        for cap in reversed(CAP_STEPS):  # loosest first: a tie keeps the looser cap
            trial = caps.copy()
            trial[read, second] = cap
            cost = _cost(mnist, others, trial)
            if cost < best and _within(mnist, others, trial, max_flagged, max_doubted):
                best, chosen = cost, trial
        caps = chosen
    return caps
