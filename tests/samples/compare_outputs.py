#!/usr/bin/env python3
"""Compares two float32 .npy files element by element in ULPs (stdlib only).

usage: compare_outputs.py A.npy B.npy MAX_ULP
Prints the max ULP distance and exits 1 when it exceeds MAX_ULP (0 = bit-identical).
"""
import ast
import struct
import sys


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY", f"{path}: not .npy"
    hlen = struct.unpack("<H", data[8:10])[0] if data[6] == 1 else struct.unpack("<I", data[8:12])[0]
    start = (10 if data[6] == 1 else 12) + hlen
    header = ast.literal_eval(data[(10 if data[6] == 1 else 12):start].decode("latin1"))
    assert header["descr"] == "<f4", f"{path}: expected float32, got {header['descr']}"
    body = data[start:]
    return header["shape"], struct.unpack(f"<{len(body) // 4}i", body)


def ordered(i):
    # Maps the int32 bit pattern of a float to a monotonic integer line (ULP distance = difference).
    return i if i >= 0 else -2147483648 - i


def main():
    a_shape, a = read_npy(sys.argv[1])
    b_shape, b = read_npy(sys.argv[2])
    max_ulp = int(sys.argv[3])
    if len(a) != len(b):
        print(f"size differs: {a_shape} vs {b_shape}")
        return 1
    worst = max((abs(ordered(x) - ordered(y)) for x, y in zip(a, b)), default=0)
    print(f"max ULP distance {worst} over {len(a)} values (allowed {max_ulp})")
    return 0 if worst <= max_ulp else 1


if __name__ == "__main__":
    sys.exit(main())
