"""Lesson 01 — data and noise: p_data, the prior p_z, and G as a map that pushes p_z forward.

The math (Goodfellow et al. 2014, §3):

    p_data   the data distribution; here N(mu, sigma²) with mu = 4, sigma = 1.25
    p_z      the noise prior; here uniform on [−1, 1], so p_z(z) = 1/2 there
    G        a function x = G(z).  Sampling z ~ p_z and computing G(z) defines p_g,
             "the generator's distribution": p_g is p_z *pushed forward* through G.

Change of variables.  If G is monotone, probability is conserved along the map,
p_g(x) |dx| = p_z(z) |dz|, so

    p_g(x) = p_z(z) / |G'(z)|          at the one z with G(z) = x.

If G is not monotone, several z land on the same x, and their contributions add:

    p_g(x) = Σ_{z : G(z) = x}  p_z(z) / |G'(z)|          (a sum over G's branches)

Where G stretches (|G'| large) the noise is spread thin and p_g is low; where G
contracts (|G'| small) the noise piles up and p_g is high — Figure 1 of the paper
draws exactly this with arrows from the z line to the x line.

Two generators:

1. The *ideal* G for a 1D target is the quantile function (inverse CDF) of p_data,
   G(z) = mu + sigma · Φ⁻¹((z + 1)/2): it sends the uniform z to a u = (z + 1)/2 in
   [0, 1] and then to p_data's u-quantile.  Its change-of-variables density equals
   p_data(x) exactly.  A GAN never sees this formula; it has to *learn* such a map.
2. An *untrained* G: the lessons' generator network (1 → 32 → 32 → 1, LeakyReLU,
   seeded random weights) before any training.  The network works in standard units
   (the trainer maps x = shift + scale · G_net(z), see numpygan/gan.py), so
   G'(z) = scale · G_net'(z).  We compute G'(z) by backpropagation: G.forward(z),
   then G.backward(ones) returns dG/dz for every row z (each row is its own input),
   and we check it against central finite differences.

   A LeakyReLU network is piecewise linear, so G' is piecewise constant and p_g,
   pushed from uniform noise, is a *staircase*: flat between kinks, jumping at each.
   Freshly initialised, every bias is 0, and LeakyReLU(c·t) = c·LeakyReLU(t) for
   c > 0, so G_net(c z) = c G_net(z): all the kinks sit at z = 0, the untrained map
   is two straight lines, and p_g is two flat steps (or, when the two lines head
   opposite ways, a fold: two branches whose densities add).  Training moves the
   biases, and with them the kinks, to wherever the map needs to bend.
   We evaluate the sum over branches exactly: on a fine z grid we split G into its
   monotone branches (where G(z) keeps rising or keeps falling), invert each branch
   by interpolation (polished by one Newton step) to find the preimages z of every
   x, and add p_z(z)/|G'(z)|.
   For a histogram bin [a, b] the exact mass is P(a ≤ G(z) ≤ b) = Σ_branches
   p_z · |z(b) − z(a)|, the noise mass of the bin's preimage; we compare it with a
   histogram of G(z) for i.i.d. z ~ p_z.  Because a finite sample never matches
   exactly, the comparison's JSD has a noise floor ≈ (bins − 1)/(8n) (for small
   differences JSD ≈ χ²/8, and a histogram's χ² against its exact bin masses has mean
   (bins − 1)/n; lesson 07 measures such floors); we accept up to twice the floor.

What to look at in the figures (written to --out, default lessons/out/):

- 01_p_data_and_p_z.png — the noise z (flat on [−1, 1]) and the data x (a bell at
  mu = 4): histograms of samples (densities, not counts) over the true pdfs.
- 01_generators.png — top row: the ideal G.  Its map x = G(z) is steep at the ends of
  the z line and flat in the middle; |G'(z)| is smallest at z = 0, and that is where
  p_g = p_data is highest.  Bottom row: the untrained G.  Its map is two straight
  lines meeting at z = 0, |G'(z)| two flat levels (backprop line, finite-difference
  dots on top; the dot *at* the kink is no derivative), and p_g two flat steps — far
  from p_data (dotted).  Training (lesson 04 on) has to bend this map into the top
  row's shape.  (Try --seed 3: its two lines head opposite ways, and p_g folds.)

Run:  python lessons/01_data_and_noise.py [--quick] [--seed N] [--out DIR]
"""

# %%
import _lesson

args, check = _lesson.start(__doc__)

import math

import matplotlib.pyplot as plt
import numpy as np

from numpygan import gan, metrics
from numpygan.distributions import Gaussian, Uniform, std_normal_ppf

rng = np.random.default_rng(args.seed)
N = 20_000 if args.quick else 200_000           # samples per histogram
MU, SIGMA = 4.0, 1.25
p_data = Gaussian(MU, SIGMA)
p_z = Uniform(-1.0, 1.0)
print(f"p_data = N({MU}, {SIGMA}²),  p_z = U(−1, 1),  {N:,} samples per histogram, "
      f"seed {args.seed}")

# %% [markdown]
# ## 1. Sampling p_data and p_z
# A sample of n points has mean and standard deviation close to the distribution's,
# within a few standard errors: SE(mean) = σ/√n, SE(std) ≈ σ/√(2n).

# %%
x_data = p_data.sample(N, rng)[:, 0]            # (N,)
z_noise = p_z.sample(N, rng)[:, 0]              # (N,)
se_mean, se_std = SIGMA / math.sqrt(N), SIGMA / math.sqrt(2 * N)
check.close("p_data sample mean vs mu (4 standard errors)", x_data.mean(), MU, 4 * se_mean)
check.close("p_data sample std vs sigma (4 standard errors)", x_data.std(), SIGMA, 4 * se_std)
z_se = (2 / math.sqrt(12)) / math.sqrt(N)       # the std of U(−1, 1) is 2/√12
check.close("p_z sample mean vs 0 (4 standard errors)", z_noise.mean(), 0.0, 4 * z_se)
check.true("p_z samples lie in [−1, 1]", np.all(np.abs(z_noise) <= 1.0),
           measured=f"range [{z_noise.min():.4f}, {z_noise.max():.4f}]", expect="inside [−1, 1]")

# %%
fig, (ax_z, ax_x) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
bins_z = np.linspace(-1.5, 1.5, 61)
ax_z.hist(z_noise, bins=bins_z, density=True, color="0.6", alpha=0.6,
          label=f"histogram of {N:,} z ~ p_z (60 bins on [−1.5, 1.5])")
zz = np.linspace(-1.5, 1.5, 601)
ax_z.plot(zz, p_z.pdf(zz), color="black", lw=2, label="p_z(z) = 1/2 on [−1, 1]")
ax_z.set(title="The noise prior p_z: flat on [−1, 1];\nthe histogram wobbles around 1/2",
         xlabel="z", ylabel="density", ylim=(0, 0.8))
ax_z.legend(loc="upper left", fontsize=8)
bins_x = np.linspace(MU - 5 * SIGMA, MU + 5 * SIGMA, 81)
ax_x.hist(x_data, bins=bins_x, density=True, color="0.6", alpha=0.6,
          label=f"histogram of {N:,} x ~ p_data (80 bins)")
xx = np.linspace(MU - 5 * SIGMA, MU + 5 * SIGMA, 801)
ax_x.plot(xx, p_data.pdf(xx), color="black", ls=(0, (1.5, 1.5)), lw=2,
          label=f"p_data(x) = N({MU:g}, {SIGMA:g}²)")
ax_x.set(title="The data p_data: a bell at mu = 4\nthat G must learn to imitate",
         xlabel="x", ylabel="density", ylim=(0, 1.35 * p_data.pdf(MU)))
ax_x.legend(loc="upper left", fontsize=8)
_lesson.savefig(fig, args, "01_p_data_and_p_z.png")

# %% [markdown]
# ## 2. Pushing p_z through G: the change of variables, branch by branch
# `pushforward` takes any G (a function of z) and its derivative G'(z), and returns
# p_g on an x grid and the exact mass p_g gives each histogram bin.

# %%
Z_GRID = np.linspace(-1.0, 1.0, 40_001)         # fine grid on p_z's support
P_Z = 0.5                                       # p_z(z) on [−1, 1]


def monotone_branches(gz):
    """Split a sampled map G(z_0), G(z_1), ... into index ranges where it only rises
    or only falls.  Neighbouring branches share their turning grid point."""
    step_sign = np.sign(np.diff(gz))                     # (M − 1,) one per z cell
    turns = np.flatnonzero(step_sign[1:] != step_sign[:-1]) + 1
    edges = np.concatenate([[0], turns, [gz.size - 1]])
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def pushforward(G, G_prime, x, bin_edges):
    """p_g(x) = Σ_branches p_z(z)/|G'(z)| at the preimages z of x, and exact bin masses.

    Inputs:
    - G, G_prime: functions of a (K,) z array returning (K,) arrays
    - x: (X,) points where the density is wanted
    - bin_edges: (B + 1,) increasing edges
    Returns density (X,), masses (B,), the number of branches.
    """
    gz = G(Z_GRID)                                       # (M,)
    branches = monotone_branches(gz)
    density = np.zeros_like(x)
    masses = np.zeros(bin_edges.size - 1)
    for a, b in branches:
        zb, gb = Z_GRID[a:b + 1], gz[a:b + 1]
        if gb[-1] < gb[0]:                               # a falling branch: flip it
            zb, gb = zb[::-1], gb[::-1]
        inside = (x >= gb[0]) & (x <= gb[-1])
        z_star = np.interp(x[inside], gb, zb)             # the preimages G⁻¹(x) ...
        slope = G_prime(z_star)
        # ... polished by one Newton step on G(z) = x: linear interpolation of a curved
        # G misses by ~Δz²·G''/G', which matters where G is steep (p_data's tails)
        z_star = np.clip(z_star - (G(z_star) - x[inside]) / slope, zb.min(), zb.max())
        density[inside] += P_Z / np.abs(G_prime(z_star))
        # the noise mass of each bin's preimage on this branch: p_z · |z(b) − z(a)|
        z_edges = np.interp(np.clip(bin_edges, gb[0], gb[-1]), gb, zb)
        masses += P_Z * np.abs(np.diff(z_edges))
    return density, masses, len(branches)


def jsd_of_masses(P, Q):
    """½ Σ P log(P/M) + ½ Σ Q log(Q/M), M = (P + Q)/2, with 0 log 0 = 0 (nats)."""
    M = 0.5 * (P + Q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(P > 0, P * np.log(P / M), 0.0) + np.where(Q > 0, Q * np.log(Q / M), 0.0)
    return 0.5 * float(np.sum(terms))


# %% [markdown]
# ## 3. The ideal generator: p_data's quantile function
# G(z) = mu + sigma · Φ⁻¹((z + 1)/2).  Here we take G' by central differences on the
# fine grid (no formula needed), and check that p_z/|G'| rebuilds p_data.

# %%
def G_ideal(z):
    u = np.clip((np.asarray(z) + 1.0) / 2.0, 1e-12, 1 - 1e-12)   # keep Φ⁻¹ finite at ±1
    return MU + SIGMA * np.asarray(std_normal_ppf(u))


def G_ideal_prime(z, h=1e-6):
    return (G_ideal(z + h) - G_ideal(z - h)) / (2 * h)              # central difference


def G_ideal_prime_formula(z):
    """For the figure only: d/dz [mu + sigma Φ⁻¹(u)] = sigma / (2 φ(Φ⁻¹(u))), u = (z + 1)/2."""
    t = np.asarray(std_normal_ppf((np.asarray(z) + 1.0) / 2.0))
    return SIGMA / (2.0 * np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi))


x_plot = np.linspace(MU - 5 * SIGMA, MU + 5 * SIGMA, 1201)
ideal_density, ideal_masses, ideal_branches = pushforward(G_ideal, G_ideal_prime, x_plot, bins_x)
check.true("the ideal G is monotone (one branch)", ideal_branches == 1,
           measured=f"{ideal_branches} branch(es)", expect="1")
bulk = np.abs(x_plot - MU) <= 3 * SIGMA
rel = np.max(np.abs(ideal_density[bulk] - p_data.pdf(x_plot[bulk])) / p_data.pdf(x_plot[bulk]))
check.below("ideal G: max relative |p_z/|G'| − p_data| within 3 sigma", rel, 1e-5, fmt=".2e")
x_ideal = G_ideal(p_z.sample(N, rng)[:, 0])                 # (N,) samples of p_g
w1 = metrics.w1_to_distribution(x_ideal, p_data)
# docs/THEORY.md's 95th percentile of W1, scaled by 1/√n to this N: 0.0156σ at 2e4, 0.0048σ
# at 2e5; we allow 2.2–2.5× that
w1_tol = (0.035 if args.quick else 0.012) * SIGMA
check.below(f"ideal G: W1(samples of G(z), p_data) ({N:,} samples; floor-based bound)",
            w1, w1_tol)

# %% [markdown]
# ## 4. An untrained generator: the lessons' G network before training
# `gan.gan_1d` builds the game of lessons 04–06; we only use its G here.
# G'(z) comes from backpropagation: G.forward(z) then G.backward(ones).

# %%
game = gan.gan_1d(p_data, seed=args.seed)
G_net, shift, scale = game.G, game.shift[0], game.scale[0]
print(f"G: {G_net!r}")
print(f"the trainer's units: x = shift + scale · G_net(z), shift = {shift:.4f}, "
      f"scale = {scale:.4f}")


def G_untrained(z):
    z = np.asarray(z, dtype=np.float64).reshape(-1, 1)       # (K, 1): K noise rows
    return shift + scale * G_net.forward(z)[:, 0]            # (K, 1) -> (K,)


def G_untrained_prime(z):
    """dG/dz by backprop: each row z_k only affects its own output, so with
    dout = ones the returned dx is the derivative at every z_k at once."""
    z = np.asarray(z, dtype=np.float64).reshape(-1, 1)
    out = G_net.forward(z)                                   # (K, 1)
    dz = G_net.backward(np.ones_like(out))                   # (K, 1) -> (K, 1)
    return scale * dz[:, 0]


z_unit = np.linspace(-1, 1, 201).reshape(-1, 1)               # (201, 1)
g_unit = G_net.forward(z_unit)[:, 0]
check.below("untrained G_net is two straight lines through z = 0: "
            "max |G_net(z) − |z|·G_net(±1)| (zero biases)",
            np.max(np.abs(g_unit - np.abs(z_unit[:, 0]) * np.where(z_unit[:, 0] > 0,
                                                                  g_unit[-1], g_unit[0]))),
            1e-12, fmt=".1e")

z_test = rng.uniform(-1, 1, size=1000)
g_bp = G_untrained_prime(z_test)
g_fd = (G_untrained(z_test + 1e-6) - G_untrained(z_test - 1e-6)) / 2e-6
errs = np.abs(g_bp - g_fd) / np.maximum(1e-8, np.abs(g_bp) + np.abs(g_fd))
# a difference that straddles one of G's kinks is not the derivative at z: allow a few
check.above("untrained G: fraction of 1000 random z where backprop G'(z) matches "
            "finite differences to 1e-6", np.mean(errs < 1e-6), 0.99)
check.below("untrained G: median rel_error(backprop, finite differences)",
            np.median(errs), 1e-7, fmt=".2e")

# %%
g_lo, g_hi = G_untrained(Z_GRID).min(), G_untrained(Z_GRID).max()
bins_g = np.linspace(g_lo, g_hi, 61)                         # 60 equal bins on p_g's support
x_fine = np.linspace(g_lo - 0.05 * (g_hi - g_lo), g_hi + 0.05 * (g_hi - g_lo), 20_001)
pg_density, pg_masses, n_branches = pushforward(G_untrained, G_untrained_prime, x_fine, bins_g)
print(f"untrained G on [−1, 1]: {n_branches} monotone branch(es), "
      f"G(z) in [{g_lo:.3f}, {g_hi:.3f}]")
check.close("untrained G: ∫ p_g(x) dx (change of variables, trapezoid)",
            np.trapezoid(pg_density, x_fine), 1.0, 5e-3)
check.close("untrained G: Σ exact bin masses", pg_masses.sum(), 1.0, 1e-9)
x_fake = G_untrained(p_z.sample(N, rng)[:, 0])                # (N,) i.i.d. samples
counts = np.histogram(x_fake, bins=bins_g)[0]
jsd_hist = jsd_of_masses(counts / N, pg_masses)
floor = (bins_g.size - 2) / (8 * N)                           # (bins − 1)/(8n)
check.below(f"untrained G: JSD(histogram of {N:,} G(z), exact bin masses), 60 bins "
            f"(noise floor {floor:.1e})", jsd_hist, 2 * floor, fmt=".2e")
mean_exact = np.trapezoid(G_untrained(Z_GRID) * P_Z, Z_GRID)  # E[G(z)] = ∫ G(z) p_z(z) dz
check.close("untrained G: sample mean of G(z) vs ∫ G(z) p_z(z) dz (4 standard errors)",
            x_fake.mean(), mean_exact, 4 * x_fake.std() / math.sqrt(N))
far = metrics.jsd_pdf(x_fake, p_data, MU - 6 * SIGMA, MU + 6 * SIGMA, bins=100)
check.above("untrained G is not p_data yet: JSD(p_g, p_data), 100 bins", far, 0.02)

# %%
fig, axes = plt.subplots(2, 3, figsize=(15, 8.2), layout="constrained")
def central_difference(G):
    return lambda z: (G(z + 1e-6) - G(z - 1e-6)) / 2e-6


rows = [
    ("ideal G = quantile function of p_data", G_ideal, G_ideal_prime, x_plot,
     ideal_density, x_ideal, bins_x, "central differences (h = 1e-6)",
     G_ideal_prime_formula, "formula σ / (2 φ(Φ⁻¹((z+1)/2)))"),
    ("untrained G network (seed {})".format(args.seed), G_untrained, G_untrained_prime,
     x_fine, pg_density, x_fake, bins_g, "backprop: G.backward(ones)",
     central_difference(G_untrained), "central differences (h = 1e-6)"),
]
z_show = np.linspace(-0.999, 0.999, 2001)
for (name, G, Gp, xs, dens, samples, edges, how, Gp_check, how_check), \
        (ax_map, ax_d, ax_p) in zip(rows, axes):
    ax_map.plot(z_show, G(z_show), color="#2ca02c", lw=2, label="x = G(z)")
    y_floor = ax_map.get_ylim()[0]
    for zq in np.linspace(-0.9, 0.9, 13):                     # evenly spaced z ...
        xq = float(G(np.array([zq]))[0])
        ax_map.plot([zq, zq, -1.0], [y_floor, xq, xq], color="0.7", lw=0.7,
                    zorder=0)                                  # ... land unevenly in x
    ax_map.set_ylim(bottom=y_floor)
    ax_map.set(title=f"{name}: the map z → x", xlabel="z  (noise, p_z = U(−1, 1))",
               ylabel="x = G(z)", xlim=(-1, 1))
    ax_map.legend(loc="best", fontsize=8,
                  title="grey: 13 evenly spaced z", title_fontsize=8)
    ax_d.semilogy(z_show, np.abs(Gp(z_show)), color="#1f5fbf", lw=1.8,
                  label=f"|G'(z)| by {how}")
    zd = np.linspace(-0.96, 0.96, 25)
    ax_d.semilogy(zd, np.abs(Gp_check(zd)), "o", ms=4, mfc="none", color="black",
                  label=f"check: {how_check}")
    if G is G_untrained and np.any(np.abs(zd) < 1e-9):
        ax_d.annotate("a difference across the kink\nat z = 0 is no derivative",
                      (0.0, abs(Gp_check(np.zeros(1))[0])), xytext=(0.12, 0.12),
                      textcoords="axes fraction", fontsize=8,
                      arrowprops=dict(arrowstyle="->", color="0.4"))
    ax_d.set(title="|G'(z)|: small where G contracts → p_g high there", xlabel="z",
             ylabel="|G'(z)|  (log scale)")
    if G is G_untrained:   # the legend right of the kink, clear of its arrow and the lines
        ax_d.legend(fontsize=7, loc="center left", bbox_to_anchor=(0.52, 0.55))
    else:
        ax_d.legend(fontsize=8)
    ax_p.hist(samples, bins=edges, density=True, color="#2ca02c", alpha=0.25,
              label=f"histogram of {N:,} G(z) ({edges.size - 1} equal bins)")
    ax_p.plot(xs, dens, color="#2ca02c", lw=1.6,
              label="p_g(x) = Σ p_z(z)/|G'(z)| (change of variables)")
    ax_p.plot(x_plot, p_data.pdf(x_plot), color="black", ls=(0, (1.5, 1.5)), lw=2,
              label="p_data")
    ax_p.set(xlabel="x", ylabel="density", xlim=(x_plot[0], x_plot[-1]),
             ylim=(0, 1.45 * max(dens.max(), p_data.pdf(MU))))
    ax_p.legend(fontsize=8, loc="upper left")
axes[0, 2].set_title("ideal G: p_g = p_data exactly")
axes[1, 2].set_title(f"untrained G: p_g is flat steps ({n_branches} branch"
                     f"{'es' if n_branches > 1 else ''}), far from p_data")
_lesson.savefig(fig, args, "01_generators.png")

# %%
check.finish()
