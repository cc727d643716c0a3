"""Optimizers: hand-computed steps, and refusal of bad hyperparameters."""

import numpy as np
import pytest

from numpygan.optim import SGD, Adam


def test_adam_first_three_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = np.array([1.0, -2.0])
    grads = [np.array([0.5, -1.0]), np.array([0.1, 2.0]), np.array([-0.3, 0.0])]
    opt = Adam(lr, b1, b2, eps)
    m = np.zeros(2); v = np.zeros(2); expected = p.copy()
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        expected = expected - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        opt.step([p], [g])
        np.testing.assert_allclose(p, expected, rtol=1e-13)
    # step 1 moves each coordinate by ~lr·sign(g): the bias correction at work
    p1 = np.array([1.0, -2.0]); Adam(lr).step([p1], [grads[0]])
    np.testing.assert_allclose(p1, [1.0 - lr, -2.0 + lr], rtol=1e-6)


def test_adam_literal_values():
    # written out by hand: t=1, g=0.5 -> m̂=0.5, v̂=0.25, step = lr·0.5/(0.5+eps)
    p = np.array([0.0]); opt = Adam(lr=0.01, eps=0.0 + 1e-8)
    opt.step([p], [np.array([0.5])])
    assert p[0] == pytest.approx(-0.01 * 0.5 / (0.5 + 1e-8), rel=1e-12)


def test_sgd_and_momentum():
    p = np.array([1.0]); SGD(0.1).step([p], [np.array([2.0])])
    assert p[0] == pytest.approx(0.8)
    p = np.array([1.0]); opt = SGD(0.1, momentum=0.9)
    opt.step([p], [np.array([1.0])])   # v = -0.1
    opt.step([p], [np.array([1.0])])   # v = -0.19
    assert p[0] == pytest.approx(1.0 - 0.1 - 0.19)


@pytest.mark.parametrize("lr", [0, -1e-3, float("nan"), float("inf")])
def test_bad_learning_rates(lr):
    with pytest.raises(ValueError, match="learning rate"):
        SGD(lr)
    with pytest.raises(ValueError, match="learning rate"):
        Adam(lr)


@pytest.mark.parametrize("kw", [{"beta1": 1.0}, {"beta2": -0.1}, {"eps": 0}])
def test_bad_adam_hyperparameters(kw):
    with pytest.raises(ValueError):
        Adam(1e-3, **kw)


def test_mismatched_params_and_grads():
    with pytest.raises(ValueError, match="shape"):
        Adam(1e-3).step([np.zeros(3)], [np.zeros(4)])
    with pytest.raises(ValueError, match="params"):
        SGD(0.1).step([np.zeros(3)], [])


def test_state_roundtrip():
    p = np.array([1.0, 2.0]); opt = Adam(0.01)
    opt.step([p], [np.array([0.3, -0.2])])
    other = Adam(0.5); other.load_state(opt.state())
    q = p.copy()
    opt.step([p], [np.array([0.1, 0.1])]); other.step([q], [np.array([0.1, 0.1])])
    np.testing.assert_array_equal(p, q)


def test_moments_of_another_dtype_are_refused_not_mixed():
    p = np.array([1.0, 2.0]); opt = Adam(0.01)
    opt.step([p], [np.array([0.3, -0.2])])
    opt.v = [opt.v[0].astype(np.float32)]     # m still fits, v does not
    with pytest.raises(ValueError, match="the moments m, v do not fit the parameters"):
        opt.step([p], [np.array([0.1, 0.1])])
