"""mnistlib.recognition.recognizer: recognition with one model call, and the `recognize` command."""

from __future__ import annotations

import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image, ImageDraw

import mnistlib
from mnistlib import models, prepare, recognize
from mnistlib.files import sample_images


def seven(size=(200, 160), ink=0, paper=255, width=14):
    """A hand-drawn-looking 7, dark on light unless told otherwise."""
    image = Image.new("L", size, paper)
    w, h = size
    pts = [(0.3 * w, 0.25 * h), (0.7 * w, 0.25 * h), (0.45 * w, 0.8 * h)]
    ImageDraw.Draw(image).line(pts, fill=ink, width=width, joint="curve")
    return image


@pytest.fixture(scope="module")
def dense_model():
    mnistlib.set_seed(0)
    return models.build_dense(16)


def test_recognize_returns_digit_probabilities_and_image(dense_model):
    result = recognize.recognize(dense_model, seven())
    assert isinstance(result.digit, int) and 0 <= result.digit <= 9
    assert result.probabilities.shape == (10,)
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(result.image, prepare.prepare_image(seven()))
    assert result.confidence == pytest.approx(result.probabilities[result.digit])
    assert result.digit == int(np.argmax(result.probabilities))


def test_recognize_matches_model_predict_for_cnn_and_dense():
    mnistlib.set_seed(0)
    for model in (models.build_document_cnn(), models.build_dense()):
        result = recognize.recognize(model, seven())
        shape = (1, *model.input_shape[1:])
        expected = model.predict(result.image.reshape(shape), verbose=0)[0]
        np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)


def test_logit_models_get_a_softmax():
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])
    result = recognize.recognize(model, seven())
    logits = model.predict(result.image.reshape(1, 784), verbose=0)[0]
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)


def test_recognize_many_is_one_model_call_with_the_per_image_answers(dense_model, monkeypatch):
    sources = [seven(), seven(ink=255, paper=0), *sample_images()[:4]]
    one_by_one = [recognize.recognize(dense_model, source) for source in sources]
    calls = []
    real = recognize._predictor

    def counting(model):
        fn = real(model)

        def call(x):
            calls.append(len(x))
            return fn(x)

        return call

    monkeypatch.setattr(recognize, "_predictor", counting)
    together = recognize.recognize_many(dense_model, sources)
    assert calls == [len(sources)]  # one model call for all the images
    assert [r.digit for r in together] == [r.digit for r in one_by_one]
    for a, b in zip(together, one_by_one, strict=True):
        np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-6)
        np.testing.assert_array_equal(a.image, b.image)
    assert recognize.recognize_many(dense_model, []) == []


def test_predict_probabilities_traces_the_model_once_for_any_batch(dense_model):
    traced = []
    inner = dense_model

    class Spy(keras.Model):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def call(self, x, training=False):
            traced.append(tuple(x.shape))  # runs when tf.function traces, not on each call
            return self.inner(x, training=training)

        @property
        def input_shape(self):
            return inner.input_shape

        @property
        def output_shape(self):
            return inner.output_shape

    spy = Spy()
    for n in (1, 5, 3):
        assert recognize.predict_probabilities(spy, np.zeros((n, 28, 28))).shape == (n, 10)
    assert len(traced) == 1


# --- command line ----------------------------------------------------------------------------
def _mnistlib(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnistlib", *args], capture_output=True,
                          text=True, timeout=180, cwd=cwd)  # fmt: skip


def test_cli_reads_good_files_and_reports_bad_ones(tmp_path, dense_model):
    dense_model.save(tmp_path / "m.keras")
    good = tmp_path / "seven.png"
    seven().save(good)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    done = _mnistlib("recognize", str(bad), str(good), str(tmp_path / "missing.png"),
                     "--model", str(tmp_path / "m.keras"))  # fmt: skip
    assert done.returncode == 1
    assert "seven.png: " in done.stdout and "confidence" in done.stdout
    assert "notes.png: error: " in done.stderr and "not a readable image" in done.stderr
    assert "missing.png: error: " in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_with_a_missing_model_says_so(tmp_path):
    done = _mnistlib("recognize", "x.png", "--model", str(tmp_path / "none.keras"))
    assert done.returncode == 2 and "no model at" in done.stderr and "Traceback" not in done.stderr


def test_cli_reads_the_samples_with_the_shipped_recognizer_and_creates_nothing(tmp_path):
    samples = sample_images()
    env_free = tmp_path / "empty"
    env_free.mkdir()
    done = _mnistlib("recognize", *map(str, samples), cwd=env_free)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(samples)
    assert all(line.split(": ")[1][0].isdigit() for line in lines)
    assert list(env_free.iterdir()) == []


def test_as_probabilities_keeps_probabilities_and_softmaxes_logits():
    probabilities = np.array([[0.1, 0.9] + [0.0] * 8])
    np.testing.assert_allclose(recognize.as_probabilities(probabilities), probabilities)
    logits = np.array([[2.0, 0.0] + [-1.0] * 8])
    expected = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(recognize.as_probabilities(logits), expected)
