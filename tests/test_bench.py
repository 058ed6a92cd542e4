"""The benchmark table plumbing (the benchmarks themselves run in `make bench`, not here)."""

from __future__ import annotations

import csv
import math

from benchmarks import suite


def test_table_and_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    rows = [
        suite.Row("latency", "recognize", "predict", 2.0, 40.0, "ms", 0.05, "<= 0.1"),
        suite.Row("memory", "01 peak", "-", 900.0, math.nan, "MiB", math.nan, "report"),
    ]
    table = suite.format_table(rows).splitlines()
    assert table[0].startswith("| benchmark |") and len(table) == 4
    assert "| 0.05 |" in table[2] and "| - |" in table[3]
    path = suite.write_csv(rows)
    with path.open() as handle:
        written = list(csv.DictReader(handle))
    assert [r["subject"] for r in written] == ["recognize", "01 peak"]
    assert written[0]["ratio"] == "0.05" and "cores" in written[0]["machine"]


def test_profile_maps_traced_op_names_to_layers():
    """TensorFlow suffixes each layer's scope in the traced graph: conv2d_1 is layer conv2d."""
    import keras

    from benchmarks import profile
    from mnistlib import models

    keras.backend.clear_session()
    label = profile._labeller(models.build_improved_cnn(epochs=1, steps_per_epoch=1))
    prefix = "while/body/StatefulPartitionedCall/"
    assert label(prefix + "improved_cnn_1/conv2d_1/convolution:_MklNativeConv2D") == (
        "Conv2D 1 (16), forward"
    )
    assert label(
        prefix + "gradient_tape/improved_cnn_1/conv2d_1_2/convolution/Conv2DBackpropFilter:X"
    ) == ("Conv2D 2 (64), gradient")
    assert label(prefix + "improved_cnn_1/batch_normalization_3_1/moments/mean:Mean") == (
        "BatchNormalization 4, forward"
    )
    assert label(prefix + "improved_cnn_1/dense_1/MatMul:_MklMatMul") == (
        f"Dense 1 ({models.IMPROVED_DENSE}), forward"
    )
    assert label(prefix + "adam/Sub:Sub") == "optimizer and bookkeeping"
