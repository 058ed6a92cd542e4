"""scripts/run_notebooks.py: each section's time from an executed notebook's cell timings."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import run_notebooks  # noqa: E402
from run_notebooks import section_times  # noqa: E402


def _timed(source: str, start: str, end: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["execution"] = {"iopub.execute_input": start, "shell.execute_reply": end}
    return cell


def test_section_times_add_up_each_sections_cells():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _timed("import x", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:02.500Z"),
        nbformat.v4.new_markdown_cell("## Train\n\ntext"),
        _timed("fit()", "2026-01-01T00:00:03Z", "2026-01-01T00:01:03Z"),
        _timed("plot()", "2026-01-01T00:01:03Z", "2026-01-01T00:01:04Z"),
        nbformat.v4.new_code_cell("never run"),
    ]
    assert section_times(nb) == [("Set-up", 2.5), ("Train", 61.0)]


def test_running_a_notebook_reports_each_code_cell_to_the_progress_hook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("## Next"),
                nbformat.v4.new_code_cell("print(x + 1)")]  # fmt: skip
    path = tmp_path / "progress-check.ipynb"
    nbformat.write(nb, path)
    heard = []
    try:
        run_notebooks.run(path, lambda stage, done, total: heard.append((stage, done, total)))
    finally:
        (run_notebooks.OUT / path.name).unlink(missing_ok=True)
    assert heard == [(path.name, 0, 2), (path.name, 1, 2), (path.name, 2, 2)]
