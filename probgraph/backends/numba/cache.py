"""The compile cache: generated source on disk under its hash, machine code in numba's own file
cache.

``load_kernel(source)`` hashes the source together with the numba, numpy, probgraph and Python
versions and the runtime helpers' source, writes the module to ``<compiledir>/numba/pg_<key>.py``
once (atomically: a temporary file hard-linked into place, so the first writer wins and the file
never changes), imports it and returns its jitted ``kernel``. Because the file is real and stable,
``numba.njit(cache=True)`` stores the compiled code next to it, and a fresh process with the same
graph loads it instead of compiling.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import uuid
from pathlib import Path

import numba
import numpy as np

from probgraph.config import config

_MODULES: dict[str, object] = {}
#: package name under which generated modules are registered in ``sys.modules``
GENERATED = "probgraph_generated"
_TAG: list[str] = []


def version_tag() -> str:
    """Everything besides the source that the compiled code depends on."""
    if not _TAG:
        import probgraph
        here = Path(__file__).parent
        helpers = b"".join((here / f).read_bytes()
                           for f in ("runtime.py", "special.py", "kernels.py",
                                                            "advanced_kernels.py"))
        _TAG.append(f"numba={numba.__version__};numpy={np.__version__};"
                    f"probgraph={probgraph.__version__};python={sys.version};"
                    f"helpers={hashlib.sha256(helpers).hexdigest()}")
    return _TAG[0]


def cache_key(source: str) -> str:
    """sha256 of the source and the versions it was generated for."""
    return hashlib.sha256((source + "\n#" + version_tag()).encode()).hexdigest()


def cache_dir() -> Path:
    return Path(config.compiledir) / "numba"


def _write_once(path: Path, source: str) -> None:
    if path.exists() and path.read_text() == source:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex}.py"
    tmp.write_text(source)
    try:
        if path.exists():  # a corrupt or truncated file from a crash: replace it
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)  # atomic create-if-absent: concurrent writers keep the first file
        except FileExistsError:
            pass
        except OSError:  # file systems without hard links
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def load_module(source: str, prefix: str = "pg"):
    """``(key, module)``: the module ``source`` written once to ``<compiledir>/numba/`` and imported
    (from the in-process cache when already loaded)."""
    key = cache_key(source)
    module = _MODULES.get(key)
    if module is not None:
        return key, module
    name = f"{prefix}_{key[:40]}"
    path = cache_dir() / f"{name}.py"
    _write_once(path, source)
    spec = importlib.util.spec_from_file_location(f"{GENERATED}.{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    _MODULES[key] = module
    return key, module


def load_kernel(source: str):
    """``(key, kernel)``: the jitted ``kernel`` of the module ``source``, from the in-process or
    disk cache."""
    key, module = load_module(source)
    return key, module.kernel
