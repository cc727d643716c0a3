"""Lesson 03 — the discriminator as a classifier: trained against a fixed p_g, D approaches D*.

Before any game, D is an ordinary binary classifier: label 1 for samples of p_data,
label 0 for samples of p_g, trained by minimising the binary cross-entropy

    D loss = −E_{x~p_data}[log D(x)] − E_{x~p_g}[log(1 − D(x))] = −V(D, G)

(Goodfellow et al. 2014, Eq. 1 with G held fixed).  D outputs a *logit* a, and
D(x) = σ(a); the loss is computed from a, stably, never from σ(a):

    −log σ(a) = softplus(−a),   −log(1 − σ(a)) = softplus(a),
    softplus(a) = max(a, 0) + log(1 + e^(−|a|))

(−log σ(−800) computed naively is −log 0 = +inf; softplus(800) gives 800).

Proposition 1: for fixed G, the D that maximises V is

    D*(x) = p_data(x) / (p_data(x) + p_g(x)),      logit D*(x) = log p_data(x) − log p_g(x)

(pointwise, y ↦ a log y + b log(1 − y) peaks at y = a/(a + b)).  For two Gaussians the
logit is a quadratic, c0 + c1 x + c2 x².  Here p_data = N(4, 0.5²) and p_g = N(3, 1²)
(docs/THEORY.md):

    (c0, c1, c2) = (−26.8069, 13, −1.5);  D* peaks at x = −c1/(2 c2) = 13/3, and falls
    to 0 on *both* sides, because the wider p_g out-weighs the narrow p_data in both tails.

The value of the best D is the virtual training criterion (Theorem 1):

    C(G) = max_D V(D, G) = V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g) ≥ −log 4,

so every trained D scores V(D, G) ≤ C(G), and a good one comes close.

We train the game's D (1 → 64 → 64 → 1, LeakyReLU; inputs standardised as in
numpygan/gan.py) on fresh minibatches of both distributions with Adam and a linearly
decayed learning rate, then compare with the exact answers on a grid:
max |D − D*| over the bulk of the data (mu ± 2 sigma of p_data, 95% of its mass),
the learned logit against the quadratic (fitted on the bulk), V(D, G) against C(G),
and D's accuracy as a classifier against the best possible (Bayes) accuracy
½ ∫ max(p_data, p_g) dx.  Outside the bulk D sees almost no samples, and its logit —
piecewise *linear* in x, as a LeakyReLU network must be — leaves the quadratic behind.

What to look at in the figures (in --out):
- 03_d_vs_dstar.png — left: the two densities; middle: the learned D(x) (blue dashed)
  on top of D*(x) (grey) inside the shaded bulk, peaking near x = 4.33 and falling on
  both sides; right: the logits — learned, exact quadratic, and the quadratic fitted
  to the learned one — agreeing in the bulk and parting in the tails.
- 03_training.png — max |D − D*| on the bulk falling over training (log scale), and
  V(D, G) rising to C(G), which lies well above −log 4 because p_g ≠ p_data.

Run:  python lessons/03_discriminator_as_classifier.py [--quick] [--seed N] [--out DIR]
"""

# %%
import _lesson

args, check = _lesson.start(__doc__)

import math
import time

import matplotlib.pyplot as plt
import numpy as np

from numpygan import gan, losses, theory
from numpygan.distributions import Gaussian

MU_D, SIGMA_D, MU_G, SIGMA_G = 4.0, 0.5, 3.0, 1.0
p_data, p_g = Gaussian(MU_D, SIGMA_D), Gaussian(MU_G, SIGMA_G)
STEPS = 300 if args.quick else 2000
BATCH = 256
LR = 4e-3 if args.quick else 2e-3     # a short run takes bigger steps
rng = np.random.default_rng(args.seed)
print(f"p_data = N({MU_D}, {SIGMA_D}²), p_g = N({MU_G}, {SIGMA_G}²) held fixed; "
      f"{STEPS} D steps of {BATCH} + {BATCH} samples, seed {args.seed}")

# %% [markdown]
# ## 1. The loss from logits
# docs/THEORY.md's reference: real logits [1, −0.5, 2], fake logits [−1, 0.3] → D loss
# (mean over real + mean over fake) = 1.0552306936 (1.05523069357…).

# %%
loss_ref, _, _ = losses.discriminator_loss(np.array([1.0, -0.5, 2.0]), np.array([-1.0, 0.3]))
check.close("D loss from logits on docs/THEORY.md's reference batch", loss_ref, 1.05523069357, 1e-9,
            fmt=".10f")
with np.errstate(divide="ignore", over="ignore"):
    naive = -np.log(1.0 / (1.0 + np.exp(800.0)))      # −log σ(−800), through σ
stable, _ = losses.bce_with_logits(np.array([-800.0]), 1.0)
check.true("−log σ(−800): naive through σ is inf, from the logit it is 800",
           not np.isfinite(naive) and abs(stable - 800.0) < 1e-9,
           measured=f"naive {naive}, from logit {stable:g}", expect="naive inf, from logit 800")

# %% [markdown]
# ## 2. The exact answers on a grid

# %%
x = theory.grid(-5.0, 11.0, 3201)    # (X,): p_g = N(3, 1) has < 1e-15 of its mass beyond
pd_x, pg_x = p_data.pdf(x), p_g.pdf(x)
d_star = theory.optimal_discriminator(pd_x, pg_x)          # Proposition 1
c0, c1, c2 = theory.gaussian_dstar_logit(MU_D, SIGMA_D, MU_G, SIGMA_G)
a_star = c0 + c1 * x + c2 * x ** 2
C_G = theory.virtual_training_criterion(pd_x, pg_x, x)     # C(G) = max_D V
jsd = theory.jsd(pd_x, pg_x, x)
bulk = np.abs(x - MU_D) <= 2 * SIGMA_D                     # 95% of p_data's mass
print(f"logit D* = c0 + c1 x + c2 x², (c0, c1, c2) = ({c0:.4f}, {c1:g}, {c2:g});  "
      f"C(G) = {C_G:.6f},  JSD = {jsd:.6f} nats")
check.close("C(G) two ways: max_D V on the grid vs −log 4 + 2·JSD",
            C_G, -math.log(4) + 2 * jsd, 1e-9)
check.close("logit D* = log p_data − log p_g matches the quadratic on the bulk (max |Δ|)",
            np.max(np.abs(np.log(pd_x[bulk]) - np.log(pg_x[bulk]) - a_star[bulk])), 0.0, 1e-9)

# %% [markdown]
# ## 3. Train D as a classifier: real → 1, fake → 0
# `gan.discriminator_step` does forward, loss from logits, backward, and one Adam step.
# G does not exist here: the "fakes" are fresh samples of the fixed p_g.

# %%
game = gan.gan_1d(p_data, seed=args.seed)      # we borrow its D and its standard units
D, d_opt = game.D, game.d_opt
d_opt.lr = LR


def measure():
    """D on the grid: max |D − D*| on the bulk, and V(D, G) by quadrature from logits."""
    a = game.discriminator_logits(x.reshape(-1, 1))                    # (X,)
    gap = float(np.max(np.abs(losses.sigmoid(a) - d_star)[bulk]))
    return a, gap, theory.value_function_from_logits(a, pd_x, pg_x, x)


curve_step, curve_gap, curve_v, batch_losses = [], [], [], []
_, gap0, v0 = measure()
curve_step.append(0), curve_gap.append(gap0), curve_v.append(v0)
every = max(STEPS // 40, 1)
started = time.time()
for step in range(1, STEPS + 1):
    d_opt.lr = LR * (1.0 - 0.98 * (step - 1) / STEPS)                   # linear decay
    x_real = game.to_standard(p_data.sample(BATCH, rng))               # (m, 1)
    x_fake = game.to_standard(p_g.sample(BATCH, rng))                  # (m, 1)
    stats = gan.discriminator_step(D, d_opt, x_real, x_fake)
    batch_losses.append(stats["loss"])
    if step % every == 0 or step == STEPS:
        _, gap, v = measure()
        curve_step.append(step), curve_gap.append(gap), curve_v.append(v)
    if step % 500 == 0 or step == STEPS:
        print(f"  step {step:5d}/{STEPS}: minibatch D loss {stats['loss']:.4f}, "
              f"max |D − D*| on the bulk {curve_gap[-1]:.4f}, C(G) − V = "
              f"{C_G - curve_v[-1]:.5f}  ({time.time() - started:.1f}s)", flush=True)

# %% [markdown]
# ## 4. Compare with Proposition 1 and Theorem 1

# %%
a_learned, gap, V = measure()
d_learned = losses.sigmoid(a_learned)
check.below("max |D(x) − D*(x)| on the bulk (mu ± 2 sigma of p_data)", gap,
            0.1 if args.quick else 0.05)
check.above("training helped: max |D − D*| on the bulk, start / end (> 2: under half its start)",
            gap0 / max(gap, 1e-12), 2.0, fmt=".3g")
check.true("V(D, G) ≤ C(G) (no D beats D*)", V <= C_G + 1e-12,
           measured=f"V = {V:.6f}, C(G) = {C_G:.6f}", expect="V ≤ C(G)")
check.below("C(G) − V(D, G): the learned D is nearly optimal", C_G - V,
            0.02 if args.quick else 0.005, fmt=".3g")
tail = batch_losses[-max(STEPS // 10, 1):]
check.close("mean minibatch D loss over the last 10% of steps ≈ −C(G)",
            np.mean(tail), -C_G, 0.03 if args.quick else 0.02)
check.above("C(G) lies above −log 4 (p_g ≠ p_data): 2·JSD", C_G + math.log(4), 0.1)

# the learned logit as a quadratic, fitted on the bulk around mu_d: t = x − mu_d
t = x[bulk] - MU_D
b2, b1, b0 = np.polyfit(t, a_learned[bulk], 2)
fit_c2, fit_c1, fit_c0 = b2, b1 - 2 * MU_D * b2, b0 - MU_D * b1 + MU_D ** 2 * b2
tol_c2 = 0.5 if args.quick else 0.3
print(f"fitted logit: ({fit_c0:.3f}, {fit_c1:.3f}, {fit_c2:.3f})  exact: "
      f"({c0:.4f}, {c1:g}, {c2:g})")
check.close("fitted c2 (the curvature) vs exact", fit_c2, c2, tol_c2)
# c1 = b1 − 2·mu·b2 and c0 = b0 − mu·b1 + mu²·b2: an error δ in c2 moves c1 by ~2·mu·δ
# and c0 by ~mu²·δ (c0 is D's logit at x = 0, far outside the data), hence the tolerances
check.close("fitted c1 vs exact (tolerance 2·mu_d·tol_c2)", fit_c1, c1, 2 * MU_D * tol_c2)
check.close("fitted c0 vs exact (tolerance mu_d²·tol_c2)", fit_c0, c0, MU_D ** 2 * tol_c2)
check.close("fitted peak of D, −c1/(2 c2), vs exact 13/3", -fit_c1 / (2 * fit_c2),
            -c1 / (2 * c2), 0.2 if args.quick else 0.1)

# D as a classifier on fresh samples: accuracy against the Bayes accuracy
n_test = 20_000 if args.quick else 100_000
x_test = np.concatenate([p_data.sample(n_test, rng), p_g.sample(n_test, rng)])   # (2n, 1)
y_test = np.concatenate([np.ones(n_test), np.zeros(n_test)])
accuracy = np.mean((game.discriminator_logits(x_test) > 0) == (y_test == 1))
bayes = 0.5 * theory.integrate(np.maximum(pd_x, pg_x), x)
check.close(f"classification accuracy on {2 * n_test:,} fresh samples vs Bayes "
            f"½∫max(p_data, p_g) (4 standard errors + 0.005)", accuracy, bayes,
            4 * math.sqrt(bayes * (1 - bayes) / (2 * n_test)) + 0.005)

# %%
fig, (ax_p, ax_d, ax_a) = plt.subplots(1, 3, figsize=(16, 4.6), layout="constrained")
shade = dict(color="#fff2cc", zorder=0)
lo_b, hi_b = MU_D - 2 * SIGMA_D, MU_D + 2 * SIGMA_D
for ax in (ax_p, ax_d, ax_a):
    ax.axvspan(lo_b, hi_b, **shade, label="bulk: mu ± 2 sigma of p_data")
    ax.set_xlabel("x")
    ax.set_xlim(-0.5, 7.5)
    ax.grid(alpha=0.25)
ax_p.plot(x, pd_x, color="black", ls=(0, (1.5, 1.5)), lw=2, label="p_data = N(4, 0.5²)")
ax_p.plot(x, pg_x, color="#2ca02c", lw=2, label="p_g = N(3, 1²), fixed")
ax_p.set(title="Two fixed distributions: D must tell them apart", ylabel="density",
         ylim=(0, 1.3 * pd_x.max()))
ax_p.legend(fontsize=8, loc="upper left")
ax_d.plot(x, d_star, color="0.55", lw=3, label="D*(x) = p_data / (p_data + p_g)")
ax_d.plot(x, d_learned, color="#1f5fbf", ls="--", lw=2,
          label=f"learned D(x) after {STEPS} steps")
ax_d.axhline(0.5, color="0.7", lw=0.8)
ax_d.set(title=f"D learns D*: max |D − D*| = {gap:.3f} in the bulk",
         ylabel="D(x)", ylim=(-0.02, 1.15))
ax_d.legend(fontsize=8, loc="upper left")
def quadratic(q0, q1, q2):
    sign = lambda v: "−" if v < 0 else "+"
    return f"{q0:.2f} {sign(q1)} {abs(q1):.2f}x {sign(q2)} {abs(q2):.2f}x²".replace("-", "−")


ax_a.plot(x, a_star, color="0.55", lw=3, label=f"exact: {quadratic(c0, c1, c2)}")
ax_a.plot(x, a_learned, color="#1f5fbf", ls="--", lw=2, label="learned logit")
ax_a.plot(x, fit_c0 + fit_c1 * x + fit_c2 * x ** 2, color="#d6501f", lw=1, ls=":",
          label=f"quadratic fitted in the bulk: {quadratic(fit_c0, fit_c1, fit_c2)}")
ax_a.axhline(0, color="0.7", lw=0.8)
ax_a.set(title="Logits: quadratic in the bulk; the net's is piecewise linear outside",
         ylabel="logit a(x) = log D/(1 − D)", ylim=(-14, 9))
ax_a.legend(fontsize=8, loc="upper left")   # in the room above the curves
_lesson.savefig(fig, args, "03_d_vs_dstar.png")

# %%
fig, (ax_g, ax_v) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
ax_g.semilogy(curve_step, curve_gap, color="#1f5fbf", lw=2, marker="o", ms=3,
              label="max |D − D*| on the bulk")
ax_g.axhline(0.1 if args.quick else 0.05, color="black", ls="--", lw=1,
             label="the lesson's bound")
ax_g.set(title="D approaches the optimal D* as it trains", xlabel="D step",
         ylabel="max |D − D*| (log scale)")
ax_g.legend(fontsize=9)
ax_g.grid(alpha=0.25, which="both")
ax_v.plot(curve_step, curve_v, color="black", lw=2, marker="o", ms=3,
          label="V(D, G) of the learned D (quadrature)")
ax_v.axhline(C_G, color="#2ca02c", lw=1.5, ls="--",
             label=f"C(G) = max_D V = −log 4 + 2·JSD = {C_G:.4f}")
ax_v.axhline(-math.log(4), color="0.5", lw=1.2, ls=":",
             label="−log 4 = −1.3863 (only if p_g = p_data)")
ax_v.set(title="V(D, G) rises to C(G), the best any D can do", xlabel="D step",
         ylabel="V (nats)", ylim=(-1.45, -0.85))
ax_v.legend(fontsize=9, loc="center right")
ax_v.grid(alpha=0.25)
_lesson.savefig(fig, args, "03_training.png")

# %%
check.finish()
