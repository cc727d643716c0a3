"""A stack of layers, run forward in order and backward in reverse.

    h_0 = x,   h_i = layer_i(h_{i-1}),   out = h_L
    dh_{i-1} = layer_i.backward(dh_i)    (the chain rule, one layer at a time)
"""

from __future__ import annotations

import numpy as np

from . import fast, kernels
from .layers import Dense, LeakyReLU, Layer, ReLU, Sigmoid, Tanh, check_array, check_finite, check_input

ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}


class ArrayList(list):
    """A list of arrays that are consecutive views of one 1-D array, ``.flat``.

    ``Sequential.params()`` and ``grads()`` return these, so an optimizer can
    update every parameter of a network in one call over ``.flat`` (``optim.Adam``).
    ``.flat`` is None when the arrays do not tile one array.
    """

    def __init__(self, arrays, flat=None):
        super().__init__(arrays)
        self.flat = flat


def _check_widths(layers):
    """Each layer with a width matches the one before it, looking through layers that
    keep the shape (activations, batch norm); a shape-changing layer without widths
    (a convolution, Flatten) starts a new chain, and checks its own input."""
    before = None
    for layer in layers:
        n_in = getattr(layer, "n_in", None)
        if before is not None and n_in is not None and before.n_out != n_in:
            raise ValueError(f"Sequential: {before!r} outputs {before.n_out} features but the "
                             f"next {layer!r} expects {n_in}")
        if getattr(layer, "n_out", None) is not None:
            before = layer
        elif not layer.keeps_shape:
            before = None


def _width(layers, name):
    """The network's input (or output) width: that of the first (last) layer that changes
    the shape, if it has one; else None (images, checked by the layer itself)."""
    for layer in layers:
        if not layer.keeps_shape:
            return getattr(layer, name, None)
    return None


class Sequential:
    """Layers applied one after another.

    ``forward(x)`` (N, D_in) -> (N, D_out);  ``backward(dout)`` (N, D_out) -> (N, D_in),
    leaving every layer's gradients set.  ``params()`` and ``grads()`` list the
    parameter arrays and their gradients in the same order and shapes.

    The network keeps every parameter in one flat array, ``theta``, and every
    gradient in another, ``grad``, laid out layer by layer, each layer's
    parameters in its ``param_names`` order, each row by row::

        theta = [ W1 (D1·M1 values) | b1 (M1) | W2 (D2·M2) | b2 (M2) | ... ]
        grad  = [ dW1               | db1     | dW2        | db2     | ... ]

    Each layer's ``W``, ``b``, ``dW``, ``db`` are views into them (``Layer.use_storage``),
    so nothing a user sees changes, but an optimizer can update the whole network
    in one call (``params().flat``), and on the Numba backend a stack of Dense
    and activation layers runs each pass in one kernel call (``numpygan.fast``):
    the same numbers, to round-off.  Layers of mixed dtypes, or a layer used
    twice, are left where they are.  Any layer that keeps the contract of
    ``layers.Layer`` works here unchanged.  On the Numba backend, convolutions run
    on the fast path too (``fast.conv``: im2col and the tuned matmul), layer by layer.
    """

    def __init__(self, layers):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential needs at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"Sequential: layer {i} is a {type(layer).__name__}, expected "
                                 "a numpygan layer (Dense, ReLU, LeakyReLU, Tanh, Sigmoid, ...)")
        _check_widths(layers)
        self.layers = layers
        self.n_in = _width(layers, "n_in")
        self.n_out = _width(layers[::-1], "n_out")
        owners = [l for l in layers if l.param_names]
        self.dtype = owners[0].dtype if owners else np.dtype(np.float64)
        self.theta = self.grad = None
        # layers the fast path runs one at a time on the Numba backend (convolutions)
        self._runners = [fast.RUNNERS.get(type(layer)) for layer in layers]
        self._pack(owners)

    def _pack(self, owners):
        """Move every parameter into ``theta`` and every gradient into ``grad`` (see above)."""
        self._arrays_at = -1        # params() and grads() look the layers over again
        if len({id(l) for l in owners}) < len(owners) or any(l.dtype != self.dtype for l in owners):
            self._whole = None
            return
        sizes = [l.n_params() for l in owners]
        self.theta = np.empty(sum(sizes), dtype=self.dtype)
        self.grad = np.empty(sum(sizes), dtype=self.dtype)
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        for layer, at in zip(owners, starts):
            layer.use_storage(self.theta, self.grad, int(at))
        param_at = [int(starts[owners.index(l)]) if l.param_names else 0 for l in self.layers]
        self._whole = (fast.WholeNetwork.of(self.layers, self.n_in, self.theta, self.grad,
                                            param_at) if self.n_in is not None else None)

    def train(self, mode=True):
        """Put every layer with a training mode (BatchNorm) in training (True) or
        evaluation (False) mode; returns the network."""
        for layer in self.layers:
            if hasattr(layer, "training"):
                layer.training = bool(mode)
        return self

    def eval(self):
        """``train(False)``: batch norm uses its running averages."""
        return self.train(False)

    def packed(self) -> bool:
        """True while every parameter still lives in ``theta`` (a layer packed into
        another Sequential since would not)."""
        if self.theta is None:
            return False
        for layer in self.layers:
            if layer.param_names and layer.packed_in is not self.theta:
                return False
        return True

    def __setstate__(self, state):
        # copy.deepcopy copies each view as an array of its own: pack the copy again
        self.__dict__.update(state)
        self._pack([l for l in self.layers if l.param_names])

    def forward(self, x):
        """Run every layer in order: (N, n_in) -> (N, n_out)."""
        if self.n_in is not None:
            check_input(x, self.n_in, self.dtype, "Sequential.forward")
        else:
            check_array(x, "Sequential.forward")
        if self._whole is not None and self._whole.usable():
            return self._whole.forward(x)
        fast_path = kernels.get_backend() == "numba"
        for layer, runner in zip(self.layers, self._runners):
            x = runner.forward(layer, x) if runner and fast_path else layer.forward(x)
        return x

    __call__ = forward

    def backward(self, dout, input_grad=True):
        """Chain rule through the layers in reverse: (N, n_out) -> dL/dx (N, n_in).

        Every layer's parameter gradients are filled.  ``input_grad=False`` says
        dL/dx is not wanted (a GAN never uses G's, nor D's in D's own step): the
        one-call path then skips the first layer's dx = g Wᵀ, and None is returned.
        """
        out = self.layers[-1].cache
        if out is None:
            raise RuntimeError("Sequential.backward() called before forward(): run "
                               "forward(x) first so every layer can cache what backward needs")
        if self._whole is not None and self._whole.holds_caches():
            n = self._whole.last[0].shape[0]
            if not isinstance(dout, np.ndarray) or dout.shape != (n, self.n_out):
                got = dout.shape if isinstance(dout, np.ndarray) else type(dout).__name__
                raise ValueError(f"Sequential.backward: dout must have shape ({n}, "
                                 f"{self.n_out}) (the forward output's), got {got}")
            dout = np.ascontiguousarray(dout, dtype=self.dtype)
            check_finite(dout, "Sequential.backward", "dout")
            return self._whole.backward(dout, input_grad)
        fast_path = kernels.get_backend() == "numba"
        for layer, runner in zip(self.layers[::-1], self._runners[::-1]):
            dout = runner.backward(layer, dout) if runner and fast_path else layer.backward(dout)
        return dout if input_grad else None

    def params(self) -> ArrayList:
        """Every layer's parameter arrays, in order; ``.flat`` is ``theta`` while packed."""
        return ArrayList(self._arrays()[0], self.theta if self._packed_now else None)

    def grads(self) -> ArrayList:
        """The gradients of ``params()``, same order and shapes; ``.flat`` is ``grad``."""
        return ArrayList(self._arrays()[1], self.grad if self._packed_now else None)

    def _arrays(self):
        """(params, grads) as tuples, looked up again only after a layer's storage moved
        (an optimizer asks for them every step; assigning W copies into the same array)."""
        if self._arrays_at != Layer.moves:
            self._cached = (tuple(p for l in self.layers for p in l.params()),
                            tuple(g for l in self.layers for g in l.grads()))
            self._packed_now = self.packed()
            self._arrays_at = Layer.moves
        return self._cached

    def n_params(self) -> int:
        return int(sum(l.n_params() for l in self.layers))

    def summary(self) -> str:
        """A table of the layers, what each outputs per example (a width, an image's
        channels, a shape; blank where it keeps its input's) and parameter counts."""
        lines = [f"{'layer':<44}{'out':>12}{'params':>10}"]
        for layer in self.layers:
            if isinstance(getattr(layer, "shape", None), tuple):
                out = "×".join(map(str, layer.shape))               # Reshape
            elif hasattr(layer, "c_out"):
                out = f"{layer.c_out} ch"                           # an image's channels
            else:
                out = "" if layer.keeps_shape else str(getattr(layer, "n_out", ""))
            lines.append(f"{layer!r:<44}{out:>12}{layer.n_params():>10}")
        lines.append(f"{'total':<44}{'':>12}{self.n_params():>10}")
        return "\n".join(lines)

    def __repr__(self):
        return "Sequential([" + ", ".join(repr(l) for l in self.layers) + "])"


def mlp(sizes, hidden="leaky_relu", out=None, rng=None, alpha=0.2,
        out_gain=1.0, dtype=np.float64) -> Sequential:
    """Build a multilayer perceptron ``Dense → act → … → Dense [→ out]``.

    Inputs:
    - sizes: widths, input first: ``[1, 32, 32, 1]`` is 1 → 32 → 32 → 1
    - hidden: activation between Dense layers: "relu", "leaky_relu", "tanh", "sigmoid"
    - out: activation after the last Dense, or None (a discriminator outputs logits)
    - rng: np.random.Generator for the initial weights
    - alpha: LeakyReLU slope
    - out_gain: multiplies the last layer's initial weights
    He initialisation follows ReLU-family activations, Glorot follows tanh/sigmoid.
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(
        isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes
    ):
        raise ValueError(
            f"mlp: sizes must be at least two positive integers, got {sizes!r}"
        )
    for name, act in (("hidden", hidden), ("out", out)):
        if act is not None and act not in ACTIVATIONS:
            raise ValueError(
                f"mlp: {name} must be one of {sorted(ACTIVATIONS)}"
                + (" or None" if name == "out" else "") + f", got {act!r}"
            )
    if hidden is None:
        raise ValueError(f"mlp: hidden must be one of {sorted(ACTIVATIONS)}, got None")
    if rng is None:
        rng = np.random.default_rng()
    init = "he" if hidden in ("relu", "leaky_relu") else "glorot"

    def make(act):
        return ACTIVATIONS[act](alpha) if act == "leaky_relu" else ACTIVATIONS[act]()

    layers = []
    n_dense = len(sizes) - 1
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        last = i == n_dense - 1
        layers.append(Dense(a, b, rng=rng, init=init,
                            gain=out_gain if last else 1.0, dtype=dtype))
        if not last:
            layers.append(make(hidden))
    if out is not None:
        layers.append(make(out))
    return Sequential(layers)
