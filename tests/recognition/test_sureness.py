"""mnistlib.recognition.sureness: the "not sure" checks, and choosing them."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Confident

from mnistlib.recognition import fit_sureness, sureness
from mnistlib.recognition import sureness as sureness_module
from mnistlib.recognition.sureness import MAX_FLAGGED, VALIDATION_SIZE


def test_probability_threshold_flags_low_top_probabilities():
    checks = sureness.Sureness(threshold=0.8)
    p = np.array([[0.9] + [0.1 / 9] * 9, [0.5, 0.5] + [0.0] * 8])
    assert checks.sure(p).tolist() == [True, False]


def test_familiarity_flags_features_far_from_every_digit(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 2000)
    centres = rng.normal(0, 5, (10, 8))
    features = centres[labels] + rng.normal(0, 1, (2000, 8))
    stats = sureness.Sureness.fit_statistics(features, labels)
    near = centres[:3] + rng.normal(0, 1, (3, 8))
    far = centres[:3] + 30
    checks = sureness.Sureness(0.0, stats.means, stats.precision, distance_limit=30.0)
    p = np.full((6, 10), 0.1)
    assert checks.sure(p, np.vstack([near, far])).tolist() == [True] * 3 + [False] * 3
    checks.save(tmp_path / "m.sure.npz")
    again = sureness.Sureness.load(tmp_path / "m.sure.npz")
    assert again.distance_limit == 30.0
    np.testing.assert_allclose(again.precision, checks.precision)


def test_nearest_neighbour_familiarity_flags_features_unlike_every_reference(tmp_path):
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 5, (10, 8))
    features = centres[rng.integers(0, 10, 2000)] + rng.normal(0, 0.5, (2000, 8))
    fitted = sureness.Sureness.fit_references(features, 500)
    assert fitted.references is not None and fitted.references.shape == (500, 8)
    assert fitted.references.dtype == np.float16  # small to ship
    checks = sureness.Sureness(0.0, distance_limit=0.05, references=fitted.references)
    near = centres[:3] + rng.normal(0, 0.5, (3, 8))
    unlike = np.vstack([rng.normal(0, 5, (2, 8)), np.zeros((1, 8))])  # a zero row too
    p = np.full((6, 10), 0.1)
    assert checks.sure(p, np.vstack([near, unlike])).tolist() == [True] * 3 + [False] * 3
    checks.save(tmp_path / "m.sure.npz")
    again = sureness.Sureness.load(tmp_path / "m.sure.npz")
    assert again.means is None and again.distance_limit == 0.05
    np.testing.assert_array_equal(again.references, checks.references)
    assert again.doubts(p[:1], unlike[:1]) == [sureness.UNFAMILIAR]


def test_threshold_is_the_highest_within_the_flagged_budget():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 1000)
    p = np.full((1000, 10), 0.01)
    top = rng.uniform(0.5, 1.0, 1000)
    p[np.arange(1000), labels] = top
    curve = sureness.flag_curve(p, labels)
    chosen = sureness.choose_threshold(curve, 0.05)
    assert (top < chosen).mean() <= 0.05
    assert (top < chosen + 0.01).mean() > 0.04  # not needlessly low
    from mnistlib.recognition.figures import plot_flag_curve

    fig = plot_flag_curve(curve, chosen)
    assert fig.axes[0].get_xlabel().startswith("correct digits flagged")


def test_doubts_name_the_check_that_failed():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 500)
    features = rng.normal(0, 1, (10, 4))[labels] + rng.normal(0, 0.1, (500, 4))
    stats = sureness.Sureness.fit_statistics(features, labels)
    checks = sureness.Sureness(0.8, stats.means, stats.precision, distance_limit=50.0)
    p = np.array([[0.95] + [0.05 / 9] * 9, [0.5, 0.5] + [0.0] * 8, [0.95] + [0.05 / 9] * 9])
    feats = np.vstack([features[:2], features[2] + 100])
    assert checks.doubts(p, feats) == [None, "probability below 80.0%", sureness.UNFAMILIAR]


def test_the_shipped_recognizer_carries_its_checks(mnist, shipped):
    from mnistlib.measure.evaluation import non_digits

    checks = shipped.sureness
    assert checks.references is not None and np.isfinite(checks.distance_limit)
    _, (x_test, _) = mnist
    digits = shipped.recognize_many(x_test[-500:])
    assert np.mean([not r.sure for r in digits]) <= 0.04  # about 1.7% on all 10,000
    others = shipped.recognize_many(non_digits(100, seed=7))
    assert np.mean([not r.sure for r in others]) >= 0.4  # about 60% on 1,000


def test_the_shipped_checks_flag_non_digits_of_every_drawn_kind(mnist, shipped):
    from mnistlib.measure.outliers import outlier_set

    _, (x_test, _) = mnist
    digits = shipped.recognize_many(x_test[:500])
    assert np.mean([not r.sure for r in digits]) <= 0.04  # 1.7% on all 10,000
    for kind in ("letters", "scribbles", "shapes", "empty_frame"):  # 0.94-1.00 on 1,000 each
        flagged = [
            _doubted_or_refused(shipped, image) for image in outlier_set(kind, 60, x_test, seed=9)
        ]
        assert np.mean(flagged) >= 0.8, kind


def _doubted_or_refused(recognizer, image) -> bool:
    """Whether the recogniser does not answer ``image`` as a sure digit: "not sure", or refused
    as holding no digit (an empty frame's printed lines are taken out, leaving nothing)."""
    from mnistlib.errors import ImageError

    try:
        return not recognizer.recognize(image).sure
    except ImageError:
        return True


# --- choosing the checks on validation digits only ---------------------------------------
N_TRAIN = VALIDATION_SIZE + 2000


@pytest.fixture
def fake_mnist(monkeypatch):
    """Random blobs as training digits; the test set is None, so touching it fails loudly."""
    rng = np.random.default_rng(0)
    x = (rng.random((N_TRAIN, 28, 28)) < rng.uniform(0.05, 0.3, (N_TRAIN, 1, 1))) * 255
    y = (np.arange(N_TRAIN) % 10).astype(np.uint8)
    monkeypatch.setattr(sureness_module, "load_mnist", lambda: ((x.astype(np.uint8), y), None))
    monkeypatch.setattr(sureness_module, "prepare_many", lambda images: np.asarray(images) / 255.0)
    return x, y


@pytest.mark.parametrize("familiarity", ["neighbours", "mahalanobis"])
def test_the_checks_are_chosen_on_the_validation_digits_never_the_test_set(fake_mnist, familiarity):
    # the test set is None: untouched
    sureness, curve = fit_sureness(Confident(), familiarity=familiarity)
    x_val = fake_mnist[0][-VALIDATION_SIZE:] / 255.0
    features, probabilities = Confident().scores(x_val)
    flagged = ~sureness.sure(probabilities, features)
    assert flagged.mean() <= MAX_FLAGGED
    assert flagged.mean() > 0  # the budget was used, not ignored
    assert np.isfinite(sureness.distance_limit)
    if familiarity == "neighbours":
        assert sureness.references is not None and sureness.means is None
    else:
        assert sureness.means is not None and sureness.references is None
    assert curve.flagged[0] <= curve.flagged[-1]  # a higher threshold flags more


def test_an_unknown_familiarity_check_is_refused(fake_mnist):
    with pytest.raises(ValueError, match="familiarity"):
        fit_sureness(Confident(), familiarity="cosine")


def test_probability_only_leaves_the_familiarity_check_out(fake_mnist):
    sureness, _ = fit_sureness(Confident(), probability_only=True)
    assert sureness.means is None and sureness.references is None
    assert sureness.distance_limit == np.inf


# --- choosing on a mix of MNIST's and other writers' digits -------------------------------
def _scored(top, distance, right=None):
    return sureness.Scored(np.asarray(top, float), np.asarray(distance, float), right)


def test_on_a_mix_the_checks_keep_other_writers_doubts_within_the_bound():
    rng = np.random.default_rng(0)
    mnist = _scored(rng.uniform(0.9, 1.0, 1000), rng.uniform(0.0, 0.1, 1000))
    # other writers: right answers are as sure as MNIST's but a little less familiar; their
    # wrong answers are unsure
    right = np.r_[np.ones(950, bool), np.zeros(50, bool)]
    top = np.where(right, rng.uniform(0.9, 1.0, 1000), rng.uniform(0.8, 0.92, 1000))
    others = [_scored(top, rng.uniform(0.0, 0.1025, 1000), right)]
    threshold, limit = sureness.choose_on_mix(mnist, others, [], max_flagged=0.02, max_doubted=0.03)
    flagged = (mnist.top < threshold) | (mnist.distance > limit)
    assert flagged.mean() <= 0.02
    sure = (others[0].top >= threshold) & (others[0].distance <= limit)
    assert (~sure[right]).mean() <= 0.03
    # the MNIST-only rule (limit at the 99% quantile) would doubt many more of them
    mnist_limit = np.quantile(mnist.distance, 0.99)
    assert (others[0].distance[right] > mnist_limit).mean() > 0.03
    # and among the allowed pairs it leaves the fewest wrong but sure
    assert (sure & ~right).mean() < 0.5 * (~right).mean()


def test_on_a_mix_non_digits_answered_sure_are_fewer():
    rng = np.random.default_rng(1)
    mnist = _scored(rng.uniform(0.9, 1.0, 1000), rng.uniform(0.0, 0.1, 1000))
    shapes = _scored(rng.uniform(0.9, 1.0, 200), rng.uniform(0.095, 0.2, 200))
    _, with_shapes = sureness.choose_on_mix(mnist, [], [shapes], max_flagged=0.02)
    assert (shapes.distance <= with_shapes).mean() <= 0.1


def test_on_a_mix_an_impossible_bound_is_a_clear_error():
    mnist = _scored(np.ones(100), np.zeros(100))
    doubtful = _scored(np.full(100, 0.1), np.ones(100), np.ones(100, bool))  # all unlike MNIST
    with pytest.raises(ValueError, match="no checks"):
        sureness.choose_on_mix(mnist, [doubtful], [], max_doubted=0.03)


def test_a_mix_is_chosen_on_validation_digits_never_the_test_set(fake_mnist):
    rng = np.random.default_rng(2)
    others = (rng.random((300, 28, 28)) < 0.15).astype(float), rng.integers(0, 10, 300)
    blobs = (rng.random((100, 28, 28)) < 0.5).astype(float)
    mix = sureness.Mix([others], [blobs])
    checks, _ = fit_sureness(Confident(), mix=mix)  # the test set is None: untouched
    x_val = fake_mnist[0][-VALIDATION_SIZE:] / 255.0
    features, probabilities = Confident().scores(x_val)
    assert (~checks.sure(probabilities, features)).mean() <= MAX_FLAGGED
    features, probabilities = Confident().scores(others[0])
    right = probabilities.argmax(axis=1) == others[1]
    assert (~checks.sure(probabilities, features)[right]).mean() <= sureness.MAX_DOUBTED


def test_an_s_and_a_smiley_drawn_with_a_pen_are_not_answered_as_a_sure_digit(shipped):
    # issue 26: an S was read "5 (100.0%)", a smiley "0 (98.8%)"; test draws (seed 11)
    from mnistlib.measure import outlier_set

    no_digits = np.zeros((1, 28, 28), np.uint8)  # symbols are not made from digits
    # shares answered sure before -> now on these draws: S 1.00 -> 0.125, smiley 0.85 -> 0
    for kind, most in (("S", 0.2), ("smiley", 0.05)):
        images = outlier_set(kind, 40, no_digits, seed=11)
        read = shipped.recognize_many(images)
        assert np.mean([r.sure for r in read]) <= most, kind
        doubted = [image for image, r in zip(images, read, strict=True) if not r.sure]
        for image in doubted[:3]:  # what the command line, the pad and the upload box answer
            reading = shipped.read_number(image)
            assert not (len(reading.digits) == 1 and reading.sure), (kind, reading.describe())
