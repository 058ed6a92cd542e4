"""The command line: ``mnistlib COMMAND ...`` (or ``python -m mnistlib COMMAND ...``).

The parser is declared in one place (``build_parser``); each command is a small function here
that calls the domain modules (which never print) and prints what they return. Exit statuses
are ``ExitStatus``. ``--help``, ``--version`` and ``results`` import neither TensorFlow nor the
image libraries, so they answer at once.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mnistlib.recognition.recognizer import NumberReading, Recognizer

DESCRIPTION = "Handwritten-digit recognition with Keras: the notebooks' support package."


class ExitStatus(enum.IntEnum):
    """What ``mnistlib`` exits with."""

    OK = 0
    FAILED = 1  #: some input could not be used (an image, the data, the results table)
    USAGE = 2  #: the command line itself is wrong (argparse's own status)
    NO_MODEL = 3  #: the model could not be loaded


def _program_name() -> str:
    """The program's name as invoked: ``mnistlib``, or ``python -m mnistlib``."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "mnistlib"
    if name in ("__main__.py", "-m", "-c", ""):
        return f"{os.path.basename(sys.executable) or 'python'} -m mnistlib"
    return name


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from mnistlib import __version__

    parser = argparse.ArgumentParser(prog=_program_name(), description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    model_option = argparse.ArgumentParser(add_help=False)  # shared by every model command
    model_option.add_argument(
        "--model",
        type=Path,
        default=None,
        help="your own .keras model (default: the recogniser shipped with mnistlib)",
    )

    commands.add_parser(
        "fetch-data",
        help="download and verify MNIST once, into the local cache",
        description="Fetch MNIST once into the local cache and verify it against its digests.",
    )

    recognize = commands.add_parser(
        "recognize",
        parents=[model_option],
        help="print the digit, or the number, written in each image file",
        description="Print the digit written in each image file, with the recogniser's "
        "confidence; an image holding several digits in a row is read as a number. A digit the "
        "recogniser is not sure of is said so, with the check that failed.",
    )
    recognize.add_argument("images", nargs="+", metavar="IMAGE", help="image files to read")
    recognize.add_argument(
        "--number",
        action="store_true",
        help="list each digit's confidence (an image with several digits is always read as "
        "a number)",
    )

    forms = commands.add_parser(
        "forms",
        parents=[model_option],
        help="measure recognition accuracy per image form",
        description="Measure recognition accuracy per image form, on images made from MNIST's "
        "test set or from digits drawn with pen strokes (or write the sample images with "
        "--samples).",
    )
    forms.add_argument("--n", type=_positive, default=1000, help="images per form (default 1000)")
    forms.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    forms.add_argument("--samples", type=Path, help="instead: write the sample images here")
    forms.add_argument(
        "--digits",
        choices=("mnist", "strokes"),
        default="mnist",
        help="MNIST test digits (default) or digits drawn with pen strokes, not from MNIST",
    )

    sure = commands.add_parser(
        "sure",
        parents=[model_option],
        help="choose and measure a model's 'not sure' checks",
        description="Choose a model's 'not sure' checks on held-out MNIST training digits (the "
        "last 5,000) and measure what they flag: MNIST test digits, the model's test errors, "
        "and each kind of non-digit (letters, scribbles, shapes, noise, half a digit, two "
        "digits in one box, an empty frame), with AUROC and the false positive rate at 95% "
        "detection.",
    )
    sure.add_argument(
        "--save",
        action="store_true",
        help="write <model>.sure.npz beside the --model file (never inside the package)",
    )
    sure.add_argument("--figure", type=Path, help="save the choice's curve as this PNG")
    sure.add_argument(
        "--probability-only", action="store_true", help="the probability threshold alone"
    )
    sure.add_argument(
        "--non-digits",
        type=int,
        default=1000,
        help="letters and scribbles, and images of each kind of non-digit (default 1000)",
    )

    numbers = commands.add_parser(
        "numbers",
        parents=[model_option],
        help="measure how often whole numbers are read right",
        description="Whole numbers read right per length (1 to 12 digits) on numbers composed "
        "from MNIST test digits, crisp and degraded (8 px tall enlarged, blurred, soft pencil, "
        "thick and thin pens), and the digits read right inside numbers beside the same digits "
        "read alone; also long numbers across wide images, digits that touch, and drawn digits.",
    )
    numbers.add_argument(
        "--n", type=_positive, default=50, help="numbers per length and condition (default 50)"
    )
    numbers.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    scenes = commands.add_parser(
        "scenes",
        parents=[model_option],
        help="measure reading the scenes people photograph",
        description="Read composed scenes: a sheet on a desk and the same sheet alone, form "
        "boxes, ruled and squared paper, dates/prices/times with separators, shapes and words; "
        "digits from MNIST (of the split) and drawn with pen strokes. Per scene: the whole text "
        "read right, digits and separators, sure answers to shapes, right answers doubted and "
        "wrong-but-sure answers.",
    )
    scenes.add_argument("--n", type=_positive, default=100, help="scenes per row (default 100)")
    scenes.add_argument(
        "--split",
        choices=("validation", "test"),
        default="validation",
        help="MNIST digits and styles: validation (for choosing; held-out styles left out) or "
        "test (every style)",
    )
    scenes.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    scenes.add_argument("--figure", type=Path, help="save the risk-coverage curves as this PNG")

    commands.add_parser(
        "results",
        help="print the accuracy table recorded by the notebooks",
        description="Print the accuracy table recorded by the notebooks (creates nothing).",
    )
    return parser


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _load(model: Path | None) -> Recognizer | None:
    """The recogniser (``--model`` or the shipped one); None after saying why it failed."""
    from mnistlib.errors import ModelLoadError
    from mnistlib.recognition.recognizer import Recognizer

    try:
        return Recognizer.load(model)
    except ModelLoadError as err:
        _error(str(err))
        return None


def number_line(reading: NumberReading, *, details: bool) -> str:
    """ "7 (confidence 99.1%)" for one digit; "2026" for a number, with each digit's confidence
    when ``details``; a digit the model is not sure of shows as "?" and is explained."""
    if len(reading.digits) == 1:
        one = reading.digits[0]
        return f"{one.describe()} (confidence {one.confidence:.1%})"
    if not details:
        return reading.describe()
    listed = ", ".join(
        f"{r.digit} {r.confidence:.1%}" if r.sure else f"{r.describe()} ({r.confidence:.1%})"
        for r in reading.digits
    )
    return f"{reading.marked} ({listed})"


def fetch_data() -> ExitStatus:
    from mnistlib import data
    from mnistlib.errors import DataUnavailableError

    try:
        path = data.fetch_data(verbose=True)
    except DataUnavailableError as err:
        _error(str(err))
        return ExitStatus.FAILED
    print(f"MNIST is ready: {path}")
    return ExitStatus.OK


def recognize(images: list[str], model: Path | None, *, details: bool) -> ExitStatus:
    """Print what each image holds: one digit, or a number when it holds several."""
    from mnistlib.errors import ImageError

    recognizer = _load(model)
    if recognizer is None:
        return ExitStatus.NO_MODEL
    failed = 0
    for name in images:
        try:
            line = number_line(recognizer.read_number(name), details=details)
        except (ImageError, FileNotFoundError, PermissionError, IsADirectoryError) as err:
            failed += 1
            print(f"{name}: error: {err}", file=sys.stderr)
            continue
        print(f"{name}: {line}", flush=True)
    return ExitStatus.FAILED if failed else ExitStatus.OK


def sure(
    model: Path | None, *, save: bool, figure: Path | None, probability_only: bool, n: int
) -> ExitStatus:
    """Choose the "not sure" checks on validation digits and print what they flag."""
    from mnistlib.measure.evaluation import (
        format_outliers,
        format_sure,
        measure_sureness,
        outlier_report,
    )
    from mnistlib.recognition.sureness import fit_sureness, sureness_path

    if save and model is None:
        _error(
            "--save writes <model>.sure.npz beside the --model file; give --model (the shipped "
            "recogniser's checks belong to the package and are remade by `make recognizer`)"
        )
        return ExitStatus.USAGE
    recognizer = _load(model)
    if recognizer is None:
        return ExitStatus.NO_MODEL
    sureness, curve = fit_sureness(recognizer, probability_only=probability_only)
    print(format_sure(sureness, measure_sureness(recognizer, sureness, n_non_digits=n)))
    print()
    print(format_outliers(*outlier_report(recognizer, sureness, n=n)))
    if figure:
        from mnistlib.recognition.figures import plot_flag_curve

        plot_flag_curve(curve, sureness.threshold).savefig(figure, dpi=100)
        print(f"saved {figure}")
    if save and model is not None:
        target = sureness_path(model)
        sureness.save(target)
        print(f"saved {target}")
    return ExitStatus.OK


def numbers(model: Path | None, *, n: int, seed: int) -> ExitStatus:
    from mnistlib.measure.evaluation import format_numbers, number_report

    recognizer = _load(model)
    if recognizer is None:
        return ExitStatus.NO_MODEL
    print(format_numbers(number_report(recognizer, n=n, seed=seed)))
    return ExitStatus.OK


def forms(
    model: Path | None, *, n: int, seed: int, samples: Path | None, digits: str
) -> ExitStatus:
    from mnistlib.measure import forms as measure_forms

    if samples:
        for path in measure_forms.make_samples(samples, seed=seed):
            print(path)
        return ExitStatus.OK
    recognizer = _load(model)
    if recognizer is None:
        return ExitStatus.NO_MODEL
    started = time.perf_counter()
    rows = measure_forms.evaluate_forms(recognizer, n_per_form=n, seed=seed, digits=digits)
    print(f"digits: {'MNIST test set' if digits == 'mnist' else 'drawn with pen strokes'}")
    print(measure_forms.format_forms(rows))
    print(f"({time.perf_counter() - started:.0f} s)")
    return ExitStatus.OK


def scenes(model: Path | None, *, n: int, split: str, seed: int, figure: Path | None) -> ExitStatus:
    """Read the composed scenes and print the figures per scene and digit source."""
    from mnistlib.measure import format_scenes, plot_risk_coverage, read_scenes, scene_row

    recognizer = _load(model)
    if recognizer is None:
        return ExitStatus.NO_MODEL
    groups = read_scenes(recognizer, split=split, n=n, seed=seed)
    print(f"{split} scenes, {n} per row")
    print(format_scenes([scene_row(reads) for reads in groups]))
    if figure:
        named = {f"{g[0].kind} ({g[0].source})": g for g in groups if g[0].kind != "shapes"}
        plot_risk_coverage(named).savefig(figure, dpi=100)
        print(f"saved {figure}")
    return ExitStatus.OK


def results() -> ExitStatus:
    """Print the accuracy table and where it was read from (creates nothing)."""
    from mnistlib.results import format_results, load_results, results_path

    path = results_path()
    try:
        table = format_results(load_results(path))
    except ValueError as err:
        _error(str(err))
        return ExitStatus.FAILED
    print(f"{path}:")
    print(table)
    return ExitStatus.OK


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its ``ExitStatus`` (usage errors exit 2 from argparse)."""
    args = build_parser().parse_args(argv)
    if args.command == "fetch-data":
        return fetch_data()
    if args.command == "recognize":
        return recognize(args.images, args.model, details=args.number)
    if args.command == "sure":
        return sure(
            args.model,
            save=args.save,
            figure=args.figure,
            probability_only=args.probability_only,
            n=args.non_digits,
        )
    if args.command == "numbers":
        return numbers(args.model, n=args.n, seed=args.seed)
    if args.command == "forms":
        return forms(args.model, n=args.n, seed=args.seed, samples=args.samples, digits=args.digits)
    if args.command == "scenes":
        return scenes(args.model, n=args.n, split=args.split, seed=args.seed, figure=args.figure)
    return results()
