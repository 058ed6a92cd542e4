"""What the notebooks add around ``model.fit``: recording a run, and quick mode.

``Recorder(name, batch_size=...)`` is the one callback a training cell passes to ``fit``: it
times the run and records it in the results table (``mnistlib.results``). The notebooks use
Keras' own ``verbose=2`` output (one line per epoch, in JupyterLab and in ``make run`` alike).

``quick_mode()`` is called once, in a notebook's set-up cell: it is on only when the project's
tests set the environment variable (``QUICK_VARIABLE``), and then every ``fit`` trains one
short epoch, so the notebooks run in minutes; the learner's cells stay as they are.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

from mnistlib import results
from mnistlib._quiet import import_tensorflow_quietly
from mnistlib.files import QUICK_VARIABLE

import_tensorflow_quietly()  # before Keras, so TensorFlow's C++ start-up lines stay out

import keras  # noqa: E402

#: In quick mode, every ``fit`` runs at most one epoch of this many batches.
QUICK_STEPS = 20
#: The attribute quick mode sets on a model: the epochs its ``fit`` call asked for.
ASKED_EPOCHS = "mnistlib_epochs_asked"


def _seed() -> int | None:
    """The seed last given to ``keras.utils.set_random_seed`` (None if never)."""
    from keras.src.utils import rng_utils

    return rng_utils.get_random_seed()


class Recorder(keras.callbacks.Callback):
    """A callback for ``model.fit`` that times the run and records it in the results table.

    ``Recorder("document CNN", batch_size=BATCH_SIZE)``: at the end of ``fit`` the row holds
    the last epoch's validation accuracy and loss (``fit`` needs ``validation_data``), the
    epochs run, the batch size, the seed last set with ``keras.utils.set_random_seed``, the
    seconds ``fit`` took, the model's settings and its learning curves (as ``History.history``;
    ``results.learning_curves()`` reads them back). It prints one line; ``row`` is the row.
    """

    def __init__(
        self,
        name: str,
        *,
        batch_size: int,
        path: Path | None = None,
    ) -> None:
        super().__init__()
        self.name, self.batch_size, self.path = name, int(batch_size), path
        self.row: results.ResultRow | None = None
        self._started = 0.0
        self._epochs = 0
        self._last: dict[str, float] = {}
        self._curves: dict[str, list[float]] = {}

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._started, self._epochs, self._last = time.perf_counter(), 0, {}
        self._curves = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._epochs = epoch + 1
        self._last = dict(logs or {})
        for key, value in self._last.items():
            self._curves.setdefault(key, []).append(float(value))

    def on_train_end(self, logs: dict | None = None) -> None:
        seconds = time.perf_counter() - self._started
        if "val_accuracy" not in self._last:
            raise ValueError("training.Recorder needs fit(..., validation_data=...) and accuracy")
        self.row = results.record(
            self.model,
            self.name,
            val_accuracy=self._last["val_accuracy"],
            val_loss=self._last["val_loss"],
            epochs=getattr(self.model, ASKED_EPOCHS, self._epochs),
            batch_size=self.batch_size,
            seed=_seed(),
            seconds=seconds,
            curves=self._curves,
            path=self.path,
        )
        row = self.row  # its seconds as stored, so this line and the results table agree
        print(
            f"recorded {self.name} [{row.run}]: validation accuracy "
            f"{row.val_accuracy:.4f}, loss {row.val_loss:.4f}; {row.train_seconds:.0f} s",
            flush=True,
        )


def quick_mode() -> bool:
    """Turn quick mode on if the project's tests asked for it (``QUICK_VARIABLE=1``).

    In quick mode every ``fit`` call runs one epoch of at most ``QUICK_STEPS`` batches, so a
    notebook runs end to end in a few minutes with its cells unchanged. Its run is recorded
    (in the smoke table) with the epochs its cell asked for, so it gets the name and key that
    the full run would.
    Returns whether quick mode is on (a notebook's floor checks are skipped then).
    """
    if os.environ.get(QUICK_VARIABLE) != "1":
        return False
    fit = keras.Model.fit
    if getattr(fit, "quick_mode", False):
        return True

    @functools.wraps(fit)
    def quick_fit(self, *args, **kwargs):
        setattr(self, ASKED_EPOCHS, kwargs.get("epochs", 1))  # what the cell asked: the row's
        kwargs["epochs"] = 1
        kwargs["steps_per_epoch"] = min(kwargs.get("steps_per_epoch") or QUICK_STEPS, QUICK_STEPS)
        return fit(self, *args, **kwargs)

    quick_fit.quick_mode = True  # type: ignore[attr-defined]
    keras.Model.fit = quick_fit
    return True


__all__ = ["QUICK_VARIABLE", "Recorder", "quick_mode"]
