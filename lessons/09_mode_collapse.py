"""09 — Mode collapse: counting modes, watching a generator lose them, and packing as a remedy.

Data with many modes (docs/THEORY.md, "Follow-ups"):

    1D mixture   p_data(x) = Σ_k w_k N(x; μ_k, σ²),   μ = (−3, 0, 3), σ = 0.15, w_k = 1/3
    2D ring      p_data(x) = (1/8) Σ_k N(x; c_k, σ² I),  c_k = r (cos 2πk/8, sin 2πk/8),
                 r = 2, σ = 0.1  (docs/THEORY.md's σ = 0.02 asks our small dense nets for a
                 precision they do not reach in this lesson's time budget; at σ = 0.05 the
                 remedy below reached 6+ modes on only some seeds, so we use 0.1: the
                 modes are still 1.53 apart, 15σ)

Counting modes (VEEGAN's metrics, Srivastava et al. 2017): a generated sample is
*high-quality* when it lies within 3σ of its nearest mode; mode k is *covered* when it
receives at least a quarter of its share of the samples:

    covered_k  ⇔  #{high-quality samples nearest to c_k} ≥ ¼ · n · w_k

A perfect sampler covers every mode, with 1 − e^(−9/2) = 98.9 % high-quality samples in
2D (99.7 % in 1D).  A generator that piles its mass on two modes covers two.

Why a GAN collapses.  Against a FIXED D, G's loss −E_z log D(G(z)) is smallest when
every z is sent to x* = argmax_x D(x): a point mass.  Algorithm 1 keeps D moving, so G
cannot rest there — but when D lags behind G (here D's learning rate is 5× smaller
than G's, the "G too strong" case of lesson 08), G carries its samples to wherever the
current D says "data", D slowly learns to reject that place, and G jumps to the next:
mode collapse and mode hopping.  Nothing in D's loss, which judges one sample at a
time, says "these fakes are all alike".

The remedy measured here: packing (PacGAN, Lin et al. 2018).  D judges m samples at
once, all real or all fake:

    D(x_1, …, x_m)    on m = 2 samples concatenated: input width m·d = 2·2 = 4 on the ring

Two samples of a collapsed G sit close together, two real samples mostly come from two
different modes — a difference a packed D can see.  In code it is only a reshape,
(m·B, d) → (B, m·d) before D, and the gradient reshaped back for G:

    u = G(z)              (m·B, d)
    a = D(u.reshape(B, m·d))                  (B, 1) logits
    dL/du = D.backward(dL/da).reshape(m·B, d)

Both games below are identical but for packing: the same G (same initial weights), the
same learning rates, the same 128 real and 128 fake samples per step, the
non-saturating loss, Adam (β1 = 0.5), learning rates decayed linearly.  The baseline D
sees 128 samples of width d; the packed D sees 64 pairs of width 2d.

What we measured (seeds 0–5, the full run): on the ring the plain GAN never covers
more than a few modes at a time while the packed D covers (nearly) all eight — the
CHECKs below hold the run you make to that.  In 1D the plain GAN ends on one or two
of the three modes; packing helped on some seeds and not on others (a 1D G maps one
line of z onto the line of x, and must drag mass across the gaps to reach a new
mode), so in 1D we print the counts and claim nothing for the remedy.
A --quick run (200 and 150 steps) is far too short for collapse or its remedy: it
prints the counts, claims none of them, and checks only the mechanism — G, stepped
alone against a fixed D, chases D's high ground.

What to look at (figures in --out):
  09_ring_samples.png  the ring over training, plain GAN (top) and packed D (bottom):
                      the plain GAN's samples never spread round the ring: they form
                      a few streaks through the centre that swing round from check to
                      check, and pass through at most a few modes (the printed counts:
                      0 to 3 on seed 0, 0 at the end) — collapse onto a few directions,
                      and hopping; the packed game spreads onto all eight.
  09_mixture_1d.png   the 1D mixture: p_g (histogram) against p_data over training,
                      plain GAN (top) and packed D (bottom): where does p_g's mass sit?
  09_coverage.png     modes covered against training step, both games, ring and 1D.
"""

# %% Setup
import copy
import math
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import losses, metrics, plots  # noqa: E402
from numpygan.distributions import Gaussian, GaussianMixture, Ring2D  # noqa: E402
from numpygan.gan import discriminator_step  # noqa: E402
from numpygan.gradcheck import numerical_gradient, rel_error  # noqa: E402
from numpygan.network import mlp  # noqa: E402
from numpygan.optim import Adam  # noqa: E402

SIGMA_1D, SIGMA_RING = 0.15, 0.1
mixture = GaussianMixture([-3.0, 0.0, 3.0], SIGMA_1D)
ring = Ring2D(n_modes=8, radius=2.0, sigma=SIGMA_RING)
N_EVAL = 2_000                                   # samples per coverage count


# %% 1. The measuring stick: modes covered


def coverage(x, p_data, sigma):
    """Modes covered by samples x: VEEGAN's count with the quarter-share rule.

    Mode k is covered when at least ¼ · n · w_k high-quality samples (within 3σ) are
    nearest to it.  Returns (n_covered, high-quality fraction).
    """
    weights = getattr(p_data, "weights", np.full(p_data.n_modes, 1.0 / p_data.n_modes))
    need = np.ceil(0.25 * x.shape[0] * np.asarray(weights))        # (K,) samples per mode
    cov = metrics.mode_coverage(x, p_data.modes, sigma, threshold=3.0)
    return int(np.sum(cov["counts"] >= need)), cov["high_quality"]


rng_check = np.random.default_rng([args.seed, 0])
perfect_ring = ring.sample(10_000, rng_check)
one_mode = ring.centers[0] + SIGMA_RING * rng_check.standard_normal((10_000, 2))
n_perfect, hq_perfect = coverage(perfect_ring, ring, SIGMA_RING)
n_one, _ = coverage(one_mode, ring, SIGMA_RING)
n_perfect_1d, hq_1d = coverage(mixture.sample(10_000, rng_check), mixture, SIGMA_1D)
print(f"perfect ring sampler: {n_perfect}/8 modes, {hq_perfect:.1%} high-quality "
      f"(theory {1 - math.exp(-4.5):.1%}); all samples on one mode: {n_one}/8")
check.close("perfect ring sampler: modes covered", n_perfect, 8, 0, fmt=".0f")
check.close("perfect ring sampler: high-quality fraction (1 − e^(−9/2) = 0.9889)",
            hq_perfect, 1 - math.exp(-4.5), 0.005, fmt=".4f")
check.close("a sampler collapsed onto one mode: modes covered", n_one, 1, 0, fmt=".0f")
check.close("perfect 1D mixture sampler: modes covered", n_perfect_1d, 3, 0, fmt=".0f")


# %% 2. One training loop for both games: Algorithm 1 with a packed D


def pack(x, m):
    """(m·B, d) -> (B, m·d): m consecutive samples side by side, one input of D."""
    return x.reshape(x.shape[0] // m, m * x.shape[1])


def unpack(dx, m):
    """(B, m·d) -> (m·B, d): the gradient back to the samples it came from."""
    return dx.reshape(dx.shape[0] * m, dx.shape[1] // m)


def generator_step_packed(G, D, g_opt, z, m):
    """gan.generator_step with a packed D: −mean log D(pack(G(z))), D held fixed."""
    u = G.forward(z)                                   # (m·B, Z) -> (m·B, d)
    logits = D.forward(pack(u, m))                     # (B, m·d) -> (B, 1)
    g_loss, dlogits = losses.generator_loss_nonsaturating(logits)
    du = unpack(D.backward(dlogits), m)                # (B, m·d) -> (m·B, d)
    G.backward(du)
    g_opt.step(G.params(), G.grads())
    return g_loss


def train_game(p_data, sigma, m, steps, seed, lr_d=2e-4, lr_g=1e-3, samples=128,
               every=250, snap_at=(), label=""):
    """Algorithm 1 (k = 1) on p_data with D judging m samples at once (m = 1: plain GAN).

    G: z ~ N(0, I_d) -> 64 -> 64 -> d (ReLU); D: m·d -> 64 -> 64 -> 1 (LeakyReLU 0.2).
    Both work in standard units u = (x − mean) / std of p_data (its exact moments).
    Returns a dict: steps and modes covered every `every` steps, snapshots of samples.
    """
    d = p_data.dim
    shift, scale = np.asarray(p_data.mean), np.asarray(p_data.std)
    G = mlp([d, 64, 64, d], hidden="relu", rng=np.random.default_rng([seed, 1]))
    D = mlp([m * d, 64, 64, 1], hidden="leaky_relu", rng=np.random.default_rng([seed, 2]))
    d_opt, g_opt = Adam(lr_d, beta1=0.5), Adam(lr_g, beta1=0.5)
    rng = np.random.default_rng([seed, 3])
    p_z = Gaussian(0.0, 1.0, dim=d)
    z_eval = p_z.sample(N_EVAL, np.random.default_rng([seed, 4]))   # the same z each time
    out = {"step": [], "covered": [], "hq": [], "snaps": {}}
    t0 = time.perf_counter()
    for t in range(steps + 1):
        if t % every == 0 or t in snap_at:
            x = shift + scale * G.forward(z_eval)                    # data units (N_EVAL, d)
            if not np.all(np.isfinite(x)):
                raise FloatingPointError(f"{label}: G's samples became NaN/inf at step {t}")
            n_cov, hq = coverage(x, p_data, sigma)
            if t % every == 0:
                out["step"].append(t)
                out["covered"].append(n_cov)
                out["hq"].append(hq)
            if t in snap_at:
                out["snaps"][t] = (x, n_cov)
            if t % (4 * every) == 0 and t:
                print(f"  {label} step {t:>5}: {n_cov}/{p_data.n_modes} modes covered, "
                      f"{hq:.0%} high-quality   ({time.perf_counter() - t0:.0f} s)",
                      flush=True)
        if t == steps:
            break
        frac = 1.0 - 0.98 * t / steps                                 # linear decay
        d_opt.lr, g_opt.lr = lr_d * frac, lr_g * frac
        x_real = (p_data.sample(samples, rng) - shift) / scale        # (128, d)
        x_fake = G.forward(p_z.sample(samples, rng))                  # (128, d)
        discriminator_step(D, d_opt, pack(x_real, m), pack(x_fake, m))
        generator_step_packed(G, D, g_opt, p_z.sample(samples, rng), m)
    out["G"], out["D"], out["shift"], out["scale"] = G, D, shift, scale
    return out


def against_fixed_D(run, p_data, steps=100, n=2_048):
    """G alone, stepped against the run's last D held fixed: G's loss −E log D(G(z)) only
    asks that D(G(z)) be high, for every z — nothing asks the samples to differ.
    Returns mean D(G(z)) before and after, on the same z."""
    G = copy.deepcopy(run["G"])
    g_opt = Adam(1e-3, beta1=0.5)
    p_z = Gaussian(0.0, 1.0, dim=p_data.dim)
    rng_fix = np.random.default_rng([args.seed, 9])
    z_eval = p_z.sample(n, rng_fix)

    def mean_d():
        return float(losses.sigmoid(run["D"].forward(G.forward(z_eval))).mean())

    before = mean_d()
    for _ in range(steps):
        generator_step_packed(G, run["D"], g_opt, p_z.sample(128, rng_fix), 1)
    return before, mean_d()


# The packed backward is only a reshape — but check it like any backward: the gradient
# of G's loss with respect to G's outputs u, analytic against central differences.
rng_gc = np.random.default_rng([args.seed, 5])
D_gc = mlp([4, 8, 8, 1], hidden="leaky_relu", rng=rng_gc)
u_gc = rng_gc.normal(size=(6, 2))                                     # 3 pairs


def g_loss_of_u():
    return losses.generator_loss_nonsaturating(D_gc.forward(pack(u_gc, 2)))[0]


_, dlogits = losses.generator_loss_nonsaturating(D_gc.forward(pack(u_gc, 2)))
du_analytic = unpack(D_gc.backward(dlogits), 2)
du_numeric = numerical_gradient(g_loss_of_u, u_gc)
check.below("packed D: dL/du (reshape backward) vs central differences, rel error",
            rel_error(du_analytic, du_numeric), 1e-7, fmt=".2e")

# %% 3. The 1D mixture, plain and packed
STEPS_1D = 200 if args.quick else 3_000
EVERY_1D = 50 if args.quick else 250
snaps_1d = (0, STEPS_1D // 2, STEPS_1D) if args.quick else (0, STEPS_1D // 6, STEPS_1D // 2,
                                                             STEPS_1D)
print(f"\n1D mixture of 3 Gaussians at −3, 0, 3 (σ = {SIGMA_1D}): {STEPS_1D:,} steps each, "
      "D's lr 2e-4, G's lr 1e-3")
runs_1d = {m: train_game(mixture, SIGMA_1D, m, STEPS_1D, args.seed, every=EVERY_1D,
                         snap_at=snaps_1d, label="1D plain GAN" if m == 1 else "1D packed D ")
           for m in (1, 2)}
n_1d = {m: run["covered"][-1] for m, run in runs_1d.items()}
print(f"1D: at the end the plain GAN covers {n_1d[1]}/3 modes, the packed D {n_1d[2]}/3")
if not args.quick:   # 200 steps are far too few for collapse: --quick claims nothing here
    check.below("1D plain GAN with a lagging D: modes covered at the end (of 3)", n_1d[1],
                3, fmt=".0f")

# %% 4. The ring: the plain GAN against the packed D
STEPS_RING = 150 if args.quick else 4_000
EVERY_RING = 50 if args.quick else 250
fractions = (0, 1 / 2, 1) if args.quick else (0, 1 / 8, 1 / 4, 1 / 2, 3 / 4, 1)
snap_ring = tuple(int(f * STEPS_RING) for f in fractions)
print(f"\nring {ring}: {STEPS_RING:,} steps each, D's lr 2e-4, G's lr 1e-3")
t0 = time.perf_counter()
base = train_game(ring, SIGMA_RING, 1, STEPS_RING, args.seed, every=EVERY_RING,
                  snap_at=snap_ring, label="plain GAN ")
packed = train_game(ring, SIGMA_RING, 2, STEPS_RING, args.seed, every=EVERY_RING,
                    snap_at=snap_ring, label="packed D  ")
print(f"  ({time.perf_counter() - t0:.0f} s for both)")

# the final count on 10,000 fresh samples of each G
z_final = Gaussian(0.0, 1.0, dim=2).sample(10_000, np.random.default_rng([args.seed, 6]))
final = {}
for name, run in (("plain GAN", base), ("packed D", packed)):
    x = run["shift"] + run["scale"] * run["G"].forward(z_final)
    final[name] = coverage(x, ring, SIGMA_RING)
    half = [c for s, c in zip(run["step"], run["covered"]) if s >= STEPS_RING // 2]
    print(f"{name:>10}: {final[name][0]}/8 modes at the end ({final[name][1]:.0%} "
          f"high-quality); over the second half of training: "
          f"{min(half)}–{max(half)} (mean {np.mean(half):.1f})")
n_base, n_packed = final["plain GAN"][0], final["packed D"][0]
half_base = [c for s, c in zip(base["step"], base["covered"]) if s >= STEPS_RING // 2]
fixed_ring = against_fixed_D(base, ring)
print(f"ring: G alone against the plain game's last D, held fixed, 100 steps: mean D(G(z)) "
      f"{fixed_ring[0]:.3f} → {fixed_ring[1]:.3f}")
if args.quick:
    # 150 steps cannot show collapse or its remedy (both count 0-2 modes): the counts
    # are printed, not claimed.  The weaker claim a short run supports, and a G
    # stepping the wrong way fails: against a FIXED D, G's loss −E log D(G(z)) only
    # asks that D(G(z)) be high, for every z — G's steps chase D's high ground
    check.above("ring (quick run: no collapse claim) G alone against the plain game's D, "
                "held fixed: mean D(G(z)) after 100 steps − before", fixed_ring[1]
                - fixed_ring[0], 0.05, fmt=".3f")
else:
    check.below("plain GAN collapses: most modes covered at any check in the 2nd half",
                max(half_base), 5, fmt=".0f")
    check.above("packed D: modes covered at the end (10,000 samples)", n_packed, 5,
                fmt=".0f")
    check.above("packed D covers more modes than the plain GAN: difference at the end",
                n_packed - n_base, 2, fmt=".0f")

# %% 5. Figures
QUICK_NOTE = ("\n[--quick: far too few steps to show this — run the lesson without --quick]"
              if args.quick else "")
# (a) the 1D mixture over training, both games
lo, hi = -5.0, 5.0
xs = np.linspace(lo, hi, 500)
fig, axes = plt.subplots(2, len(snaps_1d), figsize=(4.0 * len(snaps_1d), 6.4),
                         layout="constrained", sharex=True)
for row, (m, name) in enumerate(((1, "plain GAN"), (2, "packed D (m = 2)"))):
    for col, t in enumerate(snaps_1d):
        ax = axes[row, col]
        x, n_cov = runs_1d[m]["snaps"][t]
        centers, dens = plots.density_histogram(x[:, 0], lo, hi, bins=100)
        ax.fill_between(centers, dens, step="mid", color=plots.C_G, alpha=0.45,
                        label="p_g (histogram of G(z), 100 bins)")
        ax.plot(xs, mixture.pdf(xs), ":", color="black", lw=1.6, label="p_data")
        ax.set_title(f"{name}, step {t:,}: {n_cov}/3 modes covered", fontsize=10)
        ax.set_ylabel("density")
        ax.set_xlim(lo, hi)
        if row == 1:
            ax.set_xlabel("x")
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9)
fig.suptitle(f"1D mixture, D's lr 5× below G's: at the end the plain GAN covers {n_1d[1]}/3 "
             f"modes, the packed D {n_1d[2]}/3" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "09_mixture_1d.png")

# (b) the ring over training, both games
fig, axes = plt.subplots(2, len(snap_ring), figsize=(3.1 * len(snap_ring), 6.6),
                         layout="constrained")
for row, (name, run) in enumerate((("plain GAN", base), ("packed D (m = 2)", packed))):
    for col, t in enumerate(snap_ring):
        ax = axes[row, col]
        x, n_cov = run["snaps"][t]
        plots.plot_samples_2d(ax, x, centers=ring.centers, max_points=N_EVAL,
                              title=f"{name}\nstep {t:,}: {n_cov}/8 modes")
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(-3.2, 3.2)
        ax.set_ylim(-3.2, 3.2)
        ax.title.set_fontsize(9)
        ax.get_legend().remove()
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9, markerscale=2)
fig.suptitle("Ring of 8 Gaussians (σ = 0.1), D's lr 5× below G's.  Top: the plain GAN never "
             "spreads round the ring: a few streaks through the centre swing round, covering "
             f"{min(half_base)}–{max(half_base)} of 8 at the checks of the second half, "
             f"{n_base} at the end.\n"
             "Bottom: the same game with D judging pairs of samples (PacGAN): G spreads "
             "over the ring" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "09_ring_samples.png")

# (c) coverage curves
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
ax1.plot(base["step"], base["covered"], "o-", ms=3, color=plots.C_FAKE, label="plain GAN")
ax1.plot(packed["step"], packed["covered"], "s-", ms=3, color=plots.C_REAL,
         label="packed D (PacGAN, m = 2)")
ax1.axhline(8, color="black", lw=0.8, ls=":", label="all 8 modes")
ax1.set_ylim(-0.3, 8.6)
ax1.set_xlabel("training step")
ax1.set_ylabel("modes covered (of 8; 2,000 samples)")
ax1.set_title(f"ring: at the end the plain GAN covers {n_base}/8, the packed D {n_packed}/8",
              fontsize=10)
ax1.legend(fontsize=9, loc="lower right", bbox_to_anchor=(1.0, 0.55))
ax1.grid(alpha=0.3)
ax2.plot(runs_1d[1]["step"], runs_1d[1]["covered"], "o-", ms=3, color=plots.C_FAKE,
         label="plain GAN")
ax2.plot(runs_1d[2]["step"], runs_1d[2]["covered"], "s-", ms=3, color=plots.C_REAL,
         label="packed D (m = 2)")
ax2.axhline(3, color="black", lw=0.8, ls=":", label="all 3 modes")
ax2.set_ylim(-0.2, 4.2)                         # room above the curves for the legend
ax2.set_yticks(range(4))
ax2.set_xlabel("training step")
ax2.set_ylabel("modes covered (of 3; 2,000 samples)")
ax2.set_title(f"1D mixture: at the end the plain GAN covers {n_1d[1]}/3, the packed D "
              f"{n_1d[2]}/3", fontsize=10)
ax2.legend(fontsize=9, loc="upper center", ncol=3)
ax2.grid(alpha=0.3)
fig.suptitle("Modes covered during training (a mode counts when it gets ≥ ¼ of its share "
             "of samples within 3σ)", fontsize=11)
_lesson.savefig(fig, args, "09_coverage.png")

check.finish()
