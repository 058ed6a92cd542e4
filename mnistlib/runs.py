"""What defines a training run, and the run name a person would write for a variant.

``describe_run(model, ...)`` lists everything that defines a run of a compiled model as plain
JSON values (its layers and their settings, the optimizer with its learning-rate schedule, the
loss, the epochs, the batch size and the seed); ``run_key`` fingerprints it. ``run_name(first,
settings)`` says what a variant changed from the model's first run, the way a person would
("MSE loss, 1 epoch", "Conv2D 16 -> 32 filters", "+ Dropout(0.2)"); every setting stays in the
results table's file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

#: Layer settings that do not change what a layer computes: left out of the key.
IGNORED_SETTINGS = {
    "name",
    "trainable",
    "dtype",
    "build_config",
    "compile_config",
    "module",
    "registered_name",
}
#: Float settings are rounded to this many significant digits (0.0010000000474974513 -> 0.001).
DIGITS = 6
FIRST_RUN = "first run"
#: Losses as people say them (Keras' names are identifiers).
LOSS_NAMES = {
    "categorical_crossentropy": "cross-entropy",
    "sparse_categorical_crossentropy": "sparse cross-entropy",
    "mean_squared_error": "MSE",
    "mean_absolute_error": "MAE",
    "CategoricalCrossentropy": "cross-entropy",
    "SparseCategoricalCrossentropy": "sparse cross-entropy",
    "MeanSquaredError": "MSE",
}
#: A layer's size, said before the word: "Conv2D 16 -> 32 filters", "Dense 100 -> 256 units".
SIZES = ("filters", "units")
#: The setting that tells two layers of one class apart when a layer is added or removed.
MAIN_SETTING = ("filters", "units", "rate", "pool_size")


def _clean(value: Any) -> Any:
    """JSON-ready and stable: floats rounded, names and dtypes dropped, tuples as lists."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in sorted(value.items()) if k not in IGNORED_SETTINGS}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{DIGITS}g}")
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _loss_settings(loss: Any) -> Any:
    if loss is None or isinstance(loss, str):
        return loss
    import keras

    try:
        return _clean(keras.losses.serialize(loss))
    except (TypeError, ValueError):
        return getattr(loss, "__name__", type(loss).__name__)


def describe_run(
    model: keras.Model, *, epochs: int, batch_size: int, seed: int | None
) -> dict[str, Any]:
    """Everything that defines a training run of a compiled ``model``, as plain JSON values."""
    optimizer = getattr(model, "optimizer", None)
    return {
        "layers": [
            {"class": type(layer).__name__, **_clean(layer.get_config())} for layer in model.layers
        ],
        "optimizer": None
        if optimizer is None
        else {"class": type(optimizer).__name__, **_clean(optimizer.get_config())},
        "loss": _loss_settings(getattr(model, "loss", None)),
        "epochs": int(epochs),
        "batch_size": int(batch_size),
        "seed": seed,
    }


def run_key(model_name: str, settings: dict[str, Any]) -> str:
    """A short fingerprint of (model name, settings): equal exactly when the runs are the same."""
    text = json.dumps([model_name, settings], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _class(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("class") or value.get("class_name")
    return None


def _fields(value: dict[str, Any]) -> dict[str, Any]:
    """A setting's own fields: its ``config`` merged in, its class left out."""
    fields = {k: v for k, v in value.items() if k not in ("class", "class_name", "config")}
    fields.update(value.get("config") or {})
    return fields


def _brief(value: Any) -> str:
    """A value as a person writes it: a schedule or other object by its class name."""
    if isinstance(value, dict):
        return _class(value) or "settings"
    if isinstance(value, list) and len(value) == 2 and value[0] == value[1]:
        return str(value[0])  # kernel_size [3, 3] -> 3
    return "none" if value is None else str(value)


def _changed(label: str, old: Any, new: Any) -> list[str]:
    """What differs between two settings, as "label old -> new" lines."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict) and _class(old) == _class(new):
        a, b = _fields(old), _fields(new)
        found = []
        for name in [k for k in a if k in b]:
            found += _changed(f"{label} {name}".strip(), a[name], b[name])
        return found
    return [f"{label} {_brief(old)} -> {_brief(new)}".strip()]


def _layer(layer: dict[str, Any]) -> str:
    """A layer as a person writes it: "Dense(64)", "Dropout(0.2)", "Flatten"."""
    main = next((layer[k] for k in MAIN_SETTING if k in layer), None)
    return f"{layer['class']}({_brief(main)})" if main is not None else str(layer["class"])


def _layer_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    if [x["class"] for x in old] == [x["class"] for x in new]:
        found = []
        for a, b in zip(old, new, strict=True):
            for name in [k for k in a if k in b and a[k] != b[k]]:
                if name in SIZES:
                    found.append(f"{b['class']} {a[name]} -> {b[name]} {name}")
                else:
                    found += _changed(f"{b['class']} {name}", a[name], b[name])
        return found
    before, after = [_layer(x) for x in old], [_layer(x) for x in new]
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    found = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            found += [f"- {name}" for name in before[a0:a1]]
        if op in ("insert", "replace"):
            found += [f"+ {name}" for name in after[b0:b1]]
    return found


def _loss_name(loss: Any) -> str:
    name = _class(loss) if isinstance(loss, dict) else str(loss)
    return LOSS_NAMES.get(str(name), str(name))


def differences(first: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """What ``settings`` changed from ``first``, as a person says it: ``["4 epochs"]``."""
    found = _layer_changes(first.get("layers", []), settings.get("layers", []))
    old_opt, new_opt = first.get("optimizer"), settings.get("optimizer")
    if _class(old_opt) != _class(new_opt):
        found.append(f"{_class(new_opt) or 'no'} optimizer")
    elif isinstance(old_opt, dict) and isinstance(new_opt, dict):
        rate_old, rate_new = old_opt.get("learning_rate"), new_opt.get("learning_rate")
        if isinstance(rate_old, dict) and _class(rate_old) == _class(rate_new):
            found += _changed(str(_class(rate_new)), rate_old, rate_new)
        else:
            found += _changed("learning rate", rate_old, rate_new)
        rest = {k for k in new_opt if k != "learning_rate"}
        found += _changed("", {k: old_opt.get(k) for k in rest}, {k: new_opt[k] for k in rest})
    old_loss, new_loss = first.get("loss"), settings.get("loss")
    if _loss_name(old_loss) != _loss_name(new_loss):
        found.append(f"{_loss_name(new_loss)} loss")
    elif old_loss != new_loss:
        found += _changed("loss", old_loss, new_loss)
    if first.get("epochs") != settings.get("epochs"):
        epochs = settings.get("epochs")
        found.append(f"{epochs} epoch" + ("" if epochs == 1 else "s"))
    if first.get("batch_size") != settings.get("batch_size"):
        found.append(f"batch size {settings.get('batch_size')}")
    if first.get("seed") != settings.get("seed"):
        found.append(f"seed {settings.get('seed')}")
    return found


def run_name(first: dict[str, Any] | None, settings: dict[str, Any]) -> str:
    """The visible name of a run: what differs from the model's first row ("first run" if it
    is the first, or the same settings)."""
    if first is None:
        return FIRST_RUN
    return ", ".join(differences(first, settings)) or FIRST_RUN


__all__ = ["FIRST_RUN", "describe_run", "differences", "run_key", "run_name"]
