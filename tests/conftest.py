"""Shared test set-up."""

import mnistlib

mnistlib.quiet_tensorflow()  # first: TensorFlow loads without its C++ log lines
