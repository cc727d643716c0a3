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
