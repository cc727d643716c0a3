"""numpygan: Generative Adversarial Networks from scratch in NumPy, for learning.

Start with ``python -m numpygan`` (the 1D demo) and ``lessons/01_*.py``.
"""

from .kernels import backend, get_backend, set_backend
from .layers import Dense, LeakyReLU, ReLU, Sigmoid, Tanh
from .network import Sequential, mlp

__version__ = "0.1.0"

__all__ = [
    "backend", "get_backend", "set_backend",
    "Dense", "LeakyReLU", "ReLU", "Sigmoid", "Tanh",
    "Sequential", "mlp",
]
