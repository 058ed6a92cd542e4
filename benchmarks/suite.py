"""The benchmarks. Each returns rows: what was measured, against which baseline, the ratio."""

from __future__ import annotations

import csv
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import mnistlib

mnistlib.quiet_tensorflow()  # before keras: no TensorFlow log lines
import keras  # noqa: E402

from benchmarks import models, profile, scenes  # noqa: E402
from benchmarks.row import Row  # noqa: E402
from mnistlib import data  # noqa: E402
from mnistlib.files import atomic_write, results_dir  # noqa: E402
from mnistlib.progress import progress_bar, report  # noqa: E402
from mnistlib.recognition.loading import sample_images, shipped_recognizer_path  # noqa: E402
from mnistlib.recognition.recognizer import Recognizer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"TensorFlow {__import__('tensorflow').__version__}, Keras {keras.__version__}"
    )


def _mnist(quick: bool):
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    if quick:
        return (x_train[:2560], y_train[:2560]), (x_test[:1000], y_test[:1000])
    return (x_train, y_train), (x_test, y_test)


def _cnn_input(x):
    """MNIST's uint8 images as a CNN takes them: (n, 28, 28, 1) floats in [0, 1]."""
    return (x.astype("float32") / 255)[..., None]


# --- 1. time to accuracy --------------------------------------------------------------------
def _timed_fit(model: keras.Model, *args, **kwargs) -> float:
    start = time.perf_counter()
    model.fit(*args, verbose=0, **kwargs)
    return time.perf_counter() - start


def recipe(quick: bool) -> dict[str, float]:
    """The Keras "Simple MNIST convnet" recipe trained as its page says, in this process: its
    training ``seconds``, test ``accuracy`` and ``epochs`` (the yardstick of ``notebooks``)."""
    (x, y), (xt, yt) = _mnist(quick)
    x_cnn, xt_cnn = _cnn_input(x), _cnn_input(xt)
    y_hot, yt_hot = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yt, 10)
    epochs = 1 if quick else 15
    keras.utils.set_random_seed(0)
    base = models.build_keras_example_cnn()
    seconds = _timed_fit(base, x_cnn, y_hot, batch_size=128, epochs=epochs, validation_split=0.1)
    accuracy = base.evaluate(xt_cnn, yt_hot, verbose=0)[1]
    return {"seconds": seconds, "accuracy": accuracy, "epochs": epochs}


def time_to_accuracy(quick: bool) -> list[Row]:
    """The recipe, the yardstick. Notebook 01's improved CNN is compared with it in
    ``notebooks``, from what notebook 01 records in the results table."""
    run = recipe(quick)
    return [Row("time to accuracy", f"Keras example convnet, {run['epochs']:.0f} epochs", "-",
                run["seconds"], math.nan, "s", math.nan, "report",
                f"test accuracy {run['accuracy']:.4f}")]  # fmt: skip


def _improved_cnn_rows(yardstick: dict[str, float]) -> list[Row]:
    """Notebook 01's improved CNN (its newest row in the results table) against the recipe."""
    from mnistlib import results

    rows = [r for r in results.load_results() if r.model == "improved CNN"]
    if not rows:
        return []
    ours = max(rows, key=lambda r: r.finished_at)
    recipe, recipe_accuracy = yardstick["seconds"], yardstick["accuracy"]
    test = math.nan if ours.test_accuracy is None else ours.test_accuracy
    return [
        Row("time to accuracy", f"improved CNN (notebook 01), {ours.epochs} epochs",
            "Keras example convnet (same run)", ours.train_seconds, recipe, "s",
            ours.train_seconds / recipe, "<= 0.5 (floor 1.0)",
            f"validation accuracy {ours.val_accuracy:.4f}; test {test:.4f} vs the recipe's "
            f"{recipe_accuracy:.4f} (floor 0.995)"),
        Row("test accuracy", "improved CNN (notebook 01)", "Keras example convnet", test,
            recipe_accuracy, "accuracy", test / recipe_accuracy, ">= 0.995"),
    ]  # fmt: skip


# --- 2. determinism cost ---------------------------------------------------------------------
def determinism_cost(quick: bool) -> list[Row]:
    """What TensorFlow's op determinism would cost: the recipe's CNN for one epoch, on and off."""
    code = (
        "import sys, time, mnistlib, numpy as np\n"
        "import keras\nfrom mnistlib import data\nfrom benchmarks import models\n"
        "det = sys.argv[1] == '1'; n = int(sys.argv[2])\n"
        "(x, y), _ = data.load_mnist(); x = (x[:n] / np.float32(255))[..., None]\n"
        "y = keras.utils.to_categorical(y[:n], 10)\n"
        "mnistlib.set_seed(0, deterministic=det)\n"
        "m = models.build_keras_example_cnn()\n"
        "m.fit(x[:2560], y[:2560], batch_size=256, epochs=1, verbose=0)\n"
        "t = time.perf_counter(); m.fit(x, y, batch_size=256, epochs=1, verbose=0)\n"
        "print(time.perf_counter() - t)\n"
    )
    n = 2560 if quick else 30000
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(1 if quick else 2):
        for det in (True, False):  # separate processes: determinism cannot be switched off
            out = subprocess.run([sys.executable, "-c", code, "1" if det else "0", str(n)],
                                 capture_output=True, text=True, check=True)  # fmt: skip
            times[det].append(float(out.stdout.strip().splitlines()[-1]))
    a, b = min(times[True]), min(times[False])
    return [Row("determinism cost", "recipe CNN, op determinism on",
                "seeds only (the default)", a, b, "s", a / b, "report",
                f"1 epoch on {n} images, best of {len(times[True])}")]  # fmt: skip


# --- 3. recognition latency ------------------------------------------------------------------
def recognition_latency(quick: bool) -> list[Row]:
    """``recognize`` on one JPEG file (warm) vs ``model.predict`` on the prepared array."""
    from mnistlib.recognition.prepare import prepare_image

    recognizer, which = Recognizer.load(), "the shipped recogniser, on LiteRT"
    model = Recognizer.load(shipped_recognizer_path()).model  # the same model, on Keras
    sample = next(p for p in sample_images() if p.name == "photo_7.jpg")
    prepared = prepare_image(sample).reshape(1, 28, 28, 1)
    repeats = 5 if quick else 50

    def timed(fn: Callable[[], object]) -> float:
        fn()
        fn()
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    ours = timed(lambda: recognizer.recognize(sample))
    theirs = timed(lambda: model.predict(prepared, verbose=0))
    return [Row("recognition latency", f"recognize() on {sample.name}, warm",
                "model.predict on the prepared array", ours, theirs, "ms", ours / theirs,
                "<= 0.1", f"median of {repeats}; model: {which}")]  # fmt: skip


def _median_seconds(args: list[str], repeats: int) -> float:
    """Median wall time of ``python ARGS`` in fresh processes (one unmeasured run first)."""
    times = []
    for k in range(repeats + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], capture_output=True, cwd=ROOT, check=False)
        if k:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start(quick: bool) -> list[Row]:
    """``mnistlib recognize`` in a fresh process, on a sample and on a missing file, beside
    ``python -c "import tensorflow"`` (what every answer cost while TensorFlow ran it)."""
    sample = str(next(p for p in sample_images() if p.name == "photo_7.jpg"))
    repeats = 3 if quick else 5
    tensorflow = _median_seconds(["-c", "import tensorflow"], repeats)
    answer = _median_seconds(["-m", "mnistlib", "recognize", sample], repeats)
    missing = _median_seconds(["-m", "mnistlib", "recognize", "missing.png"], repeats)
    note = f"median of {repeats} fresh processes; the shipped recogniser (LiteRT)"
    return [Row("cold start", "mnistlib recognize photo_7.jpg", 'python -c "import tensorflow"',
                answer, tensorflow, "s", answer / tensorflow, "<= 1.5 s", note),
            Row("cold start", "mnistlib recognize missing.png", 'python -c "import tensorflow"',
                missing, tensorflow, "s", missing / tensorflow, "<= 0.3 s", note)]  # fmt: skip


# --- 4. notebooks end to end -----------------------------------------------------------------
_RUN_ONE = """
import resource, sys, time
sys.path.insert(0, "scripts")
import run_notebooks
start = time.perf_counter()
_, sections = run_notebooks.run(__import__("pathlib").Path(sys.argv[1]).resolve())
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
for title, spent in sections:
    print(f"SECTION {spent:.1f} {title}")
print(f"RESULT {seconds:.1f} {peak_kib / 1024:.0f}")
"""


def notebooks(quick: bool) -> list[Row]:
    """Each notebook executed end to end (as `make run` does): wall time, each section's time
    (from the executed cells' timings, for docs/teaching.md) and the kernel's peak memory,
    beside the recipe trained in this same run (here, whatever else runs)."""
    yardstick = recipe(quick)
    rows = []
    env = dict(os.environ, MNISTLIB_FAST="1") if quick else dict(os.environ)
    for name in ("01_classification", "02_recognition"):
        path = ROOT / "notebooks" / f"{name}.ipynb"
        out = subprocess.run([sys.executable, "-c", _RUN_ONE, str(path)], cwd=ROOT, env=env,
                             capture_output=True, text=True)  # fmt: skip
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT")), None)
        if out.returncode != 0 or line is None:
            tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
            rows.append(Row("notebook end to end", name, "-", math.nan, math.nan, "s",
                            math.nan, "report", "failed: " + " | ".join(tail)))  # fmt: skip
            continue
        seconds, peak = (float(v) for v in line.split()[1:])
        recipe_seconds = yardstick["seconds"]
        target = "<= 1.5 (x the recipe)" if name.startswith("01") else "report"
        rows.append(Row("notebook end to end", f"{name} wall time",
                        "Keras recipe's training (same run)", seconds, recipe_seconds, "s",
                        seconds / recipe_seconds, target, "run as make run does"))  # fmt: skip
        for part in (x for x in out.stdout.splitlines() if x.startswith("SECTION ")):
            _, spent, title = part.split(" ", 2)
            rows.append(Row("notebook section", f"{name}: {title}", "-", float(spent), math.nan,
                            "s", math.nan, "report", "cell execution time"))  # fmt: skip
        rows.append(Row("notebook peak memory", f"{name} kernel peak RSS", "-", peak, math.nan,
                        "MiB", math.nan, "report"))  # fmt: skip
        if name.startswith("01") and not quick:
            rows += _improved_cnn_rows(yardstick)
    return rows


# --- 5. recognition accuracy per form --------------------------------------------------------
def forms_accuracy(quick: bool) -> list[Row]:
    """Recognition accuracy per image form (``mnistlib forms``), on MNIST test digits and on
    digits drawn with pen strokes (not MNIST)."""
    from mnistlib.measure import forms

    model = Recognizer.load()
    rows = []
    for digits, what in (("mnist", "MNIST test digits"), ("strokes", "digits drawn with strokes")):
        table = forms.evaluate_forms(model, n_per_form=50 if quick else 1000, seed=0,
                                     digits=digits)  # fmt: skip
        base = dict((f, a) for f, _, a in table)["mnist_as_is"]
        rows += [
            Row(
                "form accuracy",
                f"{form} ({digits})",
                "mnist_as_is",
                acc,
                base,
                "accuracy",
                acc / base,
                ">= 0.90 (goal 0.97)",
                f"{n} {what}",
            )  # fmt: skip
            for form, n, acc in table
        ]
    return rows


#: Issue 21's targets for whole numbers composed from MNIST test digits, written apart:
#: (condition, length, digit height in pixels) -> target.
NUMBER_TARGETS = {
    ("crisp", 4, 64): ">= 0.95",
    ("lowres8", 4, 64): ">= 0.93",
    ("blur", 4, 64): ">= 0.93",
    ("pencil", 4, 64): ">= 0.93",
    ("crisp", 10, 300): ">= 0.90",
    ("crisp", 12, 100): ">= 0.85",
}


def numbers_accuracy(quick: bool) -> list[Row]:
    """Whole numbers read right per length (1-12) and condition (`python -m mnistlib numbers`),
    against the same digits read alone to the power of the length (what a reader losing nothing
    to finding and cutting would give); digits read right inside numbers beside alone; and what
    the "not sure" checks flag, per kind of non-digit, with AUROC and FPR at 95% detection."""
    from mnistlib.measure import number_report, outlier_report

    model = Recognizer.load()  # with the checks shipped beside it
    rows = []
    table = number_report(model, n=10 if quick else 100)
    alone = {(q.condition, q.length): q.alone for q in table if q.source == "mnist"}
    for r in table:
        one = alone.get((r.condition, r.length), math.nan)
        base = one**r.length if r.source == "mnist" and r.height == 64 else math.nan
        target = NUMBER_TARGETS.get((r.condition, r.length, r.height), "report")
        rows.append(
            Row(
                "number accuracy",
                f"{r.source}, {r.condition}, {r.length} digits {r.height} px",
                "digits alone^n",
                r.accuracy,
                base,
                "accuracy",
                r.accuracy / base if base else math.nan,
                target if r.source == "mnist" else "report",  # not "mnist touching"
                f"{r.n} numbers; digits inside {r.inside:.4f}, alone {r.alone:.4f}",
            )  # fmt: skip
        )
    flagged, outliers = outlier_report(model, model.sureness, n=50 if quick else 1000)
    rows.append(Row("not sure", "MNIST test digits flagged", "-", flagged, math.nan, "share",
                    math.nan, "<= 0.02", "the shipped checks"))  # fmt: skip
    for o in outliers:
        rows.append(
            Row(
                "not sure",
                f"{o.kind} flagged" + (" (held out)" if o.held_out else ""),
                "-",
                o.flagged,
                math.nan,
                "share",
                math.nan,
                ">= 0.90",
                f"AUROC {o.auroc:.4f}, FPR95 {o.fpr95:.4f}, refused {o.refused:.3f}, "
                f"read as one sure digit {o.one_digit:.3f}, {o.n} images",
            )  # fmt: skip
        )
    return rows


def selective(quick: bool) -> list[Row]:
    """Does "not sure" cry wolf on digits MNIST's writers did not write? Per set of
    ``measure.other_writers`` (test split): the share of right answers doubted and of all
    answers wrong but sure (selective classification), beside MNIST's test digits."""
    from mnistlib.measure import other_writers, selective_report
    from mnistlib.measure.selective import mnist_digits

    model = Recognizer.load()
    digits = mnist_digits("test", 1000 if quick else 10000, narrow=True)
    mnist = selective_report(model, {"MNIST test": digits})[0]
    rows = []
    for r in selective_report(model, other_writers("test", 60 if quick else 500, narrow=True)):
        held = " (held out)" if r.held_out else ""
        for what, value, base, target in (
            ("right answers doubted", r.right_doubted, mnist.right_doubted, "<= 0.05"),
            ("wrong but sure", r.wrong_sure, mnist.wrong_sure, "<= 0.01"),
        ):
            rows.append(
                Row("not sure", f"{r.name}{held}: {what}", "MNIST test digits", value, base,
                    "share", value / base if base else math.nan, target,
                    f"{r.n} digits, read right {r.accuracy:.3f}, answered {r.coverage:.3f}")
            )  # fmt: skip
    return rows


# Latency, forms and numbers use the recogniser shipped with the package.
BENCHMARKS: dict[str, Callable[[bool], list[Row]]] = {
    "time_to_accuracy": time_to_accuracy,
    "notebooks": notebooks,
    "latency": recognition_latency,
    "cold_start": cold_start,
    "forms": forms_accuracy,
    "numbers": numbers_accuracy,
    "scenes": scenes.scenes,  # issue 26: per scene, beside Tesseract and the plain sheet
    "big_photos": scenes.big_photos,
    "selective": selective,
    "profile": profile.profile,
    "first_filters": profile.first_filters,
    "determinism": determinism_cost,
}


def run(names: list[str], quick: bool = False) -> list[Row]:
    """Run the benchmarks ``names`` in order; on a terminal a bar shows how many are done."""
    with progress_bar() as progress:
        rows: list[Row] = []
        for k, name in enumerate(names):
            report(progress, "benchmarks", k, len(names))
            rows += _run_one(name, quick)
        report(progress, "benchmarks", len(names), len(names))
    return rows


def _run_one(name: str, quick: bool) -> list[Row]:
    print(f"[bench] {name} ...", flush=True)
    start = time.perf_counter()
    new = BENCHMARKS[name](quick)
    for row in new:
        print(f"[bench]   {row.subject}: {row.subject_value:.4g} {row.unit}"
              f" (ratio {row.ratio:.3g})", flush=True)  # fmt: skip
    print(f"[bench] {name} done in {time.perf_counter() - start:.0f} s", flush=True)
    return new


def write_csv(rows: list[Row]) -> Path:
    path = results_dir() / "bench.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*Row.__dataclass_fields__, "machine"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**asdict(row), "machine": machine()})
    return path


def format_table(rows: list[Row]) -> str:
    """A Markdown table (also readable in a terminal)."""

    def num(v: float) -> str:
        return "-" if isinstance(v, float) and math.isnan(v) else f"{v:.4g}"

    lines = ["| benchmark | subject | baseline | subject | baseline | ratio | target | notes |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| {r.benchmark} | {r.subject} | {r.baseline} | {num(r.subject_value)} "
                     f"{r.unit} | {num(r.baseline_value)} {r.unit} | {num(r.ratio)} | "
                     f"{r.target} | {r.notes} |")  # fmt: skip
    return "\n".join(lines)


__all__ = ["BENCHMARKS", "Row", "format_table", "machine", "run", "write_csv"]
