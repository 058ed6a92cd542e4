"""The command line: ``mnistlib COMMAND ...`` (or ``python -m mnistlib COMMAND ...``).

This module only declares the commands and their arguments; each command's work is done by a
function in its own module, imported when the command runs. ``--help``, ``--version`` and
``results`` import neither TensorFlow nor the image libraries, so they answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DESCRIPTION = "Handwritten-digit recognition with Keras: the notebooks' support package."


def _program_name() -> str:
    """The program's name as invoked: ``mnistlib``, or ``python -m mnistlib``."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "mnistlib"
    if name in ("__main__.py", "-m", "-c", ""):
        return f"{os.path.basename(sys.executable) or 'python'} -m mnistlib"
    return name


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
        help="print the digit in each image file",
        description="Print the digit in each image file, with the recogniser's confidence.",
    )
    recognize.add_argument("images", nargs="+", metavar="IMAGE", help="image files to read")
    recognize.add_argument(
        "--number",
        action="store_true",
        help="read every digit written in a row (e.g. 2026), with each digit's confidence",
    )

    forms = commands.add_parser(
        "forms",
        parents=[model_option],
        help="measure recognition accuracy per image form",
        description="Measure recognition accuracy per image form, on images made from MNIST's "
        "test set or from digits drawn with pen strokes (or write the sample images with "
        "--samples).",
    )
    forms.add_argument("--n", type=int, default=1000, help="images per form (default 1000)")
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
        "and letters and scribbles drawn with strokes.",
    )
    sure.add_argument("--save", action="store_true", help="write <model>.sure.npz beside it")
    sure.add_argument("--figure", type=Path, help="save the choice's curve as this PNG")
    sure.add_argument(
        "--probability-only", action="store_true", help="the probability threshold alone"
    )
    sure.add_argument("--non-digits", type=int, default=1000, help="letters and scribbles")

    numbers = commands.add_parser(
        "numbers",
        parents=[model_option],
        help="measure how often whole numbers are read right",
        description="Whole-number accuracy per length (1 to 6 digits) on numbers composed from "
        "MNIST test digits and from digits drawn with strokes.",
    )
    numbers.add_argument("--n", type=int, default=200, help="numbers per length (default 200)")
    numbers.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    commands.add_parser(
        "results",
        help="print the accuracy table recorded by the notebooks",
        description="Print the accuracy table recorded by the notebooks (creates nothing).",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (usage errors: 2, on stderr)."""
    args = build_parser().parse_args(argv)
    if args.command == "fetch-data":
        from mnistlib import data

        return data.fetch_command()
    if args.command == "recognize":
        from mnistlib import recognize

        return recognize.command(args.images, args.model, number=args.number)
    if args.command == "sure":
        from mnistlib import evaluation

        return evaluation.sure_command(
            model=args.model,
            save=args.save,
            figure=args.figure,
            probability_only=args.probability_only,
            n_non_digits=args.non_digits,
        )
    if args.command == "numbers":
        from mnistlib import evaluation

        return evaluation.numbers_command(model=args.model, n=args.n, seed=args.seed)
    if args.command == "forms":
        from mnistlib import forms

        return forms.command(
            model=args.model, n=args.n, seed=args.seed, samples=args.samples, digits=args.digits
        )
    from mnistlib import results

    return results.command()


if __name__ == "__main__":
    sys.exit(main())
