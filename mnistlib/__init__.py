"""mnistlib: the support package for the handwritten-digit notebooks.

Small modules, each named for what it does:

- ``mnistlib.data``: genuine MNIST, offline, verified (``load_mnist``).
- ``mnistlib.preprocess``: reshaping, scaling and one-hot encoding.
- ``mnistlib.models``: the model builders used by the notebooks.
- ``mnistlib.training``: training with one log line per epoch, timed.
- ``mnistlib.results``: the accuracy table in ``results/accuracies.csv``.
- ``mnistlib.plotting``: figures (each function returns its Figure).
- ``mnistlib.recognize``: recognising a person's own digit image.
- ``mnistlib.errors``: the typed errors.

Importing mnistlib imports TensorFlow once, silently, so that no C++ log lines reach a
notebook's outputs (import mnistlib before keras or tensorflow).
"""

from __future__ import annotations

from mnistlib._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from mnistlib.seed import set_seed  # noqa: E402

__all__ = ["set_seed", "__version__"]
__version__ = "0.1.0"
