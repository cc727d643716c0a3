"""Distributions: seeded sampling, densities that integrate to 1, quantiles, and loud errors."""

import math

import numpy as np
import pytest

from numpygan.distributions import (Gaussian, GaussianMixture, Ring2D, Uniform,
                                    std_normal_cdf, std_normal_ppf)


def _trapezoid(f, x):
    return float(np.sum(np.diff(x) * (f[1:] + f[:-1])) / 2)


def all_dists():
    return [Gaussian(0.5, 2.0), Gaussian(dim=3), Uniform(-2.0, 3.0), Uniform(dim=4),
            GaussianMixture([-2.0, 0.0, 3.0], [0.5, 0.1, 1.0], [0.3, 0.3, 0.4]),
            Ring2D()]


# ------------------------------------------------------------------ sampling

@pytest.mark.parametrize("dist", all_dists(), ids=repr)
def test_sample_shape_dtype_and_same_seed_same_samples(dist):
    a = dist.sample(1000, np.random.default_rng(7))
    b = dist.sample(1000, np.random.default_rng(7))
    c = dist.sample(1000, np.random.default_rng(8))
    assert a.shape == (1000, dist.dim) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert dist.sample(1, np.random.default_rng(0)).shape == (1, dist.dim)


@pytest.mark.parametrize("dist", all_dists(), ids=repr)
def test_sampling_never_touches_the_global_state(dist):
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    dist.sample(100, np.random.default_rng(0))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("bad_rng", [None, 42, np.random.RandomState(0), np.random])
def test_sample_refuses_anything_but_a_generator(bad_rng):
    for dist in all_dists():
        with pytest.raises(ValueError, match="default_rng"):
            dist.sample(10, bad_rng)


@pytest.mark.parametrize("bad_n", [0, -3, 2.5, True, "10", None])
def test_sample_refuses_a_bad_n(bad_n, rng):
    with pytest.raises(ValueError, match=r"n must be an integer >= 1, got"):
        Gaussian().sample(bad_n, rng)


def test_sample_moments_match():
    rng = np.random.default_rng(2024)
    n = 100_000
    for dist in [Gaussian(2.0, 3.0), Uniform(-1.0, 5.0),
                 GaussianMixture([-2.0, 0.0, 3.0], [0.5, 0.1, 1.0], [0.3, 0.3, 0.4])]:
        x = dist.sample(n, rng)[:, 0]
        # the mean within 4 standard errors; the std within 1.5 % (4.5 standard errors)
        assert abs(x.mean() - dist.mean) < 4 * dist.std / math.sqrt(n), dist
        assert x.std() == pytest.approx(dist.std, rel=0.015), dist
    z = Gaussian(1.0, 0.5, dim=3).sample(n, rng)
    np.testing.assert_allclose(z.mean(axis=0), 1.0, atol=4 * 0.5 / math.sqrt(n))
    np.testing.assert_allclose(z.std(axis=0), 0.5, rtol=0.01)
    assert abs(np.corrcoef(z.T)[0, 1]) < 0.02          # independent coordinates


def test_uniform_samples_stay_in_the_box(rng):
    x = Uniform(-3.0, -1.0, dim=2).sample(10_000, rng)
    assert x.min() >= -3.0 and x.max() < -1.0


def test_mixture_samples_choose_components_by_weight(rng):
    gm = GaussianMixture([-10.0, 0.0, 10.0], [0.1, 0.1, 0.1], [0.2, 0.5, 0.3])
    x = gm.sample(50_000, rng)[:, 0]
    fractions = [np.mean(x < -5), np.mean(np.abs(x) < 5), np.mean(x > 5)]
    np.testing.assert_allclose(fractions, [0.2, 0.5, 0.3], atol=0.01)


# ------------------------------------------------------------------- densities

@pytest.mark.parametrize("dist", [Gaussian(1.5, 0.7), Gaussian(-3.0, 4.0),
                                  GaussianMixture([-2.0, 0.0, 3.0], [0.5, 0.1, 1.0],
                                                  [0.3, 0.3, 0.4])], ids=repr)
def test_1d_pdf_integrates_to_one(dist):
    x = np.linspace(dist.mean - 12 * dist.std, dist.mean + 12 * dist.std, 40_001)
    assert _trapezoid(dist.pdf(x), x) == pytest.approx(1.0, abs=1e-9)


def test_uniform_pdf_integrates_to_one_and_is_flat():
    u = Uniform(-2.0, 3.0)
    assert u.pdf(np.array([-2.0, 0.0, 3.0])).tolist() == [0.2, 0.2, 0.2]
    assert u.pdf(np.array([-2.0001, 3.0001])).tolist() == [0.0, 0.0]
    x = np.linspace(-4, 5, 90_001)
    assert _trapezoid(u.pdf(x), x) == pytest.approx(1.0, abs=1e-3)   # two jumps
    assert Uniform(0.0, 0.5, dim=2).pdf(np.array([[0.1, 0.2], [0.1, 0.6]])).tolist() \
        == [4.0, 0.0]


def test_ring_pdf_integrates_to_one():
    ring = Ring2D(n_modes=8, radius=2.0, sigma=0.2)
    t = np.linspace(-3.5, 3.5, 351)
    X, Y = np.meshgrid(t, t, indexing="ij")
    p = ring.pdf(np.stack([X.ravel(), Y.ravel()], axis=1)).reshape(X.shape)
    mass = _trapezoid(np.array([_trapezoid(row, t) for row in p]), t)
    assert mass == pytest.approx(1.0, abs=1e-6)
    # the default thin ring (sigma 0.02): each mode holds 1/8 of the mass
    thin = Ring2D()
    c = thin.centers[3]
    s = np.linspace(-0.2, 0.2, 401)
    X, Y = np.meshgrid(c[0] + s, c[1] + s, indexing="ij")
    p = thin.pdf(np.stack([X.ravel(), Y.ravel()], axis=1)).reshape(X.shape)
    assert _trapezoid(np.array([_trapezoid(row, s) for row in p]), s) \
        == pytest.approx(1 / 8, abs=1e-8)


def test_gaussian_pdf_logpdf_and_dims():
    g = Gaussian(1.0, 2.0)
    x = np.array([-1.0, 1.0, 4.0])
    expected = np.exp(-(x - 1) ** 2 / 8) / (2 * math.sqrt(2 * math.pi))
    np.testing.assert_allclose(g.pdf(x), expected, rtol=1e-14)
    np.testing.assert_allclose(g.pdf(x.reshape(3, 1)), expected, rtol=1e-14)
    np.testing.assert_allclose(g.log_pdf(x), np.log(expected), rtol=1e-14)
    assert isinstance(g.pdf(1.0), float) and g.pdf(1.0) == pytest.approx(expected[1])
    g3 = Gaussian(1.0, 2.0, dim=3)
    z = np.array([[-1.0, 1.0, 4.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(g3.pdf(z), [np.prod(expected), g.pdf(0.0) ** 3], rtol=1e-13)


def test_pdf_refuses_the_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, 1\), got shape \(4, 2\)"):
        Gaussian().pdf(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, 2\), got shape \(4,\)"):
        Ring2D().pdf(np.zeros(4))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        Gaussian(dim=3).pdf(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="NaN"):
        Gaussian().pdf(np.array([0.0, np.nan]))


def test_mixture_pdf_is_the_weighted_sum():
    gm = GaussianMixture([-1.0, 2.0], [0.5, 1.5], [0.25, 0.75])
    x = np.linspace(-4, 6, 101)
    expected = 0.25 * Gaussian(-1.0, 0.5).pdf(x) + 0.75 * Gaussian(2.0, 1.5).pdf(x)
    np.testing.assert_allclose(gm.pdf(x), expected, rtol=1e-13)
    np.testing.assert_allclose(gm.cdf(x), 0.25 * Gaussian(-1.0, 0.5).cdf(x)
                               + 0.75 * Gaussian(2.0, 1.5).cdf(x), rtol=1e-13)


# ------------------------------------------------------------- cdf and quantiles

def test_std_normal_cdf_matches_erf():
    t = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(std_normal_cdf(t),
                               [0.5 * (1 + math.erf(v / math.sqrt(2))) for v in t],
                               rtol=1e-13, atol=1e-16)


def test_std_normal_ppf_round_trips_to_1e_10():
    q = np.concatenate([np.logspace(-300, -1, 300), np.linspace(0.001, 0.999, 999),
                        1 - np.logspace(-15, -1, 100)])
    z = std_normal_ppf(q)
    lower = q <= 0.5
    np.testing.assert_allclose(std_normal_cdf(z[lower]), q[lower], rtol=1e-12)
    np.testing.assert_allclose(std_normal_cdf(-z[~lower]), 1 - q[~lower], rtol=1e-12)
    assert std_normal_ppf(0.5) == 0.0
    np.testing.assert_array_equal(std_normal_ppf(np.array([0.0, 1.0])), [-np.inf, np.inf])
    assert std_normal_ppf(0.975) == pytest.approx(1.959963984540054, abs=1e-14)


def test_std_normal_ppf_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    q = np.concatenate([np.logspace(-300, -1, 300), np.linspace(0.001, 0.999, 999),
                        1 - np.logspace(-16, -1, 100)])
    np.testing.assert_allclose(std_normal_ppf(q), stats.norm.ppf(q), rtol=1e-13, atol=1e-10)


@pytest.mark.parametrize("dist", [Gaussian(3.0, 0.5), Uniform(-2.0, 6.0),
                                  GaussianMixture([-2.0, 0.0, 3.0], [0.5, 0.1, 1.0],
                                                  [0.3, 0.3, 0.4])], ids=repr)
def test_ppf_inverts_cdf(dist):
    q = (np.arange(2000) + 0.5) / 2000
    x = dist.ppf(q)
    assert x.shape == q.shape and np.all(np.diff(x) > 0)
    np.testing.assert_allclose(dist.cdf(x), q, rtol=0, atol=1e-12)
    assert isinstance(dist.ppf(0.3), float) and isinstance(dist.cdf(0.3), float)
    with pytest.raises(ValueError, match=r"q must lie in \[0, 1\], got 1.5"):
        dist.ppf(np.array([0.2, 1.5]))
    with pytest.raises(ValueError, match=r"q must lie in \[0, 1\]"):
        dist.ppf(np.nan)


def test_mixture_ppf_in_the_far_tails():
    gm = GaussianMixture([-2.0, 0.0, 3.0], [0.5, 0.1, 1.0], [0.3, 0.3, 0.4])
    for q in (1e-200, 1e-10):
        assert gm.cdf(gm.ppf(q)) == pytest.approx(q, rel=1e-10)
    for q in (1 - 1e-10, 1 - 1e-15):
        # 1 − F computed directly, so the upper tail keeps its relative accuracy
        assert gm._sf(np.array([gm.ppf(q)]))[0] == pytest.approx(1 - q, rel=1e-9)
    assert gm.ppf(0.0) == -np.inf and gm.ppf(1.0) == np.inf


def test_mixture_ppf_matches_scipy_root():
    stats = pytest.importorskip("scipy.stats")
    optimize = pytest.importorskip("scipy.optimize")
    gm = GaussianMixture([-2.0, 0.0, 3.0], [0.5, 0.1, 1.0], [0.3, 0.3, 0.4])

    def F(v):
        return sum(w * stats.norm.cdf(v, m, s)
                   for m, s, w in zip(gm.means, gm.sigmas, gm.weights))

    for q in (1e-6, 0.01, 0.3, 0.5, 0.77, 0.999):
        root = optimize.brentq(lambda v: F(v) - q, -30, 30, xtol=1e-14)
        assert gm.ppf(q) == pytest.approx(root, abs=1e-10)


def test_uniform_and_gaussian_cdf_values():
    u = Uniform(-2.0, 6.0)
    np.testing.assert_allclose(u.cdf(np.array([-5.0, -2.0, 0.0, 6.0, 9.0])),
                               [0, 0, 0.25, 1, 1])
    assert u.ppf(0.25) == 0.0
    g = Gaussian(3.0, 0.5)
    assert g.cdf(3.0) == 0.5
    assert g.cdf(3.0 + 0.5 * 1.959963984540054) == pytest.approx(0.975, abs=1e-15)
    assert g.ppf(0.975) == pytest.approx(3.0 + 0.5 * 1.959963984540054, abs=1e-14)


# ----------------------------------------------------------- mean, std, modes

def test_means_and_stds():
    assert (Gaussian(2.0, 3.0).mean, Gaussian(2.0, 3.0).std) == (2.0, 3.0)
    np.testing.assert_array_equal(Gaussian(1.0, 2.0, dim=2).std, [2.0, 2.0])
    assert Uniform(-1.0, 5.0).mean == 2.0
    assert Uniform(-1.0, 5.0).std == pytest.approx(6 / math.sqrt(12))
    gm = GaussianMixture([-1.0, 3.0], [1.0, 2.0], [0.5, 0.5])
    assert gm.mean == pytest.approx(1.0)
    assert gm.std == pytest.approx(math.sqrt(0.5 * (1 + 1) + 0.5 * (4 + 9) - 1))
    ring = Ring2D()
    assert ring.mean.shape == (2,) and ring.std.shape == (2,)
    np.testing.assert_allclose(ring.mean, 0.0, atol=1e-15)
    np.testing.assert_allclose(ring.std, math.sqrt(0.02 ** 2 + 2.0 ** 2 / 2), rtol=1e-14)


def test_ring_sample_moments_and_radii(rng):
    ring = Ring2D()
    x = ring.sample(100_000, rng)
    np.testing.assert_allclose(x.mean(axis=0), ring.mean, atol=0.02)
    np.testing.assert_allclose(x.std(axis=0), ring.std, rtol=0.01)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 2.0, atol=6 * 0.02)


def test_ring_has_eight_distinct_centers_on_the_circle():
    ring = Ring2D()
    c = ring.centers
    assert c.shape == (8, 2) and ring.n_modes == 8
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0, rtol=1e-15)
    angles = np.mod(np.arctan2(c[:, 1], c[:, 0]), 2 * np.pi)
    np.testing.assert_allclose(np.sort(angles), 2 * np.pi * np.arange(8) / 8, atol=1e-12)
    d = np.linalg.norm(c[:, None] - c[None], axis=2) + np.diag([np.inf] * 8)
    # neighbours 2 r sin(π/8) apart; with endpoint=True two would coincide (7 modes)
    assert d.min() == pytest.approx(2 * 2.0 * math.sin(math.pi / 8))
    assert len({tuple(np.round(ci, 9)) for ci in c}) == 8


def test_ring_samples_visit_every_mode_equally(rng):
    ring = Ring2D(n_modes=5, radius=1.0, sigma=0.05)
    x = ring.sample(50_000, rng)
    nearest = np.argmin(np.linalg.norm(x[:, None] - ring.centers[None], axis=2), axis=1)
    np.testing.assert_allclose(np.bincount(nearest, minlength=5) / 50_000, 0.2, atol=0.01)
    one = Ring2D(n_modes=1, radius=3.0)
    np.testing.assert_allclose(one.mean, [3.0, 0.0])


def test_mixture_modes_and_defaults():
    gm = GaussianMixture([0.0, 5.0, -5.0], 0.5)
    np.testing.assert_array_equal(gm.modes, [0.0, 5.0, -5.0])
    assert gm.n_modes == 3
    np.testing.assert_allclose(gm.weights, 1 / 3)
    np.testing.assert_array_equal(gm.sigmas, [0.5] * 3)
    with pytest.raises(ValueError):
        gm.means[0] = 1.0          # read-only: a validated mixture stays valid


@pytest.mark.parametrize("dist", all_dists(), ids=repr)
def test_repr_is_readable_and_rebuilds_the_distribution(dist):
    text = repr(dist)
    assert text.startswith(type(dist).__name__ + "(")
    again = eval(text, {"Gaussian": Gaussian, "Uniform": Uniform,
                        "GaussianMixture": GaussianMixture, "Ring2D": Ring2D})
    assert repr(again) == text


# ------------------------------------------------------------------ bad params

BAD = [
    (lambda: Gaussian(sigma=0.0), r"Gaussian: sigma must be a positive finite number, got 0.0"),
    (lambda: Gaussian(sigma=-1), r"sigma must be a positive finite number, got -1"),
    (lambda: Gaussian(mu=np.nan), r"mu must be a finite number, got nan"),
    (lambda: Gaussian(mu=np.inf), r"mu must be a finite number, got inf"),
    (lambda: Gaussian(mu="0"), r"mu must be a finite number, got '0'"),
    (lambda: Gaussian(dim=0), r"dim must be an integer >= 1, got 0"),
    (lambda: Gaussian(dim=1.5), r"dim must be an integer >= 1, got 1.5"),
    (lambda: Uniform(1.0, 1.0), r"need low < high, got low=1.0, high=1.0"),
    (lambda: Uniform(2.0, -1.0), r"need low < high, got low=2.0, high=-1.0"),
    (lambda: Uniform(low=-np.inf), r"low must be a finite number, got -inf"),
    (lambda: GaussianMixture([0, 1], [1, 1], [0.5, 0.6]),
     r"weights must sum to 1 \(within 1e-8\), got \[0.5, 0.6\]"),
    (lambda: GaussianMixture([0, 1], [1, 1], [1.5, -0.5]), r"weights must all be >= 0"),
    (lambda: GaussianMixture([0, 1], [1, 1, 1]), r"got 2 means but 3 sigmas"),
    (lambda: GaussianMixture([0, 1], [1, 1], [1.0]), r"got 2 means but 1 weights"),
    (lambda: GaussianMixture([0, 1], [1, 0]), r"sigmas must all be > 0, got \[1.0, 0.0\]"),
    (lambda: GaussianMixture([0, np.nan], 1.0), r"means must be finite"),
    (lambda: GaussianMixture([], []), r"means is empty"),
    (lambda: GaussianMixture(["a"], [1.0]), r"means must be a list of numbers"),
    (lambda: Ring2D(n_modes=0), r"Ring2D: n_modes must be an integer >= 1, got 0"),
    (lambda: Ring2D(n_modes=8.0), r"n_modes must be an integer >= 1, got 8.0"),
    (lambda: Ring2D(radius=0.0), r"radius must be a positive finite number, got 0.0"),
    (lambda: Ring2D(sigma=-0.02), r"sigma must be a positive finite number, got -0.02"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[m for _, m in BAD])
def test_bad_parameters_raise_helpful_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_weights_within_tolerance_are_accepted():
    GaussianMixture([0, 1], [1, 1], [0.5, 0.5 + 5e-9])
    with pytest.raises(ValueError, match="sum to 1"):
        GaussianMixture([0, 1], [1, 1], [0.5, 0.5 + 5e-8])
