"""The results table the notebooks fill: ``results/accuracies.csv`` (see ``mnistlib.files``).

Every training run is one row, ranked by its **validation** accuracy. A row's key covers all
that defines the run: the model's name, its layers and their settings (from the model's
config), the optimizer with its learning-rate schedule, the loss, the epochs, the batch size and
the seed. Change any of them and re-run: a new row appears beside the old one. Re-run unchanged:
the run replaces its own row. The visible run name says what differs from the first row of the
same model ("first run", "epochs 2 -> 4", "layer 2 Conv2D filters 64 -> 16", ...).

In a notebook, one callback times the run and records it (``mnistlib.training.Recorder``)::

    model.fit(..., callbacks=[training.Recorder("document CNN", batch_size=BATCH_SIZE)])

and the test set is scored once, at the end, with ``record_test(model, accuracy)``, which fills
the row's test column. ``start_fresh()`` sets the table aside and starts an empty one.

Recording reads the table, changes it and writes it back under an inter-process lock
(``mnistlib.files.locked``), so two notebooks recording at once lose nothing.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import math
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnistlib.files import atomic_write, locked, results_dir, shown

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
    "finished_at",
)
#: Columns ``format_results`` prints (the key, settings and time stay in the file).
SHOWN = COLUMNS[:10]
#: Layer settings that do not change what a layer computes: left out of the key.
IGNORED_SETTINGS = {
    "name",
    "trainable",
    "dtype",
    "build_config",
    "compile_config",
    "module",
    "registered_name",
}
#: Float settings are rounded to this many significant digits (0.0010000000474974513 -> 0.001).
DIGITS = 6
FIRST_RUN = "first run"

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
    finished_at: str


# --- what defines a run --------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """JSON-ready and stable: floats rounded, names and dtypes dropped, tuples as lists."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in sorted(value.items()) if k not in IGNORED_SETTINGS}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{DIGITS}g}")
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _loss_settings(loss: Any) -> Any:
    if loss is None or isinstance(loss, str):
        return loss
    import keras

    try:
        return _clean(keras.losses.serialize(loss))
    except (TypeError, ValueError):
        return getattr(loss, "__name__", type(loss).__name__)


def describe_run(
    model: keras.Model, *, epochs: int, batch_size: int, seed: int | None
) -> dict[str, Any]:
    """Everything that defines a training run of a compiled ``model``, as plain JSON values."""
    optimizer = getattr(model, "optimizer", None)
    return {
        "layers": [
            {"class": type(layer).__name__, **_clean(layer.get_config())} for layer in model.layers
        ],
        "optimizer": None
        if optimizer is None
        else {"class": type(optimizer).__name__, **_clean(optimizer.get_config())},
        "loss": _loss_settings(getattr(model, "loss", None)),
        "epochs": int(epochs),
        "batch_size": int(batch_size),
        "seed": seed,
    }


def run_key(model_name: str, settings: dict[str, Any]) -> str:
    """A short fingerprint of (model name, settings): equal exactly when the runs are the same."""
    text = json.dumps([model_name, settings], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _class(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("class") or value.get("class_name")
    return None


def _fields(value: dict[str, Any]) -> dict[str, Any]:
    """A setting's own fields: its ``config`` merged in, its class left out."""
    fields = {k: v for k, v in value.items() if k not in ("class", "class_name", "config")}
    fields.update(value.get("config") or {})
    return fields


def _brief(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict):
        inner = ", ".join(f"{k}={_brief(v)}" for k, v in _fields(value).items())
        return f"{_class(value) or ''}({inner})"
    return str(value)


def _compare(label: str, old: Any, new: Any) -> list[str]:
    """What differs between two settings, as "label old -> new" lines."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        if _class(old) != _class(new):
            found.append(f"{label} {_class(old)} -> {_class(new)}")
        a, b = _fields(old), _fields(new)
        for name in [k for k in a if k in b]:  # fields one class lacks are part of its change
            found += _compare(f"{label} {name}", a[name], b[name])
        return found
    return [f"{label} {_brief(old)} -> {_brief(new)}"]


def differences(first: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """What differs in ``settings`` from ``first``, e.g. ``["epochs 2 -> 4"]``."""
    found = []
    old_types = [layer["class"] for layer in first.get("layers", [])]
    new_types = [layer["class"] for layer in settings.get("layers", [])]
    if old_types != new_types:
        matcher = difflib.SequenceMatcher(a=old_types, b=new_types, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op in ("delete", "replace"):
                found += [f"- layer {i + 1} {old_types[i]}" for i in range(a0, a1)]
            if op in ("insert", "replace"):
                found += [f"+ layer {i + 1} {new_types[i]}" for i in range(b0, b1)]
    else:
        for i, (old, new) in enumerate(zip(first["layers"], settings["layers"], strict=True)):
            found += _compare(f"layer {i + 1} {new['class']}", old, new)
    for part in ("optimizer", "loss", "epochs", "batch_size", "seed"):
        found += _compare(part, first.get(part), settings.get(part))
    return found


def run_name(first: dict[str, Any] | None, settings: dict[str, Any]) -> str:
    """The visible name of a run: what differs from the model's first row ("first run" if
    it is the first, or the same settings)."""
    if first is None:
        return FIRST_RUN
    return "; ".join(differences(first, settings)) or FIRST_RUN


# --- the table -----------------------------------------------------------------------------
def results_path() -> Path:
    """``<home>/results/accuracies.csv`` (see ``mnistlib.files``; nothing is created)."""
    return results_dir() / "accuracies.csv"


def _number(text: str) -> float | None:
    return None if text in ("", "None") else float(text)


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
            return [
                ResultRow(
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
                    finished_at=r["finished_at"],
                )
                for r in reader
            ]
        except (TypeError, ValueError, KeyError) as err:
            raise ValueError(f"{path} has a malformed row ({err})") from None


def _write(rows: list[ResultRow], path: Path) -> None:
    with atomic_write(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            fields = asdict(row)
            fields["settings"] = json.dumps(row.settings, sort_keys=True)
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
    path: Path | None = None,
) -> ResultRow:
    """Record one training run of ``model`` under the model name ``name`` and return its row.

    An unchanged re-run (same key) replaces its row, test column emptied: the model is new.
    """
    for label, value in (("val_accuracy", val_accuracy), ("val_loss", val_loss)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{label} must be a number, got {value}")
    if not 0.0 <= float(val_accuracy) <= 1.0:
        raise ValueError(f"val_accuracy must be in [0, 1], got {val_accuracy}")
    if not math.isfinite(float(seconds)) or seconds < 0:
        raise ValueError(f"seconds must be a non-negative number, got {seconds}")
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
            finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        _write(_with_row(rows, row), path)
    setattr(model, KEY_ATTRIBUTE, key)
    return row


def record_row(row: ResultRow, path: Path | None = None) -> ResultRow:
    """Store a ready-made row: it replaces the row with the same key, else it is added.

    ``record`` (and ``training.Recorder``) make rows from a trained model; this is the storage
    step on its own, under the same lock.
    """
    path = path or results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        _write(_with_row(load_results(path), row), path)
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


def format_results(rows: list[ResultRow] | None = None) -> str:
    """The rows as an aligned text table, best validation accuracy first (test column blank
    until the notebook's last part scores the test set)."""
    rows = load_results() if rows is None else rows
    if not rows:
        return "(no results recorded yet)"

    def cell(row: ResultRow, column: str) -> str:
        value = getattr(row, column)
        if value is None:
            return "-"
        return (
            f"{value:.4f}"
            if column in ("val_accuracy", "val_loss", "test_accuracy")
            else str(value)
        )

    ranked = sorted(rows, key=lambda r: (-r.val_accuracy, r.val_loss))
    cells = [SHOWN] + [tuple(cell(r, c) for c in SHOWN) for r in ranked]
    widths = [max(len(row[i]) for row in cells) for i in range(len(SHOWN))]
    lines = ("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells)
    return "\n".join(line.rstrip() for line in lines)


def best_result(rows: list[ResultRow] | None = None) -> ResultRow | None:
    """The row with the highest validation accuracy (None when nothing is recorded)."""
    rows = load_results() if rows is None else rows
    return max(rows, key=lambda r: (r.val_accuracy, -r.val_loss), default=None)


__all__ = [
    "COLUMNS",
    "ResultRow",
    "best_result",
    "describe_run",
    "differences",
    "format_results",
    "load_results",
    "record",
    "record_row",
    "record_test",
    "results_path",
    "run_key",
    "run_name",
    "start_fresh",
]
