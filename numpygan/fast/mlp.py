"""A whole stack of Dense and activation layers in one kernel call per pass.

On the lessons' small networks a call from Python per layer costs more than the
layer's arithmetic, so on the Numba backend ``network.Sequential`` hands its
whole stack to ``mlp_forward`` and ``mlp_backward``: the teaching loops of every
layer, in order, inside one compiled function, with the tuned ``gemm`` for the
products.  They read every W and b from the one flat array ``theta`` the network
keeps its parameters in, and write every dW and db into ``grad`` (see
``network.Sequential`` for that layout).

The plan is a table with one row per layer, its columns named below:

    plan[i, KIND]      the layer's kind: DENSE, RELU, LEAKY_RELU, TANH or SIGMOID
    plan[i, N_IN]      its input width D
    plan[i, N_OUT]     its output width M
    plan[i, PARAM_AT]  where its W (D·M values, row by row) then b (M values) start in theta
    plan[i, OUT_AT]    where its output starts among the activations, in units of N values
    alphas[i]          its LeakyReLU slope (unused by the other kinds)

``acts`` holds every layer's output, one after another, each (N, M) row by row:
layer i's output is ``acts[N·c : N·(c + M)]`` seen as (N, M), c = plan[i, OUT_AT].
The NumPy twins run the teaching kernels' NumPy twins layer by layer over the
same arrays; the tests hold the two to round-off and the Numba kernels to the
layers run one at a time.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..kernels import checks as kernel_checks
from ..kernels.switch import STATE, jit
from .gemm import gemm

DENSE, RELU, LEAKY_RELU, TANH, SIGMOID = 0, 1, 2, 3, 4
KIND, N_IN, N_OUT, PARAM_AT, OUT_AT = 0, 1, 2, 3, 4


# The two kernels are written out in full, with no helper kernels of their own:
# Numba compiles a called kernel once on its own and again inside each caller,
# and a cold start waits for every one of those compiles.


@jit
def _nb_mlp_forward(x, theta, plan, alphas):  # pragma: no cover - compiled
    N = x.shape[0]
    L = plan.shape[0]
    acts = np.empty(N * (plan[L - 1, OUT_AT] + plan[L - 1, N_OUT]), dtype=x.dtype)
    h = x                                                  # (N, D): layer 0's input
    for i in range(L):
        kind, D, M = plan[i, KIND], plan[i, N_IN], plan[i, N_OUT]
        p, c, alpha = plan[i, PARAM_AT], plan[i, OUT_AT], alphas[i]
        out = acts[N * c:N * (c + M)].reshape((N, M))      # (N, M): layer i's output
        if kind == DENSE:                                  # out = b + h W
            for n in range(N):
                for m in range(M):
                    out[n, m] = theta[p + D * M + m]
            gemm(h, theta[p:p + D * M].reshape((D, M)), out)
            h = out
            continue
        for n in range(N):                                 # out = f(h), element by element
            for m in range(M):
                v = h[n, m]
                if kind == RELU:
                    out[n, m] = v if v > 0 else 0.0
                elif kind == LEAKY_RELU:
                    out[n, m] = v if v > 0 else alpha * v
                elif kind == TANH:
                    out[n, m] = np.tanh(v)
                else:                                      # SIGMOID, stable on both sides
                    e = np.exp(-abs(v))
                    out[n, m] = 1 / (1 + e) if v >= 0 else e / (1 + e)
        h = out
    return acts


@jit
def _nb_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad):  # pragma: no cover
    N = x.shape[0]
    grad[:] = 0.0                    # every dW and db accumulates into zeros
    g = dout                         # (N, M) of the last layer: dL/d(its output)
    for i in range(plan.shape[0] - 1, -1, -1):
        kind, D, M = plan[i, KIND], plan[i, N_IN], plan[i, N_OUT]
        p, c, alpha = plan[i, PARAM_AT], plan[i, OUT_AT], alphas[i]
        c_in = 0 if i == 0 else plan[i - 1, OUT_AT]
        h = x if i == 0 else acts[N * c_in:N * (c_in + D)].reshape((N, D))   # layer i's input
        dx = np.empty((N, D), dtype=x.dtype)               # (N, D): dL/dh
        if kind == DENSE:
            hT = np.empty((D, N), dtype=x.dtype)           # rows of hT: columns of h
            for d in range(D):
                for n in range(N):
                    hT[d, n] = h[n, d]
            gemm(hT, g, grad[p:p + D * M].reshape((D, M)))  # dW = hᵀ g   (D, N) @ (N, M)
            for n in range(N):                              # db = Σ_n g[n]
                for m in range(M):
                    grad[p + D * M + m] += g[n, m]
            if i > 0 or input_grad:                         # dx = g Wᵀ   (N, M) @ (M, D)
                WT = np.empty((M, D), dtype=x.dtype)        # WT[m, d] = W[d, m]
                for m in range(M):
                    for d in range(D):
                        WT[m, d] = theta[p + d * M + m]
                dx[:, :] = 0.0
                gemm(g, WT, dx)
        else:                        # dx = g · f'(h), from h (ReLUs) or from out (Tanh, σ)
            o0 = N * c
            for n in range(N):
                for m in range(M):
                    if kind == RELU:
                        dx[n, m] = g[n, m] if h[n, m] > 0 else 0.0
                    elif kind == LEAKY_RELU:
                        dx[n, m] = g[n, m] if h[n, m] > 0 else alpha * g[n, m]
                    elif kind == TANH:
                        o = acts[o0 + n * M + m]
                        dx[n, m] = g[n, m] * (1 - o * o)
                    else:                                    # SIGMOID
                        o = acts[o0 + n * M + m]
                        dx[n, m] = g[n, m] * o * (1 - o)
        g = dx
    return g if input_grad else None


# ---------------------------------------------------------------- NumPy twins
_NP_FORWARD = {
    RELU: lambda h, a: kernels.relu_forward.numpy(h),
    LEAKY_RELU: lambda h, a: kernels.leaky_relu_forward.numpy(h, a),
    TANH: lambda h, a: kernels.tanh_forward.numpy(h),
    SIGMOID: lambda h, a: kernels.sigmoid_forward.numpy(h),
}
_NP_BACKWARD = {   # (the layer's input h, its output, dL/dout, alpha) -> dL/dh
    RELU: lambda h, out, g, a: kernels.relu_backward.numpy(h, g),
    LEAKY_RELU: lambda h, out, g, a: kernels.leaky_relu_backward.numpy(h, g, a),
    TANH: lambda h, out, g, a: kernels.tanh_backward.numpy(out, g),
    SIGMOID: lambda h, out, g, a: kernels.sigmoid_backward.numpy(out, g),
}


def _rows(plan):
    """The plan's rows as Python ints: (kind, D, M, p, c)."""
    return [tuple(int(v) for v in row) for row in plan[:, [KIND, N_IN, N_OUT, PARAM_AT, OUT_AT]]]


def _np_mlp_forward(x, theta, plan, alphas):
    """NumPy twin of the whole-network forward: the layers' NumPy twins, in order."""
    N = x.shape[0]
    acts = np.empty(N * int(plan[-1, OUT_AT] + plan[-1, N_OUT]), dtype=x.dtype)
    h = x
    for i, (kind, D, M, p, c) in enumerate(_rows(plan)):
        out = acts[N * c:N * (c + M)].reshape(N, M)
        if kind == DENSE:
            out[...] = kernels.matmul_bias.numpy(h, theta[p:p + D * M].reshape(D, M),
                                                 theta[p + D * M:p + D * M + M])
        else:
            out[...] = _NP_FORWARD[kind](h, float(alphas[i]))
        h = out
    return acts


def _np_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad):
    """NumPy twin of the whole-network backward (it computes dL/dx whatever
    ``input_grad`` says, and returns it only if asked)."""
    N = x.shape[0]
    grad[...] = 0    # as the Numba twin: values no layer owns end up zero too
    g = dout
    rows = _rows(plan)
    for i in range(len(rows) - 1, -1, -1):
        kind, D, M, p, c = rows[i]
        h = x if i == 0 else acts[N * rows[i - 1][4]:N * (rows[i - 1][4] + D)].reshape(N, D)
        if kind == DENSE:
            W = theta[p:p + D * M].reshape(D, M)
            grad[p:p + D * M] = kernels.grad_W.numpy(h, g).reshape(-1)    # dW = hᵀ g
            grad[p + D * M:p + D * M + M] = kernels.grad_b.numpy(g)       # db = Σ_n g[n]
            g = kernels.grad_x.numpy(g, W)                                # dx = g Wᵀ
        else:
            out = acts[N * c:N * (c + M)].reshape(N, M)
            g = _NP_BACKWARD[kind](h, out, g, float(alphas[i]))
    return g if input_grad else None


# ---------------------------------------------------------------- checks
def check_plan(who, x, theta, plan, alphas):
    """Refuse a plan and arrays that do not fit together (a compiled loop would read
    past their ends); returns the last layer's output width."""
    kernel_checks.float_array(who, "x", x, 2)
    kernel_checks.float_array(who, "theta", theta, 1)
    kernel_checks.same_dtype(who, x=x, theta=theta)
    if not (isinstance(plan, np.ndarray) and plan.dtype == np.int64 and plan.ndim == 2
            and plan.shape[0] >= 1 and plan.shape[1] == 5):
        raise ValueError(f"{who}: plan must be an int64 array of shape (L, 5), got "
                         f"{getattr(plan, 'shape', type(plan).__name__)}")
    if not (isinstance(alphas, np.ndarray) and alphas.dtype == np.float64
            and alphas.shape == (plan.shape[0],)):
        raise ValueError(f"{who}: alphas must be a float64 array of shape ({plan.shape[0]},)")
    width, c, p_end = x.shape[1], 0, 0
    for i, (kind, D, M, p, ci) in enumerate(_rows(plan)):
        if not (D == width and ci == c and M >= 1 and p >= 0 and kind in _KINDS
                and (kind == DENSE or M == D)):
            raise ValueError(f"{who}: plan row {i} {(kind, D, M, p, ci)} does not follow "
                             f"the one before (expected input width {width}, output "
                             f"offset {c}) or names no layer kind")
        if kind == DENSE:
            p_end = max(p_end, p + D * M + M)
        width, c = M, c + M
    if theta.size < p_end or not theta.flags.c_contiguous:
        raise ValueError(f"{who}: theta must be a contiguous array of at least {p_end} "
                         f"values, got {theta.size}")
    return width


_KINDS = (DENSE, RELU, LEAKY_RELU, TANH, SIGMOID)


def _check_backward(x, dout, theta, grad, plan, alphas, acts):
    who = "mlp_backward"
    width = check_plan(who, x, theta, plan, alphas)
    for name, a, ndim in (("dout", dout, 2), ("grad", grad, 1), ("acts", acts, 1)):
        kernel_checks.float_array(who, name, a, ndim)
    kernel_checks.same_dtype(who, x=x, dout=dout, grad=grad, acts=acts)
    if dout.shape != (x.shape[0], width):
        raise ValueError(f"{who}: dout must have shape {(x.shape[0], width)}, got {dout.shape}")
    if grad.size != theta.size or not grad.flags.c_contiguous or not grad.flags.writeable:
        raise ValueError(f"{who}: grad must be a writeable contiguous array of "
                         f"theta's size {theta.size}")
    expected = x.shape[0] * int(plan[-1, OUT_AT] + plan[-1, N_OUT])
    if acts.size != expected or not acts.flags.c_contiguous:
        raise ValueError(f"{who}: acts must be mlp_forward's {expected} contiguous values, "
                         f"got {acts.size}")


# ---------------------------------------------------------------- public
def mlp_forward(x, theta, plan, alphas, check=True):
    """A whole stack forward in one call: x (N, D) -> acts, every layer's output.

    ``check=False`` skips the checks, for a caller that built the plan and the
    arrays itself (``network.Sequential`` does, once, and checks x at its boundary).
    """
    if check:
        check_plan("mlp_forward", x, theta, plan, alphas)
    if STATE.numba:
        return _nb_mlp_forward(x, theta, plan, alphas)
    return _np_mlp_forward(x, theta, plan, alphas)


def mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad=True, check=True):
    """Backward through the stack ``mlp_forward`` ran: fills all of grad (values no
    layer owns become 0), returns dL/dx (N, D), or None with ``input_grad=False``
    (which skips layer 0's dx = g Wᵀ: a GAN never uses dL/dz of G)."""
    if check:
        _check_backward(x, dout, theta, grad, plan, alphas, acts)
    input_grad = bool(input_grad)   # one compiled version, whatever the caller passed
    if STATE.numba:
        return _nb_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad)
    return _np_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad)


#: The whole-network twins, by name, for the tests.
TWINS = {"mlp_forward": (_np_mlp_forward, _nb_mlp_forward),
         "mlp_backward": (_np_mlp_backward, _nb_mlp_backward)}
