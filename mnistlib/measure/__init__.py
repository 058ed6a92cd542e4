"""Measuring the recogniser on data made offline, never on what it was tuned on alone.

- ``strokes``: digits, letters and scribbles drawn with pen strokes (not from MNIST), and
  numbers composed from digits.
- ``forms``: MNIST test digits turned into the image files people hand in (photos, scans,
  canvases...), and accuracy per form.
- ``evaluation``: choosing and measuring the "not sure" checks; whole-number accuracy.
"""
