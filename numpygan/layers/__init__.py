"""Layers with hand-written backward passes, one file per kind.

    base.py          the contract every layer keeps (forward caches, backward
                     overwrites its grads), Parameter, the input checks
    dense.py         Dense: out = x W + b, and its three backward lines
    activations.py   ReLU, LeakyReLU, Tanh, Sigmoid
    conv.py          Conv2D and ConvTranspose2D (NCHW, PyTorch's layouts)
    shape.py         Flatten, Reshape: between dense vectors and images
    batchnorm.py     BatchNorm, with its training and evaluation modes

The arithmetic is the teaching kernels' (``numpygan.kernels``, NumPy or Numba);
these files say *which* arithmetic, and keep the shapes honest.
"""

from .activations import Activation, LeakyReLU, ReLU, Sigmoid, Tanh
from .base import Layer, Parameter, check_array, check_finite, check_input
from .batchnorm import BatchNorm
from .conv import Conv2D, ConvTranspose2D
from .dense import Dense
from .shape import Flatten, Reshape

__all__ = ["Layer", "Parameter", "Activation", "Dense", "ReLU", "LeakyReLU", "Tanh",
           "Sigmoid", "Conv2D", "ConvTranspose2D", "Flatten", "Reshape", "BatchNorm",
           "check_array", "check_finite", "check_input"]
