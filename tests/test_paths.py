"""mnistlib.files: where models and results go, in order; nothing created by reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from mnistlib import paths

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


def test_shipped_samples_and_recognizer_are_package_data():
    samples = paths.sample_images()
    assert len(samples) == 12
    assert all(p.parent == ROOT / "mnistlib" / "assets" / "samples" for p in samples)
    for path in samples:
        assert path.stem.rsplit("_", 1)[1].isdigit()
        with Image.open(path) as image:
            image.verify()
    assert paths.shipped_recognizer_path() == ROOT / "mnistlib/recognition/assets/digit_recognizer.keras"
