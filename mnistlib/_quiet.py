"""Plumbing: keep TensorFlow's C++/absl log lines out of notebooks and terminals.

TensorFlow prints start-up lines (CUDA probing, oneDNN banners) straight to the process's
standard error from C++, before Python's logging is involved, so ``TF_CPP_MIN_LOG_LEVEL``
alone does not catch all of them. ``import_tensorflow_quietly`` imports TensorFlow once with
file descriptor 2 pointed at ``/dev/null``; later imports of ``tensorflow`` or ``keras`` are
then silent. The modules that need TensorFlow call it before importing it; notebooks call it
as ``mnistlib.quiet_tensorflow()`` before their own ``import keras``.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def import_tensorflow_quietly() -> None:
    """Import TensorFlow (once) without letting its C++ start-up lines reach stderr."""
    if "tensorflow" not in sys.modules:
        try:
            saved = os.dup(2)
        except OSError:  # no usable fd 2 (some embedded interpreters): import normally
            saved = None
        if saved is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            if saved is not None:
                os.dup2(saved, 2)
                os.close(saved)
                os.close(devnull)
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover - absl ships with TensorFlow
        pass
    # Keras/TensorFlow deprecation chatter is not for learners.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(keras|tensorflow).*")
