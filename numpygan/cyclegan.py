"""CycleGAN in miniature (Zhu et al. 2017): unpaired translation between two domains X and Y.

Two generators and two discriminators:

    G: X -> Y,   F: Y -> X            (Sequential, (N, d_X) -> (N, d_Y) and back)
    D_Y judges y against G(x),  D_X judges x against F(y)      (logits, (N, 1))

The full objective (Eq. 3), with the adversarial losses of Eq. 1 (the BCE form of
Goodfellow et al. 2014, from logits; G and F use the non-saturating version, §3) and
the cycle-consistency loss of Eq. 2:

    L(G, F, D_X, D_Y) = L_GAN(G, D_Y, X, Y) + L_GAN(F, D_X, Y, X) + λ L_cyc(G, F)
    L_cyc(G, F)       = E_x ‖F(G(x)) − x‖₁ + E_y ‖G(F(y)) − y‖₁

D_X and D_Y ascend their L_GAN; G and F descend

    L_GF = −E_x log D_Y(G(x)) − E_y log D_X(F(y)) + λ L_cyc(G, F).

Why the cycle term: x and y are sampled independently (no pairs), so the adversarial
terms only ask that G(X) be distributed like Y and F(Y) like X.  Any G composed with
a map that shuffles X onto itself (a rotation of a ring, say) is as good for them;
L_cyc picks, among those, a G and an F that undo each other.

The generator step, by hand (each network's ``forward``, ``backward``, ``params()``,
``grads()``; the optimizers' ``step(params, grads)``):

    ŷ = G(x)          x̂ = F(ŷ)     (the forward cycle  x -> Y -> X)
    x̃ = F(y)          ỹ = G(x̃)     (the backward cycle y -> X -> Y)

G runs twice (on x and on x̃) and F twice (on ŷ and on y).  A Sequential keeps the
cache of its last forward only, so F runs once on the stacked batch [ŷ; y], and G is
run forward on x again just before its second backward.  G's gradient is the sum of
its two backward passes: dL/dθ_G = (through ỹ = G(x̃)) + (through ŷ = G(x)).

Data units are used as given (no standardisation): keep both domains of order 1.
"""

from __future__ import annotations

import math

import numpy as np

from . import losses
from .gan import discriminator_step
from .network import Sequential


def check_lambda(lam):
    """λ, the weight of the cycle loss: a finite number >= 0 (0: the adversarial terms alone)."""
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)) \
            or not math.isfinite(lam) or lam < 0:
        raise ValueError(f"lam (λ, the cycle loss's weight) must be a finite number >= 0, "
                         f"got {lam!r}")
    return float(lam)


def _check_batch(name, a, width):
    if not isinstance(a, np.ndarray) or a.ndim != 2 or a.shape[1] != width or a.size == 0:
        got = f"shape {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__
        raise ValueError(f"{name} must be a non-empty array of shape (m, {width}), got {got}")


def generator_gradients(G, F, D_X, D_Y, x, y, lam):
    """L_GF on a batch and its gradients, left in G.grads() and F.grads() (D's unused).

    Inputs:
    - G: X -> Y and F: Y -> X (Sequential);  D_X, D_Y: their discriminators (logits)
    - x: (m, d_X) samples of X;  y: (n, d_Y) samples of Y, drawn independently
    - lam: λ >= 0, the weight of the cycle loss
    Returns a dict: loss (L_GF), adv_G, adv_F (the non-saturating losses of G and F),
    cyc_x = mean ‖F(G(x)) − x‖₁, cyc_y = mean ‖G(F(y)) − y‖₁, and d_fake_y =
    mean D_Y(G(x)), d_fake_x = mean D_X(F(y)).
    """
    lam = check_lambda(lam)
    _check_batch("x", x, G.n_in)
    _check_batch("y", y, F.n_in)
    m = x.shape[0]
    # forward: both cycles, F once on the stacked batch
    y_hat = G.forward(x)                                  # (m, d_X) -> (m, d_Y)
    xs = F.forward(np.concatenate([y_hat, y], axis=0))    # (m + n, d_Y) -> (m + n, d_X)
    x_rec, x_tilde = xs[:m], xs[m:]                       # F(G(x)) (m, d_X), F(y) (n, d_X)
    y_rec = G.forward(x_tilde)                            # G(F(y)) (n, d_Y); G's cache: x̃
    # the adversarial terms: dL/d(logits) -> dL/d(input) through each D (not updated)
    adv_G, d_logits_y, d_fake_y = losses.generator_loss_and_mean(D_Y.forward(y_hat))
    adv_F, d_logits_x, d_fake_x = losses.generator_loss_and_mean(D_X.forward(x_tilde))
    d_y_hat = D_Y.backward(d_logits_y)                    # (m, 1) -> (m, d_Y)
    d_x_tilde = D_X.backward(d_logits_x)                  # (n, 1) -> (n, d_X)
    # the cycle terms: λ · (sub)gradient of the L1 loss at each reconstruction
    cyc_x, d_x_rec = losses.l1_cycle_loss(x_rec, x)       # (m, d_X)
    cyc_y, d_y_rec = losses.l1_cycle_loss(y_rec, y)       # (n, d_Y)
    # backward, latest forward first: G on x̃ (its cache now), then F, then G on x
    d_x_tilde = d_x_tilde + G.backward(lam * d_y_rec)     # (n, d_Y) -> (n, d_X)
    g_from_backward_cycle = [g.copy() for g in G.grads()]
    d_stacked = F.backward(np.concatenate([lam * d_x_rec, d_x_tilde], axis=0))
    d_y_hat = d_y_hat + d_stacked[:m]                     # (m, d_Y): dL/dŷ, both terms
    G.forward(x)                                          # restore G's cache for x
    G.backward(d_y_hat)                                   # (m, d_Y) -> G's grads via ŷ
    for g, g_other in zip(G.grads(), g_from_backward_cycle):
        g += g_other                                      # G's two uses add up
    return {"loss": adv_G + adv_F + lam * (cyc_x + cyc_y), "adv_G": adv_G, "adv_F": adv_F,
            "cyc_x": cyc_x, "cyc_y": cyc_y, "d_fake_y": d_fake_y, "d_fake_x": d_fake_x}


class CycleGAN:
    """G: X -> Y, F: Y -> X, D_X, D_Y, and the alternating steps that train them.

    Inputs:
    - G, F, D_X, D_Y: Sequential networks (four different ones); D_X and D_Y output
      one logit per sample
    - p_x, p_y: the two domains' distributions (``sample(n, rng)``, ``dim``), sampled
      independently: no pair (x, y) is ever given
    - opts: four optimizers, for G, F, D_X, D_Y (``step(params, grads)``), one each
    - lam: λ >= 0, the cycle loss's weight (Zhu et al. use 10); 0 trains the two
      translations as two unrelated GANs
    - batch: m samples of each domain per step;  seed: the rng of all sampling
    """

    def __init__(self, G, F, D_X, D_Y, p_x, p_y, opts, lam=10.0, batch=128, seed=0):
        nets = {"G": G, "F": F, "D_X": D_X, "D_Y": D_Y}
        for name, net in nets.items():
            if not isinstance(net, Sequential):
                raise ValueError(f"{name} must be a numpygan Sequential, got "
                                 f"{type(net).__name__}")
        if len({id(net) for net in nets.values()}) != 4:
            raise ValueError("G, F, D_X and D_Y must be four different networks")
        for name, dist in (("p_x", p_x), ("p_y", p_y)):
            if not (callable(getattr(dist, "sample", None)) and hasattr(dist, "dim")):
                raise ValueError(f"{name} must be a distribution with sample(n, rng) and "
                                 f"dim, got {type(dist).__name__}")
        shapes = {"G": (G.n_in, G.n_out), "F": (F.n_in, F.n_out), "D_X": (D_X.n_in, D_X.n_out),
                  "D_Y": (D_Y.n_in, D_Y.n_out)}
        want = {"G": (p_x.dim, p_y.dim), "F": (p_y.dim, p_x.dim), "D_X": (p_x.dim, 1),
                "D_Y": (p_y.dim, 1)}
        for name in nets:
            if shapes[name] != want[name]:
                raise ValueError(f"{name} maps {shapes[name][0]} -> {shapes[name][1]} "
                                 f"features, expected {want[name][0]} -> {want[name][1]}")
        opts = list(opts) if isinstance(opts, (list, tuple)) else opts
        if not isinstance(opts, list) or len(opts) != 4 or len({id(o) for o in opts}) != 4 \
                or not all(callable(getattr(o, "step", None)) for o in opts):
            raise ValueError("opts must be four different optimizers, for G, F, D_X, D_Y")
        self.G, self.F, self.D_X, self.D_Y = G, F, D_X, D_Y
        self.p_x, self.p_y = p_x, p_y
        self.g_opt, self.f_opt, self.dx_opt, self.dy_opt = opts
        self.lam = check_lambda(lam)
        if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
            raise ValueError(f"batch must be an integer >= 1, got {batch!r}")
        self.batch = int(batch)
        self.rng = np.random.default_rng(seed)
        self.step_count = 0
        self.history = {key: [] for key in ("loss", "adv_G", "adv_F", "cyc_x", "cyc_y",
                                            "d_real_x", "d_fake_x", "d_real_y", "d_fake_y")}

    def step(self):
        """One iteration: a step of D_Y and of D_X (Algorithm 1's D-step, k = 1), then one
        step of G and F together on L_GF (``generator_gradients``).  Returns its numbers."""
        m = self.batch
        x = self.p_x.sample(m, self.rng)                  # (m, d_X)
        y = self.p_y.sample(m, self.rng)                  # (m, d_Y), independent of x
        dy = discriminator_step(self.D_Y, self.dy_opt, y, self.G.forward(x))
        dx = discriminator_step(self.D_X, self.dx_opt, x, self.F.forward(y))
        x = self.p_x.sample(m, self.rng)                  # fresh batches for G and F
        y = self.p_y.sample(m, self.rng)
        stats = generator_gradients(self.G, self.F, self.D_X, self.D_Y, x, y, self.lam)
        self.g_opt.step(self.G.params(), self.G.grads())
        self.f_opt.step(self.F.params(), self.F.grads())
        self.step_count += 1
        stats.update(d_real_x=dx["d_real"], d_fake_x=dx["d_fake"], d_real_y=dy["d_real"],
                     d_fake_y=dy["d_fake"])
        for key in self.history:
            self.history[key].append(stats[key])
        return stats

    def train(self, steps, callback=None, every=100):
        """``steps`` iterations; ``callback(cyclegan)`` before the first and every ``every``."""
        for name, value in (("steps", steps), ("every", every)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if callback is not None and self.step_count == 0:
            callback(self)
        for _ in range(steps):
            self.step()
            if callback is not None and self.step_count % every == 0:
                callback(self)
        return self.history

    def translate(self, x):
        """G(x): X -> Y, (N, d_X) -> (N, d_Y)."""
        _check_batch("x", np.asarray(x), self.G.n_in)
        return self.G.forward(np.asarray(x, dtype=self.G.dtype))

    def translate_back(self, y):
        """F(y): Y -> X, (N, d_Y) -> (N, d_X)."""
        _check_batch("y", np.asarray(y), self.F.n_in)
        return self.F.forward(np.asarray(y, dtype=self.F.dtype))

    def cycle_error(self, x):
        """mean ‖F(G(x)) − x‖₁ over the rows of x: the forward cycle's error."""
        x = np.asarray(x, dtype=self.G.dtype)
        return float(np.mean(np.sum(np.abs(self.translate_back(self.translate(x)) - x), axis=1)))
