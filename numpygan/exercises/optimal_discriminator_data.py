"""ex05's data: densities, ``theory.optimal_discriminator``'s answers, the known mistakes'.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import numpy as np

from .. import theory


def make():
    """{name: array} for ex05 (keys: see ``optimal_discriminator.judge_optimal_discriminator``)."""
    x = theory.grid(-4.0, 10.0, 201)
    rng = np.random.default_rng(51)
    cases = [(theory.normal_pdf(x, 4, 0.5), theory.normal_pdf(x, 3, 1.0)),
             (rng.uniform(0.01, 2, (3, 4)), rng.uniform(0.01, 2, (3, 4))),
             (np.float64(0.3), np.float64(0.1))]
    out = {}
    for i, (pd, pg) in enumerate(cases):
        s = pd + pg
        p = f"c{i}__"
        out.update({p + "p_data": pd, p + "p_g": pg,
                    p + "want": theory.optimal_discriminator(pd, pg)})
        with np.errstate(all="ignore"):
            mistakes = {"swapped": pg / s, "ratio": pd / pg, "difference": pd / (pd - pg),
                        "halved": pd / (2 * s), "product": pd * pg / s,
                        "logit": np.log(pd) - np.log(pg)}
        out.update({f"{p}v__{k}": v for k, v in mistakes.items()})
    out["zeros_want"] = theory.optimal_discriminator(np.array([0.0, 0.0, 1.0, 0.0, 0.5]),
                                                     np.array([0.0, 1.0, 0.0, 0.0, 0.5]))
    x = theory.grid(-3.0, 9.0, 1201)
    pd, pg = theory.normal_pdf(x, 4, 0.5), theory.normal_pdf(x, 3, 1.0)
    out.update({"max__x": x, "max__p_data": pd, "max__p_g": pg,
                "max__c_g": theory.c_from_jsd(pd, pg, x)})
    x = np.linspace(2.0, 5.0, 31)
    out.update({"quad__x": x, "quad__p_data": theory.normal_pdf(x, 4, 0.5),
                "quad__p_g": theory.normal_pdf(x, 3, 1.0)})
    return out
