"""The results table the notebooks fill: ``results/accuracies.csv`` (see ``mnistlib.files``).

Every training run is one row, ranked by its **validation** accuracy. A row's key covers all
that defines the run (``mnistlib.runs``): change any of it and re-run, and a new row appears
beside the old one; re-run unchanged, and the run replaces its own row. The visible run name
says what a variant changed from the model's first row ("first run", "4 epochs", "MSE loss,
1 epoch", "Conv2D 64 -> 16 filters"). Each row also keeps its learning curves, which
``learning_curves()`` hands to ``figures.plot_runs``.

In a notebook, one callback times the run and records it (``mnistlib.training.Recorder``)::

    model.fit(..., callbacks=[training.Recorder("document CNN", batch_size=BATCH_SIZE)])

and the test set is scored once, at the end, with ``record_test(model, accuracy)``, which fills
the row's test column. ``start_fresh()`` sets the table aside and starts an empty one.

Quick-mode smoke runs (``$MNISTLIB_FAST=1``, the project's tests) go to a table of their own,
``results/smoke-accuracies.csv``: a learner's table never shows them.

Recording reads the table, changes it and writes it back under an inter-process lock
(``mnistlib.files.locked``), so two notebooks recording at once lose nothing.
"""

from __future__ import annotations

import csv
import json
import math
import os
import textwrap
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnistlib.files import QUICK_VARIABLE, atomic_write, locked, results_dir, shown
from mnistlib.runs import describe_run, run_key, run_name

if TYPE_CHECKING:
    import keras

COLUMNS = (
    "model",
    "run",
    "val_accuracy",
    "val_loss",
    "test_accuracy",
    "epochs",
    "batch_size",
    "seed",
    "train_seconds",
    "parameters",
    "key",
    "settings",
    "curves",
    "finished_at",
)
#: Columns ``format_results`` prints by default, and their headings; any column of ``COLUMNS``
#: but the last four can be asked for (``columns=(...)``).
SHOWN = ("model", "run", "val_accuracy", "test_accuracy", "epochs", "train_seconds")
HEADINGS = {
    "val_accuracy": "val acc",
    "val_loss": "val loss",
    "test_accuracy": "test acc",
    "batch_size": "batch",
    "train_seconds": "seconds",
}
#: ``format_results`` lines fit this many characters (a notebook's output, a terminal): the run
#: column wraps onto more lines when a name is longer.
WIDTH = 100
#: The columns that wrap to keep a line within ``WIDTH``, and their narrowest width.
WRAPPED = ("run", "model")
MIN_WRAPPED = 12
TABLE = "accuracies.csv"
#: Where quick-mode smoke runs go instead, so they never mix with real runs.
SMOKE_TABLE = "smoke-accuracies.csv"

#: The attribute ``record`` sets on the model it recorded: its row's key, for ``record_test``
#: (kept with the model itself, so no table of models outlives them).
KEY_ATTRIBUTE = "mnistlib_run_key"


@dataclass(frozen=True)
class ResultRow:
    """One training run: what it reached on the validation set (and, once, on the test set)."""

    model: str
    run: str
    val_accuracy: float
    val_loss: float
    test_accuracy: float | None
    epochs: int
    batch_size: int
    seed: int | None
    train_seconds: float
    parameters: int
    key: str
    settings: dict[str, Any]
    curves: dict[str, list[float]]
    finished_at: str


def results_path() -> Path:
    """``<home>/results/accuracies.csv``, or ``smoke-accuracies.csv`` in quick mode (nothing
    is created)."""
    smoke = os.environ.get(QUICK_VARIABLE) == "1"
    return results_dir() / (SMOKE_TABLE if smoke else TABLE)


def _number(text: str) -> float | None:
    return None if text in ("", "None") else float(text)


def _row(r: dict[str, str]) -> ResultRow:
    return ResultRow(
        model=r["model"],
        run=r["run"],
        val_accuracy=float(r["val_accuracy"]),
        val_loss=float(r["val_loss"]),
        test_accuracy=_number(r["test_accuracy"]),
        epochs=int(r["epochs"]),
        batch_size=int(r["batch_size"]),
        seed=None if r["seed"] in ("", "None") else int(r["seed"]),
        train_seconds=float(r["train_seconds"]),
        parameters=int(r["parameters"]),
        key=r["key"],
        settings=json.loads(r["settings"]),
        curves=json.loads(r["curves"] or "{}"),
        finished_at=r["finished_at"],
    )


def load_results(path: Path | None = None) -> list[ResultRow]:
    """All recorded rows, in the order they were first recorded (empty if there is no file).

    Raises ValueError for a file that is not a results table of this kind.
    """
    path = path or results_path()
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(
                f"{path} does not have the columns {', '.join(COLUMNS)} (an older table? "
                "results.start_fresh() sets it aside)"
            )
        try:
            return [_row(r) for r in reader]
        except (TypeError, ValueError, KeyError) as err:
            raise ValueError(f"{path} has a malformed row ({err})") from None


def _write(rows: list[ResultRow], path: Path) -> None:
    with atomic_write(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            fields = asdict(row)
            fields["settings"] = json.dumps(row.settings, sort_keys=True)
            fields["curves"] = json.dumps(row.curves)
            fields["test_accuracy"] = "" if row.test_accuracy is None else row.test_accuracy
            fields["seed"] = "" if row.seed is None else row.seed
            writer.writerow(fields)


def start_fresh(path: Path | None = None) -> Path | None:
    """Set the table aside (renamed with the time) so the next run starts an empty one.

    Returns where the old table went (None when there was none). Nothing is deleted.
    """
    path = path or results_path()
    if not path.is_file():
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.stem}-{stamp}{path.suffix}")
    with locked(path):
        path.replace(kept)
    return kept


def _with_row(rows: list[ResultRow], row: ResultRow) -> list[ResultRow]:
    """``rows`` with ``row`` in place of the row with its key, or added at the end."""
    keys = [r.key for r in rows]
    if row.key in keys:
        rows[keys.index(row.key)] = row
    else:
        rows.append(row)
    return rows


def _checked(val_accuracy: float, val_loss: float, seconds: float) -> None:
    for label, value in (("val_accuracy", val_accuracy), ("val_loss", val_loss)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{label} must be a number, got {value}")
    if not 0.0 <= float(val_accuracy) <= 1.0:
        raise ValueError(f"val_accuracy must be in [0, 1], got {val_accuracy}")
    if not math.isfinite(float(seconds)) or seconds < 0:
        raise ValueError(f"seconds must be a non-negative number, got {seconds}")


def record(
    model: keras.Model,
    name: str,
    *,
    val_accuracy: float,
    val_loss: float,
    epochs: int,
    batch_size: int,
    seed: int | None,
    seconds: float,
    curves: dict[str, list[float]] | None = None,
    path: Path | None = None,
) -> ResultRow:
    """Record one training run of ``model`` under the model name ``name`` and return its row
    (``curves``: its learning curves, as ``History.history``).

    An unchanged re-run (same key) replaces its row, test column emptied: the model is new.
    """
    _checked(val_accuracy, val_loss, seconds)
    path = path or results_path()
    settings = describe_run(model, epochs=epochs, batch_size=batch_size, seed=seed)
    key = run_key(name, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        rows = load_results(path)
        same = [r for r in rows if r.model == name]
        first = same[0].settings if same and same[0].key != key else None
        row = ResultRow(
            model=name,
            run=run_name(first, settings),
            val_accuracy=round(float(val_accuracy), 4),
            val_loss=round(float(val_loss), 4),
            test_accuracy=None,
            epochs=int(epochs),
            batch_size=int(batch_size),
            seed=seed,
            train_seconds=round(float(seconds), 1),
            parameters=int(model.count_params()),
            key=key,
            settings=settings,
            curves={k: [round(float(v), 5) for v in vs] for k, vs in (curves or {}).items()},
            finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        _write(_with_row(rows, row), path)
    setattr(model, KEY_ATTRIBUTE, key)
    return row


def record_test(model: keras.Model, test_accuracy: float, path: Path | None = None) -> float:
    """Fill the test column of the row ``model`` was recorded under; returns the accuracy.

    The model must have been trained with ``training.Recorder`` in this session.
    """
    accuracy = float(test_accuracy)
    if not 0.0 <= accuracy <= 1.0:
        raise ValueError(f"test_accuracy must be in [0, 1], got {test_accuracy}")
    key = getattr(model, KEY_ATTRIBUTE, None)
    if key is None:
        raise ValueError(f"{model.name} was not trained with training.Recorder in this session")
    path = path or results_path()
    with locked(path):
        rows = load_results(path)
        keys = [r.key for r in rows]
        if key not in keys:
            raise ValueError(f"no row for {model.name} in {shown(path)} (was it set aside?)")
        rows[keys.index(key)] = replace(rows[keys.index(key)], test_accuracy=round(accuracy, 4))
        _write(rows, path)
    return accuracy


def _cell(row: ResultRow, column: str) -> str:
    value = getattr(row, column)
    if value is None:
        return "-"
    if column in ("val_accuracy", "val_loss", "test_accuracy"):
        return f"{value:.4f}"
    return f"{value:.0f}" if column == "train_seconds" else str(value)


def format_results(
    rows: list[ResultRow] | None = None, *, columns: tuple[str, ...] = SHOWN, width: int = WIDTH
) -> str:
    """The rows as an aligned text table, best validation accuracy first, each line at most
    ``width`` characters: a long run name (or model name) wraps onto the next lines of its
    column. The test
    column stays "-" until a notebook's last part scores the test set; ``columns`` picks
    others (``batch_size``, ``seed``, ``val_loss``, ``parameters``)."""
    rows = load_results() if rows is None else rows
    if not rows:
        return "(no results recorded yet)"
    ranked = sorted(rows, key=lambda r: (-r.val_accuracy, r.val_loss))
    heads = [HEADINGS.get(c, c) for c in columns]
    cells = [[_cell(r, c) for c in columns] for r in ranked]
    widths = [max(len(x) for x in [h] + [row[i] for row in cells]) for i, h in enumerate(heads)]
    for column in WRAPPED:  # the run name first, then the model's, down to MIN_WRAPPED
        over = sum(widths) + 2 * (len(columns) - 1) - width
        if column in columns and over > 0:
            at = columns.index(column)
            widths[at] = max(MIN_WRAPPED, widths[at] - over)
    lines = []
    for row in [heads, *cells]:
        parts = [textwrap.wrap(v, w) or [""] if c in WRAPPED else [v] for v, w, c in
                 zip(row, widths, columns, strict=True)]  # fmt: skip
        for k in range(max(len(p) for p in parts)):
            pieces = [p[k] if k < len(p) else "" for p in parts]
            line = "  ".join(x.ljust(w) for x, w in zip(pieces, widths, strict=True))
            lines.append(line.rstrip())
    return "\n".join(lines)


def learning_curves(
    *models: str, rows: list[ResultRow] | None = None
) -> dict[str, dict[str, dict]]:
    """Every run's learning curves, ``{model: {run: {"accuracy": [...], "val_loss": ...}}}``, in
    the order they were recorded (for ``figures.plot_runs``); only ``models`` if any are named,
    in that order."""
    rows = load_results() if rows is None else rows
    found: dict[str, dict[str, dict]] = {name: {} for name in models}
    for row in rows:
        if row.curves and (not models or row.model in models):
            found.setdefault(row.model, {})[row.run] = row.curves
    return {name: runs for name, runs in found.items() if runs}


__all__ = [
    "COLUMNS",
    "ResultRow",
    "format_results",
    "learning_curves",
    "load_results",
    "record",
    "record_test",
    "results_path",
    "start_fresh",
]
