"""io.load as a validator of crafted checkpoints: each refusal a ValueError naming the
field, never a RecursionError, MemoryError, OverflowError or AttributeError, and never a
load that silently differs from what the file says."""

import io as pyio
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpygan import _checks, io
from numpygan.distributions import Gaussian
from numpygan.gan import gan_1d


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    gan = gan_1d(Gaussian(4.0, 1.25), hidden=4, d_hidden=8, batch=16, seed=3)
    gan.train(4)
    return io.save(tmp_path_factory.mktemp("io") / "good.npz", gan)


def _arrays(path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _write(dst, arrays):
    with open(dst, "wb") as out:
        np.savez(out, **arrays)
    return dst


def _with_meta(good, dst, edit):
    arrays = _arrays(good)
    meta = json.loads(str(arrays["meta"]))
    edit(meta)
    arrays["meta"] = np.array(json.dumps(meta))
    return _write(dst, arrays)


def _refused(path, pattern):
    with pytest.raises(ValueError, match=pattern):
        io.load(path)


# ----------------------------------------------------------------------- meta itself
def test_deeply_nested_meta_is_refused_before_parsing(good, tmp_path):
    arrays = _arrays(good)
    arrays["meta"] = np.array('{"kind": "gan", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _refused(_write(tmp_path / "deep.npz", arrays), r"meta's JSON nests 100001 levels deep")


def test_brackets_inside_strings_do_not_count_as_depth(good, tmp_path):
    path = _with_meta(good, tmp_path / "s.npz",
                      lambda m: m["game"].__setitem__("note", "[[[[[[[[[[[[[[[[[[[[\\\"{{{{{"))
    assert io.load(path).step_count == 4     # text, not nesting: it loads


def test_huge_meta_is_refused(good, tmp_path):
    path = _with_meta(good, tmp_path / "big.npz",
                      lambda m: m.__setitem__("padding", "x" * 2_000_000))
    _refused(path, r"meta is 2,00\d,\d{3} characters of JSON")


# --------------------------------------------------------- sizes against the arrays
def test_a_layer_claiming_1e7_by_1e7_is_refused_without_allocating(good, tmp_path):
    def claim(m):
        m["G"][2].update(n_in=10_000_000, n_out=10_000_000)
    _refused(_with_meta(good, tmp_path / "big.npz", claim),
             r"array 'G/layer2/W' has the wrong shape: expected \(10000000, 10000000\), "
             r"got \(4, 4\)")


@pytest.mark.parametrize("value", [True, 2.0, "4", 0, None])
def test_layer_sizes_must_be_counts(good, tmp_path, value):
    _refused(_with_meta(good, tmp_path / "n.npz", lambda m: m["G"][0].update(n_out=value)),
             r"G's layer 0 \(Dense\): its sizes must be integers >= 1")


def _replace_member(src, dst, name, data, drop=None):
    """Copy a zip, with member ``name``'s bytes replaced (or added) by ``data``, and
    member ``drop`` left out."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename not in (name, drop):
                zout.writestr(item, zin.read(item.filename))
        zout.writestr(name, data)
    return dst


def test_a_header_claiming_more_than_the_file_holds_is_refused(good, tmp_path):
    buf = pyio.BytesIO()
    np.save(buf, np.zeros((4, 4)))
    header = buf.getvalue().replace(b"(4, 4)", b"(4000000000, 4000000)")
    _refused(_replace_member(good, tmp_path / "h.npz", "G/layer2/W.npy", header),
             r"'G/layer2/W' claims shape \(4000000000, 4000000\) \(128,000,000,000,000,000 "
             r"bytes\) but the file holds \d+ bytes")


def test_an_array_larger_than_memory_is_refused(good, tmp_path, monkeypatch):
    monkeypatch.setattr(io, "available_memory", lambda: 100)
    _refused(good, r"array 'meta' of shape \(\) needs [\d.]+ kB, more than the 100 B of memory")


def test_a_zip_member_without_npy_is_refused(good, tmp_path):
    _refused(_replace_member(good, tmp_path / "m.npz", "shift", b"not an array",
                             drop="shift.npy"),
             r"zip member 'shift' is not an .npy array")
    _refused(_replace_member(good, tmp_path / "m2.npz", "shift", b"not an array"),
             r"array 'shift' is not an .npy array")     # beside shift.npy: np.load's pick


# ----------------------------------------------------------------- the rng's state
@pytest.mark.parametrize("edit,pattern", [
    (lambda r: r["state"].__setitem__("state", 2 ** 200), r"rng state.state must be an integer"),
    (lambda r: r["state"].__setitem__("state", -1), r"rng state.state must be an integer"),
    (lambda r: r["state"].__setitem__("state", 1.5e37), r"rng state.state must be an integer"),
    (lambda r: r["state"].__setitem__("inc", 2), r"rng state.inc must be odd"),
    (lambda r: r.__setitem__("has_uint32", True), r"rng has_uint32 must be an integer in \[0, 2\)"),
    (lambda r: r.__setitem__("uinteger", 2 ** 32), r"rng uinteger must be an integer"),
    (lambda r: r.__setitem__("bit_generator", "MT19937"), r"bit_generator must be 'PCG64'"),
    (lambda r: r.pop("uinteger"), r"rng must be a dict with the keys"),
    (lambda r: r.__setitem__("state", [1, 2]), r"rng state must be a dict"),
])
def test_rng_state_is_checked_field_by_field(good, tmp_path, edit, pattern):
    _refused(_with_meta(good, tmp_path / "r.npz", lambda m: edit(m["rng"])), pattern)


@settings(max_examples=40, deadline=None, database=None)
@given(state=st.one_of(st.integers(-2 ** 130, 2 ** 130), st.floats(allow_nan=True),
                       st.booleans(), st.text(max_size=3)),
       inc=st.integers(-5, 2 ** 129))
def test_a_loaded_rng_is_the_one_in_the_file_or_refused(good, tmp_path_factory, state, inc):
    path = tmp_path_factory.mktemp("rng") / "r.npz"

    def edit(m):
        m["rng"]["state"].update(state=state, inc=inc)
    _with_meta(good, path, edit)
    try:
        gan = io.load(path)
    except ValueError as exc:
        assert "rng" in str(exc)
        return
    assert gan.rng.bit_generator.state["state"] == {"state": state, "inc": inc}


# ------------------------------------------------------------------------- history
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_history_with_nan_or_inf_is_refused(good, tmp_path, bad):
    arrays = _arrays(good)
    arrays["history/d_loss"] = arrays["history/d_loss"].copy()
    arrays["history/d_loss"][1] = bad
    _refused(_write(tmp_path / "h.npz", arrays), r"'history/d_loss' holds NaN or inf")


@pytest.mark.parametrize("step_count", [2, 7, 0])
def test_a_step_counter_that_disagrees_with_the_history_is_refused(good, tmp_path,
                                                                   step_count):
    path = _with_meta(good, tmp_path / "s.npz",
                      lambda m: m["game"].__setitem__("step_count", step_count))
    _refused(path, rf"'history/step' must count up to the step counter {step_count}")


def test_a_history_trimmed_to_its_last_steps_still_loads(good, tmp_path):
    arrays = {k: (v[-2:] if k.startswith("history/") else v)
              for k, v in _arrays(good).items()}
    gan = io.load(_write(tmp_path / "t.npz", arrays))
    assert gan.history["step"] == [3, 4] and gan.step_count == 4


def test_history_keys_must_be_the_games(good, tmp_path):
    _refused(_with_meta(good, tmp_path / "k.npz",
                        lambda m: m.__setitem__("history_keys", ["step"])),
             r"meta's history_keys must be \['step', 'd_loss'")


def test_the_memory_check_reads_something(good):
    have = _checks.available_memory()
    assert have is None or have > 0
