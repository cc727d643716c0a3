"""Numerical gradients by central differences, and the relative error.

    df/dx_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h)       error O(h²)

For an array-valued f with an upstream gradient dout = dL/df, the same
difference of the scalar L = Σ f(x) · dout gives dL/dx_i.

``order=4`` uses the wider centred stencil

    df/dx_i ≈ (f(x − 2h) − 8 f(x − h) + 8 f(x + h) − f(x + 2h)) / (12h)   error O(h⁴)

which allows a larger h (less round-off) for the same truncation error: use it
when some gradient entries are tiny compared with the function's value.
"""

from __future__ import annotations

import numpy as np

# (k, w_k): df/dx ≈ Σ_k w_k (f(x + k h) − f(x − k h)) / h.  Pairing the two sides
# of each k before adding makes a flat f give exactly 0, not round-off.
_STENCILS = {
    2: ((1, 0.5),),
    4: ((1, 8 / 12), (2, -1 / 12)),
}


def _stencil(order):
    if order not in _STENCILS:
        raise ValueError(f"order must be 2 or 4, got {order!r}")
    return _STENCILS[order]


def numerical_gradient(f, x, h=1e-5, order=2):
    """Gradient of a scalar function ``f`` at ``x`` (changed in place, then restored).

    Inputs:
    - f: callable taking no arguments that reads ``x`` and returns a float
    - x: float64 array, perturbed one entry at a time
    Returns:
    - grad: array of x's shape
    """
    return _differences(f, x, h, order, float)


def _check_args(f, x, h, order):
    stencil = _stencil(order)
    if not callable(f):
        raise ValueError(f"f must be a callable f() -> float, got {type(f).__name__}")
    # x is perturbed in place: an integer x would silently truncate x + h to x.
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        desc = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(
            f"x must be a float NumPy array (perturbed in place), got {desc}; "
            "use x.astype(np.float64)"
        )
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) \
            or not np.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a small positive number such as 1e-5, got {h!r}")
    return stencil


def _differences(f, x, h, order, contract):
    """grad[i] = contract(Σ_k w_k (f(x + k h e_i) − f(x − k h e_i))) / h, x restored."""
    stencil = _check_args(f, x, h, order)
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        total = 0.0
        for step, weight in stencil:
            x[i] = old + step * h
            plus = np.array(f(), dtype=np.float64)
            x[i] = old - step * h
            minus = np.array(f(), dtype=np.float64)
            total = total + weight * (plus - minus)
        x[i] = old
        grad[i] = contract(total) / h
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5, order=2):
    """dL/dx for L = Σ f() · dout, where ``f()`` reads ``x`` and returns an array.

    The outputs are differenced first and contracted with dout after (as in CS231n),
    so each entry carries the round-off of one difference, not of the whole sum.
    """
    dout = np.asarray(dout, dtype=np.float64)
    return _differences(f, x, h, order, lambda diff: float(np.sum(diff * dout)))


def rel_error(x, y, floor=1e-8):
    """max |x − y| / max(floor, |x| + |y|), element-wise: ~1e-7 or less means agreement.

    Entries smaller than ``floor`` are compared at the scale ``floor``: their
    relative error would only measure round-off.  A numerical gradient of an
    L of size ~1 with step h resolves derivatives to about 1e-16 / h, so a check
    through a whole network (h = 1e-4: ~1e-12) wants a floor near 1e-6.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: shapes differ, {x.shape} vs {y.shape}")
    if x.size == 0:
        return 0.0
    if not floor > 0:
        raise ValueError(f"rel_error: floor must be > 0, got {floor}")
    return float(np.max(np.abs(x - y) / np.maximum(floor, np.abs(x) + np.abs(y))))
