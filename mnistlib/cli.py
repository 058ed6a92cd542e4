"""The command line: ``mnistlib COMMAND ...`` (or ``python -m mnistlib COMMAND ...``).

The parser is declared in one place (``mnistlib.arguments.build_parser``); each command is a
small function here that calls the domain modules (which never print) and prints what they
return; long commands show a progress bar on a terminal (``mnistlib.progress``). Exit statuses
are ``ExitStatus`` (listed by ``--help``). ``--help``, ``--version`` and ``results`` import
neither TensorFlow nor the image libraries, so they answer at once; ``recognize`` checks each
file before it loads the model, and the shipped recogniser runs on LiteRT, without TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnistlib.arguments import EXIT_STATUSES, ExitStatus, build_parser, parse

if TYPE_CHECKING:
    from mnistlib.progress import Progress
    from mnistlib.recognition.recognizer import NumberReading, Recognizer


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _load(
    model: Path | None, progress: Progress | None = None, waiting: list[str] | None = None
) -> Recognizer | None:
    """The recogniser (``--model`` or the shipped one); None after saying why it failed (and,
    for ``recognize --json``, answering each of the ``waiting`` files with that error)."""
    from mnistlib.errors import ModelLoadError
    from mnistlib.recognition.recognizer import Recognizer

    if progress:
        progress("loading the model", 0, 1)
    try:
        recognizer = Recognizer.load(model)
    except ModelLoadError as err:
        _error(str(err))
        for name in waiting or []:
            print(json.dumps(answer(name, None, f"the model could not be loaded: {err}")))
        return None
    if progress:
        progress("loading the model", 1, 1)
    return recognizer


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


def check_image(name: str) -> str | None:
    """Why the file ``name`` cannot be read as an image, or None: from the file system and the
    image decoder alone, before any model is loaded (a missing file costs no import at all)."""
    if not os.path.exists(name):
        return f"no such image file: {name}"
    if os.path.isdir(name):
        return f"{name} is a folder, not an image file"
    if not os.access(name, os.R_OK):
        return f"{name} cannot be read (permission denied)"
    from mnistlib.errors import ImageError
    from mnistlib.recognition.images import decode

    try:
        decode(name)
    except (ImageError, OSError) as err:
        return str(err)
    return None


def answer(
    name: str, reading: NumberReading | None, error: str | None = None, details: bool = False
) -> dict[str, Any]:
    """What ``recognize --json`` prints for one file: a reading (its ``verdict`` as the command
    prints it, with ``--number``'s details if asked), or the error that stopped it."""
    if reading is None:
        return {"file": name, "text": None, "digits": [], "sure": False, "doubt": None,
                "verdict": None, "error": error}  # fmt: skip
    digits = [
        {
            "digit": r.digit,
            "probability": round(float(r.confidence), 6),
            "sure": r.sure,
            "doubt": r.doubt,
            "probabilities": [round(float(p), 6) for p in r.probabilities],
        }  # fmt: skip
        for r in reading.digits
    ]
    doubts = [r.describe() for r in reading.digits if not r.sure] + [reading.doubt or ""]
    return {"file": name, "text": reading.text, "digits": digits, "sure": reading.sure,
            "doubt": "; ".join(filter(None, doubts)) or None,
            "verdict": reading.describe(details=details), "error": None}  # fmt: skip


def _read_each(
    recognizer: Recognizer, names: list[str], *, details: bool, as_json: bool
) -> tuple[int, int]:
    """Read and print each file; how many failed and how many were not sure."""
    from mnistlib.errors import ImageError

    failed = doubted = 0
    for name in names:
        try:
            reading = recognizer.read_number(name)
        except (ImageError, OSError) as err:
            failed += 1
            _say(name, None, str(err), details=details, as_json=as_json)
            continue
        doubted += not reading.sure
        _say(name, reading, None, details=details, as_json=as_json)
    return failed, doubted


def _say(
    name: str, reading: NumberReading | None, error: str | None, *, details: bool, as_json: bool
) -> None:
    if as_json:
        print(json.dumps(answer(name, reading, error, details)), flush=True)
    elif reading is None:
        print(f"{name}: error: {error}", file=sys.stderr, flush=True)
    else:
        print(f"{name}: {reading.describe(details=details)}", flush=True)


def recognize(
    images: list[str], model: Path | None, *, details: bool, as_json: bool = False
) -> ExitStatus:
    """Print what each image holds: one digit, or a number when it holds several. Each file is
    checked first; the model is loaded only if some file can be read."""
    problems = {name: check_image(name) for name in images}
    for name, problem in problems.items():
        if problem is not None:
            _say(name, None, problem, details=details, as_json=as_json)
    readable = [name for name, problem in problems.items() if problem is None]
    failed = len(images) - len(readable)
    doubted = 0
    if readable:
        recognizer = _load(model, waiting=readable if as_json else None)
        if recognizer is None:
            return ExitStatus.NO_MODEL
        more, doubted = _read_each(recognizer, readable, details=details, as_json=as_json)
        failed += more
    if failed:
        return ExitStatus.FAILED
    return ExitStatus.NOT_SURE if doubted else ExitStatus.OK


def inside_package(path: Path) -> bool:
    """Whether ``path``, however named (relative, through symbolic links), is inside the
    installed mnistlib package."""
    import mnistlib

    package = Path(mnistlib.__file__).resolve().parent
    return Path(os.path.abspath(path)).resolve().is_relative_to(package)


def sure(
    model: Path | None, *, save: bool, figure: Path | None, probability_only: bool, n: int
) -> ExitStatus:
    """Choose the "not sure" checks on validation digits and print what they flag."""
    from mnistlib.recognition.sureness import sureness_path

    if save and model is None:
        _error(
            "--save writes <model>.sure.npz beside the --model file; give --model (the shipped "
            "recogniser's checks belong to the package and are remade by `make recognizer`)"
        )
        return ExitStatus.USAGE
    target = sureness_path(model) if save and model is not None else None
    if target is not None and (inside_package(target) or inside_package(model or target)):
        _error(
            f"--save would write {target}, inside the installed mnistlib package; copy the "
            "model elsewhere first (the shipped checks are remade by `make recognizer`)"
        )
        return ExitStatus.USAGE
    from mnistlib.progress import progress_bar

    with progress_bar() as progress:
        recognizer = _load(model, progress)
        if recognizer is None:
            return ExitStatus.NO_MODEL
        report, sureness, curve = _measure_sureness(recognizer, probability_only, n, progress)
    print(report)
    if figure:
        from mnistlib.recognition.figures import plot_flag_curve

        plot_flag_curve(curve, sureness.threshold).savefig(figure, dpi=100)
        print(f"saved {figure}")
    if target is not None:
        sureness.save(target)
        print(f"saved {target}")
    return ExitStatus.OK


def _measure_sureness(
    recognizer: Recognizer, probability_only: bool, n: int, progress: Progress
) -> tuple[str, Any, Any]:
    """The checks chosen for ``recognizer`` and the report of what they flag (as text)."""
    from mnistlib.measure import (
        format_outliers,
        format_sure,
        measure_sureness,
        outlier_report,
        validation_mix,
    )
    from mnistlib.recognition.sureness import fit_sureness

    # chosen as the shipped recogniser's are: on MNIST's and other writers' validation digits
    mix = None if probability_only else validation_mix()
    sureness, curve = fit_sureness(
        recognizer, probability_only=probability_only, progress=progress, mix=mix
    )
    measured = measure_sureness(recognizer, sureness, n_non_digits=n, progress=progress)
    outliers = outlier_report(recognizer, sureness, n=n, progress=progress)
    return f"{format_sure(sureness, measured)}\n\n{format_outliers(*outliers)}", sureness, curve


def numbers(model: Path | None, *, n: int, seed: int) -> ExitStatus:
    from mnistlib.measure import format_numbers, number_report
    from mnistlib.progress import progress_bar

    with progress_bar() as progress:
        recognizer = _load(model, progress)
        if recognizer is None:
            return ExitStatus.NO_MODEL
        rows = number_report(recognizer, n=n, seed=seed, progress=progress)
    print(format_numbers(rows))
    return ExitStatus.OK


def forms(
    model: Path | None, *, n: int, seed: int, samples: Path | None, digits: str
) -> ExitStatus:
    from mnistlib.measure import forms as measure_forms
    from mnistlib.progress import progress_bar

    if samples:
        for path in measure_forms.make_samples(samples, seed=seed):
            print(path)
        return ExitStatus.OK
    started = time.perf_counter()
    with progress_bar() as progress:
        recognizer = _load(model, progress)
        if recognizer is None:
            return ExitStatus.NO_MODEL
        rows = measure_forms.evaluate_forms(
            recognizer, n_per_form=n, seed=seed, digits=digits, progress=progress
        )
    print(f"digits: {'MNIST test set' if digits == 'mnist' else 'drawn with pen strokes'}")
    print(measure_forms.format_forms(rows))
    print(f"({time.perf_counter() - started:.0f} s)")
    return ExitStatus.OK


def scenes(model: Path | None, *, n: int, split: str, seed: int, figure: Path | None) -> ExitStatus:
    """Read the composed scenes and print the figures per scene and digit source."""
    from mnistlib.measure import (
        format_scenes,
        plot_selective_curves,
        read_scenes,
        scene_curve,
        scene_row,
    )
    from mnistlib.progress import progress_bar

    with progress_bar() as progress:
        recognizer = _load(model, progress)
        if recognizer is None:
            return ExitStatus.NO_MODEL
        groups = read_scenes(recognizer, split=split, n=n, seed=seed, progress=progress)
    print(f"{split} scenes, {n} per row")
    print(format_scenes([scene_row(reads) for reads in groups]))
    if figure:
        curves = {
            f"{g[0].kind} ({g[0].source})": scene_curve(g) for g in groups if g[0].kind != "shapes"
        }
        plot_selective_curves(curves, max_risk=1.0, min_coverage=0.0).savefig(figure, dpi=100)
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


#: What a shell reports for a command stopped by its reader going away (SIGPIPE, ``| head``)
#: and by Ctrl-C (SIGINT): 128 + the signal's number, as for any Unix tool.
STOPPED_BY_PIPE, STOPPED_BY_CTRL_C = 141, 130


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its ``ExitStatus`` (usage errors exit 2 from argparse). Output
    cut short by its reader (``| head``) or by Ctrl-C ends quietly, without a traceback."""
    args = parse(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        # Nothing more can be written; point stdout at nothing so that Python's own flush at
        # exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return STOPPED_BY_PIPE
    except KeyboardInterrupt:
        return STOPPED_BY_CTRL_C


def _run(args: argparse.Namespace) -> int:
    """The command ``args`` names, run."""
    if args.command == "fetch-data":
        return fetch_data()
    if args.command == "recognize":
        return recognize(args.images, args.model, details=args.number, as_json=args.json)
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


__all__ = ["EXIT_STATUSES", "ExitStatus", "build_parser", "main"]
