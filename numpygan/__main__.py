"""``python -m numpygan``: the headline demo — Figure 1 of Goodfellow et al. 2014, live.

Trains G and D on p_data = N(mu, sigma²) from uniform noise z ~ U(−1, 1),
prints a progress line every few hundred steps, and writes to ``--out``:

    gan_1d.png     Figure-1 panels at the start, middle and end + training curves
    gan_1d.gif     the Figure-1 panel over training (unless --no-gif)
    summary.json   the final measurements (and whether they pass)
    samples.npy    10,000 samples of the final generator, float64, shape (10000,)
    history.npz    the per-step statistics

``--save PATH`` checkpoints the whole game (``numpygan.io``) every ``--save-every``
steps and at the end; ``--resume PATH`` continues it exactly (same backend: the same
numbers as a run that never stopped), with ``--steps`` the total to reach.
A run that diverges (NaN/inf, or values running away) stops at the step it happens,
writes what it had (history, the figure of the last good state, summary.json) and
exits with status 1 and a one-line message saying what diverged and what to try.

Converged means both halves of the game agree (docs/THEORY.md): p_g on p_data
(|mean − mu| ≤ 0.1 σ, |std/σ − 1| ≤ 0.1, JSD ≤ 0.01 nats on 10,000 samples)
*and* D(x) ≈ 1/2 (mean D on real and on generated samples in [0.45, 0.55]).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np


def _positive_float(name):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}")
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be > 0, got {text}")
        return value
    return parse


def _finite_float(name):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}")
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{name} must be finite, got {text}")
        return value
    return parse


def _int_at_least(name, minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be >= {minimum}, got {value}")
        return value
    return parse


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m numpygan",
        description="Train a GAN on a 1D Gaussian and watch p_g land on p_data "
                    "while D(x) settles at 1/2 (Goodfellow et al. 2014, Figure 1).")
    p.add_argument("--mu", type=_finite_float("--mu"), default=4.0, help="mean of p_data (default 4)")
    p.add_argument("--sigma", type=_positive_float("--sigma"), default=1.25,
                   help="standard deviation of p_data, > 0 (default 1.25)")
    p.add_argument("--steps", type=_int_at_least("--steps", 1), default=15_000,
                   help="planned training iterations of Algorithm 1 (default 15000); the "
                        "run stops sooner once the verdict has held at 3 checks in a row, "
                        "250 steps apart (see --full); with --resume, the total to reach")
    p.add_argument("--full", action="store_true",
                   help="run all --steps, even after the verdict has held")
    p.add_argument("--batch", type=_int_at_least("--batch", 1), default=128,
                   help="minibatch size m (default 128)")
    p.add_argument("--hidden", type=_int_at_least("--hidden", 1), default=32,
                   help="G's hidden width (D's is twice it; default 32)")
    p.add_argument("--lr", type=_positive_float("--lr"), default=1e-3,
                   help="Adam learning rate of both players, decayed linearly (default 1e-3)")
    p.add_argument("--k", type=_int_at_least("--k", 1), default=1,
                   help="discriminator steps per generator step (default 1)")
    p.add_argument("--loss", choices=["non-saturating", "minimax"], default="non-saturating",
                   help="generator loss (default non-saturating)")
    p.add_argument("--noise", choices=["uniform", "normal"], default="uniform",
                   help="noise prior p_z: U(-1, 1) or N(0, 1) (default uniform)")
    p.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help="random seed (default 0)")
    p.add_argument("--backend", choices=["numba", "numpy"], default=None,
                   help="kernel backend (default: numba when installed)")
    p.add_argument("--out", default="outputs", help="output folder (default outputs/)")
    p.add_argument("--no-gif", action="store_true", help="skip the animation")
    p.add_argument("--frames", type=_int_at_least("--frames", 2), default=40,
                   help="snapshots for the animation (default 40)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines (the one-line verdict is still printed)")
    p.add_argument("--save", metavar="PATH", default=None,
                   help="write a checkpoint (.npz: both networks, both optimizers, the rng, "
                        "the history) to PATH every --save-every steps and at the end; "
                        "written atomically, so a killed run keeps its last checkpoint")
    p.add_argument("--save-every", type=_int_at_least("--save-every", 1), default=1000,
                   metavar="N", help="steps between checkpoints with --save (default 1000)")
    p.add_argument("--resume", metavar="PATH", default=None,
                   help="continue the run checkpointed in PATH: its settings, rng and "
                        "learning-rate schedule carry on exactly; --steps is then the total "
                        "to reach (default: the saved run's planned total)")
    return p


def evaluate(gan, p_data, n=10_000, seed=2024):
    """Measure both halves of convergence on n fresh samples of p_g and of p_data."""
    from . import losses, metrics

    rng = np.random.default_rng(seed)
    mu, sigma = float(p_data.mean), float(p_data.std)
    fake = gan.sample(n, rng)[:, 0]                       # (n,) in data units
    real = p_data.sample(n, rng)[:, 0]                    # (n,)
    if not np.all(np.isfinite(fake)):
        raise ValueError("the generator's samples contain NaN/inf")
    a_real = gan.discriminator_logits(real)
    a_fake = gan.discriminator_logits(fake)
    lo, hi = mu - 5 * sigma, mu + 5 * sigma
    out = {
        "target_mean": mu, "target_std": sigma,
        "mean": float(fake.mean()), "std": float(fake.std()),
        "d_real": float(np.mean(losses.sigmoid(a_real))),
        "d_fake": float(np.mean(losses.sigmoid(a_fake))),
        "jsd": float(metrics.jsd_pdf(fake, p_data.pdf, lo, hi, bins=50)),
        "w1": float(metrics.w1_to_distribution(fake, p_data)),
        # V(D, G) = E log D(x) + E log(1 − D(G(z))), from logits
        "value": float(-np.mean(losses.softplus(-a_real)) - np.mean(losses.softplus(a_fake))),
    }
    checks = {
        "mean": abs(out["mean"] - mu) <= 0.1 * sigma,
        "std": abs(out["std"] / sigma - 1) <= 0.1,
        "jsd": out["jsd"] <= 0.01,
        "d_real": 0.45 <= out["d_real"] <= 0.55,
        "d_fake": 0.45 <= out["d_fake"] <= 0.55,
    }
    out["checks"] = checks
    out["converged"] = bool(all(checks.values()))
    return out, fake


def _given(argv, names):
    """Which of the options ``names`` (dests) were named on the command line."""
    unset = object()  # not a string, so argparse passes it through untouched
    probe = build_parser()
    probe.set_defaults(**{name: unset for name in names})
    ns = probe.parse_args(argv)
    return {name for name in names if getattr(ns, name) is not unset}


# the demo's settings a checkpoint fixes, and where each lives in the resumed GAN
_RESUMED = ("mu", "sigma", "hidden", "lr", "k", "batch", "loss", "noise", "seed")


def _settings_of(gan):
    """The demo's flags as the checkpointed game has them (None: not the demo's 1D game)."""
    from .distributions import Gaussian, Uniform

    if not (type(gan.p_data) is Gaussian and gan.p_data.dim == 1 and gan.p_z.dim == 1
            and type(gan.p_z) in (Gaussian, Uniform)):
        return None
    return {"mu": gan.p_data.mu, "sigma": gan.p_data.sigma, "hidden": gan.G.layers[0].n_out,
            "lr": gan.lr_d0, "k": gan.k, "batch": gan.batch, "loss": gan.loss,
            "noise": "uniform" if type(gan.p_z) is Uniform else "normal", "seed": gan.seed}


def _resume(args, argv):
    """Load ``--resume``; adopt its settings into ``args``. Returns (gan, error or None)."""
    from . import io, kernels

    try:
        meta = io.info(args.resume)
        gan = io.load(args.resume)
    except (OSError, ValueError) as exc:
        return None, f"--resume: {exc}"
    from .gan import GAN

    if not isinstance(gan, GAN):
        return None, (f"--resume: {args.resume} holds a {type(gan).__name__}, not a GAN; "
                      "--resume takes a checkpoint written by --save")
    settings = _settings_of(gan)
    if settings is None:
        return None, (f"--resume: {args.resume} holds a game on {gan.p_data!r} with noise "
                      f"{gan.p_z!r}; the demo resumes its own 1D Gaussian games")
    given = _given(argv, _RESUMED + ("steps", "backend"))
    for name in _RESUMED:
        if name in given and getattr(args, name) != settings[name]:
            return None, (f"--{name} {getattr(args, name)} differs from the checkpoint's "
                          f"{settings[name]!r}; a resumed run keeps its settings "
                          f"(leave --{name} out)")
        setattr(args, name, settings[name])
    if "backend" not in given and meta.get("backend") in ("numpy", "numba"):
        if meta["backend"] == "numpy" or kernels.HAVE_NUMBA:
            args.backend = meta["backend"]      # the same backend continues bit for bit
    planned = gan.total_steps or gan.step_count
    if "steps" not in given:
        args.steps = planned
    if args.steps < gan.step_count:
        return None, (f"--steps {args.steps} is behind the checkpoint, which is at step "
                      f"{gan.step_count}; --steps is the total to reach")
    if args.steps != planned and not args.quiet:
        print(f"note: the checkpoint planned {planned} steps; going to {args.steps} changes "
              "the learning-rate schedule from here on", file=sys.stderr)
    return gan, None


def _last_good_figure(plots, snaps, history, path, title):
    """Draw what is left of a diverged run; returns the step drawn last, or None if none."""
    good = []
    for snap in snaps:
        try:
            plots.check_snapshot(snap)
            good.append(snap)
        except ValueError:      # a snapshot with NaN/inf in it is not a picture of anything
            pass
    if not good:
        return None
    if len(history["step"]):
        try:
            plots.summary_figure(good, history, path, title=title)
            return good[-1]["step"]
        except ValueError:
            pass
    import matplotlib.pyplot as plt  # no complete step: the last good panel alone

    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    try:
        plots.figure1_panel(ax, good[-1], title=f"{title}, step {good[-1]['step']}")
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return good[-1]["step"]


def main(argv=None):
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    from . import io, kernels
    from .distributions import Gaussian
    from .gan import DivergenceError, gan_1d

    gan = None
    if args.resume is not None:
        gan, error = _resume(args, argv)
        if error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if args.backend is not None:
        try:
            kernels.set_backend(args.backend)
        except ValueError as exc:
            print(f"error: --backend: {exc}", file=sys.stderr)
            return 2
    from . import plots  # after the backend choice; plots switches to Agg when headless

    for flag, folder in (("--out", args.out),
                         ("--save", None if args.save is None
                          else os.path.dirname(os.path.abspath(args.save)))):
        try:
            if folder is not None:
                os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            print(f"error: {flag}: cannot make the folder {folder!r}: {exc}", file=sys.stderr)
            return 2
    if args.save is not None and os.path.isdir(args.save):
        print(f"error: --save: {args.save!r} is a folder; give a file name", file=sys.stderr)
        return 2
    p_data = Gaussian(args.mu, args.sigma)
    if gan is None:
        gan = gan_1d(p_data, hidden=args.hidden, d_hidden=2 * args.hidden, lr=args.lr,
                     k=args.k, batch=args.batch, loss=args.loss, noise=args.noise,
                     seed=args.seed)
    start = gan.step_count
    x_grid = np.linspace(args.mu - 4.5 * args.sigma, args.mu + 4.5 * args.sigma, 400)
    snap_every = max(1, args.steps // args.frames)
    report_every = 500 if args.steps >= 2000 else max(1, args.steps // 4)
    snaps = [gan.snapshot(x_grid)] if start else []   # a resumed run starts its pictures here
    saved_at = [start] if args.save is not None and args.resume == args.save else []
    t0 = time.perf_counter()

    if not args.quiet:
        resumed = f", resumed from step {start} of {args.resume}" if start else ""
        print(f"numpygan: p_data = N({args.mu:g}, {args.sigma:g}²), noise {args.noise}, "
              f"{args.steps} steps, batch {args.batch}, k {args.k}, {args.loss} loss, "
              f"backend {kernels.get_backend()}, seed {args.seed}{resumed}")
        print(f"{'step':>7} {'D(x)':>6} {'D(G(z))':>8} {'D loss':>7} {'G loss':>7} "
              f"{'JSD':>7} {'mean':>7} {'std':>6}")

    def callback(g):
        if g.step_count % snap_every == 0 or g.step_count == 0:
            snaps.append(g.snapshot(x_grid))
        if args.save is not None and g.step_count and g.step_count % args.save_every == 0:
            io.save(args.save, g)        # atomic: a kill mid-save keeps the previous one
            saved_at.append(g.step_count)
        if not args.quiet and g.step_count and (g.step_count % report_every == 0):
            from . import metrics
            h = g.history
            s = g.sample(10_000, np.random.default_rng(7))[:, 0]
            jsd = metrics.jsd_pdf(s, p_data.pdf, args.mu - 5 * args.sigma,
                                  args.mu + 5 * args.sigma, bins=50)
            w = slice(-min(100, len(h["step"])), None)  # average of the last 100 steps
            print(f"{g.step_count:>7} {np.mean(h['d_real'][w]):>6.3f} "
                  f"{np.mean(h['d_fake'][w]):>8.3f} {np.mean(h['d_loss'][w]):>7.3f} "
                  f"{np.mean(h['g_loss'][w]):>7.3f} {jsd:>7.4f} {s.mean():>7.3f} "
                  f"{s.std():>6.3f}", flush=True)

    every = math.gcd(snap_every, report_every)
    if args.save is not None:
        every = math.gcd(every, args.save_every)

    def verdict_holds(g):
        # the verdict on fresh samples (never the final verdict's), asked once G's
        # parameter average, which the final samples come from, has begun
        if g.average is not None and g.G_avg is None:
            return False
        return evaluate(g, p_data, seed=g.step_count)[0]["converged"]

    diverged = stopped = None
    try:
        if args.steps > start:
            # total: the schedule decays over the whole planned run, resumed or not
            if args.full:
                gan.train(args.steps - start, callback=callback, every=every, total=args.steps)
            else:
                stopped = gan.train_until(args.steps - start, verdict_holds, check_every=250,
                                          patience=3, callback=callback, every=every,
                                          total=args.steps)
    except DivergenceError as exc:
        diverged = exc
    seconds = time.perf_counter() - t0
    jit = kernels.jit_time()   # what Numba spent on the kernels up to here: compiling, or loading

    history = {k: np.asarray(v) for k, v in gan.history.items()}
    np.savez(os.path.join(args.out, "history.npz"), **history)
    summary = {"steps": len(gan.history["step"]), "seed": args.seed,
               "backend": kernels.get_backend(),
               "seconds": round(seconds, 3), "planned_steps": args.steps,
               "stopped_early_at": stopped, "loss": args.loss, "noise": args.noise,
               "lr": args.lr, "batch": args.batch, "k": args.k, "hidden": args.hidden,
               "numba_compiled": jit["compiled"], "numba_compile_s": round(jit["compile_s"], 3),
               "numba_loaded": jit["loaded"], "numba_cache_s": round(jit["cache_s"], 3)}
    if start:
        summary["resumed_from"] = start
    if diverged is not None:
        summary.update({"target_mean": args.mu, "target_std": args.sigma,
                        "converged": False, "diverged": str(diverged),
                        "diverged_network": diverged.network, "diverged_step": diverged.step})
        with open(os.path.join(args.out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
        wrote = ["history.npz", "summary.json"]
        drawn = _last_good_figure(plots, snaps, gan.history,
                                  os.path.join(args.out, "gan_1d.png"),
                                  title="diverged: the last good state")
        if drawn is not None:
            wrote.append(f"gan_1d.png (the last good state, step {drawn})")
        ckpt = (f"; the checkpoint {args.save} holds step {saved_at[-1]}"
                if saved_at else "")
        message = " ".join(str(diverged).split())  # one line, whatever the message holds
        print(f"error: {message} Wrote {', '.join(wrote)} to {args.out}{ckpt}.",
              file=sys.stderr)
        return 1

    if args.save is not None and (not saved_at or saved_at[-1] != gan.step_count):
        io.save(args.save, gan)
    if not snaps or snaps[-1]["step"] != gan.step_count:
        snaps.append(gan.snapshot(x_grid))
    result, samples = evaluate(gan, p_data)
    summary.update(result)
    np.save(os.path.join(args.out, "samples.npy"), samples.astype(np.float64))
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    resumed = f", resumed at step {start}" if start else ""
    plots.summary_figure(snaps, gan.history, os.path.join(args.out, "gan_1d.png"),
                         title=f"GAN on N({args.mu:g}, {args.sigma:g}²), seed {args.seed}"
                               f"{resumed}")
    if not args.no_gif:
        plots.animate(snaps, os.path.join(args.out, "gan_1d.gif"))
    in_all = time.perf_counter() - started

    # the verdict, always (--quiet drops only the progress lines and the file list)
    verdict = "converged" if result["converged"] else "NOT converged"
    failed = [k for k, ok in result["checks"].items() if not ok]
    print(f"{'' if args.quiet else chr(10)}{verdict} in {in_all:.1f} s: mean "
          f"{result['mean']:.3f} (target {args.mu:g}), std {result['std']:.3f} (target "
          f"{args.sigma:g}), JSD {result['jsd']:.4f} nats, W1 {result['w1']:.3f}, "
          f"D(x) {result['d_real']:.3f}, D(G(z)) {result['d_fake']:.3f}, "
          f"V {result['value']:.3f} (−log 4 = {-math.log(4):.3f})"
          + (f"; failed: {', '.join(failed)}" if failed else "")
          + (f"; stopped at step {stopped:,} of {args.steps:,}: the verdict held at 3 "
             "checks in a row, 250 steps apart" if stopped else ""))
    if not args.quiet:
        print(f"the {in_all:.1f} s: {seconds:.1f} s training, "
              f"{in_all - seconds - (t0 - started):.1f} s verdict, files and pictures, "
              f"{t0 - started:.1f} s setting up (Python's start-up and first imports, "
              "before the demo's clock starts, are not counted)")
        if jit["compiled"]:
            print(f"Numba compiled {jit['compiled']} kernels in {jit['compile_s']:.1f} s "
                  f"(part of the {seconds:.1f} s of training); it keeps them in its on-disk "
                  "cache, so later runs load them instead")
        elif jit["loaded"]:
            print(f"Numba loaded {jit['loaded']} compiled kernels from its on-disk cache "
                  f"in {jit['cache_s']:.2f} s")
        print(f"wrote {args.out}/gan_1d.png, "
              + ("" if args.no_gif else f"{args.out}/gan_1d.gif, ")
              + f"{args.out}/summary.json, {args.out}/samples.npy, {args.out}/history.npz"
              + (f", checkpoint {args.save}" if args.save is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
