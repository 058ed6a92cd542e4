"""Progress on long work: the hook that domain code calls, and the bar the command line shows.

Domain code never prints. A long function takes ``progress: Progress | None`` and calls
``progress(stage, done, total)`` as it goes (``report`` does nothing without a hook). The
command line and the benchmarks pass the hook of ``progress_bar()``: one line per stage with a
bar, the count done of the total, the time spent and the time left, drawn by rich on standard
error and only when standard error is a terminal (piped or in a log, nothing is drawn).

rich rather than tqdm or Keras' ``Progbar``: it is already installed with Keras (no new
dependency), it imports in a few hundredths of a second where ``keras.utils.Progbar`` would
import TensorFlow (about 4 s), and one display holds several stages at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: A progress hook: ``progress(stage, done, total)``; ``stage`` names the work in a few words.
Progress = Callable[[str, int, int], None]


def report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    """Call ``progress`` if there is one."""
    if progress is not None:
        progress(stage, done, total)


@contextmanager
def progress_bar(*, enabled: bool | None = None) -> Iterator[Progress]:
    """A progress display for the length of a ``with`` block; yields its hook. Drawn on
    standard error when it is a terminal (or when ``enabled``); otherwise the hook is silent."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import (
        Progress as Display,
    )

    console = Console(stderr=True)
    shown = console.is_terminal if enabled is None else enabled
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Display(*columns, console=console, disable=not shown) as display:
        tasks: dict[str, object] = {}

        def hook(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = display.add_task(stage, total=total)
            display.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        yield hook
