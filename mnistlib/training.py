"""Training with one log line per epoch, timed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np


class EpochLogger(keras.callbacks.Callback):
    """Print one short line per epoch (Keras' own progress bar prints one per step in notebooks)."""

    def __init__(self, epochs: int | None = None, print_fn=print) -> None:
        super().__init__()
        self.epochs = epochs
        self._print = print_fn
        self._started = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        total = f"/{self.epochs}" if self.epochs else ""
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in logs.items() if k != "learning_rate")
        seconds = time.perf_counter() - self._started
        self._print(f"epoch {epoch + 1}{total}  {metrics}  ({seconds:.1f} s)")


@dataclass
class TrainingRun:
    """What ``train`` returns: the per-epoch history and the wall time of ``fit``."""

    history: dict[str, list[float]]
    seconds: float
    epochs: int
    extra: dict[str, Any] = field(default_factory=dict)


def train(
    model: keras.Model,
    x: Any,
    y: Any = None,
    *,
    epochs: int,
    batch_size: int | None = 128,
    validation_split: float = 0.0,
    validation_data: Any = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    log: bool = True,
) -> TrainingRun:
    """Fit ``model`` and time it, logging one line per epoch (``log=False``: silent).

    ``x`` may be arrays (with ``y``) or a ``tf.data.Dataset`` (then ``y`` and ``batch_size``
    are not used). Returns a TrainingRun with the history as plain lists.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    cbs = list(callbacks or [])
    if log:
        cbs.append(EpochLogger(epochs))
    fit_args: dict[str, Any] = {"epochs": epochs, "verbose": 0, "callbacks": cbs}
    if y is not None:
        fit_args["batch_size"] = batch_size
    if validation_data is not None:
        fit_args["validation_data"] = validation_data
    elif validation_split:
        fit_args["validation_split"] = validation_split
    start = time.perf_counter()
    history = model.fit(x, y, **fit_args)
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in np.asarray(vals).ravel()] for k, vals in history.history.items()}
    return TrainingRun(history=hist, seconds=seconds, epochs=epochs)
