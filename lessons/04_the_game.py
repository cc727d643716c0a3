"""Lesson 04 — the game: V(D, G), Algorithm 1, and alternating steps.

Goodfellow et al. 2014, Eq. 1: D and G play a two-player minimax game with value

    V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))]

D wants V high (call real data real, fakes fake); G wants V low (fool D).  On a
minibatch of m real x and m fakes G(z), with D's logits a (D = σ(a)):

    V̂ = (1/m) Σ log D(x) + (1/m) Σ log(1 − D(G(z)))
       = −mean softplus(−a_real) − mean softplus(a_fake)     (from logits, stably)
    D loss = −V̂                         (D descends its loss = ascends V)
    G loss = −(1/m) Σ log D(G(z))       (the non-saturating loss of §3, our default;
                                         lesson 05 compares it with log(1 − D(G(z))))

Algorithm 1 (minibatch SGD; the paper used k = 1):

    for each training iteration:
        for k steps:                                    ← discriminator_step
            sample m noise z ~ p_z and m data x ~ p_data
            update D by ascending V̂ (G is not touched)
        sample m *fresh* noise z ~ p_z                   ← generator_step
        update G by descending its loss; the gradient flows through D
        (dL/dx = D.backward), but D's parameters are *not* updated

Only one player moves at a time.  (We switch off gan_1d's averaging of G's
parameters, average=None, so G samples from its live parameters exactly as in
Algorithm 1.)  We write one iteration out by hand, print the
numbers of the first iterations, check that each step does what the algorithm
says (D's step raises V̂ on its minibatch and leaves G bit-for-bit unchanged; G's
step lowers its loss on its noise and leaves D, and D's optimizer, unchanged), and
check that our hand-written loop and the library's GAN.step give bit-identical
networks, for k = 1 and k = 3.

Then a short run on p_data = N(4, 1.25²).  Where does V go?  At the equilibrium
p_g = p_data, D* = 1/2 and V = −log 4 = −1.3863 (Theorem 1).  We measure V on large
samples as training proceeds.  It starts *below* −log 4: an untrained D is worse
than a coin flip (its random logits are confidently wrong somewhere), and only the
best D reaches C(G) = max_D V ≥ −log 4.  D's first steps lift V quickly; then the two
players keep it near −log 4 while p_g moves.  But V ≈ −log 4 alone proves
nothing — V(D = 1/2, G) = −log 4 for *any* G — so every claim is judged on both
halves: D (mean D(x) and mean D(G(z)) near 1/2) *and* p_g against p_data (JSD and
W1 falling, mean and standard deviation close).  A short run gets close; lesson 06
finishes the job.

What to look at in the figures (in --out):
- 04_alternating_updates.png — for k = 3: how far each player's parameters moved in
  each sub-step.  D moves in three sub-steps, then G in one; the other bar is exactly 0.
- 04_game_panels.png — Figure 1 of the paper at four moments of the run: p_data
  (black dotted), p_g (green histogram), D(x) (blue dashed, right axis), and the map
  z → x = G(z) below.  Watch p_g slide onto p_data while D flattens towards 1/2 where
  the two agree — and stays above 1/2 in the tails, where this short run's p_g still
  has too little mass (D*(x) > 1/2 wherever p_data > p_g).
- 04_value_and_distance.png — left: V(D, G) on large samples approaching −log 4,
  and mean D(x), mean D(G(z)) approaching 1/2; right: JSD(p_g, p_data) and W1 falling —
  the half of the story that V alone cannot tell.

Run:  python lessons/04_the_game.py [--quick] [--seed N] [--out DIR]
"""

# %%
import _lesson

args, check = _lesson.start(__doc__)

import math
import time

import matplotlib.pyplot as plt
import numpy as np

from numpygan import gan, losses, metrics, plots
from numpygan.distributions import Gaussian, Uniform

MU, SIGMA = 4.0, 1.25
p_data = Gaussian(MU, SIGMA)
LOG4 = math.log(4.0)
N_TABLE = 8                               # iterations printed step by step
STEPS = 300 if args.quick else 3000       # the short run afterwards
N_EVAL = 4_000 if args.quick else 20_000   # samples for V, JSD, W1 along the run
N_SNAP = 4_000 if args.quick else 10_000   # samples behind each Figure-1 histogram
print(f"p_data = N({MU}, {SIGMA}²), p_z = U(−1, 1), seed {args.seed}")

# %% [markdown]
# ## 1. One iteration of Algorithm 1, written out
# The game object holds G, D, their optimizers, the noise prior, and the standard
# units D and G work in (u = (x − shift)/scale; see numpygan/gan.py).

# %%
def copy_params(net):
    return [p.copy() for p in net.params()]


def same(params_a, params_b):
    """Bit-for-bit equality of two parameter lists."""
    return all(np.array_equal(a, b) for a, b in zip(params_a, params_b))


def moved(before, after):
    """How far a network's parameters moved: the norm of the change, all arrays together."""
    return math.sqrt(sum(float(np.sum((b - a) ** 2)) for a, b in zip(before, after)))


def minibatch_value(D, x_real, x_fake):
    """V̂ = mean log D(x) + mean log(1 − D(G(z))), from D's logits."""
    return -float(np.mean(losses.softplus(-D.forward(x_real)))) \
        - float(np.mean(losses.softplus(D.forward(x_fake))))


def algorithm1_iteration(game):
    """k D-steps, then one G-step, exactly as GAN.step does (same draws from game.rng).

    Returns one record per sub-step, with the checks' raw material."""
    records = []
    m = game.batch
    for i in range(game.k):
        x_real = game.to_standard(game.p_data.sample(m, game.rng))    # (m, 1) data
        z = game.p_z.sample(m, game.rng)                              # (m, 1) noise
        x_fake = game.G.forward(z)                                    # (m, 1) = G(z)
        G_before, D_before = copy_params(game.G), copy_params(game.D)
        d = gan.discriminator_step(game.D, game.d_opt, x_real, x_fake)
        records.append({
            "player": "D", "sub": i + 1, "d_loss": d["loss"], "value": d["value"],
            "value_after": minibatch_value(game.D, x_real, x_fake),
            "d_real": d["d_real"], "d_fake": d["d_fake"],
            "G_unchanged": same(G_before, copy_params(game.G)),
            "moved_D": moved(D_before, copy_params(game.D)),
            "moved_G": moved(G_before, copy_params(game.G))})
    z = game.p_z.sample(m, game.rng)                                  # fresh noise
    G_before, D_before, d_t = copy_params(game.G), copy_params(game.D), game.d_opt.t
    g = gan.generator_step(game.G, game.D, game.g_opt, z, loss=game.loss)
    g_loss_after, _ = losses.generator_loss(game.D.forward(game.G.forward(z)), game.loss)
    records.append({
        "player": "G", "g_loss": g["loss"], "g_loss_after": g_loss_after,
        "d_fake": g["d_fake"],
        "D_unchanged": same(D_before, copy_params(game.D)) and game.d_opt.t == d_t,
        "D_grads_computed": any(np.any(gr != 0) for gr in game.D.grads()),
        "moved_D": moved(D_before, copy_params(game.D)),
        "moved_G": moved(G_before, copy_params(game.G))})
    return records


# %% [markdown]
# ## Measuring the game on fixed large samples (used from step 0 on)

# %%
eval_rng = np.random.default_rng([args.seed, 4])
x_eval = p_data.sample(N_EVAL, eval_rng)                  # (n, 1), fixed along the run
z_eval = Uniform(-1.0, 1.0).sample(N_EVAL, eval_rng)      # (n, 1): the game's p_z
lo, hi = MU - 6 * SIGMA, MU + 6 * SIGMA
track = {k: [] for k in ("step", "V", "d_real", "d_fake", "jsd", "w1", "mean", "std")}
x_grid = np.linspace(MU - 4.5 * SIGMA, MU + 4.5 * SIGMA, 400)
every = max(STEPS // (15 if args.quick else 40), 1)
# Figure-1 panels: now, early, a little later, and at the end (GAN.train calls back
# whenever the step count is a multiple of `every`)
snap_at = {max(every, round(f * STEPS / every) * every) for f in (1 / 30, 1 / 6)}
snaps = []
started = time.time()


def measure(g):
    """V, mean D on both halves, JSD, W1 and moments of p_g, on the fixed samples."""
    a_real = g.discriminator_logits(x_eval)               # (n,)
    x_fake = g.generate(z_eval)                           # (n, 1)
    a_fake = g.discriminator_logits(x_fake)
    track["step"].append(g.step_count)
    track["V"].append(-float(np.mean(losses.softplus(-a_real)))
                      - float(np.mean(losses.softplus(a_fake))))
    track["d_real"].append(float(np.mean(losses.sigmoid(a_real))))
    track["d_fake"].append(float(np.mean(losses.sigmoid(a_fake))))
    track["jsd"].append(metrics.jsd_pdf(x_fake, p_data, lo, hi, bins=50))
    track["w1"].append(metrics.w1_to_distribution(x_fake, p_data))
    mom = metrics.moments(x_fake)
    track["mean"].append(mom["mean"]), track["std"].append(mom["std"])
    if g.step_count % 500 == 0:
        print(f"  step {g.step_count:5d}: V = {track['V'][-1]:.4f} (−log 4 = {-LOG4:.4f}), "
              f"D(x) {track['d_real'][-1]:.3f}, D(G(z)) {track['d_fake'][-1]:.3f}, "
              f"JSD {track['jsd'][-1]:.4f}, W1 {track['w1'][-1]:.3f}  "
              f"({time.time() - started:.1f}s)", flush=True)


def callback(g):
    measure(g)
    if g.step_count in snap_at:
        snaps.append(g.snapshot(x_grid, n_samples=N_SNAP))


# %% [markdown]
# ## 2. The first iterations, k = 1, side by side with GAN.step
# `twin` is the same game (same seed); it advances by the library's GAN.step.

# %%
# average=None: G samples from its live parameters, as in Algorithm 1 (gan_1d's default
# also averages G's parameters over a run's second half — a stabiliser lesson 06 uses)
game = gan.gan_1d(p_data, seed=args.seed, average=None)      # k = 1, as in the paper
twin = gan.gan_1d(p_data, seed=args.seed, average=None)
start_of_game = twin.snapshot(x_grid, n_samples=N_SNAP)   # for the figure, before any step
measure(twin)                                         # V and friends at step 0
print(f"\nAlgorithm 1, k = {game.k}, m = {game.batch}: the first {N_TABLE} iterations")
print(f"{'iter':>4} | {'D loss':>7} {'V̂':>8} {'V̂ after':>8} | {'D(x)':>6} {'D(G(z))':>7} | "
      f"{'G loss':>7} {'G loss after':>12}")
records = []
for it in range(1, N_TABLE + 1):
    rec = algorithm1_iteration(game)
    twin.step()
    records += rec
    d, g = rec[0], rec[-1]
    print(f"{it:>4} | {d['d_loss']:7.4f} {d['value']:8.4f} {d['value_after']:8.4f} | "
          f"{d['d_real']:6.3f} {d['d_fake']:7.3f} | {g['g_loss']:7.4f} {g['g_loss_after']:12.4f}")
print("(D(x), D(G(z)): means on the minibatch before D's step; 'after': the same "
      "minibatch or noise right after the step)")

d_recs = [r for r in records if r["player"] == "D"]
g_recs = [r for r in records if r["player"] == "G"]
check.below("D loss = −V̂ on every minibatch: max |D loss + V̂|",
            max(abs(r["d_loss"] + r["value"]) for r in d_recs), 1e-12, fmt=".1e")
check.true("every D step raised V̂ on its own minibatch (D ascends V)",
           all(r["value_after"] > r["value"] for r in d_recs),
           measured=f"{sum(r['value_after'] > r['value'] for r in d_recs)}/{len(d_recs)}",
           expect=f"{len(d_recs)}/{len(d_recs)}")
check.true("every G step lowered G's loss on its own noise (G descends)",
           all(r["g_loss_after"] < r["g_loss"] for r in g_recs),
           measured=f"{sum(r['g_loss_after'] < r['g_loss'] for r in g_recs)}/{len(g_recs)}",
           expect=f"{len(g_recs)}/{len(g_recs)}")
check.true("G's parameters bit-for-bit unchanged by every D step",
           all(r["G_unchanged"] for r in d_recs),
           measured=f"{sum(r['G_unchanged'] for r in d_recs)}/{len(d_recs)} unchanged",
           expect=f"{len(d_recs)}/{len(d_recs)} unchanged")
check.true("G's step leaves D unchanged (parameters bit-for-bit, and D's Adam step count), "
           "though D.backward ran to pass the gradient through",
           all(r["D_unchanged"] and r["D_grads_computed"] for r in g_recs),
           measured=f"{sum(r['D_unchanged'] for r in g_recs)}/{len(g_recs)} unchanged",
           expect=f"{len(g_recs)}/{len(g_recs)} unchanged")
check.true("hand-written Algorithm 1 = GAN.step, k = 1: all parameters bit-identical",
           same(copy_params(game.G) + copy_params(game.D),
                copy_params(twin.G) + copy_params(twin.D)))

# %% [markdown]
# ## 3. k D-steps, then one G-step: k = 3

# %%
game3 = gan.gan_1d(p_data, k=3, seed=args.seed, average=None)
twin3 = gan.gan_1d(p_data, k=3, seed=args.seed, average=None)
print("\nAlgorithm 1 with k = 3: three D sub-steps, then one G step")
print(f"{'iter':>4} {'player':>6} | {'D loss':>7} {'V̂':>8} | {'G loss':>7} | "
      f"{'|Δθ_D|':>9} {'|Δθ_G|':>9}")
records3 = []
for it in range(1, 4):
    rec = algorithm1_iteration(game3)
    twin3.step()
    for r in rec:
        r["iter"] = it
        if r["player"] == "D":
            print(f"{it:>4} {'D ' + str(r['sub']):>6} | {r['d_loss']:7.4f} {r['value']:8.4f} | "
                  f"{'':>7} | {r['moved_D']:9.2e} {r['moved_G']:9.2e}")
        else:
            print(f"{it:>4} {'G':>6} | {'':>7} {'':>8} | {r['g_loss']:7.4f} | "
                  f"{r['moved_D']:9.2e} {r['moved_G']:9.2e}")
    records3 += rec
pattern = "".join(r["player"] for r in records3)
check.true("k = 3: the players move in the order DDDG DDDG DDDG, one at a time",
           pattern == "DDDG" * 3 and all((r["moved_D"] > 0) != (r["moved_G"] > 0)
                                         for r in records3),
           measured=pattern, expect="DDDG" * 3)
check.true("hand-written Algorithm 1 = GAN.step, k = 3: all parameters bit-identical",
           same(copy_params(game3.G) + copy_params(game3.D),
                copy_params(twin3.G) + copy_params(twin3.D)))

# %%
fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
idx = np.arange(len(records3))
width = 0.38
ax.bar(idx - width / 2, [max(r["moved_D"], 1e-9) for r in records3], width,
       color="#1f5fbf", label="|Δθ_D|: how far D's parameters moved")
ax.bar(idx + width / 2, [max(r["moved_G"], 1e-9) for r in records3], width,
       color="#2ca02c", label="|Δθ_G|: how far G's parameters moved")
ax.set_yscale("log")
ax.set_ylim(1e-9, 1.0)
for i, r in enumerate(records3):
    other = r["moved_G"] if r["player"] == "D" else r["moved_D"]
    if other == 0:
        ax.text(i + (width / 2 if r["player"] == "D" else -width / 2), 2e-9, "0",
                ha="center", va="bottom", fontsize=8)
ax.set_xticks(idx, [f"it {r['iter']}\n" + (f"D{r['sub']}" if r["player"] == "D" else "G")
                    for r in records3], fontsize=8)
ax.set(xlabel="sub-step of Algorithm 1 (k = 3)", ylabel="norm of the parameter change (log)",
       title="Alternating updates: three D steps, then one G step — the other player "
             "stays exactly still (bars at 0)")
ax.legend(fontsize=8, loc="upper left", ncols=2)
ax.grid(axis="y", alpha=0.25)
_lesson.savefig(fig, args, "04_alternating_updates.png")

# %% [markdown]
# ## 4. A short run: where does V go?
# We continue with `twin` (the library's GAN, same state as our hand-run game) and
# GAN.train, measuring on fixed large samples every few steps.

# %%
print(f"\ntraining {STEPS} more iterations (k = 1), measuring every {every}:")
measure(twin)                                             # after the hand-run iterations
snaps.append(start_of_game)
twin.train(STEPS, callback=callback, every=every)
if track["step"][-1] != twin.step_count:
    measure(twin)
snaps.append(twin.snapshot(x_grid, n_samples=N_SNAP))
print(f"  step {twin.step_count:5d}: V = {track['V'][-1]:.4f}, D(x) {track['d_real'][-1]:.3f}, "
      f"D(G(z)) {track['d_fake'][-1]:.3f}, JSD {track['jsd'][-1]:.4f}, "
      f"W1 {track['w1'][-1]:.3f}  ({time.time() - started:.1f}s)")

# %%
V0, V_end = track["V"][0], track["V"][-1]
print(f"\nV: {V0:.4f} at step 0 (untrained D and G) → {V_end:.4f} after "
      f"{twin.step_count} iterations")
check.below("V moves towards −log 4: |V + log 4| at the end < ⅓ of its value at the start",
            abs(V_end + LOG4) / max(abs(V0 + LOG4), 1e-12), 1 / 3, fmt=".3f")
check.close("V(D, G) on large samples at the end vs −log 4", V_end, -LOG4,
            0.05 if args.quick else 0.02)
for name, key in (("mean D(x)", "d_real"), ("mean D(G(z))", "d_fake")):
    check.close(f"{name} at the end (D's half of the story)", track[key][-1], 0.5,
                0.1 if args.quick else 0.05, fmt=".3f")
check.below("p_g's half: JSD(p_g, p_data) fell (end / start)",
            track["jsd"][-1] / track["jsd"][0], 1.0, fmt=".3f")
check.below(f"JSD(p_g, p_data) at the end, 50 bins, {N_EVAL:,} samples",
            track["jsd"][-1], 0.1 if args.quick else 0.05)
# bounds from seeds 0-5: a --quick run's 300 steps leave p_g's std up to 10 % short and
# its W1 up to 0.2 sigma, the full run's live G (no averaging) up to 0.17 sigma and 15 %:
# too noisy to tell sigma from sigma² on p_g, which is why the first check looks at p_data
check.close("the game's units: scale (std of 100,000 samples of p_data) / sigma",
            twin.scale[0] / SIGMA, 1.0, 0.01, fmt=".4f")
check.below("W1(p_g, p_data) at the end, in units of sigma",
            track["w1"][-1] / SIGMA, 0.25)
check.close("p_g's mean at the end, in units of sigma", (track["mean"][-1] - MU) / SIGMA,
            0.0, 0.2 if args.quick else 0.1)
check.close("p_g's std / sigma at the end", track["std"][-1] / SIGMA, 1.0,
            0.2 if args.quick else 0.25)

# %%
fig, axes = plt.subplots(1, len(snaps), figsize=(4.3 * len(snaps), 4.4), layout="constrained")
axes = np.atleast_1d(axes)
xlim = (MU - 4.5 * SIGMA, MU + 4.5 * SIGMA)
level = 1.1 * max(p_data.pdf(MU), max(
    plots.density_histogram(s["samples"], *xlim)[1].max() for s in snaps))
level = min(level, 2.5 * p_data.pdf(MU))
for ax, s in zip(axes, snaps):
    plots.figure1_panel(ax, s, title=f"step {s['step']:,}", xlim=xlim, level=level,
                        legend=ax is axes[0])
fig.suptitle("The game on p_data = N(4, 1.25²): p_g (green) slides onto p_data (dotted) "
             "while D (dashed, right axis) flattens towards ½", fontsize=12)
_lesson.savefig(fig, args, "04_game_panels.png")

# %%
fig, (ax_v, ax_j) = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
steps = np.array(track["step"])
ax_v.plot(steps, track["V"], color="black", lw=2, label=f"V(D, G) on {N_EVAL:,} + {N_EVAL:,} "
                                                       "samples")
ax_v.axhline(-LOG4, color="black", ls=":", lw=1.2, label="−log 4 = −1.3863 (equilibrium)")
ax_v.set(xlabel="training iteration", ylabel="V (nats)",
         title="V(D, G) approaches −log 4 ...")
ax_v.grid(alpha=0.25)
ax_d = ax_v.twinx()
ax_d.plot(steps, track["d_real"], color="#1f5fbf", lw=1.4, label="mean D(x), x ~ p_data")
ax_d.plot(steps, track["d_fake"], color="#d6501f", lw=1.4, label="mean D(G(z))")
ax_d.axhline(0.5, color="0.6", lw=0.8, ls="--")
ax_d.set_ylim(0.2, 0.8)
ax_d.set_ylabel("mean D (right axis)")
handles = ax_v.get_legend_handles_labels()[0] + ax_d.get_legend_handles_labels()[0]
labels = ax_v.get_legend_handles_labels()[1] + ax_d.get_legend_handles_labels()[1]
ax_v.legend(handles, labels, fontsize=8, loc="lower right")
ax_j.semilogy(steps, track["jsd"], color="#7b3294", lw=2, label="JSD(p_g, p_data), 50 bins")
ax_j.semilogy(steps, np.array(track["w1"]) / SIGMA, color="#2ca02c", lw=2,
              label="W1(p_g, p_data) / sigma")
ax_j.axhline((50 - 1) / (8 * N_EVAL), color="#7b3294", ls=":", lw=1,
             label="JSD noise floor of a perfect sampler ≈ (bins − 1)/(8n)")
ax_j.set(xlabel="training iteration", ylabel="distance (log scale)",
         title="... and so does p_g to p_data: the half V cannot show")
ax_j.legend(fontsize=8, loc="upper right")
ax_j.grid(alpha=0.25, which="both")
_lesson.savefig(fig, args, "04_value_and_distance.png")

# %%
check.finish()
