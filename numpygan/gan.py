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
N(4, 1.25²) and N(10, 3²) alike (docs/THEORY.md, "What makes the 1D game converge").

The conditional GAN (Mirza & Osindero 2014) is the same loop given a label sampler
p_y: G(z, y) and D(x, y) see the label as a one-hot vector beside z and x (``GAN``).
"""

from __future__ import annotations

import contextlib
import copy
import math
import numpy as np

from . import losses
from .distributions import one_hot
from .gan_setup import (HISTORY_KEYS, check_optimizer, check_players, check_settings,
                        check_units, counters_from_state, generator_from_state,
                        history_from_state, positive_int)
from .network import mlp
from .optim import Adam


class DivergenceError(RuntimeError):
    """Training produced NaN or inf; the message names the network, the step and a remedy."""

    def __init__(self, message, network=None, step=None):
        super().__init__(message)
        self.network = network
        self.step = step


# The conditional GAN's input: a label as a one-hot vector (distributions.one_hot)
# beside z and beside x.
def condition(a, y, who="x"):
    """[a, y]: the network input of a conditional player, a (N, w) beside one-hot y (N, K).

    y None: a itself (the unconditional game).  A y whose rows differ from a's
    (a label array of the wrong length) is refused with a ValueError.
    """
    if y is None:
        return a
    if not isinstance(y, np.ndarray) or y.ndim != 2:
        got = f"shape {y.shape}" if isinstance(y, np.ndarray) else type(y).__name__
        raise ValueError(f"the one-hot labels beside {who} must be an (N, K) array "
                         f"(see distributions.one_hot), got {got}")
    if y.shape[0] != a.shape[0]:
        raise ValueError(f"{y.shape[0]} labels for a batch of {a.shape[0]} {who}: "
                         "one label per sample is needed")
    return np.concatenate([a, y.astype(a.dtype, copy=False)], axis=1)   # (N, w + K)


def _check_width(net, name, a, y, who):
    """The input [a, y] (a alone when y is None) must be as wide as the network's input."""
    if not isinstance(a, np.ndarray) or a.ndim != 2:
        got = f"shape {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__
        raise ValueError(f"{who}: {name} must be an array of shape (m, features), got {got}")
    k = y.shape[1] if isinstance(y, np.ndarray) and y.ndim == 2 else 0  # condition() checks y
    if a.shape[1] + k == net.n_in:
        return
    if y is None:
        raise ValueError(f"{who}: {name} must be an array of shape (m, {net.n_in}), "
                         f"got shape {a.shape}")
    raise ValueError(f"{who}: {name} ({a.shape[1]} features) beside one-hot labels of width "
                     f"{k} makes {a.shape[1] + k} inputs, but the network takes {net.n_in}")


# ---------------------------------------------------------------------------
# One step of each player, as free functions: the exercises check these.
# ---------------------------------------------------------------------------
def discriminator_step(D, d_opt, x_real, x_fake, real_target=1.0, y_real=None, y_fake=None):
    """One ascent step of D on V: descend ``BCE(D(x_real), 1) + BCE(D(x_fake), 0)``.

    Inputs:
    - D: Sequential, (N, d) -> (N, 1) logits;  (N, d + K) when conditional
    - d_opt: D's optimizer
    - x_real: (m, d) data samples;  x_fake: (m, d) generated samples G(z)
    - real_target: 1 (or α < 1 for one-sided label smoothing)
    - y_real, y_fake: None, or the samples' one-hot labels (m, K): D then judges
      D(x, y) = D([x, y]) (conditional GAN, Mirza & Osindero 2014)
    Returns a dict: loss (= −V on the batch), d_real = mean D(x_real),
    d_fake = mean D(x_fake), value = mean log D(x) + mean log(1 − D(G(z))).
    """
    for name, x, y in (("x_real", x_real, y_real), ("x_fake", x_fake, y_fake)):
        _check_width(D, name, x, y, "discriminator_step")
    m = x_real.shape[0]
    x = np.concatenate([condition(x_real, y_real, "x_real"),
                        condition(x_fake, y_fake, "x_fake")], axis=0)  # (2m, d [+ K])
    logits = D.forward(x)                          # (2m, 1): one pass for both
    real_logits, fake_logits = logits[:m], logits[m:]
    # losses.discriminator_loss, with mean D(x) and mean D(G(z)) from the same pass
    loss, d_real_logits, d_fake_logits, d_real, d_fake = \
        losses.discriminator_loss_and_means(real_logits, fake_logits, real_target=real_target)
    # (2m, 1) -> D's gradients; dL/dx itself is not needed
    D.backward(np.concatenate([d_real_logits, d_fake_logits], axis=0), input_grad=False)
    d_opt.step(D.params(), D.grads())
    # V on this batch, from logits: log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a)
    # (with real_target 1 it is −loss; label smoothing changes the loss, not V)
    value = -loss if real_target == 1 else losses.value_on_batch(real_logits, fake_logits)
    return {"loss": loss, "d_real": d_real, "d_fake": d_fake, "value": value}


def generator_step(G, D, g_opt, z, loss="non-saturating", y=None):
    """One step of G through a fixed D.

    u = G(z) (m, d);  a = D(u) (m, 1);  L_G = loss(a)
    dL/du = D.backward(dL/da)   (D's gradients are computed on the way, never applied)
    dL/dθ_G = G.backward(dL/du);  g_opt.step(G's parameters)

    Conditional (y: one-hot labels (m, K)): u = G([z, y]), a = D([u, y]); the
    gradient D.backward returns is for [u, y], and only its first d columns, dL/du,
    go on to G (y is an input, not something G makes).

    Returns a dict: loss, d_fake = mean D(G(z)) before the step.
    """
    if y is not None:
        _check_width(G, "z", z, y, "generator_step")
    u = G.forward(condition(z, y, "z"))              # (m, Z [+ K]) -> (m, d)
    logits = D.forward(condition(u, y, "G(z)"))      # (m, d [+ K]) -> (m, 1)
    # losses.generator_loss, with mean D(G(z)) from the same pass
    g_loss, dlogits, d_fake = losses.generator_loss_and_mean(logits, kind=loss)
    du = D.backward(dlogits)[:, :u.shape[1]]         # (m, 1) -> (m, d), D not updated
    G.backward(du, input_grad=False)                 # (m, d) -> G's grads (dL/dz unused)
    g_opt.step(G.params(), G.grads())
    return {"loss": g_loss, "d_fake": d_fake}


def _one_blas_thread():
    """Run NumPy's BLAS on one thread while training (restored afterwards).

    The game's matrices are tiny (a batch of 128 by a few dozen units): handing
    each product to several BLAS threads costs more than it saves, and on a busy
    2-core machine it made the NumPy backend several times slower.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it, BLAS keeps its own thread count
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


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
    - average: None, or a fraction f in [0, 1): from step f·total on, keep an
      exponential moving average of G's parameters, θ_avg ← β θ_avg + (1 − β) θ,
      β = ``average_beta``, and sample from it (``generator``).  Averaging the last
      iterates damps the game's circling around its equilibrium (docs/THEORY.md);
      D keeps training against the live G.
    - check_every: check the parameters for divergence every this many steps
    - max_abs: the run stops with a DivergenceError, naming the player and the step,
      when a loss, G's output (standard units) or a parameter turns NaN/inf or grows
      beyond this in absolute value (a run heading for inf; np.inf: NaN/inf only)
    - p_y: None (the plain game), or a label sampler (``n_classes``, ``sample(n, rng)``
      -> (n,) ints, e.g. ``GaussianMixture.p_y``): the conditional GAN of Mirza &
      Osindero 2014.  Both players are then given the label as a one-hot vector
      concatenated to their input, the paper's form:

          G(z, y) = G([z, onehot(y)])   (m, Z + K) -> (m, d)
          D(x, y) = D([x, onehot(y)])   (m, d + K) -> (m, 1) logits
          V(D, G) = E_{y~p_y, x~p_data(x|y)}[log D(x, y)] + E_{y, z}[log(1 − D(G(z, y), y))]

      Each step draws labels y ~ p_y, real samples x ~ p_data(x | y)
      (``p_data.sample_given(y, rng)``), and fakes G(z, y) for the same labels;
      the steps, losses and k are Algorithm 1's.

    ``state_dict()`` / ``load_state_dict()`` hold what a resumed run needs besides the
    networks, distributions and optimizers; ``numpygan.io.save``/``load`` store it all.
    """

    def __init__(self, G, D, p_data, p_z, d_opt=None, g_opt=None, loss="non-saturating",
                 k=1, batch=128, seed=0, standardize=True, schedule="linear",
                 final_lr_frac=0.02, real_target=1.0, check_every=1, max_abs=1e6,
                 average=None, average_beta=0.999, p_y=None):
        check_players(G, D, p_data, p_z, p_y)
        check_settings(loss, schedule, final_lr_frac, real_target, max_abs, average,
                        average_beta)
        if not isinstance(standardize, (bool, np.bool_)):
            raise ValueError(f"standardize must be True or False, got {standardize!r}")
        check_optimizer("d_opt", d_opt)
        check_optimizer("g_opt", g_opt)
        self.G, self.D = G, D
        self.p_data, self.p_z, self.p_y = p_data, p_z, p_y
        self.d_opt = d_opt if d_opt is not None else Adam(1e-3, beta1=0.5)
        self.g_opt = g_opt if g_opt is not None else Adam(1e-3, beta1=0.5)
        if self.d_opt is self.g_opt:
            raise ValueError("D and G need separate optimizers (each keeps per-parameter state)")
        self.loss = loss
        self.k = positive_int("k", k)
        self.batch = positive_int("batch", batch)
        self.seed = positive_int("seed", seed, minimum=0)
        self.rng = np.random.default_rng(self.seed)
        self.schedule = schedule
        self.final_lr_frac = float(final_lr_frac)
        self.real_target = float(real_target)
        self.check_every = positive_int("check_every", check_every)
        self.max_abs = float(max_abs)
        self.lr_d0, self.lr_g0 = self.d_opt.lr, self.g_opt.lr
        self.dtype = G.dtype
        if standardize:
            ref = p_data.sample(100_000, self.rng)          # (100000, d)
            self.shift = ref.mean(axis=0)                   # (d,)
            self.scale = ref.std(axis=0)                    # (d,)
        else:
            self.shift = np.zeros(p_data.dim)
            self.scale = np.ones(p_data.dim)
        check_units(self.shift, self.scale)
        self.step_count = 0
        self.total_steps = None
        self.history = {key: [] for key in HISTORY_KEYS}
        self.average = None if average is None else float(average)
        self.average_beta = float(average_beta)
        self.G_avg = None          # the averaged generator, once averaging has started

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

    @property
    def generator(self):
        """The generator that samples: G, or its parameter average once that has started."""
        return self.G if self.G_avg is None else self.G_avg

    def _update_average(self):
        """θ_avg ← β θ_avg + (1 − β) θ_G, from step ``average · total_steps`` on."""
        if self.average is None or not self.total_steps:
            return
        if self.G_avg is None:
            if self.step_count >= self.average * self.total_steps:
                self.G_avg = copy.deepcopy(self.G)     # start from the current iterate
            return
        beta = self.average_beta
        for avg, p in zip(self.G_avg.params(), self.G.params()):
            avg *= beta
            avg += (1.0 - beta) * p

    @property
    def conditional(self):
        """True for a conditional GAN (a label sampler p_y was given)."""
        return self.p_y is not None

    def _labels_for(self, labels, n):
        """One-hot labels (n, K) for n samples (None in the plain game); labels: ints, or
        one int for all n."""
        if not self.conditional:
            if labels is not None:
                raise ValueError("labels were given to an unconditional GAN (no p_y)")
            return None
        if labels is None:
            raise ValueError(f"a conditional GAN needs labels (ints in 0 … "
                             f"{self.p_y.n_classes - 1}), one per sample or one for all")
        if np.ndim(labels) == 0:
            labels = np.full(n, labels)
        y = one_hot(labels, self.p_y.n_classes)           # (n, K)
        if y.shape[0] != n:
            raise ValueError(f"{y.shape[0]} labels for {n} samples: one label per sample "
                             "(or one for all) is needed")
        return y.astype(self.dtype, copy=False)

    def generate(self, z, labels=None):
        """x = G(z) in data units, or G(z, y) for a conditional GAN: z (N, Z) -> (N, d)."""
        z = self._as_2d(z, self.p_z.dim, "z")
        y = self._labels_for(labels, z.shape[0])
        return self.to_data(self.generator.forward(condition(z, y, "z")))

    def sample(self, n, rng=None, labels=None):
        """n samples of p_g in data units, (n, d).  Uses ``rng`` if given, else the game's.

        Conditional: the samples of ``labels`` (one per sample, or one for all), or,
        if None, of labels drawn from p_y (then the samples follow the whole p_g).
        """
        n = positive_int("n", n)
        rng = self.rng if rng is None else rng
        if self.conditional and labels is None:
            labels = self.p_y.sample(n, rng)
        return self.generate(self.p_z.sample(n, rng), labels)

    def discriminator_logits(self, x, labels=None):
        """D's logits for x given in data units: (N, d) -> (N,); D(x, y)'s with labels."""
        x = self._as_2d(x, self.p_data.dim, "x")
        y = self._labels_for(labels, x.shape[0])
        return self.D.forward(condition(self.to_standard(x), y, "x"))[:, 0]

    def discriminate(self, x, labels=None):
        """D(x) = σ(logit) for x in data units: (N, d) or (N,) -> (N,) in [0, 1]."""
        return losses.sigmoid(self.discriminator_logits(x, labels))

    # -- training ------------------------------------------------------------
    def _lr_factor(self):
        if self.schedule == "constant" or not self.total_steps:
            return 1.0
        progress = min(self.step_count / self.total_steps, 1.0)
        return 1.0 - (1.0 - self.final_lr_frac) * progress

    def _diverged(self, name, what, step):
        """The error that stops a run: which player, at which step, what happened, what to try."""
        lr = (self.d_opt if name == "D" else self.g_opt).lr
        return DivergenceError(
            f"{name} diverged at step {step}: {what}. Try a lower learning rate "
            f"(D lr {self.d_opt.lr:.3g}, G lr {self.g_opt.lr:.3g}; {name}'s is {lr:.3g}), "
            "a smaller k, or check the loss (the non-saturating loss is the stable one).",
            network=name, step=step)

    def _too_big(self, a):
        """max |a| if it is NaN/inf or above ``max_abs`` (a run going to infinity), else None."""
        if np.ndim(a) == 0:                        # a loss: no array to build
            big = abs(float(a))
        else:
            big = float(np.max(np.abs(a))) if np.size(a) else 0.0
        return None if (math.isfinite(big) and big <= self.max_abs) else big

    def _check_finite(self, name, net, extra=(), step=None):
        step = self.step_count if step is None else step
        params = net.params()
        # a packed network's parameters are one array: one look covers them all
        whole = [params.flat] if params.flat is not None else list(params)
        for a in list(extra) + whole:
            big = self._too_big(a)
            if big is not None:
                part = "outputs" if extra and a is extra[0] else "parameters"
                what = (f"its {part} became NaN/inf" if not np.isfinite(big) else
                        f"its {part} reached |value| = {big:.3g}, above max_abs = "
                        f"{self.max_abs:.3g} (they are heading for inf)")
                raise self._diverged(name, what, step)

    def _draw_data(self, m):
        """m real samples in standard units; conditional: labels y ~ p_y first (one-hot,
        (m, K)), then x ~ p_data(x | y); the fakes of this D-step get the same labels."""
        if not self.conditional:
            return None, self.to_standard(self.p_data.sample(m, self.rng))
        labels = self.p_y.sample(m, self.rng)                         # (m,)
        x = self.p_data.sample_given(labels, self.rng)                # (m, d)
        return self._labels_for(labels, m), self.to_standard(x)

    def step(self):
        """One iteration of Algorithm 1: k D-steps, then one G-step.  Returns its statistics."""
        factor = self._lr_factor()
        self.d_opt.lr = self.lr_d0 * factor
        self.g_opt.lr = self.lr_g0 * factor
        m = self.batch
        for _ in range(self.k):
            y, x_real = self._draw_data(m)                            # (m, K) or None; (m, d)
            z = self.p_z.sample(m, self.rng).astype(self.dtype, copy=False)  # (m, Z)
            x_fake = self._guarded("G", lambda: self.G.forward(condition(z, y, "z")))
            self._guard("G", x_fake)                                  # (m, d)
            d_stats = self._guarded(
                "D", lambda: discriminator_step(self.D, self.d_opt, x_real, x_fake,
                                                self.real_target, y_real=y, y_fake=y))
        y = self._labels_for(self.p_y.sample(m, self.rng), m) if self.conditional else None
        z = self.p_z.sample(m, self.rng).astype(self.dtype, copy=False)  # fresh noise
        g_stats = self._guarded(
            "G", lambda: generator_step(self.G, self.D, self.g_opt, z, loss=self.loss, y=y))
        self.step_count += 1
        self._update_average()
        # A loss is finite while D's logits are (losses.py refuses NaN/inf), but huge
        # logits make huge losses: D's outputs are running away.
        for value, whose in ((d_stats["loss"], "its"), (g_stats["loss"], "G's")):
            if self._too_big(value) is not None:
                raise self._diverged(
                    "D", f"{whose} loss reached {value:.3g}, above max_abs = "
                    f"{self.max_abs:.3g} (D's logits are running away)", self.step_count)
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
        if self._too_big(out) is not None:
            self._check_finite(name, self.G if name == "G" else self.D, extra=(out,),
                               step=self.step_count + 1)

    def _guarded(self, name, fn):
        """Run ``fn``, a piece of the current step; NaN/inf met inside it stops the run.

        Layers, losses and optimizers refuse NaN/inf with a ValueError saying
        "NaN or inf"; here it becomes a DivergenceError naming the player.
        """
        try:
            return fn()
        except ValueError as exc:
            if "NaN or inf" not in str(exc):
                raise
            who = self._culprit(exc, name)
            detail = str(exc).split(";")[0]
            raise self._diverged(who, f"NaN or inf inside {who}'s computation ({detail})",
                                 self.step_count + 1) from exc

    def _culprit(self, exc, default):
        """Whose computation met the NaN/inf: the innermost of G, D and their optimizers
        on the error's traceback.  NaN/inf arriving at D's *input* was made by G."""
        who = default
        tb = exc.__traceback__
        while tb is not None:
            owner = tb.tb_frame.f_locals.get("self")
            if owner is self.G or owner is self.g_opt:
                who = "G"
            elif owner is self.D or owner is self.d_opt:
                who = "D"
            tb = tb.tb_next
        if who == "D" and str(exc).startswith("Sequential.forward"):
            who = "G"
        return who

    def train(self, steps, callback=None, every=100, total=None):
        """Run ``steps`` iterations of Algorithm 1.

        ``callback(gan)`` is called before the first step (if starting from 0) and after
        every ``every`` steps.  ``total`` is the length of the whole planned run for the
        learning-rate schedule (default: the steps done so far plus ``steps``).
        Returns the history (dict of lists, one entry per step).
        """
        steps = positive_int("steps", steps)
        every = positive_int("every", every)
        if callback is not None and not callable(callback):
            raise ValueError(f"callback must be a function callback(gan) or None, "
                             f"got {type(callback).__name__}")
        if total is not None:
            self.total_steps = positive_int("total", total)
        elif self.total_steps is None or self.total_steps < self.step_count + steps:
            self.total_steps = self.step_count + steps
        if callback is not None and self.step_count == 0:
            callback(self)
        with _one_blas_thread():
            for _ in range(steps):
                self.step()
                if callback is not None and self.step_count % every == 0:
                    callback(self)
        return self.history

    def train_until(self, steps, converged, check_every=250, patience=3, callback=None,
                    every=100, total=None):
        """Run at most ``steps`` iterations, stopping once ``converged(gan)`` has held at
        ``patience`` checks in a row, ``check_every`` steps apart (at multiples of it).

        The schedule keeps the planned length ``total`` (default: the steps done so far
        plus ``steps``), so a run that stops early is the planned run cut short where the
        verdict has held for (patience − 1) · check_every steps, and a run that never
        settles is the planned run in full.  ``converged`` must not draw from the game's
        rng (give it its own).  ``callback``/``every`` as in ``train``.
        Returns the step it stopped at, or None if it ran all ``steps``.
        """
        steps = positive_int("steps", steps)
        check_every = positive_int("check_every", check_every)
        patience = positive_int("patience", patience)
        if not callable(converged):
            raise ValueError(f"converged must be a function converged(gan) -> bool, "
                             f"got {type(converged).__name__}")
        end = self.step_count + steps
        total = end if total is None else positive_int("total", total)
        held = 0
        while self.step_count < end:
            chunk = min(check_every - self.step_count % check_every, end - self.step_count)
            self.train(chunk, callback=callback, every=every, total=total)
            if self.step_count % check_every == 0:
                held = held + 1 if converged(self) else 0
                if held >= patience and self.step_count < end:
                    return self.step_count
        return None

    # -- checkpoints (numpygan.io.save / io.load store these) --------------------
    def state_dict(self):
        """The game's own state: settings, counters, units, the rng's exact state, history.

        Everything but the networks, the distributions and the optimizers (each of
        those has its own).  Plain numbers, strings, lists and dicts, plus ``shift``
        and ``scale`` as float64 arrays.  ``load_state_dict`` restores it, so that
        training continues bit for bit as if it had never stopped.
        """
        return {
            "step_count": self.step_count, "total_steps": self.total_steps,
            "lr_d0": float(self.lr_d0), "lr_g0": float(self.lr_g0),
            "loss": self.loss, "k": self.k, "batch": self.batch, "seed": self.seed,
            "schedule": self.schedule, "final_lr_frac": self.final_lr_frac,
            "real_target": self.real_target, "check_every": self.check_every,
            "max_abs": self.max_abs,
            "average": self.average, "average_beta": self.average_beta,
            # the averaged generator's parameters (same shapes as G's), or None
            "G_avg": None if self.G_avg is None else [p.copy() for p in self.G_avg.params()],
            "shift": np.array(self.shift, dtype=np.float64),
            "scale": np.array(self.scale, dtype=np.float64),
            "rng": self.rng.bit_generator.state,
            "history": {key: list(values) for key, values in self.history.items()},
        }

    def load_state_dict(self, state):
        """Restore ``state_dict()``'s output (checked first; nothing changes if it is bad)."""
        if not isinstance(state, dict):
            raise ValueError(f"state must be a dict from state_dict(), got {type(state).__name__}")
        missing = [key for key in self.state_dict() if key not in state]
        if missing:
            raise ValueError(f"state is missing {', '.join(missing)}")
        check_settings(state["loss"], state["schedule"], state["final_lr_frac"],
                        state["real_target"], state["max_abs"], state["average"],
                        state["average_beta"])
        counters = counters_from_state(state)
        G_avg = self._G_avg_from_state(state["G_avg"])
        units = self._units_from_state(state)
        rng = generator_from_state(state["rng"])
        history = history_from_state(state["history"])
        # all checked: now change the game
        for key, value in counters.items():
            setattr(self, key, value)
        self.loss, self.schedule = state["loss"], state["schedule"]
        self.final_lr_frac = float(state["final_lr_frac"])
        self.real_target = float(state["real_target"])
        self.max_abs = float(state["max_abs"])
        self.average = None if state["average"] is None else float(state["average"])
        self.average_beta = float(state["average_beta"])
        self.G_avg = G_avg
        self.shift, self.scale = units["shift"], units["scale"]
        self.rng = rng
        self.history = history

    def _G_avg_from_state(self, arrays):
        """The averaged generator rebuilt from its saved parameters (G's shapes), or None."""
        if arrays is None:
            return None
        arrays = list(arrays)
        shapes = [p.shape for p in self.G.params()]
        if [np.shape(a) for a in arrays] != shapes:
            raise ValueError(f"G_avg's parameters must have G's shapes {shapes}, "
                             f"got {[np.shape(a) for a in arrays]}")
        G_avg = copy.deepcopy(self.G)
        for p, a in zip(G_avg.params(), arrays):
            a = np.asarray(a)
            if a.dtype.kind != "f" or not np.all(np.isfinite(a)):
                raise ValueError("G_avg's parameters must be finite float arrays")
            p[...] = a
        return G_avg

    def _units_from_state(self, state):
        """shift and scale: finite float64 arrays of shape (d,), scale > 0."""
        dim = self.p_data.dim
        units = {}
        for key in ("shift", "scale"):
            a = np.asarray(state[key])
            if a.shape != (dim,) or a.dtype.kind != "f" or not np.all(np.isfinite(a)):
                raise ValueError(f"{key} must be a finite float array of shape ({dim},), "
                                 f"got shape {a.shape}, dtype {a.dtype}")
            units[key] = a.astype(np.float64)
        if np.any(units["scale"] <= 0):
            raise ValueError(f"scale must be > 0, got {units['scale'].tolist()}")
        return units

    # -- pictures' data (gan.py never draws; plots.py does) ----------------------
    def snapshot(self, x=None, n_samples=10_000, n_lines=24, rng=None):
        """The data for a Figure-1 panel now: a dict as ``plots.figure1_panel`` expects."""
        if self.p_data.dim != 1 or self.conditional:
            raise ValueError("snapshot() draws unconditional 1D games; p_data has dim "
                             f"{self.p_data.dim}" + (", and the game is conditional"
                                                     if self.conditional else ""))
        positive_int("n_lines", n_lines)
        positive_int("n_samples", n_samples)
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


def gan_1d(p_data, hidden=32, d_hidden=64, g_act="leaky_relu", lr=1e-3, lr_g=None,
           beta1=0.5, k=1, batch=128, loss="non-saturating", noise="uniform", seed=0,
           schedule="linear", average=0.5, dtype=np.float64, **kwargs):
    """The lessons' and the demo's 1D game, with defaults that converge across targets.

    G: 1 → hidden → hidden → 1, ``g_act`` hidden units (LeakyReLU(0.2): a piecewise-
       linear map, which can bend uniform noise into a bell's steep tails)
    D: 1 → d_hidden → d_hidden → 1, LeakyReLU(0.2), logits out
    Adam(lr, β1 = 0.5) for each (``lr_g`` sets G's separately), k D-steps per G-step,
    both learning rates decayed linearly over the run (``schedule="linear"``), and
    samples drawn from G's parameters averaged over the second half of the run
    (``average=0.5``; ``average=None`` samples from the last iterate).
    ``dtype``: both networks' float type.  float32 (the demo's) halves the bytes each
    product moves and doubles the numbers one vector instruction holds; these small
    networks train as well in it (lesson 08 measures both).
    Extra keyword arguments go to ``GAN``.
    """
    from .distributions import Gaussian, Uniform

    if noise not in ("uniform", "normal"):
        raise ValueError(f"noise must be 'uniform' or 'normal', got {noise!r}")
    positive_int("hidden", hidden)
    positive_int("d_hidden", d_hidden)
    rng = np.random.default_rng([positive_int("seed", seed, minimum=0), 1])  # init weights
    G = mlp([1, hidden, hidden, 1], hidden=g_act, rng=rng, dtype=dtype)
    D = mlp([1, d_hidden, d_hidden, 1], hidden="leaky_relu", rng=rng, dtype=dtype)
    p_z = Uniform(-1.0, 1.0) if noise == "uniform" else Gaussian(0.0, 1.0)
    return GAN(G, D, p_data, p_z,
               d_opt=Adam(lr, beta1=beta1),
               g_opt=Adam(lr if lr_g is None else lr_g, beta1=beta1),
               loss=loss, k=k, batch=batch, seed=seed, schedule=schedule,
               average=average, **kwargs)
