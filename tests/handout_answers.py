"""A student's correct answers to the nine exercises, as function bodies by file.

``tests/test_handout.py`` writes them into a hand-out made in a temporary folder and
checks that every exercise then passes (and fails with the skeletons), so the hand-out
is proven to judge right answers right with no library beside it.  Written the way a
student would, not copied from the library.
"""

import re

ANSWERS = {
    "ex01_sigmoid_bce.py": {
        "sigmoid": """
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
""",
        "bce_with_logits": """
    a = np.asarray(logits, dtype=np.float64)
    t = np.broadcast_to(np.asarray(targets, dtype=np.float64), a.shape)
    softplus = np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))
    n = a.size
    return float(np.mean(softplus - t * a)), (sigmoid(a) - t) / n
"""},
    "ex02_leaky_relu.py": {
        "leaky_relu_forward": """
    return np.where(x > 0, x, alpha * x)
""",
        "leaky_relu_backward": """
    return np.where(x > 0, dout, alpha * dout)
"""},
    "ex03_dense_backward.py": {
        "dense_forward": """
    return x @ W + b
""",
        "dense_backward": """
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)
"""},
    "ex04_adam.py": {
        "adam_update": """
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
"""},
    "ex05_optimal_discriminator.py": {
        "optimal_discriminator": """
    p_data = np.asarray(p_data, dtype=np.float64)
    p_g = np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, p_data / safe, 0.5)
"""},
    "ex06_discriminator_step.py": {
        "d_step": """
    m = x_real.shape[0]
    logits = D.forward(np.concatenate([x_real, x_fake]))
    loss, d_real, d_fake = losses.discriminator_loss(logits[:m], logits[m:])
    D.backward(np.concatenate([d_real, d_fake]))
    d_opt.step(D.params(), D.grads())
    return loss
"""},
    "ex07_generator_step.py": {
        "g_step": """
    a = D.forward(G.forward(z))
    loss, dlogits = losses.generator_loss_nonsaturating(a)
    G.backward(D.backward(dlogits))
    g_opt.step(G.params(), G.grads())
    return loss
"""},
    "ex08_numba_matmul.py": {
        "matmul": """
    N, D = x.shape
    M = W.shape[1]
    out = np.zeros((N, M))
    for i in range(N):
        for j in range(M):
            acc = 0.0
            for k in range(D):
                acc += x[i, k] * W[k, j]
            out[i, j] = acc
    return out
"""},
    "ex09_conv_backward.py": {
        "conv2d_backward": """
    N, C, H, Wd = x.shape
    O, _, k, _ = W.shape
    s, p = stride, padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad = np.zeros(x_pad.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(O)
    for n in range(N):
        for o in range(O):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    g = dout[n, o, i, j]
                    db[o] += g
                    window = x_pad[n, :, i * s:i * s + k, j * s:j * s + k]     # (C, k, k)
                    dW[o] += g * window
                    dx_pad[n, :, i * s:i * s + k, j * s:j * s + k] += g * W[o]
    return dx_pad[:, :, p:p + H, p:p + Wd], dW, db
"""},
}


def fill_in(text, bodies):
    """The skeleton ``text`` with each named function's ``raise NotImplementedError(...)``
    line replaced by the given body (indented by four spaces, as written above)."""
    for name, body in bodies.items():
        pattern = re.compile(r"(def " + name + r"\(.*?\n)[ ]+raise NotImplementedError\([^\n]*\)\n",
                             re.S)
        text, n = pattern.subn(lambda m: m.group(1) + body.lstrip("\n"), text, count=1)
        if n != 1:
            raise ValueError(f"no unwritten {name}() found")
    return text
