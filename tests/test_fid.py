"""numpygan.fid: the Fréchet distance against answers known in closed form."""

import numpy as np
import pytest

from numpygan.fid import (frechet_distance, frechet_distance_gaussians, gaussian_fit,
                          sqrtm_psd, trace_sqrt_product)


def test_diagonal_case_by_hand():
    # Σ diagonal: (Σ₁Σ₂)^½ = diag(√(a b)), so d² = ‖μ₁ − μ₂‖² + Σᵢ (√aᵢ − √bᵢ)²
    # μ: (0, 0) vs (3, 4) -> 25;  σ: (2, 3) vs (1, 4) -> 1 + 1;  d² = 27
    d2 = frechet_distance_gaussians([0.0, 0.0], np.diag([4.0, 9.0]),
                                    [3.0, 4.0], np.diag([1.0, 16.0]))
    assert d2 == pytest.approx(27.0, rel=1e-12)


def test_one_dimension_is_mean_and_std_gaps():
    # 1-D: d² = (μ₁ − μ₂)² + (σ₁ − σ₂)²  (the W2 distance between two normals, squared)
    assert frechet_distance_gaussians([1.0], [[0.25]], [-0.5], [[4.0]]) == pytest.approx(
        1.5 ** 2 + (0.5 - 2.0) ** 2, rel=1e-12)


def _two_by_two_trace_sqrt(A, B):
    # For a 2×2 matrix P with non-negative eigenvalues, Tr P^½ = sqrt(Tr P + 2 sqrt(det P))
    # (the eigenvalues' square roots: (√λ₁ + √λ₂)² = λ₁ + λ₂ + 2√(λ₁λ₂)).
    P = A @ B
    return np.sqrt(np.trace(P) + 2.0 * np.sqrt(np.linalg.det(P)))


def test_non_commuting_covariances_match_the_2x2_closed_form():
    # Σ₁ and Σ₂ with different eigenvectors: Σ₁Σ₂ is not symmetric, and
    # Tr(√Σ₁ √Σ₂) or an element-wise square root would give other numbers.
    S1 = np.array([[2.0, 0.9], [0.9, 1.0]])
    S2 = np.array([[3.0, -1.2], [-1.2, 0.6]])
    mu1, mu2 = np.array([0.2, -1.0]), np.array([1.0, 0.5])
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(S1) + np.trace(S2)
                - 2.0 * _two_by_two_trace_sqrt(S1, S2))
    assert trace_sqrt_product(S1, S2) == pytest.approx(_two_by_two_trace_sqrt(S1, S2),
                                                       rel=1e-12)
    assert frechet_distance_gaussians(mu1, S1, mu2, S2) == pytest.approx(expected, rel=1e-12)
    wrong = np.trace(sqrtm_psd(S1) @ sqrtm_psd(S2))             # the commuting shortcut
    assert abs(wrong - trace_sqrt_product(S1, S2)) > 0.05


def test_symmetric_zero_on_itself_and_rotation_invariant():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    B = rng.standard_normal((4, 4))
    S1, S2 = A @ A.T + 0.1 * np.eye(4), B @ B.T + 0.1 * np.eye(4)
    mu1, mu2 = rng.standard_normal(4), rng.standard_normal(4)
    d2 = frechet_distance_gaussians(mu1, S1, mu2, S2)
    assert d2 == pytest.approx(frechet_distance_gaussians(mu2, S2, mu1, S1), rel=1e-10)
    assert frechet_distance_gaussians(mu1, S1, mu1, S1) == pytest.approx(0.0, abs=1e-10)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))            # a rotation of feature space
    rotated = frechet_distance_gaussians(Q @ mu1, Q @ S1 @ Q.T, Q @ mu2, Q @ S2 @ Q.T)
    assert rotated == pytest.approx(d2, rel=1e-10)


def test_singular_covariance_is_allowed():
    # a degenerate Gaussian (all mass on a line) is still a Gaussian: d² stays finite
    S1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    d2 = frechet_distance_gaussians([0, 0], S1, [0, 0], S1)
    assert d2 == pytest.approx(0.0, abs=1e-7)


def test_samples_of_two_known_gaussians_converge_to_the_closed_form():
    rng = np.random.default_rng(1)
    S1 = np.array([[2.0, 0.9], [0.9, 1.0]])
    S2 = np.array([[3.0, -1.2], [-1.2, 0.6]])
    mu1, mu2 = np.array([0.2, -1.0]), np.array([1.0, 0.5])
    n = 200_000
    a = rng.multivariate_normal(mu1, S1, size=n)
    b = rng.multivariate_normal(mu2, S2, size=n)
    exact = frechet_distance_gaussians(mu1, S1, mu2, S2)
    assert frechet_distance(a, b) == pytest.approx(exact, rel=0.02)
    mu, S = gaussian_fit(a)
    assert np.allclose(mu, mu1, atol=0.02) and np.allclose(S, S1, atol=0.03)


def test_real_vs_real_floor_is_small_but_not_zero():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((500, 8)), rng.standard_normal((500, 8))
    floor = frechet_distance(a, b)
    assert 0.0 < floor < 0.3
    assert frechet_distance(a, b + 1.0) > floor + 7.0             # ‖μ₁ − μ₂‖² = 8


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="same number of features"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="2-D features"):
        frechet_distance(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="NaN or inf"):
        frechet_distance(np.full((5, 2), np.nan), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        frechet_distance_gaussians([0, 0], [[1, 0.5], [0, 1]], [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="positive semi-definite"):
        frechet_distance_gaussians([0, 0], [[1, 2], [2, 1]], [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="means of one length"):
        frechet_distance_gaussians([0, 0], np.eye(2), [0, 0, 0], np.eye(3))
