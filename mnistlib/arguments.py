"""The command line's arguments: every command and option, declared once (``build_parser``), and
the exit statuses (``ExitStatus``, ``EXIT_STATUSES``) that ``--help`` lists. Imports nothing
heavy: ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
from pathlib import Path
from typing import Any

DESCRIPTION = "Handwritten-digit recognition with Keras: the notebooks' support package."


class ExitStatus(enum.IntEnum):
    """What ``mnistlib`` exits with (``EXIT_STATUSES`` says each in words, for ``--help``)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    NO_MODEL = 3
    NOT_SURE = 4


#: Each exit status in words: ``--help`` and the README list them.
EXIT_STATUSES = {
    ExitStatus.OK: "done; recognize: every image read, and sure of every digit",
    ExitStatus.FAILED: "some input could not be used (an image, the data, the results table)",
    ExitStatus.USAGE: "the command line itself is wrong",
    ExitStatus.NO_MODEL: "the model could not be loaded",
    ExitStatus.NOT_SURE: "recognize: every image read, but some digit or reading is 'not sure'",
}


def _exit_statuses() -> str:
    lines = [f"  {status.value}  {words}" for status, words in EXIT_STATUSES.items()]
    return "exit statuses:\n" + "\n".join(lines)


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


def _model_option() -> argparse.ArgumentParser:
    """``--model``, shared by every command that runs a model."""
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--model",
        type=Path,
        default=None,
        help="your own .keras model (default: the recogniser shipped with mnistlib)",
    )
    return option


def _add_recognize(commands: Any, model: argparse.ArgumentParser) -> None:
    recognize = commands.add_parser(
        "recognize",
        parents=[model],
        help="print the digit, or the number, written in each image file",
        description="Print the digit written in each image file, with its probability; an "
        "image holding several digits in a row is read as a number. A digit the recogniser is "
        "not sure of is said so, with the check that failed, and the command exits 4. Each file "
        "is checked before the model is loaded: a missing or unreadable one is answered at once.",
        epilog=_exit_statuses(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    recognize.add_argument("images", nargs="+", metavar="IMAGE", help="image files to read")
    recognize.add_argument(
        "--number", action="store_true", help="list every digit's verdict after the number"
    )
    recognize.add_argument(
        "--json",
        action="store_true",
        help="one JSON object a line per image: file, text, digits (each with its probability, "
        "probabilities, sure and doubt), sure, doubt, verdict and error",
    )


def _add_measuring(commands: Any, model: argparse.ArgumentParser) -> None:
    forms = commands.add_parser(
        "forms",
        parents=[model],
        help="measure recognition accuracy per image form (about 1-2 min)",
        description="Measure recognition accuracy per image form, on images made from MNIST's "
        "test set or from digits drawn with pen strokes (or write the sample images with "
        "--samples). About a minute or two with the shipped recogniser on 2 cores.",
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
        parents=[model],
        help="choose and measure a model's 'not sure' checks (several minutes)",
        description="Choose a model's 'not sure' checks on held-out MNIST training digits (the "
        "last 5,000) and measure what they flag: MNIST test digits, the model's test errors, "
        "and each kind of non-digit (letters, scribbles, shapes, noise, half a digit, two "
        "digits in one box, an empty frame), with AUROC and the false positive rate at 95% "
        "detection. Several minutes on 2 cores (a progress bar shows how far it is).",
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
        parents=[model],
        help="measure how often whole numbers are read right (several minutes)",
        description="Whole numbers read right per length (1 to 12 digits) on numbers composed "
        "from MNIST test digits, crisp and degraded (8 px tall enlarged, blurred, soft pencil, "
        "thick and thin pens), and the digits read right inside numbers beside the same digits "
        "read alone; also long numbers across wide images, digits that touch, and drawn digits. "
        "Several minutes on 2 cores (a progress bar shows how far it is).",
    )
    numbers.add_argument(
        "--n", type=_positive, default=50, help="numbers per length and condition (default 50)"
    )
    numbers.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _add_scenes(commands: Any, model: argparse.ArgumentParser) -> None:
    scenes = commands.add_parser(
        "scenes",
        parents=[model],
        help="measure reading the scenes people photograph (several minutes)",
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


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        import mnistlib

        sys.stdout.write(f"{parser.prog} {mnistlib.__version__}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description=DESCRIPTION,
        epilog=_exit_statuses(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    model = _model_option()
    commands.add_parser(
        "fetch-data",
        help="download and verify MNIST once, into the local cache",
        description="Fetch MNIST once into the local cache and verify it against its digests.",
    )
    _add_recognize(commands, model)
    _add_measuring(commands, model)
    _add_scenes(commands, model)
    commands.add_parser(
        "results",
        help="print the accuracy table recorded by the notebooks",
        description="Print the accuracy table recorded by the notebooks (creates nothing).",
    )
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line parsed; an argument no command knows is refused by that command's own
    parser, so that its usage (not the top level's) is printed (exit status 2)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        commands.choices[args.command].error("unrecognized arguments: " + " ".join(extra))
    return args
