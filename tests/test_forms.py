"""mnistlib.forms: each form decodes to the kind of image it claims, and the evaluation counts."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from mnistlib import forms, recognize

RNG = np.random.default_rng(0)


def _digit() -> np.ndarray:
    """A synthetic MNIST-like stroke: an L, light on black, about 18 pixels tall."""
    digit = np.zeros((28, 28), np.uint8)
    digit[5:23, 10:13] = 255
    digit[20:23, 10:20] = 255
    return digit


@pytest.mark.parametrize(
    ("form", "mode", "ext"),
    [
        ("mnist_as_is", "L", "png"),
        ("photo", "RGB", "jpg"),
        ("scan", "L", "png"),
        ("large_offcentre", "RGB", "png"),
        ("canvas_rgba", "RGBA", "png"),
        ("small_light_on_dark", "L", "png"),
        ("stretched", "L", "png"),
    ],
)
def test_each_form_is_a_real_image_file_that_prepares_well(form, mode, ext):
    payload, got_ext = forms.FORMS[form](_digit(), RNG)
    assert got_ext == ext
    image = Image.open(io.BytesIO(payload))
    assert image.mode == mode
    prepared = recognize.prepare_image(payload)
    rows = np.flatnonzero(prepared.max(axis=1) > 0.3)
    assert 17 <= rows[-1] - rows[0] + 1 <= 21  # the L fills the 20-pixel box's height


def test_forms_differ_from_mnist_where_they_should():
    rgba = Image.open(io.BytesIO(forms.canvas_rgba(_digit(), RNG)[0]))
    assert np.asarray(rgba)[..., 3].min() == 0  # transparent background
    big = Image.open(io.BytesIO(forms.large_offcentre(_digit(), RNG)[0]))
    assert big.size == (600, 400) and np.asarray(big).mean() > 200  # dark ink on white
    small = Image.open(io.BytesIO(forms.small_light_on_dark(_digit(), RNG)[0]))
    assert max(small.size) <= 32


def test_forms_are_deterministic_for_a_seed():
    a = forms.photo(_digit(), np.random.default_rng(5))[0]
    b = forms.photo(_digit(), np.random.default_rng(5))[0]
    assert a == b


def test_evaluate_forms_counts_correct_answers(monkeypatch):
    x_test = np.stack([_digit()] * 6)
    y_test = np.array([1, 1, 1, 7, 7, 7], np.uint8)
    monkeypatch.setattr("mnistlib.data.load_mnist", lambda: ((None, None), (x_test, y_test)))

    def always_one(model, sources):
        return [recognize.Recognition(1, np.eye(10)[1], np.zeros((28, 28))) for _ in sources]

    monkeypatch.setattr(forms, "recognize_many", always_one)
    rows = forms.evaluate_forms(object(), n_per_form=6, batch=4)
    assert [r[0] for r in rows] == list(forms.FORMS)
    assert all(n == 6 and acc == pytest.approx(0.5) for _, n, acc in rows)
    table = forms.format_table(rows).splitlines()
    assert table[0].split() == ["form", "images", "accuracy"] and len(table) == 8


def test_sample_indices_name_each_form():
    assert set(forms.SAMPLE_INDICES) <= set(forms.FORMS)
