"""Lesson 02 — a dense layer by hand: forward, backward, and the gradient check.

Both players of a GAN, G and D, are stacks of two kinds of layers: a dense
(fully connected) layer and an element-wise activation.  Here we derive each
backward pass and then *prove* it with numbers.

Dense layer, N examples of width D in, width M out:

    forward    out[n, m] = Σ_d x[n, d] W[d, m] + b[m]        out = x W + b   (N, M)

Backward: given dout = dL/dout (N, M) for some scalar loss L, the chain rule
sums over every output that a parameter touches:

    dL/dW[d, m] = Σ_n dout[n, m] · x[n, d]        dW = xᵀ dout     (D, N)(N, M) -> (D, M)
    dL/db[m]    = Σ_n dout[n, m]                  db = Σ_n dout    (N, M)       -> (M,)
    dL/dx[n, d] = Σ_m dout[n, m] · W[d, m]        dx = dout Wᵀ     (N, M)(M, D) -> (N, D)

(W[d, m] touches out[n, m] for every n, hence the sum over the batch; x[n, d]
touches out[n, m] for every m.)

Activations, out = f(x) element-wise, so dx = dout · f'(x):

    ReLU        f = max(x, 0)                f' = 1 if x > 0 else 0
    LeakyReLU   f = x if x > 0 else α x      f' = 1 if x > 0 else α        (α = 0.2)
    Tanh        f = tanh(x)                  f' = 1 − tanh(x)² = 1 − out²
    Sigmoid     f = σ(x) = 1/(1 + e^(−x))    f' = σ(x)(1 − σ(x)) = out (1 − out)

Tanh and Sigmoid cache their *output*: the derivative is cheapest written in it.

The gradient check.  For any array p that feeds a scalar L = Σ out · dout, the
centred difference needs no calculus at all:

    dL/dp_i ≈ (L(p + h e_i) − L(p − h e_i)) / (2h)              error O(h²)
            = Σ (out(p + h e_i) − out(p − h e_i)) · dout / (2h)

and the second line (difference the outputs, *then* contract with dout) keeps the
round-off of the untouched entries out.  We take h = 1e-4: the truncation error,
h²/6 · f'''/f' ≈ 1e-9 relative, and the round-off, ≈ 1e-16 · |out| / h ≈ 1e-12,
are both far below what we test.  We compare with backward's answer by

    rel_error = max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|)

and accept rel_error < 1e-7 for one layer (in float64; CS231n's convention).
ReLU and LeakyReLU have a kink at 0, where a difference across the kink is not a
derivative, so their test inputs keep |x| ≥ 0.01 (≫ h).

Then whole networks: D (1 → 16 → 16 → 1, LeakyReLU) with the BCE loss from its
logits — every parameter and dL/dx — and G *through* a fixed D with the
non-saturating loss −mean log D(G(z)): dL/dx from D.backward, then G.backward.
That is the generator step of lesson 04.  For a network we accept rel_error < 1e-5
(CS231n: errors grow with depth and at kinks): rel_error is a max over entries, and
an entry of dW that sums, over the batch, terms that nearly cancel is tiny, so its
*relative* error compares round-off with round-off.  There the differences are of
the loss L itself, ≈ 1, so they resolve a derivative only to ≈ 1e-16 · L / h ≈
1e-12: an entry of 4e-8 would score 1e-5 from round-off alone.  So the network
checks compare entries below 1e-6 at the scale 1e-6 (rel_error's floor, 1e-8 for
one layer).  A wrong backward scores 1e-2 or worse.  Finally the check must be able
to *fail*: two planted bugs, and the same check in float32, are caught.

What to look at in the figure (02_gradient_checks.png, in --out):
- top: each activation f(x) and its derivative f'(x) as backward returns it
  (backward with dout = ones), with numerical derivatives as dots on top; note the
  jumps of ReLU/LeakyReLU at 0 and the bells of tanh' and σ' (σ' ≤ 1/4: gradients
  shrink through sigmoids).
- bottom: every rel_error on a log scale against its acceptance line (1e-7 for one
  layer, 1e-5 for a network) — correct code sits below its line (single layers near
  1e-9 … 1e-12; a whole network, through several layers, as high as ~1e-7, still 60×
  under its line), the planted bugs (~1) and float32 (~1e-2) far above.

Every gradient check runs twice, once per kernel backend (the NumPy twins and the
Numba loops of numpygan/kernels/; lesson 11 shows them side by side), so a slip in
either is caught here.

Run:  python lessons/02_dense_layer_by_hand.py [--quick] [--seed N] [--out DIR]
"""

# %%
import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt
import numpy as np

from numpygan import kernels, losses
from numpygan.gradcheck import numerical_gradient, rel_error
from numpygan.layers import Dense, LeakyReLU, ReLU, Sigmoid, Tanh
from numpygan.network import mlp

rng = np.random.default_rng(args.seed)
# every gradient check runs on both kernel backends: the NumPy twins and the Numba loops
BACKENDS = ["numpy"] + (["numba"] if kernels.HAVE_NUMBA else [])
TRIALS = 1 if args.quick else 5          # random draws per check; we report the worst
TOL = 1e-7                               # one layer
TOL_NET = 1e-5                           # a whole network (see section 5)
FLOOR_NET = 1e-6                         # ... whose L-differences resolve ≈ 1e-12
H = 1e-4                                 # the central differences' step (see the docstring)
results = []                             # (label, rel_error, kind) for the figure


def record(label, err, kind="correct"):
    results.append((label, err, kind))
    return err


# %% [markdown]
# ## 1. Dense forward, written out as the sum it is

# %%
N, D, M = (4, 3, 5) if args.quick else (10, 6, 5)
layer = Dense(D, M, rng=rng)
layer.b = rng.normal(size=M)                          # non-zero b, so db is tested too
x = rng.normal(size=(N, D))                           # (N, D)
out = layer.forward(x)                                # (N, D) @ (D, M) + (M,) -> (N, M)
by_hand = np.zeros((N, M))
for n in range(N):
    for m in range(M):
        by_hand[n, m] = sum(x[n, d] * layer.W[d, m] for d in range(D)) + layer.b[m]
check.below("Dense forward = Σ_d x[n,d] W[d,m] + b[m] by loops: max |difference|",
            np.max(np.abs(out - by_hand)), 1e-12, fmt=".1e")

# %% [markdown]
# ## 2. Dense backward: the three formulas against the layer's backward

# %%
dout = rng.normal(size=(N, M))                        # an upstream gradient dL/dout
dx = layer.backward(dout)
check.below("dW = xᵀ dout: max |layer.dW − formula|",
            np.max(np.abs(layer.dW - x.T @ dout)), 1e-12, fmt=".1e")
check.below("db = Σ_n dout: max |layer.db − formula|",
            np.max(np.abs(layer.db - dout.sum(axis=0))), 1e-12, fmt=".1e")
check.below("dx = dout Wᵀ: max |dx − formula|",
            np.max(np.abs(dx - dout @ layer.W.T)), 1e-12, fmt=".1e")
dW_first = layer.dW.copy()
layer.forward(x)
layer.backward(dout)
check.below("backward twice overwrites dW (no silent accumulation): max |dW₂ − dW₁|",
            np.max(np.abs(layer.dW - dW_first)), 1e-15, fmt=".1e")

# %% [markdown]
# ## 3. The gradient check: no calculus, just differences
# For an array-valued f and an upstream dout, nudge one entry p_i by ±h, difference
# the two *outputs*, and only then contract with dout (CS231n's order of operations):
# entries of f that p_i does not touch cancel exactly, so their round-off never
# enters.  (Contracting first, Σ f(p ± h) · dout, and differencing two such sums
# carries the round-off of all N·M terms: ~1e-16 · N·M / h, which swamps a tiny
# gradient entry.)  f must read p each time it is called; p is restored after.

# %%
def num_grad_array(f, p, dout, h=H):
    """dL/dp for L = Σ f() · dout, by central differences of f's output."""
    grad = np.zeros(p.shape)
    for i in np.ndindex(p.shape):
        old = p[i]
        p[i] = old + h
        f_plus = np.array(f(), dtype=np.float64)         # a copy: f may reuse a buffer
        p[i] = old - h
        f_minus = np.array(f(), dtype=np.float64)
        p[i] = old
        grad[i] = np.sum((f_plus - f_minus) * dout) / (2 * h)
    return grad


def num_grad(f, p):
    """dL/dp of a scalar L = f(), by central differences (numpygan.gradcheck)."""
    return numerical_gradient(f, p, h=H)


def check_dense(dtype=np.float64, trials=TRIALS):
    """Worst rel_error over `trials` random layers, for dx, dW and db."""
    worst = {"dx": 0.0, "dW": 0.0, "db": 0.0}
    for _ in range(trials):
        lay = Dense(D, M, rng=rng, dtype=dtype)
        lay.b = rng.normal(size=M)
        xs = rng.normal(size=(N, D)).astype(dtype)
        up = rng.normal(size=(N, M))
        lay.forward(xs)
        g_x = lay.backward(up.astype(dtype))
        f = lambda: lay.forward(xs)
        worst["dx"] = max(worst["dx"], rel_error(g_x, num_grad_array(f, xs, up)))
        worst["dW"] = max(worst["dW"], rel_error(lay.dW, num_grad_array(f, lay.W, up)))
        worst["db"] = max(worst["db"], rel_error(lay.db, num_grad_array(f, lay.b, up)))
    return worst


for be in BACKENDS:
    with kernels.backend(be):
        for name, err in check_dense().items():
            check.below(f"Dense {name} ({be}): rel_error(backward, numerical), worst of {TRIALS}",
                        record(f"Dense {name} ({be})", err), TOL, fmt=".2e")

# %% [markdown]
# ## 4. The four activations

# %%
ACTIVATIONS = [("ReLU", ReLU()), ("LeakyReLU(0.2)", LeakyReLU(0.2)),
               ("Tanh", Tanh()), ("Sigmoid", Sigmoid())]


def away_from_zero(shape, gap=0.01):
    """Normal draws pushed out of (−gap, gap): the kinks of ReLU/LeakyReLU sit at 0."""
    v = rng.normal(size=shape)             # the scale of pre-activations after init
    return np.where(np.abs(v) < gap, np.sign(v + 1e-300) * gap + v, v)


def check_activation(act):
    """Worst rel_error of dx over `trials` random inputs kept off the kinks."""
    worst = 0.0
    for _ in range(TRIALS):
        xs = away_from_zero((N, M))
        up = rng.normal(size=(N, M))
        act.forward(xs)
        g_x = act.backward(up)
        worst = max(worst, rel_error(g_x, num_grad_array(lambda: act.forward(xs), xs, up)))
    return worst


for be in BACKENDS:
    with kernels.backend(be):
        for name, act in ACTIVATIONS:
            check.below(f"{name} dx ({be}): rel_error(backward, numerical), worst of {TRIALS}",
                        record(f"{name} ({be})", check_activation(act)), TOL, fmt=".2e")

# %% [markdown]
# ## 5. Whole networks and a loss: the chain rule, layer by layer
# (a) D: 1 input → 16 → 16 → 1 logit (LeakyReLU, like the game's D, narrower), with
#     BCE computed from the logits: every parameter, and dL/dx.
# (b) G through a fixed D: L = −mean log D(G(z)) (the non-saturating G loss).
#     G's gradient is D.backward (giving dL/dx at x = G(z)) then G.backward — the
#     generator step of lesson 04.  A GAN whose G gradients are never checked can
#     train on zeros without anyone noticing.

# %%
B = 8 if args.quick else 32


def biased_mlp(act):
    net = mlp([1, 16, 16, 1], hidden=act, rng=rng)
    for lay in net.layers:                 # non-zero biases, so every db is exercised
        if isinstance(lay, Dense):
            lay.b = 0.1 * rng.normal(size=lay.n_out)
    return net


def min_distance_to_kink(net, x):
    """The smallest |input| reaching a ReLU/LeakyReLU: a difference across a kink is wrong."""
    closest = np.inf
    for lay in net.layers:
        if isinstance(lay, (ReLU, LeakyReLU)):
            closest = min(closest, float(np.min(np.abs(x))))
        x = lay.forward(x)
    return closest


D_net, G_net = biased_mlp("leaky_relu"), biased_mlp("leaky_relu")
redraws = 0
while True:                                # redraw a batch that lands on a kink
    x_batch = rng.normal(size=(B, 1))                        # (B, 1) "data"
    z_batch = rng.uniform(-1, 1, size=(B, 1))                # (B, 1) noise
    if min(min_distance_to_kink(D_net, x_batch), min_distance_to_kink(G_net, z_batch),
           min_distance_to_kink(D_net, G_net.forward(z_batch))) > 1e-3:
        break
    redraws += 1
targets = rng.integers(0, 2, size=(B, 1)).astype(np.float64)
print(f"batches redrawn because an input sat within 1e-3 of a kink: {redraws}")


def d_loss():
    return losses.bce_with_logits(D_net.forward(x_batch), targets)[0]


def g_loss():
    return losses.generator_loss_nonsaturating(D_net.forward(G_net.forward(z_batch)))[0]


def check_networks(be):
    """D's parameters and dL/dx with BCE from logits, and G's through a fixed D."""
    _, dlogits = losses.bce_with_logits(D_net.forward(x_batch), targets)   # (B, 1)
    dx_net = D_net.backward(dlogits)                                      # (B, 1) -> (B, 1)
    worst_param = max(rel_error(g, num_grad(d_loss, p), floor=FLOOR_NET)
                      for p, g in zip(D_net.params(), D_net.grads()))
    check.below(f"D network + BCE from logits ({be}): worst rel_error over its "
                f"{len(D_net.params())} parameter arrays",
                record(f"D params ({be})", worst_param, "network"), TOL_NET, fmt=".2e")
    err_dx = rel_error(dx_net, num_grad(d_loss, x_batch), floor=FLOOR_NET)
    check.below(f"D network ({be}): dL/dx (the gradient G will receive through D)",
                record(f"D dL/dx ({be})", err_dx, "network"), TOL_NET, fmt=".2e")
    _, dlogits = losses.generator_loss_nonsaturating(D_net.forward(G_net.forward(z_batch)))
    G_net.backward(D_net.backward(dlogits))          # dL/dlogits -> dL/dx -> G's grads
    worst_g = max(rel_error(g, num_grad(g_loss, p), floor=FLOOR_NET)
                  for p, g in zip(G_net.params(), G_net.grads()))
    check.below(f"G through a fixed D, −mean log D(G(z)) ({be}): worst rel_error over G's "
                f"{len(G_net.params())} parameter arrays",
                record(f"G params, through D ({be})", worst_g, "network"), TOL_NET, fmt=".2e")


for be in BACKENDS:
    with kernels.backend(be):
        check_networks(be)

# %% [markdown]
# ## 6. A check that cannot fail proves nothing: planted bugs, and float32

# %%
class BuggyTanh(Tanh):
    """tanh with the classic slip f' = 1 − out (instead of 1 − out²)."""

    def backward(self, dout):
        return dout * (1.0 - self.cache)


class BuggyDense(Dense):
    """Dense whose db averages over the batch instead of summing."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.mean(axis=0)
        return dx


bug = BuggyTanh()
xs = rng.normal(size=(N, M))
up = rng.normal(size=(N, M))
bug.forward(xs)
err = rel_error(bug.backward(up), num_grad_array(lambda: bug.forward(xs), xs, up))
check.above("planted bug 1: tanh' = 1 − out is caught (rel_error)",
            record("bug: tanh' = 1 − out", err, "bug"), 1e-3, fmt=".2e")
bug = BuggyDense(D, M, rng=rng)
xs = rng.normal(size=(N, D))
up = rng.normal(size=(N, M))
bug.forward(xs)
bug.backward(up)
err = rel_error(bug.db, num_grad_array(lambda: bug.forward(xs), bug.b, up))
check.above("planted bug 2: db = mean instead of sum is caught (rel_error)",
            record("bug: db = mean", err, "bug"), 1e-3, fmt=".2e")
err32 = max(check_dense(np.float32, trials=1).values())
check.above("the same Dense check in float32 is too coarse to trust (rel_error)",
            record("Dense in float32", err32, "float32"), 1e-5, fmt=".2e")

# %% [markdown]
# ## 7. The figure: activations with their derivatives, and every rel_error

# %%
fig = plt.figure(figsize=(14, 8), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.1])
axes = top.subplots(1, 4)
t = np.linspace(-4, 4, 801).reshape(1, -1)            # one row of 801 inputs
t_dots = np.linspace(-3.8, 3.8, 20).reshape(1, -1)    # 20 points, none exactly at 0
for ax, (name, act) in zip(axes, ACTIVATIONS):
    f_t = act.forward(t)[0]
    fprime = act.backward(np.ones_like(t))[0]          # dout = ones -> f'(x)
    num = num_grad_array(lambda: act.forward(t_dots), t_dots, np.ones_like(t_dots))[0]
    ax.plot(t[0], f_t, color="0.2", lw=2, label="f(x)")
    ax.plot(t[0], fprime, color="#1f5fbf", lw=2, ls="--", label="f'(x) from backward(ones)")
    ax.plot(t_dots[0], num, "o", ms=4, mfc="none", color="#d6501f",
            label="numerical f'(x)")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set(title=name, xlabel="x", ylabel="f(x), f'(x)")
    ax.grid(alpha=0.25)
axes[0].legend(fontsize=8, loc="upper left")
top.suptitle("Activations and their derivatives: backward's f'(x) (dashed) meets the "
             "numerical derivative (dots)", fontsize=11)
ax = bottom.subplots()
colors = {"correct": "#2ca02c", "network": "#2ca02c", "bug": "#d62728", "float32": "#ff7f0e"}
labels = [r[0] for r in results]
raw = np.array([r[1] for r in results])
errs = np.maximum(raw, 3e-13)                          # an exact 0 still gets a stub
ax.bar(range(len(results)), errs, color=[colors[r[2]] for r in results])
ax.set_yscale("log")
for i in np.flatnonzero(raw == 0):
    ax.text(i, 5e-13, "exactly 0", ha="center", fontsize=8)
for kind, tol, text in (("correct", TOL, "one layer: accept < 1e-7"),
                        ("network", TOL_NET, "a network: accept < 1e-5")):
    idx = [i for i, r in enumerate(results) if r[2] == kind]
    ax.hlines(tol, idx[0] - 0.45, idx[-1] + 0.45, color="black", ls="--", lw=1.3)
    ax.text(idx[0] - 0.4, tol * 2.0, text, ha="left", fontsize=9)
ax.set_ylim(1e-13, 30)  # rel_errors below 1e-13 are drawn as a stub
ax.set_xticks(range(len(results)), labels, rotation=35, ha="right", fontsize=8)
ax.set_ylabel("rel_error (log scale)")
ax.set_title("Gradient checks: correct backward passes (green) sit far below their line; "
             "planted bugs (red) and float32 (orange) are caught", fontsize=11)
handles = [plt.Rectangle((0, 0), 1, 1, color=colors[k]) for k in ("correct", "bug", "float32")]
ax.legend(handles, ["correct code, float64", "planted bug", "correct code, float32"],
          fontsize=9, loc="upper left")
ax.grid(axis="y", alpha=0.25)
_lesson.savefig(fig, args, "02_gradient_checks.png")

# %%
check.finish()
