"""Project-level checks: packaging metadata and the conda environment agree; CLI usage."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_installs_the_project_and_nothing_else():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    # conda supplies only Python and pip; every library comes from pyproject.toml via pip.
    assert sorted(re.split(r"[=<> ]", d)[0] for d in conda) == ["pip", "python"]
    assert len(pip) == 1
    match = re.fullmatch(r"-e \.\[([a-z,]+)\]", pip[0])
    assert match, pip[0]
    extras = _pyproject()["project"]["optional-dependencies"]
    assert set(match.group(1).split(",")) <= set(extras)


def test_environment_python_is_within_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    minor = int(python.split("=")[1].split(".")[1])
    spec = _pyproject()["project"]["requires-python"]
    low, high = (int(v.split(".")[1]) for v in re.findall(r"3\.\d+", spec))
    assert low <= minor < high


def test_runtime_dependencies_are_declared():
    deps = " ".join(_pyproject()["project"]["dependencies"])
    for name in ("tensorflow", "keras", "numpy", "matplotlib", "seaborn", "pillow"):
        assert name in deps
    assert "tf-keras" not in deps


def test_cli_usage_and_unknown_command():
    ok = subprocess.run(
        [sys.executable, "-m", "mnistlib", "--help"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "fetch-data" in ok.stdout and ok.stderr == ""
    bad = subprocess.run([sys.executable, "-m", "mnistlib", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown command" in bad.stderr


def test_import_mnistlib_prints_nothing():
    code = "import mnistlib, keras, tensorflow; mnistlib.set_seed(1)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout == "" and out.stderr == ""


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_hold_a_clean_full_run(path):
    """Outputs of a full run are committed: every code cell ran, figures are stored as
    pictures (not '<Figure ...>' text), and nothing went to stderr or raised."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    outputs = [o for c in cells for o in c["outputs"]]
    assert all(c["execution_count"] for c in cells), "a code cell was not run"
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 5
    text_only = [o for o in outputs if "image/png" not in o.get("data", {})]
    assert not [o for o in text_only if "<Figure size" in str(o.get("data", {}).get("text/plain"))]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
