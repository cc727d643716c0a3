"""``python -m numpygan.bench``: it runs, and says what it measured (no timing asserts)."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from numpygan import kernels

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def _bench(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "numpygan.bench", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_json_has_the_medians_and_ratios():
    res = _bench("--iters", "5", "--json", "--hidden", "8", "--batch", "16",
                 "--matmul", "32x48x40")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)          # exactly one JSON object on stdout
    keys = ["numpy_us"] + (["numba_us"] if kernels.HAVE_NUMBA else [])
    keys += ["torch_us"] if HAVE_TORCH else []
    for key in keys:
        assert isinstance(out[key], float) and out[key] > 0, key
    if not HAVE_TORCH:
        assert "torch_us" not in out
    assert (out["hidden"], out["batch"], out["dtype"], out["iters"]) == (8, 16, "float64", 5)
    assert out["threads"] >= 1
    if kernels.HAVE_NUMBA:
        assert out["ratios"]["numba_over_numpy"] == pytest.approx(out["numba_us"] / out["numpy_us"])
        mm = out["matmul"]
        assert mm["shape"] == [32, 48, 40]
        assert mm["fraction_of_np_dot"]["np.dot x W"] == pytest.approx(1.0)
        assert all(v > 0 for v in mm["gflops"].values())
        assert set(mm["gflops"]) >= {"np.dot x W", "numba matmul_bias", "numba grad_W",
                                     "numba grad_x", "numba teaching matmul_bias"}
        c = out["compile"]
        assert set(c) == {"import_s", "compile_s", "compiled", "load_s", "loaded"}
        assert all(isinstance(c[k], float) and c[k] >= 0 for k in ("import_s", "load_s"))
        # the empty cache made the first process compile, the second load what it left
        assert c["compiled"] >= 1 and c["compile_s"] > 0
        assert c["loaded"] >= 1


def test_table_for_people_float32_without_torch():
    res = _bench("--iters", "3", "--hidden", "4", "--batch", "8", "--dtype", "float32",
                 "--no-torch", "--no-compile", "--no-matmul")
    assert res.returncode == 0, res.stderr
    assert "µs / iter" in res.stdout and "float32" in res.stdout
    assert "numpy" in res.stdout
    if kernels.HAVE_NUMBA:
        assert "numba / numpy =" in res.stdout
    assert "skipped (--no-torch)" in res.stdout   # no torch row, and it says why


def test_conv_times_the_dcgan_iteration():
    res = _bench("--conv", "--json", "--iters", "2", "--width", "2", "--batch", "4")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert (out["kind"], out["width"], out["batch"]) == ("dcgan", 2, 4)
    names = ["numpy"] + (["numba"] if kernels.HAVE_NUMBA else []) + (["torch"] if HAVE_TORCH else [])
    for name in names:
        assert isinstance(out[f"{name}_us"], float) and out[f"{name}_us"] > 0
    if kernels.HAVE_NUMBA:
        assert out["ratios"]["numba_over_numpy"] == pytest.approx(out["numba_us"] / out["numpy_us"])
    table = _bench("--conv", "--iters", "1", "--width", "2", "--batch", "4", "--no-torch")
    assert table.returncode == 0, table.stderr
    assert "DCGAN iteration" in table.stdout and "ms / iter" in table.stdout


@pytest.mark.parametrize("args,flag", [(["--hidden", "0"], "--hidden"),
                                       (["--width", "0"], "--width"),
                                       (["--batch", "x"], "--batch"),
                                       (["--matmul", "12x3"], "--matmul"),
                                       (["--dtype", "float16"], "--dtype")])
def test_bad_flags_are_refused_by_name(args, flag):
    res = _bench(*args)
    assert res.returncode == 2
    assert flag in res.stderr
