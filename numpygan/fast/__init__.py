"""The fast path: the same arithmetic as the teaching kernels, arranged to run faster.

Nothing here computes anything the teaching kernels (``numpygan.kernels``) do
not; the tests hold every function here to them (1e-12 relative in float64).
What pays, and why:

* ``gemm.py`` - the tuned matmul.  The three-loop matmul loads and stores an
  output element for every multiply-add; ``gemm`` keeps two rows and four
  products in registers, so memory traffic no longer bounds it.  Its parallel
  form gives disjoint blocks of rows to the threads (no shared writes).
* ``dense.py`` - a dense layer's three products on ``gemm``, on all cores when
  a product is large enough to earn back the cost of starting threads.
* ``mlp.py`` - a whole stack of dense and activation layers in one compiled
  call per pass, with every parameter in one flat array.  On the lessons' small
  networks each call from Python costs about as much as a layer's arithmetic,
  so one call instead of one per layer is most of the speed-up.
* ``whole_network.py`` - what ``network.Sequential`` uses to run on ``mlp.py``.
* ``conv.py`` - the convolution as im2col and one product on ``gemm``: the teaching
  loops test for the padding at every tap, the product runs at the matmul's speed.
* ``clock.py`` - ``jit_time()``: what compiling the kernels cost this process.

A single layer never comes here: ``Dense.backward`` is the three teaching lines
a student reads.  ``network.Sequential`` does, on the Numba backend.  The
numbers live in docs/PERFORMANCE.md and in ``python -m numpygan.bench``.
"""

from .clock import jit_time
from .conv import RUNNERS
from .dense import PARALLEL_MIN_FLOPS, PARALLEL_MIN_WEIGHTS, grad_W, grad_x, is_large, matmul_bias
from .mlp import (DENSE, KIND, LEAKY_RELU, N_IN, N_OUT, OUT_AT, PARAM_AT, RELU, SIGMOID, TANH,
                  TWINS, mlp_backward, mlp_forward)
from .whole_network import WholeNetwork

__all__ = ["jit_time", "RUNNERS", "matmul_bias", "grad_W", "grad_x", "is_large", "PARALLEL_MIN_FLOPS",
           "PARALLEL_MIN_WEIGHTS", "mlp_forward", "mlp_backward", "TWINS", "WholeNetwork",
           "DENSE", "RELU", "LEAKY_RELU", "TANH", "SIGMOID",
           "KIND", "N_IN", "N_OUT", "PARAM_AT", "OUT_AT"]
