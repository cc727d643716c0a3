"""Input checks the teaching kernels share: one wording for every shape and dtype message.

A kernel's check runs before either twin, so a wrong call raises the same
``ValueError`` on both backends (a compiled loop would otherwise read past the
end of an array).
"""

from __future__ import annotations

import numpy as np

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(who: str, name: str, a, ndim=None) -> None:
    """``a`` is a float32/float64 NumPy array (of ``ndim`` dimensions if given)."""
    if type(a) is not np.ndarray:
        raise ValueError(f"{who}: {name} must be a NumPy float array, got {type(a).__name__}")
    if a.dtype not in FLOATS:
        raise ValueError(f"{who}: {name} must be float32 or float64, got dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{who}: {name} must be {ndim}-D, got shape {a.shape} ({a.ndim}-D)")


def same_dtype(who: str, **arrays) -> None:
    """All the arrays share one dtype (a float32 array mixed into float64 math is a bug)."""
    dtypes = {k: v.dtype for k, v in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{k}: {v}" for k, v in dtypes.items())
        raise ValueError(f"{who}: inputs must share one dtype, got {listed}")


def same_shape(who: str, a_name: str, a, b_name: str, b) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{who}: {b_name} must have the shape of {a_name} {a.shape}, "
                         f"got {b.shape}")
