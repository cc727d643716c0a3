"""ex05: the optimal discriminator D* (Proposition 1) (the checks; no solution here).

``judge_optimal_discriminator(data, optimal_discriminator)`` checks D* against the
reference values in ``data`` (``optimal_discriminator_data.py``:
``theory.optimal_discriminator``), D* = ½ where both densities vanish,
V(D*, G) = −log 4 + 2·JSD (Theorem 1), and the logit quadratic of docs/THEORY.md for
two Gaussians.
"""

from __future__ import annotations

import numpy as np

from .engine import Checker, Ok, diagnose

HINTS = {
    "swapped": "you computed p_g/(p_data + p_g) = 1 − D*: the numerator is p_data "
               "(D says 'real' where the data's density dominates)",
    "ratio": "you computed p_data/p_g: the denominator is p_data + p_g, which keeps D* "
             "in [0, 1]",
    "difference": "the denominator is p_data − p_g: it is the sum p_data + p_g",
    "halved": "D* is halved: D* = p_data/(p_data + p_g), not over 2(p_data + p_g)",
    "product": "you computed p_data·p_g/(p_data + p_g): D* = p_data/(p_data + p_g)",
    "logit": "you computed logit D* = log p_data − log p_g; D* itself is σ of it = "
             "p_data/(p_data + p_g)",
}

CASES = ["p_data N(4, 0.5²), p_g N(3, 1²) on a grid", "random densities (3, 4)",
         "scalars p_data 0.3, p_g 0.1"]


def _dstar_values(data, fn):
    for i, text in enumerate(CASES):
        p = f"c{i}__"
        got = fn(data.get_array(p + "p_data"), data.get_array(p + "p_g"))
        hint = diagnose("D*", got, data[p + "want"], data.variants(p + "v__", HINTS),
                        shape_hint="D* has the densities' shape (it is element-wise)")
        if hint:
            return f"{hint} [case: {text}]"
    return None


def _dstar_zeros(data, fn):
    pd = np.array([0.0, 0.0, 1.0, 0.0, 0.5])
    pg = np.array([0.0, 1.0, 0.0, 0.0, 0.5])
    got = np.asarray(fn(pd.copy(), pg.copy()), dtype=np.float64)
    want = data["zeros_want"]                            # [½, 0, 1, ½, ½]
    both = (pd == 0) & (pg == 0)
    if got.shape == want.shape and np.any(np.isnan(got[both])):
        return ("D* is nan where p_data = p_g = 0 (0/0). Where neither density lives, V "
                "does not depend on D, so every value is optimal; define D* = ½ there, "
                "the value D* takes wherever p_g = p_data (np.where(total > 0, ..., 0.5))")
    hint = diagnose("D*", got, want)
    if hint:
        return (f"{hint} [case: p_data {pd.tolist()}, p_g {pg.tolist()}; expected "
                f"{want.tolist()}: ½ where both vanish]")
    return None


def value(D, p_data, p_g, x):
    """V(D, G) = ∫ p_data log D + p_g log(1 − D) dx by the trapezoid rule (Eq. 1);
    0 · log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(p_data > 0, p_data * np.log(D), 0.0) \
            + np.where(p_g > 0, p_g * np.log1p(-D), 0.0)
    return float(np.sum(np.diff(x) * (f[1:] + f[:-1])) / 2.0)


def _dstar_is_max(data, fn):
    """V(D*, G) = max_D V = −log 4 + 2·JSD (Theorem 1), and nudging D* lowers V."""
    x, pd, pg = data["max__x"], data["max__p_data"], data["max__p_g"]
    D = np.clip(np.asarray(fn(pd.copy(), pg.copy()), dtype=np.float64), 0, 1)
    if D.shape != x.shape or not np.all(np.isfinite(D)):
        return "D* must be finite with the grid's shape (see the checks above)"
    v_star = value(D, pd, pg, x)
    c_g = data.number("max__c_g")
    if not abs(v_star - c_g) < 1e-4:
        return (f"V(your D*, G) = {v_star:.6f}, but C(G) = −log 4 + 2·JSD = {c_g:.6f} "
                "(Theorem 1): your D* is not the maximiser of V")
    for bump in (0.02, -0.02):
        nudged = np.clip(D + bump * np.sin(x), 1e-12, 1 - 1e-12)
        if value(nudged, pd, pg, x) > v_star:
            return "a nudged D scores a higher V than your D*: it is not the maximum"
    return Ok(f"V(D*) = {v_star:.6f} = −log 4 + 2·JSD")


def _dstar_logit_quadratic(data, fn):
    """docs/THEORY.md: N(4, 0.5²) vs N(3, 1²) → logit D* = −26.8069 + 13 x − 1.5 x²."""
    x = data["quad__x"]
    D = np.asarray(fn(data.get_array("quad__p_data"), data.get_array("quad__p_g")),
                   dtype=np.float64)
    if D.shape != x.shape or not np.all((D > 0) & (D < 1)):
        return "D* must lie strictly between 0 and 1 here (see the checks above)"
    c2, c1, c0 = np.polyfit(x, np.log(D) - np.log1p(-D), 2)
    want = np.array([-26.8069, 13.0, -1.5])
    if not np.allclose([c0, c1, c2], want, atol=1e-3):
        return (f"logit D* fitted as {c0:.4f} + {c1:.4f} x + {c2:.4f} x², expected "
                "−26.8069 + 13 x − 1.5 x² (docs/THEORY.md)")
    return Ok("−26.8069 + 13 x − 1.5 x²")


def judge_optimal_discriminator(data, optimal_discriminator, stream=None):
    """ex05: ``optimal_discriminator(p_data, p_g) -> D*``, element-wise.

    Checks D* = p_data/(p_data + p_g) against the reference on a grid, a 2-D array
    and scalars; D* = ½ where both densities vanish; V(D*, G) = −log 4 + 2·JSD
    (Theorem 1) and no nudged D beats it; and logit D* for N(4, 0.5²) vs N(3, 1²) is
    −26.8069 + 13 x − 1.5 x² (docs/THEORY.md).
    """
    c = Checker("ex05 optimal discriminator", {"optimal_discriminator": optimal_discriminator},
                stream)
    f = optimal_discriminator
    c.check("D* values (grid, 2-D array, scalars)", ["optimal_discriminator"],
            lambda: _dstar_values(data, f))
    c.check("D* = ½ where both densities vanish", ["optimal_discriminator"],
            lambda: _dstar_zeros(data, f))
    c.check("V(D*, G) is the maximum, −log 4 + 2·JSD", ["optimal_discriminator"],
            lambda: _dstar_is_max(data, f))
    c.check("two Gaussians: logit D* is the quadratic of docs/THEORY.md",
            ["optimal_discriminator"], lambda: _dstar_logit_quadratic(data, f))
    return c.finish()
