"""A dependency-free text progress bar for sampling: one stderr line per run, redrawn in place."""

from __future__ import annotations

import sys
import time

import numpy as np


class ProgressBar:
    """Draws ``[####------]  45% 1800/4000 | tuning | 1234 draws/s | 3 divergences | step 0.45``.

    Parameters
    ----------
    total : int
        Iterations over all chains (``chains * (tune + draws)``).
    tune : int
        Warmup iterations per chain (to show the phase).
    enabled : bool
        When false every method is a no-op.
    file : text stream, optional
        Defaults to ``sys.stderr``.
    min_interval : float
        Seconds between redraws.

    Examples
    --------
    >>> bar = ProgressBar(total=20, tune=5, enabled=False)
    >>> bar.update(np.array([10, 10]), divergences=0, step_size=0.5)
    """

    width = 24

    def __init__(self, total: int, tune: int, enabled: bool = True, file=None,
                 min_interval: float = 0.2) -> None:
        self.total = max(int(total), 1)
        self.tune = tune
        self.enabled = enabled
        self.file = file if file is not None else sys.stderr
        self.min_interval = min_interval
        self.start = time.perf_counter()
        self._last = -np.inf
        self._line_len = 0

    def update(self, n_done: np.ndarray, divergences: int, step_size: float,
               force: bool = False) -> None:
        """Redraw with ``n_done`` iterations completed per chain (throttled unless ``force``)."""
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last < self.min_interval):
            return
        self._last = now
        done = int(np.sum(n_done))
        frac = min(done / self.total, 1.0)
        filled = round(frac * self.width)
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        phase = "tuning" if np.min(n_done) < self.tune else "sampling"
        minutes, seconds = divmod(int(elapsed), 60)
        line = (
            f"[{'#' * filled}{'-' * (self.width - filled)}] {100 * frac:3.0f}% "
            f"{done}/{self.total} | {phase} | {rate:.0f} draws/s | {divergences} divergences "
            f"| step size {step_size:.3g} | {minutes}:{seconds:02d}"
        )
        pad = " " * max(self._line_len - len(line), 0)
        self._line_len = len(line)
        self.file.write("\r" + line + pad)
        self.file.flush()

    def close(self, n_done: np.ndarray, divergences: int, step_size: float) -> None:
        """Draw the final state and end the line."""
        if not self.enabled:
            return
        self.update(n_done, divergences, step_size, force=True)
        self.file.write("\n")
        self.file.flush()
