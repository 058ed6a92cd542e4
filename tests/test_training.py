"""training: the Recorder's timing, quick mode, and EpochProgress (one summary line per epoch,
live updates in place, and fit's time). The Recorder's rows are tested in test_results.py."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest

from mnistlib import results, training


def _fit(progress: keras.callbacks.Callback, *, epochs: int = 3, n: int = 64) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((n, 4), dtype=np.float32)
    y = np.arange(n) % 3
    model.fit(x, y, epochs=epochs, batch_size=8, validation_split=0.25, verbose=0,
              callbacks=[progress])  # fmt: skip
    return model


class FakeClock:
    """A clock that advances by ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self._ticks = itertools.count()
        self.step = step

    def __call__(self) -> float:
        return next(self._ticks) * self.step


def test_prints_exactly_one_line_per_epoch_outside_a_notebook():
    printed: list[str] = []
    progress = training.EpochProgress(live=False, print_fn=printed.append)
    _fit(progress, epochs=3)
    assert printed == progress.lines and len(printed) == 3
    assert printed[0].startswith("epoch 1/3  loss ")
    for name in ("accuracy", "val_loss", "val_accuracy"):
        assert f" {name} " in printed[2]
    assert printed[2].endswith(" s)")


def test_records_the_time_of_fit_and_of_each_epoch():
    progress = training.EpochProgress(live=False, print_fn=lambda _: None, clock=FakeClock(1.0))
    _fit(progress, epochs=2)
    assert len(progress.epoch_seconds) == 2
    assert all(s > 0 for s in progress.epoch_seconds)
    assert progress.seconds >= sum(progress.epoch_seconds)


class FakeHandle:
    def __init__(self, shown: list) -> None:
        self.shown = shown

    def update(self, obj) -> None:
        self.shown[-1].append(obj.data)


@pytest.fixture
def fake_display(monkeypatch):
    """Replace IPython's display: each display() opens a new output, update() rewrites it."""
    import IPython.display

    outputs: list[list[str]] = []

    def display(obj, display_id=False):
        assert display_id is True
        outputs.append([obj.data])
        return FakeHandle(outputs)

    monkeypatch.setattr(IPython.display, "display", display)
    return outputs


def test_in_a_notebook_each_epoch_is_one_output_updated_in_place(fake_display):
    printed: list[str] = []
    # Every clock read advances a second: past the throttle, so every batch updates.
    progress = training.EpochProgress(live=True, print_fn=printed.append, clock=FakeClock(1.0))
    _fit(progress, epochs=2)
    assert printed == []  # nothing printed: all went to the two in-place outputs
    assert len(fake_display) == 2
    for epoch, versions in enumerate(fake_display, start=1):
        assert versions[-1] == progress.lines[epoch - 1]  # what stays saved: the summary
        live = versions[1:-1]
        assert live and all(f"epoch {epoch}/2  [" in v for v in live)
    assert "6/6" in fake_display[0][-2]  # 48 training images in batches of 8


def test_live_updates_are_throttled(fake_display):
    # The clock barely moves: no update inside the epoch, only the start and the summary.
    progress = training.EpochProgress(live=True, clock=FakeClock(1e-6))
    _fit(progress, epochs=1)
    assert len(fake_display) == 1 and len(fake_display[0]) == 2
    assert fake_display[0][0].startswith("epoch 1/1  [....")


def test_format_metrics_orders_and_leaves_out_the_learning_rate():
    logs = {"val_accuracy": 0.5, "accuracy": 0.25, "learning_rate": 0.1, "loss": 1.0, "x": 2}
    assert (
        training.format_metrics(logs)
        == "loss 1.0000  accuracy 0.2500  val_accuracy 0.5000  x 2.0000"
    )


def test_the_recorder_times_fit_and_reads_the_seed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    recorder = training.Recorder("tiny", batch_size=8)
    model = _fit(recorder, epochs=2)
    row = recorder.row
    assert row is not None and row.epochs == 2 and row.batch_size == 8 and row.seed == 0
    assert row.train_seconds >= 0 and row.parameters == model.count_params()
    assert results.load_results() == [row]
    assert capsys.readouterr().out.startswith("recorded tiny [first run]: validation accuracy ")


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
