"""Fixtures shared by the recognition tests."""

from __future__ import annotations

import numpy as np
import pytest

from mnistlib.recognition import prepare_image


@pytest.fixture(scope="session")
def clear(mnist, shipped):
    """MNIST test digits the shipped recogniser reads right alone, with confidence, by digit."""
    _, (x_test, y_test) = mnist
    p = shipped.probabilities(np.stack([prepare_image(x) for x in x_test[:400]]))
    good = (p.argmax(axis=1) == y_test[:400]) & (p.max(axis=1) > 0.99)
    return {d: [int(i) for i in np.flatnonzero(good) if y_test[i] == d] for d in range(10)}
