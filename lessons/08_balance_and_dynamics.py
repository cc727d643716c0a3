"""08 — Balancing D and G, and the dynamics of the game.

Algorithm 1 (Goodfellow et al. 2014) alternates k D-steps with one G-step on

    V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))],

and nothing in it says how strong each player should be.  The knobs: k (D-steps per
G-step), the two learning rates (their ratio: "TTUR", Heusel et al. 2017) and how
they decay.  The failure modes, from the same bad start (G 4σ left of p_data):

    k = 5 (5 D-steps per G-step): D separates real from fake better early; here the
                                  game converges as well per G-step, at ~3× the work.
    D too strong (G's lr ÷ 100):  D wins — D(x) → 1, D(G(z)) → 0 — and G barely moves:
                                  its steps are a hundredth of D's (these games use the
                                  non-saturating loss, so its gradient does not vanish;
                                  with the minimax loss it would, lesson 05).
    G too strong (D's lr ÷ 1000): G carries its samples to wherever the current D says
                                  "data", and D, all but frozen, never corrects it: G runs
                                  off along D's stale extrapolation (to either side of
                                  μ, depending on the seed), or collapses many z
                                  onto one x (the paper's "Helvetica scenario", §6).

Why it is hard: a GAN is not a minimisation but a game, and gradient steps on a game
circle round its equilibrium instead of falling into it.  The smallest examples:

    Bilinear game V(x, y) = x·y (x minimises, y maximises; equilibrium (0, 0)):
      alternating (y first, as D in Algorithm 1):  y ← y + h x;  x ← x − h y
        lr h = 1 from (1, 1): (−1, 2), (−2, 1), (−1, −1), (1, −2), (2, −1), (1, 1):
        period 6
      simultaneous:  (x, y) ← (x − h y, y + h x):  ‖(x, y)‖² doubles every step (h = 1)
    Dirac-GAN (Mescheder et al. 2018): p_data = δ_0, p_θ = δ_θ, D's logit D_ψ(x) = ψ·x,
      f(t) = log σ(t) = −log(1 + e^(−t)),  V(θ, ψ) = f(0) + f(−ψθ).
      Jacobian eigenvalues at (0, 0): ±f'(0)·i = ±0.5i (a pure rotation), so
      simultaneous GD spirals out, |λ| = √(1 + h²/4) > 1; alternating GD circles, |λ| = 1;
      an R1 penalty (γ/2)ψ² on D (the gradient penalty (γ/2)‖∇_x D‖² on real data)
      damps the rotation, and the game converges.
The demo's schedule (python -m numpygan), measured at the end: this decayed, averaged
game planned for 15,000 steps, stopped once the demo's own verdict has held at 3 checks
in a row, 250 steps apart: on most seeds it stops well before the plan's end, in
float32 (the demo's networks, at about 2/3 of float64's time a step) as in float64, and
the final verdict holds on every seed measured (a run on which the rule never holds
three times in a row runs the whole plan, and converges all the same).
A constant learning rate keeps the noisy GAN moving too; decaying it (or averaging
G's parameters, gan_1d's default) lets p_g settle.  Measured below over 1,000 steps:
with a decayed lr p_g stops wandering at the end of the run, so where you stop no
longer matters; how close it ends up to p_data is about the same either way (this
short run does not show one schedule ending better than the other).

Figures (in --out):
  08_balance.png    four balances of one game from the same bad start: W1 to p_data,
                    p_g's mean, what D says, p_g's spread.  Watch D(x) → 1, D(G(z)) → 0
                    when D wins; p_g's mean run off far from μ (to either side), or its
                    spread collapse, when G wins.
  08_decay.png      a constant vs a linearly decayed learning rate: how much p_g still
                    moves at the end, and its distance to p_data.
  08_game_dynamics.png  top, V = x·y: the alternating hexagon, the simultaneous
                    spiral; bottom, Dirac-GAN in the (θ, ψ) plane with its vector field:
                    spiral out, circle, converge with R1.
"""

# %% Setup
import math

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import metrics  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402
from numpygan.gan import gan_1d  # noqa: E402

MU, SIGMA = 4.0, 1.25
p_data = Gaussian(MU, SIGMA)
seeds = [args.seed] if args.quick else [args.seed, args.seed + 1, args.seed + 2]
C_ALT, C_SIM, C_R1 = "#1f5fbf", "#d6501f", "#2ca02c"
LR = gan_1d(p_data).lr_d0                      # gan_1d's default learning rate


# %% Four balances of the same game, from the same bad start
# Every game: gan_1d's networks, a constant learning rate and the live G (no
# averaging), so that only the balance differs; G's output starts 4σ left of p_data.
def make_game(seed, **kw):
    g = gan_1d(p_data, seed=seed, schedule="constant", average=None, **kw)
    g.G.layers[-1].b[:] -= 4.0                   # G's last bias, in standard units
    return g


games = {
    "balanced: k = 1, equal lr": {},
    "k = 5 D-steps per G-step": {"k": 5},
    "D too strong: G's lr ÷ 100": {"lr": LR, "lr_g": LR / 100},
    "G too strong: D's lr ÷ 1000": {"lr": LR / 1000, "lr_g": LR},
}
if args.quick:
    games.pop("k = 5 D-steps per G-step")       # 5x the D-steps: the full run only
steps = 120 if args.quick else 400
every = 10
runs = {}                                        # (name, seed) -> dict of arrays
for seed in seeds:
    for name, kw in games.items():
        g = make_game(seed, **kw)
        z_eval = g.p_z.sample(2000, np.random.default_rng([seed, 8]))     # fixed noise
        track = []

        def measure(g, track=track, z_eval=z_eval):
            x = g.generate(z_eval)[:, 0]
            track.append((g.step_count, metrics.w1_to_distribution(x, p_data), x.mean(),
                          x.std()))

        g.train(steps, callback=measure, every=every)
        track = np.array(track)
        runs[name, seed] = {"step": track[:, 0], "w1": track[:, 1], "mean": track[:, 2],
                            "std": track[:, 3],
                            "d_real": np.array(g.history["d_real"]),
                            "d_fake": np.array(g.history["d_fake"])}
    line = ", ".join(f"{n.split(':')[0]} W1 {runs[n, seed]['w1'][-1]:.2f}" for n in games)
    print(f"seed {seed}: W1 at step 0 {runs['balanced: k = 1, equal lr', seed]['w1'][0]:.2f}"
          f" -> after {steps} steps: {line}")


def per_seed(name, fn):
    return np.array([fn(runs[name, s]) for s in seeds])


last = slice(-50, None)                          # the last 50 steps
bal, k5 = "balanced: k = 1, equal lr", "k = 5 D-steps per G-step"
dstrong, gstrong = "D too strong: G's lr ÷ 100", "G too strong: D's lr ÷ 1000"
n_seeds = f"{len(seeds)} seed{'s' if len(seeds) > 1 else ''}"
tag = f"({n_seeds}, worst)"
w1_bound = 1.0 if args.quick else 0.5
check.below(f"balanced: W1 / sigma after {steps} steps {tag}",
            per_seed(bal, lambda r: r["w1"][-1]).max() / SIGMA, w1_bound)
if not args.quick:
    check.below(f"k = 5: W1 / sigma after {steps} G-steps {tag}",
                per_seed(k5, lambda r: r["w1"][-1]).max() / SIGMA, 0.5)
    gap = lambda r: np.mean(r["d_real"][:50] - r["d_fake"][:50])    # noqa: E731
    check.above(f"k = 5: D separates better early, mean D(x) - D(G(z)) over the first 50 "
                f"steps, minus balanced's {tag}", (per_seed(k5, gap) - per_seed(bal, gap)).min(),
                0.0, fmt=".3g")
check.above(f"D too strong: mean D(x) over the last 50 steps {tag}",
            per_seed(dstrong, lambda r: r["d_real"][last].mean()).min(),
            0.75 if args.quick else 0.9, fmt=".3f")
check.below(f"D too strong: mean D(G(z)) over the last 50 steps {tag}",
            per_seed(dstrong, lambda r: r["d_fake"][last].mean()).max(), 0.1, fmt=".3f")
check.above(f"D too strong: W1 after {steps} steps / W1 at the start {tag}",
            per_seed(dstrong, lambda r: r["w1"][-1] / r["w1"][0]).min(), 0.8, fmt=".3f")
w1_end = lambda r: r["w1"][-1]                    # noqa: E731
check.above(f"G too strong: W1 after {steps} steps / the balanced game's {tag}",
            (per_seed(gstrong, w1_end) / per_seed(bal, w1_end)).min(),
            1.5 if args.quick else 3.0, fmt=".3g")
# How G fails when D cannot keep up: it runs off (ends more than 2σ away in W1) or it
# collapses (p_g's std falls below σ/10 at some point: many z, one x).
ways = []
for s in seeds:
    r = runs[gstrong, s]
    ways.append("runs off" if r["w1"][-1] > 2 * SIGMA else
                "collapses" if r["std"].min() < 0.1 * SIGMA else "neither")
print("G too strong, seed by seed: " + ", ".join(f"{s}: {w}" for s, w in zip(seeds, ways)))
if not args.quick:   # a collapse can take a few hundred steps to happen
    check.true(f"G too strong: on every seed G runs off or collapses ({n_seeds})",
               "neither" not in ways, measured=", ".join(ways), expect="runs off or collapses")

colors = {bal: "black", k5: "#7b3294", dstrong: "#1f5fbf", gstrong: "#d6501f"}
fig, axes = plt.subplots(1, 4, figsize=(21, 4.8), layout="constrained")
for name in games:
    for s in seeds:
        r = runs[name, s]
        main = s == args.seed
        kw = dict(color=colors[name], lw=2 if main else 0.8, alpha=1 if main else 0.45,
                  label=name if main else None)
        axes[0].semilogy(r["step"], r["w1"], **kw)
        axes[1].plot(r["step"], (r["mean"] - MU) / SIGMA, **kw)
        axes[3].semilogy(r["step"], r["std"] / SIGMA, **kw)
axes[0].axhline(0.5 * SIGMA, color="0.5", ls=":", lw=1, label="σ/2")
axes[0].set_ylabel("W1($p_g$, $p_{data}$), on 2,000 samples")
axes[0].set_title("Distance to p_data: balanced games converge,\n"
                  "D too strong stalls, G too strong never settles", fontsize=10)
axes[1].axhline(0, color="0.5", ls=":", lw=1, label="μ (p_data's mean)")
axes[1].set_ylabel("(mean of $p_g$ − μ) / σ   (symlog: linear in ±2)")
axes[1].set_title("Where p_g's mass is: G too strong runs off, far from μ\n"
                  "(or collapses onto a point: see the printed verdicts)", fontsize=10)
axes[1].set_yscale("symlog", linthresh=2)
ticks = [-20, -10, -4, -2, 0, 2, 4, 10, 20]
axes[1].set_yticks(ticks, [str(t) for t in ticks])
for name in (bal, dstrong, gstrong):
    r = runs[name, args.seed]
    win = 10
    smooth = lambda a: np.convolve(a, np.ones(win) / win, mode="valid")  # noqa: E731
    t = np.arange(1, r["d_real"].size + 1)[win - 1:]
    axes[2].plot(t, smooth(r["d_real"]), color=colors[name], lw=1.8,
                 label=f"{name.split(':')[0]}: D(x)")
    axes[2].plot(t, smooth(r["d_fake"]), color=colors[name], lw=1.8, ls="--",
                 label=f"{name.split(':')[0]}: D(G(z))")
axes[2].axhline(0.5, color="0.5", ls=":", lw=1)
axes[2].set_ylim(0, 1)
axes[2].set_ylabel("mean D on the minibatch (10-step average)")
axes[2].set_title("What D says: ½ for both when balanced;\n"
                  "D(x) → 1, D(G(z)) → 0 when D wins", fontsize=10)
axes[3].axhline(1.0, color="0.5", ls=":", lw=1, label="σ (p_data's std)")
axes[3].axhline(0.1, color="0.5", ls="--", lw=1, label="σ/10: collapsed")
axes[3].set_ylabel("std of $p_g$ / σ")
axes[3].set_title("How spread p_g is: when G is too strong it may\n"
                  "collapse many z onto one x ('Helvetica scenario')", fontsize=10)
axes[3].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2,
               frameon=False)
for ax in axes:
    ax.set_xlabel("G-steps (iterations of Algorithm 1)")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2,
               frameon=False)
axes[2].legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3,
               frameon=False)
fig.suptitle(f"Four balances of one game, same bad start (G 4σ left of p_data), seed "
             f"{args.seed} bold" + (f", seeds {seeds[1]}–{seeds[-1]} thin" if len(seeds) > 1
                                    else ""), fontsize=11)
_lesson.savefig(fig, args, "08_balance.png")

# %% A constant vs a decayed learning rate: does p_g settle?
# The default start (no offset), the default game, the live G; only the schedule
# differs: constant, or lr(t) = lr·(1 − 0.98·t/T) (gan_1d's "linear", to 2% at the end).
# Every 10 steps we push the same 5,000 z through G: how far p_g moved in those 10
# steps (W1 between G_t(z) and G_(t−10)(z)), and how far it is from p_data.
T = 150 if args.quick else 1000
tail = T // 10                                   # "the end": the last 10% of the run
decay = {}
for seed in seeds:
    for schedule in ("constant", "linear"):
        g = gan_1d(p_data, seed=seed, schedule=schedule, average=None)
        z_fix = g.p_z.sample(5_000, np.random.default_rng([seed, 9]))
        trace = {"step": [], "moved": [], "w1": []}
        previous = []

        def follow(g, trace=trace, previous=previous, z_fix=z_fix):
            x = np.sort(g.generate(z_fix)[:, 0])
            trace["step"].append(g.step_count)
            trace["w1"].append(metrics.w1_to_distribution(x, p_data))
            trace["moved"].append(metrics.w1_samples(x, previous[0]) if previous else np.nan)
            previous[:] = [x]

        g.train(T, callback=follow, every=10)
        d = {k: np.array(v) for k, v in trace.items()}
        end = d["step"] > T - tail
        d["moved_end"] = d["moved"][end].mean()       # p_g's movement per 10 steps, at the end
        d["wobble_end"] = d["w1"][end].std()          # how much its distance to p_data wobbles
        x_end = g.sample(10_000, np.random.default_rng([seed, 10]))[:, 0]
        d["jsd"] = metrics.jsd_pdf(x_end, p_data.pdf, MU - 5 * SIGMA, MU + 5 * SIGMA, bins=50)
        decay[schedule, seed] = d
    c, l = decay["constant", seed], decay["linear", seed]
    print(f"seed {seed}, last {tail} of {T} steps: p_g moves W1 {c['moved_end']:.4f} per 10 "
          f"steps (constant) vs {l['moved_end']:.4f} (decayed); W1 to p_data wobbles "
          f"±{c['wobble_end']:.4f} vs ±{l['wobble_end']:.4f}; at the end JSD {c['jsd']:.4f} "
          f"vs {l['jsd']:.4f}, W1 {c['w1'][-1]:.3f} vs {l['w1'][-1]:.3f}")
moved = np.array([decay["linear", s]["moved_end"] / decay["constant", s]["moved_end"]
                  for s in seeds])
check.below(f"p_g's movement per 10 steps over the last {tail}, decayed / constant lr {tag}",
            moved.max(), 0.25, fmt=".3g")
wobble = np.array([decay["linear", s]["wobble_end"] / decay["constant", s]["wobble_end"]
                   for s in seeds])
check.below(f"the wobble (std) of W1 to p_data over the last {tail}, decayed / constant {tag}",
            wobble.max(), 1.0, fmt=".3g")
for schedule in ("constant", "linear"):
    check.below(f"{schedule} lr: JSD at the end of {T} steps (10,000 samples, 50 bins) {tag}",
                max(decay[schedule, s]["jsd"] for s in seeds), 0.1 if args.quick else 0.08,
                fmt=".3g")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
for seed in seeds:
    for schedule, color in (("constant", C_SIM), ("linear", C_ALT)):
        d = decay[schedule, seed]
        main = seed == args.seed
        style = dict(color=color, lw=1.6 if main else 0.7, alpha=1 if main else 0.5,
                     label=f"{schedule} lr" if main else None)
        ax1.plot(d["step"], d["w1"], **style)
        ax2.semilogy(d["step"][1:], d["moved"][1:], **style)
for ax in (ax1, ax2):
    ax.axvspan(T - tail, T, color="0.92", zorder=0, label=f"the last {tail} steps")
    ax.set_xlabel("step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
ax1.set_ylabel("W1($p_g$, $p_{data}$), the same 5,000 z each time")
ax1.set_ylim(0, min(1.0, max(decay[k]["w1"].max() for k in decay)))
ax1.set_title(f"Distance to p_data (bold: seed {args.seed}; thin: other seeds):\n"
              "with a constant lr it keeps wobbling; decayed, it calms down", fontsize=10)
ax2.set_ylabel("how far p_g moved in 10 steps (W1, same z)")
ax2.set_title("A constant lr keeps p_g moving to the very end;\n"
              f"the decayed lr stills it (×{1 / moved.max():.0f} less or better, every seed)",
              fontsize=10)
_lesson.savefig(fig, args, "08_decay.png")

# %% The demo's schedule: the decayed, averaged game, and a run that stops when done
# python -m numpygan plans 15,000 steps of gan_1d's game (the decayed learning rate and
# G's averaged parameters above).  Every 250 steps it asks its own verdict with a margin
# (numpygan.__main__.verdict_holds: p_g on p_data *and* D at 1/2 and at D*, on 10,000
# fresh samples, each limit 85 % of the final verdict's) and it stops once that has held
# at 3 checks in a row (GAN.train_until).  The
# schedule keeps its planned length, so a run that never settles is the plan in full,
# and the verdict printed at the end is asked again, on samples no check has seen.
#
# The demo's networks are float32 (--dtype): a product of float32 numbers moves half
# the bytes of float64 and a vector instruction holds twice as many, so a step costs
# about 2/3 of the float64 one.  Its 24-bit mantissa (relative round-off 6e-8) is far
# finer than the noise of a minibatch gradient, so the game is the same game: it starts
# from the same weights (rounded), its first steps agree to float32 round-off, and it
# meets the same verdict in about as many steps (below: both, on every seed).
from numpygan.__main__ import evaluate, verdict_holds  # noqa: E402  (the demo's own)

PLAN, CHECK_EVERY, PATIENCE = (1000, 250, 3) if args.quick else (15_000, 250, 3)
stops, final = {}, {}
for seed in seeds:
    for dtype in (np.float32,) if args.quick else (np.float32, np.float64):
        g = gan_1d(p_data, seed=seed, dtype=dtype)
        holds = lambda g: verdict_holds(g, p_data)      # the demo's rule  # noqa: E731
        run = seed, np.dtype(dtype).name
        stops[run] = g.train_until(PLAN, holds, CHECK_EVERY, PATIENCE) or PLAN
        final[run] = evaluate(g, p_data)[0]
        verdict = "converged" if final[run]["converged"] else "NOT converged"
        why = ("stopped: the verdict held at 3 checks in a row" if stops[run] < PLAN
               else "the whole plan: the verdict never held 3 checks in a row")
        print(f"seed {seed}, {run[1]}: {stops[run]} of the {PLAN} planned steps ({why}); "
              f"then, on fresh samples, JSD {final[run]['jsd']:.4f}, D(x) "
              f"{final[run]['d_real']:.3f}: {verdict}")

# the first 20 steps of the same game in float64 and in float32: the same numbers, to
# float32's round-off (a float32 game that drew other noise, or rounded a step
# differently, would be off by far more after a few Adam steps)
pair = [gan_1d(p_data, seed=args.seed, dtype=dt) for dt in (np.float64, np.float32)]
for g in pair:
    g.train(20, total=PLAN)
drift = max(float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
            for a, b in zip(pair[0].G.params() + pair[0].D.params(),
                            pair[1].G.params() + pair[1].D.params()))
check.close("float32 vs float64, after 20 steps: largest parameter difference (relative)",
            drift, 0.0, 1e-4, fmt=".1e")
if args.quick:   # the rule itself, on the same game: it counts passes in a row
    g = gan_1d(p_data, seed=args.seed)
    answers = iter([True, False, True, True, True])
    check.close("stopping rule: verdicts yes, no, yes, yes, yes at 250, 500, ... stop at",
                g.train_until(1500, lambda g: next(answers), CHECK_EVERY, PATIENCE), 1250, 0)
else:
    check.true(f"the demo's schedule: most runs stop before the plan's {PLAN} steps "
               f"({n_seeds}, float32 and float64; median)",
               np.median(list(stops.values())) < PLAN,
               measured=", ".join(str(v) for v in stops.values()), expect=f"median < {PLAN}")
    check.true(f"... and the final verdict, on fresh samples, holds on every run ({n_seeds}, "
               "both)", all(f["converged"] for f in final.values()))


# %% The bilinear game V(x, y) = x·y: the smallest game that cycles
# y (the maximiser, like D) ascends V, x (the minimiser, like G) descends it; the only
# equilibrium is (0, 0).  Algorithm 1's order — D first, then G against the new D:
#     alternating:   y ← y + h·x;   x ← x − h·y        (the new y)
#     simultaneous:  (x, y) ← (x − h·y, y + h·x)
h = 1.0
alt = [(1.0, 1.0)]
for _ in range(600):
    x, y = alt[-1]
    y = y + h * x
    x = x - h * y
    alt.append((x, y))
alt = np.array(alt)
expected = [(-1, 2), (-2, 1), (-1, -1), (1, -2), (2, -1), (1, 1)]   # docs/THEORY.md
check.true("alternating, lr 1, from (1, 1): the first 6 iterates",
           np.array_equal(alt[1:7], np.array(expected, dtype=float)),
           measured=" ".join(f"({a:g}, {b:g})" for a, b in alt[1:7]),
           expect=" ".join(f"({a}, {b})" for a, b in expected))
check.close("alternating: largest distance from (1, 1) at steps 6, 12, ..., 600",
            np.abs(alt[6::6] - alt[0]).max(), 0.0, 1e-12, fmt=".2g")
M_alt = np.array([[1 - h * h, -h], [h, 1.0]])          # (x, y) -> (x', y') in one round
lam = np.linalg.eigvals(M_alt)
check.close("alternating: |eigenvalues| of the update matrix", np.abs(lam).max(), 1.0, 1e-12)
check.close("... their angle in degrees (360 / 6: period 6)",
            np.degrees(np.abs(np.angle(lam[0]))), 60.0, 1e-9)

sim = [(1.0, 1.0)]
for _ in range(12):
    x, y = sim[-1]
    sim.append((x - h * y, y + h * x))
sim = np.array(sim)
norm2 = (sim ** 2).sum(axis=1)                          # 2, 4, 8, 16, ...
check.close("simultaneous: ||(x, y)||^2 after 10 steps / 2^10 / ||start||^2",
            norm2[10] / 2 ** 10 / norm2[0], 1.0, 1e-12)
check.true("simultaneous: ||.||^2 doubles at every one of 12 steps",
           np.allclose(norm2[1:] / norm2[:-1], 2.0, rtol=0, atol=1e-12),
           measured=", ".join(f"{v:g}" for v in norm2[:5]) + ", ...",
           expect="2, 4, 8, 16, 32, ...")

# the same two games with a small step, h = 0.2: a smooth orbit and a smooth spiral
small = {}
for mode in ("alternating", "simultaneous"):
    path = [(1.0, 1.0)]
    for _ in range(100):
        x, y = path[-1]
        if mode == "alternating":
            y = y + 0.2 * x
            x = x - 0.2 * y
        else:
            x, y = x - 0.2 * y, y + 0.2 * x
        path.append((x, y))
    small[mode] = np.array(path)


# %% Dirac-GAN (Mescheder et al. 2018): the GAN game with one parameter each
# p_data = δ_0 (all data at x = 0), p_θ = δ_θ (G puts everything at θ), D's logit
# D_ψ(x) = ψ·x, and f(t) = log σ(t) = −log(1 + e^(−t)).  Goodfellow's V becomes
#     V(θ, ψ) = f(ψ·0) + f(−ψθ) = f(0) + f(−ψθ)
# (Mescheder writes the same game as f(ψθ) + f(0), with ψ's sign flipped).  With
# f'(t) = σ(−t):   dV/dψ = −θ σ(ψθ),   dV/dθ = −ψ σ(ψθ).
# D ascends V, G descends it:   ψ ← ψ − h·θ·σ(ψθ),   θ ← θ + h·ψ·σ(ψθ).
# An R1 penalty (γ/2)·E_data‖∇_x D‖² = (γ/2)ψ² is subtracted from D's objective.
def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def dirac_step(theta, psi, h, mode, gamma=0.0):
    """One step of Dirac-GAN: simultaneous, or alternating (D first, as in Algorithm 1)."""
    if mode == "simultaneous":
        s = sigmoid(psi * theta)
        return theta + h * psi * s, psi - h * (theta * s + gamma * psi)
    psi = psi - h * (theta * sigmoid(psi * theta) + gamma * psi)     # D's step
    theta = theta + h * psi * sigmoid(psi * theta)                    # G's, against new D
    return theta, psi


def jacobian(fun, e=1e-6):
    """2x2 Jacobian of fun(θ, ψ) -> (θ', ψ') at (0, 0), by central differences."""
    J = np.zeros((2, 2))
    for j in range(2):
        d = np.zeros(2)
        d[j] = e
        J[:, j] = (np.array(fun(*d)) - np.array(fun(*(-d)))) / (2 * e)
    return J


# the vector field v(θ, ψ) = (−dV/dθ, dV/dψ) at the equilibrium: a pure rotation
J_field = jacobian(lambda t, p: (p * sigmoid(p * t), -t * sigmoid(p * t)))
eig = np.linalg.eigvals(J_field)
check.close("Dirac-GAN: Jacobian eigenvalues at (0, 0), |real part|", np.abs(eig.real).max(),
            0.0, 1e-9, fmt=".2g")
check.close("... |imaginary part| (= f'(0) = 1/2)", np.abs(eig.imag).max(), 0.5, 1e-9)
for hh in (0.1, 0.5, 1.0):
    lam = np.abs(np.linalg.eigvals(jacobian(lambda t, p: dirac_step(t, p, hh, "simultaneous"))))
    check.close(f"simultaneous GD, h = {hh}: |lambda| vs sqrt(1 + h^2/4)", lam.max(),
                math.sqrt(1 + hh * hh / 4), 1e-6)
lam_alt = np.abs(np.linalg.eigvals(jacobian(lambda t, p: dirac_step(t, p, 0.1, "alternating"))))
check.close("alternating GD, h = 0.1: |lambda| (both)", lam_alt.max(), 1.0, 1e-6)
check.close("... the smaller one", lam_alt.min(), 1.0, 1e-6)
GAMMA = 1.0
lam_r1 = np.abs(np.linalg.eigvals(jacobian(
    lambda t, p: dirac_step(t, p, 0.1, "simultaneous", GAMMA))))
check.below(f"simultaneous GD + R1 (gamma = {GAMMA}), h = 0.1: max |lambda|", lam_r1.max(), 1.0)

# trajectories from (θ, ψ) = (1, 1)
H, N = 0.1, 3000
runs = {"simultaneous": ("simultaneous", 0.0), "alternating": ("alternating", 0.0),
        f"simultaneous + R1 (γ = {GAMMA:g})": ("simultaneous", GAMMA)}
paths = {}
for name, (mode, gamma) in runs.items():
    p = [(1.0, 1.0)]
    for _ in range(N):
        p.append(dirac_step(*p[-1], H, mode, gamma))
    paths[name] = np.array(p)
radius = {name: np.hypot(*p.T) for name, p in paths.items()}
r0 = radius["simultaneous"][0]
r_sim, r_alt, r_r1 = (radius[k] for k in runs)
check.above(f"simultaneous: distance from (0, 0) after {N} steps / at the start",
            r_sim[-1] / r0, 2.0, fmt=".3g")
check.true("simultaneous: the distance grows at every step",
           np.all(np.diff(r_sim) > 0), measured=f"{np.sum(np.diff(r_sim) > 0)}/{N} steps",
           expect=f"{N}/{N} steps")
check.between(f"alternating: min distance / start over steps {N // 2}..{N}",
              r_alt[N // 2:].min() / r0, 0.5, 1.0, fmt=".3g")
check.between("alternating: max distance / start (bounded: it circles)", r_alt.max() / r0,
              1.0, 1.5, fmt=".3g")
check.below(f"simultaneous + R1: distance after {N} steps", r_r1[-1], 1e-6, fmt=".2g")


# %% Pictures of the two games: V = x·y (top) and Dirac-GAN (bottom)
# (no constrained layout here: seven panels of fixed layout draw twice as fast)
fig = plt.figure(figsize=(19, 10.4))
top, bottom = fig.subfigures(2, 1)
top.subplots_adjust(left=0.05, right=0.98, wspace=0.38, top=0.86, bottom=0.1)
bottom.subplots_adjust(left=0.05, right=0.98, wspace=0.38, top=0.86, bottom=0.24)
top.suptitle("The bilinear game V = x·y: x minimises, y maximises", fontsize=12)
bottom.suptitle("Dirac-GAN: p_data = δ_0, p_θ = δ_θ, D's logit ψ·x", fontsize=12)
grid = top.add_gridspec(1, 4)       # the bottom row's four columns: the third panel
axes = [top.add_subplot(grid[0]), top.add_subplot(grid[1]), top.add_subplot(grid[2:])]
ax = axes[0]
ax.plot(*alt[:7].T, color=C_ALT, marker="o", lw=2, label="alternating (D first): period 6")
for i, (a, b) in enumerate(alt[1:7], start=1):
    ax.annotate(str(i), (a, b), textcoords="offset points", xytext=(6, 4), fontsize=9,
                color=C_ALT)
ax.plot(*sim[:5].T, color=C_SIM, marker="s", lw=1.5, ls="--",
        label="simultaneous: ||·||² doubles each step")
ax.plot([0], [0], "k*", ms=12, label="the equilibrium (0, 0)")
ax.set_xlim(-5, 5)
ax.set_ylim(-5, 5)
ax.set_aspect("equal")
ax.set_xlabel("x (the minimiser, like G)")
ax.set_ylabel("y (the maximiser, like D)")
ax.set_title("V = x·y, learning rate 1, from (1, 1):\nneither method ever reaches (0, 0)",
             fontsize=10)
ax.legend(fontsize=8, loc="upper right")
ax.grid(alpha=0.3)
ax = axes[1]
ax.plot(*small["alternating"].T, color=C_ALT, lw=1.5, label="alternating: a closed orbit")
ax.plot(*small["simultaneous"].T, color=C_SIM, lw=1.5, label="simultaneous: spirals out")
ax.plot([1], [1], "ko", ms=5, label="start (1, 1)")
ax.plot([0], [0], "k*", ms=12)
ax.set_aspect("equal")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("The same with learning rate 0.2, 100 steps:\nthe players chase each other "
             "round the equilibrium", fontsize=10)
ax.legend(fontsize=8, loc="lower left")
ax.grid(alpha=0.3)
ax = axes[2]
ax.semilogy(np.arange(norm2.size), norm2, color=C_SIM, marker="s", label="simultaneous, lr 1")
ax.semilogy(np.arange(13), (alt[:13] ** 2).sum(axis=1), color=C_ALT, marker="o",
            label="alternating, lr 1")
ax.set_xlabel("step")
ax.set_ylabel("||(x, y)||²   (distance² from the equilibrium)")
ax.set_title("Simultaneous: 2, 4, 8, 16, ... (doubles);\nalternating: stays on its cycle",
             fontsize=10)
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")

axes = bottom.subplots(1, 4)
LIM = 4.0                                  # the spiral ends at radius ~3.5: keep it in view
tg, pg = np.meshgrid(np.linspace(-LIM, LIM, 21), np.linspace(-LIM, LIM, 21))
sg = 1.0 / (1.0 + np.exp(-pg * tg))
colors = [C_SIM, C_ALT, C_R1]
for ax, (name, p), color in zip(axes[:3], paths.items(), colors):
    gamma = runs[name][1]
    ax.quiver(tg, pg, pg * sg, -(tg * sg + gamma * pg), color="0.75", width=0.003)
    ax.plot(*p.T, color=color, lw=1.3)
    ax.plot(*p[0], "ko", ms=5, label="start (θ, ψ) = (1, 1)")
    ax.plot(*p[-1], marker="X", color=color, ms=9, lw=0, label=f"after {N} steps")
    ax.plot([0], [0], "k*", ms=12, label="equilibrium: θ = 0 (G on the data), ψ = 0")
    ax.set_xlim(-LIM, LIM)
    ax.set_ylim(-LIM, LIM)
    ax.set_aspect("equal")
    ax.set_xlabel("θ   (G: where p_θ = δ_θ sits)")
    ax.set_ylabel("ψ   (D's logit slope)")
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False)
axes[0].set_title(f"simultaneous GD, h = {H}: spirals out\n"
                  f"(|λ| = √(1 + h²/4) = {math.sqrt(1 + H * H / 4):.5f} > 1)", fontsize=10)
axes[1].set_title(f"alternating GD, h = {H}: circles for ever\n(|λ| = 1: never converges)",
                  fontsize=10)
axes[2].set_title(f"simultaneous GD + R1 penalty (γ/2)ψ²: converges\n"
                  f"(max |λ| = {lam_r1.max():.4f} < 1)", fontsize=10)
ax = axes[3]
for (name, r), color in zip(radius.items(), colors):
    ax.semilogy(np.arange(N + 1), r, color=color, lw=1.8, label=name)
ax.set_xlabel("step")
ax.set_ylim(1e-6, 10)
ax.set_ylabel("distance from the equilibrium, √(θ² + ψ²)")
ax.set_title("Only the penalty brings the game home", fontsize=10)
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")
_lesson.savefig(fig, args, "08_game_dynamics.png")

# %%
check.finish()
