#!/usr/bin/python3
"""Convert the Fashion-MNIST t10k test set to .npy files (numpy only, no torch).

Usage: /usr/bin/python3 fashion_testset_to_npy.py OUT_DIR [DATASET_DIR]

Writes
  OUT_DIR/fashion_test_x.npy   float32, shape (10000, 1, 28, 28), pixel/255
  OUT_DIR/fashion_test_y.npy   uint8,   shape (10000,), class labels 0..9

The preprocessing (x / 255 as float32, NCHW) is exactly the one used to train
samples/fashion_cnn (make_samples.py imports load_images/load_labels from here).
DATASET_DIR defaults to /usr/share/datasets/fashion-mnist (Debian package
dataset-fashion-mnist).
"""
import gzip
import os
import sys

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def _read_idx(path, expected_magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic != expected_magic:
        raise ValueError("%s: bad idx magic 0x%08x" % (path, magic))
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=np.uint8, offset=offset)
    if arr.size != int(np.prod(dims)):
        raise ValueError("%s: size mismatch" % path)
    return arr.reshape(dims)


def load_images(split, dataset_dir=DEFAULT_DIR):
    """split is 'train' or 't10k'; returns float32 (N, 1, 28, 28) in [0, 1]."""
    raw = _read_idx(os.path.join(dataset_dir, "%s-images-idx3-ubyte.gz" % split), 0x00000803)
    return (raw.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)


def load_labels(split, dataset_dir=DEFAULT_DIR):
    """split is 'train' or 't10k'; returns uint8 (N,)."""
    return _read_idx(os.path.join(dataset_dir, "%s-labels-idx1-ubyte.gz" % split), 0x00000801).copy()


def main(argv):
    if len(argv) < 2 or len(argv) > 3:
        sys.stderr.write(__doc__)
        return 2
    out_dir = argv[1]
    dataset_dir = argv[2] if len(argv) == 3 else DEFAULT_DIR
    os.makedirs(out_dir, exist_ok=True)
    x = load_images("t10k", dataset_dir)
    y = load_labels("t10k", dataset_dir)
    assert x.shape == (10000, 1, 28, 28) and y.shape == (10000,)
    np.save(os.path.join(out_dir, "fashion_test_x.npy"), np.ascontiguousarray(x, dtype=np.float32))
    np.save(os.path.join(out_dir, "fashion_test_y.npy"), y.astype(np.uint8))
    print("wrote %s/fashion_test_x.npy %s float32 and fashion_test_y.npy %s uint8"
          % (out_dir, x.shape, y.shape))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
