"""The core refuses what its arithmetic cannot hold, naming it: masked, complex, bool and
text arrays into layers, bools for numbers in the optimizers; and the no-Numba note is
said once, on first use, and never to a program that chose NumPy itself."""


import numpy as np
import pytest
from fresh_python import run_python

from numpygan.layers import Conv2D, Dense, Tanh
from numpygan.optim import SGD, Adam



def _dense(rng):
    layer = Dense(3, 2, rng=rng)
    layer.forward(rng.normal(size=(4, 3)))
    return layer


@pytest.mark.parametrize("make,message", [
    (lambda r: np.ma.masked_array(r.normal(size=(4, 3)), mask=[[1, 0, 0]] * 4), "masks are not honoured"),
    (lambda r: r.normal(size=(4, 3)) + 0j, "dtype must be float64, got complex128"),
    (lambda r: np.ones((4, 3), dtype=bool), "dtype must be float64, got bool"),
    (lambda r: np.full((4, 3), "a"), "dtype must be float64, got <U1"),
])
def test_dense_refuses_inputs_it_cannot_hold(make, message, rng):
    with pytest.raises(ValueError, match=message):
        Dense(3, 2, rng=rng).forward(make(rng))


@pytest.mark.parametrize("dout,message", [
    (np.ma.masked_array(np.ones((4, 2)), mask=True), "dout is a masked array"),
    (np.ones((4, 2)) + 1j, "dout must hold real numbers, got dtype complex128"),
    (np.ones((4, 2), dtype=bool), "dout must hold real numbers, got dtype bool"),
    ("ab", r"dout must have shape \(4, 2\) .*got str"),
])
def test_backward_refuses_douts_it_cannot_hold(dout, message, rng):
    with pytest.raises(ValueError, match=message):
        _dense(rng).backward(dout)


def test_activations_and_convolutions_refuse_masked_and_complex(rng):
    with pytest.raises(ValueError, match="masked arrays are refused"):
        Tanh().forward(np.ma.masked_array(np.ones((2, 2))))
    with pytest.raises(ValueError, match="float32 or float64, got dtype complex128"):
        Conv2D(1, 1, 1).forward(np.ones((1, 1, 2, 2)) + 0j)


@pytest.mark.parametrize("make", [lambda: Adam(1e-3, eps=True), lambda: Adam(True),
                                  lambda: Adam(1e-3, beta1=False), lambda: SGD(0.1, momentum=True),
                                  lambda: Adam(1e-3, eps=np.inf)])
def test_optimizers_refuse_bools_and_non_finite_numbers(make):
    with pytest.raises(ValueError, match="must be"):
        make()


def test_sgd_step_on_a_read_only_parameter_changes_nothing():
    p, g = np.ones(3), np.ones(3)
    q = np.ones(2)
    q.flags.writeable = False
    opt = SGD(0.1, momentum=0.5)
    with pytest.raises(ValueError, match="param 1 .*read-only"):
        opt.step([p, q], [g, np.ones(2)])
    assert np.all(p == 1) and opt.velocity is None


def test_without_numba_the_note_is_one_line_on_first_use_and_never_after_choosing_numpy():
    hide = "import sys; sys.modules['numba'] = None\nimport numpy as np, numpygan\n"
    used = run_python(hide + "print(numpygan.get_backend()); print(numpygan.get_backend())")
    assert used.stdout.split() == ["numpy", "numpy"]
    assert used.stderr.count("Numba could not be imported") == 1
    assert len(used.stderr.strip().splitlines()) == 1
    chose = run_python(hide + "numpygan.set_backend('numpy'); from numpygan import kernels\n"
                    "kernels.relu_forward(np.ones(3)); print(numpygan.get_backend())")
    assert chose.stdout.split() == ["numpy"] and chose.stderr == ""
    by_env = run_python(hide + "print(numpygan.get_backend())", NUMPYGAN_BACKEND="numpy")
    assert by_env.stderr == ""
