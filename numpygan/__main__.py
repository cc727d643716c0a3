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

Before step 1 the demo checks what it can: each flag against the range in which the
arithmetic stays finite (the limit is in the message), the memory the run will need
against what the machine has, and that ``--out`` and ``--save`` can be written (and
do not collide).  Every file is written atomically (``numpygan._files``): a kill or a
full disk leaves the previous file whole, never half of one; a write that fails ends
the run with a one-line error and exit status 2.  ``summary.json``, written last, lists
the files this run wrote (``files``); the demo's files that an earlier run left in the
same ``--out`` and this run did not write (a GIF after ``--no-gif``, the samples of a
converged run after a diverged one) are removed, and the message says so.

The networks are float32 unless ``--dtype float64``.  On two or more cores a helper
process (``numpygan._helper``) compiles half of the kernels while the demo compiles the
other half, and draws gan_1d.png while the demo draws the GIF: the files are the same,
byte for byte, without it.

Converged means both halves of the game agree (docs/THEORY.md): p_g on p_data
(|mean − mu| ≤ 0.1 σ, |std/σ − 1| ≤ 0.1, JSD ≤ 0.01 nats and W1 ≤ 0.04 σ on 10,000
samples) *and* D(x) ≈ 1/2 (mean D on real and on generated samples in [0.45, 0.55],
and D within 0.03 of D* on average, D* from a kernel density estimate of p_g).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np

from . import _checks, _files, _helper
from .distributions import LARGEST, RESOLUTION, SMALLEST

# what the demo writes to --out (summary.json lists those a run wrote)
OUTPUTS = ("gan_1d.png", "gan_1d.gif", "summary.json", "samples.npy", "history.npz")


def _positive_float(name, lo=0.0, hi=math.inf, why=""):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}")
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be > 0, got {text}")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{name} must lie in [{lo:g}, {hi:g}]{why}, "
                                             f"got {text}")
        return value
    return parse


def _finite_float(name, limit=math.inf, why=""):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}")
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{name} must be finite, got {text}")
        if abs(value) > limit:
            raise argparse.ArgumentTypeError(f"{name} must lie in [{-limit:g}, {limit:g}]"
                                             f"{why}, got {text}")
        return value
    return parse


# float64 holds the squares of p_data's samples (variances, second moments) only in here
_SQUARES = " (squares of the samples must stay finite in float64)"


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m numpygan",
        description="Train a GAN on a 1D Gaussian and watch p_g land on p_data "
                    "while D(x) settles at 1/2 (Goodfellow et al. 2014, Figure 1).")
    p.add_argument("--mu", type=_finite_float("--mu", LARGEST, _SQUARES), default=4.0,
                   help=f"mean of p_data, within ±{LARGEST:g} (default 4)")
    p.add_argument("--sigma", type=_positive_float("--sigma", SMALLEST, LARGEST, _SQUARES),
                   default=1.25, help=f"standard deviation of p_data, in [{SMALLEST:g}, "
                                      f"{LARGEST:g}] and >= {RESOLUTION:g}·|mu| (default 1.25)")
    p.add_argument("--steps", type=_checks.int_at_least("--steps", 1), default=15_000,
                   help="planned training iterations of Algorithm 1 (default 15000); the "
                        "run stops sooner once the verdict has held at 3 checks in a row, "
                        "250 steps apart (see --full); with --resume, the total to reach")
    p.add_argument("--full", action="store_true",
                   help="run all --steps, even after the verdict has held")
    p.add_argument("--batch", type=_checks.int_at_least("--batch", 1), default=128,
                   help="minibatch size m (default 128)")
    p.add_argument("--hidden", type=_checks.int_at_least("--hidden", 1), default=32,
                   help="G's hidden width (D's is twice it; default 32)")
    p.add_argument("--lr", type=_positive_float("--lr"), default=1e-3,
                   help="Adam learning rate of both players, decayed linearly (default 1e-3)")
    p.add_argument("--k", type=_checks.int_at_least("--k", 1), default=1,
                   help="discriminator steps per generator step (default 1)")
    p.add_argument("--loss", choices=["non-saturating", "minimax"], default="non-saturating",
                   help="generator loss (default non-saturating)")
    p.add_argument("--noise", choices=["uniform", "normal"], default="uniform",
                   help="noise prior p_z: U(-1, 1) or N(0, 1) (default uniform)")
    p.add_argument("--seed", type=_checks.int_at_least("--seed", 0), default=0, help="random seed (default 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                   help="G's and D's float type (default float32: the same verdict as "
                        "float64, at about 2/3 of its time a step)")
    p.add_argument("--backend", choices=["numba", "numpy"], default=None,
                   help="kernel backend (default: numba when installed)")
    p.add_argument("--out", default="outputs", help="output folder (default outputs/)")
    p.add_argument("--no-gif", action="store_true", help="skip the animation")
    p.add_argument("--frames", type=_checks.int_at_least("--frames", 2), default=40,
                   help="snapshots for the animation (default 40)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines (the one-line verdict is still printed)")
    p.add_argument("--save", metavar="PATH", default=None,
                   help="write a checkpoint (.npz: both networks, both optimizers, the rng, "
                        "the history) to PATH every --save-every steps and at the end; "
                        "written atomically, so a killed run keeps its last checkpoint")
    p.add_argument("--save-every", type=_checks.int_at_least("--save-every", 1), default=1000,
                   metavar="N", help="steps between checkpoints with --save (default 1000)")
    p.add_argument("--resume", metavar="PATH", default=None,
                   help="continue the run checkpointed in PATH: its settings, rng and "
                        "learning-rate schedule carry on exactly; --steps is then the total "
                        "to reach (default: the saved run's planned total)")
    return p


def evaluate(gan, p_data, n=10_000, seed=2024, limits=None):
    """Measure both halves of convergence on n fresh samples of p_g and of p_data.

    Returns (measurements with their "checks" and "converged", the samples of p_g).
    D against D* (a kernel density estimate of p_g, the dearest measurement) is taken
    last, and only when ``limits`` is None or every other check within them passes:
    the stopping rule asks often, and a failed check already decides its answer.
    """
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
    if limits is None or all(metrics.convergence_checks(out, limits).values()):
        # D against the best D for the current G (Proposition 1), where the samples are
        out["d_star_gap"] = float(metrics.d_star_gap(real, fake, losses.sigmoid(a_real),
                                                     losses.sigmoid(a_fake), p_data.pdf,
                                                     lo, hi))
    checks = metrics.convergence_checks(out, limits)
    out["checks"] = checks
    out["converged"] = bool(all(checks.values()) and "d_star_gap" in checks)
    return out, fake


def _given(argv, names):
    """Which of the options ``names`` (dests) were named on the command line."""
    unset = object()  # not a string, so argparse passes it through untouched
    probe = build_parser()
    probe.set_defaults(**{name: unset for name in names})
    ns = probe.parse_args(argv)
    return {name for name in names if getattr(ns, name) is not unset}


# the demo's settings a checkpoint fixes, and where each lives in the resumed GAN
_RESUMED = ("mu", "sigma", "hidden", "lr", "k", "batch", "loss", "noise", "seed", "dtype")


def _settings_of(gan):
    """The demo's flags as the checkpointed game has them (None: not the demo's 1D game)."""
    from .distributions import Gaussian, Uniform

    if not (type(gan.p_data) is Gaussian and gan.p_data.dim == 1 and gan.p_z.dim == 1
            and type(gan.p_z) in (Gaussian, Uniform)):
        return None
    return {"mu": gan.p_data.mu, "sigma": gan.p_data.sigma, "hidden": gan.G.layers[0].n_out,
            "lr": gan.lr_d0, "k": gan.k, "batch": gan.batch, "loss": gan.loss,
            "noise": "uniform" if type(gan.p_z) is Uniform else "normal", "seed": gan.seed,
            "dtype": gan.dtype.name}


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
        if not planned:
            return None, (f"--resume: {args.resume} is an untrained game (step 0) with no "
                          "planned total; give --steps N, the total to reach")
        args.steps = planned
    if args.steps < gan.step_count:
        return None, (f"--steps {args.steps} is behind the checkpoint, which is at step "
                      f"{gan.step_count}; --steps is the total to reach")
    if args.steps != planned and not args.quiet:
        print(f"note: the checkpoint planned {planned} steps; going to {args.steps} changes "
              "the learning-rate schedule from here on", file=sys.stderr)
    return gan, None


def _good_snapshots(plots, snaps):
    """The snapshots of a diverged run that still picture something (no NaN/inf)."""
    good = []
    for snap in snaps:
        try:
            plots.check_snapshot(snap)
            good.append(snap)
        except ValueError:      # a snapshot with NaN/inf in it is not a picture of anything
            pass
    return good


def _last_good_figure(plots, good, history, path, title):
    """Draw what is left of a diverged run from its good snapshots (at least one)."""
    if len(history["step"]):
        try:
            with warnings.catch_warnings():   # a one-step history: matplotlib warns of the
                warnings.simplefilter("ignore", UserWarning)  # flat x-range, not a fault
                plots.summary_figure(good, history, path, title=title)
            return
        except ValueError:
            pass
    import matplotlib.pyplot as plt  # no complete step: the last good panel alone

    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    try:
        plots.figure1_panel(ax, good[-1], title=f"{title}, step {good[-1]['step']}")
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)


class _OutputError(Exception):
    """A file of the run could not be written: the CLI's one-line error, exit status 2."""


# ------------------------------------------------------------- checks before step 1
def _memory_parts(args):
    """What the run holds in memory at its peak, in bytes, by the flag that sizes it."""
    h, d = args.hidden, 2 * args.hidden
    params = (h * h + 4 * h + 1) + (d * d + 4 * d + 1)      # G: 1→h→h→1, D: 1→d→d→1
    n = max(args.batch, 10_000)     # a minibatch, or the 10,000 samples a snapshot draws
    snap_every = max(1, args.steps // args.frames)
    n_snaps = args.steps // snap_every + 2
    return [
        # each parameter: itself, its gradient, Adam's m and v, G's average, a saved copy
        (8 * 6 * params, f"--hidden {h}: {params:,} parameters in G and D, with their "
                         "gradients and Adam's state"),
        # G and D each cache about 4 floats per hidden unit and sample, and as many again
        # in their backward passes
        (8 * 8 * n * (h + d), f"--batch {args.batch} and --hidden {h}: the activations "
                              f"of {n:,} samples through G and D"),
        (40 * 8 * args.steps, f"--steps {args.steps}: the history, 8 numbers a step"),
        (100_000 * n_snaps, f"--frames {args.frames}: {n_snaps:,} snapshots of the game"),
        (0 if args.no_gif else 700_000 * n_snaps,
         f"--frames {args.frames}: the GIF's {n_snaps:,} frames (or --no-gif)"),
    ]


def _check_memory(args):
    """An error message if the run would need more memory than the machine has, else None."""
    parts = _memory_parts(args)
    need = sum(b for b, _ in parts)
    have = _checks.available_memory()
    if have is None or need <= have:
        return None
    biggest = max(parts)[1]
    return (f"this run would need about {_checks.show_bytes(need)} of memory, more than "
            f"the {_checks.show_bytes(have)} available; most of it for {biggest}")


def _check_outputs(args):
    """Refuse, before step 1, an --out or --save the run could not write to.

    Returns an error message or None.  --out must be (or become) a writable folder in
    which none of the run's file names is taken by a folder; --save a file name (not a
    folder, not one of the run's own outputs) in a writable folder.
    """
    try:
        _files.check_writable_folder(args.out, "--out")
        for name in OUTPUTS:
            if os.path.isdir(os.path.join(args.out, name)):
                return (f"--out: {os.path.join(args.out, name)!r} is a folder, where the "
                        f"run writes its {name}; move it or choose another --out")
        if args.save is not None:
            _files.check_output_path(args.save, "--save")
            _files.check_writable_folder(os.path.dirname(os.path.abspath(args.save)),
                                         "--save")
    except (ValueError, TypeError) as exc:
        return str(exc)
    if args.save is not None:
        ours = {os.path.realpath(os.path.join(args.out, name)): name for name in OUTPUTS}
        name = ours.get(os.path.realpath(args.save))
        if name is not None:
            return (f"--save {args.save} is the run's own {name} in --out; give the "
                    "checkpoint another name")
    return None


def _prepare(parser, args, argv):
    """Everything checked before training: --resume, the backend, the settings' ranges,
    memory, the output places.  Returns (gan or None, error message or None)."""
    from . import kernels
    from .distributions import Gaussian

    gan = None
    if args.resume is not None:
        gan, error = _resume(args, argv)
        if error:
            return None, error
    try:
        Gaussian(args.mu, args.sigma)   # the flags pass one by one; together, too?
    except ValueError as exc:
        parser.error(f"argument --sigma: {str(exc).replace('Gaussian: ', '')}")
    if args.backend is not None:
        try:
            kernels.set_backend(args.backend)
        except ValueError as exc:
            return None, f"--backend: {exc}"
    return gan, _check_memory(args) or _check_outputs(args)


# ------------------------------------------------------------------------ training
#: The stopping rule asks for the verdict with a margin: each limit 85 % of the final
#: verdict's (metrics.CONVERGENCE_LIMITS), so that the final verdict, judged on
#: samples the rule never saw, holds too and not only by the luck of one draw.
STOP_LIMITS = {"mean": 0.085, "std": 0.085, "jsd": 0.0085, "w1": 0.034,
               "d": (0.4575, 0.5425), "d_star_gap": 0.0255}


def verdict_holds(gan, p_data):
    """The demo's stopping rule, asked every 250 steps: the verdict with a margin
    (``STOP_LIMITS``), on fresh samples (never the final verdict's), and only once G's
    parameter average, which the final samples come from, has begun."""
    if gan.average is not None and gan.G_avg is None:
        return False
    return evaluate(gan, p_data, seed=gan.step_count, limits=STOP_LIMITS)[0]["converged"]


class _Run:
    """One demo run: the game, its snapshots for the figures, its checkpoints."""

    def __init__(self, args, gan, p_data):
        self.args, self.gan, self.p_data = args, gan, p_data
        self.start = gan.step_count
        self.x_grid = np.linspace(args.mu - 4.5 * args.sigma, args.mu + 4.5 * args.sigma, 400)
        self.snap_every = max(1, args.steps // args.frames)
        self.report_every = 500 if args.steps >= 2000 else max(1, args.steps // 4)
        # a resumed run starts its pictures at the step it resumes from
        self.snaps = [gan.snapshot(self.x_grid)] if self.start else []
        self.saved_at = ([self.start] if args.save is not None and args.resume == args.save
                         else [])
        self.wrote = []                # the files of --out written so far, by name
        self.seconds = 0.0             # training's, from its first step to its last
        self.stopped = None            # the step the verdict stopped the run at, if it did

    def print_header(self):
        args = self.args
        from . import kernels

        resumed = f", resumed from step {self.start} of {args.resume}" if self.start else ""
        print(f"numpygan: p_data = N({args.mu:g}, {args.sigma:g}²), noise {args.noise}, "
              f"{args.steps} steps, batch {args.batch}, k {args.k}, {args.loss} loss, "
              f"{args.dtype}, backend {kernels.get_backend()}, seed {args.seed}{resumed}")
        print(f"{'step':>7} {'D(x)':>6} {'D(G(z))':>8} {'D loss':>7} {'G loss':>7} "
              f"{'JSD':>7} {'mean':>7} {'std':>6}")

    def save_checkpoint(self, gan):
        """io.save to --save (atomic: a kill or a full disk keeps the previous one)."""
        from . import io

        try:
            io.save(self.args.save, gan)
        except OSError as exc:
            held = (f"it still holds step {self.saved_at[-1]}" if self.saved_at
                    else "no checkpoint was written")
            raise _OutputError(f"--save: cannot write the checkpoint {self.args.save} at "
                               f"step {gan.step_count}: {exc.strerror or exc}; {held}") \
                from None
        self.saved_at.append(gan.step_count)

    def print_progress(self, g):
        """One progress line: the last 100 steps' averages, and p_g measured on 10,000."""
        from . import metrics

        args, h = self.args, g.history
        s = g.sample(10_000, np.random.default_rng(7))[:, 0]
        jsd = metrics.jsd_pdf(s, self.p_data.pdf, args.mu - 5 * args.sigma,
                              args.mu + 5 * args.sigma, bins=50)
        w = slice(-min(100, len(h["step"])), None)  # average of the last 100 steps
        print(f"{g.step_count:>7} {np.mean(h['d_real'][w]):>6.3f} "
              f"{np.mean(h['d_fake'][w]):>8.3f} {np.mean(h['d_loss'][w]):>7.3f} "
              f"{np.mean(h['g_loss'][w]):>7.3f} {jsd:>7.4f} {s.mean():>7.3f} "
              f"{s.std():>6.3f}", flush=True)

    def callback(self, g):
        args = self.args
        if g.step_count % self.snap_every == 0 or g.step_count == 0:
            self.snaps.append(g.snapshot(self.x_grid))
        if args.save is not None and g.step_count and g.step_count % args.save_every == 0:
            self.save_checkpoint(g)
        if not args.quiet and g.step_count and g.step_count % self.report_every == 0:
            self.print_progress(g)

    def train(self, prepare=None):
        """Train to --steps, or until the verdict has held (``GAN.train_until``); returns
        the DivergenceError that stopped it, or None.  ``self.stopped``: the step it
        stopped early at, or None.  ``prepare()``, run first, is timed with the training
        (compiling the kernels before step 1 is the training's cost, as it is when a
        first step compiles them)."""
        from .gan import DivergenceError

        args = self.args
        every = math.gcd(self.snap_every, self.report_every)
        if args.save is not None:
            every = math.gcd(every, args.save_every)
        t0 = time.perf_counter()
        try:
            if prepare is not None:
                prepare()
            if args.steps > self.start:
                # total: the schedule decays over the whole planned run, resumed or not
                steps = dict(callback=self.callback, every=every, total=args.steps)
                if args.full:
                    self.gan.train(args.steps - self.start, **steps)
                else:
                    self.stopped = self.gan.train_until(
                        args.steps - self.start, lambda g: verdict_holds(g, self.p_data),
                        check_every=250, patience=3, **steps)
        except DivergenceError as exc:
            return exc
        finally:
            self.seconds = time.perf_counter() - t0
        return None

    # -- the files of --out, each written atomically --------------------------------
    def path(self, name):
        return os.path.join(self.args.out, name)

    def write(self, name, write_to):
        """Write --out/name with ``write_to(temporary path)``; an OSError becomes the
        one-line error naming the file and what was written before it."""
        try:
            with _files.atomic_path(self.path(name)) as tmp:
                write_to(tmp)
        except OSError as exc:
            done = f"; wrote {', '.join(self.wrote)} before it" if self.wrote else ""
            raise _OutputError(f"cannot write {self.path(name)}: {exc.strerror or exc} "
                               f"(nothing is left half-written){done}") from None
        self.wrote.append(name)

    def write_arrays(self, name, arrays):
        def savez(tmp):
            with open(tmp, "xb") as f:
                np.savez(f, **arrays)
        self.write(name, savez)

    def write_summary(self, summary):
        """summary.json, last: it lists the files this run wrote, itself included.
        Files an earlier run left under the demo's names are removed first."""
        removed = []
        for name in OUTPUTS:
            if name not in self.wrote and name != "summary.json" \
                    and os.path.isfile(self.path(name)):
                try:
                    os.remove(self.path(name))
                except OSError as exc:
                    raise _OutputError(f"cannot remove an earlier run's {self.path(name)}: "
                                       f"{exc.strerror or exc}") from None
                removed.append(name)
        summary["files"] = self.wrote + ["summary.json"]
        text = json.dumps(summary, indent=2)

        def dump(tmp):
            with open(tmp, "x", encoding="utf-8") as f:
                f.write(text)
        self.write("summary.json", dump)
        return removed

    def forget_summary(self):
        """Remove an earlier run's summary.json before writing anything: until this run's
        own is written, no summary describes files it does not list."""
        try:
            if os.path.isfile(self.path("summary.json")):
                os.remove(self.path("summary.json"))
        except OSError as exc:
            raise _OutputError(f"cannot replace {self.path('summary.json')}: "
                               f"{exc.strerror or exc}") from None


# ------------------------------------------------------------------- the results
def _summary(run, jit):
    """The settings and timings every summary.json holds, converged or not."""
    from . import kernels

    args = run.args
    summary = {"steps": len(run.gan.history["step"]), "seed": args.seed,
               "backend": kernels.get_backend(),
               "seconds": round(run.seconds, 3), "planned_steps": args.steps,
               "stopped_early_at": run.stopped, "loss": args.loss, "noise": args.noise,
               "lr": args.lr, "batch": args.batch, "k": args.k, "hidden": args.hidden,
               "dtype": args.dtype,
               "numba_compiled": jit["compiled"], "numba_compile_s": round(jit["compile_s"], 3),
               "numba_loaded": jit["loaded"], "numba_cache_s": round(jit["cache_s"], 3)}
    if run.start:
        summary["resumed_from"] = run.start
    return summary


def _history_arrays(gan):
    return {k: np.asarray(v) for k, v in gan.history.items()}


def _finish_diverged(run, plots, diverged, summary):
    """Write what a diverged run had (history, the last good figure, summary.json) and
    print the one-line error.  Returns the exit status, 1."""
    args = run.args
    summary.update({"target_mean": args.mu, "target_std": args.sigma,
                    "converged": False, "diverged": str(diverged),
                    "diverged_network": diverged.network, "diverged_step": diverged.step})
    run.forget_summary()
    run.write_arrays("history.npz", _history_arrays(run.gan))
    good = _good_snapshots(plots, run.snaps)
    if good:
        run.write("gan_1d.png", lambda tmp: _last_good_figure(
            plots, good, run.gan.history, tmp, title="diverged: the last good state"))
    removed = run.write_summary(summary)
    wrote = ["history.npz", "summary.json"]
    if good:
        wrote.append(f"gan_1d.png (the last good state, step {good[-1]['step']})")
    ckpt = (f"; the checkpoint {args.save} holds step {run.saved_at[-1]}"
            if run.saved_at else "")
    gone = f"; removed an earlier run's {', '.join(removed)}" if removed else ""
    message = " ".join(str(diverged).split())  # one line, whatever the message holds
    print(f"error: {message} Wrote {', '.join(wrote)} to {args.out}{ckpt}{gone}.",
          file=sys.stderr)
    return 1


def _finish_converged(run, helper, summary):
    """Checkpoint, measure, write every output (the pictures drawn by ``helper``);
    returns (result, files removed)."""
    args, gan = run.args, run.gan
    if args.save is not None and (not run.saved_at or run.saved_at[-1] != gan.step_count):
        run.save_checkpoint(gan)
    if not run.snaps or run.snaps[-1]["step"] != gan.step_count:
        run.snaps.append(gan.snapshot(run.x_grid))
    result, samples = evaluate(gan, run.p_data)
    summary.update(result)
    run.forget_summary()
    run.write_arrays("history.npz", _history_arrays(gan))
    run.write("samples.npy", lambda tmp: np.save(tmp, samples.astype(np.float64)))
    resumed = f", resumed at step {run.start}" if run.start else ""
    title = f"GAN on N({args.mu:g}, {args.sigma:g}²), seed {args.seed}{resumed}"
    run.write("gan_1d.png", lambda tmp: _draw_pictures(run, helper, tmp, title))
    return result, run.write_summary(summary)


def _draw_pictures(run, helper, png, title):
    """gan_1d.png, drawn by the helper into the temporary path ``png``, while this
    process draws gan_1d.gif (unless --no-gif): two cores, two pictures."""
    drawn = helper.start(_helper.draw_summary, run.snaps, run.gan.history, png, title)
    if not run.args.no_gif:
        run.write("gan_1d.gif", lambda tmp: _helper.draw_animation(run.snaps, tmp))
    drawn()


def _print_verdict(args, result, run, in_all, jit):
    """The one-line verdict with the whole run's time, always (--quiet drops only the
    progress lines and the file list); then where the time went, and what Numba's
    compiler cost."""
    verdict = "converged" if result["converged"] else "NOT converged"
    failed = [k for k, ok in result["checks"].items() if not ok]
    print(f"{'' if args.quiet else chr(10)}{verdict} in {in_all:.1f} s: mean "
          f"{result['mean']:.3f} (target {args.mu:g}), std {result['std']:.3f} (target "
          f"{args.sigma:g}), JSD {result['jsd']:.4f} nats, W1 {result['w1']:.3f}, "
          f"D(x) {result['d_real']:.3f}, D(G(z)) {result['d_fake']:.3f}, "
          f"V {result['value']:.3f} (−log 4 = {-math.log(4):.3f})"
          + (f"; failed: {', '.join(failed)}" if failed else "")
          + (f"; stopped at step {run.stopped:,} of {args.steps:,}: the verdict held at 3 "
             "checks in a row, 250 steps apart" if run.stopped else ""))
    if args.quiet:
        return
    print(f"the {in_all:.1f} s: {run.seconds:.1f} s training, "
          f"{in_all - run.seconds:.1f} s setting up, verdict, files and pictures "
          "(Python's start-up and first imports, before the demo's clock starts, are not "
          "counted)")
    if jit["compiled"]:
        loaded = (f", and loaded {jit['loaded']} that a helper process compiled meanwhile"
                  if jit["loaded"] else "")
        print(f"Numba compiled {jit['compiled']} kernels in {jit['compile_s']:.1f} s "
              f"(part of the {run.seconds:.1f} s of training){loaded}; it keeps them in its "
              "on-disk cache, so later runs load them instead")
    elif jit["loaded"]:
        print(f"Numba loaded {jit['loaded']} compiled kernels from its on-disk cache "
              f"in {jit['cache_s']:.2f} s")


def _print_files(args, removed):
    print(f"wrote {args.out}/gan_1d.png, "
          + ("" if args.no_gif else f"{args.out}/gan_1d.gif, ")
          + f"{args.out}/summary.json, {args.out}/samples.npy, {args.out}/history.npz"
          + (f", checkpoint {args.save}" if args.save is not None else "")
          + (f"; removed an earlier run's {', '.join(removed)}" if removed else ""))


def main(argv=None):
    """Run the demo with the flags in ``argv`` (default: the command line).

    Returns the exit status: 0 (a finished run, converged or not), 1 (training
    diverged), 2 (bad flags, an unusable --resume, --out or --save, too little memory,
    or an output that could not be written).
    """
    started = time.perf_counter()
    parser = build_parser()
    args = parser.parse_args(argv)
    gan, error = _prepare(parser, args, argv)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from . import fast
    from .distributions import Gaussian
    from .gan import gan_1d

    p_data = Gaussian(args.mu, args.sigma)
    if gan is None:
        gan = gan_1d(p_data, hidden=args.hidden, d_hidden=2 * args.hidden, lr=args.lr,
                     k=args.k, batch=args.batch, loss=args.loss, noise=args.noise,
                     seed=args.seed, dtype=np.dtype(args.dtype))
    run = _Run(args, gan, p_data)
    if not args.quiet:
        run.print_header()
    # a second core compiles the kernels the training needs later, and draws the pictures
    helper = _helper.Helper()
    try:
        diverged = run.train(prepare=lambda: helper.prepare(gan.dtype))
        jit = fast.jit_time()   # what Numba spent on the kernels: compiling, or loading
        summary = _summary(run, jit)
        if diverged is not None:
            from . import plots  # the last good picture is drawn here

            return _finish_diverged(run, plots, diverged, summary)
        result, removed = _finish_converged(run, helper, summary)
    except _OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        helper.close()
    _print_verdict(args, result, run, time.perf_counter() - started, jit)
    if not args.quiet:
        _print_files(args, removed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
