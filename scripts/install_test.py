"""Install the wheel as a learner would, and use it from an empty folder (``make install-test``).

1. Build the wheel (``pip wheel --no-deps``) and check it carries the shipped recogniser and the
   sample images.
2. Install it with its ``notebooks`` extra into a fresh virtual environment. The dependencies
   come from a wheelhouse in the user's cache (``$XDG_CACHE_HOME/mnistlib/wheelhouse``), filled
   from the package index the first time, so later runs work offline.
3. From an empty temporary folder, run ``mnistlib recognize`` on the shipped samples with the
   shipped recogniser: at least ``MIN_SAMPLES_RIGHT`` of the 12 read right, and the folder (and
   the per-user home) stays empty.
4. Execute notebook 02 there in quick mode (``MNISTLIB_FAST=1``); afterwards the folder may hold
   only the notebook and what it writes (``models/``, ``results/``).

Prints how long each step took. Exit status 0 when everything held.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = "handwritten-digits-mnistlib"
NOTEBOOK = ROOT / "notebooks" / "02_recognition.ipynb"
#: What executing notebook 02 may leave beside itself: the notebook and its own outputs.
NOTEBOOK_OUTPUTS = {NOTEBOOK.name, "models", "results"}
#: Of the 12 shipped samples (two per form), how many the shipped recogniser must read right:
#: issue 11's floor is 0.90 per form; 10 of 12 leaves room for one unlucky sample per 6.
MIN_SAMPLES_RIGHT = 10
#: Execute notebook 02 outside the clone (``--no-notebook`` skips it, for a quicker check).
RUN_NOTEBOOK_BY_DEFAULT = True


def _wheelhouse() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(os.environ.get("MNISTLIB_WHEELHOUSE") or Path(base) / "mnistlib" / "wheelhouse")


def _run(
    command: list[str | Path], ok: tuple[int, ...] = (0,), **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; stop unless it exits with one of ``ok``."""
    done = subprocess.run([str(c) for c in command], text=True, capture_output=True, **kwargs)
    if done.returncode not in ok:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(map(str, command))}")
    return done


class Steps:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def say(self, message: str) -> None:
        print(f"[install-test {time.perf_counter() - self.started:5.0f} s] {message}", flush=True)


#: Not copied into the build folder: generated files that a wheel must never pick up.
NOT_SOURCES = (".git", ".venv", "build", "executed", "models", "results", "test-artifacts",
               "*.egg-info", "__pycache__", ".*_cache", ".ipynb_checkpoints")  # fmt: skip


def build_wheel(out: Path) -> Path:
    """Build from a copy of the sources, so no stale ``build/`` folder leaks into the wheel."""
    sources = out.parent / "src"
    shutil.copytree(ROOT, sources, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, sources])
    (wheel,) = out.glob("handwritten_digits_mnistlib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {
        "mnistlib/recognition/assets/digit_recognizer.keras",
        "mnistlib/recognition/assets/digit_recognizer.tflite",
        "mnistlib/py.typed",
    }
    samples = [n for n in names if n.startswith("mnistlib/recognition/assets/samples/")]
    if not needed <= names or len(samples) < 12:
        raise SystemExit(f"the wheel lacks package data: {sorted(needed - names)}, {samples}")
    return wheel


def install(wheel: Path, venv: Path, steps: Steps) -> Path:
    _run([sys.executable, "-m", "venv", venv])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    house = _wheelhouse()
    house.mkdir(parents=True, exist_ok=True)
    requirement = f"{wheel}[notebooks]"  # this very wheel, never one of the same version
    offline = [python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", house,
               requirement]  # fmt: skip
    if subprocess.run([str(c) for c in offline], capture_output=True).returncode != 0:
        steps.say(f"filling the wheelhouse {house} from the package index (first run only)")
        _run([sys.executable, "-m", "pip", "download", "--quiet", "-d", house, requirement])
        _run(offline)
    for stale in house.glob("handwritten_digits_mnistlib-*"):  # the project is never cached
        stale.unlink()
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebook",
        action=argparse.BooleanOptionalAction,
        default=RUN_NOTEBOOK_BY_DEFAULT,
        help="also execute notebook 02",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    steps = Steps()
    base = Path(tempfile.mkdtemp(prefix="mnistlib-install-"))
    try:
        wheel = build_wheel(base / "dist")
        steps.say(f"built {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB)")
        python = install(wheel, base / "venv", steps)
        steps.say("installed it with the notebooks extra into a fresh venv")

        empty, user = base / "empty", base / "user"
        empty.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MNISTLIB_")}
        env.pop("PYTHONPATH", None)
        env.update(XDG_DATA_HOME=str(user), LOCALAPPDATA=str(user), TF_CPP_MIN_LOG_LEVEL="3")
        if "MNISTLIB_DATA_DIR" in os.environ:  # where MNIST is cached, for the notebook
            env["MNISTLIB_DATA_DIR"] = os.environ["MNISTLIB_DATA_DIR"]
        code = "from mnistlib.recognition.loading import sample_images as s; print(*s(), sep='\\n')"
        samples = _run([python, "-c", code], cwd=empty, env=env).stdout.split()
        if any(ROOT in Path(sample).parents for sample in samples):
            raise SystemExit(f"the samples came from the clone, not the install: {samples}")
        mnistlib = python.parent / ("mnistlib.exe" if os.name == "nt" else "mnistlib")
        # exit status 4: every sample read, some digit "not sure" (mnistlib.cli.ExitStatus)
        done = _run([mnistlib, "recognize", *samples], ok=(0, 4), cwd=empty, env=env)
        lines = done.stdout.splitlines()
        right = sum(
            line.split(": ")[1].startswith(Path(sample).stem.rsplit("_", 1)[1] + " ")
            for sample, line in zip(samples, lines, strict=True)
        )
        print("\n".join("    " + Path(line).name for line in lines))
        if done.stderr.strip() or right < MIN_SAMPLES_RIGHT:
            raise SystemExit(f"{right} of {len(samples)} samples read right{done.stderr}")
        if list(empty.iterdir()) or user.exists():
            raise SystemExit("`mnistlib recognize` created files: it must only read")
        steps.say(f"`mnistlib recognize` read {right} of {len(samples)} samples; created nothing")

        if args.notebook:
            shutil.copy(NOTEBOOK, empty / NOTEBOOK.name)
            run = ("import sys, nbformat; from nbclient import NotebookClient; "
                   "nb = nbformat.read(sys.argv[1], as_version=4); "
                   "NotebookClient(nb, timeout=1800, kernel_name='python3').execute(); "
                   "nbformat.write(nb, sys.argv[1])")  # fmt: skip
            _run([python, "-c", run, NOTEBOOK.name], cwd=empty,
                 env=dict(env, MNISTLIB_FAST="1"))  # fmt: skip
            left = {p.name for p in empty.iterdir()}
            if not left <= NOTEBOOK_OUTPUTS or user.exists():
                raise SystemExit(f"notebook 02 left more than its outputs: {sorted(left)}")
            steps.say(f"notebook 02 ran outside the clone; the folder holds {sorted(left)}")
        else:
            steps.say("notebook 02 not executed (--no-notebook was given)")
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    steps.say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
