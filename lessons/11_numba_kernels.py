"""11 — The Numba kernels: the loops, their NumPy twins, and the speed-up measured here.

Every dense layer of numpygan spends its time in a handful of kernels
(numpygan/kernels.py), the same arithmetic as lesson 02:

    forward    out = x W + b           (N, D) @ (D, M) + (M,) -> (N, M)
    backward   dW  = xᵀ dout           (D, N) @ (N, M)        -> (D, M)
               db  = Σ_n dout[n, :]    (N, M)                 -> (M,)
               dx  = dout Wᵀ           (N, M) @ (M, D)        -> (N, D)

plus the element-wise activations (ReLU, LeakyReLU, Tanh, Sigmoid, forward and
backward) and Adam's update.  Each kernel is written twice:

  * the NumPy twin: one line of array code (``x @ W + b``), which calls BLAS;
  * the Numba twin: the same sum written out as plain ``for`` loops, compiled to
    machine code by ``@numba.njit``.

``kernels.TWINS`` lists every pair by name; ``kernels.set_backend("numba" | "numpy")``
(or the ``with kernels.backend(...)`` block) chooses which twin the layers call.

What this lesson measures (nothing here is assumed):

  1. The twins agree.  For each pair, on random float64 inputs,
         rel_diff = max |a − b| / max |a|       (a: NumPy's result, b: Numba's)
     must be < 1e-12.  They need not be bit-identical: a loop adds the products of a
     dot product in another order than BLAS, and floating-point addition is not
     associative — but the difference is round-off, ~1e-16 per addition.
  2. A whole training run agrees: the same seed trained on each backend gives the same
     samples to round-off (max relative difference < 1e-9 after the run).
  3. The speed of each kernel and of one full training iteration (Algorithm 1, k = 1:
     one D-step and one G-step), NumPy vs Numba, timed on THIS machine.  No speed is
     claimed in a CHECK: the ratio depends on the CPU, the array sizes, and on how
     many threads the BLAS library starts (on a busy 2-core machine, BLAS threads
     fighting over small matrices can make NumPy many times slower; compare with
     ``OPENBLAS_NUM_THREADS=1 python lessons/11_numba_kernels.py``).
  4. The price of the loops: the seconds Numba spent compiling them in this process
     (the first run on a machine), or loading them from its on-disk cache (every
     run after), as ``kernels.jit_time()`` reports them.

Where can plain loops beat NumPy?  Where NumPy's own overhead is most of the work:
an element-wise kernel on a 128 × 64 array is a few microseconds of arithmetic, and
each NumPy call adds its own overhead (checking types, allocating a temporary, maybe
waking BLAS threads); ``np.where(x > 0, x, alpha * x)`` makes three passes and two
temporaries where the loop makes one pass.  The matrix products are BLAS's home ground
(blocked, vectorised code written for each CPU), and our simple loops may lose there —
the table shows, kernel by kernel, which side each falls on, on YOUR machine.  The
whole iteration mixes both; ``python -m numpygan.bench`` measures more sizes.

Figures (in --out):
  11_speedup.png   left: time per call of every kernel, NumPy (grey) vs Numba (blue),
                   log scale, the speed-up written beside each pair — look for
                   which kernels gain most, and compare with their size of work;
                   right: milliseconds per training iteration for the 1D GAN of the
                   lessons and the image GAN of lesson 12 — does the speed-up hold
                   as the matrices grow?
"""

# %% Setup
import inspect
import os
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import kernels  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402
from numpygan.gan import gan_1d  # noqa: E402

if not kernels.HAVE_NUMBA:
    print("Numba is not installed: both backends run the NumPy twins.  Install it with\n"
          "    pip install numba\nto see the loops compiled.")

# %% 1. The loops beside their twins
# ``inspect.getsource`` prints a function's source; a Numba kernel keeps its Python
# function as ``.py_func`` (that is also what runs under NUMBA_DISABLE_JIT=1).


def source(f):
    return inspect.getsource(getattr(f, "py_func", f))


SHOW = [name for name in ("leaky_relu_backward", "col_sum") if name in kernels.TWINS]
for name in SHOW:
    np_twin, nb_twin = kernels.TWINS[name]
    print(f"--- {name}: the NumPy twin ---")
    print(source(np_twin).rstrip())
    print(f"--- {name}: the Numba twin ---")
    print(source(nb_twin).rstrip())
    print()


# %% 2. The twins agree (float64, random inputs, awkward shapes)
# Each kernel's arguments are made from their names: x, W, b, g, dout, out, alpha (the
# layers') and p, g, m, v, lr, beta1, beta2, c1, c2, eps (Adam's).  Shapes are chosen
# so every product is defined: x (N, D), W (D, M), b (M,), g and dout (N, M); the
# element-wise kernels get x, out, dout of one shape.  Odd sizes (N = 129, M = 1)
# exercise the loops' leftover rows and the one-column logit layer.
SHAPES = [(256, 64, 64), (129, 33, 1)]
SCALARS = {"alpha": 0.2, "lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
           "c1": 1 - 0.9 ** 3, "c2": 1 - 0.999 ** 3, "eps": 1e-8}


def make_args(fn, N, D, M, rng, dtype=np.float64):
    """Arguments for a kernel, by its parameter names; None when a name is unknown."""
    names = list(inspect.signature(getattr(fn, "py_func", fn)).parameters)
    adam = "p" in names
    matmul = "W" in names or ("g" in names and not adam)
    args_ = []
    for name in names:
        if name in SCALARS:
            args_.append(SCALARS[name])
        elif adam and name in ("p", "g", "m"):
            args_.append(rng.normal(size=(D, M)))
        elif adam and name == "v":
            args_.append(rng.uniform(0.0, 1.0, size=(D, M)))   # a second moment: >= 0
        elif name == "x":
            args_.append(rng.normal(size=(N, D) if matmul else (N, M)))
        elif name in ("g", "dout"):
            args_.append(rng.normal(size=(N, M)))
        elif name == "out":
            args_.append(rng.uniform(0.01, 0.99, size=(N, M)))  # a tanh/sigmoid output
        elif name == "W":
            args_.append(rng.normal(size=(D, M)))
        elif name == "b":
            args_.append(rng.normal(size=M))
        elif name == "a" and "t" in names:                     # logits, for bce_logits
            args_.append(rng.normal(scale=3.0, size=(N, M)))
        elif name == "t":
            args_.append(0.9)                                 # a (smoothed) target
        else:
            return None
    return [a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args_]


def results(fn, call_args):
    """Everything a kernel produces: its return value(s) and the arrays it changed in place."""
    call_args = [a.copy() if isinstance(a, np.ndarray) else a for a in call_args]
    ret = fn(*call_args)
    ret = list(ret) if isinstance(ret, tuple) else ([] if ret is None else [ret])
    return ret + [a for a in call_args if isinstance(a, np.ndarray)]


def rel_diff(a, b):
    """max |a − b| / max |a| over all outputs of one kernel."""
    num = max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b))
    den = max(float(np.max(np.abs(x))) for x in a)
    return num / max(den, np.finfo(np.float64).tiny)


rng = np.random.default_rng(args.seed)
diffs, first_call_ms, skipped = {}, {}, []
for name, (np_twin, nb_twin) in kernels.TWINS.items():
    worst, known = 0.0, True
    for N, D, M in SHAPES:
        call_args = make_args(np_twin, N, D, M, rng)
        if call_args is None:
            known = False
            break
        try:
            a = results(np_twin, call_args)
            t0 = time.perf_counter()
            b = results(nb_twin, call_args)
        except Exception as exc:                  # a signature this lesson cannot guess
            print(f"{name}: could not call the twins with made-up arguments ({exc})")
            known = False
            break
        first_call_ms.setdefault(name, (time.perf_counter() - t0) * 1e3)
        if len(a) != len(b) or any(np.shape(x) != np.shape(y) for x, y in zip(a, b)):
            worst = np.inf                       # different outputs: a FAIL below
            break
        worst = max(worst, rel_diff(a, b))
    if known:
        diffs[name] = worst
    else:
        skipped.append(name)

print(f"{'kernel':<24}{'rel diff (float64)':>20}{'first Numba call':>18}")
for name, d in diffs.items():
    print(f"{name:<24}{d:>20.2e}{first_call_ms.get(name, float('nan')):>15.1f} ms")
print("(the first call of a Numba kernel compiles it, or loads it from the on-disk "
      "cache:\n that is the JIT's one-off cost; later calls run the machine code)")
if skipped:
    print(f"not compared here (arguments this lesson cannot make up): {', '.join(skipped)};"
          "\n tests/test_kernels.py compares every twin (and section 3b the whole-network pair)")
for name, d in diffs.items():
    check.below(f"{name}: NumPy twin = Numba twin, max rel diff", d, 1e-12, fmt=".2e")

# %% 3. A whole training run agrees across backends
# The same seed, the same steps: only the kernels differ.  Round-off differences could
# grow through the game's dynamics; measured over this run they stay tiny.
RUN_STEPS = 100 if args.quick else 500
p_data = Gaussian(4.0, 1.25)
probe = np.random.default_rng(12345).uniform(-1, 1, size=(2_000, 1))  # fixed z
samples = {}
for name in ("numpy", "numba"):
    with kernels.backend(name if kernels.HAVE_NUMBA else "numpy"):
        gan = gan_1d(p_data, seed=args.seed)
        gan.train(RUN_STEPS)
        samples[name] = gan.generate(probe)[:, 0]
run_diff = float(np.max(np.abs(samples["numpy"] - samples["numba"]))
                 / np.max(np.abs(samples["numpy"])))
print(f"after {RUN_STEPS} steps on each backend: G(z) on 2,000 fixed z, max rel diff "
      f"{run_diff:.2e}")
check.below(f"same seed, {RUN_STEPS} training steps: G(z) on numpy vs numba, max rel diff",
            run_diff, 1e-9, fmt=".2e")
before = kernels.get_backend()
with kernels.backend("numpy"):
    inside = kernels.get_backend()
check.true("kernels.backend() switches inside the with block and restores after",
           inside == "numpy" and kernels.get_backend() == before,
           measured=f"inside {inside}, after {kernels.get_backend()}",
           expect=f"inside numpy, after {before}")


# %% 3b. A whole network in one call
# On the lessons' small networks each kernel call does a few microseconds of
# arithmetic, and the Python around it (the call, the checks, allocating the output)
# costs about as much.  So a Sequential of Dense and activation layers hands the whole
# stack to one kernel, kernels.mlp_forward, and the backward pass to another,
# kernels.mlp_backward (on the Numba backend): the same loops as the layer kernels, in
# the same order, over all the layers in turn, with every W and b in one flat array
# (a layer's W is a view into it).  Same loops, same order: the same bits.
from numpygan.network import mlp  # noqa: E402

net = mlp([1, 32, 32, 1], rng=np.random.default_rng(args.seed))
xs = np.random.default_rng(1).normal(size=(128, 1))
ds = np.random.default_rng(2).normal(size=(128, 1))


def by_layer(x, dout):
    """The layers one call at a time, forward then backward; returns out, dx, the grads."""
    for layer in net.layers:
        x = layer.forward(x)
    out = x
    for layer in reversed(net.layers):
        dout = layer.backward(dout)
    return [out.copy(), dout.copy()] + [g.copy() for g in net.grads()]


def one_call(x, dout):
    """net.forward and net.backward: one kernel call each on the Numba backend."""
    out = net.forward(x)
    dx = net.backward(dout)
    return [out.copy(), dx.copy()] + [g.copy() for g in net.grads()]


with kernels.backend("numba" if kernels.HAVE_NUMBA else "numpy"):
    a, b = one_call(xs, ds), by_layer(xs, ds)
    same = all(np.array_equal(u, w) for u, w in zip(a, b))
    reps = 20 if args.quick else 300
    best = {by_layer: np.inf, one_call: np.inf}
    for _ in range(5):                      # the fastest of five rounds, taking turns
        for fn in best:
            t0 = time.perf_counter()
            for _ in range(reps):
                fn(xs, ds)
            best[fn] = min(best[fn], (time.perf_counter() - t0) / reps * 1e6)
    t_layers, t_one = best[by_layer], best[one_call]
print(f"1→32→32→1 on 128 rows, forward + backward on {kernels.get_backend()}: "
      f"layer by layer {t_layers:.1f} µs, one call each way {t_one:.1f} µs "
      f"(the copies of the results included in both)")
check.true("one kernel call per pass = the layers one by one: output, dL/dx and every "
           "gradient, bit for bit", same, measured="equal" if same else "different",
           expect="equal")


# %% 4. Speed of each kernel (this machine, now)
# Time per call at the lessons' size, N = 128 rows, D = M = 64.  Each twin is called
# `number` times in a row, `repeat` times; we keep the fastest repeat (the one the rest
# of the machine disturbed least — the usual timeit rule).


def ratio(r):
    """A speed-up as text: 250×, 4.2×, 0.77×, 0.0012×."""
    return f"{r:,.0f}×" if r >= 10 else f"{r:.2g}×"


def time_call(fn, call_args, number, repeat):
    fn(*call_args)                                   # warm up (and compile)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn(*call_args)
        best = min(best, (time.perf_counter() - t0) / number)
    return best * 1e6                                # µs


NUMBER, REPEAT = (10, 2) if args.quick else (200, 7)
N, D, M = 128, 64, 64
kernel_us = {}
# The *_par twins share rows out among threads.  At this size starting the threads
# costs more than it saves — the library only calls them for large products — and on
# a busy machine they can take milliseconds, so --quick leaves them out.
timed = [n for n in diffs if not (args.quick and n.endswith("_par"))]
for name in timed:
    np_twin, nb_twin = kernels.TWINS[name]
    call_args = make_args(np_twin, N, D, M, np.random.default_rng(1))
    # adam_update works in place: give it copies so repeated calls stay finite
    kernel_us[name] = (time_call(np_twin, call_args, NUMBER, REPEAT),
                       time_call(nb_twin, [a.copy() if isinstance(a, np.ndarray) else a
                                           for a in call_args], NUMBER, REPEAT))
blas_threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
print(f"\nper call, N = {N}, D = M = {D} (fastest of {REPEAT} × {NUMBER} calls); "
      f"{os.cpu_count()} CPUs, BLAS threads: {blas_threads or 'BLAS default (up to all CPUs)'}")
print(f"{'kernel':<24}{'NumPy µs':>10}{'Numba µs':>10}{'speed-up':>10}")
for name, (t_np, t_nb) in kernel_us.items():
    print(f"{name:<24}{t_np:>10.1f}{t_nb:>10.1f}{ratio(t_np / t_nb):>10}")

# %% 5. Speed of a whole training iteration
# One iteration = one D-step + one G-step (Algorithm 1, k = 1), the networks of the
# lessons: the 1D GAN (1 → 32 → 32 → 1 and 1 → 64 → 64 → 1, batch 128) and lesson
# 12's image GAN (16 → 64 → 128 → 64 and 64 → 128 → 64 → 1, batch 64).  The backends
# take turns, round after round, so a burst of load elsewhere slows both alike; we
# report the median round.


def image_gan(seed):
    from numpygan import mlp
    from numpygan.gan import GAN
    from numpygan.optim import Adam

    r = np.random.default_rng(seed)
    G = mlp([16, 64, 128, 64], hidden="leaky_relu", out="tanh", rng=r)
    D = mlp([64, 128, 64, 1], hidden="leaky_relu", rng=r)
    images = Gaussian(0.0, 0.5, dim=64)       # stand-in data: the timing ignores content
    return GAN(G, D, images, Gaussian(0.0, 1.0, dim=16), d_opt=Adam(2e-4, 0.5),
               g_opt=Adam(2e-4, 0.5), batch=64, seed=seed, standardize=False)


ITER_STEPS, ROUNDS = (5, 2) if args.quick else (100, 7)
games = {"1D GAN (lessons 04-10)": lambda: gan_1d(p_data, seed=args.seed),
         "image GAN (lesson 12)": lambda: image_gan(args.seed)}
if args.quick:                                  # seconds, not minutes: the 1D GAN only
    games.pop("image GAN (lesson 12)")
iter_ms = {}
for label, make in games.items():
    per = {name: make() for name in ("numpy", "numba")}
    rounds = {name: [] for name in per}
    for name, g in per.items():                 # warm up: compile, fill caches
        with kernels.backend(name if kernels.HAVE_NUMBA else "numpy"):
            g.train(1 if args.quick else 3)
    for _ in range(ROUNDS):
        for name, g in per.items():
            with kernels.backend(name if kernels.HAVE_NUMBA else "numpy"):
                t0 = time.perf_counter()
                g.train(ITER_STEPS, total=10**9)     # constant-ish lr: timing only
                rounds[name].append((time.perf_counter() - t0) / ITER_STEPS * 1e3)
    iter_ms[label] = {name: float(np.median(t)) for name, t in rounds.items()}
print(f"\nms per training iteration (median of {ROUNDS} rounds of {ITER_STEPS})")
print(f"{'network':<26}{'NumPy':>8}{'Numba':>8}{'speed-up':>10}")
for label, t in iter_ms.items():
    speedup = ratio(t["numpy"] / t["numba"])
    print(f"{label:<26}{t['numpy']:>8.2f}{t['numba']:>8.2f}{speedup:>10}")
for label, t in iter_ms.items():
    check.true(f"{label}: both backends timed (finite, > 0)",
               all(np.isfinite(v) and v > 0 for v in t.values()),
               measured=f"{t['numpy']:.2f} ms, {t['numba']:.2f} ms",
               expect="two positive times")

# %% 5b. The price of compiling
# Numba turns each kernel into machine code the first time it is called with new
# argument types (float64 and float32 are two versions), and keeps the result in
# its on-disk cache (``cache=True``), so only the first process on a machine pays
# the compile; later ones load.  kernels.jit_time() adds up Numba's own report of
# both, for this process.
jit = kernels.jit_time()
print(f"\nthis process: Numba compiled {jit['compiled']} kernel versions in "
      f"{jit['compile_s']:.1f} s and loaded {jit['loaded']} from its cache in "
      f"{jit['cache_s']:.2f} s" + ("  (run the lesson again to see a warm start)"
                                   if jit["compiled"] else "  (a warm start)"))
if kernels.HAVE_NUMBA and hasattr(kernels._nb_matmul_bias, "signatures"):   # not under NUMBA_DISABLE_JIT
    check.true("the Numba kernels this lesson ran were compiled here or loaded from the cache",
               jit["compiled"] + jit["loaded"] >= 1,
               measured=f"{jit['compiled']} compiled + {jit['loaded']} loaded",
               expect="at least one (zero would mean Numba never ran)")

# %% 6. The figure
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained",
                               gridspec_kw={"width_ratios": [1.6, 1]})
names = list(kernel_us)
y = np.arange(len(names))
t_np = np.array([kernel_us[n][0] for n in names])
t_nb = np.array([kernel_us[n][1] for n in names])
ax1.barh(y - 0.2, t_np, height=0.4, color="0.6", label="NumPy twin")
ax1.barh(y + 0.2, t_nb, height=0.4, color="#1f5fbf", label="Numba twin")
for yi, a, b in zip(y, t_np, t_nb):
    ax1.text(max(a, b) * 1.15, yi, ratio(a / b), va="center", fontsize=8)
ax1.set_yticks(y, names, fontsize=8)
ax1.invert_yaxis()
ax1.set_xscale("log")
ax1.set_xlim(right=max(t_np.max(), t_nb.max()) * 4)
ax1.set_xlabel("µs per call (log scale; fastest repeat)")
best = names[int(np.argmax(t_np / t_nb))]
worst = names[int(np.argmin(t_np / t_nb))]
ax1.set_title(f"each kernel, N = {N}, D = M = {D} (speed-up written at right):\n"
              f"most gained: {best} ({ratio(kernel_us[best][0] / kernel_us[best][1])}), "
              f"least: {worst} ({ratio(kernel_us[worst][0] / kernel_us[worst][1])})",
              fontsize=10)
ax1.legend(loc="lower right", fontsize=9)
ax1.grid(axis="x", alpha=0.3, which="both")

labels = list(iter_ms)
x = np.arange(len(labels))
a = np.array([iter_ms[l]["numpy"] for l in labels])
b = np.array([iter_ms[l]["numba"] for l in labels])
ax2.bar(x - 0.2, a, width=0.4, color="0.6", label="NumPy backend")
ax2.bar(x + 0.2, b, width=0.4, color="#1f5fbf", label="Numba backend")
for xi, ai, bi in zip(x, a, b):
    ax2.text(xi, max(ai, bi) * 1.03, ratio(ai / bi), ha="center", fontsize=9)
ax2.set_xticks(x, [l.replace(" (", "\n(") for l in labels], fontsize=9)
ax2.set_ylabel("ms per training iteration (median round)")
ax2.set_ylim(top=max(a.max(), b.max()) * 1.15)
small, big = a[0] / b[0], a[-1] / b[-1]
if len(labels) < 2:
    trend = "(the full run adds lesson 12's bigger image GAN)"
elif big < small:
    trend = "the bigger matrices gain less: BLAS catches up"
else:
    trend = "the bigger matrices gain as much or more here"
ax2.set_title(f"one iteration of Algorithm 1 (a D-step and a G-step):\n{trend}",
              fontsize=10)
ax2.legend(fontsize=9)
ax2.grid(axis="y", alpha=0.3)
fig.suptitle(f"NumPy vs Numba kernels, measured on this machine ({os.cpu_count()} CPUs) — "
             "same numbers, different speed", fontsize=11)
_lesson.savefig(fig, args, "11_speedup.png")

check.finish()
