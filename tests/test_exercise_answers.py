"""Every worked answer, run as written, makes its exercise's check say it worked and keeps the
notebook's final checks passing (quick mode: each fit trains one short epoch, so the checks
judge the new row and its name, not the direction of the accuracy)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ANSWER = re.compile(r"<details><summary>Answer</summary>\s+```python\n(.*?)```", re.S)


def _with_answers(path: Path) -> tuple[nbformat.NotebookNode, list[int]]:
    """The notebook with each exercise's answer in a cell of its own before its check cell."""
    nb = nbformat.read(path, as_version=4)
    cells, checks = [], []
    for cell in nb.cells:
        if cell.cell_type == "code" and "exercises.check(" in cell.source:
            (answer,) = ANSWER.findall(cells[-1].source)
            cells.append(nbformat.v4.new_code_cell(answer))
            checks.append(len(cells))
        cells.append(cell)
    nb.cells = cells
    return nb, checks


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_answer_makes_its_check_say_it_worked(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    monkeypatch.setenv("MNISTLIB_FAST", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    nb, checks = _with_answers(path)
    assert checks
    NotebookClient(nb, timeout=1800, resources={"metadata": {"path": str(path.parent)}}).execute()
    for i in checks:
        assert _text(nb.cells[i]).startswith("Worked"), (nb.cells[i - 1].source, _text(nb.cells[i]))
    assert _text(nb.cells[-1]).startswith("quick mode: floors not checked")
    scored = _text(next(c for c in nb.cells if "for name, model in kept.items():" in c.source))
    assert scored.count("test accuracy") == len(checks) + 3  # the lesson's three, every variant
