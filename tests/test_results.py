"""mnistlib.results: rows keyed by (notebook, model, run), old tables, the `results` command."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import keras
import pytest

from mnistlib import models, results


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))


def _record(model="cnn", acc=0.99, **kw):
    args = dict(notebook="01_classification", model=model, loss="categorical_crossentropy",
                epochs=3, test_accuracy=acc, train_seconds=12.34, parameters=1000)  # fmt: skip
    args.update(kw)
    return results.record_result(**args)


def test_run_name_lists_the_hyperparameters_in_order():
    assert results.run_name(epochs=4, batch_size=128) == "epochs=4, batch_size=128"
    assert results.run_name(lr=0.001, optimizer="adam") == "lr=0.001, optimizer=adam"
    assert results.run_name() == ""


def test_an_unchanged_rerun_replaces_its_row_a_changed_one_adds_a_row():
    _record("cnn", 0.98, run=results.run_name(epochs=3))
    _record("cnn_mse", 0.97, run=results.run_name(epochs=3))
    _record("cnn", 0.985, run=results.run_name(epochs=3))  # the same run again
    _record("cnn", 0.99, run=results.run_name(epochs=5), epochs=5)  # one hyper-parameter changed
    _record("cnn", 0.95, notebook="02_recognition", run=results.run_name(epochs=3))
    rows = results.load_results()
    assert [(r.notebook[:2], r.model, r.run) for r in rows] == [
        ("01", "cnn", "epochs=3"),
        ("01", "cnn_mse", "epochs=3"),
        ("01", "cnn", "epochs=5"),
        ("02", "cnn", "epochs=3"),
    ]
    assert rows[0].test_accuracy == 0.985
    with results.results_path().open() as handle:
        assert tuple(next(csv.reader(handle))) == results.COLUMNS


def test_results_table_and_best():
    assert results.load_results() == [] and results.best_result() is None
    assert "no results" in results.format_results()
    _record("dense", 0.92, notebook="02_recognition")
    _record("cnn", 0.99, run="epochs=3")
    table = results.format_results().splitlines()
    assert table[0].split()[:3] == ["notebook", "model", "run"]
    assert table[1].split()[1:3] == ["cnn", "epochs=3"] and "dense" in table[2]
    assert results.best_result().model == "cnn"


def test_record_result_rejects_impossible_values_and_keeps_the_file():
    _record("cnn", 0.99)
    with pytest.raises(ValueError, match="test_accuracy"):
        _record("cnn", 1.5)
    with pytest.raises(ValueError, match="train_seconds"):
        _record("cnn", 0.5, train_seconds=float("nan"))
    assert results.load_results()[0].test_accuracy == 0.99


def test_load_results_rejects_a_foreign_csv():
    results.results_path().parent.mkdir(parents=True)
    results.results_path().write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="columns"):
        results.load_results()


def test_a_table_written_before_runs_were_named_still_loads_and_grows():
    row = "01_classification,cnn,categorical_crossentropy,3,0.9861,50.0,203434,2026-01-01T00:00"
    old = ",".join(results.OLD_COLUMNS) + "\n" + row + "\n"
    results.results_path().parent.mkdir(parents=True)
    results.results_path().write_text(old)
    (row,) = results.load_results()
    assert (row.model, row.run, row.test_accuracy) == ("cnn", "", 0.9861)
    _record("cnn", 0.99, run="epochs=4")
    assert [(r.model, r.run) for r in results.load_results()] == [("cnn", ""), ("cnn", "epochs=4")]


def test_record_model_reads_the_keras_model_and_history():
    model = models.build_dense()
    history = keras.callbacks.History()
    history.epoch = [0, 1]
    row = results.record_model("02_recognition", "dense", model, 0.9, seconds=3.21,
                               history=history, run="epochs=2")  # fmt: skip
    assert (row.loss, row.epochs, row.parameters, row.train_seconds, row.run) == (
        "sparse_categorical_crossentropy", 2, 7850, 3.2, "epochs=2",
    )  # fmt: skip
    row = results.record_model("02_recognition", "dense", model, 0.9, seconds=1, epochs=7,
                               loss="mse")  # fmt: skip
    assert (row.epochs, row.loss) == (7, "mse")
    with pytest.raises(ValueError, match="History"):
        results.record_model("02_recognition", "dense", model, 0.9, seconds=1)


def test_results_command_reads_and_creates_nothing(tmp_path):
    env_home = tmp_path / "elsewhere"
    command = [sys.executable, "-m", "mnistlib", "results"]
    env = dict(os.environ, MNISTLIB_HOME=str(env_home))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "no results recorded yet" in done.stdout
    assert not env_home.exists()
    _record("cnn", 0.99, run="epochs=3")
    env["MNISTLIB_HOME"] = os.environ["MNISTLIB_HOME"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "epochs=3" in done.stdout and "0.9900" in done.stdout
