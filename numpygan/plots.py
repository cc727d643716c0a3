"""Pictures of the game: Figure 1 of Goodfellow et al. 2014, training curves, a GIF.

This module never trains. It draws what ``gan.py`` hands it:

- a *snapshot* (one moment of a 1D game), a plain dict::

      step      int             the training step
      x         (X,)            an increasing grid, in data units
      p_data    (X,) or None    p_data's pdf on the grid (None when unknown)
      d         (X,)            D(x) = sigmoid(logit) on the grid, in [0, 1]
      d_star    (X,) or None    optional: the optimal D*(x) = p_data / (p_data + p_g)
      samples   (n,)            n samples of G, in data units (p_g is their histogram)
      z         (m,) or None    m sorted noise values for the mapping lines
      gz        (m,) or None    G(z) for those z, in data units
      z_range   (lo, hi)        the noise support drawn as the z line

  ``p_data``/``d_star`` may be absent; ``z``/``gz`` may be None (no mapping drawn).
- a *history*: a dict of equal-length lists ``step, d_loss, g_loss, d_real, d_fake,
  value`` and optionally ``jsd`` with its own ``jsd_step``.

Figure 1 (Goodfellow et al. 2014): p_data black dotted, p_g green solid, D blue dashed;
below, the z line with arrows x = G(z) — dense arrowheads where G contracts (p_g high),
sparse where it expands. At the game's end p_g = p_data and D = 1/2 everywhere.

p_g is drawn as a *density* (counts / (n · bin width)) on p_data's axis, never as
counts; the bin rule is stated in the legend. D(x) ∈ [0, 1] shares the picture with the
densities on a scale of its own: D = 1 sits at the top of the density axis, and the
right-hand axis reads D.

Every function checks its input first (a missing key, a NaN from a diverged run → a
``ValueError`` that says so, before anything is drawn) and closes the figures it opens.
"""

from __future__ import annotations

import io
import math
import os
import sys

import matplotlib
import numpy as np

LOG2 = math.log(2.0)
LOG4 = math.log(4.0)

SNAPSHOT_KEYS = ("step", "x", "d", "samples", "z", "gz", "z_range")  # required
SNAPSHOT_OPTIONAL = ("p_data", "d_star")                             # absent == None
HISTORY_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "value")

# Figure 1's colours: p_data black dotted, p_g green, D blue dashed.
C_DATA, C_G, C_D, C_DSTAR = "black", "#2ca02c", "#1f5fbf", "0.55"
C_REAL, C_FAKE = "#1f5fbf", "#d6501f"
C_DLOSS, C_GLOSS, C_V, C_JSD = "#1f5fbf", "#d6501f", "black", "#7b3294"


def use_headless():
    """Select the Agg backend when there is no display; return the backend's name.

    Respects an explicit ``MPLBACKEND`` (notebooks set it to their inline backend).
    Otherwise, on Linux/BSD without ``DISPLAY`` or ``WAYLAND_DISPLAY`` (a server, CI,
    a container), switches to Agg so figures can be saved without a window system.
    Safe to call any number of times.
    """
    if os.environ.get("MPLBACKEND"):
        return os.environ["MPLBACKEND"]
    headless_os = not sys.platform.startswith(("win", "darwin", "cygwin"))
    if headless_os and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if matplotlib.rcParams["backend"] != "agg":  # the rcParam is stored lower-case
            matplotlib.use("Agg")
        return "agg"
    return matplotlib.rcParams["backend"]


use_headless()

import matplotlib.pyplot as plt  # noqa: E402  (after the backend choice)
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402  (matplotlib depends on pillow)

from ._files import atomic_path  # noqa: E402

__all__ = [
    "use_headless", "density_histogram", "figure1_panel", "training_curves",
    "summary_figure", "animate", "plot_samples_2d", "sample_grid",
    "check_snapshot", "check_history", "moving_average",
]


# -- checking what we are handed ------------------------------------------------------
def _as_1d(name, a, where=""):
    a = np.asarray(a, dtype=float) if a is not None else None
    if a is None or a.ndim != 1 or a.size == 0:
        shape = None if a is None else a.shape
        raise ValueError(f"{where}{name} must be a non-empty 1-D array, got shape {shape}")
    return a


def _diverged(where, name, a):
    bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
    return ValueError(
        f"{where}{name} has {bad} NaN/inf value(s) of {np.size(a)}: the run diverged, so "
        "nothing was plotted. Try a lower learning rate (or the non-saturating loss).")


def check_snapshot(snap):
    """Validate a snapshot dict; return a copy with arrays as float64 and optional keys filled.

    Raises ValueError naming a missing key, a wrong shape, or NaN/inf (a diverged run).
    """
    if not isinstance(snap, dict):
        raise ValueError(f"a snapshot must be a dict, got {type(snap).__name__}")
    for key in SNAPSHOT_KEYS:
        if key not in snap:
            raise ValueError(f"snapshot is missing the key {key!r} (it needs "
                             f"{', '.join(SNAPSHOT_KEYS)}; optional "
                             f"{', '.join(SNAPSHOT_OPTIONAL)})")
    out = dict(snap)
    step = snap["step"]
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
        raise ValueError(f"snapshot's step must be an int ≥ 0, got {step!r}")
    out["step"] = int(step)
    where = f"snapshot at step {step}: "
    x = out["x"] = _as_1d("x", snap["x"], where)
    if x.size < 2 or not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
        raise ValueError(f"{where}x must be a finite, strictly increasing grid of ≥ 2 points")
    for key in ("p_data", "d", "d_star"):
        if snap.get(key) is None:
            if key == "d":
                raise ValueError(f"{where}d (D(x) on the grid) is None; it is required")
            out[key] = None
            continue
        a = out[key] = _as_1d(key, snap[key], where)
        if a.shape != x.shape:
            raise ValueError(f"{where}{key} has shape {a.shape} but x has shape {x.shape}")
        if not np.all(np.isfinite(a)):
            raise _diverged(where, key, a)
        if key == "p_data" and np.any(a < 0):
            raise ValueError(f"{where}p_data is a pdf and must be ≥ 0; min is {a.min():.3g}")
        if key != "p_data" and (a.min() < -1e-9 or a.max() > 1 + 1e-9):
            raise ValueError(f"{where}{key} is a probability and must lie in [0, 1]; "
                             f"got [{a.min():.3g}, {a.max():.3g}]")
    samples = out["samples"] = _as_1d("samples", snap["samples"], where)
    if not np.all(np.isfinite(samples)):
        raise _diverged(where, "samples", samples)
    if (snap["z"] is None) != (snap["gz"] is None):
        raise ValueError(f"{where}z and gz must both be arrays or both be None")
    if snap["z"] is not None:
        z = out["z"] = _as_1d("z", snap["z"], where)
        gz = out["gz"] = _as_1d("gz", snap["gz"], where)
        if z.shape != gz.shape:
            raise ValueError(f"{where}z has shape {z.shape} but gz has shape {gz.shape}")
        if not np.all(np.isfinite(z)):
            raise _diverged(where, "z", z)
        if not np.all(np.isfinite(gz)):
            raise _diverged(where, "gz", gz)
        try:
            lo, hi = (float(v) for v in snap["z_range"])
        except (TypeError, ValueError):
            raise ValueError(f"{where}z_range must be a pair (lo, hi), got "
                             f"{snap['z_range']!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{where}z_range must be finite with lo < hi, got ({lo}, {hi})")
        out["z_range"] = (lo, hi)
    return out


def check_history(history):
    """Validate a training history (dict of equal-length lists); return float64 arrays."""
    if not isinstance(history, dict):
        raise ValueError(f"history must be a dict of lists, got {type(history).__name__}")
    out = {}
    for key in HISTORY_KEYS:
        if key not in history:
            raise ValueError(f"history is missing the key {key!r} (it needs "
                             f"{', '.join(HISTORY_KEYS)}; optional jsd with jsd_step)")
        out[key] = _as_1d(key, history[key], "history: ")
    n = out["step"].size
    for key in HISTORY_KEYS:
        if out[key].size != n:
            raise ValueError(f"history[{key!r}] has {out[key].size} entries but "
                             f"history['step'] has {n}; they must be equal")
        if not np.all(np.isfinite(out[key])):
            raise _diverged("history: ", key, out[key])
    if history.get("jsd") is not None and len(history["jsd"]) > 0:
        if history.get("jsd_step") is None:
            raise ValueError("history has 'jsd' but is missing the key 'jsd_step' "
                             "(the steps at which JSD was measured)")
        jsd = _as_1d("jsd", history["jsd"], "history: ")
        jsd_step = _as_1d("jsd_step", history["jsd_step"], "history: ")
        if jsd.size != jsd_step.size:
            raise ValueError(f"history['jsd'] has {jsd.size} entries but "
                             f"history['jsd_step'] has {jsd_step.size}")
        if not np.all(np.isfinite(jsd)):
            raise _diverged("history: ", "jsd", jsd)
        out["jsd"], out["jsd_step"] = jsd, jsd_step
    return out


def _save_png(fig, path, dpi):
    """Save ``fig`` atomically (``_files.atomic_path``: never half a file under ``path``);
    a .png is reduced to a 256-colour palette (plots need no more), which makes it ~3x
    smaller than matplotlib's RGBA PNG at no visible cost."""
    with atomic_path(path, "figure path") as tmp:
        if not str(path).lower().endswith(".png"):
            fig.savefig(tmp, dpi=dpi)
            return
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        buf.seek(0)
        with Image.open(buf) as im:
            im = im.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                            dither=Image.Dither.NONE)
            im.save(tmp, format="PNG", optimize=True)


def _ensure_parent(path):
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    return path


# -- numbers behind the pictures -----------------------------------------------------
def density_histogram(samples, lo, hi, bins=None, return_edges=False):
    """p_g as a density on [lo, hi]: ``density = counts / (n · width)``.

    Bin rule (``bins=None`` or ``"fd"``): Freedman–Diaconis, width = 2·IQR·n^(−1/3),
    giving ceil((hi − lo) / width) equal bins, clipped to [30, 120]. ``bins`` may also be
    an int (that many equal bins) or an increasing array of edges.

    n counts *all* samples, so the bars integrate to the fraction of samples inside
    [lo, hi] — 1 when none fall outside — and stay comparable with p_data's pdf.

    Inputs:  samples (n,) finite; lo < hi.
    Returns: centers (B,), density (B,)  [, edges (B + 1,) if return_edges].
    """
    samples = _as_1d("samples", samples)
    if not np.all(np.isfinite(samples)):
        raise _diverged("", "samples", samples)
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"density_histogram needs finite lo < hi, got lo={lo}, hi={hi}")
    n = samples.size
    if bins is None or (isinstance(bins, str) and bins.lower() == "fd"):
        q25, q75 = np.percentile(samples, [25, 75])
        width = 2.0 * (q75 - q25) * n ** (-1.0 / 3.0)
        n_bins = 120 if width <= 0 else int(np.clip(math.ceil((hi - lo) / width), 30, 120))
        edges = np.linspace(lo, hi, n_bins + 1)
    elif isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        if bins < 1:
            raise ValueError(f"bins must be ≥ 1, got {bins}")
        edges = np.linspace(lo, hi, int(bins) + 1)
    else:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("bins must be None/'fd', an int, or increasing edges; got "
                             f"{bins!r}")
    counts, edges = np.histogram(samples, bins=edges)
    density = counts / (n * np.diff(edges))          # a density, not counts
    centers = 0.5 * (edges[:-1] + edges[1:])
    if return_edges:
        return centers, density, edges
    return centers, density


def moving_average(y, window):
    """Centred moving average over ``window`` points, 'valid' part: (N,) -> (N − w + 1,)."""
    y = np.asarray(y, dtype=float)
    window = int(max(1, min(window, y.size)))
    return np.convolve(y, np.ones(window) / window, mode="valid")


def _panel_limits(snaps, bins=None):
    """Shared x-limits and density level (where D = 1 is drawn) for several panels."""
    lo = min(s["x"][0] for s in snaps)
    hi = max(s["x"][-1] for s in snaps)
    pd_peak = max([s["p_data"].max() for s in snaps if s["p_data"] is not None] or [0.0])
    pg_peaks = [density_histogram(s["samples"], lo, hi, bins)[1].max() for s in snaps]
    if pd_peak > 0:
        # a p_g taller than p_data gets room, but not so much that p_data looks flat
        return (lo, hi), 1.1 * max(pd_peak, max(min(p, 1.5 * pd_peak) for p in pg_peaks))
    return (lo, hi), 1.1 * max(max(pg_peaks), 1e-12)


# -- Figure 1 ---------------------------------------------------------------------------
def figure1_panel(ax, snap, show_dstar=True, title=None, bins=None, xlim=None, level=None,
                  legend=True, fontsize=9):
    """Draw one Figure-1 panel (Goodfellow et al. 2014) of ``snap`` into ``ax``.

    Above y = 0: p_data (black dotted), p_g (green, a density histogram of the samples),
    D(x) (blue dashed), D*(x) (thin grey, if given and ``show_dstar``), the level D = 1/2.
    Below y = 0: the z line (the noise support, mapped linearly onto the middle of the
    x axis) with a line from each z to x = G(z) on the x line. Arrowheads bunch up where
    G contracts (p_g high) and spread where it expands.

    ``xlim`` (lo, hi) defaults to the snapshot's grid; ``level`` is the density at which
    D = 1 is drawn (default: a little above the taller of p_data and p_g). Pass the same
    ``xlim``/``level`` to panels that should be compared. Returns ``ax``.
    """
    s = check_snapshot(snap)
    x = s["x"]
    xlim = (x[0], x[-1]) if xlim is None else (float(xlim[0]), float(xlim[1]))
    if level is None:
        _, level = _panel_limits([s], bins)
    has = {key: s[key] is not None for key in ("p_data", "d_star", "z")}
    has["d_star"] &= bool(show_dstar)
    art = _panel_artists(ax, has, xlim, level, fontsize)
    _panel_update(art, s, bins, title)
    _panel_axes(ax, xlim, level, legend, fontsize)
    return ax


def _panel_artists(ax, has, xlim, level, fontsize):
    """Create a panel's artists, empty: ``_panel_update`` fills them with a snapshot.

    ``has`` says which optional parts to make (p_data, d_star, z). The parts that never
    change for fixed ``xlim``/``level`` (the level D = 1/2, the x and z lines, their
    labels) are drawn here; the returned dict holds the rest, and the geometry.
    """
    xlo, xhi = xlim
    art = {"ax": ax, "xlim": xlim, "level": level}
    ax.axhline(0.5 * level, color="0.8", lw=1.0, zorder=1)   # D = 1/2 (D = 1 at `level`)
    ax.axhline(0.0, color="0.3", lw=0.8, zorder=1)
    art["pg_fill"] = ax.stairs([0.0], xlim, fill=True, color=C_G, alpha=0.15, lw=0, zorder=2)
    art["pg"] = ax.stairs([0.0], xlim, color=C_G, lw=1.6, zorder=3, label="$p_g$")
    if has["p_data"]:
        art["p_data"], = ax.plot([], [], color=C_DATA, ls=(0, (1.5, 1.5)), lw=2.0, zorder=4,
                                 label=r"$p_{data}$")
    if has["d_star"]:
        art["d_star"], = ax.plot([], [], color=C_DSTAR, lw=1.0, zorder=4,
                                 label=r"$D^*$ (the optimal D)")
    art["d"], = ax.plot([], [], color=C_D, ls="--", lw=2.0, zorder=5, label="$D(x)$")
    if has["z"]:
        # below y = 0: the x line at y_x, the z line at y_z on the middle of the x axis
        span = xhi - xlo
        art["y_x"], art["y_z"] = y_x, y_z = -0.10 * level, -0.46 * level
        art["a"], art["b"] = a, b = xlo + 0.2 * span, xhi - 0.2 * span
        ax.plot([xlo, xhi], [y_x, y_x], color="0.5", lw=0.8, zorder=2)
        ax.plot([a, b], [y_z, y_z], color="0.35", lw=1.0, zorder=2)
        art["arrows"] = ax.add_collection(LineCollection([], lw=0.9, alpha=0.85, zorder=3))
        art["z_dots"] = ax.scatter([], [], s=9, zorder=4, lw=0)
        art["heads"] = ax.scatter([], [], marker="^", s=22, zorder=4, lw=0, clip_on=True)
        art["z_ends"] = [ax.text(end, y_z - 0.035 * level, "", ha="center", va="top",
                                 fontsize=fontsize - 1) for end in (a, b)]
        ax.text(a - 0.02 * span, y_z, "z", ha="right", va="center", fontsize=fontsize,
                style="italic")
        ax.text(xhi - 0.01 * span, y_x - 0.03 * level, "x = G(z)", ha="right", va="top",
                fontsize=fontsize - 1)
    moving = ("pg_fill", "pg", "p_data", "d_star", "d", "arrows", "z_dots", "heads")
    art["moving"] = [art[k] for k in moving if k in art] + art.get("z_ends", []) + [ax.title]
    return art


def _panel_update(art, s, bins=None, title=None):
    """Put the (checked) snapshot ``s`` into a panel's artists; returns the title set.

    p_g above the panel's top is cut flat there and the cut named in the title, with
    any of G's samples or arrows that fall off the plot.
    """
    (xlo, xhi), level, ax = art["xlim"], art["level"], art["ax"]
    centers, p_g, edges = density_histogram(s["samples"], xlo, xhi, bins, return_edges=True)
    cap = level * 1.04
    for key in ("pg_fill", "pg"):
        art[key].set_data(np.minimum(p_g, cap), edges)
    rule = ("Freedman–Diaconis bins, per panel" if bins is None or isinstance(bins, str)
            else f"{centers.size} fixed bins")
    label = f"$p_g$ (histogram of {s['samples'].size:,} G(z), {rule})"
    art["pg"].set_label(label)
    for text in ax.get_legend().get_texts() if ax.get_legend() else []:
        if text.get_text().startswith("$p_g$"):
            text.set_text(label)
    for key, scale in (("p_data", 1.0), ("d_star", level), ("d", level)):  # D -> D · level
        if key in art:
            shown = s[key] is not None
            art[key].set_visible(shown)
            art[key].set_data(s["x"], s[key] * scale if shown else s["x"] * np.nan)
    off = [f"$p_g$'s peak {p_g.max():.3g} is off scale"] if p_g.max() > cap else []
    outside = np.count_nonzero((s["samples"] < xlo) | (s["samples"] > xhi))
    if outside:
        off.append(f"{outside / s['samples'].size:.0%} of G's samples off the plot")
    if "arrows" in art:
        off += _mapping_update(art, s)
    title = title if title is not None else f"step {s['step']:,}"
    return ax.set_title(title + ("\n(" + "; ".join(off) + ")" if off else ""),
                        fontsize=ax.title.get_fontsize())


def _mapping_update(art, s):
    """The lines z -> x = G(z) below the panel; returns a note if arrows fall off it."""
    for part in (art["arrows"], art["z_dots"], art["heads"], *art["z_ends"]):
        part.set_visible(s["z"] is not None)
    if s["z"] is None:
        return []
    (zlo, zhi), (a, b) = s["z_range"], (art["a"], art["b"])
    z_pos = a + (s["z"] - zlo) / (zhi - zlo) * (b - a)                 # z on the z line
    colors = plt.get_cmap("plasma")(np.linspace(0.05, 0.8, s["z"].size))
    z_pts = np.column_stack([z_pos, np.full_like(z_pos, art["y_z"])])  # (m, 2)
    x_pts = np.column_stack([s["gz"], np.full_like(z_pos, art["y_x"])])
    art["arrows"].set_segments(np.stack([z_pts, x_pts], axis=1))      # (m, 2 ends, 2)
    art["arrows"].set_colors(colors)
    for part, points in (("z_dots", z_pts), ("heads", x_pts)):
        art[part].set_offsets(points)
        art[part].set_color(colors)
    for text, end in zip(art["z_ends"], (zlo, zhi)):
        text.set_text(f"{end:g}")
    n_out = np.count_nonzero((s["gz"] < art["xlim"][0]) | (s["gz"] > art["xlim"][1]))
    return [f"{n_out}/{s['gz'].size} arrows off the plot"] if n_out else []


def _panel_axes(ax, xlim, level, legend, fontsize):
    """A panel's axes: limits, the density scale at left, D's scale at right, legend."""
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.58 * level, level * (1.36 if legend else 1.06))
    ticks = [t for t in MaxNLocator(nbins=4).tick_values(0, level / 1.1) if 0 <= t <= level]
    ax.set_yticks(ticks)
    ax.set_ylabel("density", fontsize=fontsize)
    ax.set_xlabel("x", fontsize=fontsize, labelpad=1)
    ax.tick_params(labelsize=fontsize - 1)
    right = ax.secondary_yaxis("right", functions=(lambda y: y / level, lambda d: d * level))
    right.set_yticks([0, 0.5, 1])
    right.set_yticklabels(["0", "½", "1"])
    right.set_ylabel("D(x)", fontsize=fontsize, color=C_D, labelpad=2)
    right.tick_params(labelsize=fontsize - 1, colors=C_D)
    ax.spines["top"].set_visible(False)
    ax.title.set_fontsize(fontsize + 1)
    if legend:
        ax.legend(loc="upper center", ncols=2, fontsize=fontsize - 1.5, frameon=False,
                  handlelength=2.2, columnspacing=1.0, borderaxespad=0.2)


# -- training curves --------------------------------------------------------------------
def _smoothed(ax, steps, y, color, label, window):
    stride = max(1, steps.size // 800)  # thin the raw trace: it is noise, and PNGs grow
    ax.plot(steps[::stride], y[::stride], color=color, lw=0.6, alpha=0.22)
    if window > 1 and steps.size > 2 * window:
        ys = moving_average(y, window)
        xs = steps[window // 2: window // 2 + ys.size]
        ax.plot(xs, ys, color=color, lw=1.8, label=label)
    else:
        ax.plot(steps, y, color=color, lw=1.5, label=label)


def training_curves(fig_or_axes, history, g_loss=None, fontsize=9):
    """Two panels of a training history: what D says, and the losses.

    (1) mean D(x) on real samples and mean D(G(z)) on fakes, with the level 1/2 both
        approach at the equilibrium p_g = p_data;
    (2) the D loss, the G loss and the minibatch value V(D, G), with their equilibrium
        values: V = −log 4 (Theorem 1), D loss = 2 log 2, G loss = log 2 (non-saturating)
        or −log 2 (minimax; inferred from the sign of the G losses unless ``g_loss`` says).
        If ``history`` has ``jsd`` (at ``jsd_step``) it is drawn on a log axis at right.

    Raw per-step curves are drawn faintly, a moving average over them.
    ``fig_or_axes``: a Figure (two side-by-side axes are added) or a pair of Axes.
    Returns the two Axes.
    """
    h = check_history(history)
    if g_loss is None:
        g_loss = "minimax" if np.all(h["g_loss"] <= 0) else "non-saturating"
    if g_loss not in ("minimax", "non-saturating"):
        raise ValueError(f"g_loss must be 'minimax' or 'non-saturating', got {g_loss!r}")
    if hasattr(fig_or_axes, "add_subplot"):
        ax1, ax2 = fig_or_axes.subplots(1, 2)
    else:
        try:
            ax1, ax2 = fig_or_axes
        except (TypeError, ValueError):
            raise ValueError("training_curves needs a Figure or a pair of Axes, got "
                             f"{type(fig_or_axes).__name__}") from None
    steps = h["step"]
    window = max(1, steps.size // 40)

    ax1.axhline(0.5, color="0.45", lw=1.0, ls=":", label="equilibrium: ½")
    _smoothed(ax1, steps, h["d_real"], C_REAL, "mean D(x), x ~ $p_{data}$", window)
    _smoothed(ax1, steps, h["d_fake"], C_FAKE, "mean D(G(z)), z ~ $p_z$", window)
    ax1.set_ylim(0, 1)
    ax1.set_title("What D says: mean D on real and on generated samples, against ½",
                  fontsize=fontsize + 1)
    ax1.set_ylabel("D", fontsize=fontsize)
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3,
               fontsize=fontsize - 1, frameon=False)

    g_ref = (LOG2, "log 2") if g_loss == "non-saturating" else (-LOG2, "−log 2")
    _equilibria(ax2, [(LOG4, "2 log 2", C_DLOSS), (*g_ref, C_GLOSS), (-LOG4, "−log 4", C_V)],
                fontsize)
    _smoothed(ax2, steps, h["d_loss"], C_DLOSS, "D loss", window)
    _smoothed(ax2, steps, h["g_loss"], C_GLOSS, f"G loss ({g_loss})", window)
    _smoothed(ax2, steps, h["value"], C_V, "V(D, G) on the minibatch", window)
    ax2.set_title("Losses: V → −log 4 at p_g = p_data", fontsize=fontsize + 1)
    ax2.set_ylabel("nats", fontsize=fontsize)
    handles, labels = ax2.get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="0.3", ls=":", lw=1.0))
    labels.append(f"equilibria: 2 log 2, {g_ref[1]}, −log 4")
    if "jsd" in h:
        more_h, more_l = _jsd_axis(ax2, h["jsd_step"], h["jsd"], fontsize)
        handles, labels = handles + more_h, labels + more_l
    ax2.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2,
               fontsize=fontsize - 1, frameon=False)
    for ax in (ax1, ax2):
        ax.set_xlabel("training step", fontsize=fontsize)
        ax.tick_params(labelsize=fontsize - 1)
        ax.set_xlim(steps[0], steps[-1])
        ax.grid(alpha=0.25)
    return ax1, ax2


def _equilibria(ax, refs, fontsize):
    """Dotted lines at the losses' equilibrium values, each named at the right edge."""
    for y, text, color in refs:
        ax.axhline(y, color=color, lw=1.0, ls=":")
        ax.text(0.995, y, f"{text} ", color=color, fontsize=fontsize - 1, va="bottom",
                ha="right", transform=ax.get_yaxis_transform(), zorder=6,
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.75))


def _jsd_axis(ax, jsd_step, jsd, fontsize):
    """JSD(p_data ‖ p_g) on a log axis at the right of ``ax``; returns its legend entries."""
    ax3 = ax.twinx()
    ax3.semilogy(jsd_step, np.maximum(jsd, 1e-6), color=C_JSD, lw=1.4, marker="o", ms=3,
                 label=r"JSD($p_{data}$‖$p_g$) (right, log)")
    # a decade of room below the smallest JSD: a converged run's JSD (~0.007) would
    # otherwise sit at the bottom of the panel, on V's line at −log 4
    low = float(np.min(np.maximum(jsd, 1e-6)))
    ax3.set_ylim(bottom=10.0 ** (np.floor(np.log10(low)) - 1))
    ax3.set_ylabel("JSD (nats)", fontsize=fontsize, color=C_JSD)
    ax3.tick_params(labelsize=fontsize - 1, colors=C_JSD)
    return ax3.get_legend_handles_labels()


# -- the demo's pictures ----------------------------------------------------------------
def _check_snaps(snaps, need=1):
    if isinstance(snaps, dict):
        raise ValueError("expected a list of snapshot dicts, got a single dict")
    snaps = [check_snapshot(s) for s in snaps]
    if len(snaps) < need:
        raise ValueError(f"need at least {need} snapshot(s), got {len(snaps)}")
    return snaps


def summary_figure(snaps, history, path, title=None, bins=None, dpi=100):
    """The demo's ``gan_1d.png``: Figure-1 panels (a) start, (b) middle, (c) end, then the
    training curves below. All panels share x-limits and the density scale.

    Saves a PNG at ``path`` (directories created) and returns the path.
    """
    snaps = _check_snaps(snaps)
    h = check_history(history)            # check everything before drawing anything
    path = _ensure_parent(path)
    picks = [snaps[0], snaps[len(snaps) // 2], snaps[-1]]
    names = ["(a) start", "(b) middle", "(c) end"]
    xlim, level = _panel_limits(picks, bins)
    fig = plt.figure(figsize=(13, 8.4), dpi=dpi, layout="constrained")
    try:
        upper, lower = fig.subfigures(2, 1, height_ratios=[1.12, 1])
        top = upper.subplots(1, 3)
        bottom = lower.subplots(1, 2)
        for ax, snap, name in zip(top, picks, names):
            figure1_panel(ax, snap, title=f"{name}: step {snap['step']:,}", bins=bins,
                          xlim=xlim, level=level, legend=False)
        handles, labels = top[-1].get_legend_handles_labels()
        for ax in top[:-1]:  # a label may be missing on the last panel (no D* there)
            for hd, lb in zip(*ax.get_legend_handles_labels()):
                if lb not in labels and not lb.startswith("$p_g$"):
                    handles.append(hd)
                    labels.append(lb)
        if title is not None:
            fig.suptitle(title, fontsize=13)
        upper.legend(handles, labels, loc="outside upper center", ncols=len(labels),
                   fontsize=9, frameon=False)
        training_curves(bottom, h)
        fig.get_layout_engine().execute(fig)  # lay out once (savefig would do it twice)
        fig.set_layout_engine("none")
        _save_png(fig, path, dpi)
    finally:
        plt.close(fig)
    return path


def animate(snaps, path, fps=8, bins=None, dpi=80, figsize=(6.4, 4.2)):
    """A GIF of :func:`figure1_panel` over ``snaps`` (one frame each), with shared axes.

    The panel is laid out and drawn once; each frame then moves only what changes
    (p_g, the curves, the arrows z -> G(z), the title) and draws those over the saved
    still parts (blitting), so a frame costs a few artists, not a whole figure.
    All frames share one set of bins (``bins``, or the Freedman–Diaconis bins of the
    last snapshot) and one 256-colour palette. Returns ``path``.
    """
    snaps = _check_snaps(snaps)
    if not (isinstance(fps, (int, float)) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    path = _ensure_parent(path)
    xlim, level = _panel_limits(snaps, bins)
    if bins is None or isinstance(bins, str):   # the last p_g's FD bins, for every frame
        bins = density_histogram(snaps[-1]["samples"], *xlim, bins, return_edges=True)[2]
    # an Agg canvas of its own: frames are read from its pixels, whatever pyplot's backend
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    has = {key: any(s[key] is not None for s in snaps) for key in ("p_data", "d_star", "z")}
    art = _panel_artists(ax, has, xlim, level, fontsize=10)
    _panel_update(art, snaps[-1], bins, title="step\n(note)")  # room for a two-line title
    _panel_axes(ax, xlim, level, legend=True, fontsize=10)
    fig.get_layout_engine().execute(fig)  # lay out once, then freeze: frames must not jump
    fig.set_layout_engine("none")
    moving = sorted(art["moving"], key=lambda a: a.get_zorder())  # the legend stays still
    for artist in moving:
        artist.set_animated(True)       # left out of the still picture
    canvas.draw()
    still = canvas.copy_from_bbox(fig.bbox)
    frames = []
    for snap in snaps:
        canvas.restore_region(still)
        _panel_update(art, snap, bins)
        for artist in moving:
            fig.draw_artist(artist)
        frames.append(Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]))
    # one 256-colour palette for all frames, from the first and the last side by side
    both = Image.new("RGB", (2 * frames[0].width, frames[0].height))
    both.paste(frames[0], (0, 0))
    both.paste(frames[-1], (frames[0].width, 0))
    palette = both.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                            dither=Image.Dither.NONE)
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in frames]
    with atomic_path(path, "animation path") as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=round(1000 / fps), loop=0)
    return path


# -- beyond 1D ----------------------------------------------------------------------------
def plot_samples_2d(ax, samples, centers=None, title=None, max_points=5000):
    """Scatter of 2D samples (e.g. a ring of Gaussians), with the modes' centers marked.

    samples (n, 2); centers (k, 2) or None. Draws at most ``max_points`` samples.
    Returns ``ax``.
    """
    samples = np.asarray(samples, dtype=float)
    if samples.ndim != 2 or samples.shape[1] != 2 or samples.shape[0] == 0:
        raise ValueError(f"samples must have shape (n, 2), got {samples.shape}")
    if not np.all(np.isfinite(samples)):
        raise _diverged("", "samples", samples)
    if centers is not None:
        centers = np.asarray(centers, dtype=float)
        if centers.ndim != 2 or centers.shape[1] != 2:
            raise ValueError(f"centers must have shape (k, 2), got {centers.shape}")
    shown = samples[:max_points]
    ax.scatter(shown[:, 0], shown[:, 1], s=4, color=C_G, alpha=0.35, lw=0,
               label=f"G(z) ({shown.shape[0]:,} samples)")
    if centers is not None:
        ax.scatter(centers[:, 0], centers[:, 1], s=60, marker="x", color="black", lw=1.6,
                   label=f"modes of $p_{{data}}$ ({centers.shape[0]})", zorder=3)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.85, markerscale=2)
    if title is not None:
        ax.set_title(title)
    return ax


def sample_grid(images, path_or_ax, nrow=None, title=None, pad=1, dpi=100):
    """A grid of small grayscale images (n, h, w), values in [0, 1] or [−1, 1].

    ``nrow`` is the number of images per row (as torchvision's ``make_grid``; default
    ceil(√n)). Images with negative values are taken to be in [−1, 1] (a tanh output)
    and mapped to [0, 1]. ``path_or_ax``: an Axes to draw into (returned), or a file path
    (a PNG is saved, the figure closed, the path returned).
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(f"images must have shape (n, h, w), got {images.shape}")
    if not np.all(np.isfinite(images)):
        raise _diverged("", "images", images)
    lo, hi = images.min(), images.max()
    if lo < -1 - 1e-6 or hi > 1 + 1e-6:
        raise ValueError(f"image values must lie in [0, 1] or [-1, 1], got [{lo:.3g}, {hi:.3g}]")
    if lo < 0:
        images = (images + 1.0) / 2.0
    n, hgt, wid = images.shape
    ncol = int(nrow) if nrow is not None else math.ceil(math.sqrt(n))
    if ncol < 1:
        raise ValueError(f"nrow (images per row) must be ≥ 1, got {nrow}")
    nrows = math.ceil(n / ncol)
    mosaic = np.ones((nrows * (hgt + pad) + pad, ncol * (wid + pad) + pad))  # white gaps
    for i in range(n):
        r, c = divmod(i, ncol)
        top, left = pad + r * (hgt + pad), pad + c * (wid + pad)
        mosaic[top: top + hgt, left: left + wid] = images[i]

    def draw(ax):
        ax.imshow(mosaic, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_axis_off()
        if title is not None:
            ax.set_title(title, fontsize=10)
        return ax

    if hasattr(path_or_ax, "imshow"):
        return draw(path_or_ax)
    path = _ensure_parent(path_or_ax)
    side = min(8.0, max(2.0, 0.45 * max(ncol, nrows)))
    fig = plt.figure(figsize=(side, side * nrows / ncol + (0.3 if title else 0)),
                     layout="constrained")
    try:
        draw(fig.add_subplot())
        _save_png(fig, path, dpi)
    finally:
        plt.close(fig)
    return path
