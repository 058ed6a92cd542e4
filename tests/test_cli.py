"""mnistlib.cli: usage, exit statuses, one command for one digit or a whole number."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

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
    assert "exit statuses:" in ok.stdout
    version = _run("-m", "mnistlib", "--version")
    assert version.returncode == 0 and version.stdout.split()[-1] == metadata.version(DIST)
    for bad in (["nope"], [], ["recognize"], ["forms", "--n", "many"]):
        done = _run("-m", "mnistlib", *bad)
        assert done.returncode == 2 and done.stdout == "", bad
        assert done.stderr.startswith("usage: ") and "error:" in done.stderr, bad


def test_an_unknown_option_prints_its_commands_usage():
    done = _run("-m", "mnistlib", "recognize", "--bogus", "x.png")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: mnistlib recognize ") or done.stderr.startswith(
        "usage: python -m mnistlib recognize "
    ), done.stderr
    assert "unrecognized arguments: --bogus" in done.stderr


def test_output_cut_short_by_its_reader_ends_quietly(tmp_path):
    images = [str(p) for p in sample_images()] * 10  # still writing when the reader goes away
    reader = subprocess.Popen(
        [sys.executable, "-m", "mnistlib", "recognize", "--json", *images],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stderr is not None
    assert json.loads(reader.stdout.readline())["file"] == images[0]
    reader.stdout.close()
    status = reader.wait(timeout=180)
    assert status == cli.STOPPED_BY_PIPE and "Traceback" not in reader.stderr.read()


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


def test_a_missing_file_is_answered_before_anything_heavy_is_imported(tmp_path):
    code = _NO_TF.replace("main(sys.argv[1:])", "main(['recognize', 'missing.png'])")
    done = _run("-c", code, cwd=tmp_path)
    assert done.stdout.splitlines()[-1] == "IMPORTED ", done.stdout
    assert "missing.png: error: no such image file" in done.stderr


def test_the_shipped_recognizer_answers_without_tensorflow_and_quietly(tmp_path):
    sample = str(next(p for p in sample_images() if p.name == "photo_7.jpg"))
    code = _NO_TF.replace("main(sys.argv[1:])", f"main(['recognize', {sample!r}])")
    done = _run("-c", code, cwd=tmp_path)
    assert done.stdout.splitlines()[-1] == "IMPORTED PIL", done.stdout  # no TensorFlow, Keras
    assert "photo_7.jpg: 7 (" in done.stdout and done.stderr == ""


def test_exit_statuses_are_distinct_and_listed_by_help_and_the_readme():
    statuses = list(cli.ExitStatus)
    assert len({int(s) for s in statuses}) == len(statuses) == len(cli.EXIT_STATUSES)
    assert cli.ExitStatus.USAGE == 2  # argparse's own status for a wrong command line
    helped = _run("-m", "mnistlib", "recognize", "--help").stdout
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for status, words in cli.EXIT_STATUSES.items():
        assert f"{int(status)}  {words}" in helped
        assert f"| {int(status)} |" in readme, status


def test_recognize_reads_good_files_and_reports_bad_ones(tmp_path, dense_model):
    dense_model.save(tmp_path / "m.keras")
    good = tmp_path / "seven.png"
    seven().save(good)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    done = _run("-m", "mnistlib", "recognize", str(bad), str(good), str(tmp_path / "missing.png"),
                "--model", str(tmp_path / "m.keras"))  # fmt: skip
    assert done.returncode == cli.ExitStatus.FAILED
    assert re.search(r"seven\.png: (\d \(\d+\.\d%\)|not sure: )", done.stdout), done.stdout
    assert "notes.png: error: " in done.stderr and "not a readable image" in done.stderr
    assert "missing.png: error: " in done.stderr
    assert "Traceback" not in done.stderr


def test_a_model_that_cannot_be_loaded_has_its_own_status(tmp_path):
    seven().save(tmp_path / "x.png")  # a readable image: the model is loaded for it
    done = _run("-m", "mnistlib", "recognize", str(tmp_path / "x.png"), "--model",
                str(tmp_path / "none.keras"))  # fmt: skip
    assert done.returncode == cli.ExitStatus.NO_MODEL != cli.ExitStatus.USAGE
    assert "no model at" in done.stderr and "Traceback" not in done.stderr
    # --json: every file gets its line, the readable ones with the model's error.
    (tmp_path / "models").mkdir()
    lesson_model = str(tmp_path / "models" / "cnn.keras")
    done = _run("-m", "mnistlib", "recognize", "--json", str(tmp_path / "x.png"),
                str(tmp_path / "gone.png"), "--model", lesson_model)  # fmt: skip
    assert done.returncode == cli.ExitStatus.NO_MODEL
    answers = _json_lines(done)
    assert answers["gone.png"]["error"] and answers["x.png"]["text"] is None
    assert "the model could not be loaded: no model at" in answers["x.png"]["error"]
    assert "run them first" in answers["x.png"]["error"]  # a lesson model: the notebooks make it


def test_recognize_reads_the_samples_with_the_shipped_recognizer_and_creates_nothing(tmp_path):
    samples = sample_images()
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _run("-m", "mnistlib", "recognize", *map(str, samples), cwd=empty)
    lines = done.stdout.splitlines()
    doubted = any("not sure" in line for line in lines)
    assert done.returncode == (cli.ExitStatus.NOT_SURE if doubted else cli.ExitStatus.OK), done
    assert len(lines) == len(samples)
    for sample, line in zip(samples, lines, strict=True):
        # the sample's digit ("scan_0.png": 0) first: "0 (99.9%)" or, where the checks doubt
        # it, "not sure: 0 or 8? (61.0%) - why"
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
    assert re.fullmatch(r".*n\.png: \d\d \(\d \([\d.]+%\); \d \([\d.]+%\)\)", line), line
    # checks saved beside the model are used: an impossible threshold makes every digit unsure
    Sureness(threshold=1.01).save(sureness_path(path))
    number = ["recognize", "--number", str(tmp_path / "n.png"), "--model", str(path)]
    assert cli.main(number) == cli.ExitStatus.NOT_SURE
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*n\.png: \?\? \(not sure: \d or \d\? .*\)", line), line
    assert "probability below" in line  # says which check failed


def _package_files() -> list[tuple[str, int, float]]:
    folder = shipped_recognizer_path().parents[2]  # the mnistlib package
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime) for p in folder.rglob("*"))


def test_sure_save_never_writes_inside_the_package(capsys, tmp_path, monkeypatch):
    shipped = shipped_recognizer_path()
    assets = tmp_path / "assets"
    assets.symlink_to(shipped.parent)  # the package folder under another name
    monkeypatch.chdir(shipped.parent)
    before = _package_files()
    for model in (None, str(shipped), shipped.name, str(assets / shipped.name)):
        args = ["sure", "--save"] + ([] if model is None else ["--model", model])
        assert cli.main(args) == cli.ExitStatus.USAGE, model
        said = capsys.readouterr().err
        assert ("--model" if model is None else "inside the installed mnistlib") in said, said
    assert _package_files() == before


@pytest.mark.parametrize("args", [["forms", "--n", "0"], ["numbers", "--n", "-3"]])
def test_counts_below_one_are_usage_errors(args):
    done = _run("-m", "mnistlib", *args)
    assert done.returncode == cli.ExitStatus.USAGE and "at least 1" in done.stderr


def test_results_without_a_table_says_so_and_creates_nothing(tmp_path):
    done = _run(
        "-m", "mnistlib", "results", env=dict(os.environ, MNISTLIB_HOME=str(tmp_path / "h"))
    )
    assert done.returncode == 0 and not (tmp_path / "h").exists()


def _json_lines(done: subprocess.CompletedProcess) -> dict[str, dict]:
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    return {Path(a["file"]).name: a for a in answers}


def test_json_answers_round_trip_for_a_digit_a_number_a_doubt_and_a_bad_file(tmp_path):
    model = shipped_recognizer_path()
    own = tmp_path / "own.keras"  # the shipped model as a learner's own, with doubting checks
    own.write_bytes(model.read_bytes())
    Sureness(threshold=1.01).save(sureness_path(own))
    image, _ = strokes.compose_number([4, 2], np.random.default_rng(0), gap=(0.3, 0.4))
    Image.fromarray(255 - image).save(tmp_path / "n.png")
    (tmp_path / "bad.png").write_text("not an image")
    seven = next(p for p in sample_images() if p.name == "photo_7.jpg")
    files = [str(seven), str(tmp_path / "n.png"), str(tmp_path / "bad.png")]
    done = _run("-m", "mnistlib", "recognize", "--json", *files)
    assert done.returncode == cli.ExitStatus.FAILED  # the bad file
    answers = _json_lines(done)
    one, number, bad = answers["photo_7.jpg"], answers["n.png"], answers["bad.png"]
    assert one["text"] == "7" and one["sure"] is True and one["doubt"] is None
    assert one["digits"][0]["digit"] == 7 and len(one["digits"][0]["probabilities"]) == 10
    assert one["digits"][0]["probability"] == pytest.approx(
        max(one["digits"][0]["probabilities"]), abs=1e-5
    )
    assert number["text"] == "42" and [d["digit"] for d in number["digits"]] == [4, 2]
    detailed = _json_lines(_run("-m", "mnistlib", "recognize", "--json", "--number", files[1]))
    plain = _run("-m", "mnistlib", "recognize", "--number", files[1]).stdout.strip()
    assert plain == f"{files[1]}: {detailed['n.png']['verdict']}" and "\n" not in plain
    assert bad["error"] and bad["text"] is None and bad["digits"] == [] and bad["sure"] is False
    doubted = _run("-m", "mnistlib", "recognize", "--json", str(seven), "--model", str(own))
    assert doubted.returncode == cli.ExitStatus.NOT_SURE
    answer = _json_lines(doubted)["photo_7.jpg"]
    assert answer["sure"] is False and "probability below" in answer["doubt"]
    assert answer["digits"][0]["sure"] is False and answer["error"] is None


def test_inside_package_sees_through_relative_paths_and_links(tmp_path, monkeypatch):
    shipped = shipped_recognizer_path()
    (tmp_path / "link").symlink_to(shipped.parent)
    (tmp_path / "file.sure.npz").symlink_to(shipped.with_suffix(".npz"))  # a link into it
    monkeypatch.chdir(shipped.parent)
    assert cli.inside_package(shipped) and cli.inside_package(Path(shipped.name))
    assert cli.inside_package(tmp_path / "link" / "new.sure.npz")
    assert cli.inside_package(tmp_path / "file.sure.npz")
    assert not cli.inside_package(tmp_path / "mine.sure.npz")
    monkeypatch.chdir(tmp_path)
    assert not cli.inside_package(Path("mine.sure.npz"))
