"""Command line: ``python -m mnistlib {fetch-data,recognize,forms,results} ...``."""

from __future__ import annotations

import sys

USAGE = """usage: python -m mnistlib COMMAND [ARGS...]

commands:
  fetch-data              download and verify MNIST once, into the local cache
  recognize IMAGE...      print the digit in each image file [--model PATH]
  forms                   measure recognition accuracy per image form [--model PATH] [--n N]
  results                 print the accuracy table recorded by the notebooks
"""


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the command's module; returns the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "fetch-data":
        from mnistlib import data

        return data.main(rest)
    if command == "recognize":
        from mnistlib import recognize

        return recognize.cli_main(rest)
    if command == "forms":
        from mnistlib import forms

        return forms.cli_main(rest)
    if command == "results":
        from mnistlib.results import format_results, results_path

        print(f"{results_path()}:")
        print(format_results())
        return 0
    print(f"unknown command {command!r}\n\n{USAGE}", end="", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
