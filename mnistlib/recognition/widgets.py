"""Notebook widgets: draw a digit or a number on a pad, or upload image files, and watch the model
read them.

Everything about recognition is the ``Recognizer``'s (``read_number``: one digit or several
written in a row); this module records strokes, turns them into a picture with Pillow, and shows
what came back:

- ``drawing_pad(model)``: a canvas to draw on with a mouse, pen or finger, with a Clear button.
  After each stroke it shows the number read ("not sure: 4 or 9?" for a digit the model is not
  sure of), each digit's ten probabilities and the prepared 28x28 images the model saw.
- ``upload_box(model)``: an upload button; each file is read the same way, and a file that
  cannot be used gets its ``ImageError`` message instead of a traceback.

The strokes live in Python (``DrawingPad.strokes``) and ``strokes_to_image`` rasterises them, so
the logic runs and is tested without a browser. Without a frontend (nbclient, nbval, plain
Python) the widgets are created and displayed as usual; nothing waits for a browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ipywidgets as widgets
import numpy as np
from ipycanvas import Canvas, hold_canvas
from PIL import Image, ImageDraw

from mnistlib.errors import ImageError
from mnistlib.recognition.prepare import MNIST_SIDE
from mnistlib.recognition.recognizer import ModelSpec, NumberReading, as_recognizer
from mnistlib.recognition.rendering import (
    bars_per_digit_html,
    png_bytes,
    probability_bars_html,
    result_text,
    side_by_side,
    verdict_html,
)

Point = tuple[float, float]

#: What the pad looks like: dark ink on white paper (the recogniser detects the polarity).
PAPER = "white"
INK = "black"
#: Side of the enlarged 28x28 preview, in pixels (8 screen pixels per MNIST pixel).
PREVIEW_SIZE = 112
#: Largest uploaded file shown as a thumbnail (bigger ones are still recognised).
THUMBNAIL_MAX_BYTES = 4_000_000

_PROMPT = "Draw a digit (0-9), or a number, in the box"


def default_stroke_width(size: int) -> float:
    """A pen width giving MNIST-like strokes: 1/12 of the pad (23 px on a 280 px pad).

    A digit drawn across most of the pad is shrunk to a 20x20 box, so its strokes end up about
    2 px wide, as in MNIST.
    """
    return round(size / 12)


def strokes_to_image(strokes: Iterable[Sequence[Point]], size: int, width: float) -> np.ndarray:
    """Rasterise strokes into a ``(size, size)`` uint8 image: ink 255 on 0, as MNIST.

    Each stroke is a sequence of (x, y) points in pad pixels, drawn as a polyline ``width``
    pixels wide with round caps and joins (a single point is a dot), the way the canvas in the
    browser draws it. Points outside the pad are clipped.
    """
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, not {size}")
    if not width > 0:
        raise ValueError(f"width must be positive, not {width}")
    picture = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(picture)
    radius = width / 2
    for stroke in strokes:
        points = [(float(x), float(y)) for x, y in stroke]
        if len(points) > 1:
            draw.line(points, fill=255, width=max(1, round(width)), joint="curve")
        for x, y in points:  # round caps and joins
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(picture, dtype=np.uint8)


def _blank_preview() -> bytes:
    return png_bytes(np.zeros((MNIST_SIDE, MNIST_SIDE), dtype=np.uint8), PREVIEW_SIZE // MNIST_SIDE)


class DrawingPad(widgets.VBox):
    """A canvas to draw a digit on, with the recogniser's verdict beside it.

    The strokes are kept in ``strokes`` (lists of (x, y) pad pixels). ``begin_stroke``,
    ``extend_stroke`` and ``end_stroke`` are what the mouse, pen and touch events call; after each
    stroke the drawing is rasterised (``image()``) and read with ``Recognizer.read_number``.
    ``result`` holds the last reading, a ``NumberReading`` (``None`` before the first stroke, after
    ``clear()`` or when the drawing was refused); ``text`` is the verdict as shown, e.g.
    "7 (98.2%)", "42" or "not sure: 4 or 9? (55.0%) - ..." (``mnistlib.recognition.verdict``).
    """

    def __init__(self, model: ModelSpec, *, size: int = 280, stroke_width: float | None = None):
        super().__init__()
        if size < MNIST_SIDE:
            raise ValueError(f"size must be at least 28 pixels, not {size}")
        self.recognizer = as_recognizer(model)
        self.size = int(size)
        self.stroke_width = float(stroke_width or default_stroke_width(self.size))
        self.strokes: list[list[Point]] = []
        self.result: NumberReading | None = None
        self.text = _PROMPT
        self._drawing = False
        self._make_widgets()
        self.children = [self._layout()]
        self.add_class("mnistlib-drawing-pad")
        self._wire_events()
        self._redraw()

    def _make_widgets(self) -> None:
        """The canvas, the clear button, the verdict, the bars and the prepared image."""
        self.canvas = Canvas(
            width=self.size,
            height=self.size,
            layout=widgets.Layout(
                width=f"{self.size}px",
                height=f"{self.size}px",
                border="1px solid #888",
                flex="0 0 auto",
            ),
        )
        self.canvas.add_class("mnistlib-pad-canvas")
        self.clear_button = widgets.Button(description="Clear", icon="eraser", tooltip="Clear")
        self.clear_button.add_class("mnistlib-pad-clear")
        self.verdict = widgets.HTML(verdict_html(_PROMPT))
        self.verdict.add_class("mnistlib-pad-result")
        self.bars = widgets.HTML(probability_bars_html(None))
        self.bars.add_class("mnistlib-pad-probabilities")
        self.preview = widgets.Image(
            value=_blank_preview(), format="png", width=PREVIEW_SIZE, height=PREVIEW_SIZE
        )
        self.preview.add_class("mnistlib-pad-prepared")

    def _layout(self) -> widgets.HBox:
        """The pad and its button on the left; the verdict, what the model saw and the bars."""
        saw = widgets.VBox(
            [widgets.HTML("<b>What the model saw</b>"), self.preview],
            layout=widgets.Layout(margin="0 24px 0 0"),
        )
        bars = widgets.VBox([widgets.HTML("<b>Probabilities</b>"), self.bars])
        answer = widgets.VBox(
            [self.verdict, widgets.HBox([saw, bars])], layout=widgets.Layout(padding="0 0 0 16px")
        )
        return widgets.HBox([widgets.VBox([self.canvas, self.clear_button]), answer])

    def _wire_events(self) -> None:
        """Mouse, pen and touch events to the strokes; the button to ``clear``."""
        self.clear_button.on_click(lambda _button: self.clear())
        self.canvas.on_client_ready(self._redraw)
        self.canvas.on_mouse_down(self.begin_stroke)
        self.canvas.on_mouse_move(self.extend_stroke)
        self.canvas.on_mouse_up(self._on_mouse_up)
        self.canvas.on_mouse_out(lambda _x, _y: self.end_stroke())
        self.canvas.on_touch_start(self._on_touch_start)
        self.canvas.on_touch_move(self._on_touch_move)
        self.canvas.on_touch_end(lambda _touches: self.end_stroke())
        self.canvas.on_touch_cancel(lambda _touches: self.end_stroke())

    # -- state changes (called by the canvas events, or directly) ---------------------------
    def begin_stroke(self, x: float, y: float) -> None:
        """Start a stroke at (x, y): the pen touches the pad."""
        self._drawing = True
        self.strokes.append([(float(x), float(y))])
        with hold_canvas():
            self._style_ink()
            self.canvas.fill_circle(x, y, self.stroke_width / 2)

    def extend_stroke(self, x: float, y: float) -> None:
        """Continue the current stroke to (x, y); ignored while the pen is up."""
        if not self._drawing:
            return
        stroke = self.strokes[-1]
        x, y = float(x), float(y)
        if stroke[-1] == (x, y):
            return
        x0, y0 = stroke[-1]
        stroke.append((x, y))
        with hold_canvas():
            self._style_ink()
            self.canvas.stroke_line(x0, y0, x, y)

    def end_stroke(self) -> NumberReading | None:
        """Lift the pen: read the drawing and show the result. Returns ``result``."""
        if not self._drawing:
            return self.result
        self._drawing = False
        return self.recognize()

    def clear(self) -> None:
        """Wipe the pad and the results."""
        self.strokes = []
        self._drawing = False
        self._show(None, _PROMPT)
        self._redraw()

    # -- derived ------------------------------------------------------------------------------
    def image(self) -> np.ndarray:
        """The drawing as a ``(size, size)`` uint8 image, ink 255 on 0 (``strokes_to_image``)."""
        return strokes_to_image(self.strokes, self.size, self.stroke_width)

    def recognize(self) -> NumberReading | None:
        """Read the current drawing with ``Recognizer.read_number``; show the result."""
        if not self.strokes:
            self._show(None, _PROMPT)
            return None
        try:
            recognition = self.recognizer.read_number(self.image())
        except ImageError as error:
            self._show(None, f"Could not recognise the drawing: {error}", error=True)
            return None
        self._show(recognition, result_text(recognition))
        return recognition

    # -- internals ------------------------------------------------------------------------------
    def _on_mouse_up(self, x: float, y: float) -> None:
        self.extend_stroke(x, y)
        self.end_stroke()

    def _on_touch_start(self, touches: list[Point]) -> None:
        if touches:
            self.begin_stroke(*touches[0])

    def _on_touch_move(self, touches: list[Point]) -> None:
        if touches:
            self.extend_stroke(*touches[0])

    def _style_ink(self) -> None:
        self.canvas.fill_style = INK
        self.canvas.stroke_style = INK
        self.canvas.line_width = self.stroke_width
        self.canvas.line_cap = "round"
        self.canvas.line_join = "round"

    def _redraw(self) -> None:
        """Paint the paper and every stroke again (on Clear, and for each new browser view)."""
        with hold_canvas():
            self.canvas.clear()
            self.canvas.fill_style = PAPER
            self.canvas.fill_rect(0, 0, self.size, self.size)
            self._style_ink()
            for stroke in self.strokes:
                x, y = stroke[0]
                self.canvas.fill_circle(x, y, self.stroke_width / 2)
                if len(stroke) > 1:
                    self.canvas.stroke_lines(stroke)

    def _show(self, reading: NumberReading | None, message: str, *, error: bool = False) -> None:
        self.result = reading
        self.text = message
        self.verdict.value = verdict_html(message, error=error)
        if reading is None:
            self.bars.value = probability_bars_html(None)
            self.preview.value = _blank_preview()
            self.preview.width = PREVIEW_SIZE
        else:
            self.bars.value = bars_per_digit_html(reading)
            images = [digit.image for digit in reading.digits]
            self.preview.value = png_bytes(side_by_side(images), PREVIEW_SIZE // MNIST_SIDE)
            self.preview.width = PREVIEW_SIZE * len(images) + 8 * (len(images) - 1)


def drawing_pad(
    model: ModelSpec = None, *, size: int = 280, stroke_width: float | None = None
) -> DrawingPad:
    """A ``DrawingPad`` (an ipywidgets VBox): draw a digit or a number, see what ``model`` reads.

    ``model`` is a Keras digit classifier, or the path of a saved ``.keras`` model (``None``: the
    recogniser shipped with mnistlib). ``stroke_width`` defaults to 1/12 of ``size``, which
    gives MNIST-like strokes.
    """
    return DrawingPad(model, size=size, stroke_width=stroke_width)


class UploadBox(widgets.VBox):
    """An upload button; each uploaded image file is read (a digit or a number) and listed.

    ``recognize_files`` does the work and can be called directly with (name, bytes) pairs.
    ``rows`` holds one ``(name, NumberReading or None, text)`` per file of the last upload.
    """

    def __init__(self, model: ModelSpec):
        super().__init__()
        self.recognizer = as_recognizer(model)
        self.rows: list[tuple[str, NumberReading | None, str]] = []
        self.upload = widgets.FileUpload(
            accept="image/*",
            multiple=True,
            description="Upload digit images",
            layout=widgets.Layout(width="auto", align_self="flex-start"),
        )
        self.upload.add_class("mnistlib-upload-button")
        self.results = widgets.VBox()
        self.results.add_class("mnistlib-upload-results")
        self.children = [self.upload, self.results]
        self.add_class("mnistlib-upload-box")
        self.upload.observe(self._on_upload, names="value")

    def recognize_files(
        self, files: Iterable[tuple[str, bytes]], types: Sequence[str] = ()
    ) -> list[tuple[str, NumberReading | None, str]]:
        """Read each (name, content) pair and show one row per file. Returns ``rows``."""
        rows: list[tuple[str, NumberReading | None, str]] = []
        row_widgets = []
        for index, (name, content) in enumerate(files):
            mime = types[index] if index < len(types) else ""
            recognition, text = self._recognize_one(name, content)
            rows.append((name, recognition, text))
            row_widgets.append(self._row(name, content, mime, recognition, text))
        self.rows = rows
        self.results.children = row_widgets
        return rows

    def _recognize_one(self, name: str, content: bytes) -> tuple[NumberReading | None, str]:
        try:
            recognition = self.recognizer.read_number(bytes(content))
        except ImageError as error:
            return None, f"Could not read {name!r}: {error}"
        return recognition, f"{name}: {result_text(recognition)}"

    def _row(
        self, name: str, content: bytes, mime: str, recognition: NumberReading | None, text: str
    ) -> widgets.HBox:
        label = widgets.HTML(
            verdict_html(text, error=recognition is None, font_px=18),
            layout=widgets.Layout(align_self="center"),
        )
        if recognition is None:
            label.add_class("mnistlib-upload-error")
            return widgets.HBox([label])
        label.add_class("mnistlib-upload-result")
        pictures = []
        if len(content) <= THUMBNAIL_MAX_BYTES:
            subtype = mime.partition("/")[2] or "png"
            pictures.append(
                widgets.Image(
                    value=bytes(content),
                    format=subtype,
                    layout=widgets.Layout(width="84px", height="84px", object_fit="contain"),
                )
            )
        prepared = side_by_side([digit.image for digit in recognition.digits])
        pictures.append(widgets.Image(value=png_bytes(prepared, 3), format="png"))
        for picture in pictures:
            picture.layout.margin = "0 12px 0 0"
        return widgets.HBox([*pictures, label])

    def _on_upload(self, change: dict) -> None:
        entries = change["new"] or ()
        if not entries:
            return
        self.recognize_files(
            [(entry["name"], entry["content"]) for entry in entries],
            [entry.get("type", "") for entry in entries],
        )


def upload_box(model: ModelSpec = None) -> UploadBox:
    """An ``UploadBox`` (an ipywidgets VBox) that reads uploaded image files with ``model``.

    ``model`` as for ``drawing_pad``. Several files may be chosen at once; each gets a row with
    its thumbnail, the prepared 28x28 and the verdict, or the reason it could not be read.
    """
    return UploadBox(model)
