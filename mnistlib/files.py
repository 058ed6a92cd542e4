"""Where files go, and writing them safely.

Three folders, each with one setting:

- the **home**, holding ``models/`` (saved ``.keras`` models) and ``results/`` (the accuracy
  table and the bench's CSV). In this order: ``$MNISTLIB_HOME``; the folder given to
  ``set_home(path)`` in this process; the root of the clone the working directory is in (the
  folder with ``pyproject.toml`` and ``mnistlib/``), so notebooks in ``notebooks/`` and commands
  run from the root agree; otherwise a per-user folder, never the working directory:
  ``$XDG_DATA_HOME/mnistlib`` (default ``~/.local/share/mnistlib``), ``%LOCALAPPDATA%\\mnistlib``
  on Windows.
- the **MNIST cache** (``data_dir()``): ``$MNISTLIB_DATA_DIR``, else ``$XDG_CACHE_HOME/mnistlib``
  (default ``~/.cache/mnistlib``).
- the **shipped files** (the recogniser, sample images) live inside the package:
  ``mnistlib.recognition.loading`` finds them.

Nothing here creates a folder except a writer (``save_model``, ``locked``), so read-only
commands leave the file system as it was.

Writing: ``atomic_write(path)`` gives a temporary path beside ``path`` that replaces it in one
step when the block ends without an error (a reader never sees half a file); ``locked(path)``
holds an inter-process lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) so that two
processes doing read-modify-write of one file take turns.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HOME_VARIABLE = "MNISTLIB_HOME"
DATA_VARIABLE = "MNISTLIB_DATA_DIR"
#: Set to "1" by the project's tests and smoke runs only: every ``fit`` trains one short epoch
#: (``mnistlib.training.quick_mode``) and runs are recorded apart from a learner's
#: (``mnistlib.results.results_path``).
QUICK_VARIABLE = "MNISTLIB_FAST"
#: Permissions of a written file: what a plain ``open(path, "w")`` gives under the usual umask
#: 022 (``tempfile.mkstemp`` would leave 0o600).
FILE_MODE = 0o644
#: On Windows each ``msvcrt.locking`` call waits about 10 s (10 one-second tries) before it gives
#: up; this many calls wait about 5 minutes in all, then ``locked`` raises TimeoutError.
WINDOWS_LOCK_TRIES = 30
_KEY = re.compile(r"^[a-z0-9_]+$")

_home: Path | None = None  # set only by set_home(), which a notebook calls in view


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


def data_dir() -> Path:
    """The MNIST cache folder: ``$MNISTLIB_DATA_DIR``, else a per-user cache folder."""
    if os.environ.get(DATA_VARIABLE):
        return Path(os.environ[DATA_VARIABLE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "mnistlib"


def model_path(key: str) -> Path:
    """``<home>/models/<key>.keras`` for a key such as ``cnn`` or ``dense_hidden``."""
    if not _KEY.match(key):
        raise ValueError(f"model key must be lower-case letters, digits and _, got {key!r}")
    return models_dir() / f"{key}.keras"


def save_model(model: Any, key: str) -> Path:
    """Save a Keras ``model`` as ``<home>/models/<key>.keras``, atomically; returns the path.

    A model saved while another process loads it is either the old one or the new one.
    """
    path = model_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as tmp:
        model.save(tmp)
    return path


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the home folder when it is inside it (for printing in notebooks:
    a reader's absolute folders are not ours), else as given."""
    target = Path(os.fspath(path))
    try:
        return target.resolve().relative_to(home().resolve()).as_posix()
    except ValueError:
        return str(target)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The temporary file has the same suffix as ``path`` (so ``model.save`` or ``np.savez`` accept
    it) and a unique name, so concurrent writers never share one. The folder must exist.

    >>> with atomic_write("table.csv") as tmp:     # doctest: +SKIP
    ...     tmp.write_text("a,b\\n1,2\\n")
    """
    target = Path(os.fspath(path))
    fd, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}-", suffix=f".tmp{target.suffix}"
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file ``locked(path)`` uses: ``.<name>.lock`` in the same folder."""
    target = Path(os.fspath(path))
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive inter-process lock for ``path`` while the block runs.

    Creates the folder and the (empty) lock file if needed. Blocks until the lock is free.
    """
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+b") as handle:
        _acquire(handle.fileno())
        try:
            yield
        finally:
            _release(handle.fileno())


if sys.platform == "win32":
    import msvcrt

    def _acquire(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        for _ in range(WINDOWS_LOCK_TRIES):
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # blocks up to 10 s, then raises
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("could not lock the file: another process holds it")

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _acquire(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
