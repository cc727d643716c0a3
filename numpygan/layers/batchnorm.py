"""Batch normalization (Ioffe & Szegedy 2015), per feature or per channel.

For x of shape (N, C) or (N, C, H, W), over the m values of each channel c in the
batch (m = N, or N·H·W)::

    μ_c = (1/m) Σ x            σ²_c = (1/m) Σ (x − μ_c)²
    x̂   = (x − μ_c) / sqrt(σ²_c + eps)          y = γ_c x̂ + β_c

Backward, given dy (sums over the m values of each channel)::

    dβ = Σ dy          dγ = Σ dy · x̂
    dx = γ / (m · sqrt(σ² + eps)) · (m · dy − Σ dy − x̂ · Σ (dy · x̂))     (training)
    dx = γ / sqrt(running σ² + eps) · dy                                   (evaluation)

In training mode (``layer.training = True``, the default) the batch's own μ and σ²
are used and a running average kept: running ← (1 − momentum) running + momentum ·
batch (σ² unbiased, m/(m − 1), as PyTorch).  In evaluation mode the running values
are used, so one example's output no longer depends on the rest of its batch.
"""

from __future__ import annotations

import numpy as np

from .base import Layer, Parameter, as_float_dtype, check_array


class BatchNorm(Layer):
    """Batch normalization over axis 1 of (N, C) or (N, C, H, W) inputs; γ, β of shape (C,)."""

    param_names = ("gamma", "beta")
    gamma, beta = Parameter(), Parameter()
    dgamma, dbeta = Parameter(), Parameter()
    keeps_shape = True

    def __init__(self, num_features, momentum=0.1, eps=1e-5, dtype=np.float64):
        if isinstance(num_features, (bool, np.bool_)) or not isinstance(
                num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"BatchNorm: num_features must be a positive integer, "
                             f"got {num_features!r}")
        for name, v, ok in (("momentum", momentum, 0 <= momentum <= 1), ("eps", eps, eps > 0)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) \
                    or not ok:
                raise ValueError(f"BatchNorm: {name} must be {'in [0, 1]' if name == 'momentum' else 'a positive number'}, got {v!r}")
        self.num_features, self.momentum, self.eps = int(num_features), float(momentum), float(eps)
        self.dtype = as_float_dtype(dtype)
        self.training = True
        self.init_params(gamma=np.ones(self.num_features), beta=np.zeros(self.num_features))
        self.running_mean = np.zeros(self.num_features, dtype=self.dtype)
        self.running_var = np.ones(self.num_features, dtype=self.dtype)

    def config(self):
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}

    @classmethod
    def shapes_for(cls, num_features, **_):
        return {"gamma": (num_features,), "beta": (num_features,)}

    def buffers(self) -> dict:
        """State that is not trained by gradients but must be saved: the running averages."""
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def _axes(self, x):
        check_array(x, repr(self))
        if x.ndim not in (2, 4) or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: input must be (N, {self.num_features}) or "
                             f"(N, {self.num_features}, H, W), got shape {x.shape}")
        if x.dtype != self.dtype:
            raise ValueError(f"{self!r}: input dtype is {x.dtype} but the layer is {self.dtype}")
        return (0,) if x.ndim == 2 else (0, 2, 3)

    def forward(self, x):
        axes = self._axes(x)
        per_channel = (1, -1) + (1,) * (x.ndim - 2)             # (1, C) or (1, C, 1, 1)
        m = x.size // self.num_features
        if self.training:
            if m < 2:
                raise ValueError(f"{self!r}: training mode needs at least 2 values per channel "
                                 f"to estimate a variance, got shape {x.shape}")
            mu, var = x.mean(axis=axes), x.var(axis=axes)        # (C,), (C,)
            r = self.momentum
            self.running_mean[...] = (1 - r) * self.running_mean + r * mu
            self.running_var[...] = (1 - r) * self.running_var + r * var * m / (m - 1)
        else:
            mu, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)                  # (C,)
        x_hat = (x - mu.reshape(per_channel)) * inv_std.reshape(per_channel)
        self.cache = (x_hat, inv_std, self.training)
        return self.gamma.reshape(per_channel) * x_hat + self.beta.reshape(per_channel)

    def backward(self, dout):
        x_hat, inv_std, training = self.cached()
        dout = self.check_dout(dout, x_hat.shape, self.dtype)
        axes = (0,) if dout.ndim == 2 else (0, 2, 3)
        per_channel = (1, -1) + (1,) * (dout.ndim - 2)
        m = dout.size // self.num_features
        self.dbeta[...] = dout.sum(axis=axes)                    # dβ = Σ dy
        self.dgamma[...] = (dout * x_hat).sum(axis=axes)         # dγ = Σ dy · x̂
        scale = (self.gamma * inv_std).reshape(per_channel)      # γ / sqrt(σ² + eps)
        if not training:
            return scale * dout
        return scale / m * (m * dout - self.dbeta.reshape(per_channel)
                            - x_hat * self.dgamma.reshape(per_channel))

    def __repr__(self):
        return f"BatchNorm({self.num_features})"
