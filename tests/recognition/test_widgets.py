"""The drawing pad and the upload box, without a browser.

The pad's events are fed as the frontend sends them (ipycanvas messages) or by calling its
methods; recognition is faked where only the wiring is under test, and real (``mnistlib.
Recognizer`` with a small dense model trained here on MNIST) where strokes must become digits.
"""

from __future__ import annotations

import datetime
import io
import os

import numpy as np
import pytest
from PIL import Image

from mnistlib.errors import ImageError
from mnistlib.recognition import widgets
from mnistlib.recognition.recognizer import NumberReading, Recognition


class FakeRecognizer:
    """Stands in for ``Recognizer.read_number``: records calls, answers ``digit``."""

    def __init__(self, digit: int = 7, confidence: float = 0.9, error: str | None = None):
        self.calls: list[tuple[object, object]] = []
        self.digit, self.confidence, self.error = digit, confidence, error

    def __call__(self, model, source):
        self.calls.append((model, source))
        if self.error:
            raise ImageError(self.error)
        probabilities = np.full(10, (1 - self.confidence) / 9, dtype=np.float32)
        probabilities[self.digit] = self.confidence
        image = np.zeros((28, 28), dtype=np.float32)
        image[4:24, 13:15] = 1.0
        recognition = Recognition(digit=self.digit, probabilities=probabilities, image=image)
        return NumberReading([recognition], [(0, 0, 28, 28)])


class _Bound:
    """What ``as_recognizer`` gives the widgets in these tests: ``read_number`` answered by a
    function of (the model spec handed to the widget, the source)."""

    def __init__(self, spec, read):
        self.spec, self._read = spec, read

    def read_number(self, source):
        return self._read(self.spec, source)


def use(monkeypatch, read) -> None:
    """Make the widgets read with ``read(model, source)`` instead of a real recogniser."""
    monkeypatch.setattr(widgets, "as_recognizer", lambda spec: _Bound(spec, read))


@pytest.fixture
def fake(monkeypatch):
    recognizer = FakeRecognizer()
    use(monkeypatch, recognizer)
    return recognizer


MODEL = object()  # the fake recogniser never looks at it


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.format == "PNG"
        return picture.size


# -- strokes_to_image ----------------------------------------------------------------------


def test_no_strokes_is_a_blank_image():
    image = widgets.strokes_to_image([], 280, 20)
    assert image.shape == (280, 280) and image.dtype == np.uint8
    assert image.max() == 0


def test_a_single_point_is_a_round_dot_of_the_stroke_width():
    image = widgets.strokes_to_image([[(100, 100)]], 200, 20)
    ys, xs = np.nonzero(image)
    assert set(np.unique(image)) == {0, 255}
    assert 19 <= xs.max() - xs.min() + 1 <= 22 and 19 <= ys.max() - ys.min() + 1 <= 22
    assert image[100, 100] == 255
    assert image[91, 91] == 0  # a corner of the bounding square: round, not square


def test_a_line_has_the_stroke_width_and_round_caps():
    image = widgets.strokes_to_image([[(50, 100), (150, 100)]], 200, 20)
    column = image[:, 100]
    assert 19 <= np.count_nonzero(column) <= 22
    # round caps reach past both ends by half the width, and no further
    assert image[100, 50 - 8] == 255 and image[100, 150 + 8] == 255
    assert image[100, 50 - 13] == 0 and image[100, 150 + 13] == 0
    assert image[0].max() == 0 and image[:, :30].max() == 0


def test_strokes_are_independent_and_clipped_to_the_pad():
    image = widgets.strokes_to_image([[(10, 10), (10, 60)], [(300, 300), (-50, 190)]], 200, 8)
    assert image[35, 10] == 255
    assert image[35, 100] == 0  # nothing drawn between the two strokes
    assert image.shape == (200, 200)


def test_strokes_to_image_rejects_nonsense_sizes():
    with pytest.raises(ValueError, match="width"):
        widgets.strokes_to_image([[(1, 1)]], 28, 0)
    with pytest.raises(ValueError, match="size"):
        widgets.strokes_to_image([[(1, 1)]], 0, 3)


def test_default_stroke_width_is_mnist_like():
    for size in (140, 280, 400):
        assert size / 14 <= widgets.default_stroke_width(size) <= size / 10


# -- the drawing pad ----------------------------------------------------------------------


def draw(pad, points):
    pad.begin_stroke(*points[0])
    for point in points[1:]:
        pad.extend_stroke(*point)
    return pad.end_stroke()


def test_a_stroke_is_recorded_rasterised_and_recognised(fake):
    pad = widgets.drawing_pad(MODEL)
    assert isinstance(pad, widgets.widgets.VBox)
    assert pad.result is None and "Draw a digit" in pad.text

    result = draw(pad, [(140, 40), (140, 140), (141, 240)])

    assert pad.strokes == [[(140.0, 40.0), (140.0, 140.0), (141.0, 240.0)]]
    assert len(fake.calls) == 1
    model, source = fake.calls[0]
    assert model is MODEL
    np.testing.assert_array_equal(source, widgets.strokes_to_image(pad.strokes, 280, 23))
    assert result is pad.result and result.text == "7"
    assert pad.text == "7 (90.0%)"
    assert "7 (90.0%)" in pad.verdict.value
    assert "width:90.0%" in pad.bars.value
    assert png_size(pad.preview.value) == (widgets.PREVIEW_SIZE, widgets.PREVIEW_SIZE)


def test_each_stroke_is_recognised_on_the_whole_drawing(fake):
    pad = widgets.drawing_pad(MODEL, size=200, stroke_width=15)
    draw(pad, [(100, 20), (100, 180)])
    draw(pad, [(60, 60), (140, 60)])
    assert len(fake.calls) == 2 and len(pad.strokes) == 2
    expected = widgets.strokes_to_image(pad.strokes, 200, 15)
    np.testing.assert_array_equal(fake.calls[-1][1], expected)


def test_moves_with_the_pen_up_and_repeated_points_draw_nothing(fake):
    pad = widgets.drawing_pad(MODEL)
    pad.extend_stroke(10, 10)
    assert pad.end_stroke() is None
    pad.begin_stroke(50, 50)
    pad.extend_stroke(50, 50)
    pad.end_stroke()
    assert pad.strokes == [[(50.0, 50.0)]]
    assert len(fake.calls) == 1


def test_clear_wipes_strokes_and_results(fake):
    pad = widgets.drawing_pad(MODEL)
    blank_preview = pad.preview.value  # before the first stroke
    draw(pad, [(100, 100), (120, 200)])
    assert pad.preview.value != blank_preview
    pad.clear()
    assert pad.strokes == [] and pad.result is None
    assert "Draw a digit" in pad.text and "90.0%" not in pad.verdict.value
    assert pad.preview.value == blank_preview
    assert "width:0.0%" in pad.bars.value
    pad.clear_button.click()  # the button is wired to clear()
    assert pad.strokes == []


def test_a_refused_drawing_shows_the_message_not_a_traceback(monkeypatch):
    use(monkeypatch, FakeRecognizer(error="no visible digit in the image"))
    pad = widgets.drawing_pad(MODEL)
    assert draw(pad, [(5, 5)]) is None
    assert pad.result is None
    assert pad.text == "Could not recognise the drawing: no visible digit in the image"
    assert "no visible digit" in pad.verdict.value


def test_frontend_mouse_and_touch_events_drive_the_pad(fake):
    pad = widgets.drawing_pad(MODEL)

    def send(event, **content):
        pad.canvas._handle_frontend_event(None, {"event": event, **content}, [])

    send("mouse_move", x=1, y=1)  # hovering: pen up
    send("mouse_down", x=100, y=50)
    send("mouse_move", x=100, y=150)
    send("mouse_up", x=101, y=230)
    assert pad.strokes == [[(100, 50), (100, 150), (101, 230)]]
    assert pad.text == "7 (90.0%)"

    send("mouse_down", x=20, y=20)
    send("mouse_move", x=30, y=30)
    send("mouse_out", x=-1, y=40)  # leaving the pad ends the stroke
    send("mouse_move", x=60, y=60)
    assert pad.strokes[-1] == [(20, 20), (30, 30)]

    send("touch_start", touches=[{"x": 200, "y": 10}])
    send("touch_move", touches=[{"x": 200, "y": 90}])
    send("touch_end", touches=[])
    assert pad.strokes[-1] == [(200, 10), (200, 90)]
    assert len(fake.calls) == 3


def test_widgets_display_without_a_frontend(fake):
    from IPython.display import display

    for widget in (widgets.drawing_pad(MODEL), widgets.upload_box(MODEL)):
        bundle = widget._repr_mimebundle_()
        assert set(bundle) >= {"text/plain", "application/vnd.jupyter.widget-view+json"}
        display(widget)  # plain Python: prints the text repr, nothing waits for a browser


def test_a_path_or_nothing_goes_through_recognizer_load(monkeypatch, tmp_path):
    from mnistlib.recognition.recognizer import Recognizer

    loaded = []
    monkeypatch.setattr(
        Recognizer, "load", classmethod(lambda cls, path=None: loaded.append(path) or MODEL)
    )
    pad = widgets.drawing_pad(tmp_path / "m.keras")
    box = widgets.upload_box()
    assert pad.recognizer is MODEL and box.recognizer is MODEL
    assert loaded == [tmp_path / "m.keras", None]  # None: the shipped recogniser


# -- the upload box -------------------------------------------------------------------------


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_files_are_each_recognised(fake):
    box = widgets.upload_box(MODEL)
    assert box.upload.accept == "image/*" and box.upload.multiple
    picture = png_bytes(np.full((40, 30), 255, dtype=np.uint8))
    rows = box.recognize_files([("seven.png", picture), ("again.png", picture)], ["image/png"])
    assert [text for _, _, text in rows] == [
        "seven.png: 7 (90.0%)",
        "again.png: 7 (90.0%)",
    ]
    assert [source for _, source in fake.calls] == [picture, picture]
    assert len(box.results.children) == 2
    thumbnail, prepared, label = box.results.children[0].children
    assert thumbnail.value == picture and thumbnail.format == "png"
    assert png_size(prepared.value) == (84, 84)
    assert "seven.png: 7 (90.0%)" in label.value


def test_a_bad_file_gets_its_message_and_the_others_are_still_read(monkeypatch):
    good = FakeRecognizer()

    def recognise(model, source):
        if source.startswith(b"%PDF"):
            raise ImageError("not an image (could not identify the file format)")
        return good(model, source)

    use(monkeypatch, recognise)
    box = widgets.upload_box(MODEL)
    rows = box.recognize_files([("notes.png", b"%PDF-1.4 ..."), ("ok.png", b"\x89PNG...")])
    assert rows[0][1] is None
    assert rows[0][2] == (
        "Could not read 'notes.png': not an image (could not identify the file format)"
    )
    assert rows[1][2] == "ok.png: 7 (90.0%)"
    error_label = box.results.children[0].children[0]
    assert "mnistlib-upload-error" in error_label._dom_classes
    assert "Could not read &#x27;notes.png&#x27;" in error_label.value  # escaped, shown as text


def test_the_upload_widget_value_triggers_recognition(fake):
    box = widgets.upload_box(MODEL)
    entry = {
        "name": "digit.png",
        "type": "image/png",
        "size": 4,
        "content": memoryview(b"\x89PNG"),
        "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
    }
    box.upload.value = (entry,)
    assert fake.calls == [(MODEL, b"\x89PNG")]
    assert box.rows[0][2] == "digit.png: 7 (90.0%)"
    box.upload.value = ()  # clearing the upload keeps the last results
    assert len(box.rows) == 1


def test_a_number_shows_every_digit_and_a_doubt_is_said(monkeypatch):
    def two_digits(model, source):
        sure = FakeRecognizer(4, 0.97)(model, source).digits[0]
        doubt = FakeRecognizer(9, 0.55)(model, source).digits[0]
        p = doubt.probabilities.copy()
        p[4] = 0.4  # the second likeliest
        doubt = Recognition(doubt.digit, p, doubt.image, doubt="probability below 60%")
        return NumberReading([sure, doubt], [(0, 0, 10, 10), (12, 0, 22, 10)])

    use(monkeypatch, two_digits)
    pad = widgets.drawing_pad(MODEL)
    reading = draw(pad, [(40, 40), (40, 200)])
    assert reading.text == "49"
    assert pad.text == "4? (not sure: 9 or 4? (55.0%) - probability below 60%)"
    assert png_size(pad.preview.value)[0] == 2 * 28 * 4 + 2 * 4  # two digits side by side
    assert pad.bars.value.count("mnistlib-bar") == 20


# -- strokes to digits, for real -------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model():
    """A dense MNIST classifier trained here in a few seconds (about 96% on the test set)."""
    from mnistlib import data

    if not data.cache_path().is_file() and os.environ.get("MNISTLIB_REQUIRE_DATA") != "1":
        pytest.skip("MNIST not fetched yet (run `make data`)")
    (x_train, y_train), _ = data.load_mnist()
    import keras

    from mnistlib import set_seed

    set_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x_train[:30000] / 255.0, y_train[:30000], epochs=2, batch_size=128, verbose=0)
    return model


def ellipse(cx, cy, rx, ry, n=40):
    angles = np.linspace(-np.pi / 2, 1.5 * np.pi, n + 1)
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


@pytest.mark.slow
def test_drawn_strokes_are_read_as_the_digits_drawn(small_model):
    pad = widgets.drawing_pad(small_model)
    assert draw(pad, [(150, 40), (145, 140), (140, 240)]).text == "1"
    assert pad.text.startswith("1 (")
    prepared = pad.result.digits[0].image
    assert prepared.shape == (28, 28)
    pad.clear()
    assert draw(pad, ellipse(140, 140, 65, 100)).text == "0"
    pad.clear()
    # a 7: a bar across the top and a long diagonal down
    assert draw(pad, [(70, 50), (210, 50), (120, 250)]).text == "7"
