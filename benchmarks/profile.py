"""Where the improved CNN's training time goes: an op-level profile, and the filter choice.

Both use notebook 01's own improved CNN, loaded from the file the notebook saved (run notebook
01 first: ``make run``, or the ``notebooks`` benchmark before these). ``profile`` traces
training steps with TensorFlow's profiler and adds up the time of each operation over both
worker threads, grouped by layer and kind (forward, gradient); ``first_filters`` times 16
filters in the first convolution (the notebook's) against 32 (the Keras example's) side by side.
"""

from __future__ import annotations

import collections
import math
import re
import tempfile
import time
from pathlib import Path

import mnistlib

mnistlib.quiet_tensorflow()  # before keras: no TensorFlow log lines
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks import models  # noqa: E402
from benchmarks.row import Row  # noqa: E402

#: Groups smaller than this share of the op time are summed into "everything else".
SMALLEST_GROUP = 0.03
#: Training steps traced or timed: enough to even out, few enough to take seconds.
STEPS = 48


def _labeller(model: keras.Model):
    """A function from an op's name to "<layer> (forward|gradient)" for ``model``'s layers."""
    kinds: dict[str, str] = {}
    seen: collections.Counter[str] = collections.Counter()
    for layer in model.layers:
        kind = type(layer).__name__
        seen[kind] += 1
        size = getattr(layer, "filters", None) or getattr(layer, "units", None)
        kinds[layer.name] = f"{kind} {seen[kind]}" + (f" ({size})" if size else "")

    def label(op_name: str) -> str:
        path = op_name.split("StatefulPartitionedCall/")[-1].split(":")[0].split("/")
        for part in path:
            # The traced graph names each layer's scope with a suffix: conv2d_1 is layer conv2d,
            # conv2d_1_2 is layer conv2d_1. So strip one suffix first.
            name = next((n for n in (re.sub(r"_\d+$", "", part), part) if n in kinds), None)
            if name:
                direction = "gradient" if path[0] == "gradient_tape" else "forward"
                return f"{kinds[name]}, {direction}"
        return "optimizer and bookkeeping"

    return label


def _op_times(logdir: Path, label) -> collections.Counter[str]:
    from tensorflow.tsl.profiler.protobuf import xplane_pb2  # ships inside TensorFlow

    totals: collections.Counter[str] = collections.Counter()
    for trace in logdir.rglob("*.xplane.pb"):
        space = xplane_pb2.XSpace()
        space.ParseFromString(trace.read_bytes())
        for plane in space.planes:
            names = plane.event_metadata
            for line in plane.lines:
                if not line.name.startswith("tf_Compute"):
                    continue
                for event in line.events:
                    name = names[event.metadata_id].name
                    if not name.startswith("ExecutorState"):
                        totals[label(name)] += event.duration_ps / 1e12
    return totals


def _skipped(benchmark: str, err: Exception) -> Row:
    return Row(benchmark, "improved CNN", "-", math.nan, math.nan, "-", math.nan, "report",
               f"skipped: {err}")  # fmt: skip


def _train_data(quick: bool, batch: int):
    from mnistlib import data

    (x, y), _ = data.load_mnist()
    n = batch * (4 if quick else STEPS)
    return (x[:n] / np.float32(255))[..., None], keras.utils.to_categorical(y[:n], 10)


def profile(quick: bool):
    """Share of the op time per layer and direction, then per kind of layer, for the improved
    CNN's training steps."""

    batch = 256
    x, y = _train_data(quick, batch)
    keras.backend.clear_session()  # layer names without a model's number: conv2d, conv2d_1...
    try:
        model = models.notebook_improved_cnn()
    except FileNotFoundError as err:
        return [_skipped("profile", err)]
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # traced and warmed up first
    with tempfile.TemporaryDirectory() as tmp:
        try:
            tf.profiler.experimental.start(tmp)
            model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        finally:
            tf.profiler.experimental.stop()
        try:
            totals = _op_times(Path(tmp), _labeller(model))
        except ImportError as err:  # the profiler's protobufs moved in another TensorFlow
            return [Row("profile", "op times", "-", math.nan, math.nan, "share", math.nan,
                        "report", f"unavailable: {err}")]  # fmt: skip
    whole = sum(totals.values()) or 1.0
    shares = {name: t / whole for name, t in totals.most_common()}
    kept = {name: s for name, s in shares.items() if s >= SMALLEST_GROUP}
    kept["everything else"] = 1.0 - sum(kept.values())
    by_kind: collections.Counter[str] = collections.Counter()
    for name, share in shares.items():  # "Conv2D 2 (64), gradient" -> "all Conv2D"
        kind = name.split()[0]
        by_kind["all " + ("augmentation" if kind.startswith("Random") else kind)] += share
    kept.update(dict(by_kind.most_common()))
    return [
        Row(
            "profile",
            f"improved CNN: {name}",
            "all op time",
            share,
            1.0,
            "share",
            share,
            "report",
            f"{len(x) // batch} steps of {batch}",
        )  # fmt: skip
        for name, share in kept.items()
    ]


def first_filters(quick: bool):
    """Seconds per training step with 16 filters in the first convolution against 32."""

    batch = 256
    x, y = _train_data(quick, batch)

    try:
        built = {first: models.notebook_improved_cnn(first_filters=first) for first in (16, 32)}
    except FileNotFoundError as err:
        return [_skipped("first filters", err)]
    times: dict[int, list[float]] = {first: [] for first in built}
    for model in built.values():
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # warm-up
    for _ in range(3):  # interleaved, best of 3
        for first, model in built.items():
            start = time.perf_counter()
            model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
            times[first].append((time.perf_counter() - start) / (len(x) // batch))
    new, old = min(times[16]), min(times[32])
    return [Row("first filters", "improved CNN, 16 first filters", "32 first filters", new, old,
                "s/step", new / old, "report", "best of 3, interleaved")]  # fmt: skip
