"""The recogniser's training: pen/blur augmentation, one-cycle schedule, recogniser builder."""

from __future__ import annotations

import keras
import numpy as np

import mnistlib
from mnistlib import augment, models


def _bar_digits(n: int) -> np.ndarray:
    images = np.zeros((n, 28, 28, 1), np.float32)
    images[:, 6:22, 11:16, 0] = 1.0  # a "1" five pixels wide
    return images


def test_vary_pen_changes_strokes_and_keeps_the_peak_at_one():
    mnistlib.set_seed(0)
    images = _bar_digits(200)
    out = augment.vary_pen(images).numpy()
    assert out.shape == images.shape
    np.testing.assert_allclose(out.max(axis=(1, 2, 3)), 1.0, rtol=1e-5)
    ink = out.sum(axis=(1, 2, 3))
    original = images[0].sum()
    assert (ink > 1.2 * original).mean() > 0.2  # some strokes widened (or blurred wider)
    assert (np.abs(ink - original) < 1e-3).mean() > 0.1  # some left exactly as they were
    assert (ink < 0.8 * original).any()  # some thinned


def test_vary_pen_never_thins_a_stroke_away():
    mnistlib.set_seed(1)
    thin = np.zeros((300, 28, 28, 1), np.float32)
    thin[:, 6:22, 13, 0] = 1.0  # one pixel wide: a 3x3 min filter would erase it
    out = augment.vary_pen(thin).numpy()
    assert (out.sum(axis=(1, 2, 3)) >= 0.5 * thin[0].sum()).all()


def test_one_cycle_warms_up_then_decays_to_zero():
    schedule = models.one_cycle(1000, peak=1e-3, warmup_share=0.2)
    rates = [float(schedule(step)) for step in (0, 100, 200, 600, 1000)]
    assert rates[0] < rates[1] < rates[2]
    assert abs(rates[2] - 1e-3) < 1e-9
    assert rates[2] > rates[3] > rates[4]
    assert rates[4] < 1e-6


def test_recognizer_builder_augments_more_than_the_improved_cnn():
    recognizer = models.build_recognizer(epochs=1, steps_per_epoch=10)
    improved = models.build_improved_cnn(epochs=1, steps_per_epoch=10)

    random = (keras.layers.RandomTranslation, keras.layers.RandomRotation, keras.layers.RandomZoom)

    def ranges(model):
        return {
            type(layer).__name__: layer.get_config()
            for layer in model.layers
            if isinstance(layer, random)
        }

    ours, theirs = ranges(improved), ranges(recognizer)
    assert set(ours) == {"RandomTranslation"}  # MNIST's digits: small shifts only
    assert set(theirs) == {"RandomTranslation", "RandomRotation", "RandomZoom"}
    assert theirs["RandomTranslation"]["height_factor"] > ours["RandomTranslation"]["height_factor"]
    assert recognizer.loss == "sparse_categorical_crossentropy"  # unsmoothed probabilities
