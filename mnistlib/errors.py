"""Typed errors raised by mnistlib.

Every error a learner can trigger with bad input is one of these, with a message that says
what went wrong and what to do about it.
"""

from __future__ import annotations


class MnistlibError(Exception):
    """Base class of every error mnistlib raises on purpose."""


class DataUnavailableError(MnistlibError, RuntimeError):
    """MNIST could not be obtained from any source (the message lists what was tried)."""


class DataIntegrityError(MnistlibError, ValueError):
    """Data was found but does not match the published MNIST digests."""


class ImageError(MnistlibError, ValueError):
    """An image handed in for recognition cannot be used (the message says why)."""


class ModelLoadError(MnistlibError, ValueError):
    """A saved model is missing, corrupt, unsafe or not a digit classifier."""
