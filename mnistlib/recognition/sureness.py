"""When is the recogniser sure? Two checks, both chosen on held-out digits, never the test set.

1. **Probability**: the top probability must reach a threshold (``SURE_THRESHOLD`` by default).
   Alone it cannot tell a letter from a digit: models are often confidently wrong on anything
   that is not a digit.
2. **Familiarity**: the model's last hidden layer (what its output layer reads) must look like
   it does for real digits: its distance to the nearest of ``REFERENCES`` training digits'
   features (cosine distance, a deep nearest-neighbour check), or for checks saved before that,
   the Mahalanobis distance to the nearest digit's mean, must stay under a limit. Letters,
   scribbles, shapes and empty frames land far from every digit. It needs features of the
   model's training digits (``Sureness.fit_references``), saved next to it as
   ``<model>.sure.npz``. The nearest-neighbour check flags more non-digits of every kind than
   the Mahalanobis one at the same share of digits flagged (docs/recognition.md).
3. **Confusable pairs** (checks chosen on a mix only): a digit read with a runner-up that
   other writers' digits are often mistaken for (a 1 read as a 7) must give it little
   probability (``confusions``).

A digit failing any check is "not sure", with the check that failed (``verdict`` words it).
The validation set is the last ``VALIDATION_SIZE`` images of MNIST's training set, prepared with
``prepare_image``; the distance limit is its ``FAMILIAR_QUANTILE`` quantile, and the probability
threshold the highest that keeps the share of validation digits flagged by either check within
``MAX_FLAGGED``: ``fit_sureness``. ``mnistlib sure`` does it for a model and prints the figures;
``mnistlib.recognition.figures.plot_flag_curve`` shows the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from mnistlib.data import load_mnist
from mnistlib.progress import Progress, report
from mnistlib.recognition.confusions import CONFUSABLE, Answers, choose_caps, over_cap, runner_up
from mnistlib.recognition.prepare import prepare_many
from mnistlib.recognition.verdict import percent

#: Top probability below which a digit is "not sure", for a model without saved checks (a
#: learner's own): what ``mnistlib sure --probability-only`` chose for an earlier shipped
#: recogniser; ``mnistlib sure --model yours.keras --save`` chooses your model's own.
SURE_THRESHOLD = 0.82
#: Images at the end of MNIST's training set held out to choose the thresholds.
VALIDATION_SIZE = 5000
#: Share of validation digits the two checks together may flag: at most 2% of test digits is the
#: goal, and test digits are flagged about 1.5x as often (the stand-in model), hence the margin.
MAX_FLAGGED = 0.012
#: Quantile of the validation digits' distances used as the familiarity limit (1% flagged).
FAMILIAR_QUANTILE = 0.99
#: When the checks are chosen on a mix (``Mix``): the share of other writers' validation digits
#: read right that they may doubt, in any one set. The goal is at most 5% on any form; the
#: margin is MAX_FLAGGED's (test sets doubt more than the validation sets they are chosen on).
MAX_DOUBTED = 0.03
#: On a mix, the familiarity limits tried: these quantiles of MNIST's validation distances.
LIMIT_QUANTILES = (0.98, 0.985, 0.99, 0.993, 0.995, 0.997, 0.999, 1.0)
#: Training images whose features give the digit means and covariance.
FIT_IMAGES = 20000
#: Training digits the nearest-neighbour check compares with (float16 on disk: 1.3 MB).
REFERENCES = 5000
#: How a model is read: the prepared image shifted by these (rows, columns) of a pixel, the
#: answers averaged. One view is the model's own answer (the default: a learner's model).
ONE_VIEW: tuple[tuple[int, int], ...] = ((0, 0),)
#: The image and its eight one-pixel shifts: the shipped recogniser reads this way. Averaged,
#: a digit reads the same wherever its centre lands within a pixel: 0.2-0.45 points more
#: degraded validation digits read right, every form within 0.15 points (docs/recognition.md).
NINE_VIEWS: tuple[tuple[int, int], ...] = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))
#: What a "not sure" answer says about the check that failed.
UNFAMILIAR, LOW_PROBABILITY = "unlike the digits it was trained on", "probability below {}"
#: Up to this many rows (one image's digits) go by einsum, not BLAS: OpenBLAS splits even one
#: row's product over threads, ~12 ms to wake on a busy machine (docs/benchmarks.md).
FEW_ROWS = 32
#: Images prepared and scored between two progress reports (a second or two on 2 cores).
PROGRESS_BATCH = 500


# --- the checks -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Sureness:
    """The two checks' parameters: probability threshold and familiarity statistics, and the
    views of each image (``ONE_VIEW``, ``NINE_VIEWS``) the model's answers are averaged over,
    which the checks were chosen for."""

    threshold: float = SURE_THRESHOLD
    means: np.ndarray | None = None  # (10, d): each digit's mean features
    precision: np.ndarray | None = None  # (d, d): inverse of the shared covariance
    distance_limit: float = np.inf
    references: np.ndarray | None = None  # (n, d): unit-length features of training digits
    views: tuple[tuple[int, int], ...] = ONE_VIEW
    #: (10, 10): the most probability the second likeliest digit may have when the first is
    #: read (``confusions``: a 1 read as a 7); None: no such check (checks saved before it)
    caps: np.ndarray | None = None

    def distances(self, features: np.ndarray | None) -> np.ndarray | None:
        """How unlike training digits each row of ``features`` is: the cosine distance to the
        nearest reference digit, or (checks without references) the squared Mahalanobis
        distance to the nearest digit's mean."""
        if features is None:
            return None
        if self.references is not None:
            refs = self.references.astype(np.float32, copy=False)
            unit = _unit(features).astype(np.float32)
            few = len(unit) <= FEW_ROWS
            similar = np.einsum("ij,kj->ik", unit, refs) if few else unit @ refs.T
            return 1.0 - similar.max(axis=1).astype(float)
        if self.means is None or self.precision is None:
            return None
        out = np.full(len(features), np.inf)
        for mean in self.means:
            centred = features - mean
            out = np.minimum(out, np.einsum("ij,jk,ik->i", centred, self.precision, centred))
        return out

    def sure(self, probabilities: np.ndarray, features: np.ndarray | None = None) -> np.ndarray:
        """Whether each digit passes both checks ((n,) booleans for (n, 10) probabilities)."""
        ok = np.atleast_2d(probabilities).max(axis=1) >= self.threshold
        distances = self.distances(features)
        if distances is not None:
            ok &= distances <= self.distance_limit
        return ok & ~over_cap(*runner_up(probabilities), self.caps)

    def doubts(
        self, probabilities: np.ndarray, features: np.ndarray | None = None
    ) -> list[str | None]:
        """Why each digit is "not sure" (``UNFAMILIAR``, ``LOW_PROBABILITY``, ``CONFUSABLE``)."""
        top = np.atleast_2d(probabilities).max(axis=1)
        distances = self.distances(features)
        read, second, p2 = runner_up(probabilities)
        capped = over_cap(read, second, p2, self.caps)
        out: list[str | None] = []
        for i, p in enumerate(top):
            if distances is not None and distances[i] > self.distance_limit:
                out.append(UNFAMILIAR)
            elif p < self.threshold:
                out.append(LOW_PROBABILITY.format(percent(self.threshold)))
            else:
                out.append(CONFUSABLE.format(second[i], percent(p2[i])) if capped[i] else None)
        return out

    def save(self, path: str | Path) -> None:
        arrays = {
            "threshold": np.float64(self.threshold),
            "limit": self.distance_limit,
            "views": np.array(self.views, dtype=np.int8),
        }
        if self.means is not None:
            arrays |= {"means": self.means, "precision": self.precision}
        if self.references is not None:
            arrays |= {"references": self.references.astype(np.float16)}
        if self.caps is not None:
            arrays |= {"caps": self.caps}
        with open(path, "wb") as stream:
            np.savez(stream, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Sureness:
        with np.load(path, allow_pickle=False) as data:
            means = data.get("means", None)
            precision = data.get("precision", None)
            references = data.get("references", None)
            if references is not None:  # stored as float16; widened once, not at every answer
                references = references.astype(np.float32)
            views = data.get("views", np.array(ONE_VIEW))  # checks saved before views: one
            view_pairs = tuple((int(dy), int(dx)) for dy, dx in views.reshape(-1, 2))
            threshold, limit = float(data["threshold"]), float(data["limit"])
            caps = data.get("caps", None)
            return cls(threshold, means, precision, limit, references, view_pairs, caps)

    @classmethod
    def fit_references(cls, features: np.ndarray, n: int = REFERENCES) -> Sureness:
        """The nearest-neighbour check's references: the first ``n`` training digits' features,
        unit length, as float16 (thresholds not set)."""
        return cls(references=_unit(features[:n]).astype(np.float16))

    @classmethod
    def fit_statistics(cls, features: np.ndarray, labels: np.ndarray) -> Sureness:
        """Digit means and shared covariance of training features (thresholds not set)."""
        means = np.stack([features[labels == d].mean(axis=0) for d in range(10)])
        centred = features - means[labels]
        covariance = centred.T @ centred / len(centred)
        ridge = 1e-3 * np.trace(covariance) / len(covariance)  # keeps it invertible
        return cls(means=means, precision=np.linalg.inv(covariance + ridge * np.eye(len(means.T))))


def _unit(features: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero: far from every digit)."""
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return features / np.maximum(norms, 1e-6)


def sureness_path(model_path: str | Path) -> Path:
    """Where a model's checks are saved: ``<model>.sure.npz`` beside the ``.keras`` file."""
    path = Path(model_path)
    return path.with_name(path.stem + ".sure.npz")


# --- choosing on the validation set -----------------------------------------------------------
class FlagCurve(NamedTuple):
    """For each probability threshold: shares of correct digits flagged, of errors caught and
    of all digits flagged (the familiarity check, if any, flags its own on top)."""

    thresholds: np.ndarray
    correct_flagged: np.ndarray
    errors_caught: np.ndarray
    flagged: np.ndarray


def flag_curve(
    probabilities: np.ndarray, labels: np.ndarray, unfamiliar: np.ndarray | None = None
) -> FlagCurve:
    """How the probability threshold trades correct digits flagged against errors caught."""
    top = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    thresholds = np.unique(np.r_[0.0, np.quantile(top, np.linspace(0, 0.2, 401)), 1.0])
    flagged = top[None, :] < thresholds[:, None]
    if unfamiliar is not None:
        flagged |= unfamiliar[None, :]
    n_right, n_wrong = max(1, int(right.sum())), max(1, int((~right).sum()))
    return FlagCurve(
        thresholds,
        (flagged & right).sum(axis=1) / n_right,
        (flagged & ~right).sum(axis=1) / n_wrong,
        flagged.mean(axis=1),
    )


def choose_threshold(curve: FlagCurve, max_flagged: float = MAX_FLAGGED) -> float:
    """The highest probability threshold flagging at most ``max_flagged`` of the digits."""
    allowed = curve.thresholds[curve.flagged <= max_flagged]
    return float(allowed.max()) if len(allowed) else 0.0


class Scorer(Protocol):
    """What the checks are chosen for: a model read the way its checks say (a ``Recognizer``)."""

    @property
    def sureness(self) -> Sureness: ...

    def scores(self, images: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]: ...


def scores_in_batches(
    scorer: Scorer, images: np.ndarray, batch: int = 1000
) -> tuple[np.ndarray | None, np.ndarray]:
    """``scorer.scores`` of many prepared images, ``batch`` at a time (bounded memory)."""
    parts = [scorer.scores(images[i : i + batch]) for i in range(0, len(images), batch)]
    features = [f for f, _ in parts if f is not None]
    return (np.concatenate(features) if features else None), np.concatenate([p for _, p in parts])


def prepared_scores(
    scorer: Scorer, images: np.ndarray, progress: Progress | None = None, stage: str = ""
) -> tuple[np.ndarray | None, np.ndarray]:
    """``scores_in_batches`` of MNIST-like images, each prepared with ``prepare_image``, a
    batch at a time, saying how many are done to ``progress`` as ``stage``."""
    parts = []
    report(progress, stage, 0, len(images))
    for start in range(0, len(images), PROGRESS_BATCH):
        parts.append(scorer.scores(prepare_many(images[start : start + PROGRESS_BATCH])))
        report(progress, stage, min(start + PROGRESS_BATCH, len(images)), len(images))
    features = [f for f, _ in parts if f is not None]
    return (np.concatenate(features) if features else None), np.concatenate([p for _, p in parts])


def validation_set() -> tuple[np.ndarray, np.ndarray]:
    """The held-out digits (the last VALIDATION_SIZE training images) and their labels."""
    (x_train, y_train), _ = load_mnist()
    return x_train[-VALIDATION_SIZE:], y_train[-VALIDATION_SIZE:]


class Mix(NamedTuple):
    """Validation images besides MNIST's own to choose the checks on: digits by other writers
    (prepared (n, 28, 28) images and their labels, one pair per set) and non-digits (prepared
    images, one array per kind). Made by ``mnistlib.measure.validation_mix``."""

    others: list[tuple[np.ndarray, np.ndarray]]
    non_digits: list[np.ndarray]


class Scored(NamedTuple):
    """What the checks see of a set of images: top probability, familiarity distance, and
    (digits only) whether the model read each one right."""

    top: np.ndarray
    distance: np.ndarray
    right: np.ndarray | None = None
    probabilities: np.ndarray | None = None  #: (n, 10), for the caps (``confusions``)


def choose_on_mix(
    mnist: Scored,
    others: list[Scored],
    non_digits: list[Scored],
    *,
    max_flagged: float = MAX_FLAGGED,
    max_doubted: float = MAX_DOUBTED,
) -> tuple[float, float]:
    """The (probability threshold, distance limit) that flag at most ``max_flagged`` of MNIST's
    validation digits and doubt at most ``max_doubted`` of the right answers in each set of
    ``others``, and among those leave the fewest answers wrong but sure (mean share over
    ``others``) plus non-digits answered sure (mean share over ``non_digits``). The limits
    tried are ``LIMIT_QUANTILES`` of MNIST's distances, the thresholds the quantiles 0-5% of
    its top probabilities. Raises ValueError when no pair keeps within both bounds."""
    best: tuple[float, float, float] | None = None
    thresholds = np.unique(np.quantile(mnist.top, np.linspace(0, 0.05, 101)))
    for limit in np.quantile(mnist.distance, LIMIT_QUANTILES):
        for threshold in thresholds:
            if ((mnist.top < threshold) | (mnist.distance > limit)).mean() > max_flagged:
                continue
            cost, ok = 0.0, True
            for s in others:
                sure = (s.top >= threshold) & (s.distance <= limit)
                right = s.right if s.right is not None else np.ones(len(s.top), bool)
                ok &= bool(right.any()) and (~sure[right]).mean() <= max_doubted
                cost += (sure & ~right).mean() / len(others)
            for s in non_digits:
                cost += ((s.top >= threshold) & (s.distance <= limit)).mean() / len(non_digits)
            if ok and (best is None or cost < best[0]):
                best = (cost, float(threshold), float(limit))
    if best is None:
        raise ValueError("no checks flag few enough MNIST digits and doubt few enough others")
    return best[1], best[2]


def _scored(scorer: Scorer, stats: Sureness, images: np.ndarray, labels=None) -> Scored:
    features, probabilities = scores_in_batches(scorer, images)
    distances = stats.distances(features)
    assert distances is not None  # features and references are both there
    right = None if labels is None else probabilities.argmax(axis=1) == labels
    return Scored(probabilities.max(axis=1), distances, right, probabilities)


def _caps(mnist: Scored, others: list[Scored], threshold: float, limit: float) -> np.ndarray:
    """The caps on confusable pairs (``confusions.choose_caps``) on top of the checks chosen."""

    def answers(s: Scored) -> Answers:
        assert s.probabilities is not None and s.right is not None  # digits, scored
        return Answers(s.probabilities, s.right, (s.top >= threshold) & (s.distance <= limit))

    chosen = [answers(s) for s in others]
    return choose_caps(answers(mnist), chosen, max_flagged=MAX_FLAGGED, max_doubted=MAX_DOUBTED)


def fit_sureness(
    scorer: Scorer,
    *,
    probability_only: bool = False,
    familiarity: str = "neighbours",
    progress: Progress | None = None,
    mix: Mix | None = None,
) -> tuple[Sureness, FlagCurve]:
    """Choose the checks for ``scorer``'s model (a ``Recognizer``), read as it reads (its
    checks' ``views``), on the validation set; also the curve behind the choice.

    The familiarity check compares with the first FIT_IMAGES training images' features:
    ``familiarity="neighbours"`` keeps REFERENCES of them for the nearest-neighbour distance,
    ``"mahalanobis"`` their digit means and covariance. Its limit is the FAMILIAR_QUANTILE
    quantile of the validation digits' distances; the probability threshold is the highest
    keeping the validation digits flagged within MAX_FLAGGED.

    With a ``mix`` (nearest-neighbour familiarity only), both are chosen together by
    ``choose_on_mix``: other writers' digits are not doubted just for being written otherwise,
    and fewer of them, and of the non-digits, are answered wrongly but sure; then caps on the
    runner-up of the pairs other writers' digits are confused in (``confusions.choose_caps``).
    """
    if familiarity not in ("neighbours", "mahalanobis"):
        raise ValueError(f"familiarity must be 'neighbours' or 'mahalanobis', got {familiarity!r}")
    x_val, y_val = validation_set()
    features, probabilities = prepared_scores(scorer, x_val, progress, "validation digits")
    views = scorer.sureness.views  # the checks are chosen for the way it reads
    sureness, unfamiliar, threshold = Sureness(views=views), None, None
    if features is not None and not probability_only:
        (x_train, y_train), _ = load_mnist()
        if familiarity == "neighbours":  # prepared, as the images it will be asked about
            refs = x_train[:REFERENCES]
            references, _ = prepared_scores(scorer, refs, progress, "reference digits")
            assert references is not None  # the same model gave features above
            stats = Sureness.fit_references(references, REFERENCES)
        else:
            train_features, _ = scores_in_batches(scorer, x_train[:FIT_IMAGES] / np.float32(255))
            assert train_features is not None
            stats = Sureness.fit_statistics(train_features, y_train[:FIT_IMAGES])
        distances = stats.distances(features)
        assert distances is not None  # features and statistics are both there
        if mix is not None and familiarity == "neighbours":
            others = [_scored(scorer, stats, x, y) for x, y in mix.others]
            non_digits = [_scored(scorer, stats, x) for x in mix.non_digits]
            right = probabilities.argmax(axis=1) == y_val
            mnist = Scored(probabilities.max(axis=1), distances, right, probabilities)
            threshold, limit = choose_on_mix(mnist, others, non_digits)
            stats = replace(stats, caps=_caps(mnist, others, threshold, limit))
        else:
            limit = float(np.quantile(distances, FAMILIAR_QUANTILE))
        sureness = replace(stats, distance_limit=limit, views=views)
        unfamiliar = distances > limit
    curve = flag_curve(probabilities, y_val, unfamiliar)
    if threshold is None:
        threshold = choose_threshold(curve, MAX_FLAGGED)
    return replace(sureness, threshold=threshold), curve
