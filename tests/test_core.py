"""Tests for the small core modules: preprocess, results, paths, saving, training, seed, models."""

from __future__ import annotations

import csv

import keras
import numpy as np
import pytest

import mnistlib  # noqa: F401  (imports TensorFlow quietly first)
from mnistlib import models, preprocess, recognize, results, saving, training
from mnistlib.paths import default_model_path, models_dir, project_root, results_dir


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("MNISTLIB_RESULTS_DIR", str(tmp_path / "results"))


# --- preprocess ---------------------------------------------------------------------------
def test_to_cnn_input_adds_channel_and_scales():
    x = np.array([np.full((28, 28), 255, np.uint8), np.zeros((28, 28), np.uint8)])
    out = preprocess.to_cnn_input(x)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32
    assert out[0].max() == 1.0 and out[1].max() == 0.0


def test_to_dense_input_flattens_row_major():
    x = np.arange(28 * 28, dtype=np.uint8).reshape(1, 28, 28)
    out = preprocess.to_dense_input(x)
    assert out.shape == (1, 784)
    np.testing.assert_allclose(out[0, :3] * 255, [0, 1, 2], atol=1e-4)


def test_one_hot_puts_a_single_one_at_the_label():
    out = preprocess.one_hot(np.array([3, 0, 9]))
    assert out.shape == (3, 10)
    assert out.sum(axis=1).tolist() == [1, 1, 1]
    assert np.argmax(out, axis=1).tolist() == [3, 0, 9]


@pytest.mark.parametrize("bad", [np.zeros((5, 27, 28)), np.zeros(28)])
def test_preprocess_rejects_wrong_shapes(bad):
    with pytest.raises(ValueError, match="28x28"):
        preprocess.to_cnn_input(bad)


def test_one_hot_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="digits 0-9"):
        preprocess.one_hot(np.array([1, 10]))


# --- models -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("builder", "params", "input_shape"),
    [
        (models.build_document_cnn, 640 + 18_464 + 184_330, (None, 28, 28, 1)),
        (models.build_dense, 7_850, (None, 784)),
        (lambda: models.build_dense(100), 78_500 + 1_010, (None, 784)),
        (models.build_keras_example_cnn, 34_826, (None, 28, 28, 1)),
    ],
)
def test_builders_have_the_documented_shape(builder, params, input_shape):
    model = builder()
    assert model.count_params() == params
    assert tuple(model.input_shape) == input_shape
    assert tuple(model.output_shape) == (None, 10)
    assert model.layers[-1].activation is keras.activations.softmax


def test_document_cnn_layers_follow_the_document():
    model = models.build_document_cnn()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 32]
    assert all(c.kernel_size == (3, 3) for c in convs)
    assert model.loss == "categorical_crossentropy"
    assert models.build_document_cnn(loss="mean_squared_error").loss == "mean_squared_error"


# --- training -----------------------------------------------------------------------------
def test_train_logs_one_line_per_epoch(capsys):
    mnistlib.set_seed(0)
    model = models.build_dense()
    x = np.random.default_rng(0).random((64, 784), dtype=np.float32)
    y = np.arange(64) % 10
    run = training.train(model, x, y, epochs=3, batch_size=16, validation_split=0.25)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/3") and "val_accuracy" in lines[0]
    assert run.epochs == 3 and len(run.history["loss"]) == 3 and run.seconds > 0


def test_train_rejects_zero_epochs():
    with pytest.raises(ValueError, match="epochs"):
        training.train(models.build_dense(), np.zeros((2, 784)), np.zeros(2), epochs=0)


def test_set_seed_makes_training_repeatable():
    x = np.random.default_rng(1).random((128, 784), dtype=np.float32)
    y = np.arange(128) % 10

    def once():
        mnistlib.set_seed(7)
        model = models.build_dense(16)
        training.train(model, x, y, epochs=2, batch_size=32, log=False)
        return model.get_weights()

    for a, b in zip(once(), once(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        mnistlib.set_seed(bad)


# --- results ------------------------------------------------------------------------------
def _record(model="cnn", acc=0.99, **kw):
    args = dict(notebook="01_classification", model=model, loss="categorical_crossentropy",
                epochs=3, test_accuracy=acc, train_seconds=12.34, parameters=1000)  # fmt: skip
    args.update(kw)
    return results.record_result(**args)


def test_record_result_replaces_the_row_of_the_same_model():
    _record("cnn", 0.98)
    _record("cnn_mse", 0.97)
    _record("cnn", 0.99)
    rows = results.load_results()
    assert [r.model for r in rows] == ["cnn", "cnn_mse"]
    assert rows[0].test_accuracy == 0.99
    with results.results_path().open() as handle:
        assert tuple(next(csv.reader(handle))) == results.COLUMNS


def test_results_table_and_best():
    assert results.load_results() == [] and results.best_result() is None
    assert "no results" in results.format_results()
    _record("dense", 0.92, notebook="02_recognition")
    _record("cnn", 0.99)
    table = results.format_results().splitlines()
    assert table[0].split()[:2] == ["notebook", "model"] and "cnn" in table[1]
    assert results.best_result().model == "cnn"


def test_record_result_rejects_impossible_accuracy_and_keeps_the_file():
    _record("cnn", 0.99)
    with pytest.raises(ValueError, match="test_accuracy"):
        _record("cnn", 1.5)
    assert results.load_results()[0].test_accuracy == 0.99


def test_load_results_rejects_a_foreign_csv():
    results.results_path().write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="columns"):
        results.load_results()


# --- paths and saving ---------------------------------------------------------------------
def test_paths_follow_the_environment(tmp_path):
    assert models_dir() == tmp_path / "models" and models_dir().is_dir()
    assert results_dir() == tmp_path / "results"
    assert default_model_path().name == "digit_recognizer.keras"
    assert (project_root() / "pyproject.toml").is_file()


def test_save_model_and_promote_the_most_accurate():
    dense, hidden = models.build_dense(), models.build_dense(8)
    saving.save_model(dense, "dense")
    saving.save_model(hidden, "dense_hidden")
    _record("dense", 0.92)
    _record("dense_hidden", 0.97)
    _record("cnn", 0.99)  # recorded but never saved: cannot be the default
    path = saving.update_default_recognizer()
    assert path == default_model_path()
    reloaded = recognize.load_model(path)  # the safe loader the project uses
    assert reloaded.count_params() == hidden.count_params()


def test_model_keys_are_checked():
    with pytest.raises(ValueError, match="model key"):
        saving.model_path("../evil")


def test_record_training_reads_the_model_and_run():
    model = models.build_dense()
    run = training.TrainingRun(history={"loss": [1.0]}, seconds=3.21, epochs=1)
    row = results.record_training("02_recognition", "dense", model, run, 0.9)
    assert (row.loss, row.epochs, row.parameters, row.train_seconds) == (
        "sparse_categorical_crossentropy", 1, 7850, 3.2,
    )  # fmt: skip


def test_improved_cnn_augments_only_while_training():
    mnistlib.set_seed(0)
    model = models.build_improved_cnn(epochs=2, steps_per_epoch=10)
    assert tuple(model.input_shape) == (None, 28, 28, 1)
    assert tuple(model.output_shape) == (None, 10)
    assert model.loss == "sparse_categorical_crossentropy"
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    a, b = model(x, training=False), model(x, training=False)
    np.testing.assert_array_equal(a, b)  # augmentation and dropout are off at inference
    augment = keras.Sequential(models.augmentation_layers())
    assert not np.array_equal(augment(x, training=True), x)
    np.testing.assert_array_equal(augment(x, training=False), x)
