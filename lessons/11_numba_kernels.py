"""11 — The Numba kernels: the plain loops, their NumPy twins, the fast path beside them.

Every dense layer of numpygan spends its time in a handful of teaching kernels
(numpygan/kernels/), the same arithmetic as lesson 02:

    forward    out = x W + b           out[n, m] = b[m] + Σ_d x[n, d] W[d, m]     matmul_bias
    backward   dW  = xᵀ dout           dW[d, m]  = Σ_n x[n, d] dout[n, m]         grad_W
               db  = Σ_n dout[n, :]    db[m]     = Σ_n dout[n, m]                 grad_b
               dx  = dout Wᵀ           dx[n, d]  = Σ_m dout[n, m] W[d, m]         grad_x

plus the element-wise activations (ReLU, LeakyReLU, Tanh, Sigmoid, forward and
backward), the BCE from logits and Adam's update.  Each kernel is written twice:

  * the NumPy twin (``kernels.matmul_bias.numpy``): one line of array code, ``x @ W + b``,
    which calls BLAS;
  * the Numba twin (``kernels.matmul_bias.numba``): the same sum as the plain ``for``
    loops you would write on paper (the matmul is three nested loops), compiled to
    machine code by ``@numba.njit``.

``kernels.TWINS`` lists every pair by name; ``kernels.set_backend("numba" | "numpy")``
(or the ``with kernels.backend(...)`` block) chooses which twin the layers call.

The fast path lives one import away, in ``numpygan.fast``: the same sums rearranged
to run faster (``fast.gemm`` keeps two rows and four products in registers instead
of loading and storing an output element for every multiply-add; large products
run on all cores; a whole network runs in one compiled call per pass).  A single
layer never uses it; ``Sequential`` does on the Numba backend.

What this lesson measures (nothing here is assumed):

  1. The twins agree (the convolution's four loops of lesson 13 too).  For each pair,
     on random float64 inputs,
         rel_diff = max |a − b| / max |a|       (a: NumPy's result, b: Numba's)
     must be < 1e-12.  They need not be bit-identical: a loop adds the products of a
     dot product in another order than BLAS, and floating-point addition is not
     associative — but the difference is round-off, ~1e-16 per addition.
  2. The fast path gives the plain loops' numbers (< 1e-12 again), and how much
     faster it is: the matmul as NumPy/BLAS, the plain loop, the tuned loop and the
     parallel one (and PyTorch, if installed), in GFLOP/s on THIS machine.
  3. A whole training run agrees across backends (max relative difference < 1e-9).
  4. A whole network in one call: the same numbers as the layers one by one, and the
     time each way — what the teaching kernels cost against the fast path.
  5. The speed of each kernel and of one full training iteration (Algorithm 1, k = 1),
     NumPy vs Numba (and PyTorch if installed), timed here.  No speed is claimed in a
     CHECK: the ratio depends on the CPU, the sizes and the BLAS threads.
  6. The price of the loops: the seconds Numba spent compiling them in this process
     (the first run on a machine), or loading them from its cache (``fast.jit_time()``).

Figures (in --out):
  11_speedup.png   left: time per call of every kernel, NumPy (grey) vs the Numba
                   teaching loop (blue) and the fast path (orange, where one exists),
                   log scale; right: milliseconds per training iteration, NumPy vs
                   Numba (and PyTorch when installed), for the 1D GAN of the lessons
                   and the image GAN of lesson 12.
"""

# %% Setup
import inspect
import os
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import fast, kernels  # noqa: E402
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


SHOW = [name for name in ("matmul_bias", "leaky_relu_backward") if name in kernels.TWINS]
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


def conv_args(names, N, D, M, rng):
    """A convolution kernel's arguments: images x (N, 4, 8, 8), W (M', 4, 3, 3), stride 2,
    padding 1, and dout of the output's shape (N, M', 4, 4), with M' = min(M, 8)."""
    O = min(M, 8)
    x, W = rng.normal(size=(min(N, 16), 4, 8, 8)), rng.normal(size=(O, 4, 3, 3))
    known = {"x": x, "W": W, "b": rng.normal(size=O), "stride": 2, "padding": 1, "k": 3,
             "dout": rng.normal(size=(len(x), O, 4, 4)), "height": 8, "width": 8}
    return [known[name] for name in names]


def make_args(fn, N, D, M, rng, dtype=np.float64):
    """Arguments for a kernel, by its parameter names; None when a name is unknown."""
    names = list(inspect.signature(getattr(fn, "py_func", fn)).parameters)
    if fn.__name__.startswith(("_np_conv2d", "_nb_conv2d")):
        return conv_args(names, N, D, M, rng)
    adam = "p" in names
    matmul = "W" in names
    args_ = []
    for name in names:
        if name in SCALARS:
            args_.append(SCALARS[name])
        elif adam and name in ("p", "g", "m"):
            args_.append(rng.normal(size=D * M))                # a parameter array, flat
        elif adam and name == "v":
            args_.append(rng.uniform(0.0, 1.0, size=D * M))     # a second moment: >= 0
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
        elif name == "a":                                     # all_finite's array
            args_.append(rng.normal(size=(N, M)))
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
    a, b = ([np.asarray(u, dtype=float) for u in c] for c in (a, b))   # all_finite's bool too
    num = max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))
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
          "\n tests/test_kernels.py compares every twin")
for name, d in diffs.items():
    check.below(f"{name}: NumPy twin = Numba twin, max rel diff", d, 1e-12, fmt=".2e")

# %% 2b. The fast path beside the plain loop
# The plain loop does one multiply-add for every load and store of out[n, m]: it waits
# on memory more than it computes.  fast.gemm (below) keeps two rows of out and four
# products in registers, so each load/store pair of out serves eight multiply-adds;
# fast.matmul_bias runs it, on all cores when the product is large.  Same sums, in
# another order: equal to round-off, which we check, then time.
print("--- fast.gemm: the tuned loop nest behind fast.matmul_bias ---")
print(source(fast.gemm.gemm_pairs).rstrip())
if fast.gemm.ONE_ROW_AT_A_TIME:   # Numba 0.60 and older: see fast/gemm.py
    print("(this Numba leaves the pair of rows unvectorised, so gemm here is gemm_rows: "
          "the same sums, one row at a time)")

try:
    import torch  # optional: pip install torch
    torch.set_num_threads(kernels.num_threads())
except ImportError:
    torch = None


def gflops(fn, flops, number):
    fn()                                             # warm up (and compile)
    best = np.inf
    for _ in range(3 if args.quick else 7):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return flops / best / 1e9


MM = (64, 128, 128) if args.quick else (128, 256, 256)
r = np.random.default_rng(3)
xm, Wm, bm = r.normal(size=MM[:2]), r.normal(size=MM[1:]), r.normal(size=MM[2])
with kernels.backend("numba" if kernels.HAVE_NUMBA else "numpy"):
    plain, tuned = kernels.matmul_bias(xm, Wm, bm), fast.matmul_bias(xm, Wm, bm)
    fast_diff = rel_diff([plain], [tuned])
    flops = 2.0 * MM[0] * MM[1] * MM[2]
    n_calls = 3 if args.quick else 20
    rates = {"NumPy (BLAS) x @ W + b": gflops(lambda: xm @ Wm + bm, flops, n_calls),
             "Numba plain three loops": gflops(lambda: kernels.matmul_bias(xm, Wm, bm), flops, n_calls),
             "Numba fast path (tuned, parallel when large)":
                 gflops(lambda: fast.matmul_bias(xm, Wm, bm), flops, n_calls)}
if torch is not None:
    tx, tW, tb = (torch.from_numpy(a) for a in (xm, Wm, bm))
    rates["PyTorch torch.addmm"] = gflops(lambda: torch.addmm(tb, tx, tW), flops, n_calls)
print(f"\nmatmul ({MM[0]}, {MM[1]}) @ ({MM[1]}, {MM[2]}) + b, float64, "
      f"{kernels.num_threads()} threads: GFLOP/s (best of several repeats)")
for label, rate in rates.items():
    print(f"  {label:<46}{rate:>8.1f}")
print(f"the plain loop runs at {rates['Numba plain three loops'] / rates['NumPy (BLAS) x @ W + b']:.2f}"
      f"x BLAS's speed here, the fast path at "
      f"{rates['Numba fast path (tuned, parallel when large)'] / rates['NumPy (BLAS) x @ W + b']:.2f}x")
check.below("fast.matmul_bias = the plain three-loop kernels.matmul_bias, max rel diff",
            fast_diff, 1e-12, fmt=".2e")


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
# costs about as much.  So on the Numba backend a Sequential of Dense and activation
# layers hands the whole stack to one compiled call, fast.mlp_forward, and the
# backward pass to another, fast.mlp_backward, with every W and b in one flat array
# (a layer's W is a view into it) and the tuned gemm for the products.  Against the
# layers one by one (the teaching kernels): the same numbers to round-off, and the
# time each way — what reading-speed loops cost.
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
    whole_diff = max(rel_diff([u], [w]) for u, w in zip(a, b))
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
      f"layer by layer on the teaching kernels {t_layers:.1f} µs, one call each way "
      f"{t_one:.1f} µs: the teaching path takes {t_layers / t_one:.1f}x as long")
check.below("one kernel call per pass = the layers one by one (output, dL/dx, every "
            "gradient), max rel diff", whole_diff, 1e-12, fmt=".2e")


# %% 4. Speed of each kernel (this machine, now)
# Time per call at the lessons' size, N = 128 rows, D = M = 64.  Each twin is called
# `number` times in a row, `repeat` times; we keep the fastest repeat (the one the rest
# of the machine disturbed least — the usual timeit rule).  The three dense products
# are timed on the fast path too.


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
FAST = {"matmul_bias": fast.matmul_bias, "grad_W": fast.grad_W, "grad_x": fast.grad_x}
for name in diffs:
    np_twin, nb_twin = kernels.TWINS[name]
    call_args = make_args(np_twin, N, D, M, np.random.default_rng(1))
    # adam_update works in place: give it copies so repeated calls stay finite
    kernel_us[name] = (time_call(np_twin, call_args, NUMBER, REPEAT),
                       time_call(nb_twin, [a.copy() if isinstance(a, np.ndarray) else a
                                           for a in call_args], NUMBER, REPEAT))
    if name in FAST and kernels.HAVE_NUMBA:
        with kernels.backend("numba"):
            kernel_us[name] += (time_call(FAST[name], call_args, NUMBER, REPEAT),)
blas_threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
print(f"\nper call, N = {N}, D = M = {D} (fastest of {REPEAT} × {NUMBER} calls); "
      f"{os.cpu_count()} CPUs, BLAS threads: {blas_threads or 'BLAS default (up to all CPUs)'}")
print(f"{'kernel':<24}{'NumPy µs':>10}{'Numba µs':>10}{'speed-up':>10}{'fast path µs':>14}")
for name, (t_np, t_nb, *t_fast) in kernel_us.items():
    extra = f"{t_fast[0]:>14.1f}" if t_fast else ""
    print(f"{name:<24}{t_np:>10.1f}{t_nb:>10.1f}{ratio(t_np / t_nb):>10}{extra}")

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
if torch is not None:
    # PyTorch on the CPU, written idiomatically (numpygan.bench's iteration: G and D
    # 1 → 32 → 32 → 1, batch 256, Adam), against the same iteration on our backends
    from numpygan import bench  # noqa: E402
    its = {"numpy": bench.numpygan_iteration(32, 256), "numba": bench.numpygan_iteration(32, 256),
           "torch": bench.torch_iteration(32, 256)}
    rounds = {name: [] for name in its}
    for _ in range(ROUNDS + 1):
        for name, it in its.items():
            with kernels.backend(name if name != "torch" and kernels.HAVE_NUMBA else "numpy"):
                t0 = time.perf_counter()
                for _ in range(ITER_STEPS):
                    it()
                rounds[name].append((time.perf_counter() - t0) / ITER_STEPS * 1e3)
    iter_ms["bench GANs (1→32→32→1, batch 256)"] = {
        name: float(np.median(t[1:])) for name, t in rounds.items()}   # the first: warm-up
print(f"\nms per training iteration (median of {ROUNDS} rounds of {ITER_STEPS})")
print(f"{'network':<36}{'NumPy':>8}{'Numba':>8}{'speed-up':>10}"
      + (f"{'PyTorch':>9}" if torch is not None else ""))
for label, t in iter_ms.items():
    speedup = ratio(t["numpy"] / t["numba"])
    extra = f"{t['torch']:>9.2f}" if "torch" in t else ""
    print(f"{label:<36}{t['numpy']:>8.2f}{t['numba']:>8.2f}{speedup:>10}{extra}")
for label, t in iter_ms.items():
    check.true(f"{label}: both backends timed (finite, > 0)",
               all(np.isfinite(v) and v > 0 for v in t.values()),
               measured=f"{t['numpy']:.2f} ms, {t['numba']:.2f} ms",
               expect="two positive times")

# %% 5b. The price of compiling
# Numba turns each kernel into machine code the first time it is called with new
# argument types (float64 and float32 are two versions), and keeps the result in
# its on-disk cache (``cache=True``), so only the first process on a machine pays
# the compile; later ones load.  fast.jit_time() adds up Numba's own report of
# both, for this process.
jit = fast.jit_time()
print(f"\nthis process: Numba compiled {jit['compiled']} kernel versions in "
      f"{jit['compile_s']:.1f} s and loaded {jit['loaded']} from its cache in "
      f"{jit['cache_s']:.2f} s" + ("  (run the lesson again to see a warm start)"
                                   if jit["compiled"] else "  (a warm start)"))
if kernels.HAVE_NUMBA and hasattr(kernels.matmul_bias.numba, "signatures"):   # not under NUMBA_DISABLE_JIT
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
ax1.barh(y - 0.27, t_np, height=0.27, color="0.6", label="NumPy twin")
ax1.barh(y, t_nb, height=0.27, color="#1f5fbf", label="Numba twin (plain loops)")
fast_names = [n for n in names if len(kernel_us[n]) > 2]
ax1.barh([y[names.index(n)] + 0.27 for n in fast_names], [kernel_us[n][2] for n in fast_names],
         height=0.27, color="#e08a1e", label="fast path (fast.*)")
for yi, a, b in zip(y, t_np, t_nb):
    ax1.text(max(a, b) * 1.15, yi, ratio(a / b), va="center", fontsize=8)
ax1.set_yticks(y, names, fontsize=8)
ax1.invert_yaxis()
ax1.set_xscale("log")
ax1.set_xlim(right=max(t_np.max(), t_nb.max()) * 4)
ax1.set_xlabel("µs per call (log scale; fastest repeat)")
best = names[int(np.argmax(t_np / t_nb))]
worst = names[int(np.argmin(t_np / t_nb))]
ax1.set_title(f"each kernel, N = {N}, D = M = {D} (NumPy / plain Numba loop at right):\n"
              f"most gained: {best} ({ratio(kernel_us[best][0] / kernel_us[best][1])}), "
              f"least: {worst} ({ratio(kernel_us[worst][0] / kernel_us[worst][1])})",
              fontsize=10)
ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=9)
ax1.grid(axis="x", alpha=0.3, which="both")

labels = list(iter_ms)
x = np.arange(len(labels))
a = np.array([iter_ms[l]["numpy"] for l in labels])
b = np.array([iter_ms[l]["numba"] for l in labels])
ax2.bar(x - 0.2, a, width=0.4, color="0.6", label="NumPy backend")
ax2.bar(x + 0.2, b, width=0.4, color="#1f5fbf", label="Numba backend")
torch_x = [xi for xi, l in zip(x, labels) if "torch" in iter_ms[l]]
if torch_x:
    ax2.bar([xi + 0.45 for xi in torch_x], [iter_ms[labels[xi]]["torch"] for xi in torch_x],
            width=0.25, color="#c0392b", label="PyTorch CPU")
for xi, ai, bi in zip(x, a, b):
    ax2.text(xi, max(ai, bi) * 1.03, ratio(ai / bi), ha="center", fontsize=9)
ax2.set_xticks(x, [l.replace(" (", "\n(") for l in labels], fontsize=9)
ax2.set_ylabel("ms per training iteration (median round)")
tallest = max([a.max(), b.max()] + [iter_ms[l]["torch"] for l in labels if "torch" in iter_ms[l]])
ax2.set_ylim(top=tallest * 1.15)
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
