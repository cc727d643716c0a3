"""How fast is a GAN iteration?  NumPy vs Numba kernels, and PyTorch CPU when installed.

    python -m numpygan.bench                       # the lessons' 1D net: 1→32→32→1, batch 256
    python -m numpygan.bench --hidden 16 --batch 64
    python -m numpygan.bench --json                # one JSON object on stdout
    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m numpygan.bench   # one thread each

One *iteration* is Algorithm 1 with k = 1 (Goodfellow et al. 2014), the same
work for every contender:

    D step   x ~ p_data = N(4, 1.25²) (m, 1), z ~ U(−1, 1) (m, 1), x_fake = G(z);
             descend BCE(D(x), 1) + BCE(D(x_fake), 0) over D's parameters (Adam)
    G step   fresh z; descend the non-saturating −log D(G(z)) over G's
             parameters, backpropagating through D, which does not move (Adam)

with G and D both 1 → H → H → 1 MLPs (LeakyReLU 0.2, logits out), m = --batch.
numpygan runs it with ``gan.discriminator_step`` and ``gan.generator_step`` on
each kernel backend; PyTorch runs the same architecture written the usual way
(``nn.Sequential``, ``BCEWithLogitsLoss``, ``torch.optim.Adam``), with as many
threads as Numba uses.  The contenders take turns, round after round, so a
noisy machine slows them alike; the table shows the median time per iteration.

It also measures the matmul kernels in GFLOP/s (2·N·D·M / time) against
``np.dot`` (BLAS), and how long a fresh process spends compiling the Numba
kernels a training run needs (empty cache) and loading them (warm cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

from . import fast, kernels
from ._checks import int_at_least
from .gan import discriminator_step, generator_step
from .network import mlp
from .optim import Adam
from .timing import let_idle_threads_sleep, race_backends, ratios

#: FP64 peak of the 2-core machine this was tuned on (measured, GFLOP/s);
#: pass --peak-gflops for yours.
DEFAULT_PEAK_GFLOPS = 117.0
LR, BETA1, ALPHA = 1e-3, 0.5, 0.2
MU, SIGMA = 4.0, 1.25


# --------------------------------------------------------------------------
# The iteration, from numpygan's pieces
# --------------------------------------------------------------------------
def numpygan_iteration(hidden, batch, dtype=np.float64, seed=0):
    """A closure running one GAN iteration on the current kernel backend."""
    rng = np.random.default_rng(seed)
    G = mlp([1, hidden, hidden, 1], hidden="leaky_relu", alpha=ALPHA, rng=rng, dtype=dtype)
    D = mlp([1, hidden, hidden, 1], hidden="leaky_relu", alpha=ALPHA, rng=rng, dtype=dtype)
    g_opt, d_opt = Adam(LR, beta1=BETA1), Adam(LR, beta1=BETA1)

    def iteration():
        x_real = rng.normal(MU, SIGMA, size=(batch, 1)).astype(dtype, copy=False)  # (m, 1)
        z = rng.uniform(-1.0, 1.0, size=(batch, 1)).astype(dtype, copy=False)      # (m, 1)
        discriminator_step(D, d_opt, x_real, G.forward(z))
        z = rng.uniform(-1.0, 1.0, size=(batch, 1)).astype(dtype, copy=False)
        generator_step(G, D, g_opt, z)

    return iteration


def torch_iteration(hidden, batch, dtype="float64", seed=0):
    """The same iteration in idiomatic PyTorch (raises ImportError without torch)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    tdtype = getattr(torch, dtype)

    def net():
        return nn.Sequential(
            nn.Linear(1, hidden), nn.LeakyReLU(ALPHA),
            nn.Linear(hidden, hidden), nn.LeakyReLU(ALPHA),
            nn.Linear(hidden, 1),
        ).to(tdtype)

    G, D = net(), net()
    g_opt = torch.optim.Adam(G.parameters(), lr=LR, betas=(BETA1, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=LR, betas=(BETA1, 0.999))
    bce = nn.BCEWithLogitsLoss()
    targets = torch.cat([torch.ones(batch, 1, dtype=tdtype), torch.zeros(batch, 1, dtype=tdtype)])
    ones = torch.ones(batch, 1, dtype=tdtype)

    def iteration():
        x_real = torch.randn(batch, 1, dtype=tdtype) * SIGMA + MU
        z = torch.rand(batch, 1, dtype=tdtype) * 2 - 1
        with torch.no_grad():
            x_fake = G(z)
        d_opt.zero_grad()
        d_loss = bce(D(torch.cat([x_real, x_fake])), targets)  # one pass, as numpygan's
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        z = torch.rand(batch, 1, dtype=tdtype) * 2 - 1
        g_loss = bce(D(G(z)), ones)
        g_loss.backward()                                        # D's grads are computed,
        g_opt.step()                                             # only G's optimizer steps
        d_loss.item(), g_loss.item()                             # as a training loop logs them

    return iteration


def bench_gan(hidden, batch, dtype, iters, use_torch=True):
    """Median µs per GAN iteration: {"numpy": …, "numba": …, "torch": …} (what ran)."""
    make_torch = (lambda: torch_iteration(hidden, batch, np.dtype(dtype).name)) if use_torch \
        else None
    return race_backends(lambda: numpygan_iteration(hidden, batch, dtype), make_torch, iters)


def _gflops(flops, fn, reps):
    fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return flops / float(np.median(t)) / 1e9


def bench_matmul(n, d, m, dtype, reps=50):
    """GFLOP/s of np.dot and of the kernels at (n, d) @ (d, m), interleaved rounds."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d)).astype(dtype)   # (N, D)
    W = rng.normal(size=(d, m)).astype(dtype)   # (D, M)
    b = rng.normal(size=m).astype(dtype)        # (M,)
    g = rng.normal(size=(n, m)).astype(dtype)   # (N, M)
    flops = 2.0 * n * d * m
    cases = {
        "np.dot x W": (None, lambda: np.dot(x, W)),
        "numpy matmul_bias": ("numpy", lambda: kernels.matmul_bias(x, W, b)),
    }
    if kernels.HAVE_NUMBA:
        cases.update({
            "numba matmul_bias": ("numba", lambda: fast.matmul_bias(x, W, b)),
            "numba grad_W": ("numba", lambda: fast.grad_W(x, g)),
            "numba grad_x": ("numba", lambda: fast.grad_x(g, W)),
            "numba teaching matmul_bias": ("numba", lambda: kernels.matmul_bias(x, W, b)),
        })
    previous = kernels.get_backend()
    out = {name: [] for name in cases}
    try:
        rounds = 5
        for _ in range(rounds):
            for name, (be, fn) in cases.items():
                if be:
                    kernels.set_backend(be)
                let_idle_threads_sleep()
                out[name].append(_gflops(flops, fn, max(1, reps // rounds)))
    finally:
        kernels.set_backend(previous)
    return {name: float(np.median(v)) for name, v in out.items()}


# --------------------------------------------------------------------------
# Compile and load times, in fresh processes
# --------------------------------------------------------------------------
_FIRST_RUN = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
from numpygan import fast, kernels
from numpygan.bench import numpygan_iteration
kernels.set_backend("numba")
t1 = time.perf_counter()
it = numpygan_iteration({hidden}, {batch}, np.{dtype})
it()                     # the first iteration compiles (or loads) every kernel it uses
print(json.dumps(dict(fast.jit_time(), import_s=t1 - t0)))
"""


def compile_times(hidden, batch, dtype):
    """What a fresh process spends on the kernels of its first iteration, as Numba
    reports it (``fast.jit_time``): first with an empty cache, then with the
    cache that run left.

    Returns {"import_s", "compile_s", "compiled", "load_s", "loaded"}: the import
    of numpygan (with Numba); the seconds and kernel versions compiled with the
    empty cache; the seconds and kernels loaded with the filled one.
    """
    code = _FIRST_RUN.format(hidden=hidden, batch=batch, dtype=np.dtype(dtype).name)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache,
                   PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("NUMBA_DISABLE_JIT", None)
        runs = []
        for _ in range(2):  # cold, then warm
            res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, timeout=600)
            if res.returncode != 0:
                raise RuntimeError(f"compile-time probe failed:\n{res.stderr[-2000:]}")
            runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    cold, warm = runs
    return {
        "import_s": warm["import_s"],
        "compile_s": cold["compile_s"], "compiled": cold["compiled"],
        "load_s": warm["cache_s"], "loaded": warm["loaded"],
    }


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def _shape(text):
    try:
        n, d, m = (int(v) for v in text.lower().split("x"))
        assert min(n, d, m) >= 1
    except (ValueError, AssertionError):
        raise argparse.ArgumentTypeError(f"--matmul must look like 128x256x256 (N x D x M), got {text!r}")
    return n, d, m


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m numpygan.bench",
        description="Time a full GAN training iteration on the NumPy and Numba kernel "
                    "backends (and PyTorch CPU when installed), the matmul kernels' "
                    "GFLOP/s, and the Numba compile and cache-load times.")
    p.add_argument("--conv", action="store_true",
                   help="time lesson 13's DCGAN iteration instead (models.dcgan_8x8, batch 64 "
                        "unless --batch is given)")
    p.add_argument("--width", type=int_at_least("--width", 1), default=16,
                   help="with --conv: the DCGAN's channel width w (default 16)")
    p.add_argument("--hidden", type=int_at_least("--hidden", 1), default=32,
                   help="hidden width H of G and D, each 1→H→H→1 (default 32)")
    p.add_argument("--batch", type=int_at_least("--batch", 1), default=None,
                   help="minibatch size m (default 256; 64 with --conv)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    p.add_argument("--iters", type=int_at_least("--iters", 1), default=None,
                   help="timed iterations per contender, in up to 15 interleaved rounds "
                        "(default 300; 30 with --conv)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object on stdout instead of the table")
    p.add_argument("--matmul", type=_shape, default=(128, 256, 256), metavar="NxDxM",
                   help="matmul shape for the GFLOP/s line: (N, D) @ (D, M) (default 128x256x256)")
    p.add_argument("--peak-gflops", type=float, default=DEFAULT_PEAK_GFLOPS,
                   help=f"the machine's FP64 peak, for the fraction-of-peak column "
                        f"(default {DEFAULT_PEAK_GFLOPS:g}, measured on the 2-core machine "
                        "this was tuned on)")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    p.add_argument("--no-matmul", action="store_true", help="skip the GFLOP/s measurement")
    p.add_argument("--no-compile", action="store_true",
                   help="skip the compile/load-time measurement (two fresh processes)")
    args = p.parse_args(argv)
    if args.batch is None:
        args.batch = 64 if args.conv else 256
    if args.iters is None:
        args.iters = 30 if args.conv else 300
    return args


def run(args) -> dict:
    """Run what ``args`` asks for; returns the JSON-able result."""
    dtype = np.dtype(args.dtype)
    threads = kernels.num_threads()
    torch_version, torch_status = None, "skipped (--no-torch)"
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(threads)  # the same thread count as Numba, for fairness
            torch_version = torch_status = torch.__version__
        except ImportError:
            torch_status = "not installed (pip install torch to compare)"
    result = {
        "hidden": args.hidden, "batch": args.batch, "dtype": dtype.name, "iters": args.iters,
        "threads": threads, "numpy_version": np.__version__,
        "numba_version": kernels.numba.__version__ if kernels.HAVE_NUMBA else None,
        "torch_version": torch_version, "torch": torch_status,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")
        or os.environ.get("OMP_NUM_THREADS") or "its default (all cores)",
    }
    if args.conv:
        from .bench_conv import run_conv   # (bench_conv imports this module)
        return run_conv(args, result)
    times = bench_gan(args.hidden, args.batch, dtype, args.iters,
                      use_torch=torch_version is not None)
    for name, us in times.items():
        result[f"{name}_us"] = us
    result["ratios"] = ratios(times)
    if not args.no_matmul:
        n, d, m = args.matmul
        gf = bench_matmul(n, d, m, dtype)
        result["matmul"] = {
            "shape": [n, d, m], "gflops": gf, "peak_gflops": args.peak_gflops,
            "fraction_of_np_dot": {k: v / gf["np.dot x W"] for k, v in gf.items()},
            "fraction_of_peak": {k: v / args.peak_gflops for k, v in gf.items()},
        }
    if not args.no_compile and kernels.HAVE_NUMBA:
        result["compile"] = compile_times(args.hidden, args.batch, dtype)
    return result


def table(r) -> str:
    """The result as a table for people."""
    lines = [
        f"GAN iteration (one D step + one G step, Adam): G and D 1→{r['hidden']}→{r['hidden']}→1, "
        f"batch {r['batch']}, {r['dtype']}",
        f"threads: Numba {r['threads']}"
        + (f", PyTorch {r['threads']} (set equal)" if r.get("torch_version") else "")
        + f", NumPy's BLAS {r['blas_threads']}; median of interleaved rounds, "
        f"{r['iters']} iterations each",
        "",
        f"{'backend':<16}{'µs / iter':>12}{'vs numba':>12}   (time per iteration; "
        "vs numba = its time / Numba's)",
    ]
    names = [("numpy", "numpy"), ("numba", "numba"), ("torch", f"torch {r.get('torch_version')}")]
    base = r.get("numba_us")
    for key, label in names:
        us = r.get(f"{key}_us")
        if us is None:
            continue
        rel = f"{us / base:.2f}×" if base else ""
        lines.append(f"{label:<16}{us:>12.0f}{rel:>12}")
    if "torch_us" not in r:
        lines.append(f"{'torch':<16}{r['torch']}")
    ra = r["ratios"]
    if "numba_over_torch" in ra:
        lines.append(f"numba / torch = {ra['numba_over_torch']:.3f}   (time ratio: below 1, "
                     "Numba is faster)")
    if "numba_over_numpy" in ra:
        lines.append(f"numba / numpy = {ra['numba_over_numpy']:.3f}")
    if "matmul" in r:
        mm = r["matmul"]
        n, d, m = mm["shape"]
        lines += ["", f"matmul ({n}, {d}) @ ({d}, {m}), {r['dtype']}: GFLOP/s (median)",
                  f"{'kernel':<28}{'GFLOP/s':>10}{'of np.dot':>11}{'of peak':>10}"]
        for k, v in mm["gflops"].items():
            lines.append(f"{k:<28}{v:>10.1f}{mm['fraction_of_np_dot'][k]:>10.2f}×"
                         f"{mm['fraction_of_peak'][k]:>9.0%}")
        lines.append("(numba matmul_bias / grad_W / grad_x: the fast path's x W + b, xᵀ g and "
                     "g Wᵀ; teaching: the three-loop matmul that Dense runs)")
        lines.append(f"(of peak: of this machine's {mm['peak_gflops']:g} GFLOP/s FP64, measured "
                     "here; give yours with --peak-gflops)")
    if "compile" in r:
        c = r["compile"]
        lines += ["", f"fresh process: import {c['import_s']:.2f} s; Numba kernels for this "
                      f"iteration: compile {c['compile_s']:.2f} s ({c['compiled']} kernel "
                      f"versions, empty cache), load {c['load_s']:.2f} s ({c['loaded']} "
                      "kernels, cached)"]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result))
    elif args.conv:
        from .bench_conv import conv_table
        print(conv_table(result))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
