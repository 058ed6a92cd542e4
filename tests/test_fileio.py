"""mnistlib.files: atomic writes, and a lock that keeps every row when processes record at once."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from mnistlib import results
from mnistlib.files import atomic_write, lock_path, locked


def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    with atomic_write(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".csv" and tmp != target
        tmp.write_text("new\n")
        assert target.read_text() == "old\n"  # nothing visible until the block ends
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


def test_a_failed_write_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError, match="boom"), atomic_write(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_concurrent_writers_get_their_own_temp_files(tmp_path):
    target = tmp_path / "a.keras"
    with atomic_write(target) as first, atomic_write(target) as second:
        assert first != second and first.suffix == second.suffix == ".keras"
        first.write_text("1")
        second.write_text("2")
    assert target.read_text() == "1"  # the outer block finished last


def _hold_lock(path, started, release) -> None:
    with locked(path):
        started.set()
        release.wait(30)


def test_locked_excludes_another_process(tmp_path):
    path = tmp_path / "shared.csv"
    ctx = multiprocessing.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(path, started, release))
    holder.start()
    try:
        assert started.wait(60)
        import fcntl  # the lock is held elsewhere: a non-blocking attempt here must fail

        with lock_path(path).open("a+b") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        release.set()
        holder.join(30)
    with locked(path):  # free again
        pass


def _record_rows(home: str, worker: int, n: int) -> None:
    os.environ["MNISTLIB_HOME"] = home
    for i in range(n):
        results.record_result(notebook=f"worker{worker}", model=f"m{i}", run="", loss="ce",
                              epochs=1, test_accuracy=0.5, train_seconds=1.0,
                              parameters=1)  # fmt: skip


@pytest.mark.skipif(os.name == "nt", reason="the fcntl check above is POSIX; the lock is not")
def test_three_processes_recording_at_once_lose_no_row(tmp_path, monkeypatch):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_record_rows, args=(str(tmp_path), w, 60)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0
    rows = results.load_results()
    assert len(rows) == 180
    assert {(r.notebook, r.model) for r in rows} == {
        (f"worker{w}", f"m{i}") for w in range(3) for i in range(60)
    }
    leftovers = [p.name for p in results.results_path().parent.iterdir()]
    assert sorted(leftovers) == [".accuracies.csv.lock", "accuracies.csv"]
