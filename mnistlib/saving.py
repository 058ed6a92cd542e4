"""Saving models, loading them safely, and finding the default digit recogniser.

- ``save_model(model, key)`` writes ``<home>/models/<key>.keras`` atomically (see
  ``mnistlib.paths`` for where ``<home>`` is).
- ``load_model(path)`` loads a ``.keras`` digit classifier with Keras' safe mode, after checking
  that the installed Keras has no known safe-mode bypass; anything else is refused with a
  ``ModelLoadError`` saying why.
- ``load_recognizer(path=None)`` is the one place that finds the default recogniser: the model
  shipped inside the package, unless a path is given. The command line, the forms command, the
  widgets and the benchmarks all use it.

TensorFlow is imported (quietly) only when a model is loaded.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnistlib.errors import ModelLoadError
from mnistlib.fileio import atomic_write
from mnistlib.paths import models_dir, shipped_recognizer_path
from mnistlib.preprocess import NUM_CLASSES

if TYPE_CHECKING:
    import keras

#: The oldest Keras allowed to load a model. Older ones have known safe-mode bypasses or archive
#: flaws: CVE-2026-1462 (safe mode bypassed through TFSMLayer; fixed in 3.14.0) and
#: GHSA-hqp4-2352-xf5r (path traversal while extracting archives; 3.14.0), and before them
#: CVE-2025-1550, -8747, -9905, -12060. 3.15.1 adds hardening against crafted ``.keras`` files
#: (decompression bombs inside the archive). pyproject.toml holds the same floor.
MIN_KERAS = (3, 15, 1)

_KEY = re.compile(r"^[a-z0-9_]+$")
_INPUT_SHAPES = ((28, 28, 1), (28, 28), (784,))


def model_path(key: str) -> Path:
    """``<home>/models/<key>.keras`` for a results key such as ``cnn`` or ``dense_hidden``."""
    if not _KEY.match(key):
        raise ValueError(f"model key must be lower-case letters, digits and _, got {key!r}")
    return models_dir() / f"{key}.keras"


def save_model(model: keras.Model, key: str) -> Path:
    """Save ``model`` in the native ``.keras`` format as ``<home>/models/<key>.keras``.

    The file is written atomically: a model saved while another process loads it is either the
    old one or the new one, never half of each. Returns the path.
    """
    path = model_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as tmp:
        model.save(tmp)
    return path


def keras_version() -> tuple[int, ...]:
    """The installed Keras version as numbers, e.g. (3, 15, 1) (a suffix like ``.dev0`` dropped)."""
    from importlib.metadata import version

    numbers = re.findall(r"\d+", version("keras"))[:3]
    return tuple(int(n) for n in numbers)


def check_digit_model(model: Any, name: str) -> None:
    """Raise ModelLoadError unless ``model`` takes 28x28 images and gives 10 digit scores."""
    try:
        in_shape = tuple(model.input_shape)
        out_shape = tuple(model.output_shape)
    except (AttributeError, ValueError, TypeError) as err:
        raise ModelLoadError(f"{name} is not a single-input Keras model ({err})") from None
    if in_shape[1:] not in _INPUT_SHAPES:
        raise ModelLoadError(f"{name} takes inputs of shape {in_shape[1:]}, not 28x28 digit images")
    if out_shape[1:] != (NUM_CLASSES,):
        raise ModelLoadError(f"{name} has outputs of shape {out_shape[1:]}, not 10 digit scores")


def load_model(path: str | os.PathLike[str]) -> keras.Model:
    """Load a ``.keras`` digit classifier with Keras' safe mode; refuse anything else.

    Raises ModelLoadError for a missing, corrupt, unsafe, legacy (``.h5``) or wrong-shaped
    model, or when the installed Keras is older than ``MIN_KERAS``, with a message saying which.
    """
    path = Path(os.fspath(path))
    if keras_version() < MIN_KERAS:
        floor = ".".join(map(str, MIN_KERAS))
        raise ModelLoadError(
            f"Keras {'.'.join(map(str, keras_version()))} has known safe-mode bypasses "
            f"(CVE-2026-1462, GHSA-hqp4-2352-xf5r); upgrade to Keras {floor} or newer "
            f"(pip install 'keras>={floor}') before loading models"
        )
    if path.suffix.lower() in (".h5", ".hdf5"):
        raise ModelLoadError(
            f"{path.name} is a legacy HDF5 model: Keras' safe mode does not apply to it, so it is "
            "refused. Re-save the model as .keras with a trusted Keras."
        )
    if path.suffix.lower() != ".keras":
        raise ModelLoadError(f"{path.name} is not a .keras model file")
    if not path.is_file():
        raise ModelLoadError(f"no model at {path}")
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(f"{path.name} is corrupt: not a .keras (zip) archive")
    from mnistlib._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as err:  # Keras raises many types for damaged or unsafe files
        first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise ModelLoadError(f"{path.name} could not be loaded safely: {first}") from None
    check_digit_model(model, path.name)
    _register_sureness(model, path)
    return model


def _register_sureness(model: keras.Model, path: Path) -> None:
    """Use the "not sure" checks saved beside the model (``<model>.sure.npz``), if any."""
    from mnistlib.confidence import Sureness, register, sureness_path

    checks = sureness_path(path)
    if not checks.is_file():
        return
    try:
        register(model, Sureness.load(checks))
    except (OSError, ValueError, KeyError) as err:
        raise ModelLoadError(
            f"{checks.name} (the model's 'not sure' checks) is unreadable: {err}"
        ) from None


def load_recognizer(path: str | os.PathLike[str] | None = None) -> keras.Model:
    """The digit recogniser: the one shipped with the package, or the model at ``path``.

    ``path`` is a learner's own ``.keras`` model (e.g. ``saving.model_path("cnn")``); it is
    loaded with ``load_model``'s checks. Raises ModelLoadError when it cannot be used.
    """
    if path is not None:
        return load_model(path)
    shipped = shipped_recognizer_path()
    if not shipped.is_file():
        raise ModelLoadError(
            f"the recogniser shipped with mnistlib is missing ({shipped}); reinstall the "
            "package, or pass the path of your own .keras model"
        )
    return load_model(shipped)
