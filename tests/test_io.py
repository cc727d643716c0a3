"""numpygan.io: checkpoints that load back exactly, resume bit for bit, and refuse bad files."""

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from numpygan import io, kernels
from numpygan.distributions import Gaussian, GaussianMixture, Ring2D, Uniform
from numpygan.gan import GAN, gan_1d
from numpygan.layers import Dense, Tanh
from numpygan.network import Sequential, mlp
from numpygan.optim import SGD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _small_gan(seed=3, **kw):
    return gan_1d(Gaussian(4.0, 1.25), hidden=4, d_hidden=8, batch=16, seed=seed, **kw)


def _same_params(a, b):
    pa, pb = a.params(), b.params()
    return len(pa) == len(pb) and all(
        x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(pa, pb))


# ----------------------------------------------------------------------- round trips
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("hidden,out", [("leaky_relu", None), ("tanh", "sigmoid"),
                                        ("relu", "tanh")])
def test_sequential_round_trip(tmp_path, hidden, out, dtype):
    net = mlp([3, 5, 4, 2], hidden=hidden, out=out, rng=np.random.default_rng(0),
              alpha=0.1, dtype=dtype)
    path = io.save(tmp_path / "net.npz", net)
    back = io.load(path)
    assert type(back) is Sequential and repr(back) == repr(net)
    assert _same_params(back, net)
    x = np.random.default_rng(1).normal(size=(6, 3)).astype(dtype)
    np.testing.assert_array_equal(back.forward(x), net.forward(x))
    if hidden == "leaky_relu":
        assert back.layers[1].alpha == 0.1


def test_the_file_is_plain_arrays_and_json(tmp_path):
    gan = _small_gan()
    gan.train(5)
    io.save(tmp_path / "g.npz", gan)
    with np.load(tmp_path / "g.npz", allow_pickle=False) as f:   # no pickle needed
        assert str(f["format"]) == io.FORMAT
        meta = json.loads(str(f["meta"]))
        assert all(f[k].dtype != object for k in f.files)
        assert f["G/layer0/W"].shape == (1, 4) and f["d_opt/m_0"].shape == (1, 8)
    assert meta["kind"] == "gan" and meta["p_data"] == {"type": "Gaussian", "mu": 4.0,
                                                       "sigma": 1.25, "dim": 1}
    assert meta["G"][0] == {"type": "Dense", "n_in": 1, "n_out": 4, "init": "he",
                            "dtype": "float64"}
    assert meta["G"][1] == {"type": "LeakyReLU", "alpha": 0.2}
    assert meta["game"]["step_count"] == 5 and meta["rng"]["bit_generator"] == "PCG64"
    assert io.info(tmp_path / "g.npz")["game"]["k"] == 1


@pytest.mark.parametrize("p_data,p_z", [
    (GaussianMixture([-2.0, 1.0, 3.0], [0.5, 0.25, 1.0], [0.2, 0.3, 0.5]), Gaussian(0, 1, dim=3)),
    (Ring2D(8, 2.0, 0.02), Uniform(-1.0, 1.0, dim=2)),
])
def test_gan_with_other_distributions_and_sgd(tmp_path, p_data, p_z):
    rng = np.random.default_rng(0)
    G = mlp([p_z.dim, 6, p_data.dim], hidden="tanh", rng=rng)
    D = mlp([p_data.dim, 6, 1], rng=rng)
    gan = GAN(G, D, p_data, p_z, d_opt=SGD(0.01, momentum=0.9), g_opt=SGD(0.02),
              k=2, batch=8, seed=7, real_target=0.9, schedule="constant")
    gan.train(4)
    back = io.load(io.save(tmp_path / "g.npz", gan))
    assert repr(back.p_data) == repr(p_data) and repr(back.p_z) == repr(p_z)
    assert type(back.d_opt) is SGD and back.d_opt.momentum == 0.9
    for a, b in zip(back.d_opt.velocity, gan.d_opt.velocity):
        np.testing.assert_array_equal(a, b)
    assert (back.k, back.batch, back.real_target, back.schedule) == (2, 8, 0.9, "constant")
    gan.train(3)
    back.train(3)
    assert back.history == gan.history


# ------------------------------------------------------------------------ resuming
@pytest.mark.parametrize("stop", [40, 100])   # before and after G's averaging starts
def test_resume_equals_an_uninterrupted_run(tmp_path, stop, each_backend):
    total = 120
    whole = _small_gan()
    whole.train(total)

    first = _small_gan()
    first.train(stop, total=total)               # the planned run is `total` steps long
    io.save(tmp_path / "ckpt.npz", first)
    del first
    resumed = io.load(tmp_path / "ckpt.npz")
    assert resumed.step_count == stop and resumed.total_steps == total
    resumed.train(total - stop)

    assert resumed.history == whole.history     # bit for bit: float64, same backend
    assert _same_params(resumed.G, whole.G) and _same_params(resumed.D, whole.D)
    assert _same_params(resumed.generator, whole.generator)
    assert resumed.d_opt.t == whole.d_opt.t == total
    np.testing.assert_array_equal(resumed.sample(50, np.random.default_rng(0)),
                                  whole.sample(50, np.random.default_rng(0)))


def test_the_rng_continues_exactly(tmp_path):
    gan = _small_gan()
    gan.train(3)
    back = io.load(io.save(tmp_path / "g.npz", gan))
    np.testing.assert_array_equal(back.rng.random(5), gan.rng.random(5))


def test_save_kill_resume_in_a_new_process(tmp_path):
    """Save at step 60 of 150, drop the process's state, resume in a fresh interpreter."""
    total, stop = 150, 60
    first = _small_gan(seed=11)
    first.train(stop, total=total)
    io.save(tmp_path / "ckpt.npz", first)
    backend = kernels.get_backend()
    code = (
        "import sys, numpy as np\n"
        "from numpygan import io, kernels\n"
        f"kernels.set_backend({backend!r})\n"
        "gan = io.load(sys.argv[1])\n"
        f"gan.train({total - stop})\n"
        "np.savez(sys.argv[2], **{k: np.asarray(v) for k, v in gan.history.items()})\n"
    )
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "ckpt.npz"),
                    str(tmp_path / "h.npz")], check=True, env=env, cwd=ROOT, timeout=120)
    whole = _small_gan(seed=11)
    whole.train(total)
    with np.load(tmp_path / "h.npz") as h:
        for key, values in whole.history.items():
            np.testing.assert_array_equal(h[key], np.asarray(values), err_msg=key)


@pytest.mark.parametrize("seed", [0, 5])
def test_same_seed_bit_identical_history(seed, each_backend):
    runs = [_small_gan(seed=seed) for _ in range(2)]
    for g in runs:
        g.train(40)
    assert runs[0].history == runs[1].history
    assert _same_params(runs[0].G, runs[1].G) and _same_params(runs[0].D, runs[1].D)
    other = _small_gan(seed=seed + 1)
    other.train(40)
    assert other.history["d_loss"] != runs[0].history["d_loss"]


# --------------------------------------------------------------------- atomic saving
def test_a_failed_save_leaves_the_old_checkpoint_whole(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    gan = _small_gan()
    gan.train(3)
    io.save(path, gan)
    before = path.read_bytes()
    gan.train(3)

    def dies_mid_write(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt("killed mid-save")

    monkeypatch.setattr(io.np, "savez", dies_mid_write)
    with pytest.raises(KeyboardInterrupt):
        io.save(path, gan)
    assert path.read_bytes() == before                # the old checkpoint, untouched
    assert os.listdir(tmp_path) == ["ckpt.npz"]       # and no temporary file left behind
    monkeypatch.undo()
    assert io.load(path).step_count == 3


def test_save_writes_exactly_the_name_given(tmp_path):
    net = mlp([1, 2, 1], rng=np.random.default_rng(0))
    io.save(tmp_path / "sub" / "weights", net)         # parents made, no .npz appended
    assert os.listdir(tmp_path / "sub") == ["weights"]


# ------------------------------------------------------------------------ bad files
@pytest.fixture
def ckpt(tmp_path):
    gan = _small_gan()
    gan.train(4)
    return io.save(tmp_path / "good.npz", gan)


def _rewrite(src, dst, change):
    """Copy an npz, letting change(dict_of_arrays) edit it on the way."""
    with np.load(src, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    change(arrays)
    with open(dst, "wb") as out:
        np.savez(out, **arrays)
    return dst


def _edit_meta(edit):
    def change(arrays):
        meta = json.loads(str(arrays["meta"]))
        edit(meta)
        arrays["meta"] = np.array(json.dumps(meta))
    return change


def _corrupt(ckpt, tmp_path, what):
    bad = tmp_path / "bad.npz"
    data = open(ckpt, "rb").read()
    if what == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif what == "empty":
        bad.write_bytes(b"")
    elif what == "text":
        bad.write_text("step,d_loss\n1,1.38\n")
    elif what == "npy":
        with open(bad, "wb") as f:
            np.save(f, np.zeros(3))
    elif what == "pickle":
        with open(bad, "wb") as f:
            pickle.dump({"G/layer0/W": np.zeros((1, 4))}, f)
    elif what == "object array":
        def change(a):
            a["G/layer0/W"] = np.array([{"evil": "code"}], dtype=object)
        with np.load(ckpt, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        change(arrays)
        np.savez(bad, **arrays)          # np.savez pickles object arrays
    elif what == "wrong shape":
        _rewrite(ckpt, bad, lambda a: a.__setitem__("G/layer4/W", a["G/layer4/W"].T.copy()))
    elif what == "missing array":
        _rewrite(ckpt, bad, lambda a: a.pop("D/layer4/b"))
    elif what == "missing optimizer array":
        _rewrite(ckpt, bad, lambda a: a.pop("g_opt/v_3"))
    elif what == "wrong optimizer shape":
        _rewrite(ckpt, bad, lambda a: a.__setitem__("d_opt/m_0", np.zeros((2, 8))))
    elif what == "NaN parameter":
        def change(a):
            a["D/layer0/b"] = a["D/layer0/b"].copy()
            a["D/layer0/b"][3] = np.nan
        _rewrite(ckpt, bad, change)
    elif what == "integer weights":
        _rewrite(ckpt, bad, lambda a: a.__setitem__("G/layer0/W",
                                                     np.ones((1, 4), dtype=np.int64)))
    elif what == "wrong format":
        _rewrite(ckpt, bad, lambda a: a.__setitem__("format", np.array("something-else")))
    elif what == "meta not json":
        _rewrite(ckpt, bad, lambda a: a.__setitem__("meta", np.array("{not json")))
    elif what == "unknown layer":
        _rewrite(ckpt, bad, _edit_meta(lambda m: m["G"][1].__setitem__("type", "Swish")))
    elif what == "bad distribution":
        _rewrite(ckpt, bad, _edit_meta(lambda m: m["p_data"].__setitem__("sigma", -1.0)))
    elif what == "bad setting":
        _rewrite(ckpt, bad, _edit_meta(lambda m: m["game"].__setitem__("k", 0)))
    elif what == "short history":
        _rewrite(ckpt, bad, lambda a: a.__setitem__("history/g_loss", a["history/g_loss"][:2]))
    return bad


@pytest.mark.parametrize("what,message", [
    ("truncated", r"truncated or corrupt"),
    ("empty", r"not an \.npz file \(it is empty"),
    ("text", r"not an \.npz file \(it starts with b'step'"),
    ("npy", r"is an \.npy file"),
    ("pickle", r"pickled Python object.*never loads pickles"),
    ("object array", r"array 'G/layer0/W' holds pickled Python objects"),
    ("wrong shape", r"array 'G/layer4/W' has the wrong shape: expected \(4, 1\), got \(1, 4\)"),
    ("missing array", r"missing array 'D/layer4/b'"),
    ("missing optimizer array", r"missing array g_opt/v_3"),
    ("wrong optimizer shape", r"array 'd_opt/m_0' has the wrong shape: expected \(1, 8\), "
                              r"got \(2, 8\)"),
    ("NaN parameter", r"array 'D/layer0/b' holds NaN or inf"),
    ("integer weights", r"array 'G/layer0/W' has dtype int64, expected"),
    ("wrong format", r"format is 'something-else'"),
    ("meta not json", r"meta is not valid JSON"),
    ("unknown layer", r"G's layer 1 has type 'Swish'"),
    ("bad distribution", r"p_data \(Gaussian\) is malformed.*sigma must be a positive"),
    ("bad setting", r"inconsistent.*k must be an integer >= 1, got 0"),
    ("short history", r"history's lists must have one length"),
])
def test_bad_files_are_refused_with_the_reason(ckpt, tmp_path, what, message):
    bad = _corrupt(ckpt, tmp_path, what)
    with pytest.raises(ValueError, match=message) as err:
        io.load(bad)
    assert str(bad) in str(err.value)                 # the message names the file too


def test_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        io.load(tmp_path / "nope.npz")


def test_save_refuses_what_it_could_not_load_back(tmp_path):
    net = mlp([1, 3, 1], rng=np.random.default_rng(0))
    net.layers[0].W[0, 1] = np.nan                   # in place: as a diverged optimizer would
    with pytest.raises(ValueError, match=r"layer0/W holds NaN or inf; refusing"):
        io.save(tmp_path / "x.npz", net)

    class Swish(Tanh):
        pass

    with pytest.raises(ValueError, match=r"layer 1 is a Swish"):
        io.save(tmp_path / "x.npz", Sequential([Dense(1, 2), Swish(), Dense(2, 1)]))
    with pytest.raises(ValueError, match=r"io.save stores a numpygan Sequential or GAN, got dict"):
        io.save(tmp_path / "x.npz", {"W": np.zeros(3)})

    class Cauchy(Gaussian):
        pass

    rng = np.random.default_rng(0)
    gan = GAN(mlp([1, 3, 1], rng=rng), mlp([1, 3, 1], rng=rng), Cauchy(0, 1), Uniform())
    with pytest.raises(ValueError, match=r"p_data is a Cauchy"):
        io.save(tmp_path / "x.npz", gan)
    assert not os.path.exists(tmp_path / "x.npz")
