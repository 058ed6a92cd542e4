"""Execute notebooks headless, streaming each cell's output; print the results table at the end.

Each code cell's printed output (Keras' line per epoch, say) appears as it happens; on a
terminal a bar below it counts the code cells done, with the time spent and an estimate of the
time left (``mnistlib.progress``; cells differ in length, so the estimate firms up as it goes).
Executed copies, without volatile metadata, go to ``executed/`` (git-ignored); the committed
notebooks are not touched. Used by ``make run``: ``python scripts/run_notebooks.py NOTEBOOK...``.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import KernelManager
from jupyter_core.paths import jupyter_runtime_dir
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from strip_notebook_metadata import strip  # noqa: E402

from mnistlib.progress import Progress, progress_bar, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "executed"
#: Kernels talk to us over local sockets (IPC) where the system has them: no TCP port is opened,
#: so the kernel has no reason to warn "running over TCP without encryption".
TRANSPORT = "tcp" if os.name == "nt" else "ipc"


class StreamingClient(NotebookClient):
    """An nbclient client that prints each cell's stream output as it arrives, over IPC."""

    def create_kernel_manager(self) -> KernelManager:
        manager = super().create_kernel_manager()
        manager.transport = TRANSPORT
        if TRANSPORT == "ipc":  # the sockets live in Jupyter's runtime folder, not the cwd
            folder = Path(jupyter_runtime_dir())
            folder.mkdir(parents=True, exist_ok=True)
            manager.ip = str(folder / f"mnistlib-{uuid.uuid4().hex[:12]}-ipc")
        return manager

    def output(
        self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> Any:
        if msg["msg_type"] == "stream":
            target = sys.stderr if msg["content"].get("name") == "stderr" else sys.stdout
            for line in msg["content"]["text"].splitlines(keepends=True):
                target.write(f"       | {line}")
            target.flush()
        return super().output(outs, msg, display_id, cell_index)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def section_times(nb: Any) -> list[tuple[str, float]]:
    """Seconds each ``## `` section of an executed notebook took, from nbclient's cell timings
    (``metadata.execution``), in order; the cells before the first heading count as "Set-up"."""
    sections: dict[str, float] = {}
    title = "Set-up"
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            title = cell.source.splitlines()[0][3:].strip()
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type == "code" and "shell.execute_reply" in timing:
            started = timing.get("iopub.execute_input") or timing["shell.execute_reply.started"]
            spent = (_when(timing["shell.execute_reply"]) - _when(started)).total_seconds()
            sections[title] = sections.get(title, 0.0) + spent
    return list(sections.items())


def run(path: Path, progress: Progress | None = None) -> tuple[float, list[tuple[str, float]]]:
    """Execute one notebook; returns its wall time and ``section_times``. ``progress`` hears
    of each code cell started."""
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    started = time.perf_counter()
    done = 0

    def on_cell_start(cell: Any, **_kwargs: Any) -> None:
        nonlocal done
        if cell.cell_type != "code":
            return
        report(progress, path.name, done, len(code_cells))
        done += 1
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        elapsed = time.perf_counter() - started
        print(f"  [{done:>2}/{len(code_cells)}] {elapsed:6.0f} s  {first[:60]}", flush=True)

    client = StreamingClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
    )
    print(f"{path.name}: {len(code_cells)} code cells", flush=True)
    try:
        client.execute()
        report(progress, path.name, len(code_cells), len(code_cells))
    finally:
        sections = section_times(nb)
        OUT.mkdir(exist_ok=True)
        strip(nb)
        nbformat.write(nb, OUT / path.name)
    seconds = time.perf_counter() - started
    print(f"{path.name}: done in {seconds:.0f} s -> {OUT.relative_to(ROOT) / path.name}")
    print("  " + "; ".join(f"{title} {spent:.0f} s" for title, spent in sections) + "\n")
    return seconds, sections


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    with progress_bar() as progress:
        for name in argv:
            path = Path(name).resolve()
            if not path.is_file():
                print(f"skipping {name}: no such notebook")
                continue
            try:
                run(path, progress)
            except CellExecutionError as err:
                print(f"{path.name} failed; see executed/{path.name}\n{err}", file=sys.stderr)
                return 1
    from mnistlib.results import format_results, results_path

    print(f"Results table ({results_path()}), best validation accuracy first:")
    print(format_results())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
