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
- ``scene_set``, ``make_scene``, ``Scene``, ``SCENE_KINDS``, ``HELD_OUT``, ``big_scene``: the
  scenes people photograph (a sheet on a desk, form boxes, ruled and squared paper, dates and
  prices, shapes, big phone photos) as image files with their truth; ``write_line`` writes
  digits and separators by hand, ``shape_ink`` draws ``SHAPES``.
- ``evaluate_scenes`` (``read_scenes`` + ``scene_row``): per scene and digit source, the whole
  text read right, digits and separators, sure answers to shapes, right answers doubted and
  wrong-but-sure answers; ``risk_coverage`` / ``plot_risk_coverage``; ``format_scenes``.
- ``degrade``, ``CONDITIONS``: how digits really arrive (enlarged from low resolution, blurred,
  soft pencil, thick and thin pens); ``outlier_set``: non-digits of one kind.

The modules behind it are internal: ``strokes``, ``glyphs``, ``paper``, ``scenes``, ``forms``,
``degradation``, ``outliers``, ``evaluation``. Names are loaded on first use (``import
mnistlib.measure`` stays light).
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
    "Scene": "scenes",
    "SCENE_KINDS": "scenes",
    "HELD_OUT": "scenes",
    "make_scene": "scenes",
    "scene_set": "scenes",
    "big_scene": "scenes",
    "write_line": "glyphs",
    "shape_ink": "glyphs",
    "SHAPES": "glyphs",
    "evaluate_scenes": "scene_reading",
    "read_scenes": "scene_reading",
    "read_scene": "scene_reading",
    "scene_row": "scene_reading",
    "format_scenes": "scene_reading",
    "risk_coverage": "scene_reading",
    "plot_risk_coverage": "scene_reading",
    "SceneRead": "scene_reading",
    "SceneRow": "scene_reading",
}

__all__ = [
    "CONDITIONS",
    "HELD_OUT",
    "SCENE_KINDS",
    "SHAPES",
    "Scene",
    "SceneRead",
    "SceneRow",
    "big_scene",
    "compose_number",
    "degrade",
    "draw_digit",
    "draw_non_digit",
    "evaluate_forms",
    "evaluate_numbers",
    "evaluate_scenes",
    "format_forms",
    "format_numbers",
    "format_outliers",
    "format_scenes",
    "format_sure",
    "make_samples",
    "make_scene",
    "measure_sureness",
    "number_report",
    "outlier_report",
    "outlier_set",
    "plot_risk_coverage",
    "read_scene",
    "read_scenes",
    "risk_coverage",
    "scene_row",
    "scene_set",
    "shape_ink",
    "write_line",
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
    from mnistlib.measure.glyphs import SHAPES, shape_ink, write_line
    from mnistlib.measure.outliers import outlier_set
    from mnistlib.measure.scene_reading import (
        SceneRead,
        SceneRow,
        evaluate_scenes,
        format_scenes,
        plot_risk_coverage,
        read_scene,
        read_scenes,
        risk_coverage,
        scene_row,
    )
    from mnistlib.measure.scenes import (
        HELD_OUT,
        SCENE_KINDS,
        Scene,
        big_scene,
        make_scene,
        scene_set,
    )
    from mnistlib.measure.strokes import compose_number, draw_digit, draw_non_digit


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
