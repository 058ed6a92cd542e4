"""mnistlib.cli: usage, exit statuses, one command for one digit or a whole number."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
from helpers import seven
from PIL import Image

from mnistlib import cli
from mnistlib.measure import strokes
from mnistlib.recognition.loading import sample_images, shipped_recognizer_path
from mnistlib.recognition.sureness import Sureness, sureness_path

DIST = "handwritten-digits-mnistlib"


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=180,
                          **kwargs)  # fmt: skip


def test_cli_usage_version_and_errors():
    ok = _run("-m", "mnistlib", "--help")
    assert ok.returncode == 0 and ok.stderr == ""
    assert ok.stdout.startswith("usage: ") and "-m mnistlib" in ok.stdout.splitlines()[0]
    for command in ("fetch-data", "recognize", "forms", "results"):
        assert command in ok.stdout
    version = _run("-m", "mnistlib", "--version")
    assert version.returncode == 0 and version.stdout.split()[-1] == metadata.version(DIST)
    for bad in (["nope"], [], ["recognize"], ["forms", "--n", "many"]):
        done = _run("-m", "mnistlib", *bad)
        assert done.returncode == 2 and done.stdout == "", bad
        assert done.stderr.startswith("usage: ") and "error:" in done.stderr, bad


_NO_TF = """
import sys
from mnistlib.cli import main
sys.argv[0] = "mnistlib"
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in ("tensorflow", "keras", "PIL", "matplotlib") if m in sys.modules)
print("IMPORTED", ",".join(heavy))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["results"], ["recognize", "-h"]])
def test_quick_commands_do_not_import_tensorflow(args, tmp_path):
    done = _run("-c", _NO_TF, *args, env=dict(os.environ, MNISTLIB_HOME=str(tmp_path / "h")))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "IMPORTED ", done.stdout
    assert not (tmp_path / "h").exists()  # read-only: nothing created


def test_the_recognize_command_does_import_tensorflow_quietly(tmp_path):
    code = _NO_TF.replace("main(sys.argv[1:])", "main(['recognize', 'missing.png'])")
    done = _run("-c", code, cwd=tmp_path)
    assert "tensorflow" in done.stdout.splitlines()[-1]  # the check above can fail
    assert "missing.png: error:" in done.stderr and "oneDNN" not in done.stderr


def test_exit_statuses_are_named_and_distinct():
    assert [s.value for s in cli.ExitStatus] == [0, 1, 2, 3]
    assert len({s.name for s in cli.ExitStatus}) == 4


def test_recognize_reads_good_files_and_reports_bad_ones(tmp_path, dense_model):
    dense_model.save(tmp_path / "m.keras")
    good = tmp_path / "seven.png"
    seven().save(good)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    done = _run("-m", "mnistlib", "recognize", str(bad), str(good), str(tmp_path / "missing.png"),
                "--model", str(tmp_path / "m.keras"))  # fmt: skip
    assert done.returncode == cli.ExitStatus.FAILED
    assert "seven.png: " in done.stdout and "confidence" in done.stdout
    assert "notes.png: error: " in done.stderr and "not a readable image" in done.stderr
    assert "missing.png: error: " in done.stderr
    assert "Traceback" not in done.stderr


def test_a_model_that_cannot_be_loaded_has_its_own_status(tmp_path):
    done = _run("-m", "mnistlib", "recognize", "x.png", "--model", str(tmp_path / "none.keras"))
    assert done.returncode == cli.ExitStatus.NO_MODEL != cli.ExitStatus.USAGE
    assert "no model at" in done.stderr and "Traceback" not in done.stderr


def test_recognize_reads_the_samples_with_the_shipped_recognizer_and_creates_nothing(tmp_path):
    samples = sample_images()
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _run("-m", "mnistlib", "recognize", *map(str, samples), cwd=empty)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(samples)
    for sample, line in zip(samples, lines, strict=True):
        # the sample's digit ("scan_0.png": 0) first: "0 (confidence ...)" or, where the
        # checks doubt it, "not sure: 0 or 8? - why"
        said = re.search(r"\d", line.split(": ", 1)[1])
        assert said and said.group() == sample.stem[-1], line
    assert sum("not sure" in line for line in lines) <= 1  # about 1.7% of digits are doubted
    assert list(empty.iterdir()) == []


def test_an_image_of_a_number_is_read_as_a_number_without_any_flag(tmp_path, capsys, trained_model):
    path = tmp_path / "quick.keras"
    trained_model.save(path)
    image, _ = strokes.compose_number([4, 2], np.random.default_rng(0), gap=(0.3, 0.4))
    Image.fromarray(255 - image).save(tmp_path / "n.png")
    assert cli.main(["recognize", str(tmp_path / "n.png"), "--model", str(path)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*n\.png: \d\d", line), line
    assert cli.main(["recognize", "--number", str(tmp_path / "n.png"), "--model", str(path)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*n\.png: \d\d \(\d [\d.]+%, \d [\d.]+%\)", line), line
    # checks saved beside the model are used: an impossible threshold makes every digit unsure
    Sureness(threshold=1.01).save(sureness_path(path))
    assert cli.main(["recognize", "--number", str(tmp_path / "n.png"), "--model", str(path)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*n\.png: \?\? \(not sure: \d or \d\? .*\)", line), line
    assert "probability below" in line  # says which check failed


def test_sure_save_never_writes_inside_the_package(capsys):
    before = sorted(p.name for p in shipped_recognizer_path().parent.iterdir())
    assert cli.main(["sure", "--save"]) == cli.ExitStatus.USAGE
    assert "--model" in capsys.readouterr().err
    assert sorted(p.name for p in shipped_recognizer_path().parent.iterdir()) == before


@pytest.mark.parametrize("args", [["forms", "--n", "0"], ["numbers", "--n", "-3"]])
def test_counts_below_one_are_usage_errors(args):
    done = _run("-m", "mnistlib", *args)
    assert done.returncode == cli.ExitStatus.USAGE and "at least 1" in done.stderr


def test_results_without_a_table_says_so_and_creates_nothing(tmp_path):
    done = _run(
        "-m", "mnistlib", "results", env=dict(os.environ, MNISTLIB_HOME=str(tmp_path / "h"))
    )
    assert done.returncode == 0 and not (tmp_path / "h").exists()
