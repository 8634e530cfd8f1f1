"""Theano's ``function``, ``shared`` and ``config`` over probgraph's (Theano's argument names and
modes)."""

from __future__ import annotations

import numpy as np

import probgraph as pg
from probgraph.graph.basic import Variable
from probgraph.tensor.type import is_float

# Theano's mode names -> probgraph backends
MODES = {"FAST_RUN": "numba", "FAST_COMPILE": "python", "DebugMode": "python",
         "DEBUG_MODE": "python",
         "Mode": "numba", "numba": "numba", "python": "python"}


def _mode(mode) -> str | None:
    if mode is None:
        return None
    name = mode if isinstance(mode, str) else type(mode).__name__
    if name not in MODES:
        raise ValueError(f"theano.function: unknown mode {mode!r}; use one of {sorted(MODES)}")
    return MODES[name]


class TheanoConfig:
    """``theano.config``: ``floatX`` and ``mode`` are probgraph's own settings; other Theano flags
    (``device``, ``optimizer``, ...) are kept so that legacy scripts can read and set them."""

    _FORWARDED = ("floatX", "compiledir")

    def __init__(self) -> None:
        flags = {"device": "cpu", "optimizer": "fast_run", "linker": "cvm",
                 "exception_verbosity": "low",
                 "compute_test_value": "off", "warn_float64": "ignore", "allow_gc": True,
                 "openmp": False, "cast_policy": "custom", "profile": False,
                 "on_unused_input": "raise"}
        object.__setattr__(self, "_flags", flags)

    def __getattr__(self, name):
        if name in self._FORWARDED:
            return getattr(pg.config, name)
        if name == "mode":
            return {"numba": "FAST_RUN", "python": "FAST_COMPILE"}[pg.config.mode]
        try:
            return self._flags[name]
        except KeyError:
            raise AttributeError(f"theano.config has no flag {name!r}") from None

    def __setattr__(self, name, value):
        if name in self._FORWARDED:
            setattr(pg.config, name, value)
        elif name == "mode":
            pg.config.mode = _mode(value)
        else:
            self._flags[name] = value

    def __repr__(self) -> str:
        return f"theano.config(floatX={self.floatX!r}, mode={self.mode!r}, device={self.device!r})"


config = TheanoConfig()


class TheanoFunction:
    """A compiled probgraph function called with Theano's input conversions
    (``allow_input_downcast``).

    Other attributes (``trust_input``, ``graph``, ``dprint``) are those of the probgraph
    ``Function``.
    """

    def __init__(self, fn: pg.Function, allow_input_downcast: bool | None):
        self.fn = fn
        self.allow_input_downcast = allow_input_downcast

    def _convert(self, inp, value):
        dtype = inp.type.dtype
        if self.allow_input_downcast:
            return np.asarray(value, dtype=dtype)
        # Theano's default: Python floats may be given to floatX inputs (e.g. a learning rate)
        if self.allow_input_downcast is None and isinstance(value, float) and is_float(dtype):
            return np.asarray(value, dtype=dtype)
        return value

    def __call__(self, *args, **kwargs):
        args = [self._convert(i, a) for i, a in zip(self.fn.inputs, args)]
        by_name = {i.name: i for i in self.fn.inputs}
        kwargs = {k: self._convert(by_name[k], v) if k in by_name else v for k, v in kwargs.items()}
        return self.fn(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.fn, name)


def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             profile=None, on_unused_input=None) -> TheanoFunction:
    """``theano.function``: compile ``outputs`` of ``inputs`` with ``updates`` and ``givens``.

    Takes Theano's arguments in Theano's order; ``mode`` may be ``"FAST_RUN"`` (numba) or
    ``"FAST_COMPILE"`` (python). ``no_default_updates``, ``accept_inplace``, ``rebuild_strict`` and
    ``profile`` are accepted and ignored.

    Examples
    --------
    >>> import probgraph.compat.theano as theano, probgraph.compat.theano.tensor as T
    >>> x = T.dvector("x")
    >>> f = theano.function([x], T.sum(x ** 2), mode="FAST_COMPILE")
    >>> float(f([1.0, 2.0]))
    5.0
    """
    if isinstance(inputs, Variable):
        inputs = [inputs]
    fn = pg.function(list(inputs), outputs, updates=updates, givens=givens, mode=_mode(mode),
                     name=name,
                     on_unused_input=on_unused_input or "ignore")
    return TheanoFunction(fn, allow_input_downcast)


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, broadcastable=None):
    """``theano.shared``: a shared variable; ``broadcastable`` marks dimensions of static size 1.

    Examples
    --------
    >>> import numpy as np, probgraph.compat.theano as theano
    >>> w = theano.shared(np.zeros((3, 2)), name="W", borrow=True)
    >>> w.get_value().shape
    (3, 2)
    """
    shape = None
    if broadcastable is not None:
        shape = tuple(1 if b else None for b in broadcastable)
    return pg.shared(value, name=name, borrow=borrow, shape=shape)
