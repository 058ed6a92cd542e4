"""Recognising a person's own digits: one digit or a whole number, and an honest "not sure".

The public face (import these from ``mnistlib.recognition``; nothing else is promised)::

    from mnistlib.recognition import Recognizer, prepare_image, drawing_pad, upload_box

- ``Recognizer``: a digit classifier with its "not sure" checks. ``Recognizer.load()`` is the
  recogniser shipped with the package; ``recognize(image)`` reads one digit (a ``Recognition``),
  ``read_number(image)`` a whole number (a ``NumberReading``).
- ``prepare_image``: any image as MNIST's 28x28 (``preparation_steps``: every stage).
- ``read_image``: any image source (path, bytes, PIL image, array), read safely.
- ``Sureness`` and ``fit_sureness``: the "not sure" checks, and choosing them on validation
  digits for a model (what ``mnistlib sure`` does).
- ``drawing_pad``, ``upload_box``: the notebook widgets.
- ``sample_images``, ``load_model``: the files shipped with the package; a ``.keras`` file
  loaded safely.
- ``preparation_figure``, ``plot_number_reading``, ``plot_flag_curve``: figures (each returns its
  Figure).

The modules behind it are internal (their names may change): ``images`` (reading a source),
``verdict`` (how a verdict is worded), ``prepare`` (the MNIST preparation), ``segment`` (finding
the digits of a number), ``sureness`` (the checks; ``confusions``, its caps on confusable
pairs), ``loading`` (model files), ``runtime``
(running a model: Keras, or LiteRT for the shipped one), ``recognizer``, ``rendering`` (how a
reading is shown), ``widgets`` and ``figures``. Layers, lowest first: images, verdict -> prepare
-> confusions -> segment, sureness, loading, runtime -> recognizer -> rendering, figures ->
widgets. Nothing here imports ``mnistlib.measure``.

Names are loaded on first use, so ``import mnistlib.recognition`` stays light: TensorFlow,
matplotlib and ipywidgets are imported only by what needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mnistlib._lazy import lazy_names

#: Each public name and the internal module that defines it.
_WHERE = {
    "Recognizer": "recognizer",
    "Recognition": "recognizer",
    "NumberReading": "recognizer",
    "prepare_image": "prepare",
    "preparation_steps": "prepare",
    "read_image": "images",
    "Sureness": "sureness",
    "fit_sureness": "sureness",
    "drawing_pad": "widgets",
    "upload_box": "widgets",
    "sample_images": "loading",
    "load_model": "loading",
    "preparation_figure": "figures",
    "plot_number_reading": "figures",
    "plot_flag_curve": "figures",
}

__all__ = [
    "NumberReading",
    "Recognition",
    "Recognizer",
    "Sureness",
    "drawing_pad",
    "fit_sureness",
    "load_model",
    "plot_flag_curve",
    "plot_number_reading",
    "preparation_figure",
    "preparation_steps",
    "prepare_image",
    "read_image",
    "sample_images",
    "upload_box",
]

if TYPE_CHECKING:
    from mnistlib.recognition.figures import (
        plot_flag_curve,
        plot_number_reading,
        preparation_figure,
    )
    from mnistlib.recognition.images import read_image
    from mnistlib.recognition.loading import load_model, sample_images
    from mnistlib.recognition.prepare import preparation_steps, prepare_image
    from mnistlib.recognition.recognizer import NumberReading, Recognition, Recognizer
    from mnistlib.recognition.sureness import Sureness, fit_sureness
    from mnistlib.recognition.widgets import drawing_pad, upload_box


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
