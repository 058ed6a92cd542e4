"""scripts/train_recognizer.py: pen and blur augmentation, the one-cycle schedule, and the
network it builds is the one shipped."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import mnistlib
from mnistlib.recognition.loading import load_model, shipped_recognizer_path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_recognizer.py"


@pytest.fixture(scope="module")
def train():
    spec = importlib.util.spec_from_file_location("train_recognizer", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bar_digits(n: int) -> np.ndarray:
    images = np.zeros((n, 28, 28, 1), np.float32)
    images[:, 6:22, 11:16, 0] = 1.0  # a "1" five pixels wide
    return images


def test_vary_pen_changes_strokes_and_keeps_the_peak_at_one(train):
    mnistlib.set_seed(0)
    images = _bar_digits(200)
    out = train.vary_pen(images).numpy()
    assert out.shape == images.shape
    np.testing.assert_allclose(out.max(axis=(1, 2, 3)), 1.0, rtol=1e-5)
    ink = out.sum(axis=(1, 2, 3))
    original = images[0].sum()
    assert (ink > 1.2 * original).mean() > 0.2  # some strokes widened (or blurred wider)
    assert (np.abs(ink - original) < 1e-3).mean() > 0.1  # some left exactly as they were
    assert (ink < 0.8 * original).any()  # some thinned


def test_vary_pen_never_thins_a_stroke_away(train):
    mnistlib.set_seed(1)
    thin = np.zeros((300, 28, 28, 1), np.float32)
    thin[:, 6:22, 13, 0] = 1.0  # one pixel wide: a 3x3 min filter would erase it
    out = train.vary_pen(thin).numpy()
    assert (out.sum(axis=(1, 2, 3)) >= 0.5 * thin[0].sum()).all()


def test_one_cycle_warms_up_then_decays_to_zero(train):
    schedule = train.one_cycle(1000, peak=1e-3, warmup_share=0.2)
    rates = [float(schedule(step)) for step in (0, 100, 200, 600, 1000)]
    assert rates[0] < rates[1] < rates[2]
    assert abs(rates[2] - 1e-3) < 1e-9
    assert rates[2] > rates[3] > rates[4]
    assert rates[4] < 1e-6


def test_the_shipped_recognizer_is_what_the_script_builds(train):
    """``make recognizer`` rebuilds the shipped network: the same layers, shapes and weights."""

    def layout(model):
        return [(type(layer).__name__, tuple(layer.output.shape)) for layer in model.layers]

    shipped = load_model(shipped_recognizer_path())
    built = train.build_recognizer(epochs=1, steps_per_epoch=1)
    assert layout(shipped) == layout(built)
    assert shipped.count_params() == built.count_params()
    # one-hot digits (unsmoothed: it says "not sure") and uniform non-digits need soft targets
    assert built.loss == "categorical_crossentropy"


def test_low_resolution_blurs_a_share_of_the_digits_and_keeps_the_peak_at_one(train):
    mnistlib.set_seed(2)
    images = _bar_digits(400)
    out = train.low_resolution(images, share=0.5).numpy()
    changed = np.abs(out - images).max(axis=(1, 2, 3)) > 1e-3
    assert 0.35 < changed.mean() < 0.65
    np.testing.assert_allclose(out.max(axis=(1, 2, 3)), 1.0, rtol=1e-5)
    softened = out[changed]
    assert ((softened > 0.05) & (softened < 0.95)).sum() > 0  # grey edges: detail was lost


def test_outlier_exposure_uses_only_training_kinds_made_from_training_digits(train, mnist):
    from mnistlib.measure.outliers import HELD_OUT_KINDS, TRAINING_KINDS

    assert set(TRAINING_KINDS).isdisjoint(HELD_OUT_KINDS)
    assert {"shapes", "noise", "empty_frame"} <= set(HELD_OUT_KINDS)
    (x_train, _), _ = mnist
    images = train.outlier_images(x_train[:100], per_kind=3)
    assert images.shape[1:] == (28, 28, 1) and 0 < len(images) <= 3 * len(TRAINING_KINDS)
    np.testing.assert_allclose(images.max(axis=(1, 2, 3)), 1.0, atol=1e-5)
