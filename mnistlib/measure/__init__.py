"""Measuring the recogniser on data made offline, never on what it was tuned on alone.

- ``strokes``: digits, letters and scribbles drawn with pen strokes (not from MNIST), and
  numbers composed from digits.
- ``forms``: MNIST test digits turned into the image files people hand in (photos, scans,
  canvases...), and accuracy per form.
- ``degrade``: how digits really arrive: enlarged from low resolution, blurred, soft pencil,
  thick and thin pens.
- ``outliers``: non-digits made offline (letters, scribbles, shapes, noise, half a digit, two
  digits in one box, an empty frame), split into kinds seen in training and kinds held out.
- ``evaluation``: choosing and measuring the "not sure" checks; numbers read per length and
  degradation, beside the same digits alone.
"""
