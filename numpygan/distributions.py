"""Data distributions p_data and noise priors p_z, sampled only through an explicit rng.

Every distribution here has

    dim                      1 (a line) or 2 (a plane); a noise prior may have more
    sample(n, rng)           (n, dim) float64 array, drawn with a numpy.random.Generator
    pdf(x)                   the density at n points: x of shape (n,) or (n, 1) in 1D,
                             (n, dim) otherwise  ->  (n,)
    mean, std                per coordinate: floats in 1D, (dim,) arrays otherwise

and, in 1D, ``cdf(x)`` and ``ppf(q)`` (the quantile function F⁻¹), which the
Wasserstein-1 distance to a known distribution needs (``metrics.w1_to_distribution``).

The mixtures are labelled data for a conditional GAN (Mirza & Osindero 2014): the
component a sample was drawn from is its label y ∈ {0, …, K−1}, and

    sample_labelled(n, rng)  (x, y): x (n, dim), y (n,) int64, drawn as ``sample`` draws
    sample_given(y, rng)     x ~ p_data(x | y), one sample per label: (len(y), dim)
    p_y                      the labels' distribution, a ``Categorical`` (w_k for each k)

The densities (φ is the standard normal density, Φ its CDF):

    Gaussian         p(x) = φ((x − μ)/σ) / σ,   φ(t) = exp(−t²/2) / √(2π)
    Uniform          p(x) = 1 / (high − low) on [low, high], 0 elsewhere
    GaussianMixture  p(x) = Σ_k w_k φ((x − μ_k)/σ_k) / σ_k,   w_k ≥ 0, Σ w_k = 1
    Ring2D           p(x) = (1/K) Σ_k N(x; c_k, σ² I₂),   c_k = r (cos 2πk/K, sin 2πk/K)

``rng`` is never optional and never the global ``np.random`` state: the same
``np.random.default_rng(seed)`` gives the same samples, on any machine.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_number as _check_number
from ._checks import float_array
from ._checks import show as _show

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT2PI = 0.5 * math.log(2.0 * math.pi)


# ---------------------------------------------------------------- argument checks

# The range in which a distribution's arithmetic stays finite and resolved in float64
# (largest float ~1.8e308, smallest normal ~2.2e-308, 16 significant digits):
LARGEST = 1e150      # |a location|, a scale: their squares (variances) stay finite
SMALLEST = 1e-150    # a scale: its square stays a normal float, not 0
RESOLUTION = 1e-12   # a scale >= RESOLUTION·|location|: samples resolve the spread


def _check_location(who, name, value):
    """A finite number within ±LARGEST (a mean, a bound, a radius)."""
    v = _check_number(who, name, value)
    if abs(v) > LARGEST:
        raise ValueError(f"{who}: {name} must lie in [-{LARGEST:g}, {LARGEST:g}] (its "
                         f"square must stay finite in float64), got {_show(value)}")
    return v


def _check_scale(who, name, value, location=0.0, location_name="0", largest=LARGEST):
    """A scale (sigma, a width) in [SMALLEST, largest] and resolvable beside ``location``."""
    v = _check_number(who, name, value, positive=True)
    if not SMALLEST <= v <= largest:
        raise ValueError(f"{who}: {name} must lie in [{SMALLEST:g}, {largest:g}] (its "
                         f"square must stay a finite, non-zero float64), got {_show(value)}")
    if v < RESOLUTION * abs(location):
        raise ValueError(
            f"{who}: {name} = {v:g} is below float64's resolution at {location_name} = "
            f"{location:g}: need {name} >= {RESOLUTION * abs(location):g} ({RESOLUTION:g} "
            f"of |{location_name}|), else the samples round to a few numbers")
    return v


def _check_count(who, name, value, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum}, got {_show(value)}")
    return int(value)


def check_rng(rng, who="sample"):
    """Return ``rng`` if it is a numpy.random.Generator; else raise ValueError."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{who}: rng must be a numpy.random.Generator, made with "
            f"np.random.default_rng(seed), got {type(rng).__name__} {rng!r}"
            " (numpygan never uses the global np.random state)"
        )
    return rng


def _check_probabilities(q, who):
    arr = float_array(who, "q", q)
    if np.any(np.isnan(arr)) or np.any((arr < 0) | (arr > 1)):
        bad = arr[np.isnan(arr) | (arr < 0) | (arr > 1)].ravel()[0]
        raise ValueError(f"{who}: quantile levels q must lie in [0, 1], got {_show(bad)}")
    return q


def _like_input(out, x):
    """A float for scalar input, an array otherwise."""
    return float(np.asarray(out).reshape(-1)[0]) if np.ndim(x) == 0 else out


def _points(x, dim, who):
    """Points as an (n, dim) float64 array from x of shape (n,)/(n, 1) (1D) or (n, dim)."""
    arr = float_array(who, "x", x)
    if dim == 1 and arr.ndim <= 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2 or arr.shape[1] != dim:
        want = "(n,) or (n, 1)" if dim == 1 else f"(n, {dim})"
        raise ValueError(f"{who}: x must have shape {want}, got shape {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{who}: x contains NaN")
    return arr


# ------------------------------------------------------- the standard normal

# math.erfc is correctly rounded to a few ulps in both tails; NumPy has no erfc
# of its own, so we lift it element-wise (a Python call per value: slow, but exact).
_erfc_elementwise = np.frompyfunc(math.erfc, 1, 1)


def _erfc(t):
    return np.asarray(_erfc_elementwise(np.asarray(t, dtype=np.float64)), dtype=np.float64)


def std_normal_cdf(t):
    """Φ(t) = ½ erfc(−t/√2), accurate to relative round-off in the lower tail."""
    return 0.5 * _erfc(-float_array("std_normal_cdf", "t", t) / _SQRT2)


def std_normal_sf(t):
    """1 − Φ(t) = ½ erfc(t/√2), accurate in the upper tail (where 1 − Φ would cancel)."""
    return 0.5 * _erfc(float_array("std_normal_sf", "t", t) / _SQRT2)


# Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9), then polished by
# Halley's method on Φ below.  Only the lower half p ≤ 0.5 is ever evaluated.
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01, 1.0)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00, 1.0)
_P_LOW = 0.02425


def _lower_std_normal_ppf(p):
    """Φ⁻¹(p) for 0 < p ≤ 0.5 (an array): rational start, then two Halley steps."""
    x = np.empty_like(p)
    central = p >= _P_LOW
    q = p[central] - 0.5
    r = q * q
    x[central] = q * np.polyval(_A, r) / np.polyval(_B, r)
    t = np.sqrt(-2.0 * np.log(p[~central]))
    x[~central] = np.polyval(_C, t) / np.polyval(_D, t)
    # Halley: with e = Φ(x) − p and u = e / φ(x),  x ← x − u / (1 + x u / 2).
    # Φ(x) for x ≤ 0 is computed from erfc, so it keeps full relative accuracy.
    for _ in range(2):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            phi = np.exp(-0.5 * x * x) / _SQRT2PI
            u = (std_normal_cdf(x) - p) / phi
            step = u / (1.0 + 0.5 * x * u)
        x = np.where(np.isfinite(step) & (phi > 0), x - step, x)
    return x


def std_normal_ppf(q):
    """Φ⁻¹(q), the standard normal quantile, element-wise, to ~1e-15 relative.

    Φ⁻¹(0) = −inf, Φ⁻¹(1) = +inf.  For q > ½ we use Φ⁻¹(q) = −Φ⁻¹(1 − q), where
    1 − q is exact in floating point, so both tails are accurate.
    """
    q = _check_probabilities(q, "std_normal_ppf")
    flat = np.atleast_1d(q).astype(np.float64).ravel()
    out = np.empty_like(flat)
    out[flat == 0.0] = -np.inf
    out[flat == 1.0] = np.inf
    lower = (flat > 0.0) & (flat <= 0.5)
    upper = (flat > 0.5) & (flat < 1.0)
    out[lower] = _lower_std_normal_ppf(flat[lower])
    out[upper] = -_lower_std_normal_ppf(1.0 - flat[upper])
    return _like_input(out.reshape(np.shape(q)), q)


# ------------------------------------------------------------------- labels

def check_labels(y, n_classes, who="labels"):
    """Return y as an (n,) int64 array of class labels in {0, …, n_classes − 1}.

    Refuses (ValueError, naming ``who``) anything else: floats that are not whole
    numbers, a 2D array (a one-hot matrix is not a label array), labels out of range.
    """
    arr = np.asarray(y)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{who} must be a 1D array of class indices, got shape {arr.shape}")
    if arr.size and arr.dtype.kind == "f" and np.all(np.isfinite(arr)) \
            and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{who} must be integers (class indices), got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= n_classes)
    if np.any(bad):
        raise ValueError(f"{who} out of range: got {int(arr[bad][0])}, labels must lie in "
                         f"0 … {n_classes - 1} ({n_classes} classes)")
    return arr


def one_hot(labels, n_classes):
    """Labels y ∈ {0, …, K−1} as one-hot rows: (n,) ints -> (n, K) float64, row i = e_{y_i}.

    Mirza & Osindero 2014 feed the class label to both players in this form.
    Labels out of range, or not whole numbers, are refused (ValueError).
    """
    n_classes = _check_count("one_hot", "n_classes", n_classes)
    y = check_labels(labels, n_classes, "labels")
    out = np.zeros((y.size, n_classes))
    out[np.arange(y.size), y] = 1.0                  # (n, K)
    return out


# ------------------------------------------------------------------- distributions

class Distribution:
    """Shared plumbing: argument checks for ``sample`` and ``pdf``."""

    dim = 1

    def _start_sample(self, n, rng):
        name = type(self).__name__
        check_rng(rng, f"{name}.sample")
        return _check_count(f"{name}.sample", "n", n)

    def _pdf_points(self, x):
        return _points(x, self.dim, f"{type(self).__name__}.pdf")


class Gaussian(Distribution):
    """N(μ, σ²) in each of ``dim`` independent coordinates (dim > 1: a noise prior z).

        p(x) = Π_j φ((x_j − μ)/σ) / σ,        log p(x) = Σ_j [−(x_j − μ)²/(2σ²) − log σ − ½ log 2π]
        F(x) = Φ((x − μ)/σ),                  F⁻¹(q) = μ + σ Φ⁻¹(q)       (per coordinate)

    Inputs:
    - mu: float in [-LARGEST, LARGEST] (1e150), the mean of every coordinate
    - sigma: float in [SMALLEST, LARGEST] (1e-150 to 1e150), the standard deviation of
      every coordinate, and at least RESOLUTION·|mu| (1e-12·|mu|) so samples differ
    - dim: int >= 1
    """

    def __init__(self, mu=0.0, sigma=1.0, dim=1):
        self._mu = _check_location("Gaussian", "mu", mu)
        self._sigma = _check_scale("Gaussian", "sigma", sigma, self._mu, "mu")
        self.dim = _check_count("Gaussian", "dim", dim)

    mu = property(lambda self: self._mu)
    sigma = property(lambda self: self._sigma)

    @property
    def mean(self):
        return self._mu if self.dim == 1 else np.full(self.dim, self._mu)

    @property
    def std(self):
        return self._sigma if self.dim == 1 else np.full(self.dim, self._sigma)

    def sample(self, n, rng):
        """x = μ + σ ε with ε ~ N(0, I): (n, dim) float64."""
        n = self._start_sample(n, rng)
        return self._mu + self._sigma * rng.standard_normal((n, self.dim))  # (n, dim)

    def log_pdf(self, x):
        """log p(x) for x of shape (n,)/(n, 1) (dim 1) or (n, dim)  ->  (n,)."""
        t = (self._pdf_points(x) - self._mu) / self._sigma             # (n, dim)
        logp = -0.5 * t * t - math.log(self._sigma) - _LOG_SQRT2PI
        return _like_input(logp.sum(axis=1), x)                         # (n,)

    def pdf(self, x):
        """p(x) for x of shape (n,)/(n, 1) (dim 1) or (n, dim)  ->  (n,)."""
        return _like_input(np.exp(self.log_pdf(x)), x)

    def cdf(self, x):
        """F(x) = Φ((x − μ)/σ) of one coordinate, element-wise (any shape)."""
        t = (float_array("Gaussian.cdf", "x", x) - self._mu) / self._sigma
        return _like_input(std_normal_cdf(t), x)

    def ppf(self, q):
        """F⁻¹(q) = μ + σ Φ⁻¹(q), the quantile of one coordinate, element-wise, q in [0, 1]."""
        return _like_input(self._mu + self._sigma * np.asarray(std_normal_ppf(q)), q)

    def __repr__(self):
        extra = f", dim={self.dim}" if self.dim != 1 else ""
        return f"Gaussian(mu={self._mu!r}, sigma={self._sigma!r}{extra})"


class Uniform(Distribution):
    """U(low, high) in each of ``dim`` independent coordinates.

        p(x) = Π_j 1[low ≤ x_j ≤ high] / (high − low)
        F(x) = clip((x − low)/(high − low), 0, 1),     F⁻¹(q) = low + q (high − low)
        mean = (low + high)/2,   std = (high − low)/√12

    low and high lie in [-LARGEST, LARGEST] (±1e150), and high − low is at least
    SMALLEST (1e-150) and RESOLUTION·max(|low|, |high|) (1e-12 of it).
    """

    def __init__(self, low=-1.0, high=1.0, dim=1):
        self._low = _check_location("Uniform", "low", low)
        self._high = _check_location("Uniform", "high", high)
        if not self._high > self._low:
            raise ValueError(
                f"Uniform: need low < high, got low={_show(low)}, high={_show(high)}"
            )
        edge = max(abs(self._low), abs(self._high))
        _check_scale("Uniform", "high - low", self._high - self._low, edge, "the larger bound",
                     largest=2 * LARGEST)
        self.dim = _check_count("Uniform", "dim", dim)

    low = property(lambda self: self._low)
    high = property(lambda self: self._high)

    @property
    def mean(self):
        m = 0.5 * (self._low + self._high)
        return m if self.dim == 1 else np.full(self.dim, m)

    @property
    def std(self):
        s = (self._high - self._low) / math.sqrt(12.0)
        return s if self.dim == 1 else np.full(self.dim, s)

    def sample(self, n, rng):
        """(n, dim) float64 draws, uniform on [low, high)."""
        n = self._start_sample(n, rng)
        return rng.uniform(self._low, self._high, size=(n, self.dim))   # (n, dim)

    def pdf(self, x):
        """p(x) for x of shape (n,)/(n, 1) (dim 1) or (n, dim)  ->  (n,); 0 outside the box."""
        x = self._pdf_points(x)                                          # (n, dim)
        inside = np.all((x >= self._low) & (x <= self._high), axis=1)   # (n,)
        out = np.where(inside, (self._high - self._low) ** (-self.dim), 0.0)
        return _like_input(out, x)

    def cdf(self, x):
        """F(x) of one coordinate, element-wise (any shape)."""
        t = (float_array("Uniform.cdf", "x", x) - self._low) / (self._high - self._low)
        return _like_input(np.clip(t, 0.0, 1.0), x)

    def ppf(self, q):
        """F⁻¹(q) = low + q (high − low) of one coordinate, element-wise, q in [0, 1]."""
        q = _check_probabilities(q, "Uniform.ppf")
        out = self._low + np.asarray(q, dtype=np.float64) * (self._high - self._low)
        return _like_input(out, q)

    def __repr__(self):
        extra = f", dim={self.dim}" if self.dim != 1 else ""
        return f"Uniform(low={self._low!r}, high={self._high!r}{extra})"


def _float_vector(who, name, values):
    try:
        arr = np.array(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{who}: {name} must be a list of numbers, got {_show(values)}")
    if arr.size == 0:
        raise ValueError(f"{who}: {name} is empty; need at least one component")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{who}: {name} must be finite, got {arr.tolist()}")
    return arr


class Categorical:
    """A distribution over class labels y ∈ {0, …, K−1}: P(y = k) = p_k (a label prior p_y).

    ``sample(n, rng)`` returns an (n,) int64 array of labels, not points: it is the
    label sampler of a conditional GAN (``gan.GAN(..., p_y=...)``).
    """

    def __init__(self, probs):
        p = _float_vector("Categorical", "probs", probs)
        if np.any(p < 0) or abs(p.sum() - 1.0) > 1e-8:
            raise ValueError(f"Categorical: probs must be >= 0 and sum to 1 (within 1e-8), "
                             f"got {p.tolist()}")
        self._probs = p
        self._probs.flags.writeable = False

    probs = property(lambda self: self._probs)
    n_classes = property(lambda self: int(self._probs.size))

    def sample(self, n, rng):
        """n labels, label k with probability p_k: (n,) int64."""
        check_rng(rng, "Categorical.sample")
        n = _check_count("Categorical.sample", "n", n)
        return rng.choice(self.n_classes, size=n, p=self._probs).astype(np.int64)

    def __repr__(self):
        return f"Categorical(probs={self._probs.tolist()})"


class GaussianMixture(Distribution):
    """A 1D mixture of K Gaussians: the classic test of mode collapse.

        p(x) = Σ_k w_k φ((x − μ_k)/σ_k) / σ_k           F(x) = Σ_k w_k Φ((x − μ_k)/σ_k)
        mean = Σ_k w_k μ_k,     var = Σ_k w_k (σ_k² + μ_k²) − mean²

    Inputs:
    - means: K finite numbers μ_k
    - sigmas: K positive numbers σ_k, or one number shared by all components
    - weights: K numbers w_k ≥ 0 summing to 1 (tolerance 1e-8); None = equal weights
    (each μ_k, σ_k within the limits of ``Gaussian``)
    """

    dim = 1

    def __init__(self, means, sigmas, weights=None):
        who = "GaussianMixture"
        self._means = _float_vector(who, "means", means)
        k = self._means.size
        sig = _float_vector(who, "sigmas", sigmas)
        if sig.size == 1 and np.ndim(sigmas) == 0:
            sig = np.full(k, sig[0])
        if sig.size != k:
            raise ValueError(
                f"{who}: got {k} means but {sig.size} sigmas; give one sigma per mean "
                "(or a single number for all)"
            )
        if np.any(sig <= 0):
            raise ValueError(f"{who}: sigmas must all be > 0, got {sig.tolist()}")
        for i, (m, s) in enumerate(zip(self._means, sig)):
            _check_location(who, f"means[{i}]", m)
            _check_scale(who, f"sigmas[{i}]", s, m, f"means[{i}]")
        if weights is None:
            w = np.full(k, 1.0 / k)
        else:
            w = _float_vector(who, "weights", weights)
            if w.size != k:
                raise ValueError(f"{who}: got {k} means but {w.size} weights; need one per mean")
            if np.any(w < 0):
                raise ValueError(f"{who}: weights must all be >= 0, got {w.tolist()}")
            if abs(w.sum() - 1.0) > 1e-8:
                raise ValueError(
                    f"{who}: weights must sum to 1 (within 1e-8), got {w.tolist()} "
                    f"which sum to {w.sum()!r}"
                )
        self._sigmas, self._weights = sig, w
        for a in (self._means, self._sigmas, self._weights):
            a.flags.writeable = False

    means = property(lambda self: self._means)
    sigmas = property(lambda self: self._sigmas)
    weights = property(lambda self: self._weights)
    modes = property(lambda self: self._means, doc="The component means, (K,).")
    n_modes = property(lambda self: int(self._means.size))

    @property
    def mean(self):
        return float(np.sum(self._weights * self._means))

    @property
    def std(self):
        second = np.sum(self._weights * (self._sigmas ** 2 + self._means ** 2))
        return float(np.sqrt(max(second - self.mean ** 2, 0.0)))

    p_y = property(lambda self: Categorical(self._weights),
                   doc="The labels' distribution: P(y = k) = w_k.")

    def sample(self, n, rng):
        """Pick component k with probability w_k, then x = μ_k + σ_k ε: (n, 1) float64."""
        return self.sample_labelled(n, rng)[0]

    def sample_labelled(self, n, rng):
        """``sample``'s draw with its labels: x (n, 1) float64 and y = k (n,) int64."""
        n = self._start_sample(n, rng)
        k = rng.choice(self.n_modes, size=n, p=self._weights)              # (n,)
        x = self._means[k] + self._sigmas[k] * rng.standard_normal(n)      # (n,)
        return x.reshape(n, 1), k.astype(np.int64)

    def sample_given(self, y, rng):
        """x ~ p_data(x | y) = N(μ_y, σ_y²), one per label: y (n,) -> x (n, 1) float64."""
        check_rng(rng, "GaussianMixture.sample_given")
        k = check_labels(y, self.n_modes, "GaussianMixture.sample_given: y")
        x = self._means[k] + self._sigmas[k] * rng.standard_normal(k.size)  # (n,)
        return x.reshape(-1, 1)

    def _standardised(self, x):
        # (n, 1) - (K,) -> (n, K): each point in units of each component's sigma
        x = float_array("GaussianMixture", "x", x)
        return (x.reshape(-1, 1) - self._means) / self._sigmas

    def pdf(self, x):
        """p(x) for x of shape (n,) or (n, 1)  ->  (n,)."""
        t = self._standardised(self._pdf_points(x))                      # (n, K)
        out = (np.exp(-0.5 * t * t) / (_SQRT2PI * self._sigmas)) @ self._weights
        return _like_input(out, x)

    def cdf(self, x):
        """F(x) = Σ_k w_k Φ((x − μ_k)/σ_k), element-wise (any shape)."""
        t = self._standardised(x)                                        # (n, K)
        out = std_normal_cdf(t) @ self._weights
        return _like_input(out.reshape(np.shape(x)), x)

    def _sf(self, x):
        return std_normal_sf(self._standardised(x)) @ self._weights

    def ppf(self, q, tol=1e-13, max_iter=200):
        """F⁻¹(q), element-wise, by safeguarded Newton on log F(x) = log q.

        The root lies between the components' own quantiles, min_k and max_k of
        μ_k + σ_k Φ⁻¹(q), because F is a weighted average of their CDFs.  Newton runs
        on the log scale (in the Gaussian tails log F is nearly quadratic, where F
        itself is exponential and Newton would crawl); a step that leaves the bracket
        is replaced by bisection.  For q > ½ it solves log(1 − F(x)) = log(1 − q),
        which keeps the upper tail accurate.
        """
        q = _check_probabilities(q, "GaussianMixture.ppf")
        flat = np.atleast_1d(np.asarray(q, dtype=np.float64)).ravel()
        out = np.where(flat == 0.0, -np.inf, np.inf)
        idx = np.flatnonzero((flat > 0.0) & (flat < 1.0))
        p = flat[idx]
        z = np.asarray(std_normal_ppf(p)).reshape(-1, 1)                  # (m, 1)
        quantiles = self._means + self._sigmas * z                        # (m, K)
        lo, hi = quantiles.min(axis=1), quantiles.max(axis=1)             # (m,)
        x = 0.5 * (lo + hi)
        upper = p > 0.5
        log_target = np.where(upper, np.log1p(-p), np.log(p))
        active = np.arange(p.size)
        for _ in range(max_iter):
            if active.size == 0:
                break
            xa, ua = x[active], upper[active]
            lo_a, hi_a = lo[active], hi[active]
            tail = np.where(ua, self._sf(xa), self.cdf(xa))   # the smaller of F, 1 − F
            with np.errstate(divide="ignore", invalid="ignore"):
                # h(x) increases with x and vanishes at the root; h' = p(x) / tail
                h = np.where(ua, -1.0, 1.0) * (np.log(tail) - log_target[active])
                newton = xa - h * tail / self.pdf(xa)
            lo_a = np.where(h < 0, xa, lo_a)
            hi_a = np.where(h < 0, hi_a, xa)
            inside = (newton > lo_a) & (newton < hi_a)
            x_new = np.where(inside, newton, 0.5 * (lo_a + hi_a))
            x_new = np.where(h == 0, xa, x_new)
            scale = tol * (1.0 + np.abs(xa))
            done = (np.abs(x_new - xa) <= scale) | (hi_a - lo_a <= scale)
            x[active], lo[active], hi[active] = x_new, lo_a, hi_a
            active = active[~done]
        out[idx] = x
        return _like_input(out.reshape(np.shape(q)), q)

    def __repr__(self):
        return (f"GaussianMixture(means={self._means.tolist()}, "
                f"sigmas={self._sigmas.tolist()}, weights={self._weights.tolist()})")


class Ring2D(Distribution):
    """K Gaussians of equal weight on a circle: the 2D test of mode collapse.

        c_k = r (cos θ_k, sin θ_k),   θ_k = 2πk/K,  k = 0 … K−1
        p(x) = (1/K) Σ_k exp(−‖x − c_k‖² / (2σ²)) / (2πσ²)

    The angles exclude the endpoint 2π (``np.linspace(0, 2π, K, endpoint=False)``):
    with it, the last mode lands on the first and the ring has K − 1 modes.

    ``mean`` and ``std`` are per coordinate, arrays of shape (2,):
    mean = (1/K) Σ_k c_k (≈ 0 for K ≥ 2), std_j² = σ² + (1/K) Σ_k c_kj² − mean_j².
    """

    dim = 2

    def __init__(self, n_modes=8, radius=2.0, sigma=0.02):
        self._n_modes = _check_count("Ring2D", "n_modes", n_modes)
        self._radius = _check_number("Ring2D", "radius", radius, positive=True)
        self._radius = _check_location("Ring2D", "radius", self._radius)
        self._sigma = _check_scale("Ring2D", "sigma", sigma, self._radius, "radius")
        theta = np.linspace(0.0, 2.0 * np.pi, self._n_modes, endpoint=False)   # (K,)
        self._centers = self._radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
        self._centers.flags.writeable = False                                  # (K, 2)

    n_modes = property(lambda self: self._n_modes)
    radius = property(lambda self: self._radius)
    sigma = property(lambda self: self._sigma)
    centers = property(lambda self: self._centers, doc="Mode centres c_k, (K, 2).")
    modes = centers

    @property
    def mean(self):
        return self._centers.mean(axis=0)

    @property
    def std(self):
        var_centers = self._centers.var(axis=0)
        return np.sqrt(self._sigma ** 2 + var_centers)

    p_y = property(lambda self: Categorical(np.full(self._n_modes, 1.0 / self._n_modes)),
                   doc="The labels' distribution: each mode k with probability 1/K.")

    def sample(self, n, rng):
        """Pick a mode uniformly, then x = c_k + σ ε with ε ~ N(0, I₂): (n, 2) float64."""
        return self.sample_labelled(n, rng)[0]

    def sample_labelled(self, n, rng):
        """``sample``'s draw with its labels: x (n, 2) float64 and y = k (n,) int64."""
        n = self._start_sample(n, rng)
        k = rng.integers(self.n_modes, size=n)                                  # (n,)
        x = self._centers[k] + self._sigma * rng.standard_normal((n, 2))       # (n, 2)
        return x, k.astype(np.int64)

    def sample_given(self, y, rng):
        """x ~ p_data(x | y) = N(c_y, σ² I₂), one per label: y (n,) -> x (n, 2) float64."""
        check_rng(rng, "Ring2D.sample_given")
        k = check_labels(y, self.n_modes, "Ring2D.sample_given: y")
        return self._centers[k] + self._sigma * rng.standard_normal((k.size, 2))

    def pdf(self, x):
        """p(x) for x of shape (n, 2)  ->  (n,)."""
        x = self._pdf_points(x)                                                 # (n, 2)
        d2 = np.sum((x[:, None, :] - self._centers[None, :, :]) ** 2, axis=2)   # (n, K)
        dens = np.exp(-0.5 * d2 / self._sigma ** 2) / (2 * np.pi * self._sigma ** 2)
        return dens.mean(axis=1)                                                # (n,)

    def __repr__(self):
        return (f"Ring2D(n_modes={self.n_modes}, radius={self._radius!r}, "
                f"sigma={self._sigma!r})")
