"""Optimizers: they update parameters in place from gradients computed elsewhere.

    SGD with momentum:  v ← μ v − lr g;   θ ← θ + v       (μ = 0: plain SGD)
    Adam (Kingma & Ba 2015), step t = 1, 2, …:
        m ← β1 m + (1 − β1) g           v ← β2 v + (1 − β2) g²
        m̂ = m / (1 − β1ᵗ)               v̂ = v / (1 − β2ᵗ)       (bias correction)
        θ ← θ − lr m̂ / (sqrt(v̂) + eps)

``step(params, grads)`` takes two lists in the same order (``net.params()``,
``net.grads()``); an optimizer keeps its state per position, so give it the
same network every step.  ``lr`` is a plain attribute: a schedule may change it.
"""

from __future__ import annotations

from operator import is_

import numpy as np

from .kernels import _adam_update, all_finite


def _flat_base(arrays):
    """The 1-D array that ``arrays`` are consecutive views of, end to end; else None.

    ``network.Sequential`` keeps a network's parameters like that (and their
    gradients): then one kernel call can update all of them.
    """
    base = arrays[0].base if arrays and isinstance(arrays[0], np.ndarray) else None
    if not (isinstance(base, np.ndarray) and base.ndim == 1 and base.flags.c_contiguous):
        return None
    address = base.__array_interface__["data"][0]
    for a in arrays:
        if not (isinstance(a, np.ndarray) and a.base is base and a.flags.c_contiguous
                and a.__array_interface__["data"][0] == address):
            return None
        address += a.nbytes
    return base if address == base.__array_interface__["data"][0] + base.nbytes else None


def _flat_zeros(like):
    """Zeros shaped like each array of ``like``, as views into one flat array: (flat, views)."""
    flat = np.zeros(sum(a.size for a in like), dtype=like[0].dtype)
    views, start = [], 0
    for a in like:
        views.append(flat[start:start + a.size].reshape(a.shape))
        start += a.size
    return flat, views


def _flat_copy(arrays):
    """``arrays``' values in views into one flat array, as ``_flat_zeros``: (flat, views)."""
    flat, views = _flat_zeros(arrays)
    for view, a in zip(views, arrays):
        view[...] = a
    return flat, views


def _check_lr(lr):
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)) \
            or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate lr must be a positive finite number, got {lr!r}")
    return float(lr)


def _check_unit(name, value, allow_zero=True):
    ok = isinstance(value, (int, float, np.floating, np.integer)) and np.isfinite(value) \
        and (0 <= value < 1 if allow_zero else 0 < value < 1)
    if not ok:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


class Optimizer:
    """Shared checks: same number and shapes of params and grads every step."""

    def _check(self, params, grads):
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(
                f"{type(self).__name__}.step: got {len(params)} params but {len(grads)} grads"
            )
        shapes = self._shapes
        if shapes is not None and len(shapes) != len(params):
            self._changed_shape()
        for i, (p, g) in enumerate(zip(params, grads)):
            # the usual case in one test; the messages are in _explain
            if not (isinstance(p, np.ndarray) and isinstance(g, np.ndarray)
                    and p.dtype.kind == "f" and g.dtype.kind == "f" and p.shape == g.shape):
                self._explain(i, p, g)
            if shapes is not None and shapes[i] != p.shape:
                self._changed_shape()
            if not all_finite(g):
                raise ValueError(
                    f"{type(self).__name__}.step: grad {i} (shape {g.shape}) holds NaN or "
                    "inf; the parameters were left unchanged. The network has diverged: "
                    "try a lower learning rate"
                )
        if shapes is None:
            self._shapes = [p.shape for p in params]
        return params, grads

    def _explain(self, i, p, g):
        who = f"{type(self).__name__}.step"
        # Parameters are updated in place: an integer array would be truncated
        # (or refused by NumPy with a casting error), so say so plainly first.
        for what, arr in (("param", p), ("grad", g)):
            if not isinstance(arr, np.ndarray) or arr.dtype.kind != "f":
                desc = (f"dtype {arr.dtype}" if isinstance(arr, np.ndarray)
                        else type(arr).__name__)
                raise ValueError(f"{who}: {what} {i} must be a float NumPy array, got {desc}")
        raise ValueError(f"{who}: param {i} has shape {p.shape} but its grad has shape {g.shape}")

    def _changed_shape(self):
        raise ValueError(
            f"{type(self).__name__}.step: the parameters changed shape since the "
            "first step; use one optimizer per network"
        )

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _check_lr(value)


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum: ``v ← μv − lr·g; θ ← θ + v``."""

    def __init__(self, lr=0.01, momentum=0.0):
        self.lr = lr
        self.momentum = _check_unit("momentum", momentum)
        self._shapes = None
        self.velocity = None

    def step(self, params, grads):
        params, grads = self._check(params, grads)
        if self.momentum == 0:
            for p, g in zip(params, grads):
                p -= self.lr * g
            return
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v

    def state(self) -> dict:
        """The optimizer's state as plain arrays (for ``io.save``)."""
        out = {"lr": np.float64(self.lr), "momentum": np.float64(self.momentum)}
        if self.velocity is not None:
            for i, v in enumerate(self.velocity):
                out[f"velocity_{i}"] = v
        return out

    def load_state(self, state: dict) -> None:
        self.lr = float(state["lr"])
        self.momentum = _check_unit("momentum", float(state["momentum"]))
        keys = sorted((k for k in state if k.startswith("velocity_")),
                      key=lambda k: int(k.split("_")[1]))
        self.velocity = [np.array(state[k]) for k in keys] or None
        self._shapes = [v.shape for v in self.velocity] if self.velocity else None


class Adam(Optimizer):
    """Adam with bias correction by (1 − βᵗ), t counting steps from 1."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = _check_unit("beta1", beta1)
        self.beta2 = _check_unit("beta2", beta2)
        if not (isinstance(eps, (int, float, np.floating)) and np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.eps = float(eps)
        self.t = 0
        self.m = None
        self.v = None
        self._shapes = None
        self._flat = None   # see _flat_arrays

    def step(self, params, grads):
        if type(params) is not list or type(grads) is not list:
            params, grads = list(params), list(grads)   # (a generator, say)
        flat = self._flat_arrays(params, grads)
        if flat is None:
            params, grads = self._check(params, grads)
            if self.m is None:
                self.m = _flat_zeros(params)[1]
                self.v = _flat_zeros(params)[1]
            if len(self.m) != len(params) or len(self.v) != len(params) or any(
                    a.shape != p.shape or a.dtype != p.dtype
                    for p, m, v in zip(params, self.m, self.v) for a in (m, v)):
                raise ValueError("Adam.step: the moments m, v do not fit the parameters "
                                 "(a state loaded for another network?)")
            flat = self._flatten(params, grads)
        elif not all_finite(flat[1]):
            self._check(params, grads)   # raises, naming the gradient that holds NaN or inf
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c1 = 1.0 - b1 ** self.t   # bias corrections: (1 − βᵗ), not (1 − β)
        c2 = 1.0 - b2 ** self.t
        # m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;
        # p ← p − lr (m / c1) / (sqrt(v / c2) + eps)   (kernels.adam_update, whose
        # checks were made above), element by element: the same numbers whether
        # it runs once over the flat arrays or once per parameter array
        if flat is not None:
            _adam_update(*flat, self.lr, b1, b2, c1, c2, self.eps)
            return
        for p, g, m, v in zip(params, grads, self.m, self.v):
            _adam_update(p, g, m, v, self.lr, b1, b2, c1, c2, self.eps)

    def _flatten(self, params, grads):
        """After a full check: the flat (θ, g, m, v) when params and grads are each one
        flat array (as a Sequential's are), remembered for the next steps; else None."""
        self._flat = None
        theta, grad = _flat_base(params), _flat_base(grads)
        if theta is None or grad is None or theta.dtype != grad.dtype \
                or any(p.shape != g.shape for p, g in zip(params, grads)):
            return None
        # m and v have the parameters' shapes and dtype (step checked); a loaded or
        # copied state holds them as separate arrays: make each one array again
        m, v = _flat_base(self.m), _flat_base(self.v)
        if m is None:
            m, self.m = _flat_copy(self.m)
        if v is None:
            v, self.v = _flat_copy(self.v)
        # the four whole arrays: kernels.adam_update's one-dimensional form
        self._flat = (tuple(params), tuple(grads), tuple(self.m), tuple(self.v),
                      (theta, grad, m, v))
        return self._flat[4]

    def _flat_arrays(self, params, grads):
        """The flat (θ, g, m, v) of the last step if the same arrays came again, else None.

        "The same" is checked by identity (a view never moves within its array), and
        each cached array must still be the base of the first view: a deep copy
        makes the views arrays of their own, and then this is None.
        """
        f = self._flat
        if f is None:
            return None
        P, G, M, V, flat = f
        if not (len(params) == len(P) and len(grads) == len(G) and len(self.m) == len(M)
                and len(self.v) == len(V) and all(map(is_, params, P))
                and all(map(is_, grads, G)) and all(map(is_, self.m, M))
                and all(map(is_, self.v, V)) and P[0].base is flat[0]
                and G[0].base is flat[1] and M[0].base is flat[2] and V[0].base is flat[3]):
            return None
        return flat

    def state(self) -> dict:
        out = {"lr": np.float64(self.lr), "beta1": np.float64(self.beta1),
               "beta2": np.float64(self.beta2), "eps": np.float64(self.eps),
               "t": np.int64(self.t)}
        if self.m is not None:
            for i, (m, v) in enumerate(zip(self.m, self.v)):
                out[f"m_{i}"] = m
                out[f"v_{i}"] = v
        return out

    def load_state(self, state: dict) -> None:
        self.lr = float(state["lr"])
        self.beta1 = _check_unit("beta1", float(state["beta1"]))
        self.beta2 = _check_unit("beta2", float(state["beta2"]))
        self.eps = float(state["eps"])
        self.t = int(state["t"])
        idx = sorted(int(k.split("_")[1]) for k in state if k.startswith("m_"))
        self.m = [np.array(state[f"m_{i}"]) for i in idx] or None
        self.v = [np.array(state[f"v_{i}"]) for i in idx] or None
        self._shapes = [m.shape for m in self.m] if self.m else None
        self._flat = None
