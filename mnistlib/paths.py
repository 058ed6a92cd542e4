"""Where files go: the home of ``models/`` and ``results/``, and the files shipped in the package.

The home folder holds ``models/`` (saved ``.keras`` models) and ``results/`` (the accuracy
table). It is, in this order:

1. ``$MNISTLIB_HOME``, when that environment variable is set;
2. the folder given to ``set_home(path)`` in this process (the notebooks call it with their own
   folder when they run outside a clone of the repository);
3. the root of the clone of this repository that the working directory is in (the folder with
   ``pyproject.toml`` and ``mnistlib/``), so notebooks in ``notebooks/`` and commands run from
   the root agree;
4. otherwise a per-user folder, never the working directory: ``$XDG_DATA_HOME/mnistlib``
   (default ``~/.local/share/mnistlib``) on Linux and macOS, ``%LOCALAPPDATA%\\mnistlib`` on
   Windows.

Nothing here creates a folder: writers create what they write into, so read-only commands
(``mnistlib results``, ``mnistlib recognize``) leave the file system as it was. The MNIST cache
has its own setting, ``MNISTLIB_DATA_DIR`` (see ``mnistlib.data``).

Shipped with the package (read with ``importlib.resources``): the default digit recogniser
(``shipped_recognizer_path()``) and sample images in the forms people hand in
(``sample_images()``).
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

HOME_VARIABLE = "MNISTLIB_HOME"
SAMPLE_SUFFIXES = (".png", ".jpg", ".jpeg")

_home: Path | None = None


def project_root(start: Path | None = None) -> Path | None:
    """The root of the clone holding ``start`` (default: the cwd), or None outside a clone."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "mnistlib").is_dir():
            return folder
    return None


def set_home(path: str | os.PathLike[str] | None) -> Path | None:
    """Use ``path`` as the home in this process (unless ``$MNISTLIB_HOME`` is set); None undoes.

    Returns the folder now in use for models and results.
    """
    global _home
    _home = None if path is None else Path(os.fspath(path)).expanduser().resolve()
    return home()


def user_home() -> Path:
    """The per-user fallback home (see the module's docstring)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "mnistlib"


def home() -> Path:
    """The folder holding ``models/`` and ``results/`` (see the module's docstring for the rule)."""
    if os.environ.get(HOME_VARIABLE):
        return Path(os.environ[HOME_VARIABLE]).expanduser()
    if _home is not None:
        return _home
    return project_root() or user_home()


def models_dir() -> Path:
    """Folder for saved ``.keras`` models (not created here)."""
    return home() / "models"


def results_dir() -> Path:
    """Folder for ``accuracies.csv`` and ``bench.csv`` (not created here)."""
    return home() / "results"


def _asset(*parts: str) -> Path:
    """A file shipped in ``mnistlib/assets`` (the package is installed as plain files)."""
    resource = files("mnistlib").joinpath("assets", *parts)
    if not isinstance(resource, os.PathLike):
        raise FileNotFoundError(f"mnistlib is not installed as plain files: {resource}")
    return Path(resource)


def shipped_recognizer_path() -> Path:
    """The digit recogniser shipped inside the package (``mnistlib/assets/``)."""
    return _asset("digit_recognizer.keras")


def sample_images() -> list[Path]:
    """The shipped sample images, sorted by name (``<form>_<true digit>.<ext>``)."""
    folder = _asset("samples")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)
