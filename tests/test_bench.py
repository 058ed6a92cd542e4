"""The benchmark table plumbing (the benchmarks themselves run in `make bench`, not here)."""

from __future__ import annotations

import csv
import math

from benchmarks import suite
from benchmarks.row import Row


def test_table_and_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    rows = [
        Row("latency", "recognize", "predict", 2.0, 40.0, "ms", 0.05, "<= 0.1"),
        Row("memory", "01 peak", "-", 900.0, math.nan, "MiB", math.nan, "report"),
    ]
    table = suite.format_table(rows).splitlines()
    assert table[0].startswith("| benchmark |") and len(table) == 4
    assert "| 0.05 |" in table[2] and "| - |" in table[3]
    path = suite.write_csv(rows)
    with path.open() as handle:
        written = list(csv.DictReader(handle))
    assert [r["subject"] for r in written] == ["recognize", "01 peak"]
    assert written[0]["ratio"] == "0.05" and "cores" in written[0]["machine"]
