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
"""

from __future__ import annotations

import contextlib
import copy
import numpy as np

from . import losses
from ._checks import is_number as _is_number
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
    for name, x in (("x_real", x_real), ("x_fake", x_fake)):
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != D.n_in:
            got = f"shape {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__
            raise ValueError(f"discriminator_step: {name} must be an array of shape "
                             f"(m, {D.n_in}), got {got}")
    m = x_real.shape[0]
    x = np.concatenate([x_real, x_fake], axis=0)   # (2m, d): one pass for both
    logits = D.forward(x)                          # (2m, 1)
    real_logits, fake_logits = logits[:m], logits[m:]
    # losses.discriminator_loss, with mean D(x) and mean D(G(z)) from the same pass
    loss, d_real_logits, d_fake_logits, d_real, d_fake = losses._discriminator_loss(
        real_logits, fake_logits, real_target=real_target)
    # (2m, 1) -> D's gradients; dL/dx itself is not needed
    D.backward(np.concatenate([d_real_logits, d_fake_logits], axis=0), input_grad=False)
    d_opt.step(D.params(), D.grads())
    # V on this batch, from logits: log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a)
    # (with real_target 1 it is −loss; label smoothing changes the loss, not V)
    value = -loss if real_target == 1 else losses.value_on_batch(real_logits, fake_logits)
    return {"loss": loss, "d_real": d_real, "d_fake": d_fake, "value": value}


def generator_step(G, D, g_opt, z, loss="non-saturating"):
    """One step of G through a fixed D.

    u = G(z) (m, d);  a = D(u) (m, 1);  L_G = loss(a)
    dL/du = D.backward(dL/da)   (D's gradients are computed on the way, never applied)
    dL/dθ_G = G.backward(dL/du);  g_opt.step(G's parameters)

    Returns a dict: loss, d_fake = mean D(G(z)) before the step.
    """
    u = G.forward(z)                                 # (m, Z) -> (m, d)
    logits = D.forward(u)                            # (m, d) -> (m, 1)
    # losses.generator_loss, with mean D(G(z)) from the same pass
    g_loss, dlogits, d_fake = losses._generator_loss(logits, kind=loss)
    du = D.backward(dlogits)                         # (m, 1) -> (m, d), D not updated
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


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _generator_from_state(state):
    """A numpy.random.Generator in exactly the state ``rng.bit_generator.state`` described."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    kind = getattr(np.random, name, None) if isinstance(name, str) else None
    if not (isinstance(kind, type) and issubclass(kind, np.random.BitGenerator)):
        raise ValueError(f"rng state must be a bit generator's state dict (e.g. PCG64's), "
                         f"got bit_generator {name!r}")
    bit_generator = kind()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"rng state for {name} is malformed: {exc}") from None
    return np.random.Generator(bit_generator)


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
    - average: None, or a fraction f in [0, 1): from step f·total on, keep an
      exponential moving average of G's parameters, θ_avg ← β θ_avg + (1 − β) θ,
      β = ``average_beta``, and sample from it (``generator``).  Averaging the last
      iterates damps the game's circling around its equilibrium (docs/THEORY.md);
      D keeps training against the live G.
    - check_every: check the parameters for divergence every this many steps
    - max_abs: the run stops with a DivergenceError, naming the player and the step,
      when a loss, G's output (standard units) or a parameter turns NaN/inf or grows
      beyond this in absolute value (a run heading for inf; np.inf: NaN/inf only)

    ``state_dict()`` / ``load_state_dict()`` hold what a resumed run needs besides the
    networks, distributions and optimizers; ``numpygan.io.save``/``load`` store it all.
    """

    def __init__(self, G, D, p_data, p_z, d_opt=None, g_opt=None, loss="non-saturating",
                 k=1, batch=128, seed=0, standardize=True, schedule="linear",
                 final_lr_frac=0.02, real_target=1.0, check_every=1, max_abs=1e6,
                 average=None, average_beta=0.999):
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
        if not (_is_number(final_lr_frac) and 0 < final_lr_frac <= 1):
            raise ValueError(f"final_lr_frac must be in (0, 1], got {final_lr_frac!r}")
        if not (_is_number(real_target) and 0 < real_target <= 1):
            raise ValueError(f"real_target must be in (0, 1], got {real_target!r}")
        if not (_is_number(max_abs) and max_abs > 0):
            raise ValueError(f"max_abs must be a positive number (np.inf: only NaN/inf stop "
                             f"the run), got {max_abs!r}")
        if not isinstance(standardize, (bool, np.bool_)):
            raise ValueError(f"standardize must be True or False, got {standardize!r}")
        for name, opt in (("d_opt", d_opt), ("g_opt", g_opt)):
            if opt is not None and not (callable(getattr(opt, "step", None))
                                        and hasattr(opt, "lr")):
                raise ValueError(f"{name} must be an optimizer with step(params, grads) and lr "
                                 f"(numpygan.optim.Adam or SGD), got {type(opt).__name__}")
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
        self.step_count = 0
        self.total_steps = None
        self.history = {key: [] for key in HISTORY_KEYS}
        if average is not None and not (_is_number(average) and 0 <= average < 1):
            raise ValueError(f"average must be None or a fraction in [0, 1), got {average!r}")
        if not (_is_number(average_beta) and 0 < average_beta < 1):
            raise ValueError(f"average_beta must be in (0, 1), got {average_beta!r}")
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

    def generate(self, z):
        """x = G(z) in data units: z (N, Z) -> (N, d)."""
        z = self._as_2d(z, self.G.n_in, "z")
        return self.to_data(self.generator.forward(z))

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
        big = float(np.max(np.abs(a))) if np.size(a) else 0.0
        return None if (np.isfinite(big) and big <= self.max_abs) else big

    def _check_finite(self, name, net, extra=(), step=None):
        step = self.step_count if step is None else step
        for a in list(extra) + net.params():
            big = self._too_big(a)
            if big is not None:
                part = "outputs" if extra and a is extra[0] else "parameters"
                what = (f"its {part} became NaN/inf" if not np.isfinite(big) else
                        f"its {part} reached |value| = {big:.3g}, above max_abs = "
                        f"{self.max_abs:.3g} (they are heading for inf)")
                raise self._diverged(name, what, step)

    def step(self):
        """One iteration of Algorithm 1: k D-steps, then one G-step.  Returns its statistics."""
        factor = self._lr_factor()
        self.d_opt.lr = self.lr_d0 * factor
        self.g_opt.lr = self.lr_g0 * factor
        m = self.batch
        for _ in range(self.k):
            x_real = self.to_standard(self.p_data.sample(m, self.rng))  # (m, d)
            z = self.p_z.sample(m, self.rng).astype(self.dtype, copy=False)  # (m, Z)
            x_fake = self._guarded("G", lambda: self.G.forward(z))    # (m, d)
            self._guard("G", x_fake)
            d_stats = self._guarded(
                "D", lambda: discriminator_step(self.D, self.d_opt, x_real, x_fake,
                                                self.real_target))
        z = self.p_z.sample(m, self.rng).astype(self.dtype, copy=False)  # fresh noise
        g_stats = self._guarded(
            "G", lambda: generator_step(self.G, self.D, self.g_opt, z, loss=self.loss))
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
        steps = _positive_int("steps", steps)
        every = _positive_int("every", every)
        if callback is not None and not callable(callback):
            raise ValueError(f"callback must be a function callback(gan) or None, "
                             f"got {type(callback).__name__}")
        if total is not None:
            self.total_steps = _positive_int("total", total)
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
        steps = _positive_int("steps", steps)
        check_every = _positive_int("check_every", check_every)
        patience = _positive_int("patience", patience)
        if not callable(converged):
            raise ValueError(f"converged must be a function converged(gan) -> bool, "
                             f"got {type(converged).__name__}")
        end = self.step_count + steps
        total = end if total is None else _positive_int("total", total)
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
        step_count = _positive_int("step_count", state["step_count"], minimum=0)
        total = state["total_steps"]
        total = None if total is None else _positive_int("total_steps", total)
        lr_d0, lr_g0 = (float(state[key]) for key in ("lr_d0", "lr_g0"))
        for key, lr in (("lr_d0", lr_d0), ("lr_g0", lr_g0)):
            if not (np.isfinite(lr) and lr > 0):
                raise ValueError(f"{key} must be a positive learning rate, got {lr!r}")
        if state["loss"] not in GENERATOR_LOSSES:
            raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, got {state['loss']!r}")
        if state["schedule"] not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {state['schedule']!r}")
        for key in ("final_lr_frac", "real_target"):
            if not (_is_number(state[key]) and 0 < state[key] <= 1):
                raise ValueError(f"{key} must be in (0, 1], got {state[key]!r}")
        if not (_is_number(state["max_abs"]) and state["max_abs"] > 0):
            raise ValueError(f"max_abs must be a positive number, got {state['max_abs']!r}")
        average = state["average"]
        if average is not None and not (_is_number(average) and 0 <= average < 1):
            raise ValueError(f"average must be None or a fraction in [0, 1), got {average!r}")
        if not (_is_number(state["average_beta"]) and 0 < state["average_beta"] < 1):
            raise ValueError(f"average_beta must be in (0, 1), got {state['average_beta']!r}")
        G_avg = None
        if state["G_avg"] is not None:
            arrays = list(state["G_avg"])
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
        rng = _generator_from_state(state["rng"])
        history = state["history"]
        if not isinstance(history, dict) or any(key not in history for key in HISTORY_KEYS):
            raise ValueError(f"history must be a dict with the keys {HISTORY_KEYS}")
        lengths = {len(history[key]) for key in HISTORY_KEYS}
        if len(lengths) != 1:
            raise ValueError(f"history's lists must have one length, got lengths {sorted(lengths)}")
        # all checked: now change the game
        self.step_count, self.total_steps = step_count, total
        self.lr_d0, self.lr_g0 = lr_d0, lr_g0
        self.loss, self.schedule = state["loss"], state["schedule"]
        self.k = _positive_int("k", state["k"])
        self.batch = _positive_int("batch", state["batch"])
        self.seed = _positive_int("seed", state["seed"], minimum=0)
        self.check_every = _positive_int("check_every", state["check_every"])
        self.final_lr_frac = float(state["final_lr_frac"])
        self.real_target = float(state["real_target"])
        self.max_abs = float(state["max_abs"])
        self.average = None if average is None else float(average)
        self.average_beta = float(state["average_beta"])
        self.G_avg = G_avg
        self.shift, self.scale = units["shift"], units["scale"]
        self.rng = rng
        self.history = {key: list(values) for key, values in history.items()}

    # -- pictures' data (gan.py never draws; plots.py does) ----------------------
    def snapshot(self, x=None, n_samples=10_000, n_lines=24, rng=None):
        """The data for a Figure-1 panel now: a dict as ``plots.figure1_panel`` expects."""
        if self.p_data.dim != 1:
            raise ValueError("snapshot() draws 1D games; p_data has dim "
                             f"{self.p_data.dim}")
        _positive_int("n_lines", n_lines)
        _positive_int("n_samples", n_samples)
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
           schedule="linear", average=0.5, **kwargs):
    """The lessons' and the demo's 1D game, with defaults that converge across targets.

    G: 1 → hidden → hidden → 1, ``g_act`` hidden units (LeakyReLU(0.2): a piecewise-
       linear map, which can bend uniform noise into a bell's steep tails)
    D: 1 → d_hidden → d_hidden → 1, LeakyReLU(0.2), logits out
    Adam(lr, β1 = 0.5) for each (``lr_g`` sets G's separately), k D-steps per G-step,
    both learning rates decayed linearly over the run (``schedule="linear"``), and
    samples drawn from G's parameters averaged over the second half of the run
    (``average=0.5``; ``average=None`` samples from the last iterate).
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
               loss=loss, k=k, batch=batch, seed=seed, schedule=schedule,
               average=average, **kwargs)
