"""Benchmarks for `make bench`: each measured side by side with a baseline in one run."""
