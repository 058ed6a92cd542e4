"""Writing shared files safely: atomically, and under a lock when read, changed and written back.

- ``atomic_write(path)`` gives a temporary path in the same folder to write to; when the block
  ends without an error, the file is flushed to disk and renamed over ``path`` in one step, so a
  reader (or a crash) never sees half a file. On an error the temporary file is removed.
- ``locked(path)`` holds an inter-process lock for ``path`` (a ``.<name>.lock`` file beside it:
  ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), so that two processes doing
  read-modify-write of the same file take turns instead of losing each other's changes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: Permissions of a written file: what a plain ``open(path, "w")`` gives under the usual umask
#: 022 (``tempfile.mkstemp`` would leave 0o600).
FILE_MODE = 0o644
#: On Windows each ``msvcrt.locking`` call waits about 10 s (10 one-second tries) before it gives
#: up; this many calls wait about 5 minutes in all, then ``locked`` raises TimeoutError.
WINDOWS_LOCK_TRIES = 30


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
