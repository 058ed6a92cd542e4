"""The accuracy table shared by the notebooks: ``results/accuracies.csv`` (see ``mnistlib.files``).

One row per (notebook, model, run). ``run`` is a visible run name made from the
hyper-parameters (``run_name(epochs=4, batch_size=128)`` gives ``"epochs=4, batch_size=128"``),
so re-running a training cell with a changed hyper-parameter adds a row beside the earlier one,
and an unchanged re-run replaces its own row.

Recording reads the table, changes it and writes it back under an inter-process lock
(``mnistlib.files.locked``), so two notebooks recording at once lose nothing.
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnistlib.files import atomic_write, locked, results_dir

if TYPE_CHECKING:
    import keras

COLUMNS = (
    "notebook",
    "model",
    "run",
    "loss",
    "epochs",
    "test_accuracy",
    "train_seconds",
    "parameters",
    "finished_at",
)
#: Tables written before runs were named lack the ``run`` column; they load with run "".
OLD_COLUMNS = tuple(c for c in COLUMNS if c != "run")


@dataclass(frozen=True)
class ResultRow:
    """One trained model's outcome."""

    notebook: str
    model: str
    run: str
    loss: str
    epochs: int
    test_accuracy: float
    train_seconds: float
    parameters: int
    finished_at: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a row: (notebook, model, run)."""
        return self.notebook, self.model, self.run


def run_name(**hyperparameters: Any) -> str:
    """A visible name for a training run, e.g. ``run_name(epochs=4, lr=0.001)`` -> ``"epochs=4,
    lr=0.001"`` (in the order given)."""
    parts = []
    for name, value in hyperparameters.items():
        text = f"{value:g}" if isinstance(value, float) else str(value)
        parts.append(f"{name}={text}")
    return ", ".join(parts)


def results_path() -> Path:
    """``<home>/results/accuracies.csv`` (see ``mnistlib.files``; nothing is created)."""
    return results_dir() / "accuracies.csv"


def load_results(path: Path | None = None) -> list[ResultRow]:
    """All recorded rows, in the order they were first recorded (empty if there is no file).

    Raises ValueError for a file that is not a results table.
    """
    path = path or results_path()
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        columns = tuple(reader.fieldnames or ())
        if columns not in (COLUMNS, OLD_COLUMNS):
            raise ValueError(f"{path} does not have the columns {', '.join(COLUMNS)}")
        try:
            return [
                ResultRow(
                    notebook=r["notebook"],
                    model=r["model"],
                    run=r.get("run", ""),
                    loss=r["loss"],
                    epochs=int(r["epochs"]),
                    test_accuracy=float(r["test_accuracy"]),
                    train_seconds=float(r["train_seconds"]),
                    parameters=int(r["parameters"]),
                    finished_at=r["finished_at"],
                )
                for r in reader
            ]
        except (TypeError, ValueError) as err:
            raise ValueError(f"{path} has a malformed row ({err})") from None


def _write(rows: list[ResultRow], path: Path) -> None:
    with atomic_write(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))


def record_result(
    *,
    notebook: str,
    model: str,
    run: str = "",
    loss: str,
    epochs: int,
    test_accuracy: float,
    train_seconds: float,
    parameters: int,
    path: Path | None = None,
) -> ResultRow:
    """Record the row for (notebook, model, run), replacing an earlier one, and return it."""
    accuracy = float(test_accuracy)
    if not 0.0 <= accuracy <= 1.0:
        raise ValueError(f"test_accuracy must be in [0, 1], got {test_accuracy}")
    if not math.isfinite(float(train_seconds)) or train_seconds < 0:
        raise ValueError(f"train_seconds must be a non-negative number, got {train_seconds}")
    path = path or results_path()
    row = ResultRow(
        notebook=notebook,
        model=model,
        run=run,
        loss=loss,
        epochs=int(epochs),
        test_accuracy=round(accuracy, 4),
        train_seconds=round(float(train_seconds), 1),
        parameters=int(parameters),
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        rows = load_results(path)
        keys = [r.key for r in rows]
        if row.key in keys:
            rows[keys.index(row.key)] = row
        else:
            rows.append(row)
        _write(rows, path)
    return row


def record_model(
    notebook: str,
    key: str,
    model: keras.Model,
    test_accuracy: float,
    *,
    seconds: float,
    epochs: int | None = None,
    history: keras.callbacks.History | None = None,
    run: str = "",
    loss: str | None = None,
    path: Path | None = None,
) -> ResultRow:
    """Record a model trained with ``model.fit``: its loss and size are read from the model.

    ``seconds`` is the training time; ``epochs`` is given, or counted from the ``History`` that
    ``fit`` returned; ``loss`` defaults to the loss the model was compiled with.
    """
    if epochs is None:
        if history is None:
            raise ValueError("give epochs, or the History that model.fit returned")
        epochs = len(history.epoch)
    if loss is None:
        compiled = getattr(model, "loss", None)
        loss = compiled if isinstance(compiled, str) else type(compiled).__name__
    return record_result(
        notebook=notebook,
        model=key,
        run=run,
        loss=loss,
        epochs=epochs,
        test_accuracy=test_accuracy,
        train_seconds=seconds,
        parameters=model.count_params(),
        path=path,
    )


def format_results(rows: list[ResultRow] | None = None) -> str:
    """The rows as an aligned text table, best accuracy first."""
    rows = load_results() if rows is None else rows
    if not rows:
        return "(no results recorded yet)"
    shown = COLUMNS[:-1]  # every column but the time it was recorded
    cells = [shown] + [
        tuple(f"{getattr(r, c):.4f}" if c == "test_accuracy" else str(getattr(r, c)) for c in shown)
        for r in sorted(rows, key=lambda r: -r.test_accuracy)
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(shown))]
    lines = ("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells)
    return "\n".join(line.rstrip() for line in lines)


def best_result(rows: list[ResultRow] | None = None) -> ResultRow | None:
    """The row with the highest test accuracy (None when nothing is recorded)."""
    rows = load_results() if rows is None else rows
    return max(rows, key=lambda r: r.test_accuracy, default=None)
