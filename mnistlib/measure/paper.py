"""Paper, print, ink, desks and cameras: the surroundings of a handwritten number in a photo.

Images here are RGB ``float32`` arrays (height, width, 3) in 0-255 until ``encode`` turns them
into a file. ``paper`` makes a sheet; ``print_lines`` prints ruled or squared lines and boxes
on it; ``write`` puts ink on it; ``on_desk`` photographs the sheet lying on a desk (``DESKS``),
tilted and seen at an angle; ``photograph`` adds the camera (uneven light, noise, blur).
Everything is deterministic for a given ``numpy`` generator.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

#: Desk surfaces. The last two are held out of choosing: only test draws use them.
DESKS = ("wood", "dark", "grey", "coloured", "stripes", "checks", "speckle")
HELD_OUT_DESKS = ("checks", "speckle")
#: Pen colours (RGB): black, blue and blue-black ballpoint, a pencil's grey.
PENS = ((25, 25, 30), (30, 45, 130), (20, 30, 70), (95, 95, 100))
SUPERSAMPLE = 4  #: printed lines are drawn this much larger, then reduced (anti-aliasing)
ARC_STEPS = 6  #: a rounded corner is drawn as this many straight pieces

Lines = list[tuple[tuple[float, float], tuple[float, float]]]


def paper(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A sheet: white, cream or recycled grey, with a faint fibre texture."""
    tint = np.array([rng.uniform(232, 252), rng.uniform(228, 250), rng.uniform(205, 248)])
    grain = rng.normal(0, rng.uniform(0.5, 2.5), (height, width, 1))
    return (tint + grain).astype(np.float32)


def _mask(height: int, width: int, lines: Lines, width_px: float) -> np.ndarray:
    """Coverage (0-1) of straight ``lines`` (pixel coordinates) drawn ``width_px`` wide."""
    s = SUPERSAMPLE
    layer = Image.new("L", (width * s, height * s), 0)
    draw = ImageDraw.Draw(layer)
    for (x0, y0), (x1, y1) in lines:
        draw.line([(x0 * s, y0 * s), (x1 * s, y1 * s)], fill=255, width=max(1, round(width_px * s)))
    return np.asarray(layer.resize((width, height), Image.Resampling.BOX), np.float32) / 255


def print_lines(sheet: np.ndarray, lines: Lines, colour, width_px: float) -> np.ndarray:
    """``sheet`` with straight ``lines`` printed on it in ``colour`` (RGB), ``width_px`` wide."""
    cover = _mask(sheet.shape[0], sheet.shape[1], lines, width_px)[..., None]
    return sheet * (1 - cover) + np.asarray(colour, np.float32) * cover


def box_lines(left: float, top: float, right: float, bottom: float) -> Lines:
    """The four sides of a box."""
    return [((left, top), (right, top)), ((right, top), (right, bottom)),
            ((right, bottom), (left, bottom)), ((left, bottom), (left, top))]  # fmt: skip


def rounded_box_lines(left: float, top: float, right: float, bottom: float, radius: float) -> Lines:
    """The four sides of a box whose corners are rounded (quarter circles of ``radius``,
    each drawn as ARC_STEPS straight pieces)."""
    r = min(radius, (right - left) / 2, (bottom - top) / 2)
    centres = ((right - r, top + r), (right - r, bottom - r), (left + r, bottom - r),
               (left + r, top + r))  # fmt: skip
    points: list[tuple[float, float]] = []
    for k, (cx, cy) in enumerate(centres):  # clockwise from the top right corner
        for angle in np.linspace(-np.pi / 2 + k * np.pi / 2, k * np.pi / 2, ARC_STEPS + 1):
            points.append((cx + r * float(np.cos(angle)), cy + r * float(np.sin(angle))))
    return list(zip(points, points[1:] + points[:1], strict=True))


def write(
    sheet: np.ndarray, ink: np.ndarray, at: tuple[int, int], pen, strength: float = 1.0
) -> np.ndarray:
    """``sheet`` with ``ink`` (uint8, 255 on 0) written on it in ``pen`` colour (RGB), its
    top-left corner at ``at`` (x, y); ink outside the sheet is cut off."""
    out = sheet.copy()
    x, y = at
    h = min(ink.shape[0], sheet.shape[0] - y)
    w = min(ink.shape[1], sheet.shape[1] - x)
    alpha = ink[:h, :w, None].astype(np.float32) / 255 * strength
    region = out[y : y + h, x : x + w]
    out[y : y + h, x : x + w] = region * (1 - alpha) + np.asarray(pen, np.float32) * alpha
    return out


def pen_colour(rng: np.random.Generator) -> tuple[tuple[int, int, int], float]:
    """A pen (``PENS``) and how strongly it inks (a pencil or a drying pen is lighter)."""
    pen = PENS[int(rng.integers(len(PENS)))]
    return pen, float(rng.uniform(0.55, 0.85) if pen == PENS[3] else rng.uniform(0.8, 1.0))


def _waves(height: int, width: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    """Smooth random variation in [-1, 1] with features about ``scale`` px across."""
    small = rng.normal(0, 1, (max(2, int(height / scale) + 2), max(2, int(width / scale) + 2)))
    big = Image.fromarray(small.astype(np.float32), "F").resize(
        (width, height), Image.Resampling.BICUBIC
    )
    values = np.asarray(big)
    return values / max(float(np.abs(values).max()), 1e-6)


def desk(kind: str, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A desk surface of ``kind`` (one of ``DESKS``)."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind == "wood":
        base = np.array([rng.uniform(120, 200), rng.uniform(70, 140), rng.uniform(30, 90)])
        angle = rng.uniform(-0.3, 0.3)
        along = cols * np.sin(angle) + rows * np.cos(angle)
        warp = 40 * _waves(height, width, rng, 300)
        grain = np.sin((along + warp) / rng.uniform(4, 14)) * 0.5 + 0.5 * _waves(
            height, width, rng, 60
        )
        surface = base * (1 + rng.uniform(0.08, 0.2) * grain[..., None])
    elif kind in ("dark", "grey", "coloured"):
        level = {"dark": (15, 70), "grey": (150, 215), "coloured": (30, 230)}[kind]
        base = rng.uniform(*level, 3) if kind == "coloured" else np.full(3, rng.uniform(*level))
        texture = _waves(height, width, rng, rng.uniform(20, 200))
        surface = base * (1 + rng.uniform(0.02, 0.1) * texture[..., None])
    elif kind in ("stripes", "checks"):
        a, b = rng.uniform(20, 240, 3), rng.uniform(20, 240, 3)
        period = rng.uniform(15, 80)
        on = (cols // period).astype(int) % 2
        if kind == "checks":
            on = on ^ ((rows // period).astype(int) % 2)
        surface = np.where(on[..., None] == 1, a, b)
    elif kind == "speckle":
        base = rng.uniform(60, 200, 3)
        dots = rng.random((height, width)) < rng.uniform(0.02, 0.15)
        surface = base + np.where(dots, rng.uniform(-80, 80), 0.0)[..., None]
        surface = surface + rng.normal(0, 8, (height, width, 1))
    else:
        raise ValueError(f"desk must be one of {DESKS}, got {kind!r}")
    return np.clip(surface, 0, 255).astype(np.float32)


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 3x3 projective map taking the four points ``src`` to ``dst`` (each (4, 2))."""
    rows = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coefficients = np.linalg.solve(np.array(rows, float), dst.reshape(-1).astype(float))
    return np.append(coefficients, 1.0).reshape(3, 3)


def _warp(image: Image.Image, to_source: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    data = tuple((to_source / to_source[2, 2]).reshape(-1)[:8])
    warped = image.transform(size, Image.Transform.PERSPECTIVE, data, Image.Resampling.BILINEAR)
    return np.asarray(warped, np.float32)


def _blob(height: int, width: int, centre, radii, angle: float) -> np.ndarray:
    """Coverage (0-1) of a soft-edged ellipse."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    dx, dy = cols - centre[0], rows - centre[1]
    c, s = np.cos(angle), np.sin(angle)
    r = np.hypot((c * dx + s * dy) / radii[0], (-s * dx + c * dy) / radii[1])
    return np.clip((1.1 - r) * 8, 0, 1)


def on_desk(
    sheet: np.ndarray,
    rng: np.random.Generator,
    *,
    kind: str,
    frame: tuple[int, int] = (1200, 900),
    keep_clear: tuple[int, int, int, int] | None = None,
) -> np.ndarray:
    """``sheet`` lying on a ``kind`` desk, photographed: turned up to 10 degrees, seen at an
    angle (corners moved up to 4% of the frame), with a shadow, sometimes a second sheet's edge
    and a hand at the border. ``keep_clear`` (a box of the sheet, e.g. the writing) is never
    covered by the hand. The frame is (width, height)."""
    width, height = frame
    out = desk(kind, height, width, rng)
    h, w = sheet.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
    angle = np.radians(rng.uniform(-10, 10))
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    placed = (corners - [w / 2, h / 2]) @ turn.T
    placed += rng.uniform(-0.04, 0.04, (4, 2)) * [width, height]
    room = np.maximum(([width, height] - (placed.max(0) - placed.min(0))) / 2, 0)
    placed += [width / 2, height / 2] - (placed.max(0) + placed.min(0)) / 2
    placed += rng.uniform(-1, 1, 2) * room
    if rng.random() < 0.35:  # a second sheet peeking in at a border, under this one
        side = int(rng.integers(4))
        other = paper(height, width, rng)
        edge = np.zeros((height, width), np.float32)
        depth = int(rng.uniform(0.05, 0.2) * (width if side % 2 else height))
        if side == 0:
            edge[:depth] = 1
        elif side == 1:
            edge[:, -depth:] = 1
        elif side == 2:
            edge[-depth:] = 1
        else:
            edge[:, :depth] = 1
        out = out * (1 - edge[..., None]) + other * edge[..., None]
    to_sheet = _homography(placed, corners)
    mask_image = Image.new("L", (w, h), 255)
    mask = _warp(mask_image, to_sheet, frame)[..., None] / 255
    offset = rng.uniform(4, 20, 2)
    shadow = np.roll(mask[..., 0], (int(offset[1]), int(offset[0])), axis=(0, 1))
    shadow_image = Image.fromarray((shadow * 255).astype(np.uint8))
    shadow = np.asarray(shadow_image.filter(ImageFilter.GaussianBlur(8)), np.float32) / 255
    out = out * (1 - rng.uniform(0.2, 0.5) * shadow[..., None])
    flat = Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8))
    out = out * (1 - mask) + _warp(flat, to_sheet, frame) * mask
    if rng.random() < 0.3:  # a hand (a thumb holding the sheet) at the frame's border
        out = _hand(out, rng, _homography(corners, placed), keep_clear)
    return out.astype(np.float32)


def _hand(out: np.ndarray, rng: np.random.Generator, to_frame: np.ndarray, keep_clear):
    height, width = out.shape[:2]
    radii = (rng.uniform(50, 120), rng.uniform(90, 200))
    centre = (rng.uniform(0, width), [0, height][int(rng.integers(2))])
    if rng.random() < 0.5:
        centre = ([0, width][int(rng.integers(2))], rng.uniform(0, height))
    if keep_clear is not None:
        left, top, right, bottom = keep_clear
        points = np.array([[left, top, 1], [right, top, 1], [right, bottom, 1], [left, bottom, 1]])
        mapped = points @ to_frame.T
        mapped = mapped[:, :2] / mapped[:, 2:]
        near = np.hypot(*(np.clip(centre, mapped.min(0), mapped.max(0)) - centre))
        if near < max(radii) * 1.2:
            return out
    skin = np.array([rng.uniform(170, 235), rng.uniform(120, 190), rng.uniform(90, 160)])
    cover = _blob(height, width, centre, radii, rng.uniform(0, np.pi))[..., None]
    return out * (1 - cover) + skin * cover


def photograph(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The camera: light from one side and a vignette, a colour cast, sensor noise, a little
    blur. Returns uint8 RGB."""
    height, width = image.shape[:2]
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    rows, cols = rows / height - 0.5, cols / width - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 - rng.uniform(0.05, 0.4) * (np.cos(angle) * cols + np.sin(angle) * rows + 0.5)
    light -= rng.uniform(0, 0.35) * (rows**2 + cols**2)
    cast = rng.uniform(0.94, 1.03, 3)
    out = image * light[..., None] * cast + rng.normal(0, rng.uniform(1, 7), image.shape)
    blurred = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    blurred = blurred.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.1)))
    return np.asarray(blurred)


def encode(image: np.ndarray, fmt: str = "JPEG", quality: int = 85) -> bytes:
    """``image`` (uint8, gray or RGB) as the bytes of a JPEG (``quality``) or PNG file."""
    buffer = io.BytesIO()
    options = {"quality": quality} if fmt == "JPEG" else {}
    Image.fromarray(image).save(buffer, format=fmt, **options)
    return buffer.getvalue()
