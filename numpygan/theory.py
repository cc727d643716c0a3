"""The theory of Goodfellow et al. 2014 (arXiv:1406.2661), made executable on a grid.

With densities tabulated on a 1-D grid x (``grid``), the paper's objects become arrays:

    V(D, G) = ∫ p_data(x) log D(x) + p_g(x) log(1 − D(x)) dx                     (Eq. 1)
    D*_G(x) = p_data(x) / (p_data(x) + p_g(x))                            (Proposition 1)
    C(G)    = max_D V(D, G) = V(D*_G, G) = −log 4 + 2·JSD(p_data ‖ p_g)       (Theorem 1)

so C(G) ≥ −log 4, with equality iff p_g = p_data, where D* = ½ everywhere.  But note
V(D = ½, G) = −log 4 for *any* G: a discriminator stuck at ½ proves nothing.

D can also be given by its logits a (D = σ(a), D's raw output): ``optimal_logits`` is
log p_data − log p_g, and ``value_function_from_logits`` computes the same V without
ever rounding D to exactly 0 or 1 far in a tail.  For two Gaussians the logit of D*
is a quadratic in x (``gaussian_dstar_logit``).

Integrals are trapezoid sums over the grid (``np.sum(diff(x) · mean of neighbours)``);
for smooth densities that vanish at both ends of the grid the trapezoid rule is
accurate far beyond its O(h²) worst case.  Convention throughout: 0 · log 0 = 0.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_number, float_array, is_number, show as _show

LOG4 = np.log(4)
LOG2 = np.log(2)


# ---------------------------------------------------------------------- the grid

def grid(lo, hi, n=2001):
    """n equally spaced points from lo to hi (both included): the x of every integral here."""
    for name, v in (("lo", lo), ("hi", hi)):
        check_number("grid", name, v)
    if not lo < hi:
        raise ValueError(f"grid: need lo < hi, got lo={_show(lo)}, hi={_show(hi)}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"grid: n must be an integer >= 2, got {_show(n)}")
    return np.linspace(float(lo), float(hi), int(n))


def normal_pdf(x, mu=0.0, sigma=1.0):
    """The N(μ, σ²) density exp(−(x − μ)²/(2σ²)) / (σ√(2π)), element-wise."""
    check_number("normal_pdf", "mu", mu)
    check_number("normal_pdf", "sigma", sigma, positive=True)
    t = (float_array("normal_pdf", "x", x) - mu) / sigma
    return np.exp(-0.5 * t * t) / (sigma * math.sqrt(2 * math.pi))


def integrate(f, x):
    """∫ f dx over the grid x by the trapezoid rule."""
    f, x = float_array("integrate", "f", f), float_array("integrate", "x", x)
    return float(np.sum(np.diff(x) * (f[1:] + f[:-1])) / 2.0)


def _check_grid(x):
    x = float_array("theory", "x", x)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {x.shape}")
    if not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
        raise ValueError("x must be a finite, strictly increasing grid (see theory.grid)")
    return x


def _check_density(name, p, shape=None):
    p = float_array("theory", name, p)
    if shape is not None and p.shape != shape:
        raise ValueError(f"{name} must have the grid's shape {shape}, got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must be a density on the grid: finite and >= 0 everywhere")
    return p


def _xlogy(a, y):
    """a · log y with 0 · log y = 0 even where y = 0 (the paper's convention)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, y, 1.0)), 0.0)


def _xlog_ratio(a, s):
    """a · log(a / s) as a · (log a − log s), 0 where a = 0.

    Taking logs first matters in the tails: a / s can underflow to 0 (or 1 − a/s to 0)
    while a itself is a perfectly good tiny density.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = a > 0
        return np.where(pos, a * (np.log(np.where(pos, a, 1.0))
                                  - np.log(np.where(pos, s, 1.0))), 0.0)


# ------------------------------------------------------------------ the paper

def optimal_discriminator(p_data, p_g, real_target=1.0):
    """D*_G(x) = p_data(x) / (p_data(x) + p_g(x))  (Proposition 1), element-wise.

    Where both densities are 0 every D is optimal (V does not depend on D there);
    we define D* = ½ there, the value it takes wherever p_g = p_data.
    With one-sided label smoothing (real target α < 1), D* = α p_data / (p_data + p_g)
    (and α/2 where both vanish).
    Inputs: p_data, p_g of one shape (or scalars), >= 0.  Returns D* of that shape.
    """
    p_data = _check_density("p_data", p_data)
    p_g = _check_density("p_g", p_g, None)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data {p_data.shape} and p_g {p_g.shape} must have one shape")
    if not is_number(real_target) or not 0 < real_target <= 1:
        raise ValueError(f"real_target must be in (0, 1], got {_show(real_target)}")
    total = p_data + p_g
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)
    return real_target * d


def value_function(D, p_data, p_g, x):
    """V(D, G) = ∫ p_data log D + p_g log(1 − D) dx on the grid x  (Goodfellow et al., Eq. 1).

    Inputs:
    - D: (N,) discriminator outputs in [0, 1] at the points x, or one number (e.g. ½)
    - p_data, p_g: (N,) densities at x
    - x: (N,) strictly increasing grid
    Where p_data = 0 its term is 0 even if D = 0 (0 · log 0 = 0), likewise p_g where
    D = 1.  Returns a float: −inf when D = 0 where p_data > 0 (or D = 1 where p_g > 0).
    Far in a tail D* itself rounds to exactly 1 (or 0) in floating point, and then
    this honest −inf appears although the true V is finite: pass D's logits to
    ``value_function_from_logits`` instead, or use ``virtual_training_criterion``.
    """
    x = _check_grid(x)
    p_data = _check_density("p_data", p_data, x.shape)
    p_g = _check_density("p_g", p_g, x.shape)
    D = float_array("value_function", "D", D)
    if D.ndim:
        if D.shape != x.shape:
            raise ValueError(f"D must be a number or have the grid's shape {x.shape}, "
                             f"got {D.shape}")
    if np.any(np.isnan(D)) or np.any((D < 0) | (D > 1)):
        raise ValueError("D must be a probability in [0, 1] at every point "
                         "(pass σ(logits), not the logits)")
    D = np.broadcast_to(D, x.shape)
    integrand = _xlogy(p_data, D) + _xlogy(p_g, 1.0 - D)
    if np.any(np.isneginf(integrand)):
        return -math.inf
    return integrate(integrand, x)


def _softplus(a):
    """log(1 + e^a) without overflow; softplus(−inf) = 0, softplus(+inf) = inf."""
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def optimal_logits(p_data, p_g):
    """logit D*(x) = log p_data(x) − log p_g(x): D* as D's raw output (±inf where one is 0).

    Where both densities are 0 the logit is 0 (D* = ½, as in ``optimal_discriminator``).
    """
    p_data = _check_density("p_data", p_data)
    p_g = _check_density("p_g", p_g)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data {p_data.shape} and p_g {p_g.shape} must have one shape")
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.log(p_data) - np.log(p_g)
    return np.where((p_data == 0) & (p_g == 0), 0.0, a)


def value_function_from_logits(logits, p_data, p_g, x):
    """V(D, G) with D = σ(a) given by its logits a (Eq. 1, computed from logits).

        log D = −softplus(−a),   log(1 − D) = −softplus(a)
        V = −∫ p_data softplus(−a) + p_g softplus(a) dx

    The same number as ``value_function(σ(a), ...)``, but σ(a) never rounds to exactly
    0 or 1, so a confident D far in a tail costs what it should, not −inf.
    Inputs: logits (N,) or one number (may be ±inf); p_data, p_g, x (N,) as in
    ``value_function``.
    """
    x = _check_grid(x)
    p_data = _check_density("p_data", p_data, x.shape)
    p_g = _check_density("p_g", p_g, x.shape)
    a = float_array("value_function_from_logits", "logits", logits)
    if a.ndim and a.shape != x.shape:
        raise ValueError(f"logits must be a number or have the grid's shape {x.shape}, "
                         f"got {a.shape}")
    if np.any(np.isnan(a)):
        raise ValueError("logits contain NaN")
    a = np.broadcast_to(a, x.shape)
    with np.errstate(invalid="ignore"):
        integrand = -(np.where(p_data > 0, p_data * _softplus(-a), 0.0)
                      + np.where(p_g > 0, p_g * _softplus(a), 0.0))
    if np.any(np.isneginf(integrand)):
        return -math.inf
    return integrate(integrand, x)


def virtual_training_criterion(p_data, p_g, x):
    """C(G) = max_D V(D, G) = V(D*_G, G)  (Goodfellow et al. §4.1), on the grid x.

        C(G) = ∫ p_data log(p_data / (p_data + p_g)) + p_g log(p_g / (p_data + p_g)) dx

    This is ``value_function(optimal_discriminator(p_data, p_g), p_data, p_g, x)``
    computed with logs taken first: where p_g ≪ p_data, D* rounds to exactly 1 and
    p_g · log(1 − D*) would become −inf although p_g · log(p_g/(p_data + p_g)) is tiny.
    """
    x = _check_grid(x)
    p_data = _check_density("p_data", p_data, x.shape)
    p_g = _check_density("p_g", p_g, x.shape)
    total = p_data + p_g
    return integrate(_xlog_ratio(p_data, total) + _xlog_ratio(p_g, total), x)


def jsd(p_data, p_g, x):
    """JSD(p_data ‖ p_g) = ½ ∫ p_data log(p_data/m) + ½ ∫ p_g log(p_g/m),  m = ½(p_data + p_g).

    On the grid x by the trapezoid rule, in nats, in [0, log 2].
    """
    x = _check_grid(x)
    p_data = _check_density("p_data", p_data, x.shape)
    p_g = _check_density("p_g", p_g, x.shape)
    # log m = log(p_data + p_g) − log 2: halving a tiny sum could round it to 0
    total = p_data + p_g
    integrand = 0.5 * (_xlog_ratio(p_data, total) + _xlog_ratio(p_g, total)) \
        + 0.5 * LOG2 * (p_data + p_g)
    return integrate(integrand, x)


def c_from_jsd(p_data, p_g, x):
    """C(G) = −log 4 + 2·JSD(p_data ‖ p_g)  (Theorem 1's identity), on the grid x.

    Equal to ``virtual_training_criterion`` when both densities integrate to 1 on x.
    """
    return float(-LOG4 + 2.0 * jsd(p_data, p_g, x))


# ----------------------------------------------------------- two Gaussians

def gaussian_dstar_logit(mu_d, sigma_d, mu_g, sigma_g):
    """The logit of D* for p_data = N(μd, σd²) and p_g = N(μg, σg²): a quadratic in x.

        logit D*(x) = log p_data(x) − log p_g(x) = c0 + c1 x + c2 x²
        c2 = 1/(2σg²) − 1/(2σd²),   c1 = μd/σd² − μg/σg²,
        c0 = log(σg/σd) − μd²/(2σd²) + μg²/(2σg²)

    Example (docs/THEORY.md): N(4, 0.5²) vs N(3, 1²) → (c0, c1, c2) = (−26.8069, 13, −1.5).
    Returns (c0, c1, c2) as floats.
    """
    for name, v, positive in (("mu_d", mu_d, False), ("sigma_d", sigma_d, True),
                              ("mu_g", mu_g, False), ("sigma_g", sigma_g, True)):
        check_number("gaussian_dstar_logit", name, v, positive)
    vd, vg = sigma_d ** 2, sigma_g ** 2
    c2 = 1.0 / (2 * vg) - 1.0 / (2 * vd)
    c1 = mu_d / vd - mu_g / vg
    c0 = math.log(sigma_g / sigma_d) - mu_d ** 2 / (2 * vd) + mu_g ** 2 / (2 * vg)
    return float(c0), float(c1), float(c2)


def gaussian_dstar(x, mu_d, sigma_d, mu_g, sigma_g):
    """D*(x) = σ(c0 + c1 x + c2 x²) for two Gaussians, stable where both densities underflow."""
    c0, c1, c2 = gaussian_dstar_logit(mu_d, sigma_d, mu_g, sigma_g)
    x = float_array("gaussian_dstar", "x", x)
    a = c0 + c1 * x + c2 * x * x
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
