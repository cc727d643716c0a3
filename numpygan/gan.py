"""The GAN game of Goodfellow et al. 2014: Algorithm 1, step by step.

The two players and the value function (Eq. 1):

    V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))]

D ascends V, G descends it.  Algorithm 1, per training iteration:

    for k steps:                                 (discriminator_step)
        sample m noise z ~ p_z and m data x ~ p_data
        ascend  (1/m) Σ [log D(x) + log(1 − D(G(z)))]   w.r.t. D's parameters
    sample m fresh noise z ~ p_z                 (generator_step)
    descend (1/m) Σ log(1 − D(G(z)))                     w.r.t. G's parameters
        (or, non-saturating, §3: ascend (1/m) Σ log D(G(z)))

In the generator step the gradient flows *through* D to G (dL/dx = D.backward),
but D's parameters do not move: only G's optimizer steps.

D outputs logits a (never probabilities): D(x) = σ(a), and the losses in
``losses.py`` work from a directly, stably.

Standardisation (visible, on by default): D and G work in standard units
u = (x − shift) / scale, where shift and scale are the mean and standard
deviation of a large sample of p_data drawn at the start.  D sees u; G
outputs u; ``sample()`` maps G's output back to data units,
x = shift + scale · u.  This is what lets one set of defaults work for
N(4, 1.25²) and N(10, 3²) alike (THEORY.md, "What makes the 1D game converge").
"""

from __future__ import annotations

import numpy as np

from . import losses
from .network import Sequential, mlp
from .optim import Adam

GENERATOR_LOSSES = tuple(losses.GENERATOR_LOSSES)
SCHEDULES = ("constant", "linear")


class DivergenceError(RuntimeError):
    """Training produced NaN or inf; the message names the network, the step and a remedy."""

    def __init__(self, message, network=None, step=None):
        super().__init__(message)
        self.network = network
        self.step = step


# ---------------------------------------------------------------------------
# One step of each player, as free functions: the exercises check these.
# ---------------------------------------------------------------------------
def discriminator_step(D, d_opt, x_real, x_fake, real_target=1.0):
    """One ascent step of D on V: descend ``BCE(D(x_real), 1) + BCE(D(x_fake), 0)``.

    Inputs:
    - D: Sequential, (N, d) -> (N, 1) logits
    - d_opt: D's optimizer
    - x_real: (m, d) data samples;  x_fake: (m, d) generated samples G(z)
    - real_target: 1 (or α < 1 for one-sided label smoothing)
    Returns a dict: loss (= −V on the batch), d_real = mean D(x_real),
    d_fake = mean D(x_fake), value = mean log D(x) + mean log(1 − D(G(z))).
    """
    m = x_real.shape[0]
    x = np.concatenate([x_real, x_fake], axis=0)   # (2m, d): one pass for both
    logits = D.forward(x)                          # (2m, 1)
    real_logits, fake_logits = logits[:m], logits[m:]
    loss, d_real_logits, d_fake_logits = losses.discriminator_loss(
        real_logits, fake_logits, real_target=real_target)
    D.backward(np.concatenate([d_real_logits, d_fake_logits], axis=0))  # (2m, 1)
    d_opt.step(D.params(), D.grads())
    # V on this batch, from logits: log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a)
    value = -float(np.mean(losses.softplus(-real_logits))) \
        - float(np.mean(losses.softplus(fake_logits)))
    return {
        "loss": loss,
        "d_real": float(np.mean(losses.sigmoid(real_logits))),
        "d_fake": float(np.mean(losses.sigmoid(fake_logits))),
        "value": value,
    }


def generator_step(G, D, g_opt, z, loss="non-saturating"):
    """One step of G through a fixed D.

    u = G(z) (m, d);  a = D(u) (m, 1);  L_G = loss(a)
    dL/du = D.backward(dL/da)   (D's gradients are computed on the way, never applied)
    dL/dθ_G = G.backward(dL/du);  g_opt.step(G's parameters)

    Returns a dict: loss, d_fake = mean D(G(z)) before the step.
    """
    u = G.forward(z)                                 # (m, Z) -> (m, d)
    logits = D.forward(u)                            # (m, d) -> (m, 1)
    g_loss, dlogits = losses.generator_loss(logits, kind=loss)
    du = D.backward(dlogits)                         # (m, 1) -> (m, d), D not updated
    G.backward(du)                                   # (m, d) -> (m, Z), fills G's grads
    g_opt.step(G.params(), G.grads())
    return {"loss": g_loss, "d_fake": float(np.mean(losses.sigmoid(logits)))}


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


HISTORY_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "value", "lr_d", "lr_g")


class GAN:
    """Generator G, discriminator D, and Algorithm 1 to train them.

    Inputs:
    - G: Sequential, noise (m, Z) -> standardised samples (m, d)
    - D: Sequential, standardised samples (m, d) -> logits (m, 1)
    - p_data: the data distribution (``sample(n, rng)``, ``dim``)
    - p_z: the noise prior (``sample(n, rng)``, ``dim`` = Z)
    - d_opt, g_opt: optimizers (default Adam(1e-3, β1 = 0.5), one each)
    - loss: "non-saturating" (default) or "minimax", G's loss
    - k: D steps per G step (Algorithm 1's k)
    - batch: m, the minibatch size of each player's step
    - seed: seeds the one np.random.Generator all of the game's sampling draws from
    - standardize: train in standard units (see the module docstring)
    - schedule: "linear" decays both learning rates linearly to ``final_lr_frac``
      of their start over ``train``'s planned steps; "constant" keeps them
    - real_target: D's target for real samples (1, or α < 1 for label smoothing)
    """

    def __init__(self, G, D, p_data, p_z, d_opt=None, g_opt=None, loss="non-saturating",
                 k=1, batch=128, seed=0, standardize=True, schedule="linear",
                 final_lr_frac=0.02, real_target=1.0, check_every=1):
        if not isinstance(G, Sequential) or not isinstance(D, Sequential):
            raise ValueError("G and D must be numpygan Sequential networks (see numpygan.mlp)")
        if G is D:
            raise ValueError("G and D must be two different networks")
        for name, dist in (("p_data", p_data), ("p_z", p_z)):
            if not hasattr(dist, "sample") or not hasattr(dist, "dim"):
                raise ValueError(f"{name} must be a numpygan distribution with sample(n, rng) "
                                 f"and dim, got {type(dist).__name__}")
        if G.n_in != p_z.dim:
            raise ValueError(f"G takes {G.n_in} inputs but the noise p_z has dim {p_z.dim}")
        if G.n_out != p_data.dim:
            raise ValueError(f"G outputs {G.n_out} features but p_data has dim {p_data.dim}")
        if D.n_in != p_data.dim:
            raise ValueError(f"D takes {D.n_in} inputs but p_data has dim {p_data.dim}")
        if D.n_out != 1:
            raise ValueError(f"D must output one logit per sample, but it outputs {D.n_out}")
        if loss not in GENERATOR_LOSSES:
            raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, got {loss!r}")
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
        if not (0 < final_lr_frac <= 1):
            raise ValueError(f"final_lr_frac must be in (0, 1], got {final_lr_frac!r}")
        if not (0 < real_target <= 1):
            raise ValueError(f"real_target must be in (0, 1], got {real_target!r}")
        self.G, self.D = G, D
        self.p_data, self.p_z = p_data, p_z
        self.d_opt = d_opt if d_opt is not None else Adam(1e-3, beta1=0.5)
        self.g_opt = g_opt if g_opt is not None else Adam(1e-3, beta1=0.5)
        if self.d_opt is self.g_opt:
            raise ValueError("D and G need separate optimizers (each keeps per-parameter state)")
        self.loss = loss
        self.k = _positive_int("k", k)
        self.batch = _positive_int("batch", batch)
        self.seed = _positive_int("seed", seed, minimum=0)
        self.rng = np.random.default_rng(self.seed)
        self.schedule = schedule
        self.final_lr_frac = float(final_lr_frac)
        self.real_target = float(real_target)
        self.check_every = _positive_int("check_every", check_every)
        self.lr_d0, self.lr_g0 = self.d_opt.lr, self.g_opt.lr
        self.dtype = G.dtype
        if standardize:
            ref = p_data.sample(100_000, self.rng)          # (100000, d)
            self.shift = ref.mean(axis=0)                   # (d,)
            self.scale = ref.std(axis=0)                    # (d,)
        else:
            self.shift = np.zeros(p_data.dim)
            self.scale = np.ones(p_data.dim)
        self.step_count = 0
        self.total_steps = None
        self.history = {key: [] for key in HISTORY_KEYS}

    # -- units ---------------------------------------------------------------
    def to_standard(self, x):
        """Data units -> the standard units D and G work in: u = (x − shift) / scale."""
        return ((x - self.shift) / self.scale).astype(self.dtype, copy=False)

    def to_data(self, u):
        """Standard units -> data units: x = shift + scale · u."""
        return self.shift + self.scale * u

    # -- using the players -----------------------------------------------------
    def _as_2d(self, a, width, name):
        a = np.asarray(a)
        if a.dtype.kind not in "fiu":
            raise ValueError(f"{name} must be numeric, got dtype {a.dtype}")
        if a.ndim == 1 and width == 1:
            a = a.reshape(-1, 1)
        if a.ndim != 2 or a.shape[1] != width:
            raise ValueError(f"{name} must have shape (N, {width}), got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or inf")
        return a.astype(self.dtype)

    def generate(self, z):
        """x = G(z) in data units: z (N, Z) -> (N, d)."""
        z = self._as_2d(z, self.G.n_in, "z")
        return self.to_data(self.G.forward(z))

    def sample(self, n, rng=None):
        """n samples of p_g in data units, (n, d).  Uses ``rng`` if given, else the game's."""
        n = _positive_int("n", n)
        rng = self.rng if rng is None else rng
        return self.generate(self.p_z.sample(n, rng))

    def discriminator_logits(self, x):
        """D's logits for x given in data units: (N, d) -> (N,)."""
        x = self._as_2d(x, self.D.n_in, "x")
        return self.D.forward(self.to_standard(x))[:, 0]

    def discriminate(self, x):
        """D(x) = σ(logit) for x in data units: (N, d) or (N,) -> (N,) in [0, 1]."""
        return losses.sigmoid(self.discriminator_logits(x))

    # -- training ------------------------------------------------------------
    def _lr_factor(self):
        if self.schedule == "constant" or not self.total_steps:
            return 1.0
        progress = min(self.step_count / self.total_steps, 1.0)
        return 1.0 - (1.0 - self.final_lr_frac) * progress

    def _check_finite(self, name, net, extra=()):
        for a in list(extra) + net.params():
            if not np.all(np.isfinite(a)):
                lr = (self.d_opt if name == "D" else self.g_opt).lr
                raise DivergenceError(
                    f"{name} diverged at step {self.step_count}: its "
                    f"{'outputs' if extra and a is extra[0] else 'parameters'} became NaN/inf. "
                    f"Try a lower learning rate (D lr {self.d_opt.lr:.3g}, G lr "
                    f"{self.g_opt.lr:.3g}; {name}'s is {lr:.3g}), a smaller k, or the "
                    "non-saturating loss.", network=name, step=self.step_count)

    def step(self):
        """One iteration of Algorithm 1: k D-steps, then one G-step.  Returns its statistics."""
        factor = self._lr_factor()
        self.d_opt.lr = self.lr_d0 * factor
        self.g_opt.lr = self.lr_g0 * factor
        m = self.batch
        for _ in range(self.k):
            x_real = self.to_standard(self.p_data.sample(m, self.rng))  # (m, d)
            z = self.p_z.sample(m, self.rng).astype(self.dtype, copy=False)  # (m, Z)
            x_fake = self.G.forward(z)                                  # (m, d)
            self._guard("G", x_fake)
            d_stats = self._guarded(
                "D", lambda: discriminator_step(self.D, self.d_opt, x_real, x_fake,
                                                self.real_target))
        z = self.p_z.sample(m, self.rng).astype(self.dtype, copy=False)  # fresh noise
        g_stats = self._guarded(
            "G", lambda: generator_step(self.G, self.D, self.g_opt, z, loss=self.loss))
        self.step_count += 1
        if self.step_count % self.check_every == 0:
            self._check_finite("D", self.D)
            self._check_finite("G", self.G)
        stats = {
            "step": self.step_count,
            "d_loss": d_stats["loss"],
            "g_loss": g_stats["loss"],
            "d_real": d_stats["d_real"],
            "d_fake": d_stats["d_fake"],
            "value": d_stats["value"],
            "lr_d": self.d_opt.lr,
            "lr_g": self.g_opt.lr,
        }
        for key in HISTORY_KEYS:
            self.history[key].append(stats[key])
        return stats

    def _guard(self, name, out):
        if not np.all(np.isfinite(out)):
            self._check_finite(name, self.G if name == "G" else self.D, extra=(out,))

    def _guarded(self, name, fn):
        try:
            return fn()
        except ValueError as exc:
            if "NaN or inf" in str(exc):
                who = "D" if name == "D" else "G or D"
                raise DivergenceError(
                    f"{who} diverged at step {self.step_count}: D's logits became NaN/inf. "
                    f"Try a lower learning rate (D lr {self.d_opt.lr:.3g}, G lr "
                    f"{self.g_opt.lr:.3g}).", network=name, step=self.step_count) from exc
            raise

    def train(self, steps, callback=None, every=100, total=None):
        """Run ``steps`` iterations of Algorithm 1.

        ``callback(gan)`` is called before the first step (if starting from 0) and after
        every ``every`` steps.  ``total`` is the length of the whole planned run for the
        learning-rate schedule (default: the steps done so far plus ``steps``).
        Returns the history (dict of lists, one entry per step).
        """
        steps = _positive_int("steps", steps)
        every = _positive_int("every", every)
        if total is not None:
            self.total_steps = _positive_int("total", total)
        elif self.total_steps is None or self.total_steps < self.step_count + steps:
            self.total_steps = self.step_count + steps
        if callback is not None and self.step_count == 0:
            callback(self)
        for _ in range(steps):
            self.step()
            if callback is not None and self.step_count % every == 0:
                callback(self)
        return self.history

    # -- pictures' data (gan.py never draws; plots.py does) ----------------------
    def snapshot(self, x=None, n_samples=10_000, n_lines=24, rng=None):
        """The data for a Figure-1 panel now: a dict as ``plots.figure1_panel`` expects."""
        if self.p_data.dim != 1:
            raise ValueError("snapshot() draws 1D games; p_data has dim "
                             f"{self.p_data.dim}")
        if x is None:
            x = np.linspace(self.shift[0] - 4.5 * self.scale[0],
                            self.shift[0] + 4.5 * self.scale[0], 400)
        rng = np.random.default_rng(12345) if rng is None else rng
        samples = self.sample(n_samples, rng)[:, 0]
        lo, hi = getattr(self.p_z, "low", -1.0), getattr(self.p_z, "high", 1.0)
        if self.p_z.dim != 1:
            z_lines = None
            gz = None
        else:
            if not hasattr(self.p_z, "low"):  # a Gaussian prior: show ±2σ
                lo, hi = -2.0, 2.0
            z_lines = np.linspace(lo, hi, n_lines + 2)[1:-1]
            gz = self.generate(z_lines.reshape(-1, 1))[:, 0]
        p_data = self.p_data.pdf(x) if hasattr(self.p_data, "pdf") else None
        d = self.discriminate(x)
        return {
            "step": self.step_count, "x": x, "p_data": p_data, "d": d, "d_star": None,
            "samples": samples, "z": z_lines, "gz": gz, "z_range": (lo, hi),
        }


def gan_1d(p_data, hidden=32, d_hidden=64, g_act="leaky_relu", lr=2e-3, lr_g=None,
           beta1=0.5, k=1, batch=128, loss="non-saturating", noise="uniform", seed=0,
           schedule="linear", **kwargs):
    """The lessons' and the demo's 1D game, with defaults that converge across targets.

    G: 1 → hidden → hidden → 1, ``g_act`` hidden units (LeakyReLU(0.2): a piecewise-
       linear map, which can bend uniform noise into a bell's steep tails)
    D: 1 → d_hidden → d_hidden → 1, LeakyReLU(0.2), logits out
    Adam(lr, β1 = 0.5) for each (``lr_g`` sets G's separately), k D-steps per G-step,
    both learning rates decayed linearly over the run (``schedule="linear"``).
    Extra keyword arguments go to ``GAN``.
    """
    from .distributions import Gaussian, Uniform

    if noise not in ("uniform", "normal"):
        raise ValueError(f"noise must be 'uniform' or 'normal', got {noise!r}")
    _positive_int("hidden", hidden)
    _positive_int("d_hidden", d_hidden)
    rng = np.random.default_rng([_positive_int("seed", seed, minimum=0), 1])  # init weights
    G = mlp([1, hidden, hidden, 1], hidden=g_act, rng=rng)
    D = mlp([1, d_hidden, d_hidden, 1], hidden="leaky_relu", rng=rng)
    p_z = Uniform(-1.0, 1.0) if noise == "uniform" else Gaussian(0.0, 1.0)
    return GAN(G, D, p_data, p_z,
               d_opt=Adam(lr, beta1=beta1),
               g_opt=Adam(lr if lr_g is None else lr_g, beta1=beta1),
               loss=loss, k=k, batch=batch, seed=seed, schedule=schedule, **kwargs)
