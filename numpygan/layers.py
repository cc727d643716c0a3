"""Layers with hand-written backward passes: Dense and four activations.

The contract every layer keeps (CS231n's forward/backward with a cache):

    out = layer.forward(x)      # computes, and caches what backward needs
    dx  = layer.backward(dout)  # dL/dx from dL/dout; stores dL/dW, dL/db

``backward`` *overwrites* the parameter gradients, in place: calling it twice
leaves the gradients of the last call, never their sum (``layer.dW.copy()``
keeps one).  The optimizer (``optim.py``)
updates the parameters in a separate call, so every gradient can be checked
against a numerical one before anything moves.

The arithmetic lives in ``kernels.py`` (NumPy or Numba, see ``set_backend``);
this file says *which* arithmetic, and keeps the shapes honest.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from ._checks import check_number, is_number

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _as_dtype(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in _FLOATS:
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_input(x, n_in: int, dtype: np.dtype, who: str):
    """Return ``x`` if it is an (N, n_in) float array of ``dtype``; else raise ValueError.

    Integer arrays are refused rather than silently cast: a student who feeds
    ``np.arange(6).reshape(2, 3)`` should hear about it.
    """
    if not isinstance(x, np.ndarray):
        raise ValueError(
            f"{who}: input must be a NumPy array of shape (N, {n_in}), "
            f"got {type(x).__name__}"
        )
    if x.ndim != 2:
        hint = " (use x.reshape(-1, 1) for a batch of scalars)" if x.ndim == 1 else ""
        raise ValueError(
            f"{who}: input must be 2-D with shape (N, {n_in}), got shape {x.shape}{hint}"
        )
    if x.shape[1] != n_in:
        raise ValueError(
            f"{who}: expected input of shape (N, {n_in}), got shape {x.shape}"
        )
    if x.shape[0] < 1:
        raise ValueError(f"{who}: input has no rows (shape {x.shape}); need N >= 1")
    if x.dtype != dtype:
        if x.dtype.kind == "f":
            raise ValueError(
                f"{who}: input dtype is {x.dtype} but the layer is {dtype}; "
                f"convert with x.astype(np.{dtype})"
            )
        raise ValueError(
            f"{who}: input dtype must be {dtype}, got {x.dtype} "
            f"(convert with x.astype(np.{dtype}))"
        )
    check_finite(x, who, "input")
    return x


def check_finite(a, who: str, what: str):
    """Raise ValueError if the float array ``a`` holds NaN or inf, saying how many and where.

    Inside a network a non-finite value means an earlier layer overflowed: the
    run has diverged.  The message says "NaN or inf" so that the training loop
    (``gan.GAN.step``) can turn it into a ``DivergenceError``.
    """
    if kernels.all_finite(a):   # the common case, fast (a Numba loop on that backend)
        return
    bad = ~np.isfinite(a)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(
        f"{who}: {what} holds {int(bad.sum())} NaN or inf value(s) of {a.size} "
        f"(the first at index {first}); values must be finite. If a network made "
        "them, it has diverged: try a lower learning rate"
    )


class Layer:
    """Base class: a layer with no parameters unless it says so.

    ``forward``/``backward`` check their input, then call ``_forward``/``_backward``,
    which do the arithmetic.  ``Sequential`` checks once at its own boundary and
    calls the unchecked pair in between: an array one layer made is already the
    next layer's valid input, and checking it again only costs time.
    """

    def params(self) -> list:
        """The layer's parameter arrays (updated in place by an optimizer)."""
        return []

    def grads(self) -> list:
        """The gradients of ``params()``, in the same order and shapes."""
        return []

    def _need_forward(self, cached):
        if cached is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() called before forward(): "
                "run forward(x) first so the layer can cache what backward needs"
            )

    def __call__(self, x):
        return self.forward(x)


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
    """

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
            raise ValueError(
                f"Dense: rng must be a numpy.random.Generator "
                f"(np.random.default_rng(seed)), got {type(rng).__name__}"
            )
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.init = init
        self.dtype = _as_dtype(dtype)
        if init == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        else:
            a = np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-a, a, size=(n_in, n_out))
        self.W = (gain * W).astype(self.dtype)         # (D, M)
        self.b = np.zeros(n_out, dtype=self.dtype)     # (M,)
        self._dW = np.zeros_like(self.W)               # (D, M)
        self._db = np.zeros_like(self.b)               # (M,)
        self._x = None

    # W and b are checked when assigned, so a student who sets them by hand
    # hears at once about a wrong shape or a NaN.  (The optimizer updates them
    # in place, which does not pass through here; gan.py watches for NaN then.)
    @property
    def W(self):
        return self._W

    @W.setter
    def W(self, value):
        self._set_param("_W", self._checked_param("W", value, (self.n_in, self.n_out)))

    @property
    def b(self):
        return self._b

    @b.setter
    def b(self, value):
        self._set_param("_b", self._checked_param("b", value, (self.n_out,)))

    # dW and db too: assigning one copies into the array the gradients live in
    @property
    def dW(self):
        return self._dW

    @dW.setter
    def dW(self, value):
        self._set_param("_dW", self._checked_param("dW", value, (self.n_in, self.n_out)))

    @property
    def db(self):
        return self._db

    @db.setter
    def db(self, value):
        self._set_param("_db", self._checked_param("db", value, (self.n_out,)))

    #: How many times any Dense layer's arrays moved into new storage
    #: (``_use_storage``): a Sequential re-checks its own when this changes.
    _storage_moves = 0

    def _set_param(self, attr, value):
        # Values are copied into the existing array, never swapped for the
        # caller's: the array may be a view into the one a Sequential keeps all
        # its parameters in (see network.Sequential), and an optimizer holds it.
        current = getattr(self, attr, None)
        if current is None:
            setattr(self, attr, value.copy())
        else:
            current[...] = value

    def _use_storage(self, theta, grad):
        """Move W, b into the flat array ``theta`` and dW, db into ``grad``, as views.

        ``theta`` and ``grad`` have D·M + M elements: W row by row, then b.  The
        values are copied in; afterwards ``W``, ``b``, ``dW``, ``db`` are views of
        the two arrays, with the same shapes as before.
        """
        DM = self.n_in * self.n_out
        W, b = theta[:DM].reshape(self.n_in, self.n_out), theta[DM:]
        W[...], b[...] = self._W, self._b
        self._W, self._b = W, b
        dW, db = grad[:DM].reshape(self.n_in, self.n_out), grad[DM:]
        dW[...], db[...] = self._dW, self._db
        self._dW, self._db = dW, db
        Dense._storage_moves += 1

    def _checked_param(self, name, value, shape):
        value = np.asarray(value)
        if value.shape != shape:
            raise ValueError(
                f"Dense({self.n_in}, {self.n_out}).{name}: expected shape {shape}, "
                f"got {value.shape}"
            )
        if value.dtype.kind not in "fiu":
            raise ValueError(
                f"Dense.{name}: expected a real {self.dtype} array, got dtype {value.dtype}"
            )
        if not np.all(np.isfinite(value)):
            bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
            raise ValueError(
                f"Dense.{name}: {bad} non-finite value(s) (NaN or inf); "
                "weights must be finite"
            )
        return np.ascontiguousarray(value, dtype=self.dtype)

    def forward(self, x):
        """``out = x W + b``: x (N, D) -> out (N, M); caches x for backward."""
        check_input(x, self.n_in, self.dtype, f"Dense({self.n_in}, {self.n_out})")
        return self._forward(x)

    def _forward(self, x):
        self._x = x
        return kernels.matmul_bias(x, self._W, self._b)  # (N, D) @ (D, M) + (M,)

    def backward(self, dout):
        """dout (N, M) -> dx (N, D); stores dW (D, M) and db (M,)."""
        self._need_forward(self._x)
        x = self._x
        expected = (x.shape[0], self.n_out)
        if not isinstance(dout, np.ndarray) or dout.shape != expected:
            got = dout.shape if isinstance(dout, np.ndarray) else type(dout).__name__
            raise ValueError(
                f"Dense({self.n_in}, {self.n_out}).backward: dout must have "
                f"shape {expected} (the forward output's), got {got}"
            )
        dout = np.ascontiguousarray(dout, dtype=self.dtype)
        check_finite(dout, f"Dense({self.n_in}, {self.n_out}).backward", "dout")
        return self._backward(dout)

    def _backward(self, dout):
        x = self._x
        # dW = xᵀ dout (D, N) @ (N, M) -> (D, M);  db = Σ_n dout[n] (N, M) -> (M,);
        # dx = dout Wᵀ (N, M) @ (M, D) -> (N, D): one kernel call for the three,
        # writing dW and db into the layer's arrays (in place: copy them to keep them)
        return kernels.dense_backward(x, dout, self._W, self._dW, self._db)[2]

    def params(self):
        return [self._W, self._b]

    def grads(self):
        return [self._dW, self._db]

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"


class _Activation(Layer):
    """Element-wise activation: shape in = shape out = (N, M)."""

    def _check(self, x):
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype not in _FLOATS:
            desc = (f"shape {x.shape}, dtype {x.dtype}" if isinstance(x, np.ndarray)
                    else type(x).__name__)
            raise ValueError(
                f"{type(self).__name__}: input must be a 2-D float array (N, M), got {desc}"
            )
        check_finite(x, type(self).__name__, "input")

    def _check_dout(self, dout, cached):
        if not isinstance(dout, np.ndarray) or dout.shape != cached.shape:
            got = dout.shape if isinstance(dout, np.ndarray) else type(dout).__name__
            raise ValueError(
                f"{type(self).__name__}.backward: dout must have shape {cached.shape}, got {got}"
            )
        dout = np.ascontiguousarray(dout, dtype=cached.dtype)
        check_finite(dout, f"{type(self).__name__}.backward", "dout")
        return dout

    def forward(self, x):
        """Checks x, then applies the activation; caches what backward needs."""
        self._check(x)
        return self._forward(x)

    def backward(self, dout):
        """Checks dout against the cached forward, then returns dL/dx."""
        cached = getattr(self, "_x", None) if hasattr(self, "_x") else self._out
        self._need_forward(cached)
        return self._backward(self._check_dout(dout, cached))

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(_Activation):
    """``out = max(x, 0)``;  backward ``dx = dout · [x > 0]``."""

    def __init__(self):
        self._x = None

    def _forward(self, x):
        self._x = x
        return kernels.relu_forward(x)

    def _backward(self, dout):
        return kernels.relu_backward(self._x, dout)


class LeakyReLU(_Activation):
    """``out = x if x > 0 else alpha·x``;  backward ``dx = dout if x > 0 else alpha·dout``."""

    def __init__(self, alpha: float = 0.2):
        if not (is_number(alpha) and 0 <= alpha < 1):
            raise ValueError(f"LeakyReLU: alpha must be in [0, 1), got {alpha!r}")
        self.alpha = float(alpha)
        self._x = None

    def _forward(self, x):
        self._x = x
        return kernels.leaky_relu_forward(x, self.alpha)

    def _backward(self, dout):
        return kernels.leaky_relu_backward(self._x, dout, self.alpha)

    def __repr__(self):
        return f"LeakyReLU({self.alpha})"


class Tanh(_Activation):
    """``out = tanh(x)``;  backward ``dx = dout · (1 − out²)``."""

    def __init__(self):
        self._out = None

    def _forward(self, x):
        self._out = kernels.tanh_forward(x)
        return self._out

    def _backward(self, dout):
        return kernels.tanh_backward(self._out, dout)


class Sigmoid(_Activation):
    """``out = σ(x) = 1 / (1 + e^(−x))``;  backward ``dx = dout · out (1 − out)``.

    Not for the discriminator's last layer: D outputs logits, and the loss
    applies the sigmoid itself, stably (see ``losses.bce_with_logits``).
    """

    def __init__(self):
        self._out = None

    def _forward(self, x):
        self._out = kernels.sigmoid_forward(x)
        return self._out

    def _backward(self, dout):
        return kernels.sigmoid_backward(self._out, dout)
