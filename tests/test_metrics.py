"""Measuring sticks: docs/THEORY.md's reference values, honest noise floors, and loud errors.

Tolerances for sample-based estimators come from docs/THEORY.md's "Estimator floors" table
(a perfect sampler, 200 repeats): two-sample 50-bin JSD ≈ 0.0089 / 0.0010 / 1.1e-4 at
n = 1e3 / 1e4 / 1e5; W1 to the true quantiles ≤ 0.066 / 0.022 / 0.0068 (95th pct).
"""

import math

import numpy as np
import pytest

from numpygan import metrics
from numpygan.distributions import Gaussian, GaussianMixture, Ring2D, Uniform

N = 100_000


def _gauss_grid(m1, s1, m2, s2, n=20001):
    lo = min(m1 - 12 * s1, m2 - 12 * s2)
    hi = max(m1 + 12 * s1, m2 + 12 * s2)
    x = np.linspace(lo, hi, n)
    return Gaussian(m1, s1).pdf(x), Gaussian(m2, s2).pdf(x), x


def _binned(dist, lo, hi, bins):
    """Exact bin masses of a distribution from its cdf, outside mass in the edge bins."""
    edges = np.linspace(lo, hi, bins + 1)
    F = dist.cdf(edges)
    F[0], F[-1] = 0.0, 1.0
    return np.diff(F)


def _jsd(P, Q):
    M = (P + Q) / 2
    return 0.5 * np.sum(P[P > 0] * np.log(P[P > 0] / M[P > 0])) \
        + 0.5 * np.sum(Q[Q > 0] * np.log(Q[Q > 0] / M[Q > 0]))


# ------------------------------------------------------------- docs/THEORY.md values

@pytest.mark.parametrize("m2, s2, jsd", [(1.0, 1.0, 0.111421), (0.1, 1.0, 0.001248),
                                         (0.0, 2.0, 0.092733), (10.0, 1.0, 0.693146)])
def test_jsd_densities_reproduces_theory_table(m2, s2, jsd):
    p, q, x = _gauss_grid(0.0, 1.0, m2, s2)
    assert metrics.jsd_densities(p, q, x) == pytest.approx(jsd, abs=1e-5)
    assert metrics.jsd_densities(q, p, x) == pytest.approx(jsd, abs=1e-5)   # symmetric


def test_jsd_densities_against_30_digit_quadrature():
    # mpmath.quad with 30 digits (docs/THEORY.md shows these rounded to 6 places)
    exact = {(1.0, 1.0): 0.111421482184736179717, (0.1, 1.0): 0.00124844009607065862,
             (0.0, 2.0): 0.0927333816664125342, (10.0, 1.0): 0.693146317393984464}
    for (m2, s2), value in exact.items():
        p, q, x = _gauss_grid(0.0, 1.0, m2, s2)
        assert metrics.jsd_densities(p, q, x) == pytest.approx(value, rel=1e-10)


def test_jsd_densities_bounds_and_mass_check():
    p, _, x = _gauss_grid(0.0, 1.0, 0.0, 1.0)
    assert metrics.jsd_densities(p, p, x) == 0.0
    far, _, x = _gauss_grid(0.0, 1.0, 60.0, 1.0, n=60001)
    assert metrics.jsd_densities(far, Gaussian(60.0, 1.0).pdf(x), x) \
        == pytest.approx(math.log(2), abs=1e-12)
    x = np.linspace(-2, 2, 401)                      # too narrow for N(0, 1)
    with pytest.raises(ValueError, match=r"p integrates to 0.95.* widen"):
        metrics.jsd_densities(Gaussian().pdf(x), Gaussian().pdf(x), x)
    assert metrics.jsd_densities(Gaussian().pdf(x), Gaussian().pdf(x), x, mass_tol=None) == 0
    with pytest.raises(ValueError, match="strictly increasing"):
        metrics.jsd_densities(np.ones(3), np.ones(3), np.array([0.0, 2.0, 1.0]), None)
    with pytest.raises(ValueError, match="finite and >= 0"):
        metrics.jsd_densities(-np.ones(3), np.ones(3), np.arange(3.0), None)


@pytest.mark.parametrize("args, kl", [((0, 1, 1, 1), 0.5), ((0, 1, 0, 2), 0.318147),
                                      ((0, 2, 0, 1), 0.806853), ((3, 0.5, 3, 0.5), 0.0)])
def test_kl_gaussians_theory_values(args, kl):
    assert metrics.kl_gaussians(*args) == pytest.approx(kl, abs=1e-6)


def test_kl_gaussians_matches_quadrature():
    p, q, x = _gauss_grid(0.5, 0.7, -1.0, 1.6)
    integrand = p * (np.log(p) - np.log(q))
    quad = float(np.sum(np.diff(x) * (integrand[1:] + integrand[:-1])) / 2)
    assert metrics.kl_gaussians(0.5, 0.7, -1.0, 1.6) == pytest.approx(quad, rel=1e-9)


@pytest.mark.parametrize("bad", [(0, 0, 0, 1), (0, 1, 0, -1), (np.nan, 1, 0, 1)])
def test_kl_gaussians_refuses_bad_parameters(bad):
    with pytest.raises(ValueError, match="kl_gaussians: .* must be"):
        metrics.kl_gaussians(*bad)


# ---------------------------------------------------------------------- W1

def test_w1_samples_equal_sizes_is_mean_sorted_gap():
    x = np.array([3.0, 0.0, 1.0])
    y = np.array([2.0, 5.0, -1.0])
    assert metrics.w1_samples(x, y) == pytest.approx((1 + 1 + 2) / 3)
    assert metrics.w1_samples(x, x + 0.25) == pytest.approx(0.25)


def test_w1_samples_unequal_sizes():
    # ∫|F_x − F_y|: F_x jumps to 1 at 0; F_y is ½ on [1, 3)
    assert metrics.w1_samples([0.0], [1.0, 3.0]) == pytest.approx(2.0)
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=300), rng.normal(1.0, 2.0, size=500)
    # duplicating every sample leaves the empirical distribution, hence W1, unchanged
    assert metrics.w1_samples(x, np.concatenate([y, y])) \
        == pytest.approx(metrics.w1_samples(x, y), rel=1e-12)
    # the merged-support integral equals the sorted formula when sizes match
    z = rng.normal(size=500)
    t = np.sort(np.concatenate([z, y]))
    Fz = np.searchsorted(np.sort(z), t[:-1], side="right") / 500
    Fy = np.searchsorted(np.sort(y), t[:-1], side="right") / 500
    assert metrics.w1_samples(z, y) == pytest.approx(np.sum(np.abs(Fz - Fy) * np.diff(t)))


def test_w1_samples_unequal_sizes_by_replication():
    # replicating x m times and y n times gives equal sizes n·m and the same W1
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=12), rng.uniform(-1, 3, size=18)
    brute = np.mean(np.abs(np.sort(np.repeat(x, 18)) - np.sort(np.repeat(y, 12))))
    assert metrics.w1_samples(x, y) == pytest.approx(brute, rel=1e-12)


def test_w1_between_sampled_gaussians_near_truth():
    rng = np.random.default_rng(11)
    x = rng.normal(size=N)
    # docs/THEORY.md: W1(N(0,1), N(1,1)) = 1; W1(N(0,1), N(0,2²)) = 0.797885
    assert metrics.w1_samples(x, rng.normal(1.0, 1.0, N)) == pytest.approx(1.0, abs=0.015)
    assert metrics.w1_samples(x, rng.normal(0.0, 2.0, N)) == pytest.approx(0.797885,
                                                                           abs=0.015)


def test_w1_to_distribution():
    rng = np.random.default_rng(12)
    assert metrics.w1_to_distribution(rng.normal(0.0, 2.0, N), Gaussian()) \
        == pytest.approx(0.797885, abs=0.01)
    # perfect samplers stay under docs/THEORY.md's 95th-percentile floors (0.022, 0.0068)
    assert metrics.w1_to_distribution(rng.normal(size=10_000), Gaussian()) < 0.022
    assert metrics.w1_to_distribution(rng.normal(size=N), Gaussian()) < 0.0068
    assert metrics.w1_to_distribution(rng.normal(size=(N, 1)), Gaussian()) < 0.0068
    gm = GaussianMixture([-2.0, 2.0], [0.3, 0.3])
    # here the floor is set by the modes' counts: a share δ off ½ moves δ of the mass
    # across the gap of 4, and δ ~ 0.5/√n = 0.005, so W1 ~ 0.02 (allow 2.5 sd)
    assert metrics.w1_to_distribution(gm.sample(10_000, rng), gm) < 0.06
    # a collapsed generator: all samples on one mode costs about half the gap
    collapsed = rng.normal(2.0, 0.3, 10_000)
    assert metrics.w1_to_distribution(collapsed, gm) == pytest.approx(2.0, abs=0.05)
    assert metrics.w1_to_distribution(rng.uniform(-1, 1, 20_000), Uniform()) < 0.02
    with pytest.raises(ValueError, match="needs a distribution with a ppf"):
        metrics.w1_to_distribution(np.zeros(4), Ring2D())


# ----------------------------------------------------------- histogram JSD

def test_jsd_samples_floor_matches_theory_table():
    rng = np.random.default_rng(3)
    for n, floor in ((1000, 0.0089), (10_000, 0.0010)):
        est = [metrics.jsd_samples(rng.normal(size=n), rng.normal(size=n))
               for _ in range(40)]
        # mean of 40 repeats; each repeat's spread is about half its mean
        assert 0.7 * floor < np.mean(est) < 1.3 * floor, (n, np.mean(est))
    assert metrics.jsd_samples(rng.normal(size=N), rng.normal(size=N)) < 3 * 1.1e-4


def test_jsd_samples_shifted_gaussian():
    rng = np.random.default_rng(4)
    x, y = rng.normal(1.0, 1.0, N), rng.normal(0.0, 1.0, N)
    exact_binned = _jsd(_binned(Gaussian(1.0), -5, 5, 50), _binned(Gaussian(), -5, 5, 50))
    assert exact_binned == pytest.approx(0.111421, abs=0.003)   # bins lose a little
    est = metrics.jsd_samples(x, y, lo=-5.0, hi=5.0)
    assert est == pytest.approx(exact_binned, abs=0.003)
    # the default range is mean(y) ± 5 std(y), here ≈ [-5, 5]
    assert metrics.jsd_samples(x, y) == pytest.approx(est, abs=0.003)
    assert metrics.jsd_samples(y, x, lo=-5.0, hi=5.0) == pytest.approx(est, abs=1e-15)


def test_jsd_samples_disjoint_is_log2_and_outside_samples_count():
    rng = np.random.default_rng(5)
    x, y = rng.normal(20.0, 1.0, 1000), rng.normal(0.0, 1.0, 1000)
    # x lies far beyond the default range: it piles into the last bin, it is not dropped
    assert metrics.jsd_samples(x, y) == pytest.approx(math.log(2), abs=1e-3)
    assert metrics.jsd_samples(x, y, lo=-30.0, hi=30.0, bins=60) \
        == pytest.approx(math.log(2), abs=1e-12)
    with pytest.raises(ValueError, match="zero spread"):
        metrics.jsd_samples(x, np.ones(10))


def test_jsd_pdf_perfect_and_shifted():
    rng = np.random.default_rng(6)
    g = Gaussian()
    # a perfect sampler, 100 bins, n = 1e5: floor about (bins − 1)/(8n) ≈ 1.2e-4
    assert metrics.jsd_pdf(rng.normal(size=N), g, -5.0, 5.0) < 4e-4
    x = rng.normal(1.0, 1.0, N)
    exact_binned = _jsd(_binned(g, -6, 7, 100), _binned(Gaussian(1.0), -6, 7, 100))
    est = metrics.jsd_pdf(x, g, -6.0, 7.0)
    assert est == pytest.approx(exact_binned, abs=0.003)
    assert est == pytest.approx(0.111421, abs=0.005)
    # a plain function works like the distribution object
    assert metrics.jsd_pdf(x, lambda t: np.exp(-t * t / 2) / math.sqrt(2 * math.pi),
                           -6.0, 7.0) == pytest.approx(est, abs=1e-12)
    # far-away samples land in the edge bin
    assert metrics.jsd_pdf(np.full(100, 50.0), g, -5.0, 5.0) > 0.69


def test_pdf_bin_masses_equal_cdf_differences():
    g = Gaussian(0.3, 0.8)
    masses = metrics.pdf_bin_masses(g, -8.0, 8.0, 40)
    edges = np.linspace(-8, 8, 41)
    # Simpson on 16 sub-intervals of 0.025 per bin: error O(h⁴), here < 1e-9
    np.testing.assert_allclose(masses, np.diff(g.cdf(edges)) / (g.cdf(8.0) - g.cdf(-8.0)),
                               atol=1e-9)
    assert masses.sum() == pytest.approx(1.0, abs=1e-14)
    # a narrow mode (σ = 0.05) in bins of width 0.1 is still integrated accurately
    gm = GaussianMixture([0.0, 1.0], [0.05, 0.5])
    masses = metrics.pdf_bin_masses(gm, -3.0, 4.0, 70)
    np.testing.assert_allclose(masses, np.diff(gm.cdf(np.linspace(-3, 4, 71))), atol=1e-6)


def test_bin_counts_keep_outside_samples_in_the_edge_bins():
    counts = metrics.bin_counts(np.array([-9.0, -1.0, -0.1, 0.0, 0.99, 1.0, 7.0]), -1, 1, 4)
    assert counts.tolist() == [2, 1, 1, 3]


# ------------------------------------------------------------------------ KL

def test_kl_pdf_both_directions_near_theory():
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 2.0, N)                   # p_g = N(0, 2²), p_data = N(0, 1)
    fwd = metrics.kl_pdf(x, Gaussian(), -8.0, 8.0, bins=100)
    assert fwd == pytest.approx(0.318147, abs=0.01)         # KL(data ‖ g)
    rev = metrics.kl_pdf(x, Gaussian(), -10.0, 10.0, bins=100, direction="g||data")
    assert rev == pytest.approx(0.806853, abs=0.02)         # KL(g ‖ data)
    assert metrics.kl_pdf(rng.normal(size=N), Gaussian(), -6.0, 6.0) < 2e-3


def test_kl_pdf_smoothing_and_infinite_reverse_kl():
    rng = np.random.default_rng(8)
    x = rng.uniform(0.0, 1.0, 1000)               # p_g covers only half of p_data
    fwd = metrics.kl_pdf(x, Uniform(-1.0, 1.0), -1.0, 1.0, bins=20)
    assert np.isfinite(fwd) and fwd > 1.0         # empty bins smoothed, yet penalised
    # p_g puts mass where p_data = U(0, 1) has none: reverse KL is truly infinite
    y = rng.uniform(-1.0, 1.0, 1000)
    assert metrics.kl_pdf(y, Uniform(0.0, 1.0), -1.0, 1.0, bins=20,
                          direction="g||data") == np.inf
    with pytest.raises(ValueError, match=r"direction must be one of \('data\|\|g', 'g\|\|data'\)"):
        metrics.kl_pdf(x, Uniform(), -1.0, 1.0, direction="forward")
    with pytest.raises(ValueError, match="alpha"):
        metrics.kl_pdf(x, Uniform(), -1.0, 1.0, alpha=0)


# ------------------------------------------------------------------- moments

def test_moments_small_exact_example():
    m = metrics.moments([1.0, 2.0, 3.0, 4.0])
    assert m == pytest.approx({"mean": 2.5, "std": math.sqrt(1.25), "skew": 0.0,
                               "kurtosis": 2.5625 / 1.5625 - 3})
    assert metrics.moments(np.array([[1.0], [2.0], [3.0], [4.0]])) == m


def test_moments_of_gaussian_and_exponential_samples():
    rng = np.random.default_rng(10)
    m = metrics.moments(rng.normal(3.0, 2.0, N))
    assert m["mean"] == pytest.approx(3.0, abs=0.03)
    assert m["std"] == pytest.approx(2.0, rel=0.01)
    assert abs(m["skew"]) < 0.03 and abs(m["kurtosis"]) < 0.06
    e = metrics.moments(rng.exponential(1.0, N))
    assert e["skew"] == pytest.approx(2.0, abs=0.15)        # Exp(1): skew 2, kurtosis 6
    assert e["kurtosis"] == pytest.approx(6.0, abs=1.0)


def test_moments_of_a_skewed_sample_by_hand():
    x = np.array([0.0, 0.0, 0.0, 1.0, 5.0])
    d = x - 1.2
    m2, m3, m4 = np.mean(d ** 2), np.mean(d ** 3), np.mean(d ** 4)
    m = metrics.moments(x)
    assert m["skew"] == pytest.approx(m3 / m2 ** 1.5, rel=1e-14) and m["skew"] > 1
    assert m["kurtosis"] == pytest.approx(m4 / m2 ** 2 - 3, rel=1e-14)


def test_moments_of_a_collapsed_generator():
    m = metrics.moments(np.full(50, 1.5))
    assert m["mean"] == 1.5 and m["std"] == 0.0
    assert math.isnan(m["skew"]) and math.isnan(m["kurtosis"])


# ------------------------------------------------------------- mode coverage

def test_mode_coverage_ring_perfect_and_collapsed():
    rng = np.random.default_rng(14)
    ring = Ring2D()
    cov = metrics.mode_coverage(ring.sample(10_000, rng), ring.centers, ring.sigma)
    assert cov["n_captured"] == 8 and cov["n_modes"] == 8
    # within 3σ in 2D: 1 − e^(−9/2) = 0.98889 (docs/THEORY.md: 98.9 %)
    assert cov["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.004)
    collapsed = ring.centers[2] + ring.sigma * rng.normal(size=(1000, 2))
    cov = metrics.mode_coverage(collapsed, ring.centers, ring.sigma)
    assert cov["n_captured"] == 1 and cov["captured"].tolist() == [i == 2 for i in range(8)]


def test_mode_coverage_1d_mixture():
    rng = np.random.default_rng(15)
    gm = GaussianMixture([-4.0, 0.0, 4.0], 0.2)
    cov = metrics.mode_coverage(gm.sample(10_000, rng), gm.modes, gm.sigmas)
    assert cov["n_captured"] == 3
    assert cov["high_quality"] == pytest.approx(0.9973, abs=0.003)
    cov = metrics.mode_coverage(np.array([-4.0, 0.0, 0.1]), gm.modes, 0.2, min_count=2)
    assert cov["captured"].tolist() == [False, True, False]
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\)"):
        metrics.mode_coverage(np.zeros((5, 3)), Ring2D().centers, 0.02)


# ---------------------------------------------------------------- validation

NAN_MESSAGE = r"samples contain NaN/inf: the generator diverged\?"
G = Gaussian()


@pytest.mark.parametrize("call", [
    lambda x: metrics.moments(x),
    lambda x: metrics.jsd_pdf(x, G, -5.0, 5.0),
    lambda x: metrics.jsd_samples(x, np.ones(10) * np.arange(10)),
    lambda x: metrics.jsd_samples(np.arange(10.0), x),
    lambda x: metrics.kl_pdf(x, G, -5.0, 5.0),
    lambda x: metrics.w1_samples(x, np.arange(3.0)),
    lambda x: metrics.w1_to_distribution(x, G),
], ids=["moments", "jsd_pdf", "jsd_samples x", "jsd_samples y", "kl_pdf", "w1", "w1_dist"])
def test_every_estimator_refuses_bad_samples(call):
    with pytest.raises(ValueError, match=NAN_MESSAGE):
        call(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match=NAN_MESSAGE):
        call(np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match="is empty"):
        call(np.array([]))
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, 1\), got shape \(4, 2\)"):
        call(np.zeros((4, 2)))


@pytest.mark.parametrize("bins", [0, -1, 2.5, True, None])
def test_bad_bins(bins):
    with pytest.raises(ValueError, match=r"bins must be an integer >= 1, got"):
        metrics.jsd_pdf(np.zeros(5), G, -1.0, 1.0, bins=bins)
    with pytest.raises(ValueError, match=r"bins must be an integer >= 1, got"):
        metrics.jsd_samples(np.zeros(5), np.arange(5.0), bins=bins)


@pytest.mark.parametrize("lo, hi", [(1.0, 1.0), (2.0, -2.0), (np.nan, 1.0), (0.0, np.inf)])
def test_bad_range(lo, hi):
    with pytest.raises(ValueError, match=r"lo < hi|must be a finite number"):
        metrics.jsd_pdf(np.zeros(5), G, lo, hi)
    with pytest.raises(ValueError, match=r"lo < hi|must be a finite number"):
        metrics.kl_pdf(np.zeros(5), G, lo, hi)
    with pytest.raises(ValueError, match=r"lo < hi|must be a finite number"):
        metrics.jsd_samples(np.zeros(5), np.arange(5.0), lo=lo, hi=hi)


def test_bad_pdf():
    with pytest.raises(ValueError, match="pdf must be a function"):
        metrics.jsd_pdf(np.zeros(5), 3.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="one density per point"):
        metrics.jsd_pdf(np.zeros(5), lambda t: np.ones(3), -1.0, 1.0)
    with pytest.raises(ValueError, match="finite and >= 0"):
        metrics.jsd_pdf(np.zeros(5), lambda t: -np.ones_like(t), -1.0, 1.0)
    with pytest.raises(ValueError, match="no mass on"):
        metrics.jsd_pdf(np.zeros(5), Uniform(5.0, 6.0), -1.0, 1.0)
