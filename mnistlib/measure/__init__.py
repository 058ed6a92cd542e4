"""Measuring the recogniser on data made offline, never on what it was tuned on alone.

The public face (import these from ``mnistlib.measure``)::

    from mnistlib.measure import evaluate_forms, evaluate_numbers, outlier_report

- ``evaluate_forms``: accuracy per image form (MNIST test digits or stroke-drawn digits turned
  into photos, scans, canvases...); ``format_forms`` prints it.
- ``evaluate_numbers`` / ``number_report``: numbers read whole per length and degradation,
  beside the same digits alone; ``format_numbers``.
- ``measure_sureness`` / ``outlier_report``: what the "not sure" checks flag (MNIST test
  digits, errors, non-digits of each kind); ``format_sure``, ``format_outliers``.
- ``draw_digit``, ``draw_non_digit``, ``compose_number``: digits, letters and scribbles drawn
  with pen strokes (not from MNIST), and numbers composed from digits.
- ``degrade``, ``CONDITIONS``: how digits really arrive (enlarged from low resolution, blurred,
  soft pencil, thick and thin pens); ``outlier_set``: non-digits of one kind.
- ``other_writers``, ``selective_report`` / ``format_selective``, ``selective_curve`` /
  ``plot_selective_curves``: does "not sure" cry wolf on digits MNIST's writers did not write
  (selective classification: right answers doubted, wrong answers sure, risk against
  coverage); ``validation_mix``: what ``fit_sureness(..., mix=...)`` chooses the checks on.

The modules behind it are internal: ``strokes``, ``forms``, ``degradation``, ``outliers``,
``evaluation``, ``selective``. Names are loaded on first use (``import mnistlib.measure``
stays light).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Each public name and the internal module that defines it.
_WHERE = {
    "evaluate_forms": "forms",
    "format_forms": "forms",
    "make_samples": "forms",
    "evaluate_numbers": "evaluation",
    "number_report": "evaluation",
    "format_numbers": "evaluation",
    "measure_sureness": "evaluation",
    "format_sure": "evaluation",
    "outlier_report": "evaluation",
    "format_outliers": "evaluation",
    "draw_digit": "strokes",
    "draw_non_digit": "strokes",
    "compose_number": "strokes",
    "degrade": "degradation",
    "CONDITIONS": "degradation",
    "outlier_set": "outliers",
    "other_writers": "selective",
    "validation_mix": "selective",
    "selective_report": "selective",
    "format_selective": "selective",
    "selective_curve": "selective",
    "plot_selective_curves": "selective",
}

__all__ = [
    "CONDITIONS",
    "compose_number",
    "degrade",
    "draw_digit",
    "draw_non_digit",
    "evaluate_forms",
    "evaluate_numbers",
    "format_forms",
    "format_numbers",
    "format_outliers",
    "format_selective",
    "format_sure",
    "make_samples",
    "measure_sureness",
    "number_report",
    "outlier_report",
    "other_writers",
    "outlier_set",
    "plot_selective_curves",
    "selective_curve",
    "selective_report",
    "validation_mix",
]

if TYPE_CHECKING:
    from mnistlib.measure.degradation import CONDITIONS, degrade
    from mnistlib.measure.evaluation import (
        evaluate_numbers,
        format_numbers,
        format_outliers,
        format_sure,
        measure_sureness,
        number_report,
        outlier_report,
    )
    from mnistlib.measure.forms import evaluate_forms, format_forms, make_samples
    from mnistlib.measure.outliers import outlier_set
    from mnistlib.measure.selective import (
        format_selective,
        other_writers,
        plot_selective_curves,
        selective_curve,
        selective_report,
        validation_mix,
    )
    from mnistlib.measure.strokes import compose_number, draw_digit, draw_non_digit


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
