"""The training loop's small arithmetic, checked number by number.

Each test here pins one formula that a short training run cannot tell apart from a
plausible mistake (the run still trains, the history still changes): the average of
G's parameters, the seed behind the initial weights, SGD's momentum, the learning-rate
schedule, and the mapping of G's output back to data units.  docs/TESTING.md lists the
planted bugs each one catches.
"""

import copy

import numpy as np
import pytest

from numpygan.distributions import Gaussian
from numpygan.gan import gan_1d
from numpygan.optim import SGD


def _small_game(seed=0, **kwargs):
    return gan_1d(Gaussian(4.0, 1.25), hidden=4, d_hidden=4, batch=8, seed=seed, **kwargs)


# ------------------------------------------------------- the average of G's parameters
def test_parameter_average_is_beta_old_plus_one_minus_beta_new():
    """θ_avg ← β θ_avg + (1 − β) θ_G after one step, with β = 0.9 (so β and 1 − β differ)."""
    beta = 0.9
    gan = _small_game(average=0.0, average_beta=beta)
    gan.train(3, total=10)                         # averaging starts at step 0·10
    assert gan.G_avg is not None and gan.generator is gan.G_avg
    before = [p.copy() for p in gan.G_avg.params()]
    gan.train(1, total=10)
    for avg, old, new in zip(gan.G_avg.params(), before, gan.G.params()):
        np.testing.assert_allclose(avg, beta * old + (1 - beta) * new, rtol=1e-12, atol=1e-15)
    # and the average is not simply the live G
    assert any(not np.allclose(a, p) for a, p in zip(gan.G_avg.params(), gan.G.params()))


def test_parameter_average_starts_at_its_fraction_of_the_run():
    """average = 0.5 of 10 steps: G itself samples before step 5, the average from then on."""
    gan = _small_game(average=0.5)
    gan.train(4, total=10)
    assert gan.G_avg is None and gan.generator is gan.G
    gan.train(1, total=10)                          # step 5 = 0.5 · 10: a copy of G
    assert gan.G_avg is not None
    for a, p in zip(gan.G_avg.params(), gan.G.params()):
        np.testing.assert_array_equal(a, p)


# ---------------------------------------------------------- seeds and initial weights
def _initial_weights(seed):
    gan = _small_game(seed=seed)
    return [p.copy() for p in gan.G.params() + gan.D.params()]


def test_the_seed_sets_the_initial_weights():
    """Same seed: bit-identical initial G and D; another seed: different ones.

    Checked on the weights themselves, before any step: a history that differs
    between seeds would also come from the seeded sampling alone.
    """
    a, b, c = _initial_weights(3), _initial_weights(3), _initial_weights(4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    weights = [i for i, x in enumerate(a) if x.ndim == 2]
    assert weights and all(not np.array_equal(a[i], c[i]) for i in weights)


# ------------------------------------------------------------------- SGD's momentum
def _sgd_path(lr, momentum, curvature, theta0, steps):
    """θ_t of SGD on f(θ) = ½ Σ c θ², the gradient c θ, through the public API."""
    theta = np.array(theta0, dtype=np.float64)
    grad = np.zeros_like(theta)
    opt = SGD(lr, momentum=momentum)
    path = [theta.copy()]
    for _ in range(steps):
        grad[...] = curvature * theta
        opt.step([theta], [grad])
        path.append(theta.copy())
    return np.array(path)


def test_sgd_momentum_on_a_known_quadratic():
    """v ← μ v − lr g; θ ← θ + v, on f = ½ c θ² with c = 2, lr = 0.1, μ = 0.5, θ₀ = 1.

    By hand: g₀ = 2, v₁ = −0.2, θ₁ = 0.8;  g₁ = 1.6, v₂ = 0.5·(−0.2) − 0.16 = −0.26,
    θ₂ = 0.54;  g₂ = 1.08, v₃ = −0.13 − 0.108 = −0.238, θ₃ = 0.302.
    """
    path = _sgd_path(0.1, 0.5, 2.0, [1.0], 3)[:, 0]
    np.testing.assert_allclose(path, [1.0, 0.8, 0.54, 0.302], rtol=1e-12)


def test_sgd_momentum_matches_the_recurrence_in_every_coordinate():
    """Many steps, several curvatures: the iterates follow
    θ_{t+1} = θ_t + μ (θ_t − θ_{t−1}) − lr c θ_t  and head to the minimum at 0 (faster
    than plain SGD along the flat direction)."""
    c = np.array([0.05, 1.0, 4.0])
    lr, mu, steps = 0.2, 0.8, 60
    path = _sgd_path(lr, mu, c, [1.0, -2.0, 0.5], steps)
    expected = [np.array([1.0, -2.0, 0.5])]
    prev = expected[0]
    for t in range(steps):
        nxt = expected[-1] + mu * (expected[-1] - prev) - lr * c * expected[-1]
        prev = expected[-1]
        expected.append(nxt)
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-10, atol=1e-12)
    plain = _sgd_path(lr, 0.0, c, [1.0, -2.0, 0.5], steps)
    assert abs(path[-1, 0]) < 0.5 * abs(plain[-1, 0])     # momentum speeds the flat direction
    np.testing.assert_allclose(plain[1], [1.0, -2.0, 0.5] - lr * c * [1.0, -2.0, 0.5])


# ------------------------------------------------------------ the learning-rate schedule
@pytest.mark.parametrize("final", [0.02, 0.5])
def test_linear_schedule_factor_at_chosen_steps(final):
    """lr at step s (0-based, s steps done) = lr₀ · (1 − (1 − final) · s / total)."""
    lr0, total = 2e-3, 100
    gan = _small_game(lr=lr0, final_lr_frac=final)
    gan.train(total)
    for key in ("lr_d", "lr_g"):
        lr = np.array(gan.history[key])
        for s in (0, 1, 25, 50, 99):
            assert lr[s] == pytest.approx(lr0 * (1 - (1 - final) * s / total), rel=1e-12), (key, s)


def test_constant_schedule_keeps_the_rate():
    gan = _small_game(lr=2e-3, schedule="constant")
    gan.train(20)
    assert set(gan.history["lr_d"]) == {2e-3} and set(gan.history["lr_g"]) == {2e-3}


def test_the_schedule_spans_the_planned_total_when_trained_in_pieces():
    """train(30, total=100) three times then 10: the same rates as one train(100)."""
    whole = _small_game(lr=1e-3)
    whole.train(100)
    pieces = _small_game(lr=1e-3)
    for n in (30, 30, 30, 10):
        pieces.train(n, total=100)
    assert pieces.history["lr_d"] == whole.history["lr_d"]


# ------------------------------------------------------------------------ data units
FAR = Gaussian(100.0, 0.5)    # far from 0, and narrow: standard units ≠ data units


def test_generate_maps_G_output_back_to_data_units():
    gan = gan_1d(FAR, hidden=4, d_hidden=4, seed=0)
    z = np.linspace(-1, 1, 7).reshape(-1, 1)
    u = gan.G.forward(z)                                    # standard units
    x = gan.generate(z)                                     # data units
    np.testing.assert_allclose(x, gan.shift + gan.scale * u, rtol=1e-14)
    assert gan.shift[0] == pytest.approx(100.0, abs=0.01)
    assert gan.scale[0] == pytest.approx(0.5, rel=0.01)


def test_sample_returns_data_units_on_a_far_target():
    """Even untrained, G's samples sit where p_data is (within a few σ of 100), not near 0."""
    gan = gan_1d(FAR, hidden=4, d_hidden=4, seed=0)
    rng = np.random.default_rng(5)
    x = gan.sample(2000, copy.deepcopy(rng))
    assert x.shape == (2000, 1)
    np.testing.assert_array_equal(x, gan.generate(gan.p_z.sample(2000, rng)))
    assert np.all(np.abs(x - 100.0) < 20 * 0.5)


def test_discriminator_reads_data_units():
    gan = gan_1d(FAR, hidden=4, d_hidden=4, seed=0)
    x = np.array([99.0, 100.0, 101.5])
    np.testing.assert_allclose(
        gan.discriminator_logits(x),
        gan.D.forward(((x.reshape(-1, 1) - gan.shift) / gan.scale))[:, 0], rtol=1e-14)
