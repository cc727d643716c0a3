"""Argument checks shared by the modules that take plain numbers (distributions, metrics,
theory): one wording for every "must be a finite number" message.  Depends on numpy only.
"""

from __future__ import annotations

import numpy as np


def show(v):
    """repr of a value, with NumPy scalars shown as plain numbers (1.5, not np.float64(1.5))."""
    return repr(v.item() if isinstance(v, np.generic) else v)


def is_number(value) -> bool:
    """A real Python or NumPy number, not a bool (True is an int to Python, not to us)."""
    return (not isinstance(value, (bool, np.bool_))
            and isinstance(value, (int, float, np.integer, np.floating)))


def check_number(who, name, value, positive=False):
    """A finite real number (positive if asked), returned as a float; else ValueError."""
    if not (is_number(value) and np.isfinite(value) and (value > 0 or not positive)):
        allowed = "a positive finite number" if positive else "a finite number"
        raise ValueError(f"{who}: {name} must be {allowed}, got {show(value)}")
    return float(value)


_KINDS = {"b": "booleans (convert with .astype(float) if you mean 0 and 1)",
          "c": "complex numbers (NumPy would drop the imaginary part; pass .real if "
               "that is what you mean)",
          "O": "Python objects", "U": "text", "S": "bytes", "V": "records",
          "M": "dates", "m": "time spans"}


def float_array(who, name, x):
    """``x`` as a float64 ndarray; ValueError for input whose conversion would lose or
    invent information: a masked array (NumPy arithmetic reads the values under the mask,
    a NaN there included), complex, bool, object or text arrays."""
    if isinstance(x, np.ma.MaskedArray):
        raise ValueError(f"{who}: {name} is a masked array; numpygan does not honour masks "
                         f"(a NaN under one would pass unseen): pass {name}.compressed() "
                         f"or {name}.filled(value)")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: {name} must be an array of numbers, "
                         f"got {type(x).__name__}") from None
    if arr.dtype.kind not in "fiu":
        what = _KINDS.get(arr.dtype.kind, "values")
        raise ValueError(f"{who}: {name} must hold real numbers, got {what} "
                         f"(dtype {arr.dtype})")
    return arr.astype(np.float64, copy=False)
