"""Project-level checks: packaging metadata and the conda environment agree; committed notebooks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DIST = "handwritten-digits-mnistlib"


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
    # Learners get what the notebooks need, not the test tools (the README says how to add them).
    assert match.group(1).split(",") == ["notebooks"]
    assert "notebooks" in _pyproject()["project"]["optional-dependencies"]


def test_environment_python_is_within_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    minor = int(python.split("=")[1].split(".")[1])
    spec = _pyproject()["project"]["requires-python"]
    low, high = (int(v.split(".")[1]) for v in re.findall(r"3\.\d+", spec))
    assert low <= minor < high


def _floors() -> dict[str, str]:
    """Each ``name>=version`` requirement of the runtime and dev lists (extras and markers off)."""
    project = _pyproject()["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["dev"]
    lines += project["optional-dependencies"]["notebooks"]
    floors = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?>=([0-9.]+)(,<[0-9.]+)?(;.*)?", line)
        if match and not (match.group(5) and "python_version" in match.group(5)):
            floors[match.group(1).lower()] = match.group(3)
    return floors


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])


def test_security_floors_are_declared():
    floors = _floors()
    assert _numbers(floors["keras"]) >= (3, 15, 1)  # CVE-2026-1462, GHSA-hqp4-2352-xf5r
    assert _numbers(floors["pillow"]) >= (12, 3)
    from mnistlib.recognition.loading import MIN_KERAS

    assert _numbers(floors["keras"]) == MIN_KERAS  # the loader refuses what pip would refuse
    assert "tf-keras" not in " ".join(_pyproject()["project"]["dependencies"])


def test_installed_versions_meet_the_floors():
    floors = _floors()
    assert {"keras", "pillow", "tensorflow", "numpy", "ruff", "mypy"} <= set(floors)
    below = []
    for name, floor in floors.items():
        if name == "handwritten-digits-mnistlib":
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # an extra not installed here (the gpu one, say)
        if _numbers(installed) < _numbers(floor):
            below.append(f"{name} {installed} < {floor}")
    assert below == [], "installed below the floor: " + ", ".join(below)


def test_ci_breaking_tools_are_pinned_to_a_range():
    dev = _pyproject()["project"]["optional-dependencies"]["dev"]
    for tool in ("ruff", "mypy"):
        (line,) = [d for d in dev if d.startswith(tool)]
        assert re.fullmatch(rf"{tool}>=[0-9.]+,<[0-9.]+", line), line


def test_gpu_extra_brings_tensorflow_with_cuda():
    assert any(
        d.startswith("tensorflow[and-cuda]")
        for d in _pyproject()["project"]["optional-dependencies"]["gpu"]
    )


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120,
                          **kwargs)  # fmt: skip


def test_import_mnistlib_is_light_and_quiet():
    code = "import sys, mnistlib; print('tensorflow' in sys.modules); mnistlib.set_seed(1)"
    out = _run("-c", code)
    assert out.returncode == 0
    assert out.stdout == "False\n" and out.stderr == ""


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("package", ["mnistlib.recognition", "mnistlib.measure"])
def test_each_subpackage_has_a_light_public_face(package):
    # importing the face loads neither TensorFlow nor matplotlib nor the widgets; each name it
    # promises resolves (then loading what it needs)
    code = (
        f"import sys, {package} as p; heavy = ('tensorflow', 'matplotlib', 'ipywidgets'); "
        "print(any(m in sys.modules for m in heavy)); "
        "print(all(callable(getattr(p, n)) or n.isupper() for n in p.__all__))"
    )
    out = _run("-c", code)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "False\nTrue\n"


def test_notebooks_import_only_what_the_subpackages_export():
    import mnistlib.measure
    import mnistlib.recognition

    faces = {"mnistlib.recognition": mnistlib.recognition, "mnistlib.measure": mnistlib.measure}
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            for line in "".join(cell["source"]).splitlines():
                found = re.match(r"\s*from (mnistlib[\w.]*) import (.+)", line)
                if not found:
                    continue
                module, names = found.groups()
                assert module == "mnistlib" or module in faces, f"{path.name}: {line}"
                if module in faces:
                    for name in names.split(","):
                        assert name.strip() in faces[module].__all__, f"{path.name}: {line}"


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_carry_no_volatile_metadata(path):
    """No execution timestamps or widget state: a re-run changes only what changed.
    (Fix with `python scripts/strip_notebook_metadata.py notebooks/*.ipynb`.)"""
    import nbformat

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from strip_notebook_metadata import volatile
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert volatile(nbformat.read(path, as_version=4)) == []


def _recipe(makefile: str, target: str) -> tuple[str, str]:
    """A Makefile rule's prerequisites and its recipe (the tab-indented lines under it)."""
    match = re.search(rf"^{re.escape(target)}:(.*)\n((?:\t.*\n)*)", makefile, re.M)
    assert match, target
    return match.group(1), match.group(2)


def test_a_learners_make_targets_install_the_notebooks_extra_only():
    makefile = (ROOT / "Makefile").read_text()
    stamp = re.search(r"^STAMP\s*:=\s*(\S+)", makefile, re.M).group(1)
    dev = re.search(r"^DEV\s*:=\s*(\S+)", makefile, re.M).group(1)
    assert "'.[notebooks]'" in _recipe(makefile, "$(STAMP)")[1]
    assert (
        ".[dev]" not in _recipe(makefile, "$(STAMP)")[1]
        and ".[dev]" in _recipe(makefile, "$(DEV)")[1]
    )
    for target in ("lab", "run", "data"):  # nothing on their way installs the developer tools
        seen, todo = set(), [target]
        while todo:
            prerequisites = _recipe(makefile, todo.pop())[0].split()
            assert "$(DEV)" not in prerequisites and "dev-data" not in prerequisites, target
            todo += [p for p in prerequisites if p not in seen and p != "$(STAMP)"]
            seen.update(prerequisites)
    for target in ("lint", "unit", "nbval", "browser", "install-test"):
        assert _recipe(makefile, target)[0].split()[0] in ("$(DEV)", "dev-data"), target
    assert stamp != dev


#: Issue 27's bounds: a module a reader takes in at one sitting, a function on one screen.
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def test_library_modules_and_functions_stay_short():
    import ast

    long = []
    for path in sorted((ROOT / "mnistlib").rglob("*.py")):
        source = path.read_text()
        name = path.relative_to(ROOT).as_posix()
        if len(source.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}: {node.name}() {length} lines")
    assert not long, long


def test_tests_use_only_public_names_of_the_library():
    """No test reaches a ``_private`` name of mnistlib: ``from mnistlib... import _x`` or
    ``module._x`` where ``module`` was imported from mnistlib."""
    import ast

    private = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mnistlib"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        private.append(f"{path.name}:{node.lineno} imports {alias.name}")
                    modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                modules.update(
                    a.asname or a.name for a in node.names if a.name.startswith("mnistlib")
                )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and ast.unparse(node.value).split(".")[0] in modules
            ):
                private.append(f"{path.name}:{node.lineno} uses {ast.unparse(node)}")
    assert not private, private
