"""Extreme values and odd array types at the library's edges: refused with a message that
names the parameter and the limit, or computed correctly; never inf or NaN in silence."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpygan import metrics, theory
from numpygan.distributions import (LARGEST, RESOLUTION, SMALLEST, Gaussian,
                                    GaussianMixture, Ring2D, Uniform, std_normal_cdf)

FAST = settings(max_examples=60, deadline=None, database=None)


# ------------------------------------------------------- distributions: their limits
@pytest.mark.parametrize("make,pattern", [
    (lambda: Gaussian(mu=1e300), r"Gaussian: mu must lie in \[-1e\+150, 1e\+150\].*1e\+300"),
    (lambda: Gaussian(sigma=1e308), r"sigma must lie in \[1e-150, 1e\+150\].*1e\+308"),
    (lambda: Gaussian(sigma=1e-300), r"sigma must lie in \[1e-150, 1e\+150\].*1e-300"),
    (lambda: Gaussian(mu=1e15, sigma=1e-3), r"sigma = 0.001 is below float64's resolution "
                                            r"at mu = 1e\+15: need sigma >= 1000"),
    (lambda: Gaussian(mu=1e308, sigma=1e308), r"mu must lie in"),
    (lambda: Uniform(-1e308, 1e308), r"Uniform: low must lie in \[-1e\+150, 1e\+150\]"),
    (lambda: Uniform(1e15, 1e15 + 0.125), r"high - low = 0.125 is below"),
    (lambda: GaussianMixture([0.0, 1e200], 1.0), r"means\[1\] must lie in"),
    (lambda: GaussianMixture([0.0, 1e6], [1.0, 1e-9]), r"sigmas\[1\] = 1e-09 is below"),
    (lambda: Ring2D(radius=1e200), r"Ring2D: radius must lie in"),
    (lambda: Ring2D(radius=1e6, sigma=1e-9), r"Ring2D: sigma = 1e-09 is below"),
])
def test_parameters_whose_arithmetic_breaks_are_refused_naming_the_limit(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


@FAST
@given(mu=st.floats(-LARGEST, LARGEST),
       log_sigma=st.floats(math.log10(SMALLEST), math.log10(LARGEST)))
def test_an_accepted_gaussian_samples_finite_values_that_spread(mu, log_sigma):
    """Whatever Gaussian accepts samples finite numbers with a measurable spread; what
    it refuses is refused for the reason it names."""
    sigma = 10.0 ** log_sigma
    try:
        g = Gaussian(mu, sigma)
    except ValueError as exc:
        assert sigma < RESOLUTION * abs(mu) or not SMALLEST <= sigma <= LARGEST, str(exc)
        return
    x = g.sample(2000, np.random.default_rng(0))[:, 0]
    assert np.all(np.isfinite(x))
    assert 0.8 < x.std() / sigma < 1.2                  # the spread survives rounding
    assert np.isfinite(g.pdf(x[:5])).all() and np.isfinite(np.var(x))


@FAST
@given(low=st.floats(-LARGEST, LARGEST), width=st.floats(0, 2 * LARGEST))
def test_an_accepted_uniform_samples_inside_its_bounds(low, width):
    high = low + width
    try:
        u = Uniform(low, high)
    except ValueError:
        edge = max(abs(low), abs(high))
        assert (abs(high) > LARGEST or not high > low or high - low < SMALLEST
                or high - low < RESOLUTION * edge)
        return
    x = u.sample(500, np.random.default_rng(1))
    assert np.all(np.isfinite(x)) and np.all((x >= low) & (x <= high))
    assert np.isfinite(u.std) and u.std > 0


# ---------------------------------------------- arrays that are not plain real numbers
ODD_ARRAYS = [
    (np.ma.masked_array([1.0, np.nan], mask=[False, True]), "masked array"),
    (np.array([1.0 + 2.0j, 0.5]), "complex numbers"),
    (np.array([True, False]), "booleans"),
    (np.array([1.0, None], dtype=object), "Python objects"),
    (np.array(["1.0", "2.0"]), "text"),
]


@pytest.mark.parametrize("odd,what", ODD_ARRAYS)
@pytest.mark.parametrize("call", [
    lambda a: Gaussian().pdf(a),
    lambda a: Gaussian().cdf(a),
    lambda a: Uniform().cdf(a),
    lambda a: GaussianMixture([0.0, 1.0], 0.5).cdf(a),
    lambda a: std_normal_cdf(a),
    lambda a: metrics.moments(a),
    lambda a: metrics.w1_samples(a, [0.0, 1.0]),
    lambda a: metrics.mode_coverage(a, [0.0, 1.0], 0.1),
    lambda a: metrics.mode_coverage([0.0, 1.0], a, 0.1),
    lambda a: theory.normal_pdf(a),
    lambda a: theory.optimal_discriminator(a, [0.5, 0.5]),
    lambda a: theory.gaussian_dstar(a, 0.0, 1.0, 1.0, 1.0),
])
def test_masked_complex_bool_object_and_text_arrays_are_refused(call, odd, what):
    with pytest.raises(ValueError, match=what):
        call(odd)


@pytest.mark.parametrize("bad", [None, True, "3", np.nan, -1.0, 0.0])
def test_mode_coverage_threshold_must_be_a_positive_number(bad):
    with pytest.raises(ValueError, match=r"threshold \(in sigmas\) must be a positive"):
        metrics.mode_coverage([0.0, 1.0], [0.0, 1.0], 0.1, threshold=bad)


@pytest.mark.parametrize("bad", [True, None, "0.5", np.inf])
def test_numbers_where_numbers_are_expected(bad):
    with pytest.raises(ValueError):
        theory.normal_pdf([0.0], sigma=bad)
    with pytest.raises(ValueError):
        theory.optimal_discriminator([0.5], [0.5], real_target=bad)
    if bad is not None:                      # None: "no mass check", documented
        with pytest.raises(ValueError):
            metrics.jsd_densities([1.0, 1.0], [1.0, 1.0], [0.0, 1.0], mass_tol=bad)
