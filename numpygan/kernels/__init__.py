"""The teaching kernels: every loop of numpygan's arithmetic, in two twins.

Each kernel exists twice, and the two give the same numbers (tested to 1e-12
relative in float64):

* the NumPy twin (``.numpy``): one line of array code, the equation as NumPy writes it;
* the Numba twin (``.numba``): the same computation as the plain loops a student
  writes (the matmul is three nested loops), compiled by ``numba.njit``.

By topic:

    dense.py         matmul_bias (x W + b), grad_W (xᵀ dout), grad_b (Σ_n dout), grad_x (dout Wᵀ)
    activations.py   relu, leaky_relu, tanh, sigmoid: *_forward and *_backward
    conv.py          conv2d_forward, conv2d_grad_W, conv2d_grad_b, conv2d_grad_x (NCHW)
    training.py      bce_logits (the loss from logits), adam_update, all_finite
    switch.py        set_backend / get_backend / backend: which twin the public functions call

``set_backend("numba" | "numpy")`` chooses the twin (``NUMPYGAN_BACKEND`` sets
the start; without Numba the library says so once and runs on NumPy);
``NUMBA_DISABLE_JIT=1`` runs every Numba twin as the plain Python you read here,
for stepping through in a debugger.  Each public kernel checks its arguments
once and names what is wrong before either twin runs.

The fast path is one import away, in ``numpygan.fast``: tuned loop nests, the
parallel matmul and whole-network kernels, all tested equal to these.
"""

from .activations import (leaky_relu_backward, leaky_relu_forward, relu_backward,
                          relu_forward, sigmoid_backward, sigmoid_forward, tanh_backward,
                          tanh_forward)
from .activations import TWINS as _ACTIVATION_TWINS
from .conv import TWINS as _CONV_TWINS
from .conv import conv2d_forward, conv2d_grad_b, conv2d_grad_W, conv2d_grad_x
from .dense import TWINS as _DENSE_TWINS
from .dense import grad_b, grad_W, grad_x, matmul_bias
from .switch import (BACKENDS, HAVE_NUMBA, NUMBA_IMPORT_ERROR, backend, get_backend,
                     make_kernel, num_threads, numba, set_backend)
from .training import TWINS as _TRAINING_TWINS
from .training import adam_update, all_finite, bce_logits

#: Every teaching kernel's (NumPy twin, Numba twin), by name: the tests walk this table.
TWINS = {**_DENSE_TWINS, **_ACTIVATION_TWINS, **_TRAINING_TWINS, **_CONV_TWINS}

__all__ = [
    "BACKENDS", "HAVE_NUMBA", "NUMBA_IMPORT_ERROR", "TWINS", "backend", "get_backend",
    "set_backend", "num_threads", "make_kernel", "numba",
    "matmul_bias", "grad_W", "grad_b", "grad_x",
    "relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward",
    "tanh_forward", "tanh_backward", "sigmoid_forward", "sigmoid_backward",
    "bce_logits", "adam_update", "all_finite",
    "conv2d_forward", "conv2d_grad_W", "conv2d_grad_b", "conv2d_grad_x",
]
