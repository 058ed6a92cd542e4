"""mnistlib: the support package for the handwritten-digit notebooks.

Small modules, each named for what it does:

- ``mnistlib.data``: genuine MNIST, offline, verified (``load_mnist``).
- ``mnistlib.preprocess``: reshaping, scaling and one-hot encoding MNIST's arrays.
- ``mnistlib.models``: the model builders.
- ``mnistlib.training``: the progress display and timing around ``model.fit``.
- ``mnistlib.results``: the accuracy table (``results/accuracies.csv``).
- ``mnistlib.metrics``: the confusion matrix.
- ``mnistlib.plotting``: figures (each function returns its Figure).
- ``mnistlib.imageio``: reading an image from any source, safely.
- ``mnistlib.prepare``: preparing an image the way MNIST's digits were prepared.
- ``mnistlib.recognize``: recognising the digit in a person's own image.
- ``mnistlib.saving``: saving models, loading them safely, the default recogniser.
- ``mnistlib.paths``: where files go, and the files shipped in the package.
- ``mnistlib.fileio``: atomic writes and inter-process locks.
- ``mnistlib.forms``: image forms people hand in, and accuracy per form.
- ``mnistlib.widgets``, ``mnistlib.rendering``: the notebook widgets, and how they show a result.
- ``mnistlib.errors``: the typed errors.

Importing mnistlib does not import TensorFlow. Modules that need it import it quietly (no C++
log lines); a notebook that imports ``keras`` or ``tensorflow`` itself calls
``mnistlib.quiet_tensorflow()`` first.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from mnistlib._quiet import import_tensorflow_quietly as quiet_tensorflow
from mnistlib.seed import set_seed

#: The distribution name on PyPI (the import name ``mnistlib`` is taken there by another project).
DISTRIBUTION = "handwritten-digits-mnistlib"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["DISTRIBUTION", "__version__", "quiet_tensorflow", "set_seed"]
