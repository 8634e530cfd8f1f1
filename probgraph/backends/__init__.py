"""Backends turn a rewritten Graph into a callable: ``python`` (the reference) and ``numba`` (the
fast one)."""
