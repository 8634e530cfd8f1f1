"""Run a legacy Theano script on probgraph: ``python -m probgraph.compat.theano script.py
[args...]``."""

from __future__ import annotations

import argparse
import runpy
import sys

from probgraph.compat.theano import install


def main(argv: list[str] | None = None) -> None:
    """Install the ``theano`` aliases, then run ``script`` as ``__main__`` with its own arguments.

    Examples
    --------
    >>> main(["train_mlp.py", "--epochs", "2"])  # doctest: +SKIP
    """
    parser = argparse.ArgumentParser(
        prog="python -m probgraph.compat.theano",
        description="Run a Theano script with `import theano` redirected to probgraph.")
    parser.add_argument("script", help="path of the Theano script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    ns = parser.parse_args(argv)
    install()
    sys.argv = [ns.script, *ns.args]
    runpy.run_path(ns.script, run_name="__main__")


if __name__ == "__main__":
    main()
