"""mnistlib.recognition.recognizer: one Recognizer carries model, checks and predictor."""

from __future__ import annotations

import shutil

import keras
import numpy as np
import pytest
from helpers import counting, seven

import mnistlib
from mnistlib.errors import ModelLoadError
from mnistlib.recognition.loading import sample_images, shipped_recognizer_path
from mnistlib.recognition.prepare import prepare_image
from mnistlib.recognition.recognizer import Recognizer, as_probabilities, as_recognizer
from mnistlib.recognition.sureness import NINE_VIEWS, ONE_VIEW, Sureness, sureness_path


def test_recognize_returns_digit_probabilities_and_image(dense_model):
    result = Recognizer(dense_model).recognize(seven())
    assert isinstance(result.digit, int) and 0 <= result.digit <= 9
    assert result.probabilities.shape == (10,)
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(result.image, prepare_image(seven()))
    assert result.confidence == pytest.approx(result.probabilities[result.digit])
    assert result.digit == int(np.argmax(result.probabilities))


@pytest.mark.parametrize("shape", [(28, 28, 1), (28, 28), (784,)])
def test_recognize_matches_model_predict_for_every_input_shape(shape):
    mnistlib.set_seed(0)
    model = keras.Sequential(
        [keras.Input(shape), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    result = Recognizer(model).recognize(seven())
    expected = model.predict(result.image.reshape((1, *shape)), verbose=0)[0]
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)


def test_logit_models_get_a_softmax(dense_model):
    result = Recognizer(dense_model).recognize(seven())
    logits = dense_model.predict(result.image.reshape(1, 784), verbose=0)[0]
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)


def test_recognize_many_is_one_model_call_with_the_per_image_answers(dense_model):
    model = counting(dense_model)
    recognizer = Recognizer(model)
    sources = [seven(), seven(ink=255, paper=0), *sample_images()[:4]]
    one_by_one = [recognizer.recognize(source) for source in sources]
    before = float(model.calls.numpy())
    together = recognizer.recognize_many(sources)
    assert float(model.calls.numpy()) == before + 1  # one model call for all the images
    assert [r.digit for r in together] == [r.digit for r in one_by_one]
    for a, b in zip(together, one_by_one, strict=True):
        np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-6)
        np.testing.assert_array_equal(a.image, b.image)
    assert recognizer.recognize_many([]) == []


def test_the_predictor_is_traced_once_for_any_batch_size(dense_model):
    model = counting(dense_model)
    recognizer = Recognizer(model)
    for n in (1, 5, 3):
        assert recognizer.probabilities(np.zeros((n, 28, 28))).shape == (n, 10)
    assert len(model.traces) == 1 and float(model.calls.numpy()) == 3


def test_a_model_that_is_not_a_digit_classifier_is_refused():
    other = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    with pytest.raises(ModelLoadError, match="not 28x28"):
        Recognizer(other)


def test_as_probabilities_keeps_probabilities_and_softmaxes_logits():
    probabilities = np.array([[0.1, 0.9] + [0.0] * 8])
    np.testing.assert_allclose(as_probabilities(probabilities), probabilities)
    logits = np.array([[2.0, 0.0] + [-1.0] * 8])
    expected = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(as_probabilities(logits), expected)


def test_the_checks_decide_sure_and_say_which_failed(dense_model):
    doubtful = Recognizer(dense_model, Sureness(threshold=1.0))  # nothing reaches 100%
    result = doubtful.recognize(seven())
    assert not result.sure and "probability below" in result.doubt
    assert result.describe().startswith("not sure: ") and "probability below" in result.describe()
    assert Recognizer(dense_model, Sureness(threshold=0.0)).recognize(seven()).sure


def test_a_recognizer_reading_nine_views_averages_the_shifted_images(dense_model):
    nine = Recognizer(dense_model, Sureness(threshold=0.0, views=NINE_VIEWS))
    image = prepare_image(seven())
    shifted = np.stack([np.roll(image, view, axis=(0, 1)) for view in NINE_VIEWS])
    expected = Recognizer(dense_model).probabilities(shifted).mean(axis=0)
    np.testing.assert_allclose(nine.probabilities(image[None])[0], expected, atol=1e-6)
    one = Recognizer(dense_model).probabilities(image[None])[0]
    assert np.abs(expected - one).max() > 1e-4  # the views differ: the average is not one view
    model = counting(dense_model)
    before = float(model.calls.numpy())
    Recognizer(model, Sureness(views=NINE_VIEWS)).read(np.stack([image] * 3))
    assert float(model.calls.numpy()) == before + 1  # all views of all images in one call


# --- loading: one file, the same answers however it is loaded -----------------------------
def test_the_shipped_recognizer_answers_the_same_loaded_by_default_or_by_path(shipped):
    """By default on LiteRT, by path on Keras: the same answers (within float rounding)."""
    by_path = Recognizer.load(shipped_recognizer_path())
    sources = sample_images()
    a, b = shipped.recognize_many(sources), by_path.recognize_many(sources)
    assert [r.digit for r in a] == [r.digit for r in b]
    assert [r.doubt for r in a] == [r.doubt for r in b]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x.probabilities, y.probabilities, atol=1e-5)
    assert shipped.sureness.references is not None  # its familiarity check came along both ways
    assert shipped.sureness.views == by_path.sureness.views == NINE_VIEWS  # and how it reads
    np.testing.assert_array_equal(shipped.sureness.references, by_path.sureness.references)


def test_a_copied_model_file_brings_its_checks_along(tmp_path, shipped):
    copy = tmp_path / "mine.keras"
    shutil.copy(shipped_recognizer_path(), copy)
    assert (
        Recognizer.load(copy).sureness.references is None
    )  # no checks beside it: probability only
    shutil.copy(sureness_path(shipped_recognizer_path()), sureness_path(copy))
    assert Recognizer.load(copy).sureness.threshold == shipped.sureness.threshold
    assert Recognizer.load(copy).sureness.views == NINE_VIEWS


def test_checks_saved_before_views_read_one_view(tmp_path):
    path = tmp_path / "old.sure.npz"
    np.savez(path, threshold=np.float64(0.5), limit=np.float64(np.inf))  # no "views" saved
    assert Sureness.load(path).views == ONE_VIEW
    Sureness(threshold=0.5, views=NINE_VIEWS).save(path)
    assert Sureness.load(path).views == NINE_VIEWS


def test_unreadable_checks_are_a_model_load_error(tmp_path, dense_model):
    dense_model.save(tmp_path / "m.keras")
    (tmp_path / "m.sure.npz").write_bytes(b"not an npz")
    with pytest.raises(ModelLoadError, match="not sure"):
        Recognizer.load(tmp_path / "m.keras")


def test_as_recognizer_takes_a_recognizer_a_model_a_path_or_nothing(tmp_path, dense_model, shipped):
    assert as_recognizer(shipped) is shipped
    assert as_recognizer(dense_model).model is dense_model
    dense_model.save(tmp_path / "m.keras")
    assert as_recognizer(tmp_path / "m.keras").model.count_params() == dense_model.count_params()
    assert as_recognizer(None).model.name == shipped.model.name
