"""Saving trained models under ``models/`` and choosing the default recogniser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import keras

from mnistlib.paths import default_model_path, models_dir
from mnistlib.results import best_result, load_results

_KEY = re.compile(r"^[a-z0-9_]+$")


def model_path(key: str) -> Path:
    """``models/<key>.keras`` for a results key such as ``cnn`` or ``dense_hidden``."""
    if not _KEY.match(key):
        raise ValueError(f"model key must be lower-case letters, digits and _, got {key!r}")
    return models_dir() / f"{key}.keras"


def save_model(model: keras.Model, key: str) -> Path:
    """Save ``model`` in the native ``.keras`` format as ``models/<key>.keras``."""
    path = model_path(key)
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    model.save(tmp)
    tmp.replace(path)
    return path


def update_default_recognizer() -> Path | None:
    """Copy the most accurate saved model to ``models/digit_recognizer.keras``.

    The most accurate is read from ``results/accuracies.csv`` among models whose file exists.
    Returns the default model's path, or None when no recorded model has been saved.
    """
    rows = [r for r in load_results() if model_path(r.model).is_file()]
    best = best_result(rows)
    if best is None:
        return None
    target = default_model_path()
    tmp = target.with_name(".digit_recognizer.tmp.keras")
    shutil.copyfile(model_path(best.model), tmp)
    tmp.replace(target)
    return target
