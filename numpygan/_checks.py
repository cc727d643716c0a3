"""Argument checks shared by the modules that take plain numbers (distributions, metrics,
theory, io, the demo): one wording for every "must be a finite number" message, array
types refused where floats are expected, and the memory a run may ask for.
"""

from __future__ import annotations

import os

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


def int_at_least(name, minimum):
    """An argparse ``type=`` that reads an integer >= minimum, or says what was wrong."""
    import argparse

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be >= {minimum}, got {value}")
        return value
    return parse


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


def available_memory():
    """Bytes a new allocation can get now, or None if the system does not say: Linux's
    MemAvailable, capped by a container's memory limit (cgroup v2 or v1) if it has one."""
    found = []
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            with open(limit_file) as f, open(usage_file) as g:
                limit, usage = f.read().strip(), g.read().strip()
            if limit.isdigit() and int(limit) < 2 ** 60:   # "max" or a huge number: none
                found.append(max(0, int(limit) - int(usage)))
        except (OSError, ValueError):
            pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return min(found)


def show_bytes(n):
    """A byte count for people: 1.5 GB, 3.2 PB."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000.0
    return f"{n:.3g} EB"    # pragma: no cover - the loop always returns
