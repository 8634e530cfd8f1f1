"""The IDX loader: tiny images/labels files written here byte by byte, gzipped and plain, and bad
files."""

import gzip
import struct

import numpy as np
import pytest

from probgraph.datasets import IDXError, load_mnist, parse_idx, read_idx


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """The IDX encoding of ``array`` written out by hand: magic, big-endian dims, big-endian
    data."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


IMAGES = np.arange(3 * 2 * 4, dtype=np.uint8).reshape(3, 2, 4) * 7
LABELS = np.array([5, 0, 9], dtype=np.uint8)


@pytest.mark.parametrize("array, code", [
    (IMAGES, 0x08),
    (LABELS, 0x08),
    (np.array([[-1, 2], [3, -128]], dtype=np.int8), 0x09),
    (np.array([300, -2], dtype=np.int16), 0x0B),
    (np.array([[70000], [-5]], dtype=np.int32), 0x0C),
    (np.array([1.5, -2.25, 3e-3], dtype=np.float32), 0x0D),
    (np.array(np.pi, dtype=np.float64).reshape(1, 1, 1), 0x0E),
])
@pytest.mark.parametrize("gzipped", [False, True])
def test_read_idx_round_trips(tmp_path, array, code, gzipped):
    data = idx_bytes(array, code)
    path = tmp_path / ("data.idx.gz" if gzipped else "data.idx")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    out = read_idx(path)
    assert out.dtype == array.dtype.newbyteorder("=") and out.dtype.isnative
    np.testing.assert_array_equal(out, array)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"  # no .gz although compressed
    path.write_bytes(gzip.compress(idx_bytes(LABELS, 0x08)))
    np.testing.assert_array_equal(read_idx(path), LABELS)


@pytest.mark.parametrize("data, message", [
    (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "bad magic number 0x01000801"),
    (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "bad magic number 0x00000701"),
    (b"\x00\x00", "too short"),
    (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "ends early"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 4) + b"\x01\x02",
     "needs 4 bytes of data, the file has 2"),
])
def test_corrupt_files_raise(data, message):
    with pytest.raises(IDXError, match=message):
        parse_idx(data)


def test_corrupt_magic_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"PK\x03\x04" + bytes(16))
    with pytest.raises(IDXError, match="train-images-idx3-ubyte: bad magic number"):
        read_idx(path)


@pytest.mark.parametrize("gzipped", [False, True])
def test_load_mnist_directory(tmp_path, gzipped):
    suffix = ".gz" if gzipped else ""
    for kind, n in [("train", 3), ("t10k", 2)]:
        for name, array in [("images-idx3-ubyte", IMAGES[:n]), ("labels-idx1-ubyte", LABELS[:n])]:
            data = idx_bytes(array, 0x08)
            (tmp_path / f"{kind}-{name}{suffix}").write_bytes(gzip.compress(data) if gzipped
                                                              else data)
    x, y = load_mnist(tmp_path, "train")
    np.testing.assert_array_equal(x, IMAGES.reshape(3, 8))
    np.testing.assert_array_equal(y, LABELS)
    x, y = load_mnist(tmp_path, "t10k")
    assert x.shape == (2, 8) and y.tolist() == [5, 0]


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="'train' or 't10k'"):
        load_mnist(tmp_path, "test")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(IMAGES, 0x08))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(LABELS[:2], 0x08))
    with pytest.raises(IDXError, match="do not match"):
        load_mnist(tmp_path)
