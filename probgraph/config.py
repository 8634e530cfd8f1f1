"""probgraph's settings: floatX, the default compile mode and the compile cache directory, read once
from the environment."""

from __future__ import annotations

import os
from pathlib import Path


def _default_compiledir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "probgraph")


class Config:
    """Process-wide settings; assign attributes to change them (``pg.config.floatX =
    "float32"``)."""

    def __init__(self) -> None:
        self.floatX: str = os.environ.get("PROBGRAPH_FLOATX", "float64")
        self.mode: str = os.environ.get("PROBGRAPH_MODE", "numba")
        self.compiledir: str = os.environ.get("PROBGRAPH_COMPILEDIR", _default_compiledir())

    def __repr__(self) -> str:
        return f"Config(floatX={self.floatX!r}, mode={self.mode!r}, compiledir={self.compiledir!r})"


config = Config()
