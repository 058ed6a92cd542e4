"""JupyterLab on loopback, driven by Debian's headless Chromium through Playwright.

Every test in this folder is marked ``browser``. Without Chromium (or Playwright) they skip,
saying why, unless ``MNISTLIB_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets): then that is a failure.

The server runs on 127.0.0.1, on a free port, with a random token, in a throw-away copy of the
project (notebooks, models and results copied; the package linked), so running the
notebooks never rewrites the committed notebooks, models/ or results/. The Jupyter
config, settings, workspaces and runtime folders are temporary too, so a user's own settings
cannot change what the tests see.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MNISTLIB_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT_S = 90

# JupyterLab settings for the tests: every cell attached to the page (no virtual scrolling),
# and no news or update checks (no toast over the page, no request to the internet).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    """Skip, or fail where the browser is required (CI)."""
    if os.environ.get("MNISTLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MNISTLIB_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason} (install Debian's chromium package to run the browser tests)")


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_lab_root(root: Path) -> Path:
    """A project-shaped folder: the real package (samples inside), copies of everything written.

    The notebooks, models and results are copies, so a notebook run in the browser (which saves
    models and picks the default recogniser) never changes the project's own files.
    """
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "mnistlib").symlink_to(ROOT / "mnistlib", target_is_directory=True)
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".*"))
    home = Path(os.environ.get("MNISTLIB_HOME") or ROOT)
    models, results = home / "models", home / "results"
    (root / "models").mkdir()
    for model in models.glob("*.keras"):
        shutil.copy(model, root / "models" / model.name)
    (root / "results").mkdir()
    if (results / "accuracies.csv").is_file():
        shutil.copy(results / "accuracies.csv", root / "results" / "accuracies.csv")
    return root


@pytest.fixture(scope="session")
def lab(chromium_executable, tmp_path_factory):
    """A running JupyterLab: ``SimpleNamespace(url, token, root, log)``."""
    from types import SimpleNamespace

    base = tmp_path_factory.mktemp("lab")
    root = _make_lab_root(base / "project")
    settings = base / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ)
    for var, folder in {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
    }.items():
        (base / folder).mkdir()
        env[var] = str(base / folder)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("MNISTLIB_HOME", None)  # the copies above, not a folder set elsewhere

    port, token = _free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    log = (base / "jupyter.log").open("w")
    server = subprocess.Popen(
        [
            str(jupyter),
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
            *(["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its kernels share its process group, ended with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, f"{url}/api/status?token={token}", base / "jupyter.log")
        yield SimpleNamespace(url=url, token=token, root=root, log=base / "jupyter.log")
    finally:
        _stop(server)
        log.close()


def _wait_for_server(server: subprocess.Popen, status_url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(status_url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # polling a server that is starting: nothing to wait on instead
    pytest.fail(f"JupyterLab did not answer in {SERVER_START_TIMEOUT_S} s:\n{log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # a kernel left behind in its group
        os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture
def page(request, browser, lab):
    """A fresh page; on failure its screenshot goes to test-artifacts/<test>-failure.png."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        if request.node.stash.get(_FAILED, False):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}-failure.png", full_page=True)
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
