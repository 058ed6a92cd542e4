"""Pen and focus augmentation for the shipped recogniser: stroke width and blur.

MNIST's digits were all written with similar pens and scanned the same way. The images people
hand in are not: a felt-tip draws strokes twice as wide, a drawing app's brush may be thin, a
photo is soft. ``prepare_image`` thickens thin strokes towards MNIST's width, but it cannot thin
a thick one or sharpen a blurred one, so the recogniser is trained on digits whose strokes were
randomly widened (or thinned) and blurred. Position, size and rotation are varied by Keras'
own layers inside the model (``mnistlib.models.augmentation_layers``).
"""

from __future__ import annotations

from mnistlib._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

#: Share of training images whose strokes are widened by one pixel all round (a 3x3 max filter),
#: and the share widened twice: MNIST's strokes are about 2-3 px of 28, a marker's 4-6 px.
THICKER, MUCH_THICKER = 0.25, 0.10
#: Share whose strokes are thinned by a 3x3 min filter (kept only where enough ink survives).
THINNER = 0.15
#: Gaussian blurs applied to the rest at random (standard deviations in pixels of the 28x28).
BLUR_SIGMAS = (0.0, 0.0, 0.6, 1.0)
#: An image that thinning would leave with less than this share of its ink is left as it was
#: (its strokes are already thin and would break up or vanish).
MIN_INK_KEPT_BY_THINNING = 0.5


def _gaussian_kernel(sigma: float) -> tf.Tensor:
    radius = 2
    offsets = np.arange(-radius, radius + 1, dtype=np.float32)
    line = np.exp(-(offsets**2) / (2 * sigma**2)) if sigma > 0 else (offsets == 0).astype(float)
    kernel = np.outer(line, line)
    kernel /= kernel.sum()
    return tf.constant(kernel[:, :, None, None], dtype=tf.float32)


def vary_pen(images: tf.Tensor, seed: int | None = None) -> tf.Tensor:
    """Randomly widen, thin and blur a batch of digits ``(n, 28, 28, 1)`` in [0, 1].

    Each image gets one stroke change (or none) and one blur (or none), drawn independently;
    the result is rescaled so that its brightest pixel is 1, as ``prepare_image``'s output is.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    n = tf.shape(images)[0]
    thicker = tf.nn.max_pool2d(images, 3, 1, "SAME")
    much_thicker = tf.nn.max_pool2d(thicker, 3, 1, "SAME")
    thinner = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    ink = tf.reduce_sum(images, axis=[1, 2, 3], keepdims=True)
    thin_ok = (
        tf.reduce_sum(thinner, axis=[1, 2, 3], keepdims=True) >= MIN_INK_KEPT_BY_THINNING * ink
    )
    draw = tf.random.uniform([n, 1, 1, 1], seed=seed)
    out = tf.where(draw < THICKER, thicker, images)
    out = tf.where((draw >= THICKER) & (draw < THICKER + MUCH_THICKER), much_thicker, out)
    low = THICKER + MUCH_THICKER
    out = tf.where((draw >= low) & (draw < low + THINNER) & thin_ok, thinner, out)
    blurred = [
        tf.nn.conv2d(out, _gaussian_kernel(s), 1, "SAME") if s > 0 else out for s in BLUR_SIGMAS
    ]
    pick = tf.random.uniform([n], maxval=len(BLUR_SIGMAS), dtype=tf.int32, seed=seed)
    stacked = tf.stack(blurred, axis=1)  # (n, k, 28, 28, 1)
    out = tf.gather(stacked, pick, axis=1, batch_dims=1)
    peak = tf.reduce_max(out, axis=[1, 2, 3], keepdims=True)
    return out / tf.maximum(peak, 1e-6)
