"""A multilayer perceptron for handwritten digits, written as the deeplearning.net Theano MLP
tutorial.

By default it trains on scikit-learn's bundled 8x8 digits (no download); with ``--data DIR`` it
reads (Fashion-)MNIST IDX files (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
``t10k-...``) that you downloaded into DIR::

    python examples/mlp_digits.py
    python examples/mlp_digits.py --data ~/data/mnist --hidden 500 --epochs 10 --lr 0.05

The model is the tutorial's: a tanh (or relu) hidden layer feeding a softmax ("logistic regression")
layer, trained by minibatch SGD on the negative log-likelihood plus an L2 penalty. As there, the
data live in shared variables and each minibatch is picked by ``givens`` from an integer ``index``,
so one call of the compiled ``train_model(index)`` does a whole SGD step without copying data in.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import probgraph as pg
import probgraph.tensor as pt

pg.config.floatX = "float32"  # as on a Theano GPU setup: every constructor and shared value is
                              # float32
floatX = pg.config.floatX


class HiddenLayer:
    """A fully connected layer ``activation(input @ W + b)``.

    ``W`` is drawn uniformly from ``+-sqrt(6 / (n_in + n_out))`` (Glorot and Bengio, 2010), four
    times wider for a sigmoid, as in the tutorial; ``b`` starts at zero.
    """

    def __init__(self, rng, input, n_in, n_out, activation=pt.tanh):
        bound = np.sqrt(6.0 / (n_in + n_out))
        if activation is pt.nnet.sigmoid:
            bound *= 4
        W_values = rng.uniform(-bound, bound, size=(n_in, n_out)).astype(floatX)
        self.W = pg.shared(W_values, name="W", borrow=True)
        self.b = pg.shared(np.zeros(n_out, dtype=floatX), name="b", borrow=True)
        linear = pt.dot(input, self.W) + self.b
        self.output = linear if activation is None else activation(linear)
        self.params = [self.W, self.b]


class LogisticRegression:
    """The output layer: class probabilities ``softmax(input @ W + b)``, with weights starting at
    zero."""

    def __init__(self, input, n_in, n_out):
        self.W = pg.shared(np.zeros((n_in, n_out), dtype=floatX), name="W", borrow=True)
        self.b = pg.shared(np.zeros(n_out, dtype=floatX), name="b", borrow=True)
        logits = pt.dot(input, self.W) + self.b
        self.p_y_given_x = pt.nnet.softmax(logits)
        self.log_p_y_given_x = pt.nnet.log_softmax(logits)  # log(softmax) without underflow
        self.y_pred = pt.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.n_out = n_out

    def negative_log_likelihood(self, y):
        """Mean of ``-log P(y_i | x_i)`` over the minibatch: entry ``y_i`` of each row ``i``.

        The tutorial's ``log_p[arange(n), y]``, written as a one-hot mask that fuses into one loop.
        """
        one_hot = pt.eq(y.dimshuffle(0, "x"), pt.arange(self.n_out))
        return -pt.mean(pt.sum(pt.switch(one_hot, self.log_p_y_given_x, 0), axis=1))

    def errors(self, y):
        """The fraction of the minibatch that is misclassified."""
        return pt.mean(pt.neq(self.y_pred, y))


class MLP:
    """One hidden layer, then the logistic-regression layer."""

    def __init__(self, rng, input, n_in, n_hidden, n_out, activation=pt.tanh):
        self.hidden_layer = HiddenLayer(rng, input, n_in, n_hidden, activation)
        self.log_regression_layer = LogisticRegression(self.hidden_layer.output, n_hidden, n_out)
        self.L2_sqr = (self.hidden_layer.W ** 2).sum() + (self.log_regression_layer.W ** 2).sum()
        self.negative_log_likelihood = self.log_regression_layer.negative_log_likelihood
        self.errors = self.log_regression_layer.errors
        self.params = self.hidden_layer.params + self.log_regression_layer.params


# ----------------------------------------------------------------------------------------------
# data
def load_digits(rng):
    """scikit-learn's 1797 8x8 digits, scaled to [0, 1], shuffled and split 1297 / 250 / 250."""
    from sklearn.datasets import load_digits as sklearn_digits
    digits = sklearn_digits()
    x, y = digits.data / 16.0, digits.target
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    return (x[:-500], y[:-500]), (x[-500:-250], y[-500:-250]), (x[-250:], y[-250:])


def load_idx_dataset(directory):
    """(Fashion-)MNIST from IDX files: 50000 training and 10000 validation images, 10000 test
    images."""
    from probgraph.datasets import load_mnist
    x, y = load_mnist(directory, "train")
    test_x, test_y = load_mnist(directory, "t10k")
    x, test_x = x / 255.0, test_x / 255.0
    return (x[:-10000], y[:-10000]), (x[-10000:], y[-10000:]), (test_x, test_y)


def shared_dataset(x, y):
    """Images as a floatX shared matrix and labels as an int32 shared vector."""
    return (pg.shared(np.asarray(x, dtype=floatX), name="x", borrow=True),
            pg.shared(np.asarray(y, dtype="int32"), name="y", borrow=True))


# ----------------------------------------------------------------------------------------------
# training
def train_mlp(datasets, n_hidden=100, activation="tanh", learning_rate=0.2, L2_reg=1e-4,
              n_epochs=20,
              batch_size=20, seed=1234, mode=None, verbose=True):
    """Minibatch SGD on the MLP; returns the per-epoch costs and validation accuracies, and the test
    accuracy of the final model."""
    rng = np.random.default_rng(seed)
    (train_x, train_y), (valid_x, valid_y), (test_x,
                                             test_y) = (shared_dataset(*d) for d in datasets)
    n_in = train_x.get_value(borrow=True).shape[1]
    n_classes = int(max(d[1].max() for d in datasets)) + 1
    n_train_batches = len(datasets[0][1]) // batch_size

    index = pt.lscalar("index")  # which minibatch
    x = pt.matrix("x")           # floatX images, one per row
    y = pt.ivector("y")          # int32 labels

    classifier = MLP(rng, x, n_in, n_hidden, n_classes,
                     activation={"tanh": pt.tanh, "relu": pt.nnet.relu}[activation])
    cost = classifier.negative_log_likelihood(y) + L2_reg * classifier.L2_sqr
    gparams = pg.grad(cost, classifier.params)
    updates = [(param, param - learning_rate * gparam)
               for param, gparam in zip(classifier.params, gparams)]

    batch = slice(index * batch_size, (index + 1) * batch_size)
    train_model = pg.function(inputs=[index], outputs=cost, updates=updates,
                              givens={x: train_x[batch], y: train_y[batch]}, mode=mode)
    validate_model = pg.function(inputs=[], outputs=classifier.errors(y),
                                 givens={x: valid_x, y: valid_y}, mode=mode)
    test_model = pg.function(inputs=[], outputs=classifier.errors(y),
                             givens={x: test_x, y: test_y}, mode=mode)

    history = {"cost": [], "valid_accuracy": []}
    start = time.perf_counter()
    for epoch in range(1, n_epochs + 1):
        costs = [train_model(i) for i in range(n_train_batches)]
        history["cost"].append(float(np.mean(costs)))
        history["valid_accuracy"].append(1.0 - float(validate_model()))
        if verbose:
            print(f"epoch {epoch:3d}   training cost {history['cost'][-1]:.4f}   "
                  f"validation accuracy {100 * history['valid_accuracy'][-1]:.2f}%   "
                  f"({time.perf_counter() - start:.1f} s)")
    history["test_accuracy"] = 1.0 - float(test_model())
    if verbose:
        print(f"test accuracy {100 * history['test_accuracy']:.2f}%")
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data",
                        help="directory of (Fashion-)MNIST IDX files; default: sklearn digits")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=100, help="hidden units")
    parser.add_argument("--activation", choices=["tanh", "relu"], default="tanh")
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.2, help="learning rate")
    parser.add_argument("--l2", type=float, default=1e-4, help="L2 penalty on the weights")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--mode", choices=["numba", "python"],
                        help="backend (default: pg.config.mode)")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    datasets = load_idx_dataset(args.data) if args.data else load_digits(rng)
    return train_mlp(datasets, n_hidden=args.hidden, activation=args.activation,
                     learning_rate=args.lr,
                     L2_reg=args.l2, n_epochs=args.epochs, batch_size=args.batch_size,
                     seed=args.seed,
                     mode=args.mode)


if __name__ == "__main__":
    main()
