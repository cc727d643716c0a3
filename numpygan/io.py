"""Save and load a network, or a whole GAN mid-training, as an ``.npz`` file — never pickle.

    save(path, model)    model: a ``Sequential`` (its layers and parameters), or a ``GAN``
                         (both networks, both optimizers' state, the distributions and a
                         conditional GAN's label sampler p_y, the step, the rng's exact
                         state, the schedule, the history)
    load(path)           the model, rebuilt and checked;  info(path): the description only

A loaded GAN continues exactly where the saved one stopped: on the same kernel
backend, in float64, ``load(path).train(n)`` gives the history that the run would
have had if it had never stopped (the learning-rate schedule depends on the planned
total, ``gan.total_steps``, which is saved too).

What the file holds (open it with ``np.load(path, allow_pickle=False)`` and look):

    format, version      "numpygan-checkpoint", 1
    meta                 JSON text: the kind of model; each network's layers (type, the
                         arguments that rebuild it, ``layer.config()``, dtype, training
                         mode); the distributions (type and
                         parameters); the optimizers' types; the game's settings and counters;
                         the rng's state; the backend that wrote it
    G/layer0/W, ...      parameters of layer i (a lone Sequential: layer0/W, layer0/b, ...),
                         and its saved buffers (BatchNorm's layer3/running_mean, ...)
    d_opt/m_0, ...       optimizer state arrays, as ``optim``'s ``state()`` names them
    shift, scale         the game's standard units;  history/<key>: the per-step statistics

Text is stored as 0-d unicode arrays, never as Python objects, so ``allow_pickle=False``
reads everything: a pickle can run arbitrary code when loaded, an ``.npz`` of numbers cannot.

Writing is atomic: the file is written under a temporary name beside ``path``, flushed
to disk, then renamed over ``path`` (``os.replace``).  A run killed mid-save leaves the
previous checkpoint whole, and the next save to the same place removes the temporary
it left.  Loading checks everything and refuses a file that is not an
``.npz``, is truncated, holds a pickled object, lacks an array or has a wrongly shaped
one, with a ValueError saying which.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import zipfile
import zlib

import numpy as np

from . import kernels, optim
from ._checks import available_memory, show_bytes
from ._files import atomic_path, check_output_path
from .distributions import Categorical, Gaussian, GaussianMixture, Ring2D, Uniform
from .gan import GAN, HISTORY_KEYS
from .layers import (BatchNorm, Conv2D, ConvTranspose2D, Dense, Flatten, LeakyReLU, ReLU,
                     Reshape, Sigmoid, Tanh)
from .network import Sequential

FORMAT = "numpygan-checkpoint"
VERSION = 1

LAYERS = {cls.__name__: cls for cls in (Dense, ReLU, LeakyReLU, Tanh, Sigmoid, Conv2D,
                                        ConvTranspose2D, BatchNorm, Flatten, Reshape)}
DISTRIBUTIONS = {cls.__name__: cls for cls in (Gaussian, Uniform, GaussianMixture, Ring2D,
                                               Categorical)}
# the entries of GAN.state_dict() stored as arrays; the rest (settings, counters) go in meta
GAME_ARRAYS = ("shift", "scale", "rng", "history", "G_avg")
# bounds on what a checkpoint may claim: meta is a few kB of JSON a few levels deep
MAX_META_CHARS = 1_000_000
MAX_META_DEPTH = 16


# ----------------------------------------------------------------------------- saving
def save(path, model):
    """Write ``model`` (a Sequential or a GAN) to ``path`` as an .npz, atomically.

    The name is used as given (no ``.npz`` is appended); parent folders are created;
    a symbolic link is written through (the file it points to is replaced, the link
    stays).  Refuses (ValueError) an empty path, one naming a folder, and a model it
    could not load back: unknown layer, distribution or optimizer types, or NaN/inf
    anywhere (a diverged model is not worth resuming).  Returns ``path``.
    """
    check_output_path(path, "io.save: path")
    if type(model) is Sequential:
        meta = {"kind": "sequential", "layers": _describe_layers(model, "model")}
        arrays = _network_arrays(model, "")
    elif type(model) is GAN:
        meta, arrays = _gan_contents(model)
    else:
        raise ValueError(
            "io.save stores a numpygan Sequential or GAN, got "
            f"{type(model).__name__} (a subclass may hold state that io does not know)")
    arrays = {"format": np.array(FORMAT), "version": np.array(VERSION),
              "meta": np.array(json.dumps(meta, default=_plain)), **arrays}
    for key, a in arrays.items():
        if a.dtype.kind not in "fiuU":
            raise ValueError(f"io.save: {key} has dtype {a.dtype}; only numbers and text")
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            raise ValueError(
                f"io.save: {key} holds NaN or inf; refusing to save a diverged model")
    _write_atomic(os.fspath(path), arrays)
    return path


def _plain(obj):
    """JSON for the NumPy scalars and arrays that may sit in meta (the rng's state)."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": obj.tolist(), "dtype": str(obj.dtype)}
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _describe_layers(net, who):
    out = []
    for i, layer in enumerate(net.layers):
        name = type(layer).__name__
        if LAYERS.get(name) is not type(layer):
            raise ValueError(f"io.save: {who}'s layer {i} is a {name}; io stores "
                             f"{', '.join(LAYERS)}")
        desc = {"type": name, **layer.config()}
        if layer.param_names:
            desc["dtype"] = str(layer.dtype)
        if hasattr(layer, "training"):
            desc["training"] = bool(layer.training)
        out.append(desc)
    return out


def _network_arrays(net, prefix):
    """Every layer's parameters and buffers, as ``{prefix}layer{i}/{name}``."""
    arrays = {}
    for i, layer in enumerate(net.layers):
        for name, a in zip(layer.param_names, layer.params()):
            arrays[f"{prefix}layer{i}/{name}"] = np.array(a)
        for name, a in layer.buffers().items():
            arrays[f"{prefix}layer{i}/{name}"] = np.array(a)
    return arrays


def _describe_distribution(dist, who):
    name = type(dist).__name__
    if DISTRIBUTIONS.get(name) is not type(dist):
        raise ValueError(f"io.save: {who} is a {name}; io stores {', '.join(DISTRIBUTIONS)}")
    if isinstance(dist, Gaussian):
        return {"type": name, "mu": dist.mu, "sigma": dist.sigma, "dim": dist.dim}
    if isinstance(dist, Uniform):
        return {"type": name, "low": dist.low, "high": dist.high, "dim": dist.dim}
    if isinstance(dist, Categorical):   # a conditional GAN's label sampler p_y
        return {"type": name, "probs": dist.probs.tolist()}
    if isinstance(dist, GaussianMixture):
        return {"type": name, "means": dist.means.tolist(), "sigmas": dist.sigmas.tolist(),
                "weights": dist.weights.tolist()}
    return {"type": name, "n_modes": dist.n_modes, "radius": dist.radius, "sigma": dist.sigma}


def _optimizer_contents(opt, who):
    name = type(opt).__name__
    if not (isinstance(opt, optim.Optimizer) and getattr(optim, name, None) is type(opt)
            and hasattr(opt, "state") and hasattr(opt, "load_state")):
        raise ValueError(f"io.save: {who} is a {name}; io stores the optimizers of "
                         "numpygan.optim that have state() and load_state()")
    return name, {f"{who}/{key}": np.asarray(v) for key, v in opt.state().items()}


def _gan_contents(gan):
    state = gan.state_dict()
    d_name, d_arrays = _optimizer_contents(gan.d_opt, "d_opt")
    g_name, g_arrays = _optimizer_contents(gan.g_opt, "g_opt")
    meta = {
        "kind": "gan",
        "G": _describe_layers(gan.G, "G"), "D": _describe_layers(gan.D, "D"),
        "p_data": _describe_distribution(gan.p_data, "p_data"),
        "p_z": _describe_distribution(gan.p_z, "p_z"),
        # a conditional GAN's label sampler (None: the plain game, as files before it)
        "p_y": None if gan.p_y is None else _describe_distribution(gan.p_y, "p_y"),
        "d_opt": d_name, "g_opt": g_name,
        "game": {key: v for key, v in state.items() if key not in GAME_ARRAYS},
        "rng": state["rng"],
        "G_avg": state["G_avg"] is not None,
        "history_keys": list(state["history"]),
        "backend": kernels.get_backend(),
    }
    arrays = {**_network_arrays(gan.G, "G/"), **_network_arrays(gan.D, "D/"),
              **d_arrays, **g_arrays, "shift": state["shift"], "scale": state["scale"]}
    if gan.G_avg is not None:   # the averaged generator: G's layers, its own parameters
        arrays.update(_network_arrays(gan.G_avg, "G_avg/"))
    for key, values in state["history"].items():
        arrays[f"history/{key}"] = np.asarray(values)
    return meta, arrays


def _write_atomic(path, arrays):
    """np.savez to a temporary file beside ``path``, flush to disk, rename over ``path``."""
    with atomic_path(path, "io.save: path") as tmp, open(tmp, "xb") as f:
        np.savez(f, **arrays)          # a file object: savez appends no ".npz" to it


# ---------------------------------------------------------------------------- loading
class _Reader:
    """The arrays of an open .npz, each fetched with a check and a message naming it.

    Before an array is read, its .npy header is: the size it claims must fit in the
    bytes the file holds for it and in the memory there is, so a crafted header cannot
    make ``load`` ask for petabytes.
    """

    def __init__(self, npz, path):
        self.npz, self.path = npz, path

    def fail(self, message):
        return ValueError(f"{self.path}: {message}")

    def header(self, key):
        """(shape, dtype) of array ``key`` from its .npy header, checked; nothing read."""
        if key not in self.npz.files:
            raise self.fail(f"missing array {key!r} (not a complete numpygan checkpoint)")
        member = key + ".npy"
        if member not in self.npz.zip.namelist():
            raise self.fail(f"zip member {key!r} is not an .npy array (no .npy in its name)")
        try:
            with self.npz.zip.open(member) as f:
                version = np.lib.format.read_magic(f)
                read = {(1, 0): np.lib.format.read_array_header_1_0,
                        (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                if read is None:
                    raise ValueError(f".npy format version {version}")
                shape, _, dtype = read(f)
        except (ValueError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise self.fail(f"array {key!r} has an unreadable header ({exc})") from None
        if dtype.hasobject:
            raise self.fail(f"array {key!r} holds pickled Python objects; numpygan never "
                            "loads pickles (they can run code)")
        nbytes = math.prod(shape) * dtype.itemsize
        held = self.npz.zip.getinfo(member).file_size
        if nbytes > held:
            raise self.fail(f"array {key!r} claims shape {shape} ({nbytes:,} bytes) but the "
                            f"file holds {held:,} bytes for it: truncated or crafted")
        have = available_memory()
        if have is not None and nbytes > have:
            raise self.fail(f"array {key!r} of shape {shape} needs {show_bytes(nbytes)}, "
                            f"more than the {show_bytes(have)} of memory available")
        return shape, dtype

    def array(self, key, shape=None, kind="fiu"):
        self.header(key)
        try:
            a = self.npz[key]
        except ValueError as exc:
            if "pickle" in str(exc).lower() or "object" in str(exc).lower():
                raise self.fail(f"array {key!r} holds pickled Python objects; numpygan never "
                                "loads pickles (they can run code)") from None
            raise self.fail(f"array {key!r} is unreadable ({exc}): truncated or corrupt file") \
                from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError) as exc:
            raise self.fail(f"array {key!r} is unreadable ({exc}): truncated or corrupt file") \
                from None
        if not isinstance(a, np.ndarray):
            raise self.fail(f"array {key!r} is not an .npy array")
        if a.dtype.kind not in kind:
            raise self.fail(f"array {key!r} has dtype {a.dtype}, expected "
                            + ("text" if kind == "U" else "numbers"))
        if shape is not None and a.shape != tuple(shape):
            raise self.fail(f"array {key!r} has the wrong shape: expected {tuple(shape)}, "
                            f"got {a.shape}")
        return a

    def text(self, key):
        return str(self.array(key, shape=(), kind="U")[()])


def _json_depth(text):
    """How deeply ``text``'s JSON arrays and objects nest (brackets inside strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _open(path):
    """Check the file's first bytes, then open it as an npz (allow_pickle=False)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80":
        raise ValueError(f"{path}: holds a pickled Python object, not an .npz; numpygan "
                         "never loads pickles (they can run code)")
    if head == b"\x93NUM":
        raise ValueError(f"{path}: is an .npy file (one array), not a numpygan .npz checkpoint")
    if head != b"PK\x03\x04":
        what = "it is empty" if not head else f"it starts with {head!r}"
        raise ValueError(f"{path}: not an .npz file ({what}, not the zip signature PK\\x03\\x04)")
    try:
        npz = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise ValueError(f"{path}: truncated or corrupt .npz ({exc})") from None
    return npz


def _read_meta(reader):
    fmt = reader.text("format")
    if fmt != FORMAT:
        raise reader.fail(f"format is {fmt!r}, expected {FORMAT!r}")
    version = reader.array("version", shape=(), kind="iu")
    if int(version) != VERSION:
        raise reader.fail(f"checkpoint version {int(version)}; this numpygan reads {VERSION}")
    text = reader.text("meta")
    if len(text) > MAX_META_CHARS:
        raise reader.fail(f"meta is {len(text):,} characters of JSON; a checkpoint's is a "
                          f"few thousand (at most {MAX_META_CHARS:,} are read)")
    depth = _json_depth(text)
    if depth > MAX_META_DEPTH:
        raise reader.fail(f"meta's JSON nests {depth} levels deep; a checkpoint's nests a "
                          f"few (at most {MAX_META_DEPTH})")
    try:
        meta = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise reader.fail(f"meta is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("kind") not in ("sequential", "gan"):
        raise reader.fail("meta must say kind 'sequential' or 'gan'")
    return meta


def info(path):
    """The checkpoint's description (``meta``: kind, layers, settings, backend) without
    rebuilding the model.  Same checks of the file as ``load``."""
    npz = _open(path)
    with npz:
        return _read_meta(_Reader(npz, os.fspath(path)))


def load(path):
    """Read a checkpoint written by ``save``: a Sequential or a GAN, ready to use or train.

    Raises FileNotFoundError for a missing file and ValueError, saying what is wrong,
    for anything else: not an .npz, truncated, a pickle, a missing array, a wrong
    shape or dtype, NaN/inf, or settings the constructors refuse.
    """
    npz = _open(path)
    with npz:
        reader = _Reader(npz, os.fspath(path))
        meta = _read_meta(reader)
        if meta["kind"] == "sequential":
            return _build_network(reader, meta.get("layers"), "", "model")
        return _build_gan(reader, meta)


def _build_network(reader, desc, prefix, who):
    if not isinstance(desc, list) or not desc:
        raise reader.fail(f"{who}'s layers must be a non-empty list in meta")
    layers = []
    for i, d in enumerate(desc):
        name = d.get("type") if isinstance(d, dict) else None
        if name not in LAYERS:
            raise reader.fail(f"{who}'s layer {i} has type {name!r}; known: {', '.join(LAYERS)}")
        layers.append(_build_layer(reader, LAYERS[name], d, f"{prefix}layer{i}/",
                                   f"{who}'s layer {i} ({name})"))
    try:
        return Sequential(layers)
    except ValueError as exc:
        raise reader.fail(f"{who}'s layers do not fit together: {exc}") from None


def _build_layer(reader, cls, desc, prefix, who):
    """The layer ``desc`` describes, its parameters and buffers read from the file.

    The sizes meta claims are checked against the arrays the file holds *before* the
    layer is made: meta claiming a 1e7 x 1e7 layer must not allocate 800 TB."""
    config = {k: v for k, v in desc.items() if k not in ("type", "dtype", "training")}
    try:
        shapes = cls.shapes_for(**config)
    except (TypeError, ValueError) as exc:
        raise reader.fail(f"{who} is malformed: {exc}") from None
    for name, shape in shapes.items():
        _check_shape_claim(reader, f"{prefix}{name}", shape, who)
    accepted = inspect.signature(cls).parameters
    extra = {"rng": np.random.default_rng(0)} if "rng" in accepted else {}
    if "dtype" in accepted:
        extra["dtype"] = desc.get("dtype", "float64")
    try:
        layer = cls(**config, **extra)
    except (TypeError, ValueError) as exc:
        raise reader.fail(f"{who} is malformed: {exc}") from None
    if "training" in desc:
        if not isinstance(desc["training"], bool):
            raise reader.fail(f"{who}: training must be true or false, got {desc['training']!r}")
        layer.training = desc["training"]
    targets = [(n, p, True) for n, p in zip(layer.param_names, layer.params())]
    targets += [(n, b, False) for n, b in layer.buffers().items()]
    for name, target, is_param in targets:
        key = f"{prefix}{name}"
        a = reader.array(key, shape=target.shape, kind="f")
        if a.dtype != target.dtype:
            raise reader.fail(f"array {key!r} has dtype {a.dtype}, but the layer is {target.dtype}")
        if not np.all(np.isfinite(a)):
            raise reader.fail(f"array {key!r} holds NaN or inf")
        if is_param:
            setattr(layer, name, a)        # checked and copied in by the Parameter
        else:
            target[...] = a
    return layer


def _check_shape_claim(reader, key, shape, who):
    """The shape meta implies for array ``key`` is made of counts >= 1 and is the shape
    of the array the file holds (read from its header: nothing allocated)."""
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
        raise reader.fail(f"{who}: its sizes must be integers >= 1, got {tuple(shape)!r}")
    found, _ = reader.header(key)
    if tuple(found) != tuple(shape):
        raise reader.fail(f"array {key!r} has the wrong shape: expected {tuple(shape)}, got "
                          f"{tuple(found)} ({who} in meta)")


def _check_rng_state(reader, state):
    """The PCG64 state a GAN's rng has, field by field: exact integers in their ranges
    (a float would be silently truncated, so the loaded stream would differ)."""
    def integer(name, v, lo, hi):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v < hi:
            raise reader.fail(f"meta's rng {name} must be an integer in [{lo}, {hi}), "
                              f"got {v!r}")
    expected = {"bit_generator", "state", "has_uint32", "uinteger"}
    if not isinstance(state, dict) or set(state) != expected:
        raise reader.fail(f"meta's rng must be a dict with the keys {sorted(expected)}, "
                          f"got {sorted(state) if isinstance(state, dict) else state!r}")
    if state["bit_generator"] != "PCG64":
        raise reader.fail(f"meta's rng bit_generator must be 'PCG64' (the GAN's "
                          f"default_rng), got {state['bit_generator']!r}")
    inner = state["state"]
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"}:
        raise reader.fail("meta's rng state must be a dict with the keys 'inc', 'state'")
    integer("state.state", inner["state"], 0, 2 ** 128)
    integer("state.inc", inner["inc"], 0, 2 ** 128)
    if inner["inc"] % 2 == 0:
        raise reader.fail(f"meta's rng state.inc must be odd (PCG64's increment), "
                          f"got {inner['inc']}")
    integer("has_uint32", state["has_uint32"], 0, 2)
    integer("uinteger", state["uinteger"], 0, 2 ** 32)


def _read_history(reader, keys, step_count):
    """history/<key> arrays: the GAN's keys, 1-D, finite, one length, and the steps
    counting up to the step counter (a resumed run must not repeat step numbers)."""
    if not isinstance(keys, list) or sorted(keys) != sorted(HISTORY_KEYS):
        raise reader.fail(f"meta's history_keys must be {list(HISTORY_KEYS)}, got {keys!r}")
    history = {}
    for key in keys:
        a = reader.array(f"history/{key}")
        if a.ndim != 1:
            raise reader.fail(f"array 'history/{key}' has the wrong shape: expected (n,), "
                              f"got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise reader.fail(f"array 'history/{key}' holds NaN or inf")
        history[key] = a
    lengths = {len(a) for a in history.values()}
    if len(lengths) != 1:
        raise reader.fail(f"history's lists must have one length, got lengths "
                          f"{sorted(lengths)}")
    steps = history["step"]
    expected = np.arange(step_count - len(steps) + 1, step_count + 1)
    if len(steps) > step_count or not np.array_equal(steps, expected):
        shown = steps[:3].tolist() + (["..."] if len(steps) > 4 else []) + steps[-1:].tolist()
        raise reader.fail(f"array 'history/step' must count up to the step counter "
                          f"{step_count} ({len(steps)} steps ending at it), got {shown}")
    return {key: a.tolist() for key, a in history.items()}


def _build_distribution(reader, desc, who):
    name = desc.get("type") if isinstance(desc, dict) else None
    if name not in DISTRIBUTIONS:
        raise reader.fail(f"{who} has type {name!r}; known: {', '.join(DISTRIBUTIONS)}")
    params = {k: v for k, v in desc.items() if k != "type"}
    try:
        return DISTRIBUTIONS[name](**params)
    except (TypeError, ValueError) as exc:
        raise reader.fail(f"{who} ({name}) is malformed: {exc}") from None


def _build_optimizer(reader, name, prefix, params):
    """An optimizer of type ``name`` with the state arrays under ``prefix``, checked
    against the network's parameters (per-parameter arrays are named ``<what>_<i>``)."""
    cls = getattr(optim, name, None) if isinstance(name, str) else None
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise reader.fail(f"{prefix.rstrip('/')} has unknown optimizer type {name!r}")
    state, families = {}, {}
    for key in reader.npz.files:
        if not key.startswith(prefix):
            continue
        short = key[len(prefix):]
        what, _, index = short.rpartition("_")
        if what and index.isdigit():                     # a per-parameter array
            i = int(index)
            if i >= len(params):
                raise reader.fail(f"array {key!r}: the network has only {len(params)} "
                                  "parameter arrays")
            a = reader.array(key, shape=params[i].shape, kind="f")
            if a.dtype != params[i].dtype:
                raise reader.fail(f"array {key!r} has dtype {a.dtype}, but parameter {i} "
                                  f"is {params[i].dtype}")
            families.setdefault(what, set()).add(i)
        else:                                            # a number: lr, beta1, t, ...
            a = reader.array(key, shape=())
        if not np.all(np.isfinite(a)):
            raise reader.fail(f"array {key!r} holds NaN or inf")
        state[short] = a
    for what, seen in families.items():
        missing = sorted(set(range(len(params))) - seen)
        if missing:
            raise reader.fail(f"missing array {prefix}{what}_{missing[0]} "
                              f"({what} needs one array per parameter, {len(params)} in all)")
    if "t" in state and (state["t"].dtype.kind not in "iu" or int(state["t"]) < 0):
        raise reader.fail(f"array {prefix}t (Adam's step count) must be an integer >= 0, "
                          f"got {state['t']!r}")
    if "eps" in state and not float(state["eps"]) > 0:
        raise reader.fail(f"array {prefix}eps must be > 0, got {float(state['eps'])!r}")
    if "lr" not in state:
        raise reader.fail(f"missing array {prefix}lr")
    try:
        opt = cls(float(state["lr"]))
        opt.load_state(state)
    except (KeyError, TypeError, ValueError) as exc:
        raise reader.fail(f"{prefix.rstrip('/')} ({name}) state is malformed: {exc}") from None
    return opt


def _build_gan(reader, meta):
    for key in ("G", "D", "p_data", "p_z", "d_opt", "g_opt", "game", "rng", "history_keys",
                "G_avg"):
        if key not in meta:
            raise reader.fail(f"meta is missing {key!r}")
    G = _build_network(reader, meta["G"], "G/", "G")
    D = _build_network(reader, meta["D"], "D/", "D")
    p_data = _build_distribution(reader, meta["p_data"], "p_data")
    p_z = _build_distribution(reader, meta["p_z"], "p_z")
    p_y = meta.get("p_y")
    p_y = None if p_y is None else _build_distribution(reader, p_y, "p_y")
    d_opt = _build_optimizer(reader, meta["d_opt"], "d_opt/", D.params())
    g_opt = _build_optimizer(reader, meta["g_opt"], "g_opt/", G.params())
    game = meta["game"]
    if not isinstance(game, dict):
        raise reader.fail("meta's game settings must be a dict")
    # the settings GAN's constructor takes go to it (and are checked there); the rest,
    # counters and schedule state, to load_state_dict
    accepted = inspect.signature(GAN).parameters
    settings = {key: v for key, v in game.items()
                if key in accepted and key not in ("G", "D", "p_data", "p_z")}
    try:
        gan = GAN(G, D, p_data, p_z, d_opt=d_opt, g_opt=g_opt, p_y=p_y,
                  **{**settings, "standardize": False})
    except (TypeError, ValueError) as exc:
        raise reader.fail(f"the saved game is inconsistent: {exc}") from None
    dim = p_data.dim
    state = dict(game)
    state["shift"] = reader.array("shift", shape=(dim,), kind="f")
    state["scale"] = reader.array("scale", shape=(dim,), kind="f")
    _check_rng_state(reader, meta["rng"])
    state["rng"] = meta["rng"]
    step_count = game.get("step_count")
    if isinstance(step_count, bool) or not isinstance(step_count, int) or step_count < 0:
        raise reader.fail(f"meta's game step_count must be an integer >= 0, got {step_count!r}")
    history = _read_history(reader, meta["history_keys"], step_count)
    state["history"] = history
    state["G_avg"] = None
    if meta["G_avg"]:
        state["G_avg"] = _build_network(reader, meta["G"], "G_avg/", "G_avg").params()
    try:
        gan.load_state_dict(state)
    except ValueError as exc:
        raise reader.fail(f"the saved game state is inconsistent: {exc}") from None
    return gan
