"""The verdict "converged" / "NOT converged": it must tell a good run from runs that are not.

Three parts, in one module on purpose: the JSD estimator the verdict relies on, checked
against docs/THEORY.md's reference pairs (a JSD computed with the mixture P + Q instead
of (P + Q)/2 is 0 for every pair, and then "JSD ≤ 0.01" holds for anything);
``metrics.convergence_checks`` and ``metrics.d_star_gap`` on samples whose answer we
know; and the CLI itself on a good run, a short run, and a run whose JSD is broken.
"""

import json
import math

import numpy as np
import pytest

from numpygan import kernels, metrics
from numpygan.__main__ import main
from numpygan.distributions import Gaussian

MU, SIGMA = 4.0, 1.25
P_DATA = Gaussian(MU, SIGMA)
QUIET = ["--quiet", "--no-gif", "--frames", "2"]


@pytest.fixture(autouse=True)
def _restore_backend():
    before = kernels.get_backend()   # main() switches the backend for the whole process
    yield
    kernels.set_backend(before)


# --------------------------------------------------- the JSD against THEORY's pairs
@pytest.mark.parametrize("m2, s2, jsd", [(1.0, 1.0, 0.111421), (0.1, 1.0, 0.001248),
                                         (0.0, 2.0, 0.092733), (10.0, 1.0, 0.693146)])
def test_jsd_pdf_reproduces_the_theory_table(m2, s2, jsd):
    """JSD(N(0, 1) ‖ N(m2, s2²)) from 400,000 samples of the second against the first's
    pdf, 300 bins on [−10, 20]: within 0.004 nats of docs/THEORY.md's value (binning and
    sampling lose a little)."""
    x = np.random.default_rng(11).normal(m2, s2, 400_000)
    assert metrics.jsd_pdf(x, Gaussian(0.0, 1.0), -10.0, 20.0, bins=300) \
        == pytest.approx(jsd, abs=0.004)


def test_jsd_pdf_of_a_perfect_sampler_is_near_zero_and_far_apart_is_log_2():
    x = P_DATA.sample(10_000, np.random.default_rng(12))[:, 0]
    lo, hi = MU - 5 * SIGMA, MU + 5 * SIGMA
    assert metrics.jsd_pdf(x, P_DATA, lo, hi, bins=50) < 0.004
    assert metrics.jsd_pdf(x + 20 * SIGMA, P_DATA, lo, hi, bins=50) \
        == pytest.approx(math.log(2), abs=1e-5)      # p_data's mass in the edge bin


# ----------------------------------------------------- the checks, on known answers
def _measure(fake, real, d_real, d_fake):
    """What the demo measures, from samples and D's values at them."""
    lo, hi = MU - 5 * SIGMA, MU + 5 * SIGMA
    return {"target_mean": MU, "target_std": SIGMA, "mean": fake.mean(), "std": fake.std(),
            "jsd": metrics.jsd_pdf(fake, P_DATA, lo, hi, bins=50),
            "w1": metrics.w1_to_distribution(fake, P_DATA),
            "d_real": d_real.mean(), "d_fake": d_fake.mean(),
            "d_star_gap": metrics.d_star_gap(real, fake, d_real, d_fake, P_DATA, lo, hi)}


def _samples(shift=0.0, scale=1.0, seed=0, n=10_000):
    rng = np.random.default_rng(seed)
    return MU + shift * SIGMA + scale * SIGMA * rng.standard_normal(n), \
        P_DATA.sample(n, rng)[:, 0]


def test_a_perfect_sampler_with_D_at_one_half_converges():
    half = np.full(10_000, 0.5)
    for seed in range(3):
        fake, real = _samples(seed=seed)
        checks = metrics.convergence_checks(_measure(fake, real, half, half))
        assert all(checks.values()), checks


def test_a_slightly_wrong_sampler_fails_even_when_its_JSD_reads_zero():
    """p_g = N(μ + 0.05σ, (0.95σ)²): mean and std within their 10 %, D ½, yet not p_data.
    Its W1 (about 0.06σ) fails — so a JSD broken to 0 cannot pass it."""
    half = np.full(10_000, 0.5)
    fake, real = _samples(shift=0.05, scale=0.95, seed=3)
    measured = _measure(fake, real, half, half)
    checks = metrics.convergence_checks(measured)
    assert checks["mean"] and checks["std"] and checks["d_real"] and checks["d_fake"]
    assert not checks["w1"]
    checks = metrics.convergence_checks(dict(measured, jsd=0.0))      # the JSD broken
    assert not all(checks.values()) and not checks["w1"]


def test_a_D_right_on_average_but_wrong_pointwise_fails():
    """p_g = p_data, D = ¼ left of μ and ¾ right of it: both means ½, V near −log 4 —
    only D against D* (= ½ everywhere here) sees it."""
    fake, real = _samples(seed=4)
    D = lambda x: np.where(x < MU, 0.25, 0.75)                          # noqa: E731
    checks = metrics.convergence_checks(_measure(fake, real, D(real), D(fake)))
    assert checks["d_real"] and checks["d_fake"] and checks["jsd"] and checks["w1"]
    assert not checks["d_star_gap"]


def test_d_star_gap_sees_D_star_when_p_g_differs():
    """p_g = N(μ + σ, σ²): the exact D* = p_data/(p_data + p_g) scores near the floor,
    D = ½ scores far from it."""
    fake, real = _samples(shift=1.0, seed=5)
    p_g = Gaussian(MU + SIGMA, SIGMA)
    d_star = lambda x: P_DATA.pdf(x) / (P_DATA.pdf(x) + p_g.pdf(x))     # noqa: E731
    lo, hi = MU - 5 * SIGMA, MU + 6 * SIGMA
    assert metrics.d_star_gap(real, fake, d_star(real), d_star(fake), P_DATA, lo, hi) < 0.015
    half = np.full(10_000, 0.5)
    assert metrics.d_star_gap(real, fake, half, half, P_DATA, lo, hi) > 0.15


def test_convergence_checks_refuse_incomplete_or_bad_measurements():
    good = {"target_mean": 0.0, "target_std": 1.0, "mean": 0.0, "std": 1.0, "jsd": 0.0,
            "w1": 0.0, "d_real": 0.5, "d_fake": 0.5}
    assert set(metrics.convergence_checks(good)) == {"mean", "std", "jsd", "w1", "d_real",
                                                     "d_fake"}
    with pytest.raises(ValueError, match="missing w1"):
        metrics.convergence_checks({k: v for k, v in good.items() if k != "w1"})
    with pytest.raises(ValueError, match="jsd is nan"):
        metrics.convergence_checks(dict(good, jsd=float("nan")))
    with pytest.raises(ValueError, match="d_real and d_fake are D"):
        metrics.d_star_gap([0.0], [0.0], [1.5], [0.5], P_DATA, -1.0, 1.0)


# ------------------------------------------------------------------------- the CLI
def _run(tmp_path, capsys, *argv):
    code = main([*map(str, argv), *QUIET, "--out", str(tmp_path)])
    line = capsys.readouterr().out.strip().splitlines()[-1]
    return code, line, json.loads((tmp_path / "summary.json").read_text())


def test_the_default_run_says_converged(tmp_path, capsys):
    """The demo's defaults (15,000 steps, seed 0) converge, and the CLI says so."""
    code, line, summary = _run(tmp_path, capsys)
    assert code == 0 and line.startswith("converged in "), line
    assert summary["converged"] is True
    assert all(metrics.convergence_checks(summary).values())


def test_too_few_steps_say_NOT_converged(tmp_path, capsys):
    code, line, summary = _run(tmp_path, capsys, "--steps", 300)
    assert code == 0 and line.startswith("NOT converged in "), line
    assert summary["converged"] is False and "; failed: " in line


@pytest.fixture(scope="module")
def broken_jsd_run(tmp_path_factory):
    """3,000 steps with a JSD that reads 0 for everything (as with the mixture P + Q for
    (P + Q)/2): (the verdict line, summary.json)."""
    folder = tmp_path_factory.mktemp("broken_jsd")
    before = kernels.get_backend()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metrics, "jsd_pdf", lambda *args, **kwargs: 0.0)
        printed = []
        patch.setattr("builtins.print", lambda *a, **k: printed.append(" ".join(map(str, a))))
        try:
            main(["--steps", "3000", *QUIET, "--out", str(folder)])
        finally:
            kernels.set_backend(before)
    return printed[-1].strip(), json.loads((folder / "summary.json").read_text())


def test_a_broken_jsd_does_not_make_a_short_run_converge(broken_jsd_run):
    """At 3,000 steps mean, std and D already pass; only p_g's distance to p_data fails,
    measured by W1 as well as by the (here broken) JSD, so the checks still say no."""
    _, summary = broken_jsd_run
    assert summary["jsd"] == 0.0
    checks = metrics.convergence_checks(summary)
    assert checks["mean"] and checks["std"] and not checks["w1"], checks


def test_a_broken_jsd_does_not_make_the_CLI_say_converged(broken_jsd_run):
    line, summary = broken_jsd_run
    assert line.startswith("NOT converged in "), line
    assert summary["converged"] is False


# ------------------------------------------------------- the stopping rule's evaluate
def _game(steps):
    from numpygan.gan import gan_1d

    gan = gan_1d(P_DATA, hidden=8, d_hidden=16, seed=0)
    gan.train(steps, total=steps)
    return gan


def test_evaluate_with_limits_judges_D_star_last_and_only_when_the_rest_passes(monkeypatch):
    """The stopping rule's evaluate skips the KDE of D* once a cheaper check has failed,
    yet "converged" never holds without it; where the rest passes, it is measured and
    judged within the limits given."""
    from numpygan.__main__ import STOP_LIMITS, evaluate

    gan = _game(300)                                   # p_g still far from p_data
    calls = []
    real_gap = metrics.d_star_gap
    monkeypatch.setattr(metrics, "d_star_gap", lambda *a, **k: calls.append(1) or real_gap(*a, **k))
    out, _ = evaluate(gan, P_DATA, seed=1, limits=STOP_LIMITS)
    assert not out["converged"] and "d_star_gap" not in out and not calls
    full, _ = evaluate(gan, P_DATA, seed=1)            # the final verdict measures all
    assert "d_star_gap" in full and calls == [1]
    assert {k: v for k, v in full["checks"].items() if k != "d_star_gap"} == out["checks"]

    # every check but D* passes (the limits say so): D* is measured, and it decides
    loose = {"mean": 10.0, "std": 10.0, "jsd": 1.0, "w1": 10.0, "d": (0.0, 1.0)}
    ok, _ = evaluate(gan, P_DATA, seed=1, limits=dict(loose, d_star_gap=1.0))
    assert "d_star_gap" in ok and ok["converged"] is True
    tight, _ = evaluate(gan, P_DATA, seed=1, limits=dict(loose, d_star_gap=1e-9))
    assert tight["converged"] is False and tight["checks"]["d_star_gap"] is False
