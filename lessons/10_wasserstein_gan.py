"""10 — Wasserstein GAN: a critic that measures distance, kept Lipschitz by clipping or a penalty.

The earth mover's (Wasserstein-1) distance, in its dual form (Kantorovich–Rubinstein):

    W1(p_data, p_g) = sup_{‖f‖_L ≤ 1}  E_{x~p_data}[f(x)] − E_{x~p_g}[f(x)]

— the best score difference any 1-Lipschitz function f (the *critic*) can make between
real and generated samples.  In 1D it is also ∫ |F_data − F_g| dx, which we compute
exactly from sorted samples (metrics.w1_samples) to check the critic against.

Why it helps: when p_data and p_g barely overlap, the Jensen–Shannon divergence that
the original GAN's optimal D measures (Theorem 1: C(G) = −log 4 + 2·JSD) is stuck near
log 2 whatever the distance — it says "different", not "how far" — while W1 grows with
the distance (WGAN paper, Example 1).  For two Gaussians of equal width shifted by δ,
W1 = |δ| exactly.

The WGAN game (Algorithm 1 of the WGAN paper):

    repeat n_critic = 5 times:  critic ascends  E_data f(x) − E_z f(G(z))
                                (losses.critic_loss descends the negative)
                                while keeping f (roughly) 1-Lipschitz
    then G descends             −E_z f(G(z))        (losses.critic_generator_loss)

No sigmoid, no log: f outputs a score, not a probability.  Two ways to keep f Lipschitz:

  * weight clipping (the WGAN paper): after every critic step, clip every weight and
    bias into [−c, c].  f is then K-Lipschitz for SOME K fixed by c and the
    architecture — not K = 1 — so a clipped critic estimates roughly K·W1, a scaled
    distance; and as the shift grows, the clipped weights cap how steep f can get,
    so the estimate grows less than in proportion (K shrinks with δ: see panel A).
  * a gradient penalty (WGAN-GP, Gulrajani et al. 2017) adds λ E[(‖∇f(x̂)‖ − 1)²] at
    points x̂ = ε x_real + (1 − ε) x_fake, ε ~ U(0, 1).  Its parameter gradient is a
    gradient of a gradient, which our one-backward layers do not compute — but in 1D
    f'(x̂) is a central difference, s = (f(x̂ + h) − f(x̂ − h)) / 2h, two extra points
    in the forward pass, and ∂s/∂θ = (∂f(x̂+h)/∂θ − ∂f(x̂−h)/∂θ) / 2h is ONE ordinary
    backward pass with upstream gradients ±1/2h.  We penalise only slopes above 1,
    λ E[max(0, |s| − 1)²] (the "Lipschitz penalty" of WGAN-LP, Petzka et al. 2018):
    in 1D the two-sided (|s| − 1)² puts a wall at slope 0, and a critic can only
    reverse the sign of its slope by passing through 0.  λ = 10, h = 1e-3.

Settings: p_data = N(4, 1.25²); f and G work in standard units u = (x − 4) / 1.25 as
in gan.py (so the penalty's "slope 1" is per σ: the critic estimates W1 / σ, and we
multiply by σ to compare); critic f: 1 → 64 → 64 → 1 (LeakyReLU); G: z ~ N(0, 1) →
32 → 32 → 1 (LeakyReLU; normal noise, so G = μ + σz is within its reach); Adam with
β1 = 0 (the WGAN papers use little or no momentum), learning rates 5e-4 decayed linearly.

Checks:
  (A) critics trained against p_g = N(4 + δ, 1.25²), so W1 = δ exactly: the clipped
      critic's estimate rises with W1, close to a line (Pearson r > 0.99) of slope
      K < 0.5, bending below it as δ grows (estimate / W1 is printed per δ); the
      penalised critic's estimate is ≈ W1 itself for δ ≤ 2 (ratio in [0.75, 1.25]);
      the JSD (quadrature) saturates at log 2 while W1 keeps growing.
  (B) a WGAN (penalised critic) started far away — G's output bias set so p_g begins
      near x = 0, 3.2σ from p_data, where the JSD is already most of the way to its
      ceiling log 2 (panel A: 0.55 of 0.69 at δ = 4) — approaches p_data; at
      checkpoints spaced evenly in log(step) (the distance changes fastest early) the
      critic's estimate and W1 from samples fall together (Spearman ρ > 0.8); the
      estimate / W1 ratio is reported, not assumed to be 1; and the end is judged
      on p_g with lesson 06's bounds: |mean − 4| ≤ 0.1σ, |std/σ − 1| ≤ 0.1, and
      W1 ≤ 0.1σ (10,000 samples each).

Figures (in --out):
  10_critic_vs_w1.png   (A) left: both critics' estimates against the true W1 = δ —
                        through 0; the clipped one far below the diagonal and
                        flattening, the penalised one near the diagonal (above it at
                        δ = 8, where its soft penalty lets f get steeper than 1);
                        right: W1 grows with δ, the
                        JSD flattens at log 2 — which could tell G which way is closer?
  10_training.png       (B) the critic's estimate and W1 over training (log axes:
                        they fall together), their ratio, and p_g against p_data at
                        the end.  Look at its left side: in our runs p_g had no
                        samples below about μ − 1.9σ (the title gives p_g's 1 %
                        quantile beside p_data's): G, a piecewise-linear map of z,
                        folds z's lower
                        tail back into the bulk, and W1 charges little for so thin
                        a tail (< 0.1σ in all) — a distance small is not a fit
                        perfect.
"""

# %% Setup
import math
import time

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import losses, metrics, plots, theory  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402
from numpygan.gradcheck import numerical_gradient  # noqa: E402
from numpygan.network import mlp  # noqa: E402
from numpygan.optim import Adam  # noqa: E402

MU, SIGMA = 4.0, 1.25
p_data = Gaussian(MU, SIGMA)
CLIP = 0.05                 # weight clipping box [−c, c]
LAM, H = 10.0, 1e-3         # penalty weight λ, finite-difference step h (standard units)
N_CRITIC = 5
BATCH = 128
LR_CRITIC, LR_G = 5e-4, 5e-4


def to_standard(x):
    return (x - MU) / SIGMA


def to_data(u):
    return MU + SIGMA * u


def make_critic(seed, clipped):
    """f: 1 -> 64 -> 64 -> 1, LeakyReLU; a clipped critic starts inside its box."""
    f = mlp([1, 64, 64, 1], hidden="leaky_relu", rng=np.random.default_rng([seed, 2]))
    if clipped:
        clip(f)
    return f


def clip(f):
    """Weight clipping: every parameter of the critic into [−c, c], in place."""
    for p in f.params():
        np.clip(p, -CLIP, CLIP, out=p)


def critic_step_clipped(f, opt, u_real, u_fake, rng=None):
    """Descend mean f(fake) − mean f(real), then clip.  Returns the batch's estimate."""
    m = u_real.shape[0]
    scores = f.forward(np.concatenate([u_real, u_fake], axis=0))     # (2m, 1)
    loss, d_real, d_fake = losses.critic_loss(scores[:m], scores[m:])
    f.backward(np.concatenate([d_real, d_fake], axis=0))             # (2m, 1)
    opt.step(f.params(), f.grads())
    clip(f)
    return -loss                                # E_data f − E_g f on this batch


def critic_step_penalty(f, opt, u_real, u_fake, rng):
    """Descend mean f(fake) − mean f(real) + λ mean max(0, |f'(û)| − 1)².

    f'(û) by a central difference s = (f(û + h) − f(û − h)) / 2h, so the whole loss
    needs one forward pass on 4m points and one backward pass:
        dL/df(real) = −1/m,  dL/df(fake) = +1/m,
        dL/df(û ± h) = ± (dL/ds) / 2h,   dL/ds = 2λ max(0, |s| − 1) sign(s) / m
    """
    m = u_real.shape[0]
    eps = rng.uniform(size=(m, 1))
    u_hat = eps * u_real + (1 - eps) * u_fake                        # (m, 1) on the lines
    scores = f.forward(np.concatenate([u_real, u_fake, u_hat + H, u_hat - H]))  # (4m, 1)
    real, fake, plus, minus = scores[:m], scores[m:2 * m], scores[2 * m:3 * m], scores[3 * m:]
    loss, d_real, d_fake = losses.critic_loss(real, fake)
    s = (plus - minus) / (2 * H)                                     # f'(û), (m, 1)
    excess = np.maximum(np.abs(s) - 1.0, 0.0)
    ds = 2 * LAM * excess * np.sign(s) / m                           # dL/ds
    f.backward(np.concatenate([d_real, d_fake, ds / (2 * H), -ds / (2 * H)]))
    opt.step(f.params(), f.grads())
    return -loss


def estimate(f, u_real, u_fake):
    """The critic's estimate on held-out samples: mean f(real) − mean f(fake)."""
    return float(f.forward(u_real).mean() - f.forward(u_fake).mean())


# The penalty's backward is hand-written: check it against central differences of the
# loss itself (fixed samples and ε), every parameter of a small critic.
rng_gc = np.random.default_rng(5)              # the code under test does not depend on --seed
f_gc = mlp([1, 8, 8, 1], hidden="leaky_relu", rng=rng_gc, out_gain=20.0)  # steep: |s| > 1
ur_gc, uf_gc = rng_gc.normal(size=(5, 1)), rng_gc.normal(1.0, 1.0, size=(5, 1))


class _Record:
    """An 'optimizer' that does nothing: lets us call the critic step for its gradients."""
    lr = 0.0

    def step(self, params, grads):
        pass


def penalty_loss():
    rng_eps = np.random.default_rng(7)                               # the same ε each call
    eps = rng_eps.uniform(size=(5, 1))
    u_hat = eps * ur_gc + (1 - eps) * uf_gc
    sc = f_gc.forward(np.concatenate([ur_gc, uf_gc, u_hat + H, u_hat - H]))
    s = (sc[10:15] - sc[15:]) / (2 * H)
    return float(sc[5:10].mean() - sc[:5].mean()
                 + LAM * np.mean(np.maximum(np.abs(s) - 1, 0) ** 2))


critic_step_penalty(f_gc, _Record(), ur_gc, uf_gc, np.random.default_rng(7))
analytic = [g.copy() for g in f_gc.grads()]
numeric = [numerical_gradient(penalty_loss, p, h=1e-6) for p in f_gc.params()]
worst = (max(float(np.max(np.abs(g - n))) for g, n in zip(analytic, numeric))
         / max(float(np.max(np.abs(n))) for n in numeric))
eps_gc = np.random.default_rng(7).uniform(size=(5, 1))
u_hat_gc = eps_gc * ur_gc + (1 - eps_gc) * uf_gc
s_gc = (f_gc.forward(u_hat_gc + H) - f_gc.forward(u_hat_gc - H)) / (2 * H)
print(f"gradient check of the penalised critic: |f'(û)| = {np.round(np.abs(s_gc[:, 0]), 2)} "
      f"(> 1: the penalty is active)")
check.true("gradient check exercises the penalty: some |f'(û)| > 1", np.any(np.abs(s_gc) > 1),
           measured=f"{int(np.sum(np.abs(s_gc) > 1))} of 5", expect="at least 1 of 5")
check.below("penalised critic: backward vs central differences, max|diff| / max|grad|",
            worst, 1e-4, fmt=".2e")

# %% A. Critics measure distance; the JSD saturates
# For each shift δ: p_g = N(4 + δ, 1.25²), so W1 = |δ| exactly.  A fresh critic of
# each kind (the same initial weights each time) trains against samples of the two,
# then scores 20,000 held-out samples of each (5,000 with --quick).
DELTAS = np.array([0.0, 1.0, 4.0, 8.0] if args.quick else [0.0, 0.5, 1.0, 2.0, 4.0, 8.0])
A_STEPS = 60 if args.quick else 600
N_EVAL_A = 5_000 if args.quick else 20_000
rng = np.random.default_rng([args.seed, 10])
u_real_eval = to_standard(p_data.sample(N_EVAL_A, rng))
est_delta = {"clipped": [], "penalty": []}
for delta in DELTAS:
    p_shift = Gaussian(MU + delta, SIGMA)
    u_fake_eval = to_standard(p_shift.sample(N_EVAL_A, rng))
    for kind, step in (("clipped", critic_step_clipped), ("penalty", critic_step_penalty)):
        f = make_critic(args.seed, clipped=kind == "clipped")
        opt = Adam(LR_CRITIC, beta1=0.0, beta2=0.9)
        for _ in range(A_STEPS):
            step(f, opt, to_standard(p_data.sample(BATCH, rng)),
                 to_standard(p_shift.sample(BATCH, rng)), rng)
        # × σ: the critics work in standard units, W1 is in x units
        est_delta[kind].append(SIGMA * estimate(f, u_real_eval, u_fake_eval))
est_clip, est_pen = np.array(est_delta["clipped"]), np.array(est_delta["penalty"])
x_grid = theory.grid(MU - 8 * SIGMA, MU + 16 * SIGMA, 8001)
jsd_delta = np.array([theory.jsd(p_data.pdf(x_grid), Gaussian(MU + d, SIGMA).pdf(x_grid),
                                 x_grid) for d in DELTAS])
K = float(np.sum(est_clip * DELTAS) / np.sum(DELTAS ** 2))     # least-squares slope
print(f"{'δ = W1':>7} {'clipped est.':>13} {'/ W1':>7} {'penalised est.':>15} {'/ W1':>7} "
      f"{'JSD (nats)':>11}")
for d, c, q, j in zip(DELTAS, est_clip, est_pen, jsd_delta):
    rc = f"{c / d:7.3f}" if d else "      -"
    rq = f"{q / d:7.3f}" if d else "      -"
    print(f"{d:>7.2f} {c:>13.4f} {rc} {q:>15.4f} {rq} {max(j, 0.0):>11.4f}")  # (no −0.0000)
r_clip = float(np.corrcoef(DELTAS, est_clip)[0, 1])
r_pen = float(np.corrcoef(DELTAS, est_pen)[0, 1])
near = (DELTAS > 0) & (DELTAS <= 2)
check.above(f"A: clipped critic's estimate vs W1 = δ ({len(DELTAS)} shifts), Pearson r",
            r_clip,
            0.95 if args.quick else 0.99, fmt=".4f")
check.below("A: clipped critic's slope K (it estimates K·W1, not W1)", K, 0.5, fmt=".3f")
check.above("A: penalised critic's estimate vs W1 = δ, Pearson r", r_pen,
            0.95 if args.quick else 0.99, fmt=".4f")
if not args.quick:
    check.between("A: penalised critic, estimate / W1 for δ = 0.5, 1, 2 (lowest)",
                  np.min(est_pen[near] / DELTAS[near]), 0.75, 1.25, fmt=".3f")
    check.between("A: penalised critic, estimate / W1 for δ = 0.5, 1, 2 (highest)",
                  np.max(est_pen[near] / DELTAS[near]), 0.75, 1.25, fmt=".3f")
check.below("A: JSD saturates: JSD(δ = 8) / JSD(δ = 4), while W1 doubles",
            jsd_delta[-1] / jsd_delta[-2], 1.5, fmt=".3f")

# %% B. Train a WGAN from far away and watch the critic track W1
STEPS = 120 if args.quick else 4_000        # G steps; the critic takes 5 per G step
START = 0.0                                 # p_g starts near x = 0, 3.2σ from p_data
N_CHECKS, N_EVAL_B = (12, 2_000) if args.quick else (30, 10_000)
checkpoints = set(np.unique(np.geomspace(10, STEPS, N_CHECKS).astype(int)).tolist())
rng = np.random.default_rng([args.seed, 20])
G = mlp([1, 32, 32, 1], hidden="leaky_relu", rng=np.random.default_rng([args.seed, 1]))
G.layers[-1].b[:] = to_standard(START)      # G(z) ≈ START at the start (visible choice)
f = make_critic(args.seed, clipped=False)
f_opt = Adam(LR_CRITIC, beta1=0.0, beta2=0.9)
g_opt = Adam(LR_G, beta1=0.0, beta2=0.9)
p_z = Gaussian(0.0, 1.0)
eval_rng = np.random.default_rng([args.seed, 30])
x_ref = p_data.sample(N_EVAL_B, eval_rng)[:, 0]         # W1's reference sample
u_ref = to_standard(x_ref.reshape(-1, 1))
z_eval = p_z.sample(N_EVAL_B, eval_rng)                 # the same z at every check
hist = {"step": [], "estimate": [], "w1": [], "mean": [], "std": []}
t0 = time.perf_counter()
print(f"\nWGAN (penalised critic) on N({MU:g}, {SIGMA:g}²), G starting near x = {START:g}: "
      f"{STEPS:,} G steps × {N_CRITIC} critic steps")
print(f"{'step':>6} {'critic est.':>11} {'W1':>7} {'mean':>7} {'std':>6}")
for t in range(STEPS + 1):
    if t in checkpoints:
        u_g = G.forward(z_eval)
        x_g = to_data(u_g)[:, 0]
        if not np.all(np.isfinite(x_g)):
            raise FloatingPointError(f"G's samples became NaN/inf at step {t}: try a lower lr")
        hist["step"].append(t)
        hist["estimate"].append(SIGMA * estimate(f, u_ref, u_g))
        hist["w1"].append(metrics.w1_samples(x_g, x_ref))
        hist["mean"].append(float(x_g.mean()))
        hist["std"].append(float(x_g.std()))
        if len(hist["step"]) % 6 == 0 or t == STEPS:
            print(f"{t:>6} {hist['estimate'][-1]:>11.4f} {hist['w1'][-1]:>7.4f} "
                  f"{hist['mean'][-1]:>7.3f} {hist['std'][-1]:>6.3f}   "
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
    if t == STEPS:
        break
    frac = 1.0 - 0.95 * t / STEPS                       # linear decay
    f_opt.lr, g_opt.lr = LR_CRITIC * frac, LR_G * frac
    for _ in range(N_CRITIC):                           # the critic, n_critic times
        u_real = to_standard(p_data.sample(BATCH, rng))
        u_fake = G.forward(p_z.sample(BATCH, rng))
        critic_step_penalty(f, f_opt, u_real, u_fake, rng)
    u = G.forward(p_z.sample(BATCH, rng))               # then G, through the fixed critic
    g_loss, dscores = losses.critic_generator_loss(f.forward(u))
    G.backward(f.backward(dscores))
    g_opt.step(G.params(), G.grads())
seconds = time.perf_counter() - t0


def spearman(a, b):
    """Spearman's ρ: the Pearson correlation of the ranks."""
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


est, w1 = np.array(hist["estimate"]), np.array(hist["w1"])
rho = spearman(est, w1)
ratio = est / w1
x_end = to_data(G.forward(p_z.sample(10_000, np.random.default_rng([args.seed, 40]))))[:, 0]
mean_end, std_end = float(x_end.mean()), float(x_end.std())
w1_end = metrics.w1_samples(x_end, p_data.sample(10_000, np.random.default_rng([args.seed, 41])))
print(f"trained in {seconds:.0f} s; critic estimate / W1 over all {len(ratio)} checkpoints "
      f"(every 6th printed above): median {np.median(ratio):.2f}, from {ratio.min():.2f} "
      f"to {ratio.max():.2f}")
print(f"end: mean {mean_end:.3f} (μ = {MU:g}), std {std_end:.3f} (σ = {SIGMA:g}), "
      f"W1 {w1_end:.4f}")
check.above("B: critic estimate tracks W1 over training, Spearman ρ", rho,
            0.5 if args.quick else 0.8, fmt=".3f")
if args.quick:
    check.below("B (quick run): W1 fell from the far start: W1(end) / W1(first check)",
                w1[-1] / w1[0], 0.7, fmt=".3f")
else:
    check.below("B: |mean − μ| / σ", abs(mean_end - MU) / SIGMA, 0.1, fmt=".3f")
    check.below("B: |std/σ − 1|", abs(std_end / SIGMA - 1), 0.10, fmt=".3f")
    check.below("B: W1(p_g, p_data) / σ  (10,000 samples each)", w1_end / SIGMA, 0.1,
                fmt=".3f")

# %% Figures
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12.5, 4.6), layout="constrained")
ax1.plot(DELTAS, DELTAS, ":", color="black", lw=1, label="estimate = W1 (the diagonal)")
ax1.plot(DELTAS, est_pen, "s-", color=plots.C_REAL, ms=6,
         label=f"penalised critic (λ = {LAM:g}), r = {r_pen:.3f}")
ax1.plot(DELTAS, est_clip, "o-", color=plots.C_FAKE, ms=6,
         label=f"clipped critic (c = {CLIP}), r = {r_clip:.3f}")
ax1.plot(DELTAS, K * DELTAS, "-", color=plots.C_FAKE, lw=0.8, alpha=0.6,
         label=f"K · W1, K = {K:.3f} (least squares)")
ax1.set_xlabel("true W1 = δ  (p_g = N(4 + δ, 1.25²))")
ax1.set_ylabel("critic estimate × σ: mean f(real) − mean f(fake)")
ax1.set_title(f"(A) the clipped critic measures roughly K·W1 (K = {K:.3f}, shrinking as δ "
              f"grows); the penalised one "
              f"W1 itself:\nestimate / W1 = {np.min(est_pen[near] / DELTAS[near]):.2f}–"
              f"{np.max(est_pen[near] / DELTAS[near]):.2f} for δ ≤ 2, "
              f"{est_pen[-1] / DELTAS[-1]:.2f} at δ = {DELTAS[-1]:g}", fontsize=10)
ax1.legend(fontsize=8)
ax1.grid(alpha=0.3)
ax2.plot(DELTAS, DELTAS, "o-", color=plots.C_REAL, label="W1 = δ (left axis)")
ax2.set_xlabel("shift δ between p_data and p_g")
ax2.set_ylabel("W1, x units", color=plots.C_REAL)
ax2.set_ylim(0, DELTAS.max() * 1.25)   # (1.08 on both axes put W1 = 8 under log 2)
ax2r = ax2.twinx()
ax2r.plot(DELTAS, jsd_delta, "s-", color=plots.C_JSD, label="JSD, quadrature (right axis)")
ax2r.axhline(math.log(2), color=plots.C_JSD, ls=":", lw=1, label="log 2, the JSD's ceiling")
ax2r.set_ylim(0, math.log(2) * 1.08)
ax2r.set_ylabel("JSD(p_data ‖ p_g), nats", color=plots.C_JSD)
h1, l1 = ax2.get_legend_handles_labels()
h2, l2 = ax2r.get_legend_handles_labels()
ax2.legend(h1 + h2, l1 + l2, fontsize=9, loc="lower right")
ax2.set_title("W1 keeps growing, the JSD flattens at log 2:\n"
              "far apart, only W1 still tells G which way is closer", fontsize=10)
ax2.grid(alpha=0.3)
fig.suptitle("Wasserstein-1 from a critic, against the truth (p_data = N(4, 1.25²))",
             fontsize=11)
_lesson.savefig(fig, args, "10_critic_vs_w1.png")

fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), layout="constrained")
ax = axes[0]
ax.plot(hist["step"], w1, "o-", ms=3, color="black",
        label=f"W1 from samples ({N_EVAL_B:,} each)")
ax.plot(hist["step"], est, "s-", ms=3, color=plots.C_REAL,
        label="critic estimate × σ")
ax.set_xscale("log")
ax.set_yscale("symlog", linthresh=0.01)
ax.set_ylim(bottom=min(0.0, 1.5 * float(est.min())))
ax.set_xlabel("G step (log scale)")
ax.set_ylabel("distance, x units (symlog)")
ax.legend(fontsize=8, loc="lower left")
ax.grid(alpha=0.3, which="both")
ax.set_title(f"(B) the critic's estimate and W1 fall together:\nSpearman ρ = {rho:.2f} "
             f"over {len(est)} checkpoints", fontsize=10)
ax = axes[1]
ax.plot(hist["step"], ratio, "o-", ms=3, color=plots.C_REAL)
ax.axhline(np.median(ratio), color="0.4", ls=":", label=f"median {np.median(ratio):.2f}")
ax.axhline(1.0, color="black", lw=0.8, label="estimate = W1")
ax.set_xscale("log")
ax.set_xlabel("G step (log scale)")
ax.set_ylabel("critic estimate × σ / W1")
ax.set_title(f"estimate / W1 is not 1 (median {np.median(ratio):.2f}): the critic "
             "trails G\n(5 steps per G step) and its penalty is soft", fontsize=10)
ax.legend(fontsize=9)
ax.grid(alpha=0.3)
ax = axes[2]
lo, hi = MU - 4.5 * SIGMA, MU + 4.5 * SIGMA
xs = np.linspace(lo, hi, 400)
centers, dens = plots.density_histogram(x_end, lo, hi, bins=60)
ax.fill_between(centers, dens, step="mid", color=plots.C_G, alpha=0.45,
                label="p_g (10,000 samples, 60 bins)")
ax.plot(xs, p_data.pdf(xs), ":", color="black", lw=1.8, label=f"p_data = N({MU:g}, {SIGMA:g}²)")
ax.set_xlabel("x")
ax.set_ylabel("density")
q01_g, q01_d = float(np.quantile(x_end, 0.01)), float(p_data.ppf(0.01))
ax.set_title(f"the end: mean {mean_end:.2f}, std {std_end:.2f}, W1 {w1_end:.3f};\n"
             f"1 % quantile {q01_g:.2f} (p_data's {q01_d:.2f})"
             + (": the far left tail is missing" if q01_g - q01_d > 0.2 * SIGMA else ""),
             fontsize=10)
ax.set_ylim(0, 1.4 * max(dens.max(), float(p_data.pdf(np.array([MU]))[0])))  # legend room
ax.legend(fontsize=9, loc="upper right")
fig.suptitle(f"WGAN with a penalised critic (λ = {LAM:g}, n_critic = {N_CRITIC}) on "
             f"N({MU:g}, {SIGMA:g}²), G started near x = {START:g}"
             + ("\n[--quick: far too few steps for G to arrive — run the lesson without "
                "--quick]" if args.quick else ""), fontsize=11)
_lesson.savefig(fig, args, "10_training.png")

check.finish()
