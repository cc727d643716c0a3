"""The reference answers to the exercises, by the exercises' names: the library's own code.

``--solution`` checks these (a teacher sees every check pass), and the ``*_data.py``
modules compute the checkers' reference values with them.  Repository only: a
hand-out never holds this file (``handout.py`` checks that it does not).
"""

from __future__ import annotations

import numpy as np

from .. import losses, theory
from ..gan import discriminator_step, generator_step
from ..layers import Conv2D, Dense, LeakyReLU
from ..optim import Adam


def leaky_relu_forward(x, alpha):
    return LeakyReLU(alpha).forward(np.ascontiguousarray(x, dtype=np.float64))


def leaky_relu_backward(x, dout, alpha):
    layer = LeakyReLU(alpha)
    layer.forward(np.ascontiguousarray(x, dtype=np.float64))
    return layer.backward(np.ascontiguousarray(dout, dtype=np.float64))


def _dense_layer(W, b):
    layer = Dense(W.shape[0], W.shape[1], rng=np.random.default_rng(0))
    layer.W, layer.b = W.copy(), b.copy()
    return layer


def dense_forward(x, W, b):
    return _dense_layer(np.asarray(W, float), np.asarray(b, float)).forward(
        np.ascontiguousarray(x, dtype=np.float64))


def dense_backward(dout, x, W):
    W = np.asarray(W, dtype=np.float64)
    layer = _dense_layer(W, np.zeros(W.shape[1]))
    layer.forward(np.ascontiguousarray(x, dtype=np.float64))
    dx = layer.backward(np.ascontiguousarray(dout, dtype=np.float64))
    return dx, layer.dW, layer.db


def conv2d_backward(dout, x, W, stride, padding):
    """Conv2D's (dx, dW, db) from the library's layer (``numpygan/layers/conv.py``)."""
    W = np.asarray(W, dtype=np.float64)
    O, C, k, _ = W.shape
    layer = Conv2D(C, O, k, stride=int(stride), padding=int(padding),
                   rng=np.random.default_rng(0))
    layer.W = W.copy()
    layer.forward(np.ascontiguousarray(x, dtype=np.float64))
    dx = layer.backward(np.ascontiguousarray(dout, dtype=np.float64))
    return dx, layer.dW.copy(), layer.db.copy()


def adam_update(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """The library's Adam (``optim.Adam``) as one functional step at step number t."""
    theta = np.array(theta, dtype=np.float64)
    opt = Adam(lr, beta1=beta1, beta2=beta2, eps=eps)
    state = opt.state()
    state.update(t=np.int64(int(t) - 1),                 # step() counts it up to t
                 m_0=np.array(m, dtype=np.float64), v_0=np.array(v, dtype=np.float64))
    opt.load_state(state)
    opt.step([theta], [np.asarray(grad, dtype=np.float64)])
    after = opt.state()
    return theta, after["m_0"], after["v_0"]


def d_step(D, d_opt, x_real, x_fake):
    return discriminator_step(D, d_opt, x_real, x_fake)["loss"]


def g_step(G, D, g_opt, z):
    return generator_step(G, D, g_opt, z, loss="non-saturating")["loss"]


def matmul(x, W):
    """out[i, j] = Σ_k x[i, k] W[k, j] in three loops: (N, D) @ (D, M) -> (N, M)."""
    N, D = x.shape
    M = W.shape[1]
    out = np.zeros((N, M))
    for i in range(N):
        for j in range(M):
            s = 0.0
            for k in range(D):
                s += x[i, k] * W[k, j]
            out[i, j] = s
    return out


def jit(fn):
    """``numba.njit(fn)`` (cached on disk), or fn itself without Numba."""
    try:
        from numba import njit
    except Exception:                       # pragma: no cover - numba missing
        return fn
    return njit(cache=True)(fn)


#: exercise name -> a function returning {function name: reference implementation}
REFERENCES = {
    "sigmoid_bce": lambda: {"sigmoid": losses.sigmoid, "bce_with_logits": losses.bce_with_logits},
    "leaky_relu": lambda: {"leaky_relu_forward": leaky_relu_forward,
                           "leaky_relu_backward": leaky_relu_backward},
    "dense": lambda: {"dense_forward": dense_forward, "dense_backward": dense_backward},
    "adam": lambda: {"adam_update": adam_update},
    "optimal_discriminator": lambda: {"optimal_discriminator": theory.optimal_discriminator},
    "d_step": lambda: {"d_step": d_step},
    "g_step": lambda: {"g_step": g_step},
    "matmul": lambda: {"matmul": jit(matmul)},
    "conv_backward": lambda: {"conv2d_backward": conv2d_backward},
}
