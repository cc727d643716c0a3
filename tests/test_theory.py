"""Goodfellow et al. 2014 on a grid: Proposition 1, Theorem 1, and docs/THEORY.md's numbers."""

import math

import numpy as np
import pytest

from numpygan import theory as T

X = T.grid(-25.0, 35.0, 12001)          # covers every pair below with room to spare

# (p_data, p_g) pairs as (mu_d, sigma_d, mu_g, sigma_g) and docs/THEORY.md's JSD
THEORY_PAIRS = [((0, 1, 1, 1), 0.111421), ((0, 1, 0.1, 1), 0.001248),
                ((0, 1, 0, 2), 0.092733), ((0, 1, 10, 1), 0.693146)]
MORE_PAIRS = [(4, 0.5, 3, 1), (-2, 3, 1, 0.5), (0, 1, 0, 1)]


def densities(mu_d, sigma_d, mu_g, sigma_g, x=X):
    return T.normal_pdf(x, mu_d, sigma_d), T.normal_pdf(x, mu_g, sigma_g)


def mixture(x):
    return 0.3 * T.normal_pdf(x, -2, 0.5) + 0.7 * T.normal_pdf(x, 1.5, 1.0)


def test_constants_and_grid():
    assert T.LOG4 == pytest.approx(1.3862943611198906, abs=1e-15)
    x = T.grid(-1.0, 1.0, 5)
    np.testing.assert_array_equal(x, [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert T.grid(0, 1).size == 2001
    for bad, msg in [((1.0, 1.0), "lo < hi"), ((0.0, np.inf), "finite"),
                     ((0.0, 1.0, 1), "n must be an integer >= 2, got 1"),
                     ((0.0, 1.0, 10.5), "n must be an integer >= 2, got 10.5")]:
        with pytest.raises(ValueError, match=msg):
            T.grid(*bad)


def test_normal_pdf_integrates_to_one():
    assert T.integrate(T.normal_pdf(X, 2.0, 0.3), X) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="sigma must be a positive finite number, got 0"):
        T.normal_pdf(X, 0.0, 0)


# ------------------------------------------------------------------ Proposition 1

def test_optimal_discriminator_formula_and_conventions():
    p = np.array([0.0, 1.0, 0.2, 0.0, 3.0])
    q = np.array([0.0, 1.0, 0.6, 2.0, 0.0])
    np.testing.assert_allclose(T.optimal_discriminator(p, q), [0.5, 0.5, 0.25, 0.0, 1.0])
    # one-sided label smoothing: D* = α p_data / (p_data + p_g)
    np.testing.assert_allclose(T.optimal_discriminator(p, q, real_target=0.9),
                               [0.45, 0.45, 0.225, 0.0, 0.9])
    assert T.optimal_discriminator(2.0, 6.0) == pytest.approx(0.25)
    p_d, _ = densities(0, 1, 0, 1)
    np.testing.assert_array_equal(T.optimal_discriminator(p_d, p_d), 0.5)


def test_optimal_discriminator_refuses_bad_densities():
    with pytest.raises(ValueError, match="p_g must be a density"):
        T.optimal_discriminator(np.ones(3), np.array([1.0, -1.0, 0.0]))
    with pytest.raises(ValueError, match="must have one shape"):
        T.optimal_discriminator(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"real_target must be in \(0, 1\], got 1.5"):
        T.optimal_discriminator(np.ones(3), np.ones(3), real_target=1.5)


@pytest.mark.parametrize("pair", [p for p, _ in THEORY_PAIRS] + MORE_PAIRS[:2])
def test_perturbing_dstar_lowers_v(pair):
    """Proposition 1: D* maximises V(·, G); any other D scores lower."""
    p_d, p_g = densities(*pair)
    d_star = T.optimal_discriminator(p_d, p_g)
    logit = T.optimal_logits(p_d, p_g)
    best = T.value_function_from_logits(logit, p_d, p_g, X)
    assert best == pytest.approx(T.virtual_training_criterion(p_d, p_g, X), abs=1e-12)
    rng = np.random.default_rng(0)
    for scale in (1e-3, 0.1, 1.0):
        bump = scale * np.sin(rng.uniform(0.5, 3.0) * X + rng.uniform(0, 6))
        assert T.value_function_from_logits(logit + bump, p_d, p_g, X) < best
        assert T.value_function_from_logits(np.clip(logit, -30, 30) + bump,
                                            p_d, p_g, X) < best
    for D in (0.5, np.clip(d_star + 0.05, 0, 1), np.clip(d_star - 0.05, 0, 1)):
        assert T.value_function(D, p_d, p_g, X) < best


def test_pointwise_maximum_of_a_log_y_plus_b_log_1_minus_y():
    # y ↦ a log y + b log(1 − y) peaks at a/(a + b), the step inside Proposition 1
    y = np.linspace(1e-4, 1 - 1e-4, 100_001)
    for a, b in [(1.0, 1.0), (0.2, 0.6), (3.0, 0.1)]:
        f = a * np.log(y) + b * np.log1p(-y)
        assert y[np.argmax(f)] == pytest.approx(a / (a + b), abs=1e-4)


# -------------------------------------------------------------------- Theorem 1

@pytest.mark.parametrize("pair, jsd", THEORY_PAIRS)
def test_jsd_reference_values(pair, jsd):
    p_d, p_g = densities(*pair)
    assert T.jsd(p_d, p_g, X) == pytest.approx(jsd, abs=1e-6)


@pytest.mark.parametrize("pair", [p for p, _ in THEORY_PAIRS] + MORE_PAIRS)
def test_c_of_g_two_routes_agree(pair):
    """Theorem 1: max_D V(D, G) = V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g)."""
    p_d, p_g = densities(*pair)
    c = T.virtual_training_criterion(p_d, p_g, X)
    assert c == pytest.approx(T.c_from_jsd(p_d, p_g, X), abs=1e-6)
    assert c >= -T.LOG4 - 1e-12
    # the route through D's logits never rounds D* to 0 or 1
    logit = T.optimal_logits(p_d, p_g)
    assert T.value_function_from_logits(logit, p_d, p_g, X) == pytest.approx(c, abs=1e-9)
    # the route through D* itself works wherever D* does not round to exactly 0 or 1
    d_star = T.optimal_discriminator(p_d, p_g)
    if np.all((d_star < 1) | (p_g == 0)) and np.all((d_star > 0) | (p_d == 0)):
        assert T.value_function(d_star, p_d, p_g, X) == pytest.approx(c, abs=1e-9)
    else:
        assert T.value_function(d_star, p_d, p_g, X) == -math.inf    # as documented


def test_c_of_g_for_a_mixture_and_a_gaussian():
    p_d, p_g = mixture(X), T.normal_pdf(X, 0.0, 1.5)
    c = T.virtual_training_criterion(p_d, p_g, X)
    assert c == pytest.approx(T.c_from_jsd(p_d, p_g, X), abs=1e-6)
    assert -T.LOG4 < c < -T.LOG4 + 2 * math.log(2)


def test_c_is_minus_log4_iff_p_g_equals_p_data():
    for p in (T.normal_pdf(X, 1.0, 2.0), mixture(X)):
        assert T.virtual_training_criterion(p, p, X) == pytest.approx(-T.LOG4, abs=1e-9)
        assert T.c_from_jsd(p, p, X) == pytest.approx(-T.LOG4, abs=1e-12)
        np.testing.assert_array_equal(T.optimal_discriminator(p, p), 0.5)
    p_d, p_g = densities(0, 1, 0.1, 1)
    assert T.virtual_training_criterion(p_d, p_g, X) > -T.LOG4 + 1e-3


def test_far_apart_pair_is_stable():
    p_d, p_g = densities(0, 1, 10, 1)
    c = T.virtual_training_criterion(p_d, p_g, X)
    assert np.isfinite(c)
    assert c == pytest.approx(-T.LOG4 + 2 * 0.693146317393984464, abs=1e-9)


def test_d_half_gives_minus_log4_for_any_g():
    """V(D = ½, G) = −log 4 whatever G is: D ≈ ½ alone proves nothing."""
    for pair in [(0, 1, 10, 1), (0, 1, 0, 2), (3, 1, 3, 1)]:
        p_d, p_g = densities(*pair)
        assert T.value_function(0.5, p_d, p_g, X) == pytest.approx(-T.LOG4, abs=1e-9)
        assert T.value_function(np.full(X.shape, 0.5), p_d, p_g, X) \
            == pytest.approx(-T.LOG4, abs=1e-9)


# --------------------------------------------------------------- value function

def test_value_function_safe_logs():
    x = T.grid(0.0, 1.0, 101)
    p_d = np.where(x < 0.5, 2.0, 0.0)      # U(0, ½)
    p_g = np.where(x >= 0.5, 2.0, 0.0)     # U(½, 1)
    D = np.where(x < 0.5, 1.0, 0.0)        # a perfect discriminator
    # 0 · log 0 = 0 on both sides: V = 0 exactly, the game's maximum
    assert T.value_function(D, p_d, p_g, x) == 0.0
    assert T.value_function(1 - D, p_d, p_g, x) == -math.inf
    # ∫p_data = ∫p_g = 1 (up to the trapezoid's cost at the jump)
    assert T.value_function(0.25, p_d, p_g, x) == pytest.approx(
        math.log(0.25) + math.log(0.75), abs=0.02)
    a = np.where(x < 0.5, np.inf, -np.inf)         # the perfect D as logits
    assert T.value_function_from_logits(a, p_d, p_g, x) == 0.0
    assert T.value_function_from_logits(-a, p_d, p_g, x) == -math.inf


def test_value_function_from_logits_equals_value_function():
    p_d, p_g = densities(4, 0.5, 3, 1)
    a = np.sin(X)
    D = 1 / (1 + np.exp(-a))
    assert T.value_function_from_logits(a, p_d, p_g, X) == pytest.approx(
        T.value_function(D, p_d, p_g, X), abs=1e-12)
    assert T.value_function_from_logits(0.0, p_d, p_g, X) == pytest.approx(-T.LOG4, abs=1e-9)
    with pytest.raises(ValueError, match="logits contain NaN"):
        T.value_function_from_logits(np.nan, p_d, p_g, X)


def test_optimal_logits():
    np.testing.assert_array_equal(
        T.optimal_logits(np.array([0.0, 1.0, 0.0, 2.0]), np.array([0.0, 0.0, 1.0, 2.0])),
        [0.0, np.inf, -np.inf, 0.0])
    c0, c1, c2 = T.gaussian_dstar_logit(4, 0.5, 3, 1)
    x = T.grid(-3.0, 10.0, 131)
    np.testing.assert_allclose(T.optimal_logits(*densities(4, 0.5, 3, 1, x=x)),
                               c0 + c1 * x + c2 * x ** 2, rtol=1e-10, atol=1e-9)


def test_value_function_refuses_bad_input():
    p_d, p_g = densities(0, 1, 1, 1)
    with pytest.raises(ValueError, match=r"D must be a probability in \[0, 1\].*logits"):
        T.value_function(np.full(X.shape, 2.0), p_d, p_g, X)
    with pytest.raises(ValueError, match="D must be a number or have the grid's shape"):
        T.value_function(np.full(5, 0.5), p_d, p_g, X)
    with pytest.raises(ValueError, match="p_data must have the grid's shape"):
        T.value_function(0.5, p_d[:-1], p_g, X)
    with pytest.raises(ValueError, match="strictly increasing"):
        T.value_function(0.5, p_d, p_g, X[::-1])
    with pytest.raises(ValueError, match="p_g must be a density"):
        T.value_function(0.5, p_d, np.full(X.shape, np.nan), X)


# ----------------------------------------------------------- two Gaussians

def test_gaussian_dstar_logit_reference():
    c0, c1, c2 = T.gaussian_dstar_logit(4.0, 0.5, 3.0, 1.0)
    assert (c0, c1, c2) == pytest.approx((-26.8069, 13.0, -1.5), abs=1e-4)
    assert c0 == pytest.approx(math.log(2) - 32 + 4.5, abs=1e-13)
    assert T.gaussian_dstar_logit(1.0, 2.0, 1.0, 2.0) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("pair", [(4, 0.5, 3, 1), (0, 1, 1, 1), (0, 1, 0, 2), (-2, 3, 1, 0.5)])
def test_gaussian_dstar_matches_optimal_discriminator(pair):
    x = T.grid(-8.0, 8.0, 1601)
    p_d, p_g = densities(*pair, x=x)
    d_grid = T.optimal_discriminator(p_d, p_g)
    np.testing.assert_allclose(T.gaussian_dstar(x, *pair), d_grid, rtol=1e-9, atol=1e-13)
    c0, c1, c2 = T.gaussian_dstar_logit(*pair)
    keep = (d_grid > 1e-10) & (d_grid < 1 - 1e-10)
    logit = np.log(d_grid[keep]) - np.log1p(-d_grid[keep])
    np.testing.assert_allclose(logit, c0 + c1 * x[keep] + c2 * x[keep] ** 2,
                               rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("bad", [(0, 0, 0, 1), (0, 1, 0, -2), (np.inf, 1, 0, 1)])
def test_gaussian_dstar_logit_refuses_bad_parameters(bad):
    with pytest.raises(ValueError, match="gaussian_dstar_logit: .* must be"):
        T.gaussian_dstar_logit(*bad)
