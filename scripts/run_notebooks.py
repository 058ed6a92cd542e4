"""Execute notebooks headless, showing progress, and print the accuracy table at the end.

Executed copies go to ``executed/`` (git-ignored); the committed notebooks are not touched.
Used by ``make run``: ``python scripts/run_notebooks.py NOTEBOOK...``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "executed"


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    started = time.perf_counter()
    done = 0

    def on_cell_executed(cell, **_kwargs) -> None:
        nonlocal done
        if cell.cell_type != "code":
            return
        done += 1
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        elapsed = time.perf_counter() - started
        print(f"  [{done:>2}/{len(code_cells)}] {elapsed:6.0f} s  {first[:60]}", flush=True)

    client = NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_executed=on_cell_executed,
    )
    print(f"{path.name}: {len(code_cells)} code cells", flush=True)
    try:
        client.execute()
    finally:
        OUT.mkdir(exist_ok=True)
        nbformat.write(nb, OUT / path.name)
    seconds = time.perf_counter() - started
    print(f"{path.name}: done in {seconds:.0f} s -> {OUT.relative_to(ROOT) / path.name}\n")
    return seconds


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name).resolve()
        if not path.is_file():
            print(f"skipping {name}: no such notebook")
            continue
        try:
            run(path)
        except CellExecutionError as err:
            print(f"{path.name} failed; see executed/{path.name}\n{err}", file=sys.stderr)
            return 1
    from mnistlib.results import format_results, results_path

    print(f"Accuracy comparison ({results_path()}):")
    print(format_results())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
