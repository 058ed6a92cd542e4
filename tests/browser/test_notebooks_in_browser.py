"""The notebooks as a person uses them: JupyterLab in headless Chromium.

- 01_classification: its stored outputs render (every stored figure is an <img>, no errors).
- 02_recognition: Run All, then draw a 1 and a 0 on the drawing pad with the mouse (Clear in
  between) and read the digit the page shows; upload a digit image and a text file posing as a
  PNG, and read the verdict and the message.
- a one-cell notebook showing the pad with the shipped recogniser: draw a 1 and a 0 side by side
  and read the number "10".

Screenshots of the pad go to test-artifacts/ (git-ignored); with ``MNISTLIB_UPDATE_DOCS=1`` the
one of the number 10 drawn on the pad is also copied to docs/drawing-pad.png, the README's picture.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

# The notebooks under test. While developing, MNISTLIB_CLASSIFICATION_NOTEBOOK and
# MNISTLIB_RECOGNITION_NOTEBOOK may name others (the latter: any notebook that displays
# ``drawing_pad`` and ``upload_box``).
CLASSIFICATION = os.environ.get(
    "MNISTLIB_CLASSIFICATION_NOTEBOOK", "notebooks/01_classification.ipynb"
)
RECOGNITION = os.environ.get("MNISTLIB_RECOGNITION_NOTEBOOK", "notebooks/02_recognition.ipynb")
RUN_ALL_TIMEOUT_MS = 420_000  # notebook 02 trains two dense models: about 1-2 minutes here
RESULT_TIMEOUT_MS = 60_000
DOCS_PICTURE = ROOT / "docs" / "drawing-pad.png"
#: A sample shipped with the package to upload (its name ends in its digit).
SAMPLE = ROOT / "mnistlib" / "recognition" / "assets" / "samples" / "photo_2.jpg"

STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'


def _notebook_file(name: str) -> Path:
    path = Path(name) if Path(name).is_absolute() else ROOT / name
    assert path.is_file(), f"{path} is missing"
    return path


def _code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def _open(page, lab, notebook: Path):
    """Open ``notebook`` (copied into the lab's project) in a fresh workspace."""
    target = lab.root / "notebooks" / notebook.name
    if not target.exists():
        shutil.copy(notebook, target)
    relative = target.relative_to(lab.root).as_posix()
    workspace = f"test-{uuid.uuid4().hex[:8]}"
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{relative}?reset&token={lab.token}")
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for()
    return panel


def _wait_for_kernel_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the open notebook has a kernel (not "No Kernel") and it is idle."""
    page.wait_for_function(
        """() => {
            const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
                .find(p => p.offsetParent !== null);
            const name = panel && panel.querySelector('.jp-Toolbar-kernelName');
            const status = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
            return !!name && !!status && !/^\\s*(No Kernel)?\\s*$/.test(name.textContent)
                && status.dataset.status === 'idle'
                && [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                    .some(e => /\\| Idle\\s*$/.test(e.textContent));
        }""",
        timeout=timeout_ms,
        polling=250,
    )


def _menu(page, *names: str) -> None:
    page.locator("#jp-menu-panel").get_by_role("menuitem", name=names[0], exact=True).click()
    for name in names[1:]:
        page.locator(".lm-Menu").get_by_role("menuitem", name=name, exact=True).last.click()


def _error_texts(panel) -> list[str]:
    texts = panel.locator(f".jp-OutputArea-output{STDERR}").all_inner_texts()
    return [t for t in texts if "Traceback" in t or re.search(r"^\w*Error\b", t, re.M)]


def _run_all(page, panel, expected_cells: int) -> None:
    """Clear the stored outputs, Run All, and wait until every cell has run (or one failed)."""
    _wait_for_kernel_idle(page)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(
        """([expected, stderr]) => {
            const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
                .find(p => p.offsetParent !== null);
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .map(e => e.textContent);
            if (prompts.some(p => p.includes('*'))) return false;
            const done = prompts.filter(p => /\\[\\d+\\]/.test(p)).length;
            const failed = panel.querySelectorAll('.jp-OutputArea-output' + stderr).length;
            return done >= expected || failed > 0;
        }""",
        arg=[expected_cells, STDERR],
        timeout=RUN_ALL_TIMEOUT_MS,
        polling=500,
    )
    errors = _error_texts(panel)
    assert not errors, "a cell failed:\n" + "\n".join(errors)
    _wait_for_kernel_idle(page)


def _draw(page, canvas, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw strokes with the mouse; points are fractions of the canvas' width and height."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100, f"the pad is not visible: {box}"
    for stroke in strokes:
        x0, y0, width, height = box["x"], box["y"], box["width"], box["height"]
        points = [(x0 + fx * width, y0 + fy * height) for fx, fy in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=3)
        page.mouse.up()


ONE = [[(0.52, 0.14), (0.50, 0.50), (0.48, 0.86)]]
ZERO = [
    [
        (0.5 + 0.24 * math.sin(t / 32 * 2 * math.pi), 0.5 - 0.36 * math.cos(t / 32 * 2 * math.pi))
        for t in range(33)
    ]
]


def test_classification_notebook_outputs_render(page, lab):
    path = _notebook_file(CLASSIFICATION)
    stored = [o for c in _code_cells(path) for o in c.get("outputs", [])]
    figures = sum("image/png" in o.get("data", {}) for o in stored)
    assert figures > 0, f"{path.name} has no stored figures: run `make run` and commit it"
    assert not [o for o in stored if o["output_type"] == "error"], "stored error outputs"

    panel = _open(page, lab, path)
    images = panel.locator(".jp-OutputArea-output img")
    images.nth(figures - 1).wait_for()
    assert images.count() == figures
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img')]
              .every(img => img.complete && img.naturalWidth > 0)"""
    )
    assert not _error_texts(panel)
    assert panel.locator(f".jp-OutputArea-output{STDERR}").count() == 0


def test_draw_and_upload_digits_in_the_recognition_notebook(page, lab, artifacts, tmp_path):
    from playwright.sync_api import expect

    path = _notebook_file(RECOGNITION)
    panel = _open(page, lab, path)
    _run_all(page, panel, len(_code_cells(path)))

    pad = panel.locator(".mnistlib-drawing-pad").first
    canvas = pad.locator("canvas.mnistlib-pad-canvas")
    result = pad.locator(".mnistlib-pad-result")
    canvas.wait_for()
    expect(result).to_contain_text("Draw a digit")

    _draw(page, canvas, ONE)
    expect(result).to_have_text(re.compile(r"^1 \(\d+\.\d%\)$"), timeout=RESULT_TIMEOUT_MS)
    pad.screenshot(path=artifacts / "drawing-pad-1.png")

    pad.locator(".mnistlib-pad-clear").click()
    expect(result).to_contain_text("Draw a digit", timeout=RESULT_TIMEOUT_MS)

    _draw(page, canvas, ZERO)
    expect(result).to_have_text(re.compile(r"^0 \(\d+\.\d%\)$"), timeout=RESULT_TIMEOUT_MS)
    # the prepared 28x28 and the probability bars are shown next to the verdict
    expect(pad.locator(".mnistlib-pad-prepared")).to_be_visible()
    expect(pad.locator(".mnistlib-pad-probabilities .mnistlib-bar")).to_have_count(10)
    pad.screenshot(path=artifacts / "drawing-pad-0.png")

    box = panel.locator(".mnistlib-upload-box").first
    box.scroll_into_view_if_needed()
    files = [_scanned_digit(tmp_path), SAMPLE]  # two at once: the box takes several files
    with page.expect_file_chooser() as chooser:
        box.locator(".mnistlib-upload-button").click()
    chooser.value.set_files(files)
    verdicts = box.locator(".mnistlib-upload-result")
    expect(verdicts).to_have_text(
        [re.compile(rf"{f.name}: {_true_digit(f)} \(\d+\.\d%\)") for f in files],
        timeout=RESULT_TIMEOUT_MS,
    )
    box.screenshot(path=artifacts / "upload-box.png")

    notes = tmp_path / "notes.png"
    notes.write_text("Shopping list: milk, eggs, flour.\n", encoding="utf-8")
    with page.expect_file_chooser() as chooser:
        box.locator(".mnistlib-upload-button").click()
    chooser.value.set_files(notes)
    expect(box.locator(".mnistlib-upload-error")).to_contain_text(
        "Could not read 'notes.png':", timeout=RESULT_TIMEOUT_MS
    )
    expect(box.locator(".mnistlib-upload-result")).to_have_count(0)
    box.screenshot(path=artifacts / "upload-box-error.png")
    assert not _error_texts(panel)


ONE_LEFT = [[(0.30, 0.24), (0.29, 0.50), (0.28, 0.76)]]
ZERO_RIGHT = [
    [
        (0.66 + 0.13 * math.sin(t / 32 * 2 * math.pi), 0.5 - 0.25 * math.cos(t / 32 * 2 * math.pi))
        for t in range(33)
    ]
]


KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def test_draw_a_number_on_the_pad(page, lab, artifacts):
    """Two digits side by side on the pad are read as one number, each shown with its bars."""
    from playwright.sync_api import expect

    notebook = lab.root / "notebooks" / "pad_number.ipynb"
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": ["from mnistlib.recognition.widgets import drawing_pad\n", "drawing_pad()"],
    }
    notebook.write_text(
        json.dumps(
            {
                "cells": [cell],
                "metadata": {"kernelspec": KERNEL},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    panel = _open(page, lab, notebook)
    _run_all(page, panel, 1)
    pad = panel.locator(".mnistlib-drawing-pad").first
    canvas = pad.locator("canvas.mnistlib-pad-canvas")
    result = pad.locator(".mnistlib-pad-result")
    canvas.wait_for()
    _draw(page, canvas, ONE_LEFT)
    expect(result).to_have_text(re.compile(r"^1 \(\d+\.\d%\)$"), timeout=RESULT_TIMEOUT_MS)
    _draw(page, canvas, ZERO_RIGHT)
    expect(result).to_have_text("10", timeout=RESULT_TIMEOUT_MS)
    expect(pad.locator(".mnistlib-pad-probabilities .mnistlib-bar")).to_have_count(20)
    pad.screenshot(path=artifacts / "drawing-pad-10.png")
    if os.environ.get("MNISTLIB_UPDATE_DOCS") == "1":
        DOCS_PICTURE.parent.mkdir(exist_ok=True)
        shutil.copy(artifacts / "drawing-pad-10.png", DOCS_PICTURE)
    assert not _error_texts(panel)


def _true_digit(path: Path) -> int:
    return int(path.stem.rsplit("_", 1)[-1])


def _scanned_digit(folder: Path) -> Path:
    """MNIST test image 0 (a 7), as a scan: dark ink on white paper, 4x larger, off-centre."""
    import numpy as np
    from PIL import Image

    from mnistlib.data import load_mnist

    _, (x_test, y_test) = load_mnist()
    assert y_test[0] == 7
    paper = Image.new("L", (200, 160), 255)
    paper.paste(Image.fromarray(255 - x_test[0]).resize((112, 112)), (70, 30))
    path = folder / "scan_7.png"
    buffer = io.BytesIO()
    paper.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    assert np.asarray(paper).min() < 50
    return path
