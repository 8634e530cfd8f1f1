"""Small data loaders for the examples: IDX files ((Fashion-)MNIST, gzipped or plain) and sklearn's
digits."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

# IDX type codes (third byte of the magic number) -> big-endian numpy dtypes
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """A file that is not a valid IDX file."""


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == _GZIP_MAGIC:  # judged by content, not by the file name
        data = gzip.decompress(data)
    return data


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode the bytes of an IDX file into an array (native byte order).

    The header is ``0x00 0x00 <type code> <ndim>`` followed by ``ndim`` big-endian uint32 sizes;
    the values follow in C order, big-endian.

    Examples
    --------
    >>> import struct
    >>> parse_idx(b"\\x00\\x00\\x08\\x01" + struct.pack(">I", 3) + bytes([7, 8, 9]))
    array([7, 8, 9], dtype=uint8)
    """
    if len(data) < 4:
        raise IDXError(f"{name}: too short to be an IDX file ({len(data)} bytes)")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or code not in IDX_DTYPES:
        raise IDXError(f"{name}: bad magic number 0x{data[:4].hex()} (expected 0x0000 then a type "
                       f"code in {[hex(c) for c in IDX_DTYPES]} and the number of dimensions); "
                       "is this an IDX file such as train-images-idx3-ubyte?")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{name}: header announces {ndim} dimensions but the file ends early")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_DTYPES[code])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise IDXError(f"{name}: shape {dims} of {dtype.name} needs {expected} bytes of data, "
                       f"the file has {len(data) - header}")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))


def read_idx(path) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array.

    Examples
    --------
    >>> images = read_idx("mnist/train-images-idx3-ubyte.gz")  # doctest: +SKIP
    >>> images.shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    path = Path(path)
    return parse_idx(_read_bytes(path), name=str(path))


def _find(directory: Path, stem: str) -> Path:
    # the files come as ``train-images-idx3-ubyte`` (.gz) and sometimes ``train-images.idx3-ubyte``
    left, right = stem.rsplit("-idx", 1)
    for candidate in (stem, f"{left}.idx{right}"):
        for suffix in ("", ".gz"):
            p = directory / (candidate + suffix)
            if p.exists():
                return p
    raise FileNotFoundError(f"no {stem} or {stem}.gz in {directory}; download the (Fashion-)MNIST "
                            "IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                            "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into it")


def load_mnist(directory, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images ``(n, rows*cols)`` as uint8 and labels ``(n,)`` from an (Fashion-)MNIST directory.

    ``kind`` is ``"train"`` or ``"t10k"`` (the test set).

    Examples
    --------
    >>> x, y = load_mnist("~/data/mnist", "t10k")  # doctest: +SKIP
    >>> x.shape, y.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    """
    if kind not in ("train", "t10k"):
        raise ValueError(f"kind must be 'train' or 't10k', got {kind!r}")
    directory = Path(directory).expanduser()
    images = read_idx(_find(directory, f"{kind}-images-idx3-ubyte"))
    labels = read_idx(_find(directory, f"{kind}-labels-idx1-ubyte"))
    if images.ndim < 2 or labels.ndim != 1 or len(images) != len(labels):
        raise IDXError(f"{directory}: {kind} images {images.shape} and labels {labels.shape} "
                       "do not match")
    return images.reshape(len(images), -1), labels

