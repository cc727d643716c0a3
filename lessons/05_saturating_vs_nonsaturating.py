"""05 — Saturating vs non-saturating: the gradient G receives when D is confident.

Write a for D's logit on a fake sample, so D(G(z)) = σ(a).  G can use either loss:

    minimax (saturating), Eq. 1:   G descends  L_mm = E_z[ log(1 − D(G(z))) ]
                                   dL_mm/da = −D(G(z))
    non-saturating, §3:            G descends  L_ns = −E_z[ log D(G(z)) ]
                                   dL_ns/da = −(1 − D(G(z)))

Both push a up (G's samples towards where D says "data"), and both have the same
fixed point (p_g = p_data, D = ½).  Everything upstream of a is shared: D's slope
da/dx and G's Jacobian dx/dθ_G.  So for one sample the two gradients are parallel and

    ‖dL_ns/dθ_G‖ / ‖dL_mm/dθ_G‖ = (1 − D(G(z))) / D(G(z))   = 99 at D(G(z)) = 0.01.

Early in training G is bad, D rejects its samples confidently (D(G(z)) ≈ 0) and the
minimax loss is flat right there.  On the real models below, as D grows confident the
non-saturating gradient grows many-fold over 300 D-steps (printed below) while the minimax one stays
small: the gap is one loss waking up, not the other one dying, and G under minimax
learns far more slowly.  Worse, the minimax loss weights each sample by D(G(z_i)): the
samples D rejects most — the ones that must move — get the least say in G's step,
which serves the few fakes D half-believes and drags the rest wherever that goes (in
the right panel, many further from the data).  Adam rescales gradients (a constant
factor cancels in its update), which softens saturation but does not undo that
weighting.

Figures (in --out):
  05_loss_curves.png    left: the two losses as functions of D(G(z)) — the minimax one
                        is flat near 0; right: |dL/da| = D vs 1 − D on log axes.
  05_real_models.png    left: ‖dL/dθ_G‖ of a real G while a real D learns to reject it;
                        middle: W1(p_g, p_data) from the same confident-D start under
                        each loss; right: p_g after training — where each loss left G.
"""

# %% Setup
import copy

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import losses, metrics  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402
from numpygan.gan import discriminator_step, gan_1d  # noqa: E402
from numpygan.plots import density_histogram  # noqa: E402

MU, SIGMA = 4.0, 1.25
p_data = Gaussian(MU, SIGMA)
C_MM, C_NS = "#d6501f", "#1f5fbf"       # minimax orange, non-saturating blue

# %% The two losses, and their slopes at the logit, as functions of D(G(z))
d = np.logspace(-4, np.log10(0.9999), 400)
a = np.log(d) - np.log1p(-d)                      # the logit with σ(a) = d
L_mm, g_mm = losses.generator_loss_minimax(a)      # mean over the points (we want each)
L_ns, g_ns = losses.generator_loss_nonsaturating(a)
g_mm, g_ns = g_mm * a.size, g_ns * a.size          # per-sample d/da (undo the 1/N)
check.close("minimax d/da at each point = -D(G(z)), worst error", np.abs(g_mm + d).max(), 0,
            1e-12, fmt=".2g")
check.close("non-saturating d/da = -(1 - D(G(z))), worst error",
            np.abs(g_ns + (1 - d)).max(), 0, 1e-12, fmt=".2g")
a01 = np.array([np.log(0.01) - np.log(0.99)])      # one fake with D(G(z)) = 0.01
ratio_01 = (losses.generator_loss_nonsaturating(a01)[1][0]
            / losses.generator_loss_minimax(a01)[1][0])
check.close("slope ratio non-saturating / minimax at D(G(z)) = 0.01 (THEORY: 99)", ratio_01,
            99.0, 1e-9)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
ax1.plot(d, np.log1p(-d), color=C_MM, lw=2, label="minimax: G descends log(1 − D(G(z)))")
ax1.plot(d, -np.log(d), color=C_NS, lw=2, label="non-saturating: G descends −log D(G(z))")
ax1.axvspan(0, 0.05, color="0.9", zorder=0)
ax1.text(0.06, 4.2, "early training:\nD rejects G's samples", fontsize=8.5, color="0.3",
         va="top")
ax1.set_xlim(0, 1)
ax1.set_ylim(-5, 5)
ax1.axhline(0, color="0.6", lw=0.6)
ax1.set_xlabel("D(G(z)), what D says about a fake")
ax1.set_ylabel("G's loss for that sample (nats)")
ax1.set_title("Same goal (raise D(G(z))), different slopes:\n"
              "the minimax loss is flat where G starts, the other is steep", fontsize=10)
ax1.legend(fontsize=8.5, loc="lower left")
ax2.loglog(d, np.abs(g_mm), color=C_MM, lw=2, label="minimax: |dL/da| = D(G(z))")
ax2.loglog(d, np.abs(g_ns), color=C_NS, lw=2, label="non-saturating: |dL/da| = 1 − D(G(z))")
ax2.plot([0.01, 0.01], [0.01, 0.99], color="black", lw=1, ls=":", marker="o", ms=4)
ax2.annotate(f"×{ratio_01:.0f} at D(G(z)) = 0.01", (0.01, 0.1), xytext=(0.013, 0.1),
             fontsize=9, va="center")
ax2.set_xlabel("D(G(z))")
ax2.set_ylabel("|dL/da|, slope at D's logit a")
ax2.set_title("The gradient G receives is multiplied by this factor:\n"
              "minimax's vanishes as D(G(z)) → 0", fontsize=10)
ax2.legend(fontsize=8.5, loc="lower right")
ax2.grid(alpha=0.3, which="both")
_lesson.savefig(fig, args, "05_loss_curves.png")

# %% Real models: a bad G held fixed, a real D learning to reject it
# The default 1D game, with G's output shifted 4 standard deviations to the left:
# G's samples start near MU − 4σ = −1, where p_data has almost no mass.  We sample the
# live G (average=None), not an average of its past parameters: this lesson is about
# what each step of G does.
OFFSET = -4.0
gan = gan_1d(p_data, seed=args.seed, average=None)
gan.G.layers[-1].b[:] += OFFSET                   # G's last bias, in standard units


def g_grad_norm(gan, z, kind):
    """‖dL/dθ_G‖ for G's loss ``kind`` on the noise z: generator_step without the step."""
    u = gan.G.forward(z)                           # (m, 1) -> (m, 1)
    logits = gan.D.forward(u)                      # (m, 1)
    _, dlogits = losses.generator_loss(logits, kind=kind)
    gan.G.backward(gan.D.backward(dlogits))        # through D (not updated) into G
    return float(np.sqrt(sum(np.sum(g * g) for g in gan.G.grads())))


def d_step(gan):
    """One of Algorithm 1's D-steps against the (fixed) G."""
    x_real = gan.to_standard(p_data.sample(gan.batch, gan.rng))
    x_fake = gan.G.forward(gan.p_z.sample(gan.batch, gan.rng))
    return discriminator_step(gan.D, gan.d_opt, x_real, x_fake)


z_eval = gan.p_z.sample(1000, np.random.default_rng([args.seed, 5]))  # (1000, 1), fixed
d_steps_at = [0, 10, 30, 100, 200, 300]
rows = []                # (D steps, mean D(G(z)), ‖∇‖ minimax, ‖∇‖ non-saturating)
done = 0
for t in d_steps_at:
    while done < t:
        d_step(gan)
        done += 1
    d_fake = losses.sigmoid(gan.D.forward(gan.G.forward(z_eval)))
    rows.append((t, d_fake.mean(), g_grad_norm(gan, z_eval, "minimax"),
                 g_grad_norm(gan, z_eval, "non-saturating")))
    print(f"after {t:>3} D-steps: mean D(G(z)) {rows[-1][1]:.4f}, ‖dL/dθ_G‖ minimax "
          f"{rows[-1][2]:.3g}, non-saturating {rows[-1][3]:.3g}")
rows = np.array(rows)
d_conf = rows[-1, 1]
check.below(f"mean D(G(z)) after {d_steps_at[-1]} D-steps against the bad G", d_conf, 0.05)
check.above("batch ‖dL/dθ_G‖ non-saturating / minimax, D confident",
            rows[-1, 3] / rows[-1, 2], 10.0, fmt=".3g")

# One fake at a time the ratio is exact: find the z whose D(G(z)) is nearest 0.01.
z_line = np.linspace(-1, 1, 2001).reshape(-1, 1)
d_line = losses.sigmoid(gan.D.forward(gan.G.forward(z_line)))[:, 0]
i = int(np.argmin(np.abs(np.log(d_line) - np.log(0.01))))
z1, d1 = z_line[i:i + 1], d_line[i]
measured = g_grad_norm(gan, z1, "non-saturating") / g_grad_norm(gan, z1, "minimax")
print(f"one fake, z = {z1[0, 0]:+.3f}: D(G(z)) = {d1:.4f}, (1 − D)/D = {(1 - d1) / d1:.2f}")
check.close("single fake: ‖∇θ_G‖ ratio, non-sat / minimax, vs (1 - D)/D", measured,
            (1 - d1) / d1, 1e-6 * (1 - d1) / d1, fmt=".6g")
check.between("... its D(G(z)) (the z nearest 0.01)", d1, 0.005, 0.02)

# %% From a bad start: the same confident D, the same G, the same seed — two losses
# Copy the game as it stands (bad G, confident D) and train each copy with one loss.
steps = 100 if args.quick else 600
every = 10
curves = {}
at_0, at_100 = {}, {}
for kind in ("minimax", "non-saturating"):
    g = copy.deepcopy(gan)
    g.loss = kind
    w1 = []

    def measure(g, w1=w1, kind=kind):
        s = g.sample(2000, np.random.default_rng([args.seed, 6]))[:, 0]
        w1.append((g.step_count, metrics.w1_to_distribution(s, p_data)))
        if g.step_count in (0, 100):                # the start, and the step we check
            x = g.sample(10_000, np.random.default_rng([args.seed, 7]))[:, 0]
            (at_0 if g.step_count == 0 else at_100)[kind] = x

    # the lr schedule is planned for 600 steps either way, so --quick sees the same start
    g.train(steps, callback=measure, every=every, total=600)
    curves[kind] = np.array(w1)
    at = {s: w for s, w in w1}
    print(f"{kind:>15}: W1 at step 0 {at[0]:.2f}, 50 {at[50]:.2f}, 100 {at[100]:.2f}"
          + (f", {steps} {at[steps]:.2f}" if steps > 100 else ""))

w_mm = dict(curves["minimax"].tolist())
w_ns = dict(curves["non-saturating"].tolist())
check.above("W1 at step 0 (both losses start from the same bad G), in units of sigma",
            w_mm[0] / SIGMA, 2.5)
check.below("non-saturating: W1 after 100 steps / sigma", w_ns[100] / SIGMA, 1.0)
check.above("W1 after 100 steps, minimax / non-saturating", w_mm[100] / w_ns[100], 3.0,
            fmt=".3g")


def first_below(curve, level):
    hit = curve[curve[:, 1] < level]
    return int(hit[0, 0]) if hit.size else None


def said(step):
    return str(step) if step is not None else f"not within {steps}"


reach_ns = first_below(curves["non-saturating"], 0.5 * SIGMA)
reach_mm = first_below(curves["minimax"], 0.5 * SIGMA)
print(f"steps until W1 < σ/2: non-saturating {said(reach_ns)}, minimax {said(reach_mm)}")

# Minimax weights each sample by D(G(z_i)): the ones D rejects hardly move.
left = {kind: np.mean(at_100[kind] < MU - 2 * SIGMA) for kind in at_100}
print(f"after 100 steps, share of samples still below μ − 2σ: minimax {left['minimax']:.1%}, "
      f"non-saturating {left['non-saturating']:.1%}")
check.above("share of G's samples left below mu - 2 sigma after 100 steps, minimax minus "
            "non-saturating", left["minimax"] - left["non-saturating"], 0.1, fmt=".3f")

fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.4), layout="constrained")
ax1.semilogy(rows[:, 0], rows[:, 2], color=C_MM, marker="o", lw=2, label="minimax")
ax1.semilogy(rows[:, 0], rows[:, 3], color=C_NS, marker="o", lw=2, label="non-saturating")
ax1.set_xlabel("D-steps against the fixed, bad G")
ax1.set_ylabel("‖dL/dθ_G‖ on 1,000 fakes")
ax1b = ax1.twinx()
ax1b.plot(rows[:, 0], rows[:, 1], color="0.4", ls=":", marker=".", label="mean D(G(z))")
ax1b.set_ylabel("mean D(G(z))", color="0.4")
ax1b.set_ylim(0, max(0.3, rows[:, 1].max() * 1.1))
h1, l1 = ax1.get_legend_handles_labels()
h2, l2 = ax1b.get_legend_handles_labels()
ax1.legend(h1 + h2, l1 + l2, fontsize=8.5, loc="center right")
ax1.set_title(f"As D learns to reject G, the gap opens (×{rows[-1, 3] / rows[-1, 2]:.0f} at\n"
              f"mean D(G(z)) = {d_conf:.3f}): the non-saturating gradient grows",
              fontsize=10)
ax2.plot(*curves["minimax"].T, color=C_MM, lw=2, label="minimax")
ax2.plot(*curves["non-saturating"].T, color=C_NS, lw=2, label="non-saturating")
ax2.axhline(0.5 * SIGMA, color="0.5", ls=":", lw=1, label="σ/2")
ax2.set_xlabel("training steps of Algorithm 1 (Adam, from the confident D)")
ax2.set_ylabel("W1($p_g$, $p_{data}$) on 2,000 samples")
ax2.set_title(f"Same start, same seed: after 100 steps W1 is\n{w_mm[100]:.2f} (minimax) vs "
              f"{w_ns[100]:.2f} (non-saturating)", fontsize=10)
ax2.legend(fontsize=8.5)
ax2.grid(alpha=0.3)
lo, hi = MU - 9 * SIGMA, MU + 4 * SIGMA
xs = np.linspace(lo, hi, 400)
ax3.plot(xs, p_data.pdf(xs), color="black", ls=":", lw=2, label="$p_{data}$")
c, dens = density_histogram(at_0["minimax"], lo, hi, bins=104)
ax3.fill_between(c, dens, step="mid", color="0.8",
                 label=f"$p_g$ at the start (both; cut off, peaks at {dens.max():.1f})")
for kind, color in (("minimax", C_MM), ("non-saturating", C_NS)):
    c, dens = density_histogram(at_100[kind], lo, hi, bins=104)
    ax3.step(c, dens, where="mid", color=color, lw=1.6,
             label=f"$p_g$ after 100 steps, {kind}")
top = max(float(p_data.pdf(np.array([MU]))[0]),
          *(density_histogram(at_100[k], lo, hi, bins=104)[1].max() for k in at_100))
ax3.set_ylim(0, 1.15 * top)                     # the start is cut off (its peak is named)
ax3.set_xlabel("x")
ax3.set_ylabel("density (histogram of 10,000 G(z), 104 bins)")
ax3.set_title(f"Where each loss has taken G after 100 steps: minimax\nleft {left['minimax']:.0%} "
              f"of its samples below μ − 2σ (non-saturating: {left['non-saturating']:.0%})",
              fontsize=10)
ax3.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2)   # below: off the histograms
_lesson.savefig(fig, args, "05_real_models.png")

# %%
check.finish()
