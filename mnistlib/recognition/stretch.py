"""A digit that fills its frame has lost its width: read it narrower too, and doubt a 1 it hides.

An image whose ink reaches (nearly) all four edges was cropped tight to the digit or stretched
to fill it, so the digit's own width is unknown. A 1 written with a long flag, stretched to a
square, *is* a 7 to look at, and is read as one at 97-100% (the "strokes stretched" form);
no check on that reading can tell it from a right 7. Read the same ink narrower
(``VIEW_ASPECT``, a 1's proportions): where the narrow view is a 1 and the frame-filling one
is a 7, the answer is "not sure". ``narrow_view`` makes the narrow view of an image (None when
its ink does not fill its frame); ``narrow_doubts`` says which answers it doubts.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from mnistlib.errors import ImageError
from mnistlib.recognition.images import Pixels
from mnistlib.recognition.prepare import FRAME_INK, fills_frame, prepare_image, raw_ink
from mnistlib.recognition.verdict import percent

#: Ink within this share of the side from the top and bottom edges fills its frame. Looser
#: than ``prepare``'s 8% (where the image is given MNIST's proportions): a stretch of an
#: anti-aliased digit leaves its strong ink 0-3 px of 28 from the top and bottom.
NEAR_FRAME = 0.15
#: The same for the left and right edges: a stretched thin 1 keeps 4-8 px of faint ink there
#: (validation, 700 stretched stroke digits: 30 wrong-but-sure 7s; 10 doubted at 0.15, 24 at
#: 0.22, 25 at 0.30, which starts to doubt right 7s of MNIST's validation digits: 2 of 5,000).
NEAR_SIDES = 0.22
#: Width / height of the narrow view: MNIST's 1s are 0.55 wide or less; at 0.35 a flagged 1
#: stretched to a square reads as a 1 again, and a stretched 7 still as a 7 (validation).
VIEW_ASPECT = 0.35
#: The digit the narrow view may reveal: the only one whose shape is its narrowness.
NARROW_DIGIT = 1
#: The reading it is doubted against: what a flagged 1 stretched to a square looks like (every
#: answer wrong but sure on the stretched stroke digits, validation and test). Any reading
#: doubted when the narrow view is a 1 doubts 15 of 2,000 MNIST validation digits at 0.5.
STRETCHED_ONE = 7
#: Probability of ``NARROW_DIGIT`` in the narrow view from which a 7 is doubted: the highest
#: that leaves at most 0.5% of validation stretched stroke digits wrong but sure (half the 1%
#: aim), doubting no MNIST validation digit (docs/recognition.md, "The stretched 7, fifth round").
NARROW_PROBABILITY = 0.6
#: Gray range (of the whole image's) an edge strip must hold to be worth an ink map: a cheap
#: early reject, so that a digit on plain paper pays two slices per edge and no more (ink of
#: ``FRAME_INK`` of the strongest shows as at least that share of the range, less the lighting).
EDGE_RANGE = 0.5 * FRAME_INK
#: What the doubt says.
NARROWER = "fills its frame: read narrower it could be a {} ({})"


def _edges_inked(gray: np.ndarray) -> bool:
    """Whether every edge strip of ``gray`` varies by at least ``EDGE_RANGE`` of the whole
    image's range (without which no ink reaches that edge)."""
    height, width = gray.shape
    reach, side = (math.ceil(m * max(height, width)) + 1 for m in (NEAR_FRAME, NEAR_SIDES))
    whole = float(gray.max() - gray.min())
    strips = (gray[:reach], gray[-reach:], gray[:, :side], gray[:, -side:])
    return whole > 0 and all(float(s.max() - s.min()) >= EDGE_RANGE * whole for s in strips)


def narrow_view(pixels: Pixels) -> np.ndarray | None:
    """The image's ink squeezed to ``VIEW_ASPECT`` of its height and prepared (28x28), or
    None when its ink does not fill its frame, is already that narrow, or cannot be prepared."""
    height, width = pixels.gray.shape
    narrow = max(2, round(VIEW_ASPECT * height))
    if width <= narrow or not _edges_inked(pixels.gray):
        return None
    ink = raw_ink(pixels)
    if not fills_frame(ink, NEAR_FRAME, NEAR_SIDES):
        return None
    image = Image.fromarray(ink.astype(np.float32), mode="F").resize(
        (narrow, height), Image.Resampling.BOX
    )
    try:
        return prepare_image(np.asarray(image, np.float32))
    except ImageError:
        return None


def narrow_doubts(probabilities: np.ndarray, narrow: np.ndarray) -> list[str | None]:
    """Per answer (probabilities (n, 10)) and its narrow view's probabilities (n, 10; NaN rows:
    no narrow view), why it is doubted (``NARROWER``: a 7 whose narrow view is a 1), or None."""
    read = np.atleast_2d(probabilities).argmax(axis=1)
    p_narrow = np.nan_to_num(np.atleast_2d(narrow)[:, NARROW_DIGIT], nan=0.0)
    doubted = (read == STRETCHED_ONE) & (p_narrow >= NARROW_PROBABILITY)
    return [
        NARROWER.format(NARROW_DIGIT, percent(p)) if d else None
        for d, p in zip(doubted, p_narrow, strict=True)
    ]
