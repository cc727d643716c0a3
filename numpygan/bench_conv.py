"""``python -m numpygan.bench --conv``: one DCGAN iteration, NumPy vs Numba vs PyTorch CPU.

The players are lesson 13's (``models.dcgan_8x8``): G and D with two (transposed)
convolutions each, batch norm, on 8×8 one-channel images, batch 64, Adam(2e-4, β1 0.5).
One iteration is Algorithm 1 with k = 1: a D step on a real and a generated batch,
then a G step through D.  PyTorch's iteration is the same architecture written
idiomatically (``nn.Sequential``, ``BCEWithLogitsLoss``, ``Adam``), in the same dtype
and on the same number of threads; the contenders take turns (``timing.race_backends``).
"""

from __future__ import annotations

import numpy as np

from .gan import discriminator_step, generator_step
from .models import dcgan_8x8
from .optim import Adam
from .timing import race_backends, ratios

LR, BETA1, Z = 2e-4, 0.5, 16


def numpygan_dcgan_iteration(width, batch, dtype=np.float64, seed=0):
    """A closure running one DCGAN iteration on the current kernel backend."""
    rng = np.random.default_rng(seed)
    G, D = dcgan_8x8(Z, width, rng=rng, dtype=dtype)
    g_opt, d_opt = Adam(LR, beta1=BETA1), Adam(LR, beta1=BETA1)
    images = np.tanh(rng.normal(size=(1024, 64))).astype(dtype)   # stand-in data in (−1, 1)

    def iteration():
        x_real = images[rng.integers(len(images), size=batch)]            # (m, 64)
        z = rng.normal(size=(batch, Z)).astype(dtype, copy=False)          # (m, Z)
        discriminator_step(D, d_opt, x_real, G.forward(z))
        z = rng.normal(size=(batch, Z)).astype(dtype, copy=False)
        generator_step(G, D, g_opt, z)

    return iteration


def torch_dcgan_iteration(width, batch, dtype="float64", seed=0):
    """The same iteration in idiomatic PyTorch (raises ImportError without torch)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    dt, w = getattr(torch, dtype), width
    G = nn.Sequential(
        nn.Linear(Z, 2 * w * 4), nn.Unflatten(1, (2 * w, 2, 2)), nn.BatchNorm2d(2 * w), nn.ReLU(),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(),
        nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh(), nn.Flatten()).to(dt)
    D = nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * w * 4, 1)).to(dt)
    g_opt = torch.optim.Adam(G.parameters(), lr=LR, betas=(BETA1, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=LR, betas=(BETA1, 0.999))
    bce = nn.BCEWithLogitsLoss()
    images = torch.tanh(torch.randn(1024, 64, dtype=dt))
    targets = torch.cat([torch.ones(batch, 1, dtype=dt), torch.zeros(batch, 1, dtype=dt)])
    ones = torch.ones(batch, 1, dtype=dt)

    def iteration():
        x_real = images[torch.randint(len(images), (batch,))]
        with torch.no_grad():
            x_fake = G(torch.randn(batch, Z, dtype=dt))
        d_opt.zero_grad()
        d_loss = bce(D(torch.cat([x_real, x_fake])), targets)   # one pass, as numpygan's
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = bce(D(G(torch.randn(batch, Z, dtype=dt))), ones)
        g_loss.backward()
        g_opt.step()
        d_loss.item(), g_loss.item()                             # as a training loop logs them

    return iteration


def bench_dcgan(width, batch, dtype, iters, use_torch=True):
    """Median µs per DCGAN iteration: {"numpy": …, "numba": …, "torch": …} (what ran)."""
    make_torch = (lambda: torch_dcgan_iteration(width, batch, np.dtype(dtype).name)) \
        if use_torch else None
    return race_backends(lambda: numpygan_dcgan_iteration(width, batch, dtype), make_torch,
                         iters, rounds=min(iters, 7), warmup=2)


def run_conv(args, result) -> dict:
    """Fill ``result`` with the DCGAN timings and their ratios."""
    result.update(kind="dcgan", width=args.width)
    times = bench_dcgan(args.width, args.batch, np.dtype(args.dtype), args.iters,
                        use_torch=result["torch_version"] is not None)
    for name, us in times.items():
        result[f"{name}_us"] = us
    result["ratios"] = ratios(times)
    return result


def conv_table(r) -> str:
    """The DCGAN result as a table for people."""
    lines = [f"DCGAN iteration (one D step + one G step, Adam): lesson 13's G and D "
             f"(models.dcgan_8x8, width {r['width']}), 8×8 images, batch {r['batch']}, {r['dtype']}",
             f"threads: Numba {r['threads']}" + (f", PyTorch {r['threads']} (set equal)"
                                                if r.get("torch_version") else "")
             + f"; median of interleaved rounds, {r['iters']} iterations each", "",
             f"{'backend':<16}{'ms / iter':>12}{'vs numba':>12}"]
    base = r.get("numba_us")
    for key in ("numpy", "numba", "torch"):
        us = r.get(f"{key}_us")
        if us is not None:
            label = key if key != "torch" else f"torch {r['torch_version']}"
            lines.append(f"{label:<16}{us / 1e3:>12.2f}{(f'{us / base:.2f}×' if base else ''):>12}")
    if "torch_us" not in r:
        lines.append(f"{'torch':<16}{r['torch']}")
    for key, text in (("numba_over_torch", "numba / torch"), ("numba_over_numpy", "numba / numpy")):
        if key in r["ratios"]:
            lines.append(f"{text} = {r['ratios'][key]:.3f}   (time ratio: below 1, Numba is faster)")
    return "\n".join(lines)
