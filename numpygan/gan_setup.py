"""The GAN's argument checks, and the rebuilding of a saved game's state, checked.

``gan.GAN`` calls these from its constructor and from ``load_state_dict``; ``io``
uses ``HISTORY_KEYS``.  Every refusal is a ValueError naming the argument.
"""

from __future__ import annotations

import numpy as np

from . import losses
from ._checks import is_number
from .network import Sequential

GENERATOR_LOSSES = tuple(losses.GENERATOR_LOSSES)
SCHEDULES = ("constant", "linear")


def positive_int(name, value, minimum=1):
    """``value`` as an int, if it is an integer >= minimum (not a bool); else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def generator_from_state(state):
    """A numpy.random.Generator in exactly the state ``rng.bit_generator.state`` described."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    kind = getattr(np.random, name, None) if isinstance(name, str) else None
    if not (isinstance(kind, type) and issubclass(kind, np.random.BitGenerator)):
        raise ValueError(f"rng state must be a bit generator's state dict (e.g. PCG64's), "
                         f"got bit_generator {name!r}")
    bit_generator = kind()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ValueError(f"rng state for {name} is malformed: {exc}") from None
    return np.random.Generator(bit_generator)


HISTORY_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "value", "lr_d", "lr_g")


def counters_from_state(state):
    """The integer counters and starting learning rates of a saved game, checked."""
    total = state["total_steps"]
    out = {"step_count": positive_int("step_count", state["step_count"], minimum=0),
           "total_steps": None if total is None else positive_int("total_steps", total),
           "k": positive_int("k", state["k"]), "batch": positive_int("batch", state["batch"]),
           "seed": positive_int("seed", state["seed"], minimum=0),
           "check_every": positive_int("check_every", state["check_every"])}
    for key in ("lr_d0", "lr_g0"):
        lr = float(state[key])
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"{key} must be a positive learning rate, got {lr!r}")
        out[key] = lr
    return out


def history_from_state(history):
    """A saved history: a dict with every key of HISTORY_KEYS, its lists of one length."""
    if not isinstance(history, dict) or any(key not in history for key in HISTORY_KEYS):
        raise ValueError(f"history must be a dict with the keys {HISTORY_KEYS}")
    lengths = {len(history[key]) for key in HISTORY_KEYS}
    if len(lengths) != 1:
        raise ValueError(f"history's lists must have one length, got lengths {sorted(lengths)}")
    return {key: list(values) for key, values in history.items()}


def check_players(G, D, p_data, p_z, p_y):
    """G, D and the distributions fit together: widths, one logit, labels (if any)."""
    if not isinstance(G, Sequential) or not isinstance(D, Sequential):
        raise ValueError("G and D must be numpygan Sequential networks (see numpygan.mlp)")
    if G is D:
        raise ValueError("G and D must be two different networks")
    for name, dist in (("p_data", p_data), ("p_z", p_z)):
        if not hasattr(dist, "sample") or not hasattr(dist, "dim"):
            raise ValueError(f"{name} must be a numpygan distribution with sample(n, rng) "
                             f"and dim, got {type(dist).__name__}")
    k, plus = 0, ""
    if p_y is not None:
        if not (hasattr(p_y, "n_classes") and callable(getattr(p_y, "sample", None))):
            raise ValueError(f"p_y must be a label sampler with n_classes and sample(n, rng) "
                             f"(e.g. distributions.Categorical), got {type(p_y).__name__}")
        if not callable(getattr(p_data, "sample_given", None)):
            raise ValueError(f"a conditional GAN needs labelled data: p_data "
                             f"({type(p_data).__name__}) has no sample_given(y, rng)")
        k, plus = p_y.n_classes, f" plus a one-hot label of width {p_y.n_classes}"
    if G.n_in != p_z.dim + k:
        raise ValueError(f"G takes {G.n_in} inputs but the noise p_z has dim {p_z.dim}{plus}")
    if G.n_out != p_data.dim:
        raise ValueError(f"G outputs {G.n_out} features but p_data has dim {p_data.dim}")
    if D.n_in != p_data.dim + k:
        raise ValueError(f"D takes {D.n_in} inputs but p_data has dim {p_data.dim}{plus}")
    if D.n_out != 1:
        raise ValueError(f"D must output one logit per sample, but it outputs {D.n_out}")


def check_settings(loss, schedule, final_lr_frac, real_target, max_abs, average, average_beta):
    """The game's settings, as the constructor and ``load_state_dict`` both take them."""
    if loss not in GENERATOR_LOSSES:
        raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, got {loss!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    for key, value in (("final_lr_frac", final_lr_frac), ("real_target", real_target)):
        if not (is_number(value) and 0 < value <= 1):
            raise ValueError(f"{key} must be in (0, 1], got {value!r}")
    if not (is_number(max_abs) and max_abs > 0):
        raise ValueError(f"max_abs must be a positive number (np.inf: only NaN/inf stop "
                         f"the run), got {max_abs!r}")
    if average is not None and not (is_number(average) and 0 <= average < 1):
        raise ValueError(f"average must be None or a fraction in [0, 1), got {average!r}")
    if not (is_number(average_beta) and 0 < average_beta < 1):
        raise ValueError(f"average_beta must be in (0, 1), got {average_beta!r}")


def check_optimizer(name, opt):
    """``opt`` is None or has ``step(params, grads)`` and ``lr``; else ValueError."""
    if opt is not None and not (callable(getattr(opt, "step", None)) and hasattr(opt, "lr")):
        raise ValueError(f"{name} must be an optimizer with step(params, grads) and lr "
                         f"(numpygan.optim.Adam or SGD), got {type(opt).__name__}")


def check_units(shift, scale):
    """The standard units the game works in: finite shift, finite positive scale."""
    if not (np.all(np.isfinite(shift)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
        raise ValueError(f"p_data's samples give standard units shift {shift}, scale {scale}: "
                         "the scale must be finite and > 0 (a constant or overflowing p_data "
                         "cannot be standardised; pass standardize=False)")
