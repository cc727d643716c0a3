"""15 — CycleGAN in miniature: unpaired translation, and why the cycle loss is needed.

Two domains, sampled independently — no x is ever paired with a y (Zhu et al. 2017):

    X: a ring of 8 Gaussians,   x ~ (1/8) Σ_k N(c_k, σ² I),  c_k = 2 (cos 2πk/8, sin 2πk/8)
    Y: a square of 8 Gaussians, y ~ (1/8) Σ_j N(s_j, σ² I),  s_j on the 3×3 grid
       {−1.5, 0, 1.5}² without its centre;  σ = 0.1 in both

Two generators G: X → Y and F: Y → X, two discriminators D_Y (y against G(x)) and
D_X (x against F(y)), and the objective (Eq. 3 of the paper):

    L(G, F, D_X, D_Y) = L_GAN(G, D_Y, X, Y) + L_GAN(F, D_X, Y, X) + λ L_cyc(G, F)
    L_GAN(G, D_Y, X, Y) = E_y[log D_Y(y)] + E_x[log(1 − D_Y(G(x)))]     (Eq. 1)
    L_cyc(G, F) = E_x ‖F(G(x)) − x‖₁ + E_y ‖G(F(y)) − y‖₁                (Eq. 2)

The D's ascend their L_GAN (``gan.discriminator_step``); G and F descend
−E_x log D_Y(G(x)) − E_y log D_X(F(y)) + λ L_cyc, backpropagated by hand through both
cycles (``cyclegan.generator_gradients``).  The L1 loss's subgradient is
sign(F(G(x)) − x) / N (0 where the two are equal), checked below away from 0.

The point of the lesson.  The adversarial terms only compare distributions: they ask
that G(X) look like Y and F(Y) like X.  If R maps X onto itself (R = a rotation of
the ring by 2π/8: it sends mode k to mode k + 1 and leaves the distribution X
unchanged), then G∘R pushes X to the same distribution as G does, so D_Y cannot tell
them apart: the adversarial losses do not say WHICH x goes to which y.  Trained
without the cycle term (λ = 0), G and F are two unrelated GANs, and the round trip
x → G(x) → F(G(x)) lands on some mode of the ring — often not x's own.  With λ = 3
G and F are pushed to undo each other: each x comes home.  (The paper uses λ = 10 on
images.  Here, with λ = 10 or with Adam's rate at 1e-3, one seed of six settled on a G
and F that undo each other exactly but leave some of Y's modes empty: G must stay
invertible, so it cannot carry one ring mode past another to an empty square mode.
λ = 3 with rate 2e-3 reached all eight modes on each of seeds 0–5.)

Measured below (metrics.mode_coverage: a mode is covered when ≥ ¼ of its share of the
samples lies within 3σ of it; "home" = F(G(x)) is nearest to x's own mode):
  λ = 3   G(X) covers Y's 8 modes, F(Y) covers X's 8, cycle error small, ~all x home
  λ = 0    the same coverage, but the cycle error is large and most x land elsewhere
  G∘R      (the λ = 3 G, rotated input) fools D_Y as well as G does, cycle error large

Figures (in --out):
  15_cyclegan.png   rows: λ = 3, λ = 0, and the λ = 3 G composed with the rotation R.
                    Columns: x coloured by its mode; G(x) over Y's modes (same colours:
                    where each ring mode is sent); F(G(x)) over X's modes (does each
                    colour come home?); F(y) over X's modes.
  15_training.png   the cycle error and the discriminators' verdicts over training.
"""

# %% Setup
import math
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import losses, metrics, plots  # noqa: E402
from numpygan.cyclegan import CycleGAN, generator_gradients  # noqa: E402
from numpygan.distributions import Ring2D  # noqa: E402
from numpygan.gradcheck import numerical_gradient, rel_error  # noqa: E402
from numpygan.network import mlp  # noqa: E402
from numpygan.optim import Adam  # noqa: E402

SIGMA = 0.1


class Square8:
    """Y: 8 Gaussians on the 3×3 grid {−1.5, 0, 1.5}² without its centre, σ² I each."""

    dim = 2

    def __init__(self, spacing=1.5, sigma=SIGMA):
        grid = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1) if (i, j) != (0, 0)]
        self.centers = spacing * np.array(grid, dtype=float)          # (8, 2)
        self.sigma = sigma
        self.n_modes = len(grid)

    def sample(self, n, rng):
        k = rng.integers(self.n_modes, size=n)                         # (n,)
        return self.centers[k] + self.sigma * rng.standard_normal((n, 2))


X = Ring2D(n_modes=8, radius=2.0, sigma=SIGMA)
Y = Square8()


def nearest_mode(points, centers):
    """Index of the nearest centre for each point: (n, 2), (K, 2) -> (n,)."""
    return np.argmin(((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2), axis=1)


def covered(points, centers):
    """Modes covered (≥ ¼ of their share within 3σ) and the high-quality fraction."""
    cov = metrics.mode_coverage(points, centers, SIGMA, threshold=3.0)
    need = math.ceil(0.25 * len(points) / len(centers))
    return int(np.sum(cov["counts"] >= need)), cov["high_quality"]


# %% 1. The backward pass, checked: the L1 subgradient and G's and F's gradients
rng_gc = np.random.default_rng([args.seed, 0])
x_gc = rng_gc.normal(size=(6, 2))
x_rec_gc = x_gc + rng_gc.choice([-1.0, 1.0], size=(6, 2)) * rng_gc.uniform(0.2, 1.0, (6, 2))
_, d_rec = losses.l1_cycle_loss(x_rec_gc, x_gc)
num = numerical_gradient(lambda: losses.l1_cycle_loss(x_rec_gc, x_gc)[0], x_rec_gc)
check.below("L1 cycle loss: sign(x_rec − x)/N vs central differences (|x_rec − x| ≥ 0.2)",
            rel_error(d_rec, num), 1e-8, fmt=".2e")

small = [mlp([2, 6, 2], hidden="tanh", rng=rng_gc), mlp([2, 5, 2], hidden="tanh", rng=rng_gc),
         mlp([2, 7, 1], rng=rng_gc), mlp([2, 4, 1], rng=rng_gc)]
x_b, y_b = rng_gc.normal(size=(5, 2)), rng_gc.normal(size=(4, 2))
generator_gradients(*small, x_b, y_b, 3.0)
analytic = [g.copy() for net in small[:2] for g in net.grads()]
worst = 0.0
for p, g in zip([p for net in small[:2] for p in net.params()], analytic):
    n = numerical_gradient(lambda: generator_gradients(*small, x_b, y_b, 3.0)["loss"], p,
                           h=1e-6)
    worst = max(worst, rel_error(g, n, floor=1e-7))
check.below("G's and F's gradients (through D_Y, D_X and both cycles, λ = 3) vs central "
            "differences, worst rel error", worst, 1e-6, fmt=".2e")

# %% 2. Train with and without the cycle loss, from the same initial weights
STEPS = 150 if args.quick else 3_000
LR = 2e-3
LAM = 3.0                                                      # λ, the cycle loss's weight


def train(lam, label):
    """G, F: 2 → 64 → 64 → 2, D_X, D_Y: 2 → 64 → 64 → 1 (LeakyReLU 0.2); Adam(2e-3,
    β1 = 0.5) each, decayed linearly to 2 %; batch 128 of each domain."""
    r = np.random.default_rng([args.seed, 1])                  # the same start for each λ
    nets = [mlp([2, 64, 64, out], rng=r) for out in (2, 2, 1, 1)]
    opts = [Adam(LR, beta1=0.5) for _ in range(4)]
    cg = CycleGAN(*nets, X, Y, opts, lam=lam, batch=128, seed=args.seed)
    t0 = time.perf_counter()
    for t in range(STEPS):
        for opt in opts:
            opt.lr = LR * (1.0 - 0.98 * t / STEPS)
        cg.step()
        if (t + 1) % 1000 == 0:
            print(f"  {label} step {t + 1:>5}: cycle error {np.mean(cg.history['cyc_x'][-200:]):.3f}"
                  f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
    return cg


print(f"X {X}, Y: 8 Gaussians on a square (σ = {SIGMA}); {STEPS:,} steps for each λ")
t_start = time.perf_counter()
runs = {LAM: train(LAM, "λ = 3"), 0.0: train(0.0, "λ = 0 ")}
print(f"  ({time.perf_counter() - t_start:.0f} s for both)")

# %% 3. Measure: does G(X) look like Y, F(Y) like X, and does x come home?
rng_eval = np.random.default_rng([args.seed, 2])
x_eval, y_eval = X.sample(4_000, rng_eval), Y.sample(4_000, rng_eval)
k_eval = nearest_mode(x_eval, X.centers)                       # each x's own mode
theta = 2 * np.pi / 8
R = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
x_rotated = x_eval @ R                                         # (n, 2): mode k -> mode k + 1


def judge(cg, x_in, name):
    gx = cg.translate(x_in)                                    # (n, 2) in Y
    fgx = cg.translate_back(gx)                                # (n, 2) back in X
    fy = cg.translate_back(y_eval)
    out = {"gx": gx, "fgx": fgx, "fy": fy}
    out["cov_y"], out["hq_y"] = covered(gx, Y.centers)
    out["cov_x"], out["hq_x"] = covered(fy, X.centers)
    out["cyc"] = float(np.mean(np.abs(fgx - x_eval).sum(axis=1)))   # vs the ORIGINAL x
    out["home"] = float(np.mean(nearest_mode(fgx, X.centers) == k_eval))
    # what D_Y thinks of G's outputs: its non-saturating loss −mean log D_Y(G(x))
    out["adv"] = losses.generator_loss_nonsaturating(cg.D_Y.forward(gx))[0]
    print(f"{name:>22}: G(X) covers {out['cov_y']}/8 of Y ({out['hq_y']:.0%} high-quality), "
          f"F(Y) covers {out['cov_x']}/8 of X ({out['hq_x']:.0%}); cycle error "
          f"{out['cyc']:.3f}; {out['home']:.0%} of x come home; −log D_Y(G(x)) "
          f"{out['adv']:.3f}")
    return out


res = {"λ = 3": judge(runs[LAM], x_eval, "λ = 3"),
       "λ = 0": judge(runs[0.0], x_eval, "λ = 0"),
       "λ = 3, G∘R": judge(runs[LAM], x_rotated, "λ = 3's G after R")}
a, b, c = res["λ = 3"], res["λ = 0"], res["λ = 3, G∘R"]
n_rot, _ = covered(x_rotated, X.centers)

check.close("R (a rotation by 2π/8) maps X onto X: modes covered by R(x)", n_rot, 8, 0,
            fmt=".0f")
if args.quick:
    check.below("quick run: λ = 3 cycle error below λ = 0's", a["cyc"], b["cyc"], fmt=".3f")
else:
    check.above("λ = 3: G(X) covers Y's modes (of 8)", a["cov_y"], 6, fmt=".0f")
    check.above("λ = 3: F(Y) covers X's modes (of 8)", a["cov_x"], 6, fmt=".0f")
    check.below("λ = 3: cycle error mean ‖F(G(x)) − x‖₁ (modes 1.53 apart)", a["cyc"], 0.1,
                fmt=".3f")
    check.above("λ = 3: fraction of x whose round trip lands on its own mode", a["home"],
                0.95, fmt=".3f")
    check.above("λ = 0: G(X) still covers Y's modes (of 8)", b["cov_y"], 6, fmt=".0f")
    check.above("λ = 0: F(Y) still covers X's modes (of 8)", b["cov_x"], 6, fmt=".0f")
    check.above("λ = 0: cycle error (x sent to other modes)", b["cyc"], 0.5, fmt=".3f")
    check.below("λ = 0: fraction of x that come home", b["home"], 0.6, fmt=".3f")
    check.below("G∘R fools D_Y as G does: |−log D_Y(G(Rx)) − (−log D_Y(G(x)))|",
                abs(c["adv"] - a["adv"]), 0.05, fmt=".3f")
    check.close("G∘R: modes of Y covered, as G's", c["cov_y"], a["cov_y"], 0, fmt=".0f")
    check.above("G∘R: cycle error against the original x", c["cyc"], 1.0, fmt=".3f")
    check.below("G∘R: fraction of x that come home", c["home"], 0.05, fmt=".3f")

# %% 4. Figures
QUICK_NOTE = ("\n[--quick: far too few steps to show this — run the lesson without --quick]"
              if args.quick else "")
colors = plt.get_cmap("tab10")(np.arange(8))[k_eval]           # each x's mode, a colour
show = slice(0, 1_500)
fig, axes = plt.subplots(3, 4, figsize=(13.5, 10.5), layout="constrained")
titles = {"λ = 3": "λ = 3 (cycle loss on)", "λ = 0": "λ = 0 (adversarial losses only)",
          "λ = 3, G∘R": "λ = 3's G after the rotation R"}
for row, (name, r) in enumerate(res.items()):
    x_in = x_rotated if "R" in name else x_eval
    what_in = "G's input R(x)" if "R" in name else "input x"
    panels = ((x_in, X.centers, f"{titles[name]}\n{what_in} coloured by x's mode"),
              (r["gx"], Y.centers, f"G(x) over Y's modes: {r['cov_y']}/8 covered"),
              (r["fgx"], X.centers, f"F(G(x)): cycle error {r['cyc']:.2f},\n"
                                    f"{r['home']:.0%} back on their own mode"),
              (r["fy"], X.centers, f"F(y) over X's modes: {r['cov_x']}/8 covered"))
    for col, (pts, centers, title) in enumerate(panels):
        ax = axes[row, col]
        ax.scatter(pts[show, 0], pts[show, 1], s=3,
                   c=colors[show] if col < 3 else plots.C_G, alpha=0.6)
        ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=60, c="black", lw=1.2)
        ax.set_title(title, fontsize=9)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
fig.suptitle("Unpaired translation ring → square.  Colours follow each x: with the cycle "
             "loss F(G(x)) returns every colour to its own mode; without it (middle) G(X) "
             "and F(Y) still match their targets\nbut the round trip scrambles the modes; "
             "the rotated G (bottom) matches Y as well as G, yet sends every x one mode "
             "over.  Black ×: the modes" + QUICK_NOTE, fontsize=10)
_lesson.savefig(fig, args, "15_cyclegan.png")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for lam, style in ((LAM, "-"), (0.0, "--")):
    h = runs[lam].history
    steps = np.arange(1, len(h["cyc_x"]) + 1)
    w = min(50, len(steps))
    ax1.plot(steps[w - 1:], plots.moving_average(np.asarray(h["cyc_x"]), w), style,
             color="black", label=f"λ = {lam:g}")
    for key, color, lab in (("d_fake_y", plots.C_FAKE, "D_Y(G(x))"),
                            ("d_fake_x", plots.C_G, "D_X(F(y))")):
        ax2.plot(steps[w - 1:], plots.moving_average(np.asarray(h[key]), w), style,
                 color=color, label=f"{lab}, λ = {lam:g}")
ax1.set_yscale("log")
ax1.set_xlabel("step")
ax1.set_ylabel("mean ‖F(G(x)) − x‖₁ on the batch (50-step average)")
ax1.set_title("cycle error: falls with the cycle loss, stays large without", fontsize=10)
ax1.legend(fontsize=9)
ax2.axhline(0.5, color="black", lw=0.8, ls=":")
ax2.set_ylim(0, 1)
ax2.set_xlabel("step")
ax2.set_ylabel("mean D on the fakes (50-step average)")
ax2.set_title("the discriminators' verdicts on the fakes: near ½ either way", fontsize=10)
ax2.legend(fontsize=8, ncol=2)
fig.suptitle("CycleGAN training, with and without the cycle loss" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "15_training.png")

check.finish()
