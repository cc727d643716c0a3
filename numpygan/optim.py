"""Optimizers: they update parameters in place from gradients computed elsewhere.

    SGD with momentum:  v ← μ v − lr g;   θ ← θ + v       (μ = 0: plain SGD)
    Adam (Kingma & Ba 2015), step t = 1, 2, …:
        m ← β1 m + (1 − β1) g           v ← β2 v + (1 − β2) g²
        m̂ = m / (1 − β1ᵗ)               v̂ = v / (1 − β2ᵗ)       (bias correction)
        θ ← θ − lr m̂ / (sqrt(v̂) + eps)

``step(params, grads)`` takes two lists in the same order (``net.params()``,
``net.grads()``); an optimizer keeps its state per position, so give it the
same network every step.  ``lr`` is a plain attribute: a schedule may change it.
When the lists carry ``.flat`` (a ``network.Sequential``'s do: every array is a
view into one flat array), Adam updates all of them in one kernel call.
A step either completes or changes nothing: every check runs before the update.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from ._checks import check_number, is_number


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


def _update_one(p, g, m, v, constants):
    """Adam's update of one parameter array (any shape) by the kernel, in place."""
    if p.flags.c_contiguous and g.flags.c_contiguous and m.flags.c_contiguous \
            and v.flags.c_contiguous and g.dtype == p.dtype:
        kernels.adam_update(p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
                            *constants)
    else:   # a strided array or a gradient of another dtype: NumPy's twin takes any
        kernels.adam_update.numpy(p, g, m, v, *constants)


def _check_lr(lr):
    if not is_number(lr) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate lr must be a positive finite number, got {lr!r}")
    return float(lr)


def _check_unit(name, value, allow_zero=True):
    ok = is_number(value) and np.isfinite(value) \
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
            if not p.flags.writeable:
                raise ValueError(f"{type(self).__name__}.step: param {i} (shape {p.shape}) is "
                                 "read-only; nothing was updated")
            if not kernels.all_finite(g.ravel()):
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
        self.eps = check_number("Adam", "eps", eps, positive=True)
        self.t = 0
        self.m = None
        self.v = None
        self._flat_m = self._flat_v = None   # the flat arrays m and v are views of
        self._shapes = None

    def step(self, params, grads):
        theta, grad = getattr(params, "flat", None), getattr(grads, "flat", None)
        flat = theta is not None and grad is not None and self._flat_fits(params, theta, grad)
        if not flat:
            params, grads = self._check(params, grads)
            self._moments_for(params)
            flat = theta is not None and grad is not None and self._flat_fits(params, theta, grad)
        elif not kernels.all_finite.run(grad):
            self._check(params, grads)   # raises, naming the gradient that holds NaN or inf
        t = self.t + 1
        b1, b2 = self.beta1, self.beta2
        c1 = 1.0 - b1 ** t   # bias corrections: (1 − βᵗ), not (1 − β)
        c2 = 1.0 - b2 ** t
        # m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;  p ← p − lr (m / c1) / (sqrt(v / c2) + eps),
        # element by element: the same numbers over the flat arrays or array by array
        constants = (self.lr, b1, b2, c1, c2, self.eps)
        if flat:   # _flat_fits checked what adam_update's own check would
            kernels.adam_update.run(theta, grad, self._flat_m, self._flat_v, *constants)
        else:
            for p, g, m, v in zip(params, grads, self.m, self.v):
                _update_one(p, g, m, v, constants)
        self.t = t

    def _moments_for(self, params):
        """Zero moments shaped like params on the first step (views into one flat array
        each); afterwards, refuse moments that do not fit (a state loaded for another net)."""
        if self.m is None:
            self._flat_m, self.m = _flat_zeros(params)
            self._flat_v, self.v = _flat_zeros(params)
        if len(self.m) != len(params) or len(self.v) != len(params) or any(
                a.shape != p.shape or a.dtype != p.dtype
                for p, m, v in zip(params, self.m, self.v) for a in (m, v)):
            raise ValueError("Adam.step: the moments m, v do not fit the parameters "
                             "(a state loaded for another network?)")
        for name in ("m", "v"):   # a loaded or hand-replaced moment: one flat array again
            flat = getattr(self, "_flat_" + name)
            if flat is None or not all(a.base is flat for a in getattr(self, name)):
                flat, views = _flat_copy(getattr(self, name))
                setattr(self, "_flat_" + name, flat)
                setattr(self, name, views)

    def _flat_fits(self, params, theta, grad):
        """True when one update over the flat arrays is this step: moments ready and
        whole (the lists m, v still views of them), every parameter writeable."""
        fm, fv = self._flat_m, self._flat_v
        if not (fm is not None and type(theta) is np.ndarray and type(grad) is np.ndarray
                and theta.ndim == 1 and theta.flags.c_contiguous and grad.flags.c_contiguous
                and theta.shape == grad.shape == fm.shape and theta.dtype == grad.dtype == fm.dtype
                and theta.flags.writeable):
            return False
        for p in params:
            if not p.flags.writeable:
                return False
        for a, b in zip(self.m, self.v):
            if a.base is not fm or b.base is not fv:
                return False
        return True

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
        self._flat_m = self._flat_v = None
