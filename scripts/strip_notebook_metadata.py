"""Remove volatile metadata from notebooks, so that a re-run changes only what changed.

Removed: each cell's execution timestamps (``metadata.execution``, written by nbclient and
JupyterLab) and the saved widget state (``metadata.widgets``: model ids that differ on every
run). Outputs, execution counts and the kernel's description are kept.

``python scripts/strip_notebook_metadata.py NOTEBOOK...`` strips the files in place and names the
ones it changed; ``--check`` only reports them (exit status 1 if any). ``scripts/run_notebooks.py``
strips the executed copies it writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import nbformat

#: Keys removed from each cell's metadata.
CELL_KEYS = ("execution",)
#: Keys removed from the notebook's metadata.
NOTEBOOK_KEYS = ("widgets",)


def volatile(nb: Any) -> list[str]:
    """Where ``nb`` (an nbformat notebook) holds volatile metadata, e.g. ``cell 3: execution``."""
    found = [f"notebook: {key}" for key in NOTEBOOK_KEYS if key in nb.metadata]
    for index, cell in enumerate(nb.cells):
        found += [f"cell {index}: {key}" for key in CELL_KEYS if key in cell.get("metadata", {})]
    return found


def strip(nb: Any) -> bool:
    """Remove the volatile metadata from ``nb`` in place; True if anything was removed."""
    changed = bool(volatile(nb))
    for key in NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in CELL_KEYS:
            cell.get("metadata", {}).pop(key, None)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    dirty = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if not volatile(nb):
            continue
        dirty.append(path)
        if not args.check:
            strip(nb)
            nbformat.write(nb, path)
        print(f"{'has volatile metadata' if args.check else 'stripped'}: {path}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
