"""The conditional GAN (Mirza & Osindero 2014): one-hot labels into G and D, gradients
through D(x, y), labelled data, a short seeded run whose per-label means reach their
targets, checkpoints, and bad input."""

import numpy as np
import pytest

from numpygan import io, losses
from numpygan.distributions import (Categorical, Gaussian, GaussianMixture, Ring2D,
                                    Uniform, check_labels, one_hot)
from numpygan.gan import GAN, condition, discriminator_step, generator_step
from numpygan.gradcheck import numerical_gradient, rel_error
from numpygan.network import mlp
from numpygan.optim import SGD, Adam

MIX = GaussianMixture([-3.0, 0.0, 3.0], 0.5)


def _players(K=3, d=1, Z=1, seed=0):
    rng = np.random.default_rng(seed)
    return (mlp([Z + K, 6, d], hidden="tanh", rng=rng), mlp([d + K, 7, 1], rng=rng), rng)


def _game(**kw):
    G, D, _ = _players()
    return GAN(G, D, MIX, Uniform(), p_y=MIX.p_y, batch=16, **kw)


# ---------------------------------------------------------------- labels and one-hot
def test_one_hot_rows_and_condition():
    y = one_hot([2, 0, 1, 2], 3)
    np.testing.assert_array_equal(y, np.eye(3)[[2, 0, 1, 2]])
    a = np.arange(8.0).reshape(4, 2)
    np.testing.assert_array_equal(condition(a, y), np.hstack([a, y]))
    assert condition(a, None) is a


@pytest.mark.parametrize("labels,match", [
    ([0, 3], r"out of range: got 3, labels must lie in 0 … 2"),
    ([-1], "out of range: got -1"),
    ([0.5], "must be integers"),
    (np.eye(3), r"1D array of class indices, got shape \(3, 3\)"),
])
def test_bad_labels_are_refused(labels, match):
    with pytest.raises(ValueError, match=match):
        one_hot(labels, 3)


def test_label_array_length_must_match_the_batch():
    with pytest.raises(ValueError, match="3 labels for a batch of 4 x"):
        condition(np.zeros((4, 1)), one_hot([0, 1, 2], 3))


def test_mixtures_give_labelled_data():
    x, y = MIX.sample_labelled(2000, np.random.default_rng(0))
    # the same draw as sample(): same rng, same points
    np.testing.assert_array_equal(x, MIX.sample(2000, np.random.default_rng(0)))
    for k, mu in enumerate(MIX.means):
        assert abs(x[y == k].mean() - mu) < 0.1
    ring = Ring2D(4, 1.0, 0.01)
    xr = ring.sample_given([0, 1, 2, 3], np.random.default_rng(1))
    np.testing.assert_allclose(xr, ring.centers, atol=0.05)
    assert isinstance(MIX.p_y, Categorical) and MIX.p_y.n_classes == 3
    with pytest.raises(ValueError, match="out of range"):
        MIX.sample_given([5], np.random.default_rng(0))
    assert check_labels(np.array([1.0, 2.0]), 3).dtype == np.int64


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("loss", ["non-saturating", "minimax"])
def test_conditional_generator_gradient_through_D(loss, each_backend):
    """dL/dθ_G for L = loss(D([G([z, y]), y])): only dL/du, the first d columns, reach G."""
    G, D, rng = _players(d=2, Z=2)
    z, y = rng.normal(size=(5, 2)), one_hot(rng.integers(3, size=5), 3)

    def L():
        return losses.generator_loss(D.forward(condition(G.forward(condition(z, y)), y)),
                                     kind=loss)[0]

    expected = [p - 0.1 * numerical_gradient(L, p) for p in G.params()]
    generator_step(G, D, SGD(0.1), z, loss=loss, y=y)
    for p, e in zip(G.params(), expected):
        np.testing.assert_allclose(p, e, rtol=1e-7, atol=1e-9)


def test_conditional_discriminator_step_gradient():
    G, D, rng = _players()
    x_real = rng.normal(size=(6, 1))
    y_real, y_fake = one_hot(rng.integers(3, size=6), 3), one_hot(rng.integers(3, size=6), 3)
    x_fake = G.forward(condition(rng.normal(size=(6, 1)), y_fake))
    L = lambda: losses.discriminator_loss(D.forward(condition(x_real, y_real)),
                                          D.forward(condition(x_fake, y_fake)))[0]
    expected = [p - 0.1 * numerical_gradient(L, p) for p in D.params()]
    discriminator_step(D, SGD(0.1), x_real, x_fake, y_real=y_real, y_fake=y_fake)
    for p, e in zip(D.params(), expected):
        np.testing.assert_allclose(p, e, rtol=1e-8, atol=1e-10)


def test_one_hot_width_must_match_the_network():
    G, D, rng = _players(K=3)
    with pytest.raises(ValueError, match=r"x_real \(1 features\) beside one-hot labels of "
                                         r"width 2 makes 3 inputs, but the network takes 4"):
        discriminator_step(D, SGD(0.1), np.zeros((4, 1)), np.zeros((4, 1)),
                           y_real=one_hot([0, 1, 0, 1], 2), y_fake=one_hot([0, 1, 0, 1], 2))
    with pytest.raises(ValueError, match="makes 3 inputs, but the network takes 4"):
        generator_step(G, D, SGD(0.1), np.zeros((4, 1)), y=one_hot([0, 1, 0, 1], 2))
    with pytest.raises(ValueError, match="G takes 4 inputs but the noise p_z has dim 1 plus "
                                         "a one-hot label of width 8"):
        GAN(G, D, MIX, Uniform(), p_y=Ring2D().p_y)


def test_game_refuses_unlabelled_data_and_labels_where_none_belong():
    G, D, _ = _players()
    with pytest.raises(ValueError, match=r"p_data \(Gaussian\) has no sample_given"):
        GAN(G, D, Gaussian(0, 1), Uniform(), p_y=MIX.p_y)
    with pytest.raises(ValueError, match="label sampler"):
        GAN(G, D, MIX, Uniform(), p_y=[0, 1, 2])
    gan = _game()
    with pytest.raises(ValueError, match="a conditional GAN needs labels"):
        gan.generate(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="2 labels for 3 samples"):
        gan.generate(np.zeros((3, 1)), labels=[0, 1])
    with pytest.raises(ValueError, match="out of range"):
        gan.discriminate(np.zeros(3), labels=3)
    plain = GAN(*_players(K=0)[:2], MIX, Uniform(), batch=8)
    with pytest.raises(ValueError, match="unconditional GAN"):
        plain.generate(np.zeros((3, 1)), labels=0)


# ---------------------------------------------------------------- training
def test_short_run_moves_each_label_to_its_component():
    """A seeded conditional run: each label's mean G(z, y) ends near μ_y, from far away."""
    rng = np.random.default_rng([0, 1])
    G = mlp([1 + 3, 32, 32, 1], hidden="leaky_relu", rng=rng)
    D = mlp([1 + 3, 32, 32, 1], hidden="leaky_relu", rng=rng)
    gan = GAN(G, D, MIX, Uniform(), d_opt=Adam(2e-3, beta1=0.5), g_opt=Adam(2e-3, beta1=0.5),
              batch=64, seed=0, p_y=MIX.p_y)
    rng_eval = np.random.default_rng(2)
    before = [gan.sample(500, rng_eval, labels=k).mean() for k in range(3)]
    gan.train(1000)
    after = [gan.sample(500, rng_eval, labels=k).mean() for k in range(3)]
    for k, mu in enumerate(MIX.means):
        assert abs(after[k] - mu) < 0.5, (before, after)      # within σ of μ_y
    assert max(abs(b - mu) for b, mu in zip(before, MIX.means)) > 1.0


def test_unconditional_stream_is_unchanged_by_the_conditional_code():
    """The plain game draws no labels: its sampling stream is the one it always was."""
    G, D, _ = _players(K=0)
    gan = GAN(G, D, MIX, Uniform(), batch=8, seed=3, standardize=False)
    gan.step()
    rng = np.random.default_rng(3)
    MIX.sample(8, rng), Uniform().sample(8, rng), Uniform().sample(8, rng)
    assert gan.rng.bit_generator.state == rng.bit_generator.state


def test_conditional_checkpoint_round_trip(tmp_path):
    gan = _game(seed=1)
    gan.train(5)
    path = io.save(tmp_path / "cgan.npz", gan)
    assert io.info(path)["p_y"] == {"type": "Categorical", "probs": MIX.weights.tolist()}
    back = io.load(path)
    assert back.conditional and back.p_y.n_classes == 3
    gan.train(4)
    back.train(4)
    assert back.history == gan.history
    z = np.linspace(-1, 1, 5).reshape(-1, 1)
    np.testing.assert_array_equal(back.generate(z, labels=2), gan.generate(z, labels=2))
