"""Tests for numpygan.plots: it draws what it is handed, checks it first, leaks no figures.

Synthetic snapshots stand in for a training run: p_data = N(0, 1), samples of
p_g = N(mu_g, sigma_g), a linear G(z) for the mapping lines, D a logistic curve.
"""

import math
import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from numpygan import plots  # noqa: E402

REQUIRED = ("step", "x", "d", "samples", "z", "gz", "z_range")


def make_snap(step, mu_g=0.0, sigma_g=1.0, n=2000, seed=0, d_star=True):
    rng = np.random.default_rng(seed)
    x = np.linspace(-4.5, 4.5, 200)
    p_data = np.exp(-x**2 / 2) / math.sqrt(2 * math.pi)
    p_g = np.exp(-(x - mu_g)**2 / (2 * sigma_g**2)) / (sigma_g * math.sqrt(2 * math.pi))
    z = np.linspace(-1, 1, 26)[1:-1]
    return {
        "step": step,
        "x": x,
        "p_data": p_data,
        "d": 1 / (1 + np.exp(-(mu_g - x))),            # a logistic D(x)
        "d_star": p_data / (p_data + p_g) if d_star else None,
        "samples": rng.normal(mu_g, sigma_g, n),
        "z": z,
        "gz": mu_g + 1.7 * sigma_g * z,
        "z_range": (-1.0, 1.0),
    }


def make_snaps(k=5):
    return [make_snap(100 * i, mu_g=2.0 * (1 - i / (k - 1)), sigma_g=0.4 + 0.6 * i / (k - 1),
                      seed=i) for i in range(k)]


def make_history(n=400, jsd=True, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(1, n + 1)
    d_real = 0.5 + 0.3 * np.exp(-t / 100) + 0.03 * rng.standard_normal(n)
    d_fake = 0.5 - 0.3 * np.exp(-t / 100) + 0.03 * rng.standard_normal(n)
    value = np.log(d_real) + np.log(1 - d_fake)
    h = {"step": t.tolist(), "d_loss": (-value).tolist(), "g_loss": (-np.log(d_fake)).tolist(),
         "d_real": d_real.tolist(), "d_fake": d_fake.tolist(), "value": value.tolist()}
    if jsd:
        h["jsd_step"] = [50, 100, 200, 400]
        h["jsd"] = [0.3, 0.1, 0.02, 0.004]
    return h


@pytest.fixture
def no_leaks():
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before, "a plots function left a figure open"


# -- density_histogram ---------------------------------------------------------------
def test_density_histogram_integrates_to_one(rng):
    samples = rng.normal(0.0, 1.0, 20_000)
    centers, density, edges = plots.density_histogram(samples, -6, 6, return_edges=True)
    assert centers.shape == density.shape == (edges.size - 1,)
    assert np.sum(density * np.diff(edges)) == pytest.approx(1.0, abs=1e-12)
    assert 30 <= centers.size <= 120
    # a density, not counts: near the peak it matches N(0, 1)'s pdf, 0.399
    peak = density[np.argmin(np.abs(centers))]
    assert peak == pytest.approx(1 / math.sqrt(2 * math.pi), rel=0.1)


def test_density_histogram_bin_rules(rng):
    wide = plots.density_histogram(rng.normal(0, 1, 50), -500, 500)[0]   # FD wants > 120
    narrow = plots.density_histogram(rng.normal(0, 1, 50), -0.5, 0.5)[0]  # FD wants < 30
    assert wide.size == 120 and narrow.size == 30
    assert plots.density_histogram(np.zeros(10), -1, 1)[0].size == 120  # IQR = 0: collapsed G
    assert plots.density_histogram(rng.normal(0, 1, 100), -3, 3, bins=7)[0].size == 7
    c, d = plots.density_histogram(rng.uniform(0, 1, 100), 0, 1, bins=[0.0, 0.5, 1.0])
    assert np.allclose(c, [0.25, 0.75]) and np.sum(d * 0.5) == pytest.approx(1.0)


def test_density_histogram_counts_samples_outside_the_range(rng):
    samples = np.concatenate([rng.uniform(0, 1, 500), np.full(500, 10.0)])
    _, density, edges = plots.density_histogram(samples, 0, 1, return_edges=True)
    assert np.sum(density * np.diff(edges)) == pytest.approx(0.5)  # half the mass is outside


@pytest.mark.parametrize("bad, match", [
    (np.array([0.0, np.nan]), "diverged"),
    (np.array([]), "non-empty"),
])
def test_density_histogram_rejects_bad_samples(bad, match):
    with pytest.raises(ValueError, match=match):
        plots.density_histogram(bad, -1, 1)


def test_density_histogram_rejects_bad_range():
    with pytest.raises(ValueError, match="lo < hi"):
        plots.density_histogram(np.zeros(5), 1, 1)


# -- checking snapshots ------------------------------------------------------------
@pytest.mark.parametrize("key", REQUIRED)
def test_missing_snapshot_key_names_it(key, tmp_path, no_leaks):
    snap = make_snap(0)
    del snap[key]
    with pytest.raises(ValueError, match=repr(key)):
        plots.check_snapshot(snap)
    path = tmp_path / "out" / "never.gif"
    with pytest.raises(ValueError, match=repr(key)):
        plots.animate([make_snap(1), snap], path)
    assert not path.parent.exists()  # checked before anything was made


@pytest.mark.parametrize("key", ["samples", "gz", "d"])
def test_nan_in_snapshot_says_the_run_diverged(key, tmp_path, no_leaks):
    snaps = make_snaps(3)
    snaps[1][key] = snaps[1][key].copy()
    snaps[1][key][3] = np.nan if key != "gz" else np.inf
    path = tmp_path / "gan_1d.png"
    with pytest.raises(ValueError, match="diverged"):
        plots.summary_figure(snaps, make_history(), path)
    assert not path.exists()  # nothing was plotted


@pytest.mark.parametrize("change, match", [
    ({"d": np.full(200, 1.5)}, r"\[0, 1\]"),
    ({"p_data": np.ones(7)}, "shape"),
    ({"x": np.linspace(1, 0, 200)}, "increasing"),
    ({"z_range": (1.0, -1.0)}, "lo < hi"),
    ({"gz": None}, "both"),
])
def test_bad_snapshot_values(change, match):
    snap = {**make_snap(0), **change}
    with pytest.raises(ValueError, match=match):
        plots.check_snapshot(snap)


def test_optional_parts_may_be_absent(no_leaks):
    snap = make_snap(7)
    del snap["d_star"]
    snap.update(p_data=None, z=None, gz=None)
    fig, ax = plt.subplots()
    try:
        plots.figure1_panel(ax, snap)
        labels = ax.get_legend_handles_labels()[1]
    finally:
        plt.close(fig)
    assert "$D(x)$" in labels and not any("data" in lab for lab in labels)


# -- figure 1 -------------------------------------------------------------------------
def test_figure1_panel_draws_the_parts(no_leaks):
    snap = make_snap(1234, mu_g=0.5, sigma_g=0.8)
    fig, ax = plt.subplots()
    try:
        plots.figure1_panel(ax, snap, xlim=(-5, 5))
        labels = ax.get_legend_handles_labels()[1]
        mapping = [c for c in ax.collections if len(getattr(c, "get_segments", list)()) > 0]
        assert ax.get_xlim() == (-5, 5)
        assert "1,234" in ax.get_title()
        assert ax.get_ylim()[0] < 0  # the z -> x strip lives below y = 0
    finally:
        plt.close(fig)
    assert any("p_{data}" in lab for lab in labels)
    assert any("p_g" in lab and "bins" in lab for lab in labels)  # the bin choice is stated
    assert "$D(x)$" in labels and any("D^*" in lab for lab in labels)
    assert len(mapping[0].get_segments()) == snap["z"].size  # one line per z


def test_figure1_panel_hides_dstar_on_request(no_leaks):
    fig, ax = plt.subplots()
    try:
        plots.figure1_panel(ax, make_snap(0), show_dstar=False)
        labels = ax.get_legend_handles_labels()[1]
    finally:
        plt.close(fig)
    assert not any("D^*" in lab for lab in labels)


# -- training curves -----------------------------------------------------------------
def test_training_curves_two_panels_with_references(no_leaks):
    fig = plt.figure()
    try:
        ax1, ax2 = plots.training_curves(fig, make_history())
        texts = [t.get_text() for t in ax2.texts]
        halves = [ln for ln in ax1.get_lines() if np.allclose(ln.get_ydata(), 0.5)]
        refs = {round(float(ln.get_ydata()[0]), 6) for ln in ax2.get_lines()
                if len(set(ln.get_ydata())) == 1}
        labels = ax2.get_legend().get_texts()
    finally:
        plt.close(fig)
    assert halves, "no reference line at D = 1/2"
    assert round(-math.log(4), 6) in refs and round(math.log(4), 6) in refs
    assert round(math.log(2), 6) in refs  # non-saturating G loss at equilibrium
    assert any("log 4" in t for t in texts)
    assert any("JSD" in t.get_text() for t in labels)


def test_training_curves_minimax_reference(no_leaks):
    h = make_history(jsd=False)
    h["g_loss"] = [-v for v in h["g_loss"]]  # log(1 - D(G(z))) <= 0: the minimax loss
    fig, axes = plt.subplots(1, 2)
    try:
        _, ax2 = plots.training_curves(axes, h)
        refs = {round(float(ln.get_ydata()[0]), 6) for ln in ax2.get_lines()
                if len(set(ln.get_ydata())) == 1}
    finally:
        plt.close(fig)
    assert round(-math.log(2), 6) in refs


@pytest.mark.parametrize("edit, match", [
    (lambda h: h.pop("d_fake"), "'d_fake'"),
    (lambda h: h["value"].pop(), "entries"),
    (lambda h: h["g_loss"].__setitem__(5, float("nan")), "diverged"),
    (lambda h: h.pop("jsd_step"), "'jsd_step'"),
])
def test_bad_history(edit, match):
    h = make_history()
    edit(h)
    with pytest.raises(ValueError, match=match):
        plots.check_history(h)


# -- the files ------------------------------------------------------------------------
def test_summary_figure_writes_a_small_png(tmp_path, no_leaks):
    path = tmp_path / "new" / "dir" / "gan_1d.png"      # directories are created
    out = plots.summary_figure(make_snaps(5), make_history(), path, title="test")
    assert os.fspath(out) == os.fspath(path)
    size = path.stat().st_size
    assert 0 < size < 300_000
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size[0] > 800


def test_animate_writes_one_frame_per_snapshot(tmp_path, no_leaks):
    path = tmp_path / "anim" / "gan_1d.gif"
    out = plots.animate(make_snaps(4), path, fps=5)
    assert os.fspath(out) == os.fspath(path)
    assert 0 < path.stat().st_size < 3_000_000
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 4
        assert im.info["duration"] == 200


def test_animate_rejects_bad_fps(tmp_path):
    with pytest.raises(ValueError, match="fps"):
        plots.animate(make_snaps(2), tmp_path / "a.gif", fps=0)


def test_no_figures_leak_in_a_loop(tmp_path, no_leaks):
    snaps = [make_snap(i, n=500) for i in range(2)]
    for i in range(3):
        plots.sample_grid(np.zeros((4, 5, 5)), tmp_path / f"g{i}.png")
    for i in range(2):
        with pytest.raises(ValueError):
            plots.summary_figure(snaps, {"step": [1]}, tmp_path / f"s{i}.png")
    plots.animate(snaps, tmp_path / "a.gif")


# -- beyond 1D ------------------------------------------------------------------------
def test_plot_samples_2d(rng, no_leaks):
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    centers = 2 * np.column_stack([np.cos(angles), np.sin(angles)])
    samples = centers[rng.integers(0, 8, 1000)] + 0.02 * rng.standard_normal((1000, 2))
    fig, ax = plt.subplots()
    try:
        assert plots.plot_samples_2d(ax, samples, centers, title="ring") is ax
        assert len(ax.collections) == 2
        with pytest.raises(ValueError, match="diverged"):
            plots.plot_samples_2d(ax, np.full((3, 2), np.nan))
        with pytest.raises(ValueError, match=r"\(n, 2\)"):
            plots.plot_samples_2d(ax, np.zeros((3, 3)))
    finally:
        plt.close(fig)


def test_sample_grid(tmp_path, rng, no_leaks):
    images = np.tanh(rng.standard_normal((10, 8, 8)))  # in [-1, 1], like a tanh G
    path = plots.sample_grid(images, tmp_path / "grid" / "samples.png", nrow=5, title="G(z)")
    assert os.path.getsize(path) > 0
    fig, ax = plt.subplots()
    try:
        plots.sample_grid(rng.uniform(0, 1, (6, 4, 4)), ax)
        mosaic = ax.images[0].get_array()
        assert mosaic.shape == (2 * 5 + 1, 3 * 5 + 1)  # ceil(sqrt 6) = 3 per row, 1-px gaps
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match=r"\(n, h, w\)"):
        plots.sample_grid(np.zeros((4, 4)), tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"\[0, 1\] or \[-1, 1\]"):
        plots.sample_grid(np.full((2, 3, 3), 5.0), tmp_path / "x.png")


# -- the backend ----------------------------------------------------------------------
def test_use_headless(monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(plots.sys, "platform", "linux")
    assert plots.use_headless() == "agg"
    assert plots.use_headless() == "agg"  # safe to call again
    assert matplotlib.get_backend().lower() == "agg"
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert plots.use_headless() == "Agg"  # an explicit choice is respected
