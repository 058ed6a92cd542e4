"""mnistlib: the support package for the handwritten-digit notebooks.

The lesson's helpers, at the top (what the notebooks import):

- ``mnistlib.data``: genuine MNIST, offline and verified (``load_mnist``: what Keras returns).
- ``mnistlib.figures``: the lesson's figures (each function returns its Figure).
- ``mnistlib.results``: the accuracy table the notebooks fill and compare.
- ``mnistlib.training``: the progress display around ``model.fit``.
- ``mnistlib.files``: where files go (models, results, the MNIST cache), written safely.
- ``mnistlib.seed``: one call seeds every random number generator.
- ``mnistlib.errors``: the typed errors.
- ``mnistlib.cli``: the ``mnistlib`` command line (``__main__`` runs it).

Two subpackages, each with its own docstring listing its modules:

- ``mnistlib.recognition``: reading a person's own image, one digit or a whole number, with an
  honest "not sure"; the drawing pad and upload box; the shipped recogniser.
- ``mnistlib.measure``: measuring the recogniser (image forms, stroke-drawn digits and
  non-digits, number reading, the "not sure" checks). Recognition never imports it.

Importing mnistlib does not import TensorFlow. Modules that need it import it quietly (no C++
log lines); a notebook that imports ``keras`` itself calls ``mnistlib.quiet_tensorflow()`` first.
"""

from __future__ import annotations

from mnistlib._quiet import import_tensorflow_quietly as quiet_tensorflow
from mnistlib.seed import set_seed

#: The distribution name on PyPI (the import name ``mnistlib`` is taken there by another project).
DISTRIBUTION = "handwritten-digits-mnistlib"


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed distribution when asked for: importing
    ``importlib.metadata`` costs about a tenth of a second, which every command would pay."""
    if name != "__version__":
        raise AttributeError(f"module 'mnistlib' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__all__ = ["DISTRIBUTION", "__version__", "quiet_tensorflow", "set_seed"]
