"""The notebooks follow the lesson's rules (static checks on the committed .ipynb files).

Choose on validation, test once; every training cell records its run; short cells with the
Keras code in view; no plumbing in learner cells; folded answers for every exercise; outputs
without stderr or the absolute folders of the machine that ran them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {p.stem: p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
#: Code lines allowed in each notebook's lesson ("Going further" and "Checks" counted apart).
LESSON_LINES = {"01_classification": 220, "02_recognition": 180}
MAX_CELL_LINES = 15
#: A cell that scores test data: the test images go into predict or evaluate.
SCORES_TEST = re.compile(r"\.(predict|evaluate)\(\s*x_test")


def _cells(name: str) -> list[dict]:
    return json.loads(NOTEBOOKS[name].read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _parts(name: str) -> list[tuple[str, dict]]:
    """Each cell with the part it belongs to: "lesson", "going further" or "checks"."""
    part, out = "lesson", []
    for cell in _cells(name):
        text = _source(cell)
        if cell["cell_type"] == "markdown" and text.startswith("## Going further"):
            part = "going further"
        elif cell["cell_type"] == "markdown" and text.startswith("## Checks"):
            part = "checks"
        out.append((part, cell))
    return out


def _code(name: str, part: str | None = None) -> list[str]:
    return [_source(c) for p, c in _parts(name) if c["cell_type"] == "code" and part in (None, p)]


def test_both_notebooks_are_there():
    assert set(NOTEBOOKS) == set(LESSON_LINES)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_exactly_one_cell_scores_the_test_set_after_every_training_cell(name):
    code = _code(name, "lesson")
    scoring = [i for i, s in enumerate(code) if SCORES_TEST.search(s)]
    assert len(scoring) == 1, scoring
    assert [s for s in _code(name) if SCORES_TEST.search(s)] == [code[scoring[0]]]
    training = [i for i, s in enumerate(code) if ".fit(" in s]
    assert training and max(training) < scoring[0]
    assert "results.record_test(" in code[scoring[0]]
    # Before it, every comparison uses the validation set: no test data in any other code.
    for source in code[: scoring[0]]:
        assert not re.search(r"\b[xy]_test\[", source), source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_training_cell_validates_and_records_its_run(name):
    cells = [s for s in _code(name) if ".fit(" in s]
    assert cells
    for source in cells:
        assert re.match(r"^([A-Z_]+ = .+\n)+", source), "hyper-parameters first, as named variables"
        assert "keras.utils.set_random_seed(SEED)" in source
        assert "validation_data=(x_val, " in source and "x_test" not in source
        assert "callbacks=[training.Recorder(" in source
        assert "verbose=2" in source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_short_cells_and_a_short_lesson(name):
    lines = {"lesson": 0, "going further": 0, "checks": 0}
    for part, cell in _parts(name):
        if cell["cell_type"] == "code":
            n = len(_source(cell).splitlines())
            assert n <= MAX_CELL_LINES, f"a code cell of {n} lines:\n{_source(cell)}"
            lines[part] += n
    assert lines["lesson"] + lines["checks"] <= LESSON_LINES[name], lines


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_plumbing_in_learner_cells(name):
    for source in _code(name):
        assert "FAST" not in source and "NBVAL" not in source, source
    code = _code(name)
    assert [s for s in code if re.search(r"^\s*assert ", s, re.M)] == [code[-1]]
    assert [_source(c) for p, c in _parts(name) if p == "checks" and c["cell_type"] == "code"] == [
        code[-1]
    ]
    assert "QUICK = training.quick_mode()" in code[1]
    assert sum("QUICK" in s for s in code) == 2  # set there, read by the checks only


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_sentence_before_every_code_cell(name):
    cells = _cells(name)
    for before, cell in zip(cells, cells[1:], strict=False):
        if cell["cell_type"] == "code":
            assert before["cell_type"] == "markdown", _source(cell)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_exercise_has_a_folded_answer_with_code(name):
    text = "\n".join(_source(c) for c in _cells(name) if c["cell_type"] == "markdown")
    exercises = re.findall(r"^### Exercise \d+: ", text, re.M)
    answers = re.findall(r"<details><summary>Answer</summary>\s+```python\n", text)
    assert exercises and len(answers) >= len(exercises)
    assert "What to expect" not in text and "A hint" not in text


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_nbval_pins_lesson_facts_not_keras_tables(name):
    checked = [c for c in _cells(name) if "nbval-check-output" in c["metadata"].get("tags", [])]
    assert checked
    assert not [c for c in checked if ".summary()" in _source(c)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_outputs_have_no_stderr_and_no_absolute_folders(name):
    for cell in _cells(name):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", _source(cell)
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", "")
            )
            assert not re.search(r"(/work/|/home/|/Users/|/tmp/|[A-Z]:\\)", text), text


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_first_cell_names_the_distribution_and_refuses_a_foreign_mnistlib(name):
    first = _code(name)[0]
    assert first.startswith("%matplotlib inline")
    assert "from mnistlib import DISTRIBUTION" in first  # PyPI's unrelated mnistlib has none
    # Not on PyPI: the way out is the wheel the README builds, named as the first cell names it.
    assert "install handwritten-digits-mnistlib from its wheel (README)" in first
    readme = (ROOT / "README.md").read_text()
    assert "install handwritten-digits-mnistlib from its wheel (README)" in readme


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_set_up_before_the_data_is_at_most_12_lines(name):
    code = _code(name)
    data = next(i for i, s in enumerate(code) if "data.load_mnist()" in s)
    lines = [line for s in code[:data] for line in s.splitlines() if line.strip()]
    assert len(lines) <= 12, lines


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_exercise_ends_with_a_check_before_the_test_cell(name):
    cells = _cells(name)
    heads = [i for i, c in enumerate(cells) if _source(c).startswith("### Exercise ")]
    scoring = next(i for i, c in enumerate(cells) if SCORES_TEST.search(_source(c)))
    assert heads and max(heads) < scoring
    for i in heads:
        assert "print(exercises.check(" in _source(cells[i + 1]), _source(cells[i])
        answer = _source(cells[i]).split("```python\n")[1].split("```")[0]
        assert "kept[" in answer  # the test cell scores the variant once
        assert not re.search(r"^[A-Z_]+ = ", answer, re.M)  # the lesson's settings stay as set
    assert "for name, model in kept.items():" in _source(cells[scoring])


def test_the_document_cnn_is_compiled_as_the_document_says():
    (cell,) = [s for s in _code("01_classification") if "def build_cnn(" in s]
    assert 'optimizer="adam"' in cell
    assert "Conv2D(64, kernel_size=3" in cell and "Conv2D(32, kernel_size=3" in cell


def test_the_improved_cnn_and_its_augmentation_are_in_view():
    (cell,) = [s for s in _code("01_classification") if "def improved_cnn_layers(" in s]
    for layer in ("RandomTranslation", "Conv2D", "MaxPooling2D", "BatchNormalization", "Dense"):
        assert f"layers.{layer}(" in cell


def test_the_compute_cost_is_in_going_further():
    assert any("multiply-adds" in s for s in _code("01_classification", "going further"))
    assert not any("multiply-adds" in s for s in _code("01_classification", "lesson"))


def test_notebook_02_lesson_ends_with_your_own_file_read_by_your_cnn():
    last = _code("02_recognition", "lesson")[-1]
    for step in ("Image.open(", "prepare_image(", ".reshape(", ".predict(", "np.argmax("):
        assert step in last, step
    assert 'model_path("improved_cnn")' in last
    going_further = "\n".join(_code("02_recognition", "going further"))
    for moved in ("evaluate_forms(", "read_number(", ".describe()"):  # describe: the doubt
        assert moved in going_further and moved not in "\n".join(_code("02_recognition", "lesson"))


def test_the_drawing_pad_screenshot_travels_with_notebook_02():
    with_image = [c for c in _cells("02_recognition") if "attachment:drawing-pad.png" in _source(c)]
    assert len(with_image) == 1
    assert with_image[0]["attachments"]["drawing-pad.png"]["image/png"]
