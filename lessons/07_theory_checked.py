"""07 — The theory, checked numerically: Proposition 1, Theorem 1, and the measuring sticks.

Goodfellow et al. 2014 (arXiv:1406.2661) on a grid: tabulate the densities at
points x, and every integral becomes a trapezoid sum (numpygan.theory).

    V(D, G) = ∫ p_data(x) log D(x) + p_g(x) log(1 − D(x)) dx                 (Eq. 1)

    Proposition 1.  For a fixed G, V is maximised by
        D*_G(x) = p_data(x) / (p_data(x) + p_g(x)),
    because at each x, y ↦ a log y + b log(1 − y) peaks at y = a / (a + b).
    For two Gaussians, logit D*(x) = log p_data − log p_g = c0 + c1 x + c2 x².

    Theorem 1.  C(G) = max_D V(D, G) = V(D*_G, G) = −log 4 + 2·JSD(p_data ‖ p_g),
        JSD(P ‖ Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M),   M = (P + Q)/2,   0 ≤ JSD ≤ log 2,
    so C(G) ≥ −log 4, with equality iff p_g = p_data (where D* = ½).

    But V(½, G) = log ½ ∫p_data dx + log ½ ∫p_g dx = −log 4 for ANY G:
    "D ≈ ½" and "V ≈ −log 4" alone prove nothing about p_g.

Then the measuring sticks we judge a generator by (metrics.py), and their noise
floors: even a *perfect* sampler (samples of p_data itself) scores a two-sample
histogram JSD of about 0.009 at n = 1,000 — a "JSD < 0.01" claim needs n ≥ 10,000.

Figures (in --out):
  07_proposition1.png  left: p_data, p_g and D* with its quadratic logit; right: V
                       along random directions away from D* — every curve peaks at 0.
  07_theorem1.png      C(G) and −log 4 + 2·JSD as p_g slides past p_data (one curve,
                       two formulas), and V(½, G): flat at −log 4 whatever G is.
  07_noise_floors.png  what a perfect sampler scores at n = 1e3, 1e4, 1e5, against
                       docs/THEORY.md's table and the 0.01 threshold.
"""

# %% Setup
import math

import numpy as np

import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import metrics, theory  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402

LOG4 = math.log(4.0)
rng = np.random.default_rng(args.seed)

# %% Proposition 1, one point at a time: y ↦ a log y + b log(1 − y) peaks at a/(a + b)
# At one x, V's integrand is a·log D + b·log(1 − D) with a = p_data(x), b = p_g(x).
y = np.linspace(1e-6, 1 - 1e-6, 200_001)
worst = 0.0
for a, b in [(0.3, 0.1), (1.0, 1.0), (0.02, 0.7), (2.5, 0.4)]:
    y_best = y[np.argmax(a * np.log(y) + b * np.log(1 - y))]
    worst = max(worst, abs(y_best - a / (a + b)))
check.below("pointwise argmax of a log y + b log(1-y) minus a/(a+b), worst of 4 pairs",
            worst, 2 * (y[1] - y[0]), fmt=".2g")

# %% Proposition 1 on a grid: p_data = N(4, 0.5²), p_g = N(3, 1²)
x = theory.grid(-6.0, 14.0, 4001)
p_data = theory.normal_pdf(x, 4.0, 0.5)
p_g = theory.normal_pdf(x, 3.0, 1.0)
d_star = theory.optimal_discriminator(p_data, p_g)          # D* = p_data / (p_data + p_g)
a_star = theory.optimal_logits(p_data, p_g)                 # logit D* = log p_data − log p_g

# logit D* is a quadratic in x: fit one to the grid and compare with the formula
c2, c1, c0 = np.polyfit(x, a_star, 2)
ref = (-26.8069, 13.0, -1.5)                                 # docs/THEORY.md
for name, got, want in zip(("c0", "c1", "c2"), (c0, c1, c2), ref):
    check.close(f"logit D* = c0 + c1 x + c2 x^2, fitted {name}", got, want, 1e-4)

# V along random directions: D = σ(a* + ε h), h a random smooth bump function
V_star = theory.value_function_from_logits(a_star, p_data, p_g, x)


def random_direction(rng):
    """h(x): a sum of 4 Gaussian bumps with random centres, widths and signs, max |h| = 1."""
    m = rng.uniform(0.0, 7.0, 4)
    w = rng.uniform(0.3, 1.5, 4)
    c = rng.standard_normal(4)
    h = (c[:, None] * np.exp(-0.5 * ((x[None, :] - m[:, None]) / w[:, None]) ** 2)).sum(0)
    return h / np.abs(h).max()


eps = np.array([-1.0, -0.3, -0.1, -0.03, -0.01, 0.01, 0.03, 0.1, 0.3, 1.0])
n_dirs = 40 if args.quick else 200
drops = np.empty((n_dirs, eps.size))                        # V(D*) − V(σ(a* + ε h))
curvature = np.empty(n_dirs)                                # drop(2ε) / drop(ε), small ε
for i in range(n_dirs):
    h = random_direction(rng)
    drops[i] = [V_star - theory.value_function_from_logits(a_star + e * h, p_data, p_g, x)
                for e in eps]
    d1 = V_star - theory.value_function_from_logits(a_star + 0.01 * h, p_data, p_g, x)
    d2 = V_star - theory.value_function_from_logits(a_star + 0.02 * h, p_data, p_g, x)
    curvature[i] = d2 / d1
check.true(f"every perturbation of D* lowers V ({n_dirs} directions x {eps.size} sizes)",
           np.all(drops > 0), measured=f"{np.sum(drops > 0)}/{drops.size} lower",
           expect=f"{drops.size}/{drops.size} lower")
# no first-order term at a maximum: the drop grows like ε², so doubling ε quadruples it
check.between("V(D*) - V(perturbed) at 2eps / at eps (eps = 0.01), worst direction",
              curvature.min(), 3.9, 4.1)
check.between("... best direction", curvature.max(), 3.9, 4.1)
# D = ½ and a D that is almost right are both worse than D*
V_half = theory.value_function(0.5, p_data, p_g, x)
check.below("V(D = 1/2) - V(D*)", V_half - V_star, 0.0)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
ax1.plot(x, p_data, color="black", ls=":", lw=2, label="$p_{data}$ = N(4, 0.5²)")
ax1.plot(x, p_g, color="#2ca02c", lw=1.8, label="$p_g$ = N(3, 1²)")
ax1.set_xlim(-0.5, 7.5)
ax1.set_xlabel("x")
ax1.set_ylabel("density")
ax1b = ax1.twinx()
ax1b.plot(x, d_star, color="#1f5fbf", ls="--", lw=2,
          label="$D^*(x) = p_{data}/(p_{data}+p_g)$")
ax1b.set_ylabel("D*(x)", color="#1f5fbf")
ax1b.set_ylim(0, 1.05)
h1, l1 = ax1.get_legend_handles_labels()
h2, l2 = ax1b.get_legend_handles_labels()
ax1.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8)
ax1b.axhline(0.5, color="#1f5fbf", lw=0.6, ls=":")
ax1.set_title(f"D* > ½ exactly where $p_{{data}}$ > $p_g$\n"
              f"logit D*(x) = {c0:.4f} + {c1:.4g} x − {-c2:.4g} x²  (a quadratic)", fontsize=10)
eps_dense = np.linspace(-1.0, 1.0, 41)
for i in range(8):                                          # 8 fresh directions, drawn
    h = random_direction(rng)
    V_line = [theory.value_function_from_logits(a_star + e * h, p_data, p_g, x)
              for e in eps_dense]
    ax2.plot(eps_dense, np.array(V_line) - V_star, lw=1.3, alpha=0.85)
ax2.axvline(0, color="0.5", lw=0.8)
ax2.axhline(0, color="0.5", lw=0.8)
ax2.plot([0], [0], "ko", ms=6, label="D = D* (ε = 0)")
ax2.set_xlabel("ε  (D = σ(logit D* + ε·h), h a random bump function, max|h| = 1)")
ax2.set_ylabel("V(D, G) − V(D*, G)   (nats)")
ax2.legend(loc="lower center", fontsize=8.5)
ax2.set_title(f"Proposition 1: every direction away from D* goes down\n"
              f"(8 random directions drawn; {n_dirs} x {eps.size} checked, all below 0)",
              fontsize=10)
_lesson.savefig(fig, args, "07_proposition1.png")

# %% Theorem 1: C(G) = V(D*, G) = −log 4 + 2·JSD, and the reference values of docs/THEORY.md
x = theory.grid(-15.0, 25.0, 20001)                          # wide: N(10, 1) must fit too


def kl_grid(p, q):
    """KL(p ‖ q) = ∫ p log(p/q) dx by the trapezoid rule (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    return theory.integrate(f, x)


def jsd_by_definition(p, q):
    """JSD = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2 — written out, not theory.jsd."""
    m = 0.5 * (p + q)
    return 0.5 * kl_grid(p, m) + 0.5 * kl_grid(q, m)


def cdf_w1(mu_d, s_d, mu_g, s_g):
    """W1 = ∫ |F_data(x) − F_g(x)| dx on the grid."""
    F_d = Gaussian(mu_d, s_d).cdf(x)
    F_g = Gaussian(mu_g, s_g).cdf(x)
    return theory.integrate(np.abs(F_d - F_g), x)


p0 = theory.normal_pdf(x, 0.0, 1.0)
worst_gap = 0.0
# (p_g's mean, p_g's std, docs/THEORY.md's JSD)
for mu_g, s_g, jsd_ref in [(1.0, 1.0, 0.111421), (0.1, 1.0, 0.001248),
                           (0.0, 2.0, 0.092733), (10.0, 1.0, 0.693146)]:
    pg = theory.normal_pdf(x, mu_g, s_g)
    C = theory.value_function_from_logits(theory.optimal_logits(p0, pg), p0, pg, x)  # V(D*, G)
    jsd = jsd_by_definition(p0, pg)
    worst_gap = max(worst_gap, abs(C - (-LOG4 + 2 * jsd)))
    check.close(f"JSD(N(0,1) || N({mu_g:g},{s_g:g}^2)) on the grid", jsd, jsd_ref, 1e-6)
check.below("Theorem 1: |V(D*, G) - (-log 4 + 2 JSD)|, worst of the 4 pairs", worst_gap,
            1e-6, fmt=".2g")

# KL and W1 reference values, on the grid against the closed forms
p1, p2 = theory.normal_pdf(x, 1.0, 1.0), theory.normal_pdf(x, 0.0, 2.0)
check.close("KL(N(0,1) || N(1,1))", kl_grid(p0, p1), 0.5, 1e-6)
check.close("KL(N(0,1) || N(0,2^2))", kl_grid(p0, p2), 0.318147, 1e-6)
check.close("reverse KL(N(0,2^2) || N(0,1))", kl_grid(p2, p0), 0.806853, 1e-6)
check.close("  closed form log(s2/s1) + (s1^2 + dmu^2)/(2 s2^2) - 1/2, same pair",
            metrics.kl_gaussians(0.0, 2.0, 0.0, 1.0), 0.806853, 1e-6)
check.close("W1(N(0,1), N(1,1)) = integral |F_d - F_g|", cdf_w1(0, 1, 1, 1), 1.0, 1e-6)
check.close("W1(N(0,1), N(0,2^2)) = (2 - 1) sqrt(2/pi)", cdf_w1(0, 1, 0, 2), 0.797885, 1e-6)

# C(G) as p_g = N(μ_g, 1) slides past p_data = N(0, 1); and V with D stuck at ½
mus = np.linspace(-6.0, 6.0, 121)
C_curve, jsd_curve, V_half = [], [], []
for mu_g in mus:
    pg = theory.normal_pdf(x, mu_g, 1.0)
    C_curve.append(theory.value_function_from_logits(theory.optimal_logits(p0, pg), p0, pg, x))
    jsd_curve.append(jsd_by_definition(p0, pg))
    V_half.append(theory.value_function(0.5, p0, pg, x))
C_curve, jsd_curve, V_half = map(np.asarray, (C_curve, jsd_curve, V_half))
i_min = int(np.argmin(C_curve))
check.close("argmin over mu_g of C(G) (p_g = p_data at mu_g = 0)", mus[i_min], 0.0, 1e-9)
check.close("min C(G) = -log 4", C_curve[i_min], -LOG4, 1e-9)
check.below("max JSD over the slide - log 2 (JSD never exceeds log 2)",
            jsd_curve.max() - math.log(2), 1e-12, fmt=".2g")
check.below("max |V(1/2, G) + log 4| over all 121 G's (D = 1/2 scores -log 4 for ANY G)",
            np.abs(V_half + LOG4).max(), 1e-9, fmt=".2g")

fig, ax = plt.subplots(figsize=(8.5, 4.6), layout="constrained")
ax.plot(mus, C_curve, color="black", lw=4, alpha=0.3,
        label="C(G) = V(D*, G)   (Eq. 1 with the optimal D)")
ax.plot(mus, -LOG4 + 2 * jsd_curve, color="#7b3294", lw=1.5, ls="--",
        label="−log 4 + 2·JSD($p_{data}$ ‖ $p_g$)   (Theorem 1)")
ax.plot(mus, V_half, color="#d6501f", lw=1.5, label="V(D = ½, G): the same for every G")
ax.axhline(-LOG4, color="0.5", lw=0.8, ls=":")
ax.axhline(0.0, color="0.5", lw=0.8, ls=":")
ax.text(mus[-1], -LOG4, "−log 4 ", ha="right", va="bottom", fontsize=9, color="0.3")
ax.text(0.0, -0.02, "far apart: JSD → log 2, C(G) → −log 4 + 2 log 2 = 0", ha="center",
        va="top", fontsize=9, color="0.3")
ax.set_xlabel("mean of $p_g$ = N(μ_g, 1)   ($p_{data}$ = N(0, 1))")
ax.set_ylabel("nats")
ax.set_title("Theorem 1: the two formulas draw one curve, lowest (−log 4) only at "
             "$p_g = p_{data}$;\nD = ½ scores −log 4 whatever G is — it proves nothing",
             fontsize=10)
ax.legend(loc="center right", fontsize=8.5)
_lesson.savefig(fig, args, "07_theorem1.png")

# %% D = ½ proves nothing, on samples too: a "discriminator" stuck at ½ and a G far away
far = Gaussian(10.0, 1.0)                                    # G's samples: N(10, 1)
data = Gaussian(0.0, 1.0)
n = 10_000
x_real, x_fake = data.sample(n, rng)[:, 0], far.sample(n, rng)[:, 0]
D_half = lambda v: np.full(v.shape, 0.5)                      # noqa: E731
d_real, d_fake = D_half(x_real).mean(), D_half(x_fake).mean()
V_samples = np.mean(np.log(D_half(x_real))) + np.mean(np.log(1 - D_half(x_fake)))
check.between("mean D(x) of the stuck D", d_real, 0.45, 0.55)
check.between("mean D(G(z)) of the stuck D", d_fake, 0.45, 0.55)
check.close("V on samples with the stuck D", V_samples, -LOG4, 1e-12)
check.above("... yet W1(p_g, p_data) from the same samples", metrics.w1_samples(x_fake, x_real),
            9.0)
check.above("... and JSD (50 bins on mu +- 5 sigma of p_data) near log 2 = 0.693",
            metrics.jsd_pdf(x_fake, data.pdf, -5.0, 5.0, bins=50), 0.69)

# %% The noise floors of the measuring sticks: a perfect sampler, many repeats
# Draw x and y from the SAME N(0, 1): any distance measured between them is pure noise.
repeats = 40 if args.quick else 200
sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
table = {  # docs/THEORY.md, "Estimator floors" (200 repeats)
    1_000: {"jsd2": 0.0089, "w1": 0.066, "mean": 0.058},
    10_000: {"jsd2": 0.0010, "w1": 0.022, "mean": 0.021},
    100_000: {"jsd2": 1.1e-4, "w1": 0.0068, "mean": 0.007},
}
p = Gaussian(0.0, 1.0)
floors = {}
for n in sizes:
    u = (np.arange(n) + 0.5) / n
    q = p.ppf(u)                  # true quantiles F⁻¹((i + ½)/n), computed once per n
    jsd2, jsd1, w1, merr = [], [], [], []
    for r in range(repeats):
        xs, ys = p.sample(n, rng)[:, 0], p.sample(n, rng)[:, 0]
        jsd2.append(metrics.jsd_samples(xs, ys, bins=50))            # two-sample, ±5σ of y
        jsd1.append(metrics.jsd_pdf(xs, p.pdf, -5.0, 5.0, bins=50))  # vs the pdf (lesson 06)
        w1.append(np.mean(np.abs(np.sort(xs) - q)))                  # = w1_to_distribution
        merr.append(abs(xs.mean()))
    floors[n] = {"jsd2": np.array(jsd2), "jsd1": np.array(jsd1), "w1": np.array(w1),
                 "mean": np.array(merr)}
    print(f"n = {n:>7,}: two-sample JSD {np.mean(jsd2):.2e}, JSD vs pdf {np.mean(jsd1):.2e}, "
          f"W1 95th pct {np.percentile(w1, 95):.4f}, |mean err| 95th pct "
          f"{np.percentile(merr, 95):.4f}  ({repeats} repeats)")
check.close("w1 by sorted samples vs true quantiles = metrics.w1_to_distribution",
            np.mean(np.abs(np.sort(xs) - q)), metrics.w1_to_distribution(xs, p), 1e-12)

# Tolerances: the mean of R repeats of a JSD (relative spread ~0.2 each) is good to a few
# %; a 95th percentile of R repeats is far noisier (about ±10% at R = 200, ±25% at R = 40).
tol_mean = 0.15
tol_pct = 0.25 if repeats >= 200 else 0.4
for n in sizes:
    f, t = floors[n], table[n]
    check.between(f"perfect sampler, two-sample 50-bin JSD, mean, n = {n:,}",
                  f["jsd2"].mean(), t["jsd2"] * (1 - tol_mean), t["jsd2"] * (1 + tol_mean),
                  fmt=".3g")
    check.between(f"perfect sampler, W1 vs true quantiles, 95th pct, n = {n:,}",
                  np.percentile(f["w1"], 95), t["w1"] * (1 - tol_pct), t["w1"] * (1 + tol_pct),
                  fmt=".3g")
    check.between(f"perfect sampler, |mean error|, 95th pct, n = {n:,}",
                  np.percentile(f["mean"], 95), t["mean"] * (1 - tol_pct),
                  t["mean"] * (1 + tol_pct), fmt=".3g")
# Why "JSD < 0.01" needs n = 1e4: at 1e3 the noise alone is the size of the threshold.
fail_1e3 = np.mean(floors[1_000]["jsd2"] >= 0.01)
fail_1e4 = np.mean(floors[10_000]["jsd2"] >= 0.01)
check.above("share of PERFECT samplers failing 'two-sample JSD < 0.01' at n = 1,000",
            fail_1e3, 0.1, fmt=".3f")
check.below("... at n = 10,000 (noise is 10x under the threshold)", fail_1e4, 0.01, fmt=".3f")
# The JSD against the known pdf (what lesson 06 reports) sits at about half the two-sample
# floor: one histogram is noisy instead of two.
ratio = floors[10_000]["jsd1"].mean() / floors[10_000]["jsd2"].mean()
check.between("floor of JSD vs the pdf / floor of two-sample JSD, n = 10,000", ratio, 0.4, 0.65)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
ns = np.array(sizes)
styles = [("jsd2", "two-sample JSD, 50 bins (mean)", "#7b3294", np.mean),
          ("jsd1", "JSD vs the pdf, 50 bins (mean) — lesson 06's", "#c27ba0", np.mean),
          ("w1", "W1 vs true quantiles, σ = 1 (95th pct)", "#1f5fbf",
           lambda a: np.percentile(a, 95)),
          ("mean", "|mean error|, σ = 1 (95th pct)", "#2ca02c", lambda a: np.percentile(a, 95))]
for key, label, color, stat in styles:
    ax1.loglog(ns, [stat(floors[n][key]) for n in sizes], color=color, marker="o", lw=1.8,
               label=label)
    if key in ("jsd2", "w1", "mean"):
        ax1.loglog(ns, [table[n][key] for n in sizes], color=color, marker="x", ms=9, lw=0)
ax1.plot([], [], color="0.3", marker="x", lw=0, ms=9, label="docs/THEORY.md's table")
ax1.axhline(0.01, color="#d6501f", ls="--", lw=1.2, label="the threshold JSD = 0.01")
ax1.set_xlabel("n, samples of the (perfect) generator")
ax1.set_ylabel("score of a perfect sampler (its noise floor)")
ax1.set_title("Noise floors fall like 1/n (JSD) and 1/√n (W1, mean):\n"
              "at n = 1,000 the JSD floor is the size of the 0.01 threshold", fontsize=10)
ax1.legend(fontsize=8, loc="lower left")
ax1.grid(alpha=0.3, which="both")
bins = np.linspace(0, 0.02, 61)
for n, color in [(1_000, "#d6501f"), (10_000, "#1f5fbf")]:
    ax2.hist(floors[n]["jsd2"], bins=bins, color=color, alpha=0.55,
             label=f"n = {n:,} (mean {floors[n]['jsd2'].mean():.4f})")
ax2.axvline(0.01, color="black", ls="--", lw=1.2, label="threshold 0.01")
ax2.set_xlabel("two-sample 50-bin JSD of a perfect sampler (nats)")
ax2.set_ylabel(f"repeats (of {repeats})")
ax2.set_title(f"{fail_1e3:.1%} of perfect samplers 'fail' JSD < 0.01 at n = 1,000;\n"
              f"{fail_1e4:.1%} at n = 10,000", fontsize=10)
ax2.legend(fontsize=8)
_lesson.savefig(fig, args, "07_noise_floors.png")

# %%
check.finish()
