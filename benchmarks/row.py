"""One measurement: what was measured, against which baseline, the ratio and the target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    benchmark: str
    subject: str
    baseline: str
    subject_value: float
    baseline_value: float
    unit: str
    ratio: float
    target: str
    notes: str = ""
