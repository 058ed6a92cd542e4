"""Recognising a person's own digits: one digit or a whole number, and an honest "not sure".

- ``images``: reading an image from any source (path, bytes, PIL image, array), safely.
- ``prepare``: preparing a digit image the way MNIST's digits were prepared (28x28).
- ``segment``: finding the digits of a number written in a row.
- ``sureness``: the "not sure" checks, and choosing them on held-out digits.
- ``loading``: loading a ``.keras`` model safely; the files shipped in ``assets/``.
- ``recognizer``: ``Recognizer``, a model with its checks: ``recognize``, ``read_number``.
- ``rendering``: how a reading is shown (verdict, probability bars, enlarged 28x28).
- ``widgets``: the drawing pad and the upload box for notebooks.
- ``figures``: figures about preparing, reading numbers and choosing the checks.

Layers, lowest first: images -> prepare -> segment, sureness, loading -> recognizer ->
rendering, figures -> widgets. Nothing here imports ``mnistlib.measure``.
"""
