"""Where generated files go: trained models and the results table.

Both folders are git-ignored. By default they sit at the project root (the folder holding
``pyproject.toml``, searched upwards from the working directory, so notebooks running in
``notebooks/`` and commands run from the root agree). ``MNISTLIB_MODELS_DIR`` and
``MNISTLIB_RESULTS_DIR`` override them.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the cwd) holding pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "mnistlib").is_dir():
            return folder
    return here


def _dir(env: str, name: str) -> Path:
    folder = Path(os.environ[env]) if os.environ.get(env) else project_root() / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def models_dir() -> Path:
    """Folder for saved ``.keras`` models (created if missing)."""
    return _dir("MNISTLIB_MODELS_DIR", "models")


def results_dir() -> Path:
    """Folder for ``accuracies.csv`` and ``bench.csv`` (created if missing)."""
    return _dir("MNISTLIB_RESULTS_DIR", "results")


def default_model_path() -> Path:
    """The default recogniser: the most accurate model saved by ``make run``."""
    return models_dir() / "digit_recognizer.keras"
