"""06 — Convergence in 1D: Figure 1 of Goodfellow et al. 2014, reproduced from a real run.

The game (Eq. 1), with p_data = N(4, 1.25²) and uniform noise z ~ U(−1, 1):

    V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))]

trained by Algorithm 1 (one D-step, then one G-step through the fixed D, non-saturating
G loss, Adam, learning rates decayed linearly) with the library's default 1D game,
``gan_1d(p_data, seed=...)``, untouched.  (Its samples come from G's parameters
averaged over the second half of the run, when that default is on: it damps the
circling of the game round its equilibrium — lesson 08.)
For a fixed G the best D is (Proposition 1)

    D*(x) = p_data(x) / (p_data(x) + p_g(x)),

and at the end of the game (Theorem 1) p_g = p_data, D* = ½ everywhere, V = −log 4.
We draw D* beside the learned D.  p_g has no formula — G is a network — so we estimate
it from 10,000 samples with a Gaussian kernel density estimate (KDE, Silverman's
bandwidth h = 1.06·std·n^(−1/5) ≈ 0.2 here); the KDE smooths p_g slightly, so D*
drawn from it is itself an estimate.  Uniform z pushed through a piecewise-linear G
gives p_g a bounded support: beyond its edges p_g = 0, so there D* = 1 (the grey line
climbs to 1 at both sides) — and p_data's tails out there are what p_g misses most.

Convergence is judged on BOTH halves (a D near ½ alone proves nothing, lesson 07):
    p_g:  |mean − μ| ≤ 0.1σ,  |std/σ − 1| ≤ 0.1,  JSD(p_data ‖ p_g) ≤ 0.01 nats
          (10,000 samples, 50 bins on μ ± 5σ — above the estimator's floor ≈ 0.0005)
    D:    mean D(x) and mean D(G(z)) in [0.45, 0.55],  V within 0.05 of −log 4.

Figures (in --out):
  06_figure1.png   the paper's four panels from this run: (a) early, G near p_data and D
                   partly right; (b) D alone trained towards D* (the grey line);
                   (c) then G alone stepped through that D: G(z) flows to where D says
                   "data"; (d) the end: p_g on p_data, D near ½ over p_data's bulk
                   (μ ± 2σ) — beyond it, where p_g has few or no samples, D rises
                   (to ~0.85 on seed 0) and D* from the KDE climbs to 1.  Below each,
                   the z line and its arrows x = G(z): they bunch where p_g is high.
  06_training.png  mean D(x), D(G(z)) → ½; the losses → 2 log 2, log 2; V → −log 4; JSD.
  06_convergence.gif  the Figure-1 panel over the whole run.
"""

# %% Setup
import copy
import math
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import losses, metrics, plots, theory  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402
from numpygan.gan import discriminator_step, gan_1d, generator_step  # noqa: E402

MU, SIGMA = 4.0, 1.25
LOG4 = math.log(4.0)
p_data = Gaussian(MU, SIGMA)
gan = gan_1d(p_data, seed=args.seed)                  # the library's defaults, untouched
steps = 600 if args.quick else 15_000           # the demo's default run length
x_grid = np.linspace(MU - 4.5 * SIGMA, MU + 4.5 * SIGMA, 400)
lo, hi = MU - 5 * SIGMA, MU + 5 * SIGMA              # the JSD's 50 bins
print(f"p_data = N({MU:g}, {SIGMA:g}²), {steps:,} steps of Algorithm 1, seed {args.seed}")
print(gan.G.summary())


# %% p_g by a kernel density estimate, and D* beside D in every snapshot
def kde(samples, x):
    """Gaussian KDE: p̂_g(x) = (1/n) Σ_i φ((x − x_i)/h) / h,  h = 1.06 s n^(−1/5)."""
    h = 1.06 * samples.std() * samples.size ** (-0.2)
    t = (x[:, None] - samples[None, :]) / h                     # (X, n)
    return np.exp(-0.5 * t * t).sum(axis=1) / (samples.size * h * math.sqrt(2 * math.pi))


def snapshot(g):
    """plots' snapshot dict, with p̂_g (KDE) and D* = p_data / (p_data + p̂_g) filled in."""
    snap = g.snapshot(x_grid)
    snap["p_g_kde"] = kde(snap["samples"], x_grid)
    snap["d_star"] = theory.optimal_discriminator(snap["p_data"], snap["p_g_kde"])
    return snap


def d_star_gap(snap):
    """How far D is from D*: ∫ |D − D*| (p_data + p̂_g)/2 dx  (where the samples are)."""
    weight = 0.5 * (snap["p_data"] + snap["p_g_kde"])
    return theory.integrate(np.abs(snap["d"] - snap["d_star"]) * weight, x_grid)


# %% Train, with a snapshot for the animation and a progress line every 1,000 steps
A = 100                          # Figure 1 (a)-(c) start from a copy of the game at step A
frame_every = 300 if args.quick else 250          # a GIF frame every so many steps
report = 1_000 if not args.quick else 300
snaps, jsd_hist, jsd_steps, copies = [], [], [], {}
t0 = time.perf_counter()
print(f"{'step':>6} {'D(x)':>6} {'D(G(z))':>8} {'JSD':>7} {'W1':>6} {'mean':>6} {'std':>6}")


def callback(g):
    if g.step_count == A:
        copies["early"] = copy.deepcopy(g)
    if g.step_count % frame_every:
        return
    snap = snapshot(g)
    snaps.append(snap)
    s = snap["samples"]
    jsd_hist.append(metrics.jsd_pdf(s, p_data.pdf, lo, hi, bins=50))
    jsd_steps.append(g.step_count)
    if g.step_count % report == 0 and g.step_count:
        w = slice(-100, None)                            # the last 100 steps' average
        print(f"{g.step_count:>6} {np.mean(g.history['d_real'][w]):>6.3f} "
              f"{np.mean(g.history['d_fake'][w]):>8.3f} {jsd_hist[-1]:>7.4f} "
              f"{metrics.w1_to_distribution(s, p_data):>6.3f} {s.mean():>6.3f} "
              f"{s.std():>6.3f}   ({time.perf_counter() - t0:.0f} s)", flush=True)


gan.train(steps, callback=callback, every=50)
seconds = time.perf_counter() - t0
early = copies["early"]

# %% Figure 1 (a)-(d), from the copy: (b) D alone, then (c) G alone
D_STEPS, G_STEPS = 300, 5
# V(D, G) on 10,000 fixed real and 10,000 fixed fake samples: what D's steps ascend
ref_rng = np.random.default_rng([args.seed, 3])
u_real = early.to_standard(p_data.sample(10_000, ref_rng))      # (10000, 1) standard units
z_fixed = early.p_z.sample(10_000, ref_rng)                     # (10000, 1)


def value(g):
    """V(D, G) = mean log D(x) + mean log(1 − D(G(z))), from logits, on the fixed samples."""
    a_real, a_fake = g.D.forward(u_real), g.D.forward(g.G.forward(z_fixed))
    return -np.mean(losses.softplus(-a_real)) - np.mean(losses.softplus(a_fake))


snap_a, V_a = snapshot(early), value(early)
for _ in range(D_STEPS):                               # (b) the inner loop: D-steps only
    x_real = early.to_standard(p_data.sample(early.batch, early.rng))
    x_fake = early.G.forward(early.p_z.sample(early.batch, early.rng))
    discriminator_step(early.D, early.d_opt, x_real, x_fake)
snap_b, V_b = snapshot(early), value(early)
d_fake_b = losses.sigmoid(early.D.forward(early.G.forward(z_fixed))).mean()
for _ in range(G_STEPS):                               # (c) G-steps only, D held fixed
    generator_step(early.G, early.D, early.g_opt, early.p_z.sample(early.batch, early.rng))
snap_c = snapshot(early)
d_fake_c = losses.sigmoid(early.D.forward(early.G.forward(z_fixed))).mean()
snap_d = snaps[-1]                                      # the end of the run

gap_a, gap_b = d_star_gap(snap_a), d_star_gap(snap_b)
print(f"Figure 1: V(D, G) at (a) {V_a:.4f}, after {D_STEPS} D-steps (b) {V_b:.4f}; "
      f"∫|D − D*| (a) {gap_a:.4f}, (b) {gap_b:.4f}; mean D(G(z)) under that D: (b) "
      f"{d_fake_b:.3f}, after {G_STEPS} G-steps (c) {d_fake_c:.3f}")
check.above("(b) D's steps ascend V(D, G) towards max_D V = C(G): V(b) - V(a)", V_b - V_a,
            0.0, fmt=".3g")
check.below("(b) ... and D moves towards D* (from a KDE of p_g): gap(b) / gap(a)",
            gap_b / gap_a, 1.0, fmt=".3g")
check.above("(c) G stepped through the fixed D: mean D(G(z)) after - before",
            d_fake_c - d_fake_b, 0.0, fmt=".3g")

fig, axes = plt.subplots(1, 4, figsize=(19, 4.8), layout="constrained")
panels = [(snap_a, f"(a) step {A}: p_g near p_data,\nD partly right"),
          (snap_b, f"(b) {D_STEPS} D-steps alone:\nD moves towards D*"),
          (snap_c, f"(c) then {G_STEPS} G-steps through that D:\n"
                   "G(z) flows to where D says 'data'"),
          (snap_d, f"(d) step {steps:,}: p_g ≈ p_data, D ≈ ½ on the bulk\n"
                   "(both rise in the tails, where p_g has no samples)")]
# one x range and one density scale for all four (D = 1 is drawn at the top, `level`)
xlim, level = (x_grid[0], x_grid[-1]), 1.25 * p_data.pdf(np.array([MU]))[0]
for ax, (snap, title) in zip(axes, panels):
    plots.figure1_panel(ax, snap, title=title, xlim=xlim, level=level, legend=False)
handles, labels = axes[0].get_legend_handles_labels()
labels = [l if not l.startswith("$p_g$") else "$p_g$ (histogram of 10,000 G(z))"
          for l in labels]
fig.legend(handles, [l.replace("the optimal D", "from a KDE of p_g") for l in labels],
           loc="outside upper center", ncols=4, fontsize=10, frameon=False)
_lesson.savefig(fig, args, "06_figure1.png")

# %% Training curves, with the JSD measured at every snapshot
history = dict(gan.history)
history["jsd"], history["jsd_step"] = jsd_hist, jsd_steps
fig = plt.figure(figsize=(13, 4.6), layout="constrained")
plots.training_curves(fig, history)
jsd_axis = fig.axes[-1]                                 # the JSD's log axis, at right
jsd_axis.axhline(0.01, color="#7b3294", ls="--", lw=1)
jsd_axis.text(0.01, 0.01, " JSD 0.01: the goal", color="#7b3294", fontsize=8, va="bottom",
              transform=jsd_axis.get_yaxis_transform())
late = np.asarray(jsd_hist)[np.asarray(jsd_steps) >= 2 * jsd_steps[-1] / 3]   # last third
fig.suptitle(f"Judge both halves (seed {args.seed}): D says ½ to real and fake within a few "
             f"hundred steps, while the JSD of p_g to p_data falls for much longer\n"
             f"(over the last third of the run it stays within {late.min():.4f}–"
             f"{late.max():.4f} nats; the end: {jsd_hist[-1]:.4f})", fontsize=11)
_lesson.savefig(fig, args, "06_training.png")

gif = plots.animate(snaps, f"{args.out}/06_convergence.gif", fps=6)
print(f"figure: {gif} ({len(snaps)} frames)")

# %% The verdict, on fresh samples: p_g against p_data, and D against ½
rng = np.random.default_rng([args.seed, 2024])
n = 10_000
fake = gan.sample(n, rng)[:, 0]
real = p_data.sample(n, rng)[:, 0]
a_real, a_fake = gan.discriminator_logits(real), gan.discriminator_logits(fake)
d_real, d_fake = losses.sigmoid(a_real).mean(), losses.sigmoid(a_fake).mean()
V = -np.mean(losses.softplus(-a_real)) - np.mean(losses.softplus(a_fake))   # from logits
jsd = metrics.jsd_pdf(fake, p_data.pdf, lo, hi, bins=50)
w1_end = metrics.w1_to_distribution(fake, p_data)
w1_start = metrics.w1_to_distribution(snaps[0]["samples"], p_data)
print(f"trained {steps:,} steps in {seconds:.0f} s; W1 {w1_start:.3f} at step 0 -> "
      f"{w1_end:.3f}")

# a --quick run is short: its bounds (from seeds 0-5) are loose, too loose to tell sigma
# from sigma² on p_g's std (600 steps leave it up to 20 % off) — the first check does
check.close("the game's units: scale (std of 100,000 samples of p_data) / sigma",
            gan.scale[0] / SIGMA, 1.0, 0.01, fmt=".4f")
loose = args.quick
check.below("|mean - mu| / sigma", abs(fake.mean() - MU) / SIGMA, 0.2 if loose else 0.1)
check.below("|std / sigma - 1|", abs(fake.std() / SIGMA - 1), 0.25 if loose else 0.1)
check.below("W1(p_g, p_data) / sigma, 10,000 samples", w1_end / SIGMA,
            0.25 if loose else 0.04)
check.below("JSD(p_data || p_g), 10,000 samples, 50 bins on mu +- 5 sigma", jsd,
            0.1 if loose else 0.01)
check.between("mean D(x), x ~ p_data", d_real, *((0.3, 0.7) if loose else (0.45, 0.55)))
check.between("mean D(G(z))", d_fake, *((0.3, 0.7) if loose else (0.45, 0.55)))
check.close("V(D, G) on 10,000 + 10,000 samples vs -log 4", V, -LOG4, 0.2 if loose else 0.05)
if not loose:
    check.below("D vs D* at the end: integral |D - D*| (p_data + p_g)/2", d_star_gap(snap_d),
                0.05, fmt=".3g")

# %%
check.finish()
