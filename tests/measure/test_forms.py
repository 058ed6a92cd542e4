"""mnistlib.measure.forms: each form decodes to the image it claims; the evaluation counts."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from mnistlib.cli import ExitStatus, main
from mnistlib.measure import forms
from mnistlib.recognition import prepare
from mnistlib.recognition.loading import sample_images
from mnistlib.recognition.recognizer import Recognizer

RNG = np.random.default_rng(0)
N_FAKE = 64  # more than the largest index in forms.SAMPLE_INDICES


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
    prepared = prepare.prepare_image(payload)
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


@pytest.fixture
def fake_mnist(monkeypatch):
    """64 synthetic test digits labelled 0, 1, ..., 9, 0, 1, ... in place of MNIST."""
    x_test = np.stack([_digit()] * N_FAKE)
    y_test = (np.arange(N_FAKE) % 10).astype(np.uint8)
    monkeypatch.setattr("mnistlib.data.load_mnist", lambda: ((None, None), (x_test, y_test)))
    return x_test, y_test


class Always:
    """A stand-in recogniser that reads every image as ``digit``."""

    def __init__(self, digit: int):
        self.digit = digit

    def probabilities(self, images):
        return np.tile(np.eye(10)[self.digit], (len(images), 1))


def test_evaluate_forms_counts_correct_answers(monkeypatch, fake_mnist):
    monkeypatch.setattr(forms, "FORMS", {k: forms.FORMS[k] for k in ("mnist_as_is", "stretched")})
    rows = forms.evaluate_forms(Always(1), n_per_form=N_FAKE, batch=10)
    ones = np.mean(fake_mnist[1] == 1)  # 7 of the 64 are 1s
    assert rows == [("mnist_as_is", N_FAKE, ones), ("stretched", N_FAKE, ones)]
    table = forms.format_forms(rows).splitlines()
    assert table[0].split() == ["form", "images", "accuracy"] and len(table) == 3
    assert table[1].split() == ["mnist_as_is", str(N_FAKE), f"{ones:.4f}"]


def test_refused_images_count_as_wrong(monkeypatch, fake_mnist):
    def blank(digit, rng):
        return forms.as_is(np.zeros_like(digit), rng)

    monkeypatch.setattr(forms, "FORMS", {"blank": blank, "as_is": forms.as_is})
    rows = forms.evaluate_forms(Always(7), n_per_form=N_FAKE)
    assert rows == [("blank", N_FAKE, 0.0), ("as_is", N_FAKE, np.mean(fake_mnist[1] == 7))]


def test_make_samples_names_files_by_their_digit(tmp_path, fake_mnist):
    written = forms.make_samples(tmp_path / "samples")
    assert len(written) == sum(len(v) for v in forms.SAMPLE_INDICES.values())
    for path in written:
        form, digit = path.stem.rsplit("_", 1)
        assert form in forms.FORMS and digit.isdigit()
        Image.open(path).verify()
    assert sum(p.stat().st_size for p in written) < 300_000


def test_shipped_samples_are_small_and_labelled():
    images = sample_images()
    folder = images[0].parent
    assert len(images) >= 10 and sum(p.stat().st_size for p in images) < 300_000
    assert {p.stem.rsplit("_", 1)[0] for p in images} == set(forms.SAMPLE_INDICES)
    assert all(p.stem.rsplit("_", 1)[1].isdigit() for p in images)
    assert "python -m mnistlib forms --samples" in (folder / "README.md").read_text()


def test_cli_prints_a_table_or_writes_samples(tmp_path, monkeypatch, capsys, fake_mnist):
    assert main(["forms", "--samples", str(tmp_path), "--seed", "1"]) == 0
    assert len(list(tmp_path.iterdir())) == sum(len(v) for v in forms.SAMPLE_INDICES.values())
    monkeypatch.setattr(Recognizer, "load", classmethod(lambda cls, path=None: Always(7)))
    monkeypatch.setattr(forms, "FORMS", {k: forms.FORMS[k] for k in ("mnist_as_is", "photo")})
    assert main(["forms", "--model", str(tmp_path / "m.keras"), "--n", str(N_FAKE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3].split() == ["mnist_as_is", str(N_FAKE), f"{np.mean(fake_mnist[1] == 7):.4f}"]
    assert out[-2].split()[0] == "photo" and out[-4].split() == ["form", "images", "accuracy"]


def test_cli_with_a_missing_model_says_so(tmp_path, capsys):
    assert main(["forms", "--model", str(tmp_path / "none.keras")]) == ExitStatus.NO_MODEL
    assert "no model at" in capsys.readouterr().err


def test_the_shipped_recognizer_reads_drawn_digits_in_every_form(shipped):
    """Digits drawn with pen strokes (not MNIST) in each form: the floor is 0.90."""
    rows = forms.evaluate_forms(shipped, n_per_form=100, seed=1, digits="strokes")
    assert [r.form for r in rows] == list(forms.FORMS)
    assert all(r.n == 100 for r in rows)
    assert min(r.accuracy for r in rows) >= 0.90, rows


def test_evaluate_forms_refuses_an_unknown_digit_source():
    with pytest.raises(ValueError, match="digits must be one of"):
        forms.evaluate_forms(Always(0), n_per_form=1, digits="emnist")
