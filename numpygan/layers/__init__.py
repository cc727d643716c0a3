"""Layers with hand-written backward passes, one file per kind.

    base.py          the contract every layer keeps (forward caches, backward
                     overwrites its grads), Parameter, the input checks
    dense.py         Dense: out = x W + b, and its three backward lines
    activations.py   ReLU, LeakyReLU, Tanh, Sigmoid

The arithmetic is the teaching kernels' (``numpygan.kernels``, NumPy or Numba);
these files say *which* arithmetic, and keep the shapes honest.
"""

from .activations import Activation, LeakyReLU, ReLU, Sigmoid, Tanh
from .base import Layer, Parameter, check_array, check_finite, check_input
from .dense import Dense

__all__ = ["Layer", "Parameter", "Activation", "Dense", "ReLU", "LeakyReLU", "Tanh",
           "Sigmoid", "check_array", "check_finite", "check_input"]
