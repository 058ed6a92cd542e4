"""Benchmarks for `make bench`: each measured side by side with a baseline in one run."""

import mnistlib  # noqa: F401  (first: TensorFlow loads without its C++ log lines)
