"""training: the Recorder's timing and quick mode. The Recorder's rows are tested in
test_results.py."""

from __future__ import annotations

import keras
import numpy as np

from mnistlib import results, training


def _fit(callback: keras.callbacks.Callback, *, epochs: int = 3, n: int = 64) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((n, 4), dtype=np.float32)
    y = np.arange(n) % 3
    model.fit(x, y, epochs=epochs, batch_size=8, validation_split=0.25, verbose=0,
              callbacks=[callback])  # fmt: skip
    return model


def test_the_recorder_times_fit_and_reads_the_seed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    recorder = training.Recorder("tiny", batch_size=8)
    model = _fit(recorder, epochs=2)
    row = recorder.row
    assert row is not None and row.epochs == 2 and row.batch_size == 8 and row.seed == 0
    assert row.train_seconds >= 0 and row.parameters == model.count_params()
    assert results.load_results() == [row]
    assert capsys.readouterr().out.startswith("recorded tiny [first run]: validation accuracy ")


def test_the_recorder_prints_the_seconds_the_results_table_shows(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    recorder = training.Recorder("tiny", batch_size=8)
    recorder.set_model(model)
    clock = iter([100.0, 112.52])  # 12.52 s: 13 unrounded, 12.5 as stored, shown as 12
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    recorder.on_train_begin()
    recorder.on_epoch_end(0, {"val_accuracy": 0.5, "val_loss": 1.0})
    recorder.on_train_end()
    monkeypatch.undo()
    assert recorder.row is not None
    table_seconds = results.format_results([recorder.row]).splitlines()[1].split()[-1]
    assert capsys.readouterr().out.rstrip().endswith(f"; {table_seconds} s")


def test_quick_mode_is_off_unless_the_tests_ask(monkeypatch):
    monkeypatch.delenv(training.QUICK_VARIABLE, raising=False)
    fit = keras.Model.fit
    assert training.quick_mode() is False and keras.Model.fit is fit


def test_quick_mode_trains_one_short_epoch(monkeypatch, tmp_path):
    monkeypatch.setenv(training.QUICK_VARIABLE, "1")
    monkeypatch.setattr(keras.Model, "fit", keras.Model.fit)  # undone after the test
    assert training.quick_mode() is True and training.quick_mode() is True  # patched once
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.zeros((4 * training.QUICK_STEPS * 2, 4), dtype=np.float32)
    history = model.fit(x, np.zeros(len(x)), batch_size=4, epochs=5, verbose=0)
    assert len(history.epoch) == 1 and history.params["steps"] == training.QUICK_STEPS
