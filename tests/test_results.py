"""mnistlib.results and training.Recorder: every variant kept, validation first, test once."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from mnistlib import results, runs, training


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
    assert rows["layer"].run == "Dense 4 -> 8 units"
    assert rows["optimizer"].run == "SGD optimizer"
    assert rows["schedule"].run == "learning rate 0.001 -> CosineDecay"
    assert rows["loss"].run.startswith("loss sparse_categorical_crossentropy -> Sparse")
    assert rows["epochs"].run == "2 epochs"
    assert rows["batch size"].run == "batch size 32"
    assert rows["seed"].run == "seed 2"
    _train(**changed["epochs"])  # re-running a variant replaces that variant's row only
    assert len(results.load_results()) == len(table)


def test_each_run_keeps_its_learning_curves_under_its_model_and_run_name():
    for epochs in (1, 2, 2):  # a change gets its own entry; an unchanged re-run replaces its own
        keras.utils.set_random_seed(1)
        recorder = training.Recorder("dense", batch_size=16)
        fitted = _model().fit(X, Y, batch_size=16, epochs=epochs, validation_data=(X, Y),
                              verbose=0, callbacks=[recorder])  # fmt: skip
    _train(name="other")
    curves = results.learning_curves("dense")
    assert list(curves) == ["dense"] and list(curves["dense"]) == ["first run", "2 epochs"]
    assert list(results.learning_curves()) == ["dense", "other"]
    assert curves["dense"]["2 epochs"].keys() == fitted.history.keys()
    for key, values in fitted.history.items():
        assert curves["dense"]["2 epochs"][key] == pytest.approx(values, abs=1e-5)


def test_a_change_is_named_as_a_person_would():
    first = {"layers": [], "optimizer": None, "loss": "categorical_crossentropy", "epochs": 2,
             "batch_size": 128, "seed": 42}  # fmt: skip
    changed = dict(first, loss="mean_squared_error", epochs=1)
    assert runs.run_name(first, changed) == "MSE loss, 1 epoch"
    assert runs.run_name(None, changed) == runs.run_name(first, first) == "first run"


def test_added_and_removed_layers_are_named_in_the_run():
    _train()
    model = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(4, activation="relu"),
         keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")]
    )  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert _train(model)[1].run == "+ Dropout(0.5)"
    deeper = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(4, activation="relu"),
         keras.layers.Dense(6, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    )  # fmt: skip
    deeper.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert _train(deeper)[1].run == "+ Dense(6)"  # the layer added, not the last one


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
    assert header.split()[:7] == ["model", "run", "val", "acc", "test", "acc", "epochs"]
    at = header.index("val acc")
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


def test_the_table_fits_100_characters_with_long_run_names():
    for units in (5, 6, 7):
        model = keras.Sequential(
            [keras.Input(shape=(8,)), keras.layers.Dense(units, activation="relu"),
             keras.layers.Dropout(0.25), keras.layers.Dense(10, activation="softmax")]
        )  # fmt: skip
        schedule = keras.optimizers.schedules.CosineDecay(0.001, 100, warmup_steps=10)
        model.compile(optimizer=keras.optimizers.SGD(schedule), metrics=["accuracy"],
                      loss="sparse_categorical_crossentropy")  # fmt: skip
        _train(model, name="a model with a long name", epochs=3, batch_size=8, seed=units)
    _train(name="a model with a long name")
    text = results.format_results()
    assert max(len(line) for line in text.splitlines()) <= results.WIDTH
    assert "Adam optimizer" in text and "batch size 16, seed 1" in text.replace("\n ", "")
    wide = results.format_results(columns=results.SHOWN + ("batch_size", "seed", "parameters"))
    assert max(len(line) for line in wide.splitlines()) <= results.WIDTH and "batch" in wide


def test_quick_mode_runs_go_to_a_table_of_their_own(monkeypatch):
    _train()
    monkeypatch.setenv(training.QUICK_VARIABLE, "1")
    monkeypatch.setattr(keras.Model, "fit", keras.Model.fit)  # quick mode patches it: undone
    training.quick_mode()
    _train(epochs=2)
    assert [r.run for r in results.load_results()] == ["first run"]  # the smoke table
    monkeypatch.delenv(training.QUICK_VARIABLE)
    assert [r.epochs for r in results.load_results()] == [1]  # the learner's table: no smoke


def test_the_results_command_prints_the_table(tmp_path):
    _train()
    done = subprocess.run([sys.executable, "-m", "mnistlib", "results"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "val acc" in done.stdout and "first run" in done.stdout


class _Built:
    """Just enough of a compiled model for ``results.record``, without Keras."""

    layers: list = []
    optimizer = None
    loss = "mean_squared_error"

    def count_params(self) -> int:
        return 1


def _record_rows(home: str, worker: int, n: int) -> None:
    os.environ["MNISTLIB_HOME"] = home
    for i in range(n):
        results.record(_Built(), f"worker{worker}", val_accuracy=0.5, val_loss=1.0, epochs=i + 1,
                       batch_size=32, seed=0, seconds=1.0)  # fmt: skip


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
    assert {(r.model, r.epochs) for r in rows} == {
        (f"worker{w}", i + 1) for w in range(3) for i in range(60)
    }
    leftovers = [p.name for p in results.results_path().parent.iterdir()]
    assert sorted(leftovers) == [".accuracies.csv.lock", "accuracies.csv"]
