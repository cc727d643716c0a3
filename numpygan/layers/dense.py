"""The fully connected layer: ``out = x W + b``, forward and backward by hand."""

from __future__ import annotations

import numpy as np

from .. import kernels
from .._checks import check_number
from .base import Layer, Parameter, as_float_dtype, check_input


class Dense(Layer):
    """Fully connected layer: ``out = x W + b``.

    Forward (N examples, D = n_in, M = n_out)::

        out = x W + b                    (N, D) @ (D, M) + (M,) -> (N, M)

    Backward, given dout = dL/dout of shape (N, M)::

        dW = xᵀ dout                     (D, N) @ (N, M) -> (D, M)
        db = Σ_n dout[n]                 (N, M) -> (M,)
        dx = dout Wᵀ                     (N, M) @ (M, D) -> (N, D)

    Initialisation (explicit and seeded by ``rng``), with fan_in = D, fan_out = M:

    * ``init="he"`` (default; for ReLU/LeakyReLU nets, He et al. 2015):
      W ~ N(0, 2 / fan_in)
    * ``init="glorot"`` (for tanh/sigmoid nets, Glorot & Bengio 2010):
      W ~ U(−a, a) with a = sqrt(6 / (fan_in + fan_out))

    and b = 0.  ``gain`` multiplies W after drawing (e.g. a small last layer).
    W, b, dW and db can be assigned: the value is checked and copied in.
    """

    param_names = ("W", "b")
    W, b = Parameter(), Parameter()      # (D, M), (M,)
    dW, db = Parameter(), Parameter()    # their gradients, same shapes

    def __init__(self, n_in: int, n_out: int, rng=None, init: str = "he",
                 gain: float = 1.0, dtype=np.float64):
        for name, v in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"Dense: {name} must be a positive integer, got {v!r}")
        if init not in ("he", "glorot"):
            raise ValueError(f"Dense: init must be 'he' or 'glorot', got {init!r}")
        check_number("Dense", "gain", gain, positive=True)
        if rng is None:
            rng = np.random.default_rng()
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"Dense: rng must be a numpy.random.Generator "
                             f"(np.random.default_rng(seed)), got {type(rng).__name__}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.init = init
        self.dtype = as_float_dtype(dtype)
        if init == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        else:
            a = np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-a, a, size=(n_in, n_out))
        self.init_params(W=gain * W, b=np.zeros(n_out))

    def config(self):
        return {"n_in": self.n_in, "n_out": self.n_out, "init": self.init}

    @classmethod
    def shapes_for(cls, n_in, n_out, **_):
        return {"W": (n_in, n_out), "b": (n_out,)}

    def forward(self, x):
        """``out = x W + b``: x (N, D) -> out (N, M); keeps x for backward."""
        check_input(x, self.n_in, self.dtype, repr(self))
        self.cache = x
        return kernels.matmul_bias(x, self.W, self.b)     # (N, D) @ (D, M) + (M,) -> (N, M)

    def backward(self, dout):
        """dout (N, M) -> dx (N, D); stores dW (D, M) and db (M,) (overwritten, in place)."""
        x = self.cached()
        dout = self.check_dout(dout, (x.shape[0], self.n_out), self.dtype)
        self.dW[...] = kernels.grad_W(x, dout)    # dW = xᵀ dout     (D, N) @ (N, M) -> (D, M)
        self.db[...] = kernels.grad_b(dout)       # db = Σ_n dout[n]  (N, M) -> (M,)
        return kernels.grad_x(dout, self.W)       # dx = dout Wᵀ     (N, M) @ (M, D) -> (N, D)

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"
