"""CycleGAN in miniature: the L1 cycle loss's subgradient, G's and F's gradients (through
D and through both cycles) against central differences, one step's bookkeeping, bad input."""

import numpy as np
import pytest

from numpygan import losses
from numpygan.cyclegan import CycleGAN, check_lambda, generator_gradients
from numpygan.distributions import Gaussian, Ring2D
from numpygan.gradcheck import numerical_gradient, rel_error
from numpygan.network import mlp
from numpygan.optim import SGD, Adam


def _nets(seed=0, dx=2, dy=2):
    rng = np.random.default_rng(seed)
    G = mlp([dx, 6, dy], hidden="tanh", rng=rng)
    F = mlp([dy, 5, dx], hidden="tanh", rng=rng)
    D_X = mlp([dx, 7, 1], hidden="leaky_relu", rng=rng)
    D_Y = mlp([dy, 4, 1], hidden="leaky_relu", rng=rng)
    return G, F, D_X, D_Y, rng


def test_l1_cycle_loss_value_and_subgradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    x_rec = x + rng.choice([-1, 1], size=x.shape) * rng.uniform(0.1, 1.0, size=x.shape)
    loss, grad = losses.l1_cycle_loss(x_rec, x)
    assert loss == pytest.approx(np.abs(x_rec - x).sum() / 5)
    # away from 0 (every |x_rec − x| >= 0.1 >> h) the L1 loss is differentiable
    num = numerical_gradient(lambda: losses.l1_cycle_loss(x_rec, x)[0], x_rec)
    assert rel_error(grad, num) < 1e-9
    # at 0 the subgradient chosen is sign(0) = 0
    _, g0 = losses.l1_cycle_loss(x.copy(), x)
    assert np.all(g0 == 0)


@pytest.mark.parametrize("bad,match", [
    (lambda x: x[:, :2], "one shape"),
    (lambda x: x.astype(int), "float array"),
    (lambda x: np.where(x > 0, np.nan, x), "NaN or inf"),
])
def test_l1_cycle_loss_refuses_bad_input(bad, match):
    x = np.random.default_rng(1).normal(size=(4, 3))
    with pytest.raises(ValueError, match=match):
        losses.l1_cycle_loss(bad(x), x)


@pytest.mark.parametrize("lam", [0.0, 2.5])
def test_generator_gradients_match_central_differences(lam, each_backend):
    """G's and F's gradients of L_GF: through D_Y and D_X, and through both cycles."""
    G, F, D_X, D_Y, rng = _nets()
    x = rng.normal(size=(6, 2))
    y = rng.normal(size=(5, 2))

    def L():
        return generator_gradients(G, F, D_X, D_Y, x, y, lam)["loss"]

    generator_gradients(G, F, D_X, D_Y, x, y, lam)
    analytic = [g.copy() for g in G.grads()] + [g.copy() for g in F.grads()]
    params = G.params() + F.params()
    for p, g in zip(params, analytic):
        assert rel_error(g, numerical_gradient(L, p, h=1e-6), floor=1e-7) < 1e-6


def test_generator_gradients_differ_in_width():
    """X and Y of different widths (1 -> 3 -> 1): the shapes go the right way round."""
    G, F, D_X, D_Y, rng = _nets(seed=2, dx=1, dy=3)
    x, y = rng.normal(size=(4, 1)), rng.normal(size=(3, 3))
    L = lambda: generator_gradients(G, F, D_X, D_Y, x, y, 1.0)["loss"]
    generator_gradients(G, F, D_X, D_Y, x, y, 1.0)
    got = [g.copy() for g in G.grads() + F.grads()]
    for p, g in zip(G.params() + F.params(), got):
        assert rel_error(g, numerical_gradient(L, p, h=1e-6), floor=1e-7) < 1e-6


def test_cycle_term_is_lambda_times_the_l1_losses():
    G, F, D_X, D_Y, rng = _nets(3)
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
    a = generator_gradients(G, F, D_X, D_Y, x, y, 0.0)
    b = generator_gradients(G, F, D_X, D_Y, x, y, 3.0)
    assert b["loss"] - a["loss"] == pytest.approx(3.0 * (b["cyc_x"] + b["cyc_y"]))
    assert b["cyc_x"] == pytest.approx(np.abs(F.forward(G.forward(x)) - x).sum() / 8)


def test_step_moves_G_and_F_and_both_discriminators():
    G, F, D_X, D_Y, _ = _nets(4)
    before = [[p.copy() for p in n.params()] for n in (G, F, D_X, D_Y)]
    cg = CycleGAN(G, F, D_X, D_Y, Ring2D(4, 1.0, 0.1), Gaussian(0, 1, dim=2),
                  [SGD(0.01), SGD(0.01), SGD(0.01), SGD(0.01)], lam=1.0, batch=16)
    stats = cg.step()
    for net, old in zip((G, F, D_X, D_Y), before):
        assert any(not np.array_equal(p, q) for p, q in zip(net.params(), old))
    assert 0 < stats["d_fake_x"] < 1 and len(cg.history["loss"]) == 1
    assert cg.cycle_error(np.zeros((3, 2))) >= 0


def test_a_short_run_lowers_the_cycle_error():
    """λ = 10 on two 2D Gaussians: after 300 steps F(G(x)) lies far closer to x."""
    G, F, D_X, D_Y, _ = _nets(5)
    p_x, p_y = Gaussian(0, 1, dim=2), Gaussian(2, 0.5, dim=2)
    cg = CycleGAN(G, F, D_X, D_Y, p_x, p_y, [Adam(2e-3, beta1=0.5) for _ in range(4)],
                  lam=10.0, batch=64, seed=0)
    x = p_x.sample(500, np.random.default_rng(1))
    before = cg.cycle_error(x)
    cg.train(300)
    assert cg.cycle_error(x) < 0.5 * before


@pytest.mark.parametrize("lam", [-1.0, float("nan"), float("inf"), "10", True])
def test_lambda_must_be_finite_and_nonnegative(lam):
    with pytest.raises(ValueError, match=r"lam \(λ, the cycle loss's weight\) must be a finite"):
        check_lambda(lam)
    G, F, D_X, D_Y, _ = _nets()
    with pytest.raises(ValueError, match="lam"):
        CycleGAN(G, F, D_X, D_Y, Gaussian(0, 1, dim=2), Gaussian(0, 1, dim=2),
                 [SGD(0.1) for _ in range(4)], lam=lam)


def test_bad_networks_and_batches_are_refused():
    G, F, D_X, D_Y, rng = _nets()
    p = Gaussian(0, 1, dim=2)
    opts = lambda: [SGD(0.1) for _ in range(4)]
    with pytest.raises(ValueError, match="four different networks"):
        CycleGAN(G, G, D_X, D_Y, p, p, opts())
    with pytest.raises(ValueError, match=r"G maps 2 -> 2 features, expected 3 -> 2"):
        CycleGAN(G, F, D_X, D_Y, Gaussian(0, 1, dim=3), p, opts())
    with pytest.raises(ValueError, match="four different optimizers"):
        o = SGD(0.1)
        CycleGAN(G, F, D_X, D_Y, p, p, [o, o, SGD(0.1), SGD(0.1)])
    with pytest.raises(ValueError, match=r"x must be a non-empty array of shape \(m, 2\)"):
        generator_gradients(G, F, D_X, D_Y, rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), 1)
