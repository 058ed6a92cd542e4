"""Shared test set-up."""

import mnistlib  # noqa: F401  (first: TensorFlow loads without its C++ log lines)
