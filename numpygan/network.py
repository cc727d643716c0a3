"""A stack of layers, run forward in order and backward in reverse.

    h_0 = x,   h_i = layer_i(h_{i-1}),   out = h_L
    dh_{i-1} = layer_i.backward(dh_i)    (the chain rule, one layer at a time)
"""

from __future__ import annotations

from operator import is_

import numpy as np

from . import kernels
from .layers import Dense, LeakyReLU, Layer, ReLU, Sigmoid, Tanh, check_finite, check_input

ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}


class Sequential:
    """Layers applied one after another.

    ``forward(x)`` (N, D_in) -> (N, D_out);  ``backward(dout)`` (N, D_out) -> (N, D_in),
    leaving every Dense layer's ``dW``/``db`` set.  ``params()`` and ``grads()``
    list the parameter arrays and their gradients in the same order and shapes.

    Behind the scenes (the same numbers either way): the parameters live in one
    flat array and the gradients in another (``_pack``), and on the Numba backend
    each pass is one kernel call for the whole stack (``_forward_in_one_call``,
    ``kernels.mlp_backward``) instead of one per layer.
    """

    def __init__(self, layers):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential needs at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(
                    f"Sequential: layer {i} is a {type(layer).__name__}, "
                    "expected a numpygan layer (Dense, ReLU, LeakyReLU, Tanh, Sigmoid)"
                )
        dense = [l for l in layers if isinstance(l, Dense)]
        if not dense:
            raise ValueError("Sequential needs at least one Dense layer")
        for a, b in zip(dense, dense[1:]):
            if a.n_out != b.n_in:
                raise ValueError(
                    f"Sequential: {a!r} outputs {a.n_out} features but the next "
                    f"{b!r} expects {b.n_in}"
                )
        self.layers = layers
        self.n_in = dense[0].n_in
        self.n_out = dense[-1].n_out
        self.dtype = dense[0].dtype
        self._pack()

    def _pack(self):
        """Keep all parameters in one flat array, and all their gradients in another.

        Each Dense layer's W, b (and dW, db) become views into the two arrays, in
        the order ``params()`` lists them, so the list tiles the array without
        gaps.  Nothing a user sees changes (shapes, values, ``layer.W``), but an
        optimizer can update the whole network in one kernel call instead of one
        per array (``optim.Adam``): on the lessons' small networks the calls
        cost more than the arithmetic.  Layers of mixed dtypes, or a layer used
        twice, are left as they are.
        """
        self._plan = self._fused = None
        dense = [l for l in self.layers if isinstance(l, Dense)]
        if len({id(l) for l in dense}) < len(dense) or any(l.dtype != self.dtype for l in dense):
            return
        sizes = [l.n_in * l.n_out + l.n_out for l in dense]   # W (D, M) then b (M,)
        theta = np.empty(sum(sizes), dtype=self.dtype)        # all of W1, b1, W2, b2, ...
        grad = np.empty(sum(sizes), dtype=self.dtype)         # all of dW1, db1, ...
        start = 0
        for layer, n in zip(dense, sizes):
            layer._use_storage(theta[start:start + n], grad[start:start + n])
            start += n
        self._theta, self._grad = theta, grad
        self._dense = dense
        self._moves = Dense._storage_moves
        self._make_plan(sizes)

    def _still_packed(self):
        """True while every Dense layer's W, b, dW, db still live in theta and grad
        (a layer packed into another Sequential since would not)."""
        if self._moves == Dense._storage_moves:   # no layer anywhere has moved since
            return True
        theta, grad = self._theta, self._grad
        for l in self._dense:
            if l._W.base is not theta or l._b.base is not theta \
                    or l._dW.base is not grad or l._db.base is not grad:
                self._plan = None      # from now on, layer by layer
                return False
        self._moves = Dense._storage_moves
        return True

    #: The layer kinds a whole-network kernel call knows (subclasses are run
    #: layer by layer: they may compute something else).
    _KINDS = {Dense: kernels.DENSE, ReLU: kernels.RELU, LeakyReLU: kernels.LEAKY_RELU,
              Tanh: kernels.TANH, Sigmoid: kernels.SIGMOID}

    def _make_plan(self, sizes):
        """The table kernels.mlp_forward/mlp_backward run the network from (see there)."""
        if any(type(l) not in self._KINDS for l in self.layers):
            return
        rows, alphas = [], []
        p = c = 0                     # offsets in theta/grad, and among the outputs
        width = self.n_in
        dense_sizes = iter(sizes)
        for layer in self.layers:
            kind = self._KINDS[type(layer)]
            n_out = layer.n_out if kind == kernels.DENSE else width
            rows.append((kind, width, n_out, p, c))
            alphas.append(layer.alpha if kind == kernels.LEAKY_RELU else 0.0)
            if kind == kernels.DENSE:
                p += next(dense_sizes)
            c += n_out
            width = n_out
        # the largest product decides: layers that large run layer by layer, on
        # the parallel matmul kernels (kernels.PARALLEL_MIN_FLOPS), not in one call
        self._widest = max(((l.n_in, l.n_out) for l in self._dense), key=lambda dm: dm[0] * dm[1])
        self._plan = np.array(rows, dtype=np.int64)       # (L, 5)
        self._alphas = np.array(alphas, dtype=np.float64)  # (L,)
        # where each layer keeps what its backward needs: its input (Dense, ReLU,
        # LeakyReLU) or its output (Tanh, Sigmoid); and where its output lies
        self._keeps_input = [not isinstance(l, (Tanh, Sigmoid)) for l in self.layers]
        self._spans = [(layer, int(c), int(c + m), int(m), keeps)
                       for layer, (_, _, m, _, c), keeps
                       in zip(self.layers, rows, self._keeps_input)]

    def __setstate__(self, state):
        # copy.deepcopy copies each view as an array of its own: pack the copy again
        self.__dict__.update(state)
        self._pack()

    def forward(self, x):
        """Run every layer in order: (N, n_in) -> (N, n_out)."""
        check_input(x, self.n_in, self.dtype, "Sequential.forward")
        if self._plan is not None and kernels.get_backend() == "numba" and self._still_packed() \
                and not kernels._parallel(x.shape[0], *self._widest):
            return self._forward_in_one_call(x)
        self._fused = None
        for layer in self.layers:
            x = layer._forward(x)   # checked once above; each layer's output fits the next
        return x

    def _forward_in_one_call(self, x):
        """``forward`` as one kernel call (kernels.mlp_forward): the same numbers.

        Each layer is then given its cache as a view of the outputs, so that
        ``layer.backward`` works as after a layer-by-layer forward.
        """
        acts = kernels._mlp_forward(x, self._theta, self._plan, self._alphas)
        n = x.shape[0]
        caches = []
        h = x
        for layer, start, stop, m, keeps_input in self._spans:
            out = acts[n * start:n * stop].reshape(n, m)   # (N, M): this layer's output
            if keeps_input:
                layer._x = h
                caches.append(h)
            else:
                layer._out = out
                caches.append(out)
            h = out
        self._fused = (x, acts, caches)
        return h

    __call__ = forward

    def backward(self, dout, input_grad=True):
        """Chain rule through the layers in reverse: (N, n_out) -> dL/dx (N, n_in).

        Every layer's parameter gradients are filled.  ``input_grad=False`` says
        dL/dx is not wanted (a GAN never uses G's, nor D's in D's own step): the
        one-call path then skips the first layer's dx = g Wᵀ, and None is returned.
        """
        last = self.layers[-1]
        cached = getattr(last, "_x", None) if hasattr(last, "_x") else getattr(last, "_out", None)
        if cached is None:
            raise RuntimeError("Sequential.backward() called before forward(): run "
                               "forward(x) first so every layer can cache what backward needs")
        n = cached.shape[0]
        if not isinstance(dout, np.ndarray) or dout.shape != (n, self.n_out):
            got = dout.shape if isinstance(dout, np.ndarray) else type(dout).__name__
            raise ValueError(f"Sequential.backward: dout must have shape ({n}, {self.n_out}) "
                             f"(the forward output's), got {got}")
        dout = np.ascontiguousarray(dout, dtype=self.dtype)
        check_finite(dout, "Sequential.backward", "dout")
        fused = self._fused
        if fused is not None and kernels.get_backend() == "numba" and self._still_packed() and all(
                map(is_, (l._x if k else l._out for l, k in zip(self.layers, self._keeps_input)),
                    fused[2])):
            # every layer still holds what the one-call forward gave it
            x, acts, _ = fused
            return kernels._mlp_backward(x, dout, self._theta, self._grad, self._plan,
                                        self._alphas, acts, input_grad)
        for layer in reversed(self.layers):
            dout = layer._backward(dout)
        return dout if input_grad else None

    def params(self):
        return [p for layer in self.layers for p in layer.params()]

    def grads(self):
        return [g for layer in self.layers for g in layer.grads()]

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params()))

    def summary(self) -> str:
        """A table of the layers, their output widths and parameter counts."""
        lines = [f"{'layer':<28}{'out':>6}{'params':>10}"]
        width = self.n_in
        for layer in self.layers:
            if isinstance(layer, Dense):
                width = layer.n_out
            n = sum(p.size for p in layer.params())
            lines.append(f"{layer!r:<28}{width:>6}{n:>10}")
        lines.append(f"{'total':<28}{'':>6}{self.n_params():>10}")
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
