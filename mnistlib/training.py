"""What the notebooks add around ``model.fit``: a progress display and its timing.

``model.fit(..., verbose=0, callbacks=[EpochProgress()])`` shows live progress inside each
epoch in JupyterLab (one line, updated in place) and leaves exactly one summary line per epoch
in the saved notebook; outside a notebook it prints that one line per epoch. Keras' own
``verbose=1`` bar prints a line per update in saved notebooks, which buries the results.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mnistlib._quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # before Keras, so TensorFlow's C++ start-up lines stay out

import keras  # noqa: E402

#: Seconds between two in-place updates inside an epoch: a few a second looks live and costs
#: nothing measurable next to a training step.
UPDATE_INTERVAL_S = 0.25
#: Width of the text progress bar, in characters.
BAR_WIDTH = 20
#: The order of the metrics in the summary line (others follow in Keras' order).
METRIC_ORDER = ("loss", "accuracy", "val_loss", "val_accuracy")


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where a display can be updated in place)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the notebooks extra
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def format_metrics(logs: dict | None) -> str:
    """``loss 0.1234  accuracy 0.9612 ...`` in METRIC_ORDER (learning rate left out)."""
    logs = dict(logs or {})
    logs.pop("learning_rate", None)
    names = [k for k in METRIC_ORDER if k in logs] + [k for k in logs if k not in METRIC_ORDER]
    return "  ".join(f"{k} {float(logs[k]):.4f}" for k in names)


class EpochProgress(keras.callbacks.Callback):
    """Live progress in a notebook, one summary line per epoch, and the time ``fit`` took.

    After ``fit``: ``seconds`` is the wall time of the whole ``fit`` call (validation included),
    ``epoch_seconds`` the time of each epoch and ``lines`` the summary lines shown.
    ``live=None`` detects a Jupyter kernel; ``False`` prints the summary lines only.
    """

    def __init__(
        self,
        *,
        live: bool | None = None,
        print_fn: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__()
        self.live = _in_notebook() if live is None else live
        self._print = print_fn or (lambda line: print(line, flush=True))
        self._clock = clock
        self.seconds = 0.0
        self.epoch_seconds: list[float] = []
        self.lines: list[str] = []
        self._fit_started = self._epoch_started = self._last_update = 0.0
        self._handle = None
        self._epoch = 0

    # --- what is shown --------------------------------------------------------------------
    def _epochs(self) -> str:
        total = (self.params or {}).get("epochs")
        return f"epoch {self._epoch + 1}" + (f"/{total}" if total else "")

    def _progress_line(self, step: int, logs: dict | None) -> str:
        steps = (self.params or {}).get("steps") or 0
        done = min(step / steps, 1.0) if steps else 0.0
        filled = round(done * BAR_WIDTH)
        bar = "[" + "=" * filled + "." * (BAR_WIDTH - filled) + "]"
        count = f"{step}/{steps}" if steps else str(step)
        elapsed = self._clock() - self._epoch_started
        return f"{self._epochs()}  {bar} {count}  {format_metrics(logs)}  ({elapsed:.0f} s)"

    def _show(self, text: str) -> None:
        from IPython.display import Pretty, display

        if self._handle is None:
            self._handle = display(Pretty(text), display_id=True)
        else:
            self._handle.update(Pretty(text))

    # --- Keras hooks ----------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self.seconds = 0.0
        self.epoch_seconds, self.lines = [], []
        self._fit_started = self._clock()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch
        self._epoch_started = self._last_update = self._clock()
        self._handle = None
        if self.live:
            self._show(self._progress_line(0, None))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self.live or self._clock() - self._last_update < UPDATE_INTERVAL_S:
            return
        self._last_update = self._clock()
        self._show(self._progress_line(batch + 1, logs))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        seconds = self._clock() - self._epoch_started
        self.epoch_seconds.append(seconds)
        line = f"{self._epochs()}  {format_metrics(logs)}  ({seconds:.1f} s)"
        self.lines.append(line)
        if self.live:
            self._show(line)  # the live line becomes the epoch's one saved line
        else:
            self._print(line)

    def on_train_end(self, logs: dict | None = None) -> None:
        self.seconds = self._clock() - self._fit_started


__all__ = ["EpochProgress", "format_metrics"]
