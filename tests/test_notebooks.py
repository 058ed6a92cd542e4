"""The notebooks teach the Keras code in view: their models equal the library's builders, and
their training cells follow the lesson's rules (static checks on the committed .ipynb files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import keras
import pytest

from mnistlib import models

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {p.stem: p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}


def _cells(name: str, kind: str = "code") -> list[str]:
    cells = json.loads(NOTEBOOKS[name].read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == kind]


def _namespace(name: str) -> dict:
    """Run the notebook's cells that define models (def ... keras.Sequential) and return them."""
    namespace = {"keras": keras, "layers": keras.layers, "NUM_CLASSES": 10}
    sources = [s for s in _cells(name) if s.startswith("def build") and "keras.Sequential(" in s]
    assert sources, f"{name} defines no model with keras.Sequential in view"
    for source in sources:
        exec(compile(source, name, "exec"), namespace)
    return namespace


def _describe(model: keras.Model) -> dict:
    """Everything that makes two models the same network trained the same way (names aside)."""

    def config(layer) -> dict:
        return {k: v for k, v in layer.get_config().items() if k != "name"}

    return {
        "input": tuple(model.input_shape),
        "layers": [(type(layer).__name__, config(layer)) for layer in model.layers],
        "loss": model.loss,
        "optimizer": (type(model.optimizer).__name__, config(model.optimizer)),
        "parameters": model.count_params(),
    }


def test_notebook_01_builds_the_library_document_cnn():
    ns = _namespace("01_classification")
    steps = 3 * 430  # notebook 01: 3 epochs of 55,000 images in batches of 128
    ours, library = ns["build_cnn"](decay_steps=steps), models.build_document_cnn(decay_steps=steps)
    assert _describe(ours) == _describe(library)
    assert "CosineDecay" in str(_describe(ours)["optimizer"])
    mse = "mean_squared_error"
    ours = ns["build_cnn"](decay_steps=steps, loss=mse)
    assert _describe(ours) == _describe(models.build_document_cnn(loss=mse, decay_steps=steps))


def test_notebook_02_builds_the_library_dense_models():
    ns = _namespace("02_recognition")
    steps = 4300
    assert _describe(ns["build_dense"](steps)) == _describe(models.build_dense(decay_steps=steps))
    ours, library = ns["build_dense_hidden"](100, steps), models.build_dense(100, decay_steps=steps)
    assert _describe(ours) == _describe(library)
    assert "CosineDecay" in str(_describe(ours)["optimizer"])


def test_a_changed_layer_would_be_noticed():
    ns = _namespace("02_recognition")
    assert _describe(ns["build_dense_hidden"](32, 10)) != _describe(
        models.build_dense(100, decay_steps=10)
    )


def _training_cells(name: str) -> list[str]:
    return [s for s in _cells(name) if ".fit(" in s]


def _call(source: str, start: str) -> str:
    """The text of the call starting at ``start`` (e.g. ".fit("), up to its closing bracket."""
    begin = source.index(start) + len(start)
    depth = 1
    for end in range(begin, len(source)):
        depth += {"(": 1, ")": -1}.get(source[end], 0)
        if depth == 0:
            return source[begin:end]
    raise AssertionError(f"unclosed {start}")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_training_cells_follow_the_lesson(name):
    cells = _training_cells(name)
    assert cells
    for source in cells:
        # Hyper-parameters: named UPPER_CASE variables at the top of the cell, above fit.
        assert re.match(r"^[A-Z_]+ = ", source), source
        fit = _call(source, ".fit(")
        assert "verbose=0" in fit and "EpochProgress" in source
        # The test set is for the end: validation data are held out of the training images.
        assert "validation_data=(x_val" in fit and "x_test" not in fit
        # The result is recorded in the same cell, after one test evaluation, before any check.
        after = source[source.index(".fit(") :]
        assert after.count(".evaluate(x_test") == 1 and "results.record_result(" in after
        assert "run=results.run_name(" in source
        assert "assert" not in source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_only_the_last_cell_checks_floors(name):
    code = _cells(name)
    assert "assert" in code[-1] and "FAST" in code[-1]
    assert not [s for s in code[:-1] if re.search(r"^\s*assert ", s, re.M)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_validation_on_the_test_set_and_colab_ready_first_cell(name):
    code = _cells(name)
    assert not [s for s in code if "validation_data=(x_test" in s]
    first = code[0]
    assert "google.colab" in first and "enable_custom_widget_manager" in first
    assert "pip install" in first and "%matplotlib inline" in first
    assert first.index("quiet_tensorflow()") < first.index("import keras")


def test_the_drawing_pad_screenshot_travels_with_notebook_02():
    cells = json.loads(NOTEBOOKS["02_recognition"].read_text())["cells"]
    with_image = [c for c in cells if "attachment:drawing-pad.png" in "".join(c["source"])]
    assert len(with_image) == 1
    assert with_image[0]["attachments"]["drawing-pad.png"]["image/png"]
