"""An Elman recurrent network, unrolled with ``pg.scan`` and trained by SGD, predicts a sine wave.

Run: ``python examples/rnn_scan.py [--epochs 1000] [--hidden 16] [--lr 0.2] [--out
examples/output]``

The network reads one noisy sine value per step and predicts the next clean one::

    h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)        y_t = h_t W_hy + b_y

``pg.scan`` builds the loop over time; ``pg.grad`` differentiates the mean squared error through it
(the gradient of a scan is itself a reverse scan); ``pg.function(..., updates=...)`` turns one SGD
step on the shared weights into one compiled call. The printed loss should fall steadily.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import probgraph as pg
import probgraph.tensor as pt


def make_data(rng, n_seq: int, n_steps: int, noise: float = 0.1):
    """Sine waves with random phases and frequencies, ``(n_steps, n_seq, 1)``: noisy inputs and the
    clean value one step ahead as targets."""
    t = np.arange(n_steps + 1)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n_seq)
    freq = rng.uniform(0.15, 0.35, n_seq)
    clean = np.sin(freq * t + phase)
    x = clean[:-1] + noise * rng.standard_normal((n_steps, n_seq))
    return x[..., None], clean[1:, :, None]


def elman_rnn(x, n_in: int, n_hidden: int, rng):
    """The network's shared weights and its predictions for a batch ``x`` ``(T, batch, n_in)``."""
    W_xh = pg.shared(rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_hidden)), name="W_xh")
    W_hh = pg.shared(rng.normal(0.0, 0.5 / np.sqrt(n_hidden), (n_hidden, n_hidden)), name="W_hh")
    b_h = pg.shared(np.zeros(n_hidden), name="b_h")
    W_hy = pg.shared(np.zeros((n_hidden, 1)), name="W_hy")  # so the first prediction is 0
    b_y = pg.shared(np.zeros(1), name="b_y")

    def step(x_t, h_prev, W_xh, W_hh, b_h):
        return pt.tanh(pt.dot(x_t, W_xh) + pt.dot(h_prev, W_hh) + b_h)

    h0 = pt.zeros((x.shape[1], n_hidden), dtype=x.dtype)
    h, _ = pg.scan(step, sequences=[x], outputs_info=[h0], non_sequences=[W_xh, W_hh, b_h],
                   name="elman")
    y = pt.dot(h, W_hy) + b_y  # (T, batch, n_hidden) @ (n_hidden, 1)
    return [W_xh, W_hh, b_h, W_hy, b_y], y


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--steps", type=int, default=40, help="time steps per sequence")
    parser.add_argument("--batch", type=int, default=32, help="sequences per training batch")
    parser.add_argument("--lr", type=float, default=0.2, help="learning rate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--mode", choices=["numba", "python"], help="default: pg.config.mode")
    parser.add_argument("--out", default=str(Path(__file__).parent / "output"))
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    x = pt.tensor3("x", dtype="float64")
    target = pt.tensor3("target", dtype="float64")
    params, y = elman_rnn(x, n_in=1, n_hidden=args.hidden, rng=rng)
    loss = pt.mean((y - target) ** 2)
    grads = pg.grad(loss, params)
    updates = [(p, p - args.lr * g) for p, g in zip(params, grads)]  # one SGD step
    train = pg.function([x, target], loss, updates=updates, mode=args.mode)
    predict = pg.function([x], y, mode=args.mode)

    start = time.perf_counter()
    losses = []
    for epoch in range(1, args.epochs + 1):
        losses.append(float(train(*make_data(rng, args.batch, args.steps))))
        if epoch == 1 or epoch % max(1, args.epochs // 10) == 0:
            elapsed = time.perf_counter() - start
            print(f"epoch {epoch:4d}   loss {losses[-1]:.4f}   ({elapsed:.1f} s)")
    x_test, y_test = make_data(np.random.default_rng(args.seed + 1), 64, args.steps)
    test_loss = float(np.mean((predict(x_test) - y_test) ** 2))
    noise_floor = float(np.mean((x_test - y_test) ** 2))  # predicting "next = current noisy input"
    print(f"test loss {test_loss:.4f} (repeating the current input would score {noise_floor:.4f})")

    if not args.no_plots:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.5))
        ax0.semilogy(losses)
        ax0.set(xlabel="epoch", ylabel="training loss (MSE)", title="Elman RNN, SGD")
        ax1.plot(x_test[:, 0, 0], ".", color="0.6", label="noisy input")
        ax1.plot(y_test[:, 0, 0], label="next value")
        ax1.plot(predict(x_test)[:, 0, 0], label="prediction")
        ax1.set(xlabel="step", title="a test sequence")
        ax1.legend()
        fig.tight_layout()
        fig.savefig(out / "rnn_scan.png", dpi=80)
        plt.close(fig)
        print(f"plot saved in {out}/")
    return {"losses": losses, "test_loss": test_loss, "noise_floor": noise_floor}


if __name__ == "__main__":
    main()
