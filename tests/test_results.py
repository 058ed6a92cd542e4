"""mnistlib.results and training.Recorder: every variant kept, validation first, test once."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from dataclasses import replace

import keras
import numpy as np
import pytest

from mnistlib import results, training


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))


RNG = np.random.default_rng(0)
X, Y = RNG.random((64, 8), dtype=np.float32), RNG.integers(0, 10, 64)


def _model(units=4, optimizer="adam", loss="sparse_categorical_crossentropy"):
    model = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(units, activation="relu"),
         keras.layers.Dense(10, activation="softmax")]
    )  # fmt: skip
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def _train(model=None, *, name="dense", epochs=1, batch_size=16, seed=1):
    """What a training cell does: seed, build, fit with the Recorder."""
    keras.utils.set_random_seed(seed)
    model = model or _model()
    recorder = training.Recorder(name, batch_size=batch_size)
    model.fit(X, Y, batch_size=batch_size, epochs=epochs, validation_data=(X, Y), verbose=0,
              callbacks=[recorder])  # fmt: skip
    return model, recorder.row


def test_a_new_row_for_every_change_and_the_same_row_for_an_unchanged_rerun(capsys):
    _, first = _train()
    assert first.run == "first run" and "recorded dense [first run]" in capsys.readouterr().out
    _, again = _train()  # unchanged re-run
    assert again.key == first.key and len(results.load_results()) == 1
    schedule = keras.optimizers.schedules.CosineDecay(0.001, 100)
    changed = {
        "layer": dict(model=_model(units=8)),
        "optimizer": dict(model=_model(optimizer="sgd")),
        "schedule": dict(model=_model(optimizer=keras.optimizers.Adam(schedule))),
        "loss": dict(model=_model(loss=keras.losses.SparseCategoricalCrossentropy())),
        "epochs": dict(epochs=2),
        "batch size": dict(batch_size=32),
        "seed": dict(seed=2),
    }
    rows = {what: _train(**kwargs)[1] for what, kwargs in changed.items()}
    table = results.load_results()
    assert len(table) == 1 + len(changed)  # one row per variant, the first one kept
    assert len({r.key for r in table}) == len(table)
    assert rows["layer"].run == "layer 1 Dense units 4 -> 8"
    assert rows["optimizer"].run == "optimizer Adam -> SGD; optimizer learning_rate 0.001 -> 0.01"
    assert rows["schedule"].run.startswith("optimizer learning_rate 0.001 -> CosineDecay(")
    assert rows["loss"].run.startswith(
        "loss sparse_categorical_crossentropy -> SparseCategoricalCrossentropy("
    )
    assert rows["epochs"].run == "epochs 1 -> 2"
    assert rows["batch size"].run == "batch_size 16 -> 32"
    assert rows["seed"].run == "seed 1 -> 2"
    _train(**changed["epochs"])  # re-running a variant replaces that variant's row only
    assert len(results.load_results()) == len(table)


def test_the_recorder_keeps_each_runs_curves_under_its_run_name():
    histories = {}
    for epochs in (1, 2, 2):  # a change gets its own entry; an unchanged re-run replaces its own
        keras.utils.set_random_seed(1)
        model = _model()
        recorder = training.Recorder("dense", batch_size=16, histories=histories)
        fitted = model.fit(X, Y, batch_size=16, epochs=epochs, validation_data=(X, Y), verbose=0,
                           callbacks=[recorder])  # fmt: skip
    assert list(histories) == ["dense [first run]", "dense [epochs 1 -> 2]"]
    assert histories["dense [epochs 1 -> 2]"].keys() == fitted.history.keys()
    for key, values in fitted.history.items():
        assert histories["dense [epochs 1 -> 2]"][key] == pytest.approx(values)
    assert len(histories["dense [epochs 1 -> 2]"]["val_accuracy"]) == 2


def test_added_and_removed_layers_are_named_in_the_run():
    _train()
    model = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(4, activation="relu"),
         keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")]
    )  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert _train(model)[1].run == "+ layer 2 Dropout"


def test_models_have_their_own_first_rows():
    _train(name="a")
    assert _train(name="b", epochs=2)[1].run == "first run"


def test_the_test_column_is_filled_once_at_the_end_and_the_table_ranks_by_validation():
    model, row = _train()
    other, _ = _train(epochs=3)
    assert row.test_accuracy is None
    assert results.record_test(model, 0.5) == 0.5
    table = {r.key: r for r in results.load_results()}
    assert table[row.key].test_accuracy == 0.5
    text = results.format_results()
    header, *lines = text.splitlines()
    assert header.split()[:5] == ["model", "run", "val_accuracy", "val_loss", "test_accuracy"]
    at = header.index("val_accuracy")
    shown = [float(line[at : at + 6]) for line in lines]
    assert len(shown) == 2 and shown == sorted(shown, reverse=True)
    with pytest.raises(ValueError, match="not trained with training.Recorder"):
        results.record_test(_model(), 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        results.record_test(other, 1.5)


def test_an_unchanged_rerun_empties_the_test_column_of_its_row():
    model, _ = _train()
    results.record_test(model, 0.5)
    _train()
    assert results.load_results()[0].test_accuracy is None


def test_start_fresh_sets_the_table_aside():
    assert results.start_fresh() is None
    _train()
    kept = results.start_fresh()
    assert kept is not None and kept.is_file() and kept.parent == results.results_path().parent
    assert results.load_results() == [] and results.format_results() == (
        "(no results recorded yet)"
    )
    assert _train()[1].run == "first run"


def test_a_foreign_or_malformed_table_is_refused_with_the_way_out(tmp_path):
    path = results.results_path()
    path.parent.mkdir(parents=True)
    path.write_text("notebook,model,run\n01,cnn,\n")
    with pytest.raises(ValueError, match="start_fresh"):
        results.load_results()
    results.start_fresh()
    _train()
    text = path.read_text().replace(",1,", ",x,", 1)
    path.write_text(text)
    with pytest.raises(ValueError, match="malformed"):
        results.load_results()


def test_record_refuses_nonsense():
    model = _model()
    model.build((None, 8))
    base = dict(val_loss=0.1, epochs=1, batch_size=8, seed=None, seconds=1.0)
    with pytest.raises(ValueError):
        results.record(model, "m", val_accuracy=1.5, **base)
    with pytest.raises(ValueError):
        results.record(model, "m", val_accuracy=float("nan"), **base)
    with pytest.raises(ValueError):
        results.record(model, "m", val_accuracy=0.5, **dict(base, seconds=-1))
    row = results.record(model, "m", val_accuracy=0.5, **base)
    assert row.seed is None and results.load_results()[0].seed is None


def test_the_recorder_needs_validation_data():
    keras.utils.set_random_seed(1)
    with pytest.raises(ValueError, match="validation_data"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[training.Recorder("m", batch_size=32)])


def test_best_result_is_the_best_validation_run():
    assert results.best_result([]) is None
    _train()
    _train(epochs=4)
    best = results.best_result()
    assert best is not None and best.val_accuracy == max(
        r.val_accuracy for r in results.load_results()
    )


def test_the_results_command_prints_the_table(tmp_path):
    _train()
    done = subprocess.run([sys.executable, "-m", "mnistlib", "results"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "val_accuracy" in done.stdout and "first run" in done.stdout


def test_record_row_stores_a_ready_made_row_by_its_key():
    row = results.ResultRow(model="m", run="", val_accuracy=0.5, val_loss=1.0,
                            test_accuracy=None, epochs=1, batch_size=1, seed=None,
                            train_seconds=1.0, parameters=1, key="k1", settings={},
                            finished_at="")  # fmt: skip
    results.record_row(row)
    results.record_row(replace(row, val_accuracy=0.6))
    results.record_row(replace(row, key="k2"))
    assert [(r.key, r.val_accuracy) for r in results.load_results()] == [("k1", 0.6), ("k2", 0.5)]


def _record_rows(home: str, worker: int, n: int) -> None:
    os.environ["MNISTLIB_HOME"] = home
    for i in range(n):
        row = results.ResultRow(
            model=f"worker{worker}", run=f"m{i}", val_accuracy=0.5, val_loss=1.0,
            test_accuracy=None, epochs=1, batch_size=32, seed=0, train_seconds=1.0, parameters=1,
            key=f"{worker}-{i}", settings={}, finished_at="",
        )  # fmt: skip
        results.record_row(row)


@pytest.mark.skipif(os.name == "nt", reason="the fcntl check above is POSIX; the lock is not")
@pytest.mark.slow
def test_three_processes_recording_at_once_lose_no_row(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_record_rows, args=(str(tmp_path), w, 60)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0
    rows = results.load_results()
    assert len(rows) == 180
    assert {(r.model, r.run) for r in rows} == {
        (f"worker{w}", f"m{i}") for w in range(3) for i in range(60)
    }
    leftovers = [p.name for p in results.results_path().parent.iterdir()]
    assert sorted(leftovers) == [".accuracies.csv.lock", "accuracies.csv"]
