"""mnistlib.recognition.prepare: every mode and form of image becomes an MNIST-like digit."""

from __future__ import annotations

import io

import numpy as np
import pytest
from helpers import seven
from PIL import Image, ImageDraw

from mnistlib.recognition import figures, prepare
from mnistlib.recognition import images as imageio
from mnistlib.recognition.loading import sample_images


def _centre_of_mass(img):
    rows, cols = np.indices(img.shape)
    return (rows * img).sum() / img.sum(), (cols * img).sum() / img.sum()


def _check_mnist_like(out):
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0 and out.max() > 0.9
    r, c = _centre_of_mass(out)  # where MNIST's digits have theirs, to the nearest pixel
    assert abs(r - prepare.MNIST_CENTRE) <= 0.51 and abs(c - prepare.MNIST_CENTRE) <= 0.51
    rows, cols = np.flatnonzero(out.max(axis=1) > 0.05), np.flatnonzero(out.max(axis=0) > 0.05)
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) in range(18, 23)
    assert out[0].max() < 0.05 and out[:, 0].max() < 0.05  # black background at the edges


# --- what a source may be --------------------------------------------------------------------
def _to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["L", "RGB", "P", "1", "CMYK", "I;16", "I", "F", "LA", "RGBA"])
def test_every_pil_mode(mode):
    base = seven()
    image = base.convert(mode) if mode not in ("I;16", "I", "F") else None
    if mode == "I;16":
        image = base.convert("I").point(lambda v: v * 257).convert("I;16")
    elif mode in ("I", "F"):
        image = base.convert(mode)
    _check_mnist_like(prepare.prepare_image(image))


@pytest.mark.parametrize("kind", ["path", "str", "bytes", "array_gray", "array_rgb", "array_rgba",
                                  "array_float", "array_bool"])  # fmt: skip
def test_every_source_type(kind, tmp_path):
    image = seven()
    path = tmp_path / "seven.png"
    image.save(path)
    source = {
        "path": path,
        "str": str(path),
        "bytes": path.read_bytes(),
        "array_gray": np.asarray(image),
        "array_rgb": np.asarray(image.convert("RGB")),
        "array_rgba": np.asarray(image.convert("RGBA")),
        "array_float": np.asarray(image) / 255.0,
        "array_bool": np.asarray(image) > 128,
    }[kind]
    _check_mnist_like(prepare.prepare_image(source))


def test_light_on_dark_and_dark_on_light_agree():
    dark_on_light = prepare.prepare_image(seven())
    light_on_dark = prepare.prepare_image(seven(ink=255, paper=0))
    assert np.abs(dark_on_light - light_on_dark).mean() < 0.02


def test_transparent_background_with_ink_colour_matching_the_background():
    rgba = np.zeros((150, 150, 4), np.uint8)
    rgba[..., :3] = 255  # white ink on a transparent background: invisible if flattened on white
    rgba[..., 3] = np.asarray(seven((150, 150), ink=255, paper=0))
    _check_mnist_like(prepare.prepare_image(Image.fromarray(rgba, "RGBA")))


def test_palette_image_with_transparency():
    image = seven((120, 120), ink=255, paper=0).convert("P")
    image.info["transparency"] = 0
    _check_mnist_like(prepare.prepare_image(_to_png(image)))


def test_off_centre_digit_on_a_big_canvas_is_centred():
    out = prepare.prepare_image(seven((900, 700), offset=(300, 220), width=20))
    _check_mnist_like(out)


def test_noise_and_specks_are_ignored():
    rng = np.random.default_rng(0)
    gray = np.asarray(seven(), dtype=np.float64) + rng.normal(0, 12, (160, 200))
    gray[5:8, 5:8] = 0  # a speck of dirt in a corner
    out = prepare.prepare_image(np.clip(gray, 0, 255).astype(np.uint8))
    _check_mnist_like(out)


def test_hairline_strokes_are_thickened():
    out = prepare.prepare_image(seven((600, 600), width=3))
    assert (out > 0.5).sum() >= 40  # a 1-pixel trace would light up far fewer


def test_exif_orientation_is_applied(tmp_path):
    upright = seven((160, 200))
    rotated = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view": undoes the rotation above
    path = tmp_path / "phone.jpg"
    rotated.convert("RGB").save(path, exif=exif, quality=95)
    a, b = prepare.prepare_image(upright), prepare.prepare_image(path)
    assert np.abs(a - b).mean() < 0.05


def test_animated_gif_uses_the_first_frame(tmp_path):
    frames = [seven(), Image.new("L", (200, 160), 255)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    _check_mnist_like(prepare.prepare_image(path))


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_sixteen_bit_files_full_range_or_not(fmt):
    full = seven().convert("I").point(lambda v: v * 257).convert("I;16")
    eight_bit_values = seven().convert("I;16")  # 0..255 stored in 16 bits
    for image in (full, eight_bit_values):
        buffer = io.BytesIO()
        image.save(buffer, format=fmt)
        _check_mnist_like(prepare.prepare_image(buffer.getvalue()))


def test_large_sixteen_bit_and_bilevel_images_are_shrunk():
    big = seven((1600, 1200), width=90)
    _check_mnist_like(prepare.prepare_image(big.convert("I").convert("I;16")))
    _check_mnist_like(prepare.prepare_image(big.convert("1")))
    _check_mnist_like(prepare.prepare_image(big.convert("P")))


@pytest.mark.parametrize(
    "kind", ["int_0_1", "uint8_0_1", "uint16", "int_negative", "float_minus1_1", "float16",
             "float_0_255", "hxwx1", "big_float", "array_like"],
)  # fmt: skip
def test_array_value_ranges(kind):
    gray = np.asarray(seven())
    ink = gray < 128
    array = {
        "int_0_1": ink.astype(np.int64),
        "uint8_0_1": ink.astype(np.uint8),
        "uint16": (255 - gray).astype(np.uint16) * 257,
        "int_negative": gray.astype(np.int16) - 128,
        "float_minus1_1": gray / 127.5 - 1.0,
        "float16": (gray / 255).astype(np.float16),
        "float_0_255": gray.astype(np.float64),
        "hxwx1": gray[..., None],
        "big_float": np.asarray(seven((1500, 1200), width=80), dtype=np.float32),
        "array_like": _ArrayLike(gray),
    }[kind]
    _check_mnist_like(prepare.prepare_image(array))


class _ArrayLike:
    """Anything with ``__array__`` (a TensorFlow tensor, say) is read as an array."""

    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array


def test_dim_photo_of_dark_ink_on_grey_paper():
    # Paper at 40% brightness is still paper: the ink is the darker, rarer part.
    gray = np.asarray(seven(), dtype=np.float64) / 255 * 0.3 + 0.1
    _check_mnist_like(prepare.prepare_image(gray))


@pytest.mark.parametrize(
    ("dark_ink", "far_side", "tolerance"),
    [(True, 0.12, 0.05), (True, 0.4, 0.05), (False, 0.4, 0.08)],  # light ink: no division
)
def test_uneven_lighting_and_thick_strokes(dark_ink, far_side, tolerance):
    ink, paper = (0, 255) if dark_ink else (255, 0)
    gray = np.asarray(seven((300, 300), ink=ink, paper=paper, width=45)) / 255 * 0.8 + 0.1
    light = np.linspace(1.0, far_side, 300)[None, :] * np.linspace(1.0, 0.8, 300)[:, None]
    out = prepare.prepare_image(gray * light)  # shadows darker than the dark ink elsewhere
    _check_mnist_like(out)
    reference = prepare.prepare_image(seven((300, 300), width=45))
    assert np.abs(out - reference).mean() < tolerance


def test_transparent_holes_in_an_opaque_picture_are_the_ink():
    rgba = np.zeros((160, 200, 4), np.uint8)  # black paper, the digit cut out of it
    rgba[..., 3] = np.asarray(seven())
    _check_mnist_like(prepare.prepare_image(rgba))


def test_uniform_alpha_is_not_mistaken_for_ink():
    rgba = np.asarray(seven().convert("RGBA")).copy()
    rgba[..., 3] = 128
    _check_mnist_like(prepare.prepare_image(rgba))


@pytest.mark.parametrize("path", sample_images(), ids=lambda p: p.name)
def test_sample_images_prepare_to_mnist_like_digits(path):
    _check_mnist_like(prepare.prepare_image(path))


def _ink_width(out):
    cols = np.flatnonzero(out.max(axis=0) > 0.05)
    return cols[-1] - cols[0] + 1


def test_digit_filling_its_frame_gets_mnists_typical_width():
    # A 7 stretched to fill all of 28x28 (aspect ratio lost) vs the same 7 with margins.
    stretched = seven().crop((53, 33, 147, 135)).resize((28, 28), Image.Resampling.BILINEAR)
    out = prepare.prepare_image(stretched)
    _check_mnist_like(out)
    assert 12 <= _ink_width(out) <= 16  # MNIST's typical 20 high by 14-16 wide, not 20x20
    wide = prepare.prepare_image(seven(size=(300, 120)))  # paper all round: shape is known
    assert _ink_width(wide) >= 19


def test_colours_are_kept_for_the_figure_only():
    red_on_white = seven(size=(400, 300), mode="RGB", ink=(200, 0, 0), paper=(255, 255, 255))
    steps = prepare.preparation_steps(red_on_white, for_display=True)
    assert steps["original"].shape == (*steps["gray"].shape, 3)
    assert max(steps["gray"].shape) == imageio.WORK_SIDE  # shrunk before any NumPy work
    assert steps["original"][..., 0].min() > 0.7  # the red ink is still red
    np.testing.assert_array_equal(prepare.prepare_image(red_on_white), steps["28x28"])


def test_prepare_image_never_pays_for_the_display_only_steps(monkeypatch):
    def refuse(*_args):
        raise AssertionError("display-only work done while preparing")

    monkeypatch.setattr(imageio.Pixels, "colour", refuse)
    monkeypatch.setattr(prepare, "_boxed", refuse)
    red = seven(size=(400, 300), mode="RGB", ink=(200, 0, 0), paper=(255, 255, 255))
    assert prepare.prepare_image(red).shape == (28, 28)
    with pytest.raises(AssertionError, match="display-only"):
        prepare.preparation_steps(red, for_display=True)


def test_preparation_steps_and_figure():
    shown = prepare.preparation_steps(seven(), for_display=True)
    assert list(shown) == ["original", "gray", "ink", "cropped", "20x20", "28x28"]
    assert shown["20x20"].shape == (20, 20)
    # The 20x20 box holds the digit that is centred in 28x28: the same ink, only moved.
    assert shown["20x20"].sum() == pytest.approx(shown["28x28"].sum(), rel=1e-5)
    plain = prepare.preparation_steps(seven())
    assert list(plain) == ["gray", "ink", "cropped", "28x28"]
    np.testing.assert_array_equal(plain["28x28"], shown["28x28"])
    fig = figures.preparation_figure(seven())
    assert len(fig.axes) == 6 and fig._suptitle.get_text()


@pytest.mark.parametrize("pen", [9, 16])
def test_bold_digits_leave_the_bare_paper_without_ink(pen):
    # Four bold 0s covering much of a slightly noisy page: the paper's brightness is fitted
    # from the blocks as bright as most, so the ink-heavy ones cannot bow the fit above the
    # paper (it read up to 0.3 of "ink" on the bare paper, found as extra digits at the edges).
    image = Image.new("L", (160, 68), 245)
    draw = ImageDraw.Draw(image)
    for k in range(4):
        draw.ellipse((8 + 37 * k, 10, 40 + 37 * k, 58), outline=10, width=pen)
    noisy = np.asarray(image, np.float32) + np.random.default_rng(0).normal(0, 2.5, (68, 160))
    pixels = imageio.decode(np.clip(noisy, 0, 255).astype(np.uint8)).pixels()
    ink = prepare.raw_ink(pixels)
    assert ink[pixels.gray > 0.8].max() < 0.08  # the paper's noise, nothing more
    assert ink[pixels.gray < 0.2].min() > 0.7  # the strokes are ink
