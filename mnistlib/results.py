"""The accuracy table shared by the notebooks: ``results/accuracies.csv``.

One row per model key. Recording a model that already has a row replaces it, so re-running a
training cell never adds duplicates, and notebook 02 can show notebook 01's rows.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from mnistlib.paths import results_dir

COLUMNS = (
    "notebook",
    "model",
    "loss",
    "epochs",
    "test_accuracy",
    "train_seconds",
    "parameters",
    "finished_at",
)


@dataclass(frozen=True)
class ResultRow:
    """One trained model's outcome."""

    notebook: str
    model: str
    loss: str
    epochs: int
    test_accuracy: float
    train_seconds: float
    parameters: int
    finished_at: str


def results_path() -> Path:
    """``results/accuracies.csv`` (see ``mnistlib.paths``)."""
    return results_dir() / "accuracies.csv"


def load_results(path: Path | None = None) -> list[ResultRow]:
    """All recorded rows, in the order they were first recorded (empty if there is no file)."""
    path = path or results_path()
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path} does not have the columns {', '.join(COLUMNS)}")
        return [
            ResultRow(
                notebook=r["notebook"],
                model=r["model"],
                loss=r["loss"],
                epochs=int(r["epochs"]),
                test_accuracy=float(r["test_accuracy"]),
                train_seconds=float(r["train_seconds"]),
                parameters=int(r["parameters"]),
                finished_at=r["finished_at"],
            )
            for r in reader
        ]


def _write(rows: list[ResultRow], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".accuracies-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(asdict(row))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record_result(
    *,
    notebook: str,
    model: str,
    loss: str,
    epochs: int,
    test_accuracy: float,
    train_seconds: float,
    parameters: int,
    path: Path | None = None,
) -> ResultRow:
    """Record (or replace) the row for ``model`` and return it."""
    if not 0.0 <= float(test_accuracy) <= 1.0:
        raise ValueError(f"test_accuracy must be in [0, 1], got {test_accuracy}")
    path = path or results_path()
    row = ResultRow(
        notebook=notebook,
        model=model,
        loss=loss,
        epochs=int(epochs),
        test_accuracy=round(float(test_accuracy), 4),
        train_seconds=round(float(train_seconds), 1),
        parameters=int(parameters),
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    rows = load_results(path)
    keys = [r.model for r in rows]
    if model in keys:
        rows[keys.index(model)] = row
    else:
        rows.append(row)
    _write(rows, path)
    return row


def record_training(notebook: str, key: str, model, run, test_accuracy: float) -> ResultRow:
    """Record a model trained with ``mnistlib.training.train``: loss, epochs, time and size
    are read from the model and its TrainingRun."""
    loss = model.loss if isinstance(model.loss, str) else type(model.loss).__name__
    return record_result(
        notebook=notebook,
        model=key,
        loss=loss,
        epochs=run.epochs,
        test_accuracy=test_accuracy,
        train_seconds=run.seconds,
        parameters=model.count_params(),
    )


def format_results(rows: list[ResultRow] | None = None) -> str:
    """The rows as an aligned text table, best accuracy first."""
    rows = load_results() if rows is None else rows
    if not rows:
        return "(no results recorded yet)"
    shown = ("notebook", "model", "loss", "epochs", "test_accuracy", "train_seconds", "parameters")
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


__all__ = [
    "COLUMNS",
    "ResultRow",
    "best_result",
    "format_results",
    "load_results",
    "record_result",
    "record_training",
    "results_path",
]
