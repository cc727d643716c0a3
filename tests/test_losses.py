"""Losses from logits: reference values, gradients, and stability at extreme logits."""

import numpy as np
import pytest

from numpygan import losses
from numpygan.gradcheck import numerical_gradient, rel_error

REAL = np.array([1.0, -0.5, 2.0])
FAKE = np.array([-1.0, 0.3])


def test_reference_values_from_theory():
    d, _, _ = losses.discriminator_loss(REAL, FAKE)
    # 40-digit arithmetic gives 1.05523069357381; the first THEORY.md printed
    # 1.0552306937 (its last digit rounded up; docs/THEORY.md says so), so hold the
    # code to the exact value
    assert d == pytest.approx(1.0552306935738090, abs=1e-13)
    assert d == pytest.approx(1.0552306936, abs=1e-10)
    g, _ = losses.generator_loss_nonsaturating(FAKE)
    assert g == pytest.approx(0.9338084660, abs=1e-10)
    mm, _ = losses.generator_loss_minimax(FAKE)
    assert mm == pytest.approx(-0.5838084660, abs=1e-10)


def test_equilibrium_values():
    zero = np.zeros(10)
    assert losses.discriminator_loss(zero, zero)[0] == pytest.approx(2 * np.log(2))
    assert losses.generator_loss_nonsaturating(zero)[0] == pytest.approx(np.log(2))


def _naive_bce(a, t):
    p = 1 / (1 + np.exp(-a))
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@pytest.mark.parametrize("shape", [(1,), (5,), (4, 1)])
def test_bce_matches_naive_and_numerical(shape, rng):
    a = rng.normal(size=shape) * 3
    t = rng.uniform(size=shape)
    loss, da = losses.bce_with_logits(a, t)
    assert loss == pytest.approx(_naive_bce(a, t), rel=1e-12)
    num = numerical_gradient(lambda: losses.bce_with_logits(a, t)[0], a)
    assert rel_error(da, num) < 1e-7


@pytest.mark.parametrize("fn", [losses.generator_loss_minimax,
                                losses.generator_loss_nonsaturating,
                                losses.critic_generator_loss])
def test_generator_loss_gradients(fn, rng):
    a = rng.normal(size=(6, 1)) * 2
    _, da = fn(a)
    assert rel_error(da, numerical_gradient(lambda: fn(a)[0], a)) < 1e-7


@pytest.mark.parametrize("fn", [losses.discriminator_loss, losses.critic_loss])
def test_two_sided_loss_gradients(fn, rng):
    r = rng.normal(size=(5, 1))
    f = rng.normal(size=(3, 1))
    _, dr, df = fn(r, f)
    assert rel_error(dr, numerical_gradient(lambda: fn(r, f)[0], r)) < 1e-7
    assert rel_error(df, numerical_gradient(lambda: fn(r, f)[0], f)) < 1e-7


def test_label_smoothing_gradient(rng):
    r = rng.normal(size=4)
    f = rng.normal(size=4)
    fn = lambda: losses.discriminator_loss(r, f, real_target=0.9)[0]
    _, dr, _ = losses.discriminator_loss(r, f, real_target=0.9)
    assert rel_error(dr, numerical_gradient(fn, r)) < 1e-7


@pytest.mark.parametrize("big", [800.0, 1e4])
def test_finite_at_extreme_logits(big):
    a = np.array([-big, -30.0, 0.0, 30.0, big])
    for t in (0.0, 1.0):
        loss, da = losses.bce_with_logits(a, t)
        assert np.isfinite(loss) and np.all(np.isfinite(da))
    loss, da = losses.bce_with_logits(np.array([big]), 0.0)
    assert loss == pytest.approx(big)          # −log(1 − σ(big)) = big
    assert da[0] == pytest.approx(1.0)
    for fn in (losses.generator_loss_minimax, losses.generator_loss_nonsaturating):
        loss, da = fn(a)
        assert np.isfinite(loss) and np.all(np.isfinite(da))


def test_saturation_ratio():
    # D(G(z)) = 0.01: non-saturating gradient is (1 − D)/D ≈ 99x the minimax one
    a = np.array([np.log(0.01 / 0.99)])
    _, d_mm = losses.generator_loss_minimax(a)
    _, d_ns = losses.generator_loss_nonsaturating(a)
    assert abs(d_ns[0] / d_mm[0]) == pytest.approx(99.0, rel=1e-9)


def test_bad_inputs():
    with pytest.raises(ValueError, match="NaN or inf"):
        losses.bce_with_logits(np.array([np.nan]), 1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.bce_with_logits(np.zeros(3), 2.0)
    with pytest.raises(ValueError, match="shape"):
        losses.bce_with_logits(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="generator loss"):
        losses.generator_loss(np.zeros(3), kind="hinge")
    with pytest.raises(ValueError, match="float"):
        losses.bce_with_logits(np.array([1, 2]), 1.0)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_mean_d_and_value_on_batch_match_the_naive_formulas(backend, rng):
    from numpygan import kernels
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("numba not installed")
    a_real = rng.normal(1.0, 2.0, size=(50, 1))
    a_fake = rng.normal(-1.0, 2.0, size=(40, 1))
    sig = lambda a: 1 / (1 + np.exp(-a))
    with kernels.backend(backend):
        assert losses.mean_d(a_real) == pytest.approx(np.mean(sig(a_real)), rel=1e-13)
        assert losses.mean_d(a_fake[:, 0]) == pytest.approx(np.mean(sig(a_fake)), rel=1e-13)
        v = losses.value_on_batch(a_real, a_fake)
        naive = np.mean(np.log(sig(a_real))) + np.mean(np.log(1 - sig(a_fake)))
        assert v == pytest.approx(naive, rel=1e-12)
        # V = −(D's loss) when D's real target is 1
        assert v == pytest.approx(-losses.discriminator_loss(a_real, a_fake)[0], rel=1e-14)
        # far out in the tails: finite, and D at 0 or 1
        big = np.array([[-800.0], [800.0]])
        assert losses.mean_d(big) == 0.5
        assert np.isfinite(losses.value_on_batch(big, big))
    with pytest.raises(ValueError, match="NaN or inf"):
        losses.mean_d(np.array([[np.nan]]))


def test_label_smoothed_d_step_records_v_not_the_smoothed_loss(rng):
    from numpygan.gan import discriminator_step
    from numpygan.network import mlp
    from numpygan.optim import SGD
    D = mlp([1, 8, 1], rng=np.random.default_rng(0))
    x_real, x_fake = rng.normal(size=(16, 1)), rng.normal(2.0, 1.0, size=(16, 1))
    logits = D.forward(np.concatenate([x_real, x_fake]))
    out = discriminator_step(D, SGD(1e-3), x_real, x_fake, real_target=0.9)
    assert out["value"] == pytest.approx(losses.value_on_batch(logits[:16], logits[16:]),
                                         rel=1e-12)
    assert out["value"] != pytest.approx(-out["loss"], rel=1e-6)


def test_loss_passes_also_give_mean_d(rng, each_backend):
    real, fake = rng.normal(size=(7, 1)) * 3, rng.normal(size=(7, 1)) * 3
    loss, dr, df, mean_real, mean_fake = losses.discriminator_loss_and_means(real, fake)
    ref = losses.discriminator_loss(real, fake)
    assert loss == ref[0]
    np.testing.assert_array_equal(dr, ref[1])
    np.testing.assert_array_equal(df, ref[2])
    assert mean_real == losses.mean_d(real) and mean_fake == losses.mean_d(fake)
    for kind in ("non-saturating", "minimax"):
        g_loss, g_d, mean = losses.generator_loss_and_mean(fake, kind)
        ref = losses.generator_loss(fake, kind)
        assert g_loss == ref[0] and mean == losses.mean_d(fake)
        np.testing.assert_array_equal(g_d, ref[1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_loss_passes_name_non_finite_logits(rng, bad):
    a = rng.normal(size=(4, 1))
    a[2, 0] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        losses.discriminator_loss_and_means(a, -a)
    with pytest.raises(ValueError, match="NaN or inf"):
        losses.generator_loss_and_mean(a, "minimax")


def test_logits_of_any_shape_are_one_batch(rng, each_backend):
    a = rng.normal(size=(2, 3, 4)) * 4
    loss, d = losses.bce_with_logits(a, 1.0)
    flat_loss, flat_d = losses.bce_with_logits(a.reshape(-1, 1), 1.0)
    assert d.shape == a.shape and abs(loss - flat_loss) < 1e-14
    np.testing.assert_allclose(d.ravel(), flat_d.ravel(), rtol=1e-14)
    assert losses.mean_d(a) == pytest.approx(float(np.mean(losses.sigmoid(a))), rel=1e-14)
    assert losses.generator_loss(np.array(0.0))[0] == pytest.approx(np.log(2), rel=1e-14)
