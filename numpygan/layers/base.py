"""What every layer shares: the forward/backward contract, parameters, input checks.

The contract (CS231n's forward/backward with a cache):

    out = layer.forward(x)      # computes, and keeps in layer.cache what backward needs
    dx  = layer.backward(dout)  # dL/dx from dL/dout; stores dL/dW, dL/db, ...

``backward`` *overwrites* the parameter gradients, in place: calling it twice
leaves the gradients of the last call, never their sum (``layer.dW.copy()``
keeps one).  The optimizer updates the parameters in a separate call, so every
gradient can be checked against a numerical one before anything moves.

A layer with parameters names them in ``param_names`` (e.g. ``("W", "b")``) and
declares each, and its gradient, as a ``Parameter``; ``params()``, ``grads()``
and ``use_storage`` (how ``network.Sequential`` keeps a whole network's
parameters in one flat array) then work for it unchanged.
"""

from __future__ import annotations

import numpy as np

from .. import kernels

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def as_float_dtype(dtype) -> np.dtype:
    """``dtype`` as a NumPy dtype, if it is float32 or float64; else ValueError."""
    dt = np.dtype(dtype)
    if dt not in FLOATS:
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_finite(a, who: str, what: str):
    """Raise ValueError if the float array ``a`` holds NaN or inf, saying how many and where.

    Inside a network a non-finite value means an earlier layer overflowed: the
    run has diverged.  The message says "NaN or inf" so that the training loop
    (``gan.GAN.step``) can turn it into a ``DivergenceError``.
    """
    # a float ndarray (every caller checks that first): the kernel's own check is skipped,
    # and the flat view lets one compiled version serve every shape
    if kernels.all_finite.run(a.ravel()):
        return
    bad = ~np.isfinite(a)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(
        f"{who}: {what} holds {int(bad.sum())} NaN or inf value(s) of {a.size} "
        f"(the first at index {first}); values must be finite. If a network made "
        "them, it has diverged: try a lower learning rate"
    )


def check_array(x, who: str, what: str = "input"):
    """``x`` is a plain (not masked), real float32/float64 NumPy array with finite values."""
    if type(x) is not np.ndarray:
        raise ValueError(f"{who}: {what} must be a NumPy float array, got {type(x).__name__}"
                         + (" (masked arrays are refused: fill them first)"
                            if isinstance(x, np.ma.MaskedArray) else ""))
    if x.dtype not in FLOATS:
        raise ValueError(f"{who}: {what} must be float32 or float64, got dtype {x.dtype}"
                         f" (convert with x.astype(np.float64))")
    check_finite(x, who, what)


def check_input(x, n_in: int, dtype: np.dtype, who: str):
    """Return ``x`` if it is an (N, n_in) float array of ``dtype``; else raise ValueError.

    Integer arrays are refused rather than silently cast: a student who feeds
    ``np.arange(6).reshape(2, 3)`` should hear about it.
    """
    if type(x) is not np.ndarray:       # a list, a masked array, an np.matrix, ...
        raise ValueError(f"{who}: input must be a NumPy array of shape (N, {n_in}), "
                         f"got {type(x).__name__}" + (" (masks are not honoured: pass "
                         "x.filled(value))" if isinstance(x, np.ma.MaskedArray) else ""))
    if x.ndim != 2:
        hint = " (use x.reshape(-1, 1) for a batch of scalars)" if x.ndim == 1 else ""
        raise ValueError(f"{who}: input must be 2-D with shape (N, {n_in}), "
                         f"got shape {x.shape}{hint}")
    if x.shape[1] != n_in:
        raise ValueError(f"{who}: expected input of shape (N, {n_in}), got shape {x.shape}")
    if x.shape[0] < 1:
        raise ValueError(f"{who}: input has no rows (shape {x.shape}); need N >= 1")
    if x.dtype != dtype:
        if x.dtype.kind == "f":
            raise ValueError(f"{who}: input dtype is {x.dtype} but the layer is {dtype}; "
                             f"convert with x.astype(np.{dtype})")
        raise ValueError(f"{who}: input dtype must be {dtype}, got {x.dtype} "
                         f"(convert with x.astype(np.{dtype}))")
    check_finite(x, who, "input")   # a plain float ndarray by now: only NaN/inf are left
    return x


class Parameter:
    """A layer's parameter array (``W = Parameter()``) or its gradient (``dW = Parameter()``).

    Reading gives the array itself (optimizers update it in place).  Assigning
    checks the value (shape, real, finite) and copies it *into* the existing
    array, never swaps the array: it may be a view into the flat array a
    ``Sequential`` keeps all its parameters in, and an optimizer holds it.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        return layer._arrays[self.name]

    def __set__(self, layer, value):
        base = self.name[1:] if self.name not in layer.param_shapes() else self.name
        shape = layer.param_shapes()[base]
        value = np.asarray(value)
        who = f"{layer!r}.{self.name}"
        if value.shape != shape:
            raise ValueError(f"{who}: expected shape {shape}, got {value.shape}")
        if value.dtype.kind not in "fiu":
            raise ValueError(f"{who}: expected a real {layer.dtype} array, got dtype {value.dtype}")
        if not np.all(np.isfinite(value)):
            bad = int(value.size - np.count_nonzero(np.isfinite(value)))
            raise ValueError(f"{who}: {bad} non-finite value(s) (NaN or inf); "
                             "values must be finite")
        layer._arrays[self.name][...] = value


class Layer:
    """Base class: a layer with no parameters unless it names them in ``param_names``.

    A subclass implements ``forward(x)`` and ``backward(dout)``; one with
    parameters also sets ``param_names``, ``param_shapes()`` and calls
    ``init_params`` from its ``__init__``.
    """

    #: Names of the parameter attributes, in the order params() lists them;
    #: each has a gradient attribute named "d" + name.
    param_names = ()
    #: The array backward needs, kept by forward (None before the first forward).
    cache = None
    #: The flat array this layer's parameters live in, once a Sequential packs them.
    packed_in = None
    #: How many times any layer's parameters moved to new storage (``use_storage``):
    #: a Sequential looks its layers over again only when this has changed.
    moves = 0
    #: True for layers whose output has their input's shape (activations, batch norm):
    #: Sequential looks through them when it matches one layer's width to the next.
    keeps_shape = False
    dtype = np.dtype(np.float64)

    def config(self) -> dict:
        """The constructor's arguments that rebuild this layer (JSON-able), for io.save."""
        return {}

    @classmethod
    def shapes_for(cls, **config) -> dict:
        """{name: shape} of each parameter of a layer built with ``config``: io.load
        checks a file's arrays against it before building anything."""
        return {}

    def param_shapes(self) -> dict:
        """{name: shape} of each parameter."""
        return self.shapes_for(**self.config())

    def init_params(self, **values):
        """Keep the given initial parameter values (copied) and zero gradients beside them."""
        self._arrays = {}
        for name in self.param_names:
            value = np.ascontiguousarray(values[name], dtype=self.dtype).copy()
            self._arrays[name] = value
            self._arrays["d" + name] = np.zeros_like(value)

    def params(self) -> list:
        """The layer's parameter arrays (updated in place by an optimizer)."""
        return [self._arrays[name] for name in self.param_names]

    def grads(self) -> list:
        """The gradients of ``params()``, in the same order and shapes."""
        return [self._arrays["d" + name] for name in self.param_names]

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params()))

    def buffers(self) -> dict:
        """State that is saved with the parameters but not trained ({} for most layers)."""
        return {}

    def use_storage(self, theta, grad, at=0):
        """Move the parameters into views of the 1-D array ``theta``, the gradients into ``grad``.

        From index ``at`` on, each array holds ``n_params()`` values: each
        parameter in ``param_names`` order, row by row.  The values are copied in;
        afterwards the attributes (``W``, ``dW``, ...) are views of the two arrays,
        with the same shapes as before, and ``packed_in`` is ``theta``.
        """
        for name in self.param_names:
            p = self._arrays[name]
            for key, flat in ((name, theta), ("d" + name, grad)):
                view = flat[at:at + p.size].reshape(p.shape)
                view[...] = self._arrays[key]
                self._arrays[key] = view
            at += p.size
        self.packed_in = theta
        Layer.moves += 1

    def cached(self):
        """What forward kept for backward; RuntimeError before the first forward."""
        if self.cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward(): "
                               "run forward(x) first so the layer can cache what backward needs")
        return self.cache

    def check_dout(self, dout, shape, dtype):
        """dout as a contiguous ``dtype`` array of the forward output's ``shape``; else ValueError."""
        if isinstance(dout, np.ma.MaskedArray):
            raise ValueError(f"{self!r}.backward: dout is a masked array; masks are not "
                             "honoured (a NaN under one would pass unseen): pass "
                             "dout.filled(value)")
        if not isinstance(dout, np.ndarray) or dout.shape != shape:
            got = dout.shape if isinstance(dout, np.ndarray) else type(dout).__name__
            raise ValueError(f"{self!r}.backward: dout must have shape {shape} "
                             f"(the forward output's), got {got}")
        if dout.dtype.kind not in "fiu":
            raise ValueError(f"{self!r}.backward: dout must hold real numbers, "
                             f"got dtype {dout.dtype}")
        dout = np.ascontiguousarray(dout, dtype=dtype)
        check_finite(dout, f"{self!r}.backward", "dout")
        return dout

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        return f"{type(self).__name__}()"
