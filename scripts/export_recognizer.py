"""Export a ``.keras`` digit recogniser for LiteRT, beside it (``make recognizer`` runs it).

    python scripts/export_recognizer.py [MODEL]

MODEL defaults to the recogniser shipped in the package
(``mnistlib/recognition/assets/digit_recognizer.keras``); the export is written beside it as
``digit_recognizer.tflite``, with two outputs (the last hidden features and the probabilities),
which is what ``Recognizer.load()`` runs, without TensorFlow. Rerun it whenever the ``.keras``
file changes: tests/recognition/test_runtime.py fails while the two disagree.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from mnistlib.recognition.loading import load_model, shipped_recognizer_path
    from mnistlib.recognition.runtime import export_litert, lite_path

    parser = argparse.ArgumentParser(prog="export_recognizer", description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=None, help="a .keras file")
    args = parser.parse_args(argv)
    source = args.model or shipped_recognizer_path()
    started = time.perf_counter()
    target = export_litert(load_model(source), lite_path(source))
    size = target.stat().st_size / 1e6
    print(f"saved {target} ({size:.2f} MB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
