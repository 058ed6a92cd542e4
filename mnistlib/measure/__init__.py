"""Measuring the recogniser on data made offline, never on what it was tuned on alone.

The public face (import these from ``mnistlib.measure``)::

    from mnistlib.measure import evaluate_forms, evaluate_numbers, outlier_report

- ``evaluate_forms``: accuracy per image form (MNIST test digits or stroke-drawn digits turned
  into photos, scans, canvases...); ``format_forms`` prints it.
- ``evaluate_numbers`` / ``number_report``: numbers read whole per length and degradation,
  beside the same digits alone (``Composition``: how they are written); ``format_numbers``.
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
- ``other_writers``, ``selective_report`` / ``format_selective``, ``selective_curve`` /
  ``plot_selective_curves``: does "not sure" cry wolf on digits MNIST's writers did not write
  (selective classification: right answers doubted, wrong answers sure, risk against
  coverage); ``validation_mix``: what ``fit_sureness(..., mix=...)`` chooses the checks on.

The modules behind it are internal: ``strokes``, ``glyphs``, ``paper``, ``scenes``,
``scene_reading``, ``forms``, ``degradation``, ``outliers``, ``evaluation`` (the checks),
``numbers``, ``selective``. Names are loaded on first use (``import mnistlib.measure`` stays
light).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mnistlib._lazy import lazy_names

#: Each public name and the internal module that defines it.
_WHERE = {
    "evaluate_forms": "forms",
    "format_forms": "forms",
    "make_samples": "forms",
    "evaluate_numbers": "numbers",
    "Composition": "numbers",
    "number_report": "numbers",
    "format_numbers": "numbers",
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
    "scene_curve": "scene_reading",
    "SceneRead": "scene_reading",
    "SceneRow": "scene_reading",
    "other_writers": "selective",
    "validation_mix": "selective",
    "selective_report": "selective",
    "format_selective": "selective",
    "selective_curve": "selective",
    "plot_selective_curves": "selective",
}

__all__ = [
    "CONDITIONS",
    "Composition",
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
    "format_selective",
    "format_sure",
    "make_samples",
    "make_scene",
    "measure_sureness",
    "number_report",
    "outlier_report",
    "other_writers",
    "outlier_set",
    "read_scene",
    "read_scenes",
    "scene_curve",
    "scene_row",
    "scene_set",
    "shape_ink",
    "write_line",
    "plot_selective_curves",
    "selective_curve",
    "selective_report",
    "validation_mix",
]

if TYPE_CHECKING:
    from mnistlib.measure.degradation import CONDITIONS, degrade
    from mnistlib.measure.evaluation import (
        format_outliers,
        format_sure,
        measure_sureness,
        outlier_report,
    )
    from mnistlib.measure.forms import evaluate_forms, format_forms, make_samples
    from mnistlib.measure.glyphs import SHAPES, shape_ink, write_line
    from mnistlib.measure.numbers import (
        Composition,
        evaluate_numbers,
        format_numbers,
        number_report,
    )
    from mnistlib.measure.outliers import outlier_set
    from mnistlib.measure.scene_reading import (
        SceneRead,
        SceneRow,
        evaluate_scenes,
        format_scenes,
        read_scene,
        read_scenes,
        scene_curve,
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
    from mnistlib.measure.selective import (
        format_selective,
        other_writers,
        plot_selective_curves,
        selective_curve,
        selective_report,
        validation_mix,
    )
    from mnistlib.measure.strokes import compose_number, draw_digit, draw_non_digit


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
