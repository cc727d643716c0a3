"""Measuring sticks: how far are the generator's samples from p_data?  (nats throughout)

Given samples x ~ p_g (and a known p_data, or samples y ~ p_data):

    moments                 mean, std, skew, excess kurtosis of the samples
    JSD(P‖Q)                ½ Σ P log(P/M) + ½ Σ Q log(Q/M),   M = ½(P + Q),   0 ≤ JSD ≤ log 2
    KL(P‖Q)                 Σ P log(P/Q)                      (not symmetric; may be +inf)
    W1(p, q)                ∫ |F_p(x) − F_q(x)| dx = ∫₀¹ |F_p⁻¹(u) − F_q⁻¹(u)| du   (1D)

JSD and KL from samples compare *probability masses on bins*, not densities: the
histogram of the samples against the pdf's mass in each bin.  Binning can only lose
information (so it shrinks the true divergence a little), and a finite sample adds
noise that does not vanish at p_g = p_data: a perfect sampler of n = 1e4 points
still scores a two-sample 50-bin JSD of about 0.001 (docs/THEORY.md, "Estimator
floors").  A claim "JSD < 0.01" needs n ≥ 1e4.

Samples that fall outside [lo, hi] are counted in the first or last bin, never
dropped: mass a generator puts far away must cost it something.  Choose [lo, hi] so
that p_data has negligible mass outside it (e.g. mean ± 6 std).

W1 uses no bins at all: sorted samples against sorted samples, or against the
true quantiles F⁻¹((i + ½)/n).

``mode_coverage`` counts the modes a sampler reaches (for mode collapse, VEEGAN's
metrics).  Every function refuses samples holding NaN or inf: a diverged generator
should stop a run loudly, not score a number.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_number, float_array, is_number, show as _show

LOG2 = math.log(2.0)
# Sub-intervals per bin (even, for Simpson's rule) when integrating a pdf over a bin.
_SUB = 16


# ---------------------------------------------------------------- argument checks

def _samples(x, name="x", dim=1):
    """Samples as a float64 array: (n,) when dim = 1 (from (n,) or (n, 1)), else (n, dim)."""
    arr = float_array("samples", name, x)
    if dim == 1:
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(
                f"{name} must be 1-D samples of shape (n,) or (n, 1), got shape {arr.shape}"
            )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); need at least one sample")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(
            f"samples contain NaN/inf: the generator diverged? ({bad} of {arr.size} "
            f"values in {name} are not finite; try a lower learning rate)"
        )
    return arr


def _check_bins(bins):
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) \
            or bins < 1:
        raise ValueError(f"bins must be an integer >= 1, got {_show(bins)}")
    return int(bins)


def _check_range(lo, hi):
    for name, v in (("lo", lo), ("hi", hi)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(
                v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {_show(v)}")
    if not lo < hi:
        raise ValueError(f"need lo < hi for the bins' range, got lo={_show(lo)}, hi={_show(hi)}")
    return float(lo), float(hi)


def _pdf_callable(pdf):
    """Accept a function of x, or a distribution object with a ``.pdf`` method."""
    f = getattr(pdf, "pdf", pdf)
    if not callable(f):
        raise ValueError(
            f"pdf must be a function of x (or a distribution with .pdf), got {pdf!r}"
        )
    return f


# ------------------------------------------------------------------ bins and masses

def bin_counts(x, lo, hi, bins):
    """Counts of samples in ``bins`` equal bins on [lo, hi]; outside values go to the edge bins.

    Returns (bins,) int array summing to len(x).
    """
    bins = _check_bins(bins)
    lo, hi = _check_range(lo, hi)
    x = _samples(x)
    k = np.floor((x - lo) / (hi - lo) * bins)
    k = np.clip(k, 0, bins - 1).astype(np.intp)                          # (n,)
    return np.bincount(k, minlength=bins)


def pdf_bin_masses(pdf, lo, hi, bins):
    """P_b = ∫_bin p(x) dx / ∫_lo^hi p(x) dx, each bin by Simpson's rule on 16 sub-intervals.

    Returns (bins,) floats summing to 1.  The renormalisation over [lo, hi] drops the
    pdf's mass outside the range: choose the range to hold (nearly) all of it.
    """
    f = _pdf_callable(pdf)
    bins = _check_bins(bins)
    lo, hi = _check_range(lo, hi)
    t = np.linspace(lo, hi, bins * _SUB + 1)                              # (bins·S + 1,)
    p = float_array("pdf_bin_masses", "pdf's output", f(t))
    if p.size != t.size:
        raise ValueError(
            f"pdf(x) must return one density per point: gave shape {p.shape} "
            f"for x of shape {t.shape}"
        )
    p = p.reshape(-1)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("pdf(x) must be finite and >= 0 on [lo, hi]")
    h = (hi - lo) / (bins * _SUB)
    simpson = np.ones(_SUB + 1)
    simpson[1:-1:2], simpson[2:-1:2] = 4.0, 2.0
    rows = np.arange(bins)[:, None] * _SUB + np.arange(_SUB + 1)[None, :]  # (bins, S + 1)
    masses = p[rows] @ simpson * (h / 3.0)                                 # (bins,)
    total = masses.sum()
    if total <= 0:
        raise ValueError(
            f"the pdf has no mass on [lo, hi] = [{lo}, {hi}]; move the range onto p_data"
        )
    return masses / total


def _jsd_masses(P, Q):
    """½ Σ P log(P/M) + ½ Σ Q log(Q/M), M = (P + Q)/2, with 0 log 0 = 0."""
    M = 0.5 * (P + Q)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(P > 0, P * np.log(P / M), 0.0)
        b = np.where(Q > 0, Q * np.log(Q / M), 0.0)
    jsd = 0.5 * float(np.sum(a) + np.sum(b))
    return min(max(jsd, 0.0), LOG2)          # clip round-off outside [0, log 2]


# ------------------------------------------------------------------------ moments

def moments(x):
    """Sample moments of 1-D samples x ((n,) or (n, 1)).

        mean = (1/n) Σ x_i,   m_k = (1/n) Σ (x_i − mean)^k,   std = √m₂
        skew = m₃ / m₂^{3/2},   kurtosis = m₄ / m₂² − 3     (excess: 0 for a Gaussian)

    Plain (biased, ddof = 0) moments, like ``scipy.stats.skew``/``kurtosis`` defaults.
    If all samples are equal (a collapsed generator) std = 0 and skew and kurtosis are
    undefined: they are returned as nan.
    Returns dict(mean=float, std=float, skew=float, kurtosis=float).
    """
    x = _samples(x)
    mean = float(np.mean(x))
    d = x - mean
    m2, m3, m4 = (float(np.mean(d ** k)) for k in (2, 3, 4))
    if m2 > 0:
        skew, kurt = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3.0
    else:
        skew = kurt = float("nan")
    return {"mean": mean, "std": math.sqrt(m2), "skew": skew, "kurtosis": kurt}


# ------------------------------------------------------------------- divergences

def jsd_pdf(x, pdf, lo, hi, bins=100):
    """JSD between the samples' histogram and a known pdf, as masses on the same bins.

        P_b = pdf's mass in bin b (Simpson, renormalised over [lo, hi])
        Q_b = (samples in bin b) / n     (samples outside [lo, hi] go to the edge bins)
        JSD = ½ Σ P log(P/M) + ½ Σ Q log(Q/M),   M = ½(P + Q)       in [0, log 2]

    Inputs:
    - x: samples of p_g, (n,) or (n, 1)
    - pdf: p_data as a function of an (m,) array returning (m,), or a distribution
    - lo, hi: the bins' range; bins: how many equal bins
    Returns a float (nats).  Noise floor for a perfect sampler: at most about
    (bins − 1)/(8n) (≈ 0.0011 for 100 bins on ±5σ at n = 1e4, measured).
    """
    x = _samples(x)
    P = pdf_bin_masses(pdf, lo, hi, bins)
    Q = bin_counts(x, lo, hi, bins) / x.size
    return _jsd_masses(P, Q)


def jsd_samples(x, y, bins=50, lo=None, hi=None):
    """Two-sample histogram JSD between samples x (p_g) and y (p_data).

    Bins: ``bins`` equal bins on [lo, hi], by default mean(y) ± 5·std(y) (the range of
    docs/THEORY.md's floors table: a perfect sampler scores ~0.0089, 0.0010, 1.1e-4 at
    n = 1e3, 1e4, 1e5 with 50 bins).  Samples outside go to the edge bins.
    Returns a float (nats) in [0, log 2].
    """
    x, y = _samples(x, "x"), _samples(y, "y")
    if lo is None or hi is None:
        m, s = float(np.mean(y)), float(np.std(y))
        if s == 0:
            raise ValueError(
                "y has zero spread (all samples equal), so the default range "
                "mean(y) ± 5 std(y) is empty: pass lo and hi"
            )
        lo = m - 5 * s if lo is None else lo
        hi = m + 5 * s if hi is None else hi
    Q = bin_counts(x, lo, hi, bins) / x.size
    P = bin_counts(y, lo, hi, bins) / y.size
    return _jsd_masses(P, Q)


KL_DIRECTIONS = ("data||g", "g||data")


def kl_pdf(x, pdf, lo, hi, bins=100, direction="data||g", alpha=0.5):
    """KL divergence between a known pdf (p_data) and the samples' histogram (p_g), on bins.

    P_b = pdf's mass in bin b (renormalised over [lo, hi]); Q_b from the n samples
    (outside samples in the edge bins).

    * ``direction="data||g"`` (default), the forward KL that maximum likelihood
      minimises:  KL(P‖Q) = Σ P log(P/Q).  A bin where p_data has mass but no sample
      fell would give +inf, so the histogram is smoothed with ``alpha`` pseudo-counts
      per bin:  Q_b = (count_b + α) / (n + α·bins)   (α = 0.5, Krichevsky–Trofimov).
    * ``direction="g||data"``, the reverse KL:  KL(Q‖P) = Σ Q log(Q/P), with the raw
      histogram (empty bins contribute 0 log 0 = 0, no smoothing).  It is +inf when
      samples fall in a bin where the pdf has no mass at all: p_g puts mass where
      p_data has none.

    Returns a float (nats), >= 0 (or inf as above).
    """
    if direction not in KL_DIRECTIONS:
        raise ValueError(f"direction must be one of {KL_DIRECTIONS}, got {direction!r}")
    if not (is_number(alpha) and np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha (pseudo-counts per bin) must be > 0, got {_show(alpha)}")
    x = _samples(x)
    P = pdf_bin_masses(pdf, lo, hi, bins)
    counts = bin_counts(x, lo, hi, bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        if direction == "data||g":
            Q = (counts + alpha) / (x.size + alpha * counts.size)
            terms = np.where(P > 0, P * np.log(P / Q), 0.0)
        else:
            Q = counts / x.size
            terms = np.where(Q > 0, Q * np.log(Q / P), 0.0)
    return max(float(np.sum(terms)), 0.0)


def kl_gaussians(mu1, s1, mu2, s2):
    """KL(N(μ1, s1²) ‖ N(μ2, s2²)) = log(s2/s1) + (s1² + (μ1 − μ2)²)/(2 s2²) − ½  (closed form)."""
    for name, v, positive in (("mu1", mu1, False), ("s1", s1, True),
                              ("mu2", mu2, False), ("s2", s2, True)):
        check_number("kl_gaussians", name, v, positive)
    return float(math.log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - 0.5)


def _trapezoid(f, x):
    return float(np.sum(np.diff(x) * (f[1:] + f[:-1])) / 2.0)


def jsd_densities(p, q, x, mass_tol=1e-3):
    """JSD between two densities tabulated on a grid, by the trapezoid rule.

        JSD(p‖q) = ½ ∫ p log(p/m) dx + ½ ∫ q log(q/m) dx,   m = ½(p + q),   0 log 0 = 0

    Inputs:
    - p, q: (N,) densities at the points x, >= 0
    - x: (N,) strictly increasing grid (e.g. ``theory.grid``); it must hold nearly all of
      both masses: if ∫p or ∫q differs from 1 by more than ``mass_tol`` (None: no check)
      a ValueError says to widen the grid.
    Returns a float (nats) in [0, log 2].
    """
    p, q, x = (float_array("jsd_densities", name, a) for name, a in (("p", p), ("q", q), ("x", x)))
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {x.shape}")
    for name, a in (("p", p), ("q", q)):
        if a.shape != x.shape:
            raise ValueError(f"{name} must have the grid's shape {x.shape}, got {a.shape}")
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError(f"{name} must be a density: finite and >= 0 everywhere")
    if not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
        raise ValueError("x must be finite and strictly increasing")
    if mass_tol is not None:
        check_number("jsd_densities", "mass_tol", mass_tol, positive=True)
        for name, a in (("p", p), ("q", q)):
            mass = _trapezoid(a, x)
            if abs(mass - 1.0) > mass_tol:
                raise ValueError(
                    f"{name} integrates to {mass:.6g} on the grid [{x[0]}, {x[-1]}], "
                    f"not 1 (tolerance {mass_tol}): widen or refine the grid"
                )
    # p log(p/m) as p (log p − log m), and log m as log(p + q) − log 2: p/m, or m
    # itself, may underflow to 0 far in a tail where p is a tiny but positive density
    s = p + q
    log_m = np.log(np.where(s > 0, s, 1.0)) - LOG2
    with np.errstate(divide="ignore"):
        integrand = 0.5 * (np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - log_m), 0.0)
                           + np.where(q > 0, q * (np.log(np.where(q > 0, q, 1.0)) - log_m), 0.0))
    return min(max(_trapezoid(integrand, x), 0.0), LOG2)


# -------------------------------------------------------------- Wasserstein-1 (1D)

def w1_samples(x, y):
    """Wasserstein-1 (earth mover's) distance between two 1-D sample sets.

        W1 = ∫ |F_x(t) − F_y(t)| dt        (F: the empirical CDFs)

    Equal sizes: W1 = (1/n) Σ |x_(i) − y_(i)|, sorted samples matched in order.
    Unequal sizes: the integral, exactly, over the merged sorted support (F_x and F_y
    are step functions, constant between consecutive merged points).
    Returns a float in the samples' units.
    """
    x, y = np.sort(_samples(x, "x")), np.sort(_samples(y, "y"))
    if x.size == y.size:
        return float(np.mean(np.abs(x - y)))
    t = np.sort(np.concatenate([x, y]))                                    # (n + m,)
    Fx = np.searchsorted(x, t[:-1], side="right") / x.size
    Fy = np.searchsorted(y, t[:-1], side="right") / y.size
    return float(np.sum(np.abs(Fx - Fy) * np.diff(t)))


def w1_to_distribution(x, dist):
    """W1 between samples x and a known 1-D distribution, via its quantiles.

        W1 ≈ (1/n) Σ_i |x_(i) − F⁻¹((i + ½)/n)|,     i = 0 … n − 1

    ``dist`` needs a ``ppf`` (Gaussian, Uniform, GaussianMixture have one).  The
    quantile grid makes this an estimate with its own floor: a perfect sampler of
    N(0, 1) scores ≈ 0.022 (95th percentile) at n = 1e4 (docs/THEORY.md).
    """
    x = np.sort(_samples(x))
    ppf = getattr(dist, "ppf", None)
    if not callable(ppf):
        raise ValueError(
            f"w1_to_distribution needs a distribution with a ppf (quantile function), "
            f"got {dist!r}; Gaussian, Uniform and GaussianMixture have one"
        )
    u = (np.arange(x.size) + 0.5) / x.size
    quantiles = float_array("w1_to_distribution", "ppf's output", ppf(u)).reshape(-1)
    return float(np.mean(np.abs(x - quantiles)))


# ------------------------------------------------------------ modes (VEEGAN metrics)

def mode_coverage(x, centers, sigma, threshold=3.0, min_count=1):
    """How many modes a sampler covers, and how many samples are near a mode.

    VEEGAN's metrics (Srivastava et al. 2017): a sample is *high-quality* when it lies
    within ``threshold``·σ of its nearest mode; a mode is *captured* when at least
    ``min_count`` high-quality samples are nearest to it.  A perfect Ring2D sampler
    captures 8/8 with 1 − e^{−9/2} = 98.9% high-quality samples; in 1D, 99.7%.

    Inputs:
    - x: samples, (n,) or (n, 1) for 1-D modes, (n, d) otherwise
    - centers: the modes, (K,) in 1D (e.g. ``GaussianMixture.modes``) or (K, d)
      (e.g. ``Ring2D.centers``)
    - sigma: the modes' standard deviation (a number, or one per mode)
    Returns dict(n_captured=int, n_modes=int, captured=(K,) bool, counts=(K,) int
    high-quality samples per mode, high_quality=float fraction of samples).
    """
    c = float_array("mode_coverage", "centers", centers)
    if c.ndim == 1:
        c = c.reshape(-1, 1)
    if c.ndim != 2 or c.shape[0] < 1 or not np.all(np.isfinite(c)):
        raise ValueError(f"centers must be finite, of shape (K,) or (K, d), got {c.shape}")
    x = _samples(x, dim=c.shape[1])
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(
            f"x must have shape (n, {c.shape[1]}) to match centers {c.shape}, got {x.shape}"
        )
    sig = float_array("mode_coverage", "sigma", sigma)
    if sig.ndim > 1 or sig.size not in (1, c.shape[0]) or not np.all(np.isfinite(sig)) \
            or np.any(sig <= 0):
        raise ValueError(f"sigma must be > 0 (one number or one per mode), got {_show(sigma)}")
    sig = np.broadcast_to(sig, (c.shape[0],))
    check_number("mode_coverage", "threshold (in sigmas)", threshold, positive=True)
    if isinstance(min_count, (bool, np.bool_)) or not isinstance(
            min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be an integer >= 1, got {_show(min_count)}")
    d2 = np.sum((x[:, None, :] - c[None, :, :]) ** 2, axis=2)              # (n, K)
    nearest = np.argmin(d2, axis=1)                                         # (n,)
    dist = np.sqrt(d2[np.arange(x.shape[0]), nearest])
    good = dist <= threshold * sig[nearest]
    counts = np.bincount(nearest[good], minlength=c.shape[0])
    captured = counts >= min_count
    return {"n_captured": int(captured.sum()), "n_modes": int(c.shape[0]),
            "captured": captured, "counts": counts,
            "high_quality": float(np.mean(good))}


# ----------------------------------------------- D against D*, and the 1D verdict

def kde(samples, x, bandwidth=None):
    """Gaussian kernel density estimate of 1-D samples, at the points x.

        p̂(x) = (1/n) Σ_i φ((x − x_i)/h) / h,   h = 1.06 · std · n^(−1/5)  (Silverman)

    Inputs: samples (n,) or (n, 1); x (m,); bandwidth h > 0 (default Silverman's).
    Returns (m,) densities.  The kernel smooths p̂ a little: it is an estimate.
    """
    s = _samples(samples, "samples")
    x = _samples(x, "x")
    h = 1.06 * s.std() * s.size ** (-0.2) if bandwidth is None else bandwidth
    if not (is_number(h) and h > 0):
        raise ValueError(f"bandwidth must be > 0 (samples with zero spread need one given), "
                         f"got {_show(h)}")
    out = np.zeros(x.size)
    for start in range(0, s.size, 2048):        # (m, 2048) blocks keep memory small
        t = (x[:, None] - s[None, start:start + 2048]) / h
        out += np.exp(-0.5 * t * t).sum(axis=1)
    return out / (s.size * h * math.sqrt(2.0 * math.pi))


def d_star_gap(x_real, x_fake, d_real, d_fake, pdf, lo, hi, grid=801):
    """How far a trained D is from the best D against the current G, where samples are.

        D*(x) = p_data(x) / (p_data(x) + p̂_g(x))        (Goodfellow et al. 2014, Prop. 1)
        gap = mean over x in x_real ∪ x_fake of |D(x) − D*(x)|
            ≈ ∫ |D − D*| (p_data + p_g)/2 dx

    p_g has no formula (G is a network): p̂_g is a KDE of x_fake on ``grid`` points of
    [lo, hi], interpolated at each sample.  At the end of a good game D ≈ D* ≈ ½;
    a D that averages ½ while being wrong pointwise (¼ on one side, ¾ on the other)
    scores a large gap.  Estimator floor (a perfect sampler and D = ½, 10,000 samples
    of each): 0.006–0.008 over five seeds.

    Inputs: x_real, x_fake (n,) samples of p_data and p_g; d_real, d_fake (n,) D at
    them, in (0, 1); pdf: p_data's density; lo, hi: the KDE's grid.
    Returns a float in [0, 1].
    """
    x_real, x_fake = _samples(x_real, "x_real"), _samples(x_fake, "x_fake")
    d = np.concatenate([_samples(d_real, "d_real"), _samples(d_fake, "d_fake")])
    if d.size != x_real.size + x_fake.size:
        raise ValueError(f"need one D value per sample: got {d.size} for "
                         f"{x_real.size} + {x_fake.size} samples")
    if np.any(d < 0) or np.any(d > 1):
        raise ValueError("d_real and d_fake are D(x), probabilities in [0, 1]")
    lo, hi = _check_range(lo, hi)
    t = np.linspace(lo, hi, grid)                                          # (grid,)
    x = np.concatenate([x_real, x_fake])                                   # (2n,)
    p_g = np.interp(x, t, kde(x_fake, t))
    p_d = np.asarray(_pdf_callable(pdf)(x), dtype=np.float64).reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d_star = np.where(p_d + p_g > 0, p_d / (p_d + p_g), 0.5)
    return float(np.mean(np.abs(d - d_star)))


# The demo's "converged": both halves of the game (docs/THEORY.md), with two
# estimators of p_g's distance to p_data that share nothing (binned JSD, quantile W1)
# and D judged pointwise against D* as well as on average against ½.
CONVERGENCE_LIMITS = {
    "mean": 0.1,          # |mean − μ| ≤ 0.1 σ
    "std": 0.1,           # |std / σ − 1| ≤ 0.1
    "jsd": 0.01,          # nats, 10,000 samples, 50 bins on μ ± 5σ (floor ≈ 0.0005)
    "w1": 0.04,           # W1 ≤ 0.04 σ (a perfect sampler: ≤ 0.022 σ, 95th percentile)
    "d": (0.45, 0.55),    # mean D on real, and on generated, samples
    "d_star_gap": 0.03,   # mean |D − D*| over both sets of samples (floor ≈ 0.007)
}


def convergence_checks(measured, limits=None):
    """Which of the convergence tests a run's measurements pass: {name: bool}.

    ``measured``: a dict with target_mean, target_std, mean, std, jsd, w1, d_real,
    d_fake, and optionally d_star_gap (then it is judged too).  ``limits``: changes
    to ``CONVERGENCE_LIMITS``.  The run has converged when every value is True.
    """
    lim = dict(CONVERGENCE_LIMITS, **(limits or {}))
    need = ("target_mean", "target_std", "mean", "std", "jsd", "w1", "d_real", "d_fake")
    missing = [key for key in need if key not in measured]
    if missing:
        raise ValueError(f"convergence_checks: measured is missing {', '.join(missing)}")
    m = {key: float(value) for key, value in measured.items()
         if key in need + ("d_star_gap",)}
    for key, value in m.items():
        if not math.isfinite(value):
            raise ValueError(f"convergence_checks: {key} is {value}, expected a finite number")
    mu, sigma = m["target_mean"], m["target_std"]
    if sigma <= 0:
        raise ValueError(f"convergence_checks: target_std must be > 0, got {sigma}")
    lo, hi = lim["d"]
    checks = {
        "mean": abs(m["mean"] - mu) <= lim["mean"] * sigma,
        "std": abs(m["std"] / sigma - 1) <= lim["std"],
        "jsd": m["jsd"] <= lim["jsd"],
        "w1": m["w1"] <= lim["w1"] * sigma,
        "d_real": lo <= m["d_real"] <= hi,
        "d_fake": lo <= m["d_fake"] <= hi,
    }
    if "d_star_gap" in m:
        checks["d_star_gap"] = m["d_star_gap"] <= lim["d_star_gap"]
    return checks
