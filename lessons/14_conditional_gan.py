"""14 — Conditional GAN: a label into both players, and mode collapse gone.

Mirza & Osindero 2014 give both players the label y ∈ {0, …, K−1} ("given a label,
produce the features that go with it").  In their form, the one used here, y enters
as a one-hot vector concatenated to each player's input:

    G(z, y) = G([z, onehot(y)])      (m, Z + K) -> (m, d)
    D(x, y) = D([x, onehot(y)])      (m, d + K) -> (m, 1) logits
    V(D, G) = E_{y~p_y, x~p_data(x|y)}[log D(x, y)] + E_{y~p_y, z~p_z}[log(1 − D(G(z, y), y))]

Algorithm 1 is unchanged: ``gan.GAN(..., p_y=...)`` draws labels y ~ p_y, real x from
p_data(x | y) (the mixture component y: ``sample_given``), fakes G(z, y) for the same
labels, and takes the same D-step and G-step with the same losses.  At the optimum,
for every label, D*(x, y) = p_data(x|y) / (p_data(x|y) + p_g(x|y)) = ½.

Lesson 09's data again (1D: three Gaussians at −3, 0, 3, σ = 0.15; 2D: a ring of 8,
σ = 0.1), and lesson 09's unbalanced game (D's learning rate 5× below G's), in which
the plain GAN collapses onto a few modes.  The same networks and settings, given the
label, cover every mode: with y in its input G cannot send every z to one place without
being caught — D(x, y) judges each label's samples against THAT label's data.  Measured,
not claimed: modes covered (lesson 09's count), for both games, on the same data.

What the label does not fix: within a component, G must still learn the component's
width, by the same game as ever.  Here each component is narrow against the spread of
the whole mixture (in the standard units D sees, σ = 0.15 is 1/16 of the data's std),
and our small D, in this budget, resolves that only roughly: G's per-label samples sit
on the right component, mostly narrower than it (the printed std ratios: 0.07–1.26 over
seeds 0–5; the narrowest label collapses nearly to a point).  The per-label JSD is
therefore checked only against what a label-blind G would score (each component
against a neighbour's: log 2 = 0.693), not against the noise floor.  And D(x, y) ≈ ½
is, here, not a sign of convergence (lesson 07): D's rate is 5× below G's and decays,
and at the end D is nearly flat at ½ (the figure), too weak to push G's narrow
per-label samples apart.  The check of D(x, y) on each label's data says only that
neither player has won.

Last, 8×8 images (scikit-learn's digits if installed; else lesson 12's procedural
strokes): the label picks the class, one row per requested class.

Figures (in --out):
  14_mixture_1d.png   per label: G(z, y)'s histogram against component y's density
                      (and D(x, y) for that label); beside them the plain GAN's p_g.
  14_ring.png         the ring: the plain GAN's samples; the conditional G's, coloured
                      by the requested label (each colour on its own mode).
  14_images.png       one row per requested class: G(z, y) for 10 noise vectors z.
"""

# %% Setup
import math
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import losses, metrics, plots  # noqa: E402
from numpygan.distributions import (Categorical, Gaussian, GaussianMixture, Ring2D,  # noqa: E402
                                    one_hot)
from numpygan.gan import GAN, condition  # noqa: E402
from numpygan.gradcheck import numerical_gradient, rel_error  # noqa: E402
from numpygan.network import mlp  # noqa: E402
from numpygan.optim import Adam  # noqa: E402

SIGMA_1D, SIGMA_RING = 0.15, 0.1
mixture = GaussianMixture([-3.0, 0.0, 3.0], SIGMA_1D)
ring = Ring2D(n_modes=8, radius=2.0, sigma=SIGMA_RING)
N_EVAL = 4_000

# %% 1. The label as a one-hot input, and G's gradient through D(x, y)
print("one_hot([2, 0, 1], 3) =\n", one_hot([2, 0, 1], 3))
try:
    one_hot([0, 3], 3)
    refused = "accepted"
except ValueError as exc:
    refused = str(exc)
print(f"one_hot([0, 3], 3) -> {refused}")
check.true("a label out of range (3 of 3 classes) is refused", "out of range" in refused)

# G's loss through a conditional D: only the first d columns of dL/d[u, y] reach G
rng_gc = np.random.default_rng([args.seed, 0])
G_gc = mlp([1 + 3, 6, 1], hidden="tanh", rng=rng_gc)
D_gc = mlp([1 + 3, 6, 1], rng=rng_gc)
z_gc, y_gc = rng_gc.normal(size=(5, 1)), one_hot(rng_gc.integers(3, size=5), 3)


def g_loss():
    u = G_gc.forward(condition(z_gc, y_gc))
    return losses.generator_loss_nonsaturating(D_gc.forward(condition(u, y_gc)))[0]


u_gc = G_gc.forward(condition(z_gc, y_gc))
_, dlogits = losses.generator_loss_nonsaturating(D_gc.forward(condition(u_gc, y_gc)))
G_gc.backward(D_gc.backward(dlogits)[:, :1])
worst = max(rel_error(g, numerical_gradient(g_loss, p), floor=1e-7)
            for p, g in zip(G_gc.params(), [g.copy() for g in G_gc.grads()]))
check.below("G(z, y)'s gradient through D(x, y) vs central differences, worst rel error",
            worst, 1e-6, fmt=".2e")


# %% 2. One recipe for both games (lesson 09's unbalanced one)


def make_game(p_data, conditional, steps_seed):
    """G: [z, y] → 64 → 64 → d (ReLU), D: [x, y] → 64 → 64 → 1 (LeakyReLU 0.2), z ~ N(0, I_d);
    Adam(β1 = 0.5): D's lr 2e-4, G's 1e-3 (lesson 09's "G too strong"), decayed linearly."""
    d = p_data.dim
    K = p_data.n_modes if conditional else 0
    r = np.random.default_rng([steps_seed, 1])
    G = mlp([d + K, 64, 64, d], hidden="relu", rng=r)
    D = mlp([d + K, 64, 64, 1], hidden="leaky_relu", rng=r)
    return GAN(G, D, p_data, Gaussian(0.0, 1.0, dim=d), d_opt=Adam(2e-4, beta1=0.5),
               g_opt=Adam(1e-3, beta1=0.5), seed=steps_seed,
               p_y=p_data.p_y if conditional else None)


def n_covered(x, p_data, sigma):
    """Lesson 09's count: modes with ≥ ¼ of their share of samples within 3σ."""
    weights = getattr(p_data, "weights", np.full(p_data.n_modes, 1.0 / p_data.n_modes))
    cov = metrics.mode_coverage(x, p_data.modes, sigma, threshold=3.0)
    return int(np.sum(cov["counts"] >= np.ceil(0.25 * len(x) * np.asarray(weights))))


def train_both(p_data, steps, name):
    games = {}
    for conditional in (False, True):
        t0 = time.perf_counter()
        games[conditional] = make_game(p_data, conditional, args.seed)
        games[conditional].train(steps)
        print(f"  {name}, {'conditional' if conditional else 'plain      '}: {steps:,} steps "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    return games[False], games[True]


# %% 3. The 1D mixture
STEPS_1D = 300 if args.quick else 3_000
print(f"\n1D: {mixture}")
plain_1d, cond_1d = train_both(mixture, STEPS_1D, "1D mixture")
rng_eval = np.random.default_rng([args.seed, 2])
x_plain = plain_1d.sample(N_EVAL, rng_eval)
x_cond = cond_1d.sample(N_EVAL, rng_eval)                  # labels drawn from p_y
cov_plain, cov_cond = n_covered(x_plain, mixture, SIGMA_1D), n_covered(x_cond, mixture, SIGMA_1D)
print(f"modes covered: plain GAN {cov_plain}/3, conditional GAN {cov_cond}/3")
per_label = []
for k, (mu, s) in enumerate(zip(mixture.means, mixture.sigmas)):
    xk = cond_1d.sample(N_EVAL, rng_eval, labels=k)[:, 0]                    # G(z, k)
    lo, hi = mu - 5 * s, mu + 5 * s
    own = metrics.jsd_pdf(xk, Gaussian(mu, s).pdf, lo, hi)
    j = (k + 1) % 3                            # a neighbour: what a label-blind G scores
    other = metrics.jsd_pdf(xk, Gaussian(mixture.means[j], s).pdf, lo, hi)
    on_mode = float(np.mean(np.abs(xk - mu) <= 3 * s))
    d_own = float(np.mean(cond_1d.discriminate(mixture.sample_given(np.full(N_EVAL, k),
                                                                      rng_eval), labels=k)))
    per_label.append(dict(x=xk, jsd=own, jsd_other=other, on_mode=on_mode, d=d_own,
                          mean=float(xk.mean()), ratio=float(xk.std() / s)))
    print(f"  y = {k} (μ = {mu:+.0f}): {on_mode:.1%} of G(z, y) within 3σ of μ_y, mean "
          f"{xk.mean():+.3f}, std/σ {xk.std() / s:.2f}; JSD to component y {own:.3f}, to "
          f"component {j} {other:.3f}; mean D(x, y) on component y's data {d_own:.3f}")
spread = per_label[2]["mean"] - per_label[0]["mean"]        # μ_2 − μ_0 = 6; label-blind: ≈ 0
if args.quick:
    check.above("quick run: mean G(z, 2) − mean G(z, 0) (components 6 apart; a G that "
                "ignores y: ≈ 0)", spread, 1.5, fmt=".3f")
else:
    check.below("1D plain GAN (lesson 09's game): modes covered of 3", cov_plain, 3, fmt=".0f")
    check.close("1D conditional GAN, labels from p_y: modes covered of 3", cov_cond, 3, 0,
                fmt=".0f")
    for k, r in enumerate(per_label):
        check.above(f"1D y = {k}: fraction of G(z, y) within 3σ of μ_y", r["on_mode"], 0.95,
                    fmt=".3f")
        check.below(f"1D y = {k}: JSD(G(z, y), component y) (a label-blind G: log 2 = "
                    f"{math.log(2):.3f} for two of three labels)", r["jsd"], 0.6, fmt=".3f")
        check.between(f"1D y = {k}: mean D(x, y) on component y's data", r["d"], 0.3, 0.7,
                      fmt=".3f")

# %% 4. The ring of 8
STEPS_RING = 200 if args.quick else 4_000
print(f"\nring: {ring}")
plain_ring, cond_ring = train_both(ring, STEPS_RING, "ring")
r_plain = plain_ring.sample(N_EVAL, rng_eval)
labels_ring = np.repeat(np.arange(8), N_EVAL // 8)                      # 500 of each label
r_cond = cond_ring.sample(len(labels_ring), rng_eval, labels=labels_ring)
ring_plain, ring_cond = n_covered(r_plain, ring, SIGMA_RING), n_covered(r_cond, ring, SIGMA_RING)
dist = np.linalg.norm(r_cond - ring.centers[labels_ring], axis=1)       # to the requested mode
on_requested = np.array([np.mean(dist[labels_ring == k] <= 3 * SIGMA_RING) for k in range(8)])
d_ring = [float(np.mean(cond_ring.discriminate(ring.sample_given(np.full(500, k), rng_eval),
                                               labels=k))) for k in range(8)]
print(f"modes covered: plain GAN {ring_plain}/8, conditional GAN {ring_cond}/8; per label, "
      f"fraction within 3σ of the requested mode: {np.round(on_requested, 2).tolist()}; "
      f"mean D(x, y) on each label's data {min(d_ring):.3f}–{max(d_ring):.3f}")
if not args.quick:    # (a quick run is far too short to say anything about the ring)
    check.below("ring, plain GAN (lesson 09's game): modes covered of 8", ring_plain, 6,
                fmt=".0f")
    check.close("ring, conditional GAN: modes covered of 8", ring_cond, 8, 0, fmt=".0f")
    check.above("ring, conditional: the worst label's fraction within 3σ of its mode",
                on_requested.min(), 0.8, fmt=".3f")
    check.between("ring, conditional: lowest mean D(x, y) over the labels", min(d_ring), 0.3,
                  0.7, fmt=".3f")
    check.between("ring, conditional: highest mean D(x, y) over the labels", max(d_ring), 0.3,
                  0.7, fmt=".3f")

# %% 5. 8×8 images: the label picks the class


from _digits import load_digits_scaled, make_strokes  # noqa: E402  (lesson 13 uses them too)


class LabelledImages:
    """p_data(x | y): the training images of class y, each drawn with equal probability."""

    def __init__(self, x, labels, n_classes):
        self.x, self.labels, self.dim = x, labels, x.shape[1]
        self.by_class = [np.flatnonzero(labels == k) for k in range(n_classes)]

    def sample(self, n, rng):
        return self.x[rng.integers(len(self.x), size=n)]

    def sample_given(self, y, rng):
        idx = np.array([self.by_class[k][rng.integers(len(self.by_class[k]))] for k in y])
        return self.x[idx]                                                 # (len(y), 64)


data = None if args.quick else load_digits_scaled()
rng_data = np.random.default_rng([args.seed, 3])
if data is None:
    print("\nimages: scikit-learn is not installed (or --quick): lesson 12's procedural "
          "strokes.  For the handwritten digits:  pip install scikit-learn")
    data = make_strokes(1_800, rng_data)
x_img, y_img, class_names = data
K_img = len(class_names)
images = LabelledImages(x_img, y_img, K_img)
r_img = np.random.default_rng([args.seed, 4])
Z_IMG = 16
G_img = mlp([Z_IMG + K_img, 64, 128, 64], hidden="leaky_relu", out="tanh", rng=r_img)
D_img = mlp([64 + K_img, 128, 64, 1], hidden="leaky_relu", rng=r_img)
p_y_img = Categorical(np.bincount(y_img, minlength=K_img) / len(y_img))   # class shares
cond_img = GAN(G_img, D_img, images, Gaussian(0.0, 1.0, dim=Z_IMG),
               d_opt=Adam(2e-4, beta1=0.5), g_opt=Adam(2e-4, beta1=0.5), batch=64,
               seed=args.seed, standardize=False, p_y=p_y_img)
STEPS_IMG = 300 if args.quick else 4_000
t0 = time.perf_counter()
cond_img.train(STEPS_IMG)
print(f"images: {len(x_img):,} of {K_img} classes, conditional dense GAN, {STEPS_IMG:,} steps "
      f"({time.perf_counter() - t0:.0f} s)")


def nearest_class(x):
    """The class of each row's nearest training image (Euclidean)."""
    d2 = (x * x).sum(1)[:, None] - 2.0 * x @ x_img.T + (x_img * x_img).sum(1)[None, :]
    return y_img[np.argmin(d2, axis=1)]


N_PER = 200
asked = np.repeat(np.arange(K_img), N_PER)                      # N_PER of each class
x_gen = cond_img.sample(len(asked), rng_eval, labels=asked)     # (K·N_PER, 64)
got = nearest_class(x_gen)
hit = np.array([np.mean(got[asked == k] == k) for k in range(K_img)])   # (K,)
print("fraction of G(z, y) whose nearest training image has class y: "
      + ", ".join(f"{name} {h:.2f}" for name, h in zip(class_names, hit)))
if not args.quick:    # (nor about the images)
    check.above("images: fraction of G(z, y) nearest a training image of class y, mean over "
                f"the classes (a G that ignores y: about {1 / K_img:.2f})", hit.mean(), 0.6,
                fmt=".3f")
    check.above("images: the same fraction for the worst class (on the digits, 8: 0.38–0.67 "
                f"over seeds 0–5), 3× chance = {3 / K_img:.2f}", hit.min(), 3 / K_img,
                fmt=".3f")

# %% 6. Figures
QUICK_NOTE = ("\n[--quick: far too few steps to show this — run the lesson without --quick]"
              if args.quick else "")
fig, axes = plt.subplots(1, 4, figsize=(16, 3.8), layout="constrained")
for k, (ax, r) in enumerate(zip(axes[:3], per_label)):
    mu, s = mixture.means[k], mixture.sigmas[k]
    lo, hi = mu - 5 * s, mu + 5 * s
    centers, dens = plots.density_histogram(r["x"], lo, hi, bins=60)
    ax.fill_between(centers, dens, step="mid", color=plots.C_G, alpha=0.45,
                    label="G(z, y) (histogram, 60 bins)")
    xs = np.linspace(lo, hi, 300)
    ax.plot(xs, Gaussian(mu, s).pdf(xs), ":", color="black", lw=1.6, label="component y")
    ax2 = ax.twinx()
    ax2.plot(xs, cond_1d.discriminate(xs, labels=k), color=plots.C_REAL, lw=1.2,
             label="D(x, y)")
    ax2.set_ylim(0, 1)
    ax.set_title(f"y = {k}: std/σ {r['ratio']:.2f}, JSD {r['jsd']:.3f}", fontsize=10)
    ax.set_xlabel("x")
    if k == 0:
        ax.set_ylabel("density")
        ax.legend(fontsize=8, loc="upper left")
        ax2.legend(fontsize=8, loc="upper right")
xs = np.linspace(-5, 5, 500)
c, dens = plots.density_histogram(x_plain[:, 0], -5, 5, bins=100)
axes[3].fill_between(c, dens, step="mid", color=plots.C_FAKE, alpha=0.45, label="plain GAN p_g")
c, dens = plots.density_histogram(x_cond[:, 0], -5, 5, bins=100)
axes[3].step(c, dens, where="mid", color=plots.C_G, label="conditional, y ~ p_y")
axes[3].plot(xs, mixture.pdf(xs), ":", color="black", lw=1.4, label="p_data")
axes[3].set_title(f"modes covered: plain {cov_plain}/3, conditional {cov_cond}/3", fontsize=10)
axes[3].legend(fontsize=8)
axes[3].set_xlabel("x")
fig.suptitle("1D mixture: each label's samples G(z, y) sit on component y, narrower than it; "
             "D(x, y) (right axis) is flat at ½: this lagging D no longer sees the difference."
             "  Right: the plain GAN of the same game" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "14_mixture_1d.png")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
plots.plot_samples_2d(ax1, r_plain, centers=ring.centers, max_points=2_000,
                      title=f"plain GAN: {ring_plain}/8 modes covered")
ax1.get_legend().remove()
colors = plt.get_cmap("tab10")(labels_ring % 10)
ax2.scatter(r_cond[:, 0], r_cond[:, 1], s=3, c=colors, alpha=0.6)
ax2.scatter(ring.centers[:, 0], ring.centers[:, 1], marker="x", s=60, c="black")
for k, (cx, cy) in enumerate(ring.centers):
    ax2.annotate(f"y={k}", (1.22 * cx, 1.22 * cy), ha="center", va="center", fontsize=8)
ax2.set_title(f"conditional G(z, y), coloured by the requested y: {ring_cond}/8 covered",
              fontsize=10)
for ax in (ax1, ax2):
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
fig.suptitle("Ring of 8, D's lr 5× below G's (lesson 09's game): the plain GAN collapses; "
             "given the label, G puts each colour on its own mode" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "14_ring.png")

n_show = 10
z_show = cond_img.p_z.sample(n_show, np.random.default_rng([args.seed, 5]))
rows = [cond_img.generate(z_show, labels=k) for k in range(K_img)]       # K × (10, 64)
grid = (np.clip(np.concatenate(rows), -1, 1).reshape(-1, 8, 8) + 1.0) / 2.0
fig, ax = plt.subplots(figsize=(0.75 * n_show, 0.8 * K_img + 0.8), layout="constrained")
plots.sample_grid(grid, ax, nrow=n_show)
for i, name in enumerate(class_names):                     # row i spans pixels 1 + 9i … 8 + 9i
    ax.text(-1.0, 1 + 9 * i + 3.5, f"y = {name}", ha="right", va="center", fontsize=9)
fig.suptitle("one row per requested class y, the same 10 noise vectors z in every row:\n"
             "the label sets the class, z the style" + QUICK_NOTE, fontsize=10)
_lesson.savefig(fig, args, "14_images.png")

check.finish()
