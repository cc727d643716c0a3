"""13 — A convolutional GAN: convolution by hand, its transpose, and a DCGAN on 8×8 digits.

A convolution (a cross-correlation, as every deep-learning library computes it) slides
a k × k kernel W over the zero-padded input, s pixels at a time, and takes a dot
product at every stop:

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]
    H_out = ⌊(H + 2p − k) / s⌋ + 1

It is linear in x: out = M x + b for a sparse matrix M (one row per output pixel,
holding W's numbers where that pixel's window lies).  Its input gradient is therefore
dL/dx = Mᵀ dL/dout: every output pixel sends its gradient back, weighted by W, to the
pixels it was computed from.  That scatter is the TRANSPOSED convolution,

    out_pad[n, o, i·s + u, j·s + v] += W[c, o, u, v] · x[n, c, i, j],    H' = (H − 1)·s − 2p + k

and run forward with s = 2 it makes an image larger: the "fractionally-strided
convolution" with which DCGAN's generator upsamples (Radford et al. 2015).  Checked
here: ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ for every x, y; ConvTranspose2D's forward equals
Conv2D's input gradient; the matrix of one is the transpose of the other's.

Checkerboards (Odena et al. 2016): with k = 3, s = 2 an output pixel receives 1, 2 or
4 kernel taps depending on its row and column parity, so even a constant input comes
out chequered.  With k = 4, s = 2, p = 1 every pixel receives 2 × 2 taps: no pattern.

Then a DCGAN (``numpygan.models.dcgan_8x8``: strided convolutions down in D,
transposed ones up in G; on the Numba backend its convolutions run on the fast path,
im2col and one matrix product, equal to the teaching loops above) beside lesson 12's
dense GAN, on the same data, for the same number of steps and the same batch.  It
leaves out the paper's batch norm: numpygan's D-step shows D real and generated
images in one batch, its G-step generated ones alone, so a batch-normalised D would
be two different functions (dcgan_8x8's docstring says what else changed, and why).
How good are the samples?  A Fréchet distance (Heusel et al. 2017) on features:

    FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)      (numpygan.fid; "FID" when the
                                                       features are Inception's)

with μ, Σ the mean and covariance of the hidden layer of a small digit classifier the
lesson trains itself (64 → 32 → 10, softmax cross-entropy written out below).  Two
samples of the same distribution still score above 0 (μ and Σ are estimated), so the
lesson measures that floor: held-out real images against the training images, at the
same sample size as G's.  Also: samples beside their nearest training image (G's
samples should lie from the training set within 2.5× the distance held-out real images
do, and not much closer: is G blurry, or copying?), classes covered (nearest-image
labels, as lesson 12), and D(x), D(G(z)) (neither player winning outright).

The data: scikit-learn's bundled digits (``pip install scikit-learn``), optional as in
lesson 12; without it, and always with --quick, procedural stroke images.  To try the
no-scikit-learn path with scikit-learn installed:  NUMPYGAN_NO_SKLEARN=1.

Figures (in --out):
  13_sliding_dot_product.png   the kernel at three stops over a 5×5 input, the numbers
  13_transposed_matrix.png     M of a stride-2 convolution, and the transposed
                               convolution's matrix: the same numbers, transposed
  13_checkerboard.png          tap counts of a constant input, k = 3 vs k = 4, and the
                               per-pixel spread of random upsamplers' outputs
  13_samples_over_training.png the same 16 z through the dense G and the DCGAN's G
  13_real_vs_generated.png     real images; each G's samples beside their nearest
                               training image
  13_quality.png               FD over training for both, with the real-vs-real floor;
                               classes covered; D(x) and D(G(z))
"""

# %% Setup
import time

import numpy as np

import _digits
import _lesson

args, check = _lesson.start(__doc__)

import matplotlib.pyplot as plt  # noqa: E402  (after _lesson chose a headless backend)

from numpygan import kernels, mlp, plots  # noqa: E402
from numpygan.distributions import Gaussian  # noqa: E402
from numpygan.fid import frechet_distance  # noqa: E402
from numpygan.gan import GAN  # noqa: E402
from numpygan.gradcheck import numerical_gradient, rel_error  # noqa: E402
from numpygan.layers import (Conv2D, ConvTranspose2D, Dense, LeakyReLU, ReLU,  # noqa: E402
                             Reshape)
from numpygan.models import dcgan_8x8  # noqa: E402
from numpygan.network import Sequential  # noqa: E402
from numpygan.optim import Adam  # noqa: E402

print(f"kernel backend: {kernels.get_backend()} (layer by layer; on numba the convolutions "
      "take the fast path, numpygan/fast/conv.py)")


# %% 1. Convolution as a sliding dot product


def conv_by_hand(x, W, stride=1, padding=0):
    """One channel, one kernel: out[i, j] = Σ_u Σ_v W[u, v] · x_pad[i·s + u, j·s + v]."""
    k = W.shape[0]
    x_pad = np.pad(x, padding)                                 # p zeros on every side
    h_out = (x.shape[0] + 2 * padding - k) // stride + 1
    w_out = (x.shape[1] + 2 * padding - k) // stride + 1
    out = np.zeros((h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = x_pad[i * stride:i * stride + k, j * stride:j * stride + k]  # (k, k)
            out[i, j] = np.sum(W * window)                     # the dot product
    return out


def conv_layer(W, stride, padding):
    """A Conv2D(1, 1, k) holding the kernel W (k, k) and no bias."""
    layer = Conv2D(1, 1, W.shape[0], stride=stride, padding=padding,
                   rng=np.random.default_rng(0))
    layer.W = W.reshape(1, 1, *W.shape).astype(float)
    layer.b = np.zeros(1)
    return layer


rng_demo = np.random.default_rng([args.seed, 10])
x_small = rng_demo.integers(0, 5, size=(5, 5)).astype(float)   # a 5×5 "image"
W_edge = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # Sobel: x-edges
out_hand = conv_by_hand(x_small, W_edge)                       # (3, 3)
out_layer = conv_layer(W_edge, 1, 0).forward(x_small.reshape(1, 1, 5, 5))[0, 0]
print("input x (5×5):\n", x_small.astype(int))
print("kernel W (3×3, a Sobel edge detector; not symmetric, so flipping it would matter):\n",
      W_edge.astype(int))
print("out = conv(x, W), by the sliding dot product:\n", out_hand.astype(int))
check.close("Conv2D forward = the sliding dot product by hand (stride 1): max |difference|",
            np.max(np.abs(out_layer - out_hand)), 0.0, 1e-12)
out_s2 = conv_layer(W_edge, 2, 1).forward(x_small.reshape(1, 1, 5, 5))[0, 0]
check.close("... and with stride 2, padding 1 (a 3×3 output): max |difference|",
            np.max(np.abs(out_s2 - conv_by_hand(x_small, W_edge, 2, 1))), 0.0, 1e-12)


def draw_sliding():
    stops = [(0, 0), (1, 2), (2, 1)]
    fig, axes = plt.subplots(1, 4, figsize=(15, 4.0), layout="constrained")
    for ax, (i, j) in zip(axes[:3], stops):
        ax.imshow(x_small, cmap="Greys", vmin=0, vmax=8)
        for (r, c), v in np.ndenumerate(x_small):
            inside = i <= r < i + 3 and j <= c < j + 3
            label = f"{int(v)}·{int(W_edge[r - i, c - j])}" if inside else f"{int(v)}"
            ax.text(c, r, label, ha="center", va="center", fontsize=9,
                    color="#d6501f" if inside else "black")
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 3, 3, fill=False, lw=2.5,
                                   color="#d6501f"))
        ax.set_title(f"out[{i}, {j}] = Σ (x · W) over the window = {int(out_hand[i, j])}",
                     fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = axes[3]
    ax.imshow(out_hand, cmap="coolwarm", vmin=-12, vmax=12)
    for (r, c), v in np.ndenumerate(out_hand):
        ax.text(c, r, f"{int(v)}", ha="center", va="center", fontsize=12,
                fontweight="bold" if (r, c) in stops else "normal")
    ax.set_title("out (3×3): one dot product per stop\n(bold: the three stops shown)",
                 fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.suptitle("Convolution as a sliding dot product: the 3×3 kernel W (Sobel, "
                 "[[1,0,−1],[2,0,−2],[1,0,−1]]) over a 5×5 input, stride 1; "
                 "in each window 'x·W' gives the pixel and the kernel number it meets",
                 fontsize=11)
    _lesson.savefig(fig, args, "13_sliding_dot_product.png")


draw_sliding()


# %% 2. The transposed convolution is the convolution's backward


def matrix_of(f, in_shape):
    """The matrix of a linear map f on arrays of in_shape: column q = f(e_q), flattened."""
    n_in = int(np.prod(in_shape))
    cols = []
    for q in range(n_in):
        e = np.zeros(n_in)
        e[q] = 1.0
        cols.append(f(e.reshape(in_shape)).ravel())
    return np.stack(cols, axis=1)                              # (n_out, n_in)


rng_t = np.random.default_rng([args.seed, 11])
conv = Conv2D(2, 3, 3, stride=2, padding=1, rng=rng_t)         # (N, 2, 5, 5) -> (N, 3, 3, 3)
conv.b = np.zeros(3)                                           # linear, no bias
convT = ConvTranspose2D(3, 2, 3, stride=2, padding=1, rng=rng_t)  # (N, 3, 3, 3) -> (N, 2, 5, 5)
convT.W = conv.W.copy()                                        # the same (3, 2, 3, 3) numbers
convT.b = np.zeros(2)
x = rng_t.standard_normal((4, 2, 5, 5))
y = rng_t.standard_normal((4, 3, 3, 3))
lhs = float(np.sum(conv.forward(x) * y))                       # ⟨conv(x), y⟩
rhs = float(np.sum(x * convT.forward(y)))                      # ⟨x, convT(y)⟩
print(f"⟨conv(x), y⟩ = {lhs:.12f},  ⟨x, convT(y)⟩ = {rhs:.12f}")
check.below("⟨conv(x), y⟩ = ⟨x, convT(y)⟩ (stride 2, padding 1, 2 → 3 channels): "
            "relative difference", abs(lhs - rhs) / abs(lhs), 1e-12, fmt=".2e")
conv.forward(x)
dx = conv.backward(y)                                          # Conv2D's dL/dx for dL/dout = y
check.below("ConvTranspose2D forward(y) = Conv2D's input gradient for dL/dout = y: "
            "max |difference|", np.max(np.abs(convT.forward(y) - dx)), 1e-12, fmt=".2e")
M = matrix_of(lambda e: conv.forward(e[None])[0], (2, 5, 5))     # (27, 50)
M_T = matrix_of(lambda e: convT.forward(e[None])[0], (3, 3, 3))  # (50, 27)
check.below("the transposed convolution's matrix is the convolution's, transposed: "
            "max |M_T − Mᵀ|", np.max(np.abs(M_T - M.T)), 1e-12, fmt=".2e")

# the same, small enough to see: one channel, 4×4 → 2×2 and back (k = 4, s = 2, p = 1)
small = Conv2D(1, 1, 4, stride=2, padding=1, rng=np.random.default_rng(0))
small.W = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)            # the taps numbered 1..16
small.b = np.zeros(1)
smallT = ConvTranspose2D(1, 1, 4, stride=2, padding=1, rng=np.random.default_rng(0))
smallT.W, smallT.b = small.W.copy(), np.zeros(1)
M_small = matrix_of(lambda e: small.forward(e[None])[0], (1, 4, 4))     # (4, 16)
MT_small = matrix_of(lambda e: smallT.forward(e[None])[0], (1, 2, 2))   # (16, 4)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained",
                               gridspec_kw={"width_ratios": [16, 6]})
for ax, mat, title in ((ax1, M_small, "M: Conv2D 4×4 → 2×2 (k 4, s 2, p 1) as a matrix\n"
                        "(4 output pixels × 16 input pixels; entry = which tap of W)"),
                       (ax2, MT_small, "ConvTranspose2D 2×2 → 4×4, same W\n(16 × 4) = Mᵀ")):
    ax.imshow(mat, cmap="viridis", vmin=0, vmax=16)
    for (r, c), v in np.ndenumerate(mat):
        if v:
            ax.text(c, r, f"{int(v)}", ha="center", va="center", fontsize=8, color="white")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("input pixel (row-major)")
    ax.set_ylabel("output pixel (row-major)")
fig.suptitle("The transposed convolution is the convolution's matrix transposed: "
             "its forward is the convolution's backward (dL/dx = Mᵀ dL/dout)", fontsize=11)
_lesson.savefig(fig, args, "13_transposed_matrix.png")


# %% 3. Checkerboard artefacts of stride-2 upsampling


def overlap_counts(k, padding, size=4):
    """How many kernel taps land on each output pixel: ConvTranspose2D(k, stride 2) with
    W = 1 applied to a constant size × size input of ones."""
    up = ConvTranspose2D(1, 1, k, stride=2, padding=padding, rng=np.random.default_rng(0))
    up.W, up.b = np.ones((1, 1, k, k)), np.zeros(1)
    return up.forward(np.ones((1, 1, size, size)))[0, 0]       # ((size−1)·2 − 2p + k)²


def upsampler(k, padding, rng, z_dim=16, w=16):
    """dcgan_8x8's G without its tanh, with k × k kernels: z → Dense → (2w, 2, 2) →
    LeakyReLU → ConvTranspose2D(k, s 2, p) → LeakyReLU → ConvTranspose2D(k, s 2, p)."""
    conv_args = dict(stride=2, padding=padding, rng=rng)
    return Sequential([Dense(z_dim, 2 * w * 4, rng=rng), Reshape((2 * w, 2, 2)),
                       LeakyReLU(0.2), ConvTranspose2D(2 * w, w, k, **conv_args),
                       LeakyReLU(0.2), ConvTranspose2D(w, 1, k, **conv_args)])


def parity_unevenness(a):
    """a (H, W) per-pixel values, border ring dropped: the means over the four classes
    of (row parity, column parity), largest / smallest (1 = no checkerboard)."""
    inner = a[1:-1, 1:-1]
    means = [inner[r::2, c::2].mean() for r in (0, 1) for c in (0, 1)]
    return max(means) / min(means)


def spread_map(k, padding, n_nets, n_z, seed):
    """Per-pixel std over z of random upsamplers' outputs, each net's map divided by its
    mean, averaged over n_nets initialisations (so one draw's weights do not decide)."""
    maps = []
    for i in range(n_nets):
        rng = np.random.default_rng([seed, 20, k, i])
        net = upsampler(k, padding, rng)
        out = net.forward(rng.standard_normal((n_z, 16)))[:, 0]   # (n_z, H', W')
        std = out.std(axis=0)
        maps.append(std / std.mean())
    return np.mean(maps, axis=0), out[0]


counts3, counts4 = overlap_counts(3, 0), overlap_counts(4, 1)
print("taps per output pixel, k = 3, s = 2 (4×4 → 9×9):\n", counts3.astype(int))
print("taps per output pixel, k = 4, s = 2, p = 1 (4×4 → 8×8):\n", counts4.astype(int))
check.close("constant input, k = 3, s = 2: taps per pixel, largest / smallest (inside the "
            "border)", counts3[1:-1, 1:-1].max() / counts3[1:-1, 1:-1].min(), 4.0, 1e-12)
check.close("constant input, k = 4, s = 2, p = 1: taps per pixel, largest / smallest "
            "(inside the border)", counts4[1:-1, 1:-1].max() / counts4[1:-1, 1:-1].min(),
            1.0, 1e-12)
N_NETS, N_Z = (16, 200) if args.quick else (24, 500)
spread3, example3 = spread_map(3, 0, N_NETS, N_Z, args.seed)
spread4, example4 = spread_map(4, 1, N_NETS, N_Z, args.seed)
uneven3, uneven4 = parity_unevenness(spread3), parity_unevenness(spread4)
print(f"random upsamplers (untrained G's layers, {N_NETS} initialisations, {N_Z} z each): "
      f"per-pixel spread of G(z), largest / smallest parity class: k = 3: {uneven3:.2f}, "
      f"k = 4: {uneven4:.2f}")
check.above("untrained G with k = 3, s = 2: per-pixel spread of G(z), largest / smallest "
            "parity class (a checkerboard)", uneven3, 1.5, fmt=".2f")
check.below("untrained G with k = 4, s = 2, p = 1 (dcgan_8x8's): the same ratio (even; "
            "its first layer's border and the random weights keep it a bit above 1)",
            uneven4, 1.2, fmt=".2f")

fig, axes = plt.subplots(2, 3, figsize=(13, 8.4), layout="constrained")
for ax, counts, title in ((axes[0, 0], counts3, "k = 3, s = 2: taps per pixel"),
                          (axes[1, 0], counts4, "k = 4, s = 2, p = 1: taps per pixel")):
    ax.imshow(counts, cmap="magma", vmin=0, vmax=4)
    for (r, c), v in np.ndenumerate(counts):
        ax.text(c, r, f"{int(v)}", ha="center", va="center", fontsize=8,
                color="white" if v < 3 else "black")
    ax.set_title(title + " (constant input, W = 1)", fontsize=10)
for ax, spread, ratio, k in ((axes[0, 1], spread3, uneven3, 3), (axes[1, 1], spread4, uneven4, 4)):
    im = ax.imshow(spread, cmap="magma")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(f"untrained G, k = {k}: per-pixel std of G(z) over z\n(relative; parity "
                 f"classes' ratio {ratio:.2f})", fontsize=10)
for ax, img, k in ((axes[0, 2], example3, 3), (axes[1, 2], example4, 4)):
    ax.imshow(img, cmap="gray")
    ax.set_title(f"one untrained G(z), k = {k} (before tanh)", fontsize=10)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Checkerboard artefacts: with k = 3, stride 2, output pixels receive 1, 2 or 4 "
             "kernel taps by their parity (top);\nwith k = 4, stride 2, padding 1 every "
             "pixel receives 4 (bottom) — DCGAN's choice, and dcgan_8x8's", fontsize=11)
_lesson.savefig(fig, args, "13_checkerboard.png")


# %% 4. The data: digits if scikit-learn is there (as lesson 12), else procedural strokes
data = None if args.quick else _digits.load_digits_scaled()
rng_data = np.random.default_rng([args.seed, 0])
if data is None:
    print("--quick: using the procedural stroke images" if args.quick else
          "scikit-learn is not installed (or NUMPYGAN_NO_SKLEARN=1), so this run uses "
          "procedural stroke images.\nFor the handwritten digits:  pip install scikit-learn")
    x_all, y_all, class_names = _digits.make_strokes(1_800, rng_data)
    data_name = "procedural strokes"
else:
    x_all, y_all, class_names = data
    data_name = "scikit-learn digits"
order = rng_data.permutation(len(x_all))
n_train = int(0.8 * len(x_all))
x_train, y_train = x_all[order[:n_train]], y_all[order[:n_train]]
x_held, y_held = x_all[order[n_train:]], y_all[order[n_train:]]
n_classes = len(class_names)
print(f"data: {data_name}, {len(x_all):,} images of 8×8 in [−1, 1], {n_classes} classes; "
      f"{n_train:,} to train on, {len(x_held):,} held out")


# %% 5. A measuring stick: features of a small classifier, and the Fréchet distance


def softmax_cross_entropy(logits, y):
    """L = −(1/N) Σ_n log softmax(logits_n)[y_n], and dL/dlogits = (softmax − onehot(y)) / N.

    logits (N, K), y (N,) integer labels; log softmax = a − max a − log Σ exp(a − max a).
    """
    shifted = logits - logits.max(axis=1, keepdims=True)          # same softmax, no overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))   # (N, K)
    rows = np.arange(len(y))
    dlogits = np.exp(log_p)                                       # softmax (N, K)
    dlogits[rows, y] -= 1.0
    return float(-log_p[rows, y].mean()), dlogits / len(y)


def train_classifier(x, y, rng, steps):
    """C: 64 → 32 (ReLU) → K logits, Adam(3e-3), minibatches of 128."""
    C = Sequential([Dense(64, 32, rng=rng), ReLU(), Dense(32, n_classes, rng=rng)])
    opt = Adam(3e-3)
    for _ in range(steps):
        i = rng.integers(len(x), size=128)
        _, dlogits = softmax_cross_entropy(C.forward(x[i]), y[i])    # (128, K)
        C.backward(dlogits, input_grad=False)
        opt.step(C.params(), C.grads())
    return C


rng_c = np.random.default_rng([args.seed, 5])
logits0, y0 = rng_c.standard_normal((6, n_classes)), rng_c.integers(n_classes, size=6)
numeric = numerical_gradient(lambda: softmax_cross_entropy(logits0, y0)[0], logits0)
check.below("softmax cross-entropy: dL/dlogits against the numerical gradient (rel_error)",
            rel_error(softmax_cross_entropy(logits0, y0)[1], numeric), 1e-7, fmt=".1e")
classifier = train_classifier(x_train, y_train, rng_c, 200 if args.quick else 600)
accuracy = float(np.mean(classifier.forward(x_held).argmax(axis=1) == y_held))
check.above("the feature classifier's accuracy on held-out images", accuracy, 0.9, fmt=".3f")


def features(x):
    """The classifier's hidden layer: (n, 64) images -> (n, 32) ReLU features."""
    return classifier.layers[1].forward(classifier.layers[0].forward(x))


feats_train = features(x_train)
N_FD = len(x_held)                       # every FD below compares N_FD images with the train set
fd_floor = frechet_distance(features(x_held), feats_train)
print(f"FD floor, real vs real ({N_FD} held-out images vs the {n_train:,} training images): "
      f"{fd_floor:.3f}")


# %% 6. Two games, the same data, steps and batch: lesson 12's dense GAN and a DCGAN
Z, BATCH = 16, 64
STEPS = 100 if args.quick else 3_000
EVERY = 50 if args.quick else 150
SHOW = [0, 50, 100] if args.quick else [0, 200, 600, 1_500, 3_000]
LR = {"dense": 2e-4, "dcgan": 5e-4}      # lesson 12's; the rate that trained the DCGAN in trials


def make_game(kind):
    """The dense players of lesson 12, or dcgan_8x8's; Adam(LR[kind], β1 = 0.5) each."""
    rng_init = np.random.default_rng([args.seed, 1])
    if kind == "dense":
        G = mlp([Z, 64, 128, 64], hidden="leaky_relu", out="tanh", rng=rng_init)
        D = mlp([64, 128, 64, 1], hidden="leaky_relu", rng=rng_init)
    else:
        G, D = dcgan_8x8(z_dim=Z, width=16, rng=rng_init)
    return GAN(G, D, _digits.Images(x_train), Gaussian(0.0, 1.0, dim=Z),
               d_opt=Adam(LR[kind], beta1=0.5), g_opt=Adam(LR[kind], beta1=0.5),
               batch=BATCH, seed=args.seed, standardize=False, schedule="linear")


def nearest(a, b):
    """For each row of a: (distance to, index of) its nearest row of b (Euclidean)."""
    d2 = (a * a).sum(1)[:, None] - 2.0 * a @ b.T + (b * b).sum(1)[None, :]   # (n_a, n_b)
    idx = np.argmin(d2, axis=1)
    return np.sqrt(np.maximum(d2[np.arange(len(a)), idx], 0.0)), idx


def classes_covered(x):
    """Label samples by their nearest training image's class; count classes with ≥ ¼ share."""
    _, idx = nearest(x, x_train)
    counts = np.bincount(y_train[idx], minlength=n_classes)
    share = np.bincount(y_train, minlength=n_classes) / len(y_train)
    return int(np.sum(counts >= 0.25 * len(x) * share)), counts


z_eval = Gaussian(0.0, 1.0, dim=Z).sample(N_FD, np.random.default_rng([args.seed, 2]))
z_show = z_eval[:16]                                     # the same 16 z for both G's
mean_train = x_train.mean(axis=0)                        # (64,) the mean training image


def train(kind):
    """Train one game; returns it with its record: FD and classes over training, rows."""
    gan = make_game(kind)
    rec = {"step": [], "fd": [], "covered": [], "mse": [], "rows": {}}

    def callback(g):
        t = g.step_count
        if t in SHOW:
            rec["rows"][t] = g.generate(z_show)
        if t % EVERY == 0:
            x = g.generate(z_eval)                                   # (N_FD, 64)
            rec["step"].append(t)
            rec["fd"].append(frechet_distance(features(x), feats_train))
            rec["covered"].append(classes_covered(x)[0])
            rec["mse"].append(float(np.mean((x.mean(axis=0) - mean_train) ** 2)))

    t0 = time.perf_counter()
    gan.train(STEPS, callback=callback, every=1)
    rec["seconds"] = time.perf_counter() - t0
    w = slice(-200, None)
    rec["d_real"] = float(np.mean(gan.history["d_real"][w]))
    rec["d_fake"] = float(np.mean(gan.history["d_fake"][w]))
    print(f"{kind:>5}: {STEPS:,} steps of batch {BATCH} in {rec['seconds']:.0f} s; FD "
          f"{rec['fd'][0]:.2f} → {rec['fd'][-1]:.2f} (floor {fd_floor:.2f}); last 200 steps: "
          f"D(x) {rec['d_real']:.3f}, D(G(z)) {rec['d_fake']:.3f}", flush=True)
    return gan, rec




def trace_shapes(name, net, x):
    """Print each layer's output shape and parameter count for one batch x."""
    print(f"{name}: input {x.shape}")
    for layer in net.layers:
        x = layer.forward(x)
        n = sum(getattr(layer, p).size for p in getattr(layer, "param_names", ()))
        print(f"    {layer!r:<50} -> {str(x.shape):<16} {n:>6,} parameters")


games = {kind: train(kind) for kind in ("dense", "dcgan")}
print("(the DCGAN runs layer by layer, its convolutions on numpygan.fast.conv when the "
      "backend is numba; the dense GAN, as in lesson 12, may run whole-network kernels of "
      "numpygan.fast: the two times measure different code)")
trace_shapes("DCGAN's G", games["dcgan"][0].G, z_show[:1])
trace_shapes("DCGAN's D", games["dcgan"][0].D, x_train[:1])

# The DCGAN on the NumPy twins and on Numba (its convolutions on the fast path): the same
# numbers.
if kernels.HAVE_NUMBA:
    G_dc, D_dc = games["dcgan"][0].G, games["dcgan"][0].D
    outs = {}
    for name in ("numpy", "numba"):
        with kernels.backend(name):
            x_fake = G_dc.forward(z_show)                               # (16, 64)
            D_dc.forward(x_fake)
            outs[name] = (x_fake, D_dc.backward(np.ones((16, 1))))      # and dD/dx
    check.below("DCGAN: G(z) and D's input gradient, NumPy twins vs Numba twins: max "
                "|difference|", max(np.max(np.abs(a - b)) for a, b in
                                     zip(outs["numpy"], outs["numba"])), 1e-12, fmt=".1e")


# %% 7. Judge both generators' samples
d_held, _ = nearest(x_held, x_train)
judged = {}
for kind, (gan, rec) in games.items():
    x_gen = gan.generate(z_eval)                                        # (N_FD, 64)
    d_gen, nn_idx = nearest(x_gen, x_train)
    n_cov, counts = classes_covered(x_gen)
    judged[kind] = dict(x=x_gen, nn_idx=nn_idx, covered=n_cov, fd=rec["fd"][-1],
                        fd0=rec["fd"][0], nn_ratio=float(np.median(d_gen) / np.median(d_held)))
    print(f"{kind:>5}: FD {rec['fd'][-1]:.2f} ({rec['fd'][-1] / fd_floor:.1f}× the real-vs-"
          f"real floor {fd_floor:.2f}; untrained G {rec['fd'][0]:.2f});  nearest training "
          f"image: median {np.median(d_gen):.2f} (held-out real {np.median(d_held):.2f});  "
          f"classes {n_cov}/{n_classes}: " + ", ".join(f"{c}" for c in counts))
better = min(judged, key=lambda k: judged[k]["fd"])
print(f"lower FD at {STEPS:,} steps of batch {BATCH}: the {better} GAN "
      f"({judged[better]['fd']:.2f} vs {max(j['fd'] for j in judged.values()):.2f})")

dc = games["dcgan"][1]
for kind in ("dense", "dcgan"):
    j = judged[kind]
    check.true(f"{kind}: G's samples are finite", np.all(np.isfinite(j["x"])))
    if args.quick:
        mse = games[kind][1]["mse"]
        print(f"quick run, {kind}: FD(step {STEPS}) / FD(untrained G) = {j['fd'] / j['fd0']:.3f}")
        # the dense GAN, at lesson 12's smaller learning rate, moves more slowly
        check.below(f"quick run, {kind}: mean-image MSE fell: MSE(step {STEPS}) / MSE("
                    "untrained G)", mse[-1] / mse[0], 0.95 if kind == "dense" else 0.6,
                    fmt=".3f")
        continue
    check.below(f"{kind}: FD (end) / FD (untrained G)", j["fd"] / j["fd0"], 0.1, fmt=".3f")
    check.above(f"{kind}: FD (end) above the real-vs-real floor (the stick tells real from "
                f"generated)", j["fd"], fd_floor, fmt=".3f")
    need = int(np.ceil(0.8 * n_classes))
    check.above(f"{kind}: classes covered (of {n_classes}; ≥ ¼ of their share), at least "
                f"{need}", j["covered"], need - 1, fmt=".0f")
    check.between(f"{kind}: nearest training image, median for G's samples / for held-out "
                  "real (neither blurry nor copied)", j["nn_ratio"], 0.7, 2.5, fmt=".3f")
check.between("dcgan: mean D(x) over the last 200 steps (D has not won)", dc["d_real"],
              0.05 if args.quick else 0.3, 0.99 if args.quick else 0.85, fmt=".3f")
check.between("dcgan: mean D(G(z)) over the last 200 steps", dc["d_fake"],
              0.01 if args.quick else 0.15, 0.95 if args.quick else 0.7, fmt=".3f")


# %% 8. Figures
NAMES = {"dense": "dense GAN (lesson 12)", "dcgan": "DCGAN"}
QUICK_NOTE = ("\n[--quick: far too few steps to see strokes form — run the lesson without "
              "--quick]" if args.quick else "")

fig, axes = plt.subplots(2, len(SHOW), figsize=(2.5 * len(SHOW), 5.6), layout="constrained")
for row, kind in enumerate(("dense", "dcgan")):
    for ax, t in zip(axes[row], SHOW):
        plots.sample_grid(np.clip(games[kind][1]["rows"][t], -1, 1).reshape(-1, 8, 8), ax,
                          nrow=4, title=f"{NAMES[kind]}, step {t:,}")
fig.suptitle(f"The same 16 noise vectors z through each G over training ({data_name}; "
             f"batch {BATCH})" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "13_samples_over_training.png")

fig, axes = plt.subplots(1, 5, figsize=(17, 4.0), layout="constrained")
real_show = x_train[np.random.default_rng([args.seed, 4]).choice(n_train, 36, replace=False)]
plots.sample_grid(real_show.reshape(-1, 8, 8), axes[0], nrow=6, title="real training images")
for i, kind in enumerate(("dense", "dcgan")):
    j = judged[kind]
    plots.sample_grid(np.clip(j["x"][:36], -1, 1).reshape(-1, 8, 8), axes[1 + 2 * i], nrow=6,
                      title=f"{NAMES[kind]}: samples\nFD {j['fd']:.2f}, "
                            f"{j['covered']}/{n_classes} classes")
    plots.sample_grid(x_train[j["nn_idx"][:36]].reshape(-1, 8, 8), axes[2 + 2 * i], nrow=6,
                      title=f"{NAMES[kind]}: each sample's\nnearest training image")
fig.suptitle(f"Real vs generated after {STEPS:,} steps of batch {BATCH} each ({data_name}); "
             f"Fréchet distance on a classifier's features, real-vs-real floor "
             f"{fd_floor:.2f}" + QUICK_NOTE, fontsize=11)
_lesson.savefig(fig, args, "13_real_vs_generated.png")

fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.0), layout="constrained")
colors = {"dense": "0.45", "dcgan": plots.C_G}
for kind in ("dense", "dcgan"):
    rec = games[kind][1]
    ax1.plot(rec["step"], rec["fd"], "o-", ms=3, color=colors[kind], label=NAMES[kind])
    ax2.plot(rec["step"], rec["covered"], "o-", ms=3, color=colors[kind], label=NAMES[kind])
    hist = games[kind][0].history
    for key, ls in (("d_real", "-"), ("d_fake", "--")):
        y = plots.moving_average(np.asarray(hist[key]), min(50, len(hist[key])))
        ax3.plot(np.arange(len(y)) + (len(hist[key]) - len(y)) // 2 + 1, y, ls=ls,
                 color=colors[kind], label=f"{NAMES[kind]}: mean "
                 + ("D(x)" if key == "d_real" else "D(G(z))"))
ax1.axhline(fd_floor, color="black", lw=0.8, ls=":", label="real vs real (the floor)")
ax1.set_yscale("log")
ax1.set_title(f"Fréchet distance to the training images\n({N_FD} samples, classifier "
              "features; lower is closer)", fontsize=10)
ax2.axhline(n_classes, color="black", lw=0.8, ls=":", label=f"all {n_classes}")
ax2.set_ylim(-0.3, n_classes + 0.6)
ax2.set_title("classes covered (nearest-image labels, ≥ ¼ of share)", fontsize=10)
ax3.axhline(0.5, color="black", lw=0.8, ls=":")
ax3.set_ylim(0, 1)
ax3.set_title("D's verdicts (50-step averages): neither wins outright", fontsize=10)
for ax in (ax1, ax2, ax3):
    ax.set_xlabel("step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.suptitle(f"Dense GAN vs DCGAN on {data_name}, the same steps and batch" + QUICK_NOTE,
             fontsize=11)
_lesson.savefig(fig, args, "13_quality.png")

check.finish()
