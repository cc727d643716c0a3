"""The Fréchet distance between two sets of features (Heusel et al. 2017, "FID").

Fit a Gaussian to each set, N(μ₁, Σ₁) and N(μ₂, Σ₂); the (squared) Fréchet, or
Wasserstein-2, distance between those two Gaussians is::

    d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)

FID computes it on the features an Inception network gives images; lesson 13
computes it on the hidden layer of a small digit classifier it trains itself.
Like FID, the functions here return d² (the square), and call it the distance.

The matrix square root without SciPy: Σ₁ Σ₂ is not symmetric, but it is similar
to the symmetric positive semi-definite M = Σ₁^½ Σ₂ Σ₁^½ (multiply by Σ₁^½ on the
left and Σ₁^−½ on the right), so both have the same eigenvalues λᵢ ≥ 0, and::

    Tr (Σ₁ Σ₂)^½ = Tr M^½ = Σᵢ sqrt(λᵢ)

with Σ₁^½ itself from the eigendecomposition Σ₁ = V diag(s) Vᵀ: Σ₁^½ = V diag(√s) Vᵀ.
Two ``np.linalg.eigh`` calls, both on symmetric matrices (stable, real results).
Eigenvalues that round-off pushes a hair below zero are taken as zero.

A floor: two finite samples of the *same* distribution do not score 0, because μ
and Σ are estimated (the bias grows with the feature dimension and shrinks with n).
Compare a generator's score with real-vs-real at the same sample sizes.
"""

from __future__ import annotations

import numpy as np


def _features(x, name):
    """Features as a finite float64 (n, d) array with n >= 2; else ValueError."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers (n, d), got {type(x).__name__}")
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D features (n samples, d features), got shape "
                         f"{a.shape}" + (" (one feature per sample: use x.reshape(-1, 1))"
                                         if a.ndim == 1 else ""))
    if a.shape[0] < 2 or a.shape[1] < 1:
        raise ValueError(f"{name} has shape {a.shape}: a covariance needs at least 2 samples "
                         "of at least 1 feature")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} holds {int(np.sum(~np.isfinite(a)))} NaN or inf values")
    return a


def _symmetric(S, name, d):
    S = np.asarray(S, dtype=np.float64)
    if S.shape != (d, d) or not np.all(np.isfinite(S)):
        raise ValueError(f"{name} must be a finite ({d}, {d}) covariance matrix, got shape "
                         f"{S.shape}")
    if not np.allclose(S, S.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(S).max()))):
        raise ValueError(f"{name} must be symmetric (a covariance), but differs from its "
                         f"transpose by {float(np.abs(S - S.T).max()):.3g}")
    return 0.5 * (S + S.T)


def sqrtm_psd(S):
    """S^½ of a symmetric positive semi-definite S: V diag(√s) Vᵀ from S = V diag(s) Vᵀ."""
    s, V = np.linalg.eigh(S)                               # s (d,), V (d, d)
    return (V * np.sqrt(np.clip(s, 0.0, None))) @ V.T      # (d, d)


def trace_sqrt_product(S1, S2):
    """Tr (Σ₁ Σ₂)^½ = Σᵢ sqrt(λᵢ), λ the eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (symmetric, ≥ 0)."""
    R = sqrtm_psd(S1)                                      # Σ₁^½ (d, d)
    M = R @ S2 @ R                                         # (d, d), similar to Σ₁ Σ₂
    lam = np.linalg.eigvalsh(0.5 * (M + M.T))              # symmetrise away round-off
    return float(np.sum(np.sqrt(np.clip(lam, 0.0, None))))


def frechet_distance_gaussians(mu1, S1, mu2, S2):
    """d² between N(mu1, S1) and N(mu2, S2): ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½).

    mu1, mu2: (d,) means;  S1, S2: (d, d) symmetric positive semi-definite covariances.
    """
    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    if mu1.ndim != 1 or mu1.shape != mu2.shape or not np.all(np.isfinite(mu1 - mu2)):
        raise ValueError(f"mu1 and mu2 must be finite (d,) means of one length, got shapes "
                         f"{mu1.shape} and {mu2.shape}")
    d = mu1.shape[0]
    S1 = _symmetric(np.atleast_2d(S1), "S1", d)
    S2 = _symmetric(np.atleast_2d(S2), "S2", d)
    for name, S in (("S1", S1), ("S2", S2)):
        low = float(np.linalg.eigvalsh(S).min())
        if low < -1e-9 * max(1.0, float(np.abs(S).max())):
            raise ValueError(f"{name} must be positive semi-definite (a covariance), but has "
                             f"an eigenvalue {low:.3g} < 0")
    diff = mu1 - mu2                                       # (d,)
    d2 = float(diff @ diff) + float(np.trace(S1) + np.trace(S2)) \
        - 2.0 * trace_sqrt_product(S1, S2)
    return max(d2, 0.0)                                    # round-off can dip below 0


def gaussian_fit(feats):
    """(μ, Σ) of features (n, d): the mean (d,) and the covariance (d, d), 1/(n − 1)."""
    a = _features(feats, "feats")
    return a.mean(axis=0), np.atleast_2d(np.cov(a, rowvar=False))


def frechet_distance(feats_a, feats_b):
    """d² between Gaussians fitted to two sets of features, (n_a, d) and (m, d).

    ‖μ_a − μ_b‖² + Tr(Σ_a + Σ_b − 2 (Σ_a Σ_b)^½), with μ, Σ the sample mean and
    covariance (1/(n − 1)) of each set (Heusel et al. 2017).  Lower is closer; 0
    only when the fitted means and covariances coincide.
    """
    a = _features(feats_a, "feats_a")
    b = _features(feats_b, "feats_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feats_a and feats_b must have the same number of features, got "
                         f"{a.shape[1]} and {b.shape[1]} (shapes {a.shape}, {b.shape})")
    mu_a, S_a = gaussian_fit(a)
    mu_b, S_b = gaussian_fit(b)
    return frechet_distance_gaussians(mu_a, S_a, mu_b, S_b)
