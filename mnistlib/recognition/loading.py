"""Model files: loading a ``.keras`` digit classifier safely, and the files shipped in the package.

- ``load_model(path)`` loads a ``.keras`` digit classifier with Keras' safe mode, after checking
  that the installed Keras has no known safe-mode bypass; anything else is refused with a
  ``ModelLoadError`` saying why.
- ``shipped_recognizer_path()`` and ``sample_images()``: the recogniser and the sample images
  shipped inside the package (``mnistlib/recognition/assets``).

TensorFlow is imported (quietly) only when a model is loaded.
"""

from __future__ import annotations

import os
import re
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnistlib.errors import ModelLoadError
from mnistlib.recognition.prepare import MNIST_SIDE

if TYPE_CHECKING:
    import keras

#: The oldest Keras allowed to load a model. Older ones have known safe-mode bypasses or archive
#: flaws: CVE-2026-1462 (safe mode bypassed through TFSMLayer; fixed in 3.14.0) and
#: GHSA-hqp4-2352-xf5r (path traversal while extracting archives; 3.14.0), and before them
#: CVE-2025-1550, -8747, -9905, -12060. 3.15.1 adds hardening against crafted ``.keras`` files
#: (decompression bombs inside the archive). pyproject.toml holds the same floor.
MIN_KERAS = (3, 15, 1)
#: The ten digits 0-9: the number of scores a digit classifier gives.
NUM_CLASSES = 10
#: Input shapes a digit classifier may take: an image with a channel, without, or flattened.
INPUT_SHAPES = ((MNIST_SIDE, MNIST_SIDE, 1), (MNIST_SIDE, MNIST_SIDE), (MNIST_SIDE * MNIST_SIDE,))
SAMPLE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _asset(*parts: str) -> Path:
    """A file shipped in ``mnistlib/recognition/assets`` (installed as plain files)."""
    resource = files("mnistlib.recognition").joinpath("assets", *parts)
    if not isinstance(resource, os.PathLike):
        raise FileNotFoundError(f"mnistlib is not installed as plain files: {resource}")
    return Path(resource)


def shipped_recognizer_path() -> Path:
    """The digit recogniser shipped inside the package."""
    return _asset("digit_recognizer.keras")


def sample_images() -> list[Path]:
    """The shipped sample images, sorted by name (``<form>_<true digit>.<ext>``)."""
    folder = _asset("samples")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)


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
    if in_shape[1:] not in INPUT_SHAPES:
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
        # The lesson's models are made by running its notebooks: say so where one is looked for.
        made_by = " (the notebooks save their models there: run them first)"
        raise ModelLoadError(f"no model at {path}{made_by if path.parent.name == 'models' else ''}")
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(f"{path.name} is corrupt: not a .keras (zip) archive")
    from mnistlib._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile, AttributeError) as err:
        # what Keras raises for damaged, truncated or unsafe files (notes: "Loading models")
        first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise ModelLoadError(f"{path.name} could not be loaded safely: {first}") from err
    check_digit_model(model, path.name)
    return model
