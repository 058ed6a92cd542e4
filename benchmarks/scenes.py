"""Scenes people photograph (``mnistlib.measure.scenes``): the recogniser per scene beside
Tesseract on the same images, and big phone photos' time and memory."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image

from benchmarks.row import Row
from mnistlib.measure.scene_reading import SceneRow, read_scene, scene_row
from mnistlib.measure.scenes import BIG_SIZES, SCENE_KINDS, SOURCES, big_scene, scene_set
from mnistlib.recognition.recognizer import Recognizer

#: What Tesseract may print: digits and the separators (issue 26's command line).
TESSERACT_ARGS = ["--psm", "7", "-c", "tessedit_char_whitelist=0123456789/.:,-"]
#: Issue 26's targets on each scene's whole text (desk: also within 0.02 of the plain sheet).
WHOLE_TARGETS = {"desk": ">= 0.90", "boxes": ">= 0.90", "separators": ">= 0.85",
                 "shapes": ">= 0.95 (no sure number)"}  # fmt: skip


class Tesseract:
    """Tesseract 5 (the ``tesseract`` command) answering as ``read_number`` does: the text it
    prints, "sure" whenever it prints something (it has no doubt to give)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def read_number(self, data: bytes) -> SimpleNamespace:
        done = subprocess.run([self.command, "stdin", "-", *TESSERACT_ARGS], input=data,
                              capture_output=True, timeout=60,
                              env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})  # fmt: skip
        text = "".join(done.stdout.decode(errors="replace").split())
        return SimpleNamespace(text=text, sure=bool(text), digits=[])


def _rows(row: SceneRow, theirs: SceneRow | None, plain: SceneRow | None) -> list[Row]:
    """Bench rows of one scene row: the whole text beside Tesseract's (the desk beside the plain
    sheet), the separators' figures, the doubt's."""
    what = f"{row.kind} ({row.source} digits)"
    notes = f"{row.n} test scenes; {row.seconds:.2f} s/image"
    if row.held_out_n:
        notes += f"; held-out styles ({row.held_out_n}): {row.held_out_whole:.3f}"
    if row.kind == "desk" and plain is not None:
        base, base_name = plain.whole, "the same sheets without the desk"
        target = ">= 0.90, within 0.02 of the plain sheet"
    else:
        base = theirs.whole if theirs is not None else math.nan
        base_name = "Tesseract 5, same images" if theirs else "Tesseract (not installed)"
        target = WHOLE_TARGETS.get(row.kind, "report (no worse than now)")
    if theirs is not None and row.kind == "desk":
        notes += f"; Tesseract {theirs.whole:.3f}"
    out = [Row("scenes", f"{what}: read whole", base_name, row.whole, base, "share",
               row.whole / base if base else math.nan, target, notes)]  # fmt: skip
    if row.kind == "separators":
        out += [
            Row("scenes", f"{what}: digits right", "-", row.digits, math.nan, "share", math.nan,
                ">= 0.93", notes),
            Row("scenes", f"{what}: separators read as a digit", "-", row.as_digit, math.nan,
                "share", math.nan, "<= 0.02", f"separators printed {row.separators:.3f}"),
        ]  # fmt: skip
    if row.kind == "shapes":
        out.append(Row("scenes", "shapes and words: answered as a sure number", "-",
                       row.sure_number, math.nan, "share", math.nan, "<= 0.05", notes))  # fmt: skip
        return out
    strokes = row.source == "strokes"
    out += [
        Row("scenes", f"{what}: right answers doubted", "-", row.right_doubted, math.nan,
            "share", math.nan, "<= 0.05" if strokes else "report", notes),
        Row("scenes", f"{what}: wrong and sure", "-", row.wrong_sure, math.nan, "share",
            math.nan, "<= 0.01" if strokes else "report", notes),
    ]  # fmt: skip
    return out


def scenes(quick: bool) -> list[Row]:
    """Every scene kind and digit source (as ``read_scenes``: test split), the shipped
    recogniser beside Tesseract where ``tesseract`` is on PATH."""
    n = 10 if quick else 200
    recognizer, command = Recognizer.load(), shutil.which("tesseract")
    tesseract = Tesseract(command) if command else None
    ours: list[SceneRow] = []
    theirs: dict[tuple[str, str], SceneRow] = {}
    for kind in SCENE_KINDS:  # each scene composed once, read by both
        for source in ("strokes",) if kind == "shapes" else SOURCES:
            made = scene_set(kind, n, split="test", source=source, seed=0)
            ours.append(scene_row([read_scene(recognizer, scene) for scene in made]))
            if tesseract is not None:
                row = scene_row([read_scene(tesseract, scene) for scene in made])
                theirs[(row.kind, row.source)] = row
    plain = {r.source: r for r in ours if r.kind == "sheet"}
    rows = []
    for row in ours:
        rows += _rows(row, theirs.get((row.kind, row.source)), plain.get(row.source))
    if not command:
        rows.append(Row("scenes", "Tesseract baseline", "-", math.nan, math.nan, "share",
                        math.nan, "report", "skipped: `tesseract` is not on PATH "
                        "(Debian: apt-get install tesseract-ocr)"))  # fmt: skip
    return rows


# Peak memory from /proc/self/status (VmHWM, this process's own high-water mark): ru_maxrss
# would report the parent's size, inherited across fork and exec (the bench holds TensorFlow).
_READ_BIG = """
import resource, sys, time
from mnistlib.errors import ImageError
def peak_kib():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from mnistlib.recognition.recognizer import Recognizer
recognizer = Recognizer.load()
recognizer.read_number(sys.argv[2])  # warm: the model compiled on a small photo
before = peak_kib()
start = time.perf_counter()
try:
    answer = recognizer.read_number(sys.argv[1]).text
except ImageError as err:
    answer = "refused: " + str(err).replace(chr(10), " ")
seconds = time.perf_counter() - start
peak = peak_kib()
print(f"RESULT {seconds:.3f} {peak / 1024:.0f} {before / 1024:.0f} {answer}")
"""


def _read_big(path: Path, small: Path) -> tuple[float, float, float, str]:
    out = subprocess.run([sys.executable, "-c", _READ_BIG, str(path), str(small)],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        tail = " | ".join((out.stderr or out.stdout).strip().splitlines()[-2:])
        return math.nan, math.nan, math.nan, f"failed: {tail}"
    seconds, peak, before, answer = line.split(" ", 4)[1:]
    return float(seconds), float(peak), float(before), answer


def big_photos(quick: bool) -> list[Row]:
    """A 48 MP and a 108 MP phone photo (JPEG) of one digit on a sheet on a desk: the time
    ``read_number`` takes (warm, in a fresh process) and the process's peak memory, beside the
    same photo at 1200x900."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for megapixels in (48,) if quick else tuple(BIG_SIZES):
            scene = big_scene(megapixels, np.random.default_rng([26, megapixels]))
            path = Path(folder) / f"photo_{megapixels}mp.jpg"
            path.write_bytes(scene.data)
            small = Path(folder) / "small.jpg"
            with Image.open(path) as image:
                image.draft("RGB", (1200, 900))
                image.convert("RGB").resize((1200, 900)).save(small, quality=85)
            seconds, peak, before, answer = _read_big(path, small)
            base, _, _, _ = _read_big(small, small)
            width, height = BIG_SIZES[megapixels]
            notes = f"truth {scene.truth!r}, answer {answer!r}; {width}x{height} JPEG"
            rows += [
                Row("big photos", f"{megapixels} MP JPEG: read_number time",
                    "the same photo at 1200x900", seconds, base, "s", seconds / base, "< 3 s",
                    notes),
                Row("big photos", f"{megapixels} MP JPEG: peak memory (process)",
                    "after loading and a first read", peak, before, "MiB", peak / before,
                    "< 1536 MiB", notes),
            ]  # fmt: skip
    return rows
