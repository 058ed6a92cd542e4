"""mnistlib.files: where files go, in order; nothing created by reading; atomic writes and an
inter-process lock (tests/test_results.py shows three processes recording through it)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import keras
import numpy as np
import pytest

from mnistlib import files as paths
from mnistlib.files import atomic_write, lock_path, locked, save_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _clean(monkeypatch, tmp_path):
    monkeypatch.delenv("MNISTLIB_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))
    yield
    paths.set_home(None)


def test_the_environment_setting_comes_first(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path / "h"))
    paths.set_home(tmp_path / "notebooks")
    monkeypatch.chdir(ROOT)
    assert paths.models_dir() == tmp_path / "h" / "models"
    assert paths.results_dir() == tmp_path / "h" / "results"


def test_set_home_comes_before_the_clone(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT / "tests")
    assert paths.home() == ROOT  # inside the clone: its root, from any subfolder
    assert paths.set_home(tmp_path) == tmp_path
    assert paths.models_dir() == tmp_path / "models"
    paths.set_home(None)
    assert paths.home() == ROOT


def test_outside_a_clone_the_user_folder_never_the_cwd(monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert paths.project_root() is None
    assert paths.home() == paths.user_home() == tmp_path / "xdg" / "mnistlib"
    assert paths.results_dir() == tmp_path / "xdg" / "mnistlib" / "results"


def test_asking_creates_no_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path / "h"))
    paths.models_dir(), paths.results_dir(), paths.home()
    assert list(tmp_path.iterdir()) == []


def test_the_data_cache_has_its_own_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTLIB_DATA_DIR", str(tmp_path / "d"))
    assert paths.data_dir() == tmp_path / "d"
    monkeypatch.delenv("MNISTLIB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert paths.data_dir() == tmp_path / "cache" / "mnistlib"


def test_shown_paths_are_relative_to_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path))
    assert paths.shown(tmp_path / "models" / "cnn.keras") == "models/cnn.keras"
    assert paths.shown("/elsewhere/x.keras") == "/elsewhere/x.keras"


def test_save_model_writes_atomically_and_loads_back(monkeypatch, tmp_path, dense_model):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path / "home"))
    path = save_model(dense_model, "dense")
    assert path == tmp_path / "home" / "models" / "dense.keras"
    assert sorted(p.name for p in path.parent.iterdir()) == ["dense.keras"]  # no temp left
    loaded = keras.models.load_model(path, compile=False)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), dense_model.predict(x, verbose=0))


def test_a_failed_save_leaves_the_previous_model_and_no_temp(dense_model, monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTLIB_HOME", str(tmp_path / "home"))
    path = save_model(dense_model, "dense")
    before = path.read_bytes()

    def broken_save(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as handle:
            handle.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_model(dense_model, "dense")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["dense.keras"]


def test_model_keys_are_checked():
    with pytest.raises(ValueError, match="model key"):
        paths.model_path("../evil")


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
