"""Plumbing: keep TensorFlow's C++/absl log lines out of notebooks and terminals.

TensorFlow prints start-up lines (CUDA probing, oneDNN banners) straight to the process's
standard error from C++, before Python's logging is involved, so ``TF_CPP_MIN_LOG_LEVEL``
alone does not catch all of them. ``import_tensorflow_quietly`` imports TensorFlow once with
file descriptor 2 pointed at ``/dev/null``; later imports of ``tensorflow`` or ``keras`` are
then silent. The modules that need TensorFlow call it before importing it; notebooks call it
as ``mnistlib.quiet_tensorflow()`` before their own ``import keras``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """File descriptor 2 pointed at ``/dev/null`` for the block: C++ libraries (TensorFlow,
    LiteRT) print start-up lines there, past Python's ``sys.stderr``."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (some embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow (once) without letting its C++ start-up lines reach stderr."""
    if "tensorflow" not in sys.modules:
        with silenced_stderr():
            import tensorflow  # noqa: F401
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover - absl ships with TensorFlow
        pass
    # Keras/TensorFlow deprecation chatter is not for learners.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(keras|tensorflow).*")
