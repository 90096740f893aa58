#!/usr/bin/python3
"""Writes a large float32 MLP as ONNX (seeded random weights) for the build-time benchmark of the
generated weights (scripts/bench_weights.sh, docs/benchmarks.md): about 21 MiB of constants.

  input [1, 1024] -> Gemm 1024xW + Relu -> Gemm WxW + Relu -> Gemm Wx1024 -> output (W = --width)

Needs only python3-onnx and python3-numpy.
usage: make_large_float.py --out model.onnx [--width 1536] [--seed 0]
"""
import argparse

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--width", type=int, default=1536)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
dims = [1024, a.width, a.width, 1024]
nodes, inits, x = [], [], "input"
for i in range(len(dims) - 1):
    w = (rng.standard_normal((dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i])).astype(np.float32)
    b = (rng.standard_normal(dims[i + 1]) * 0.01).astype(np.float32)
    inits += [numpy_helper.from_array(w, f"fc{i}.weight"), numpy_helper.from_array(b, f"fc{i}.bias")]
    y = f"fc{i}_out" if i + 2 < len(dims) else "output"
    nodes.append(helper.make_node("Gemm", [x, f"fc{i}.weight", f"fc{i}.bias"], [y], name=f"fc{i}", transB=1))
    if i + 2 < len(dims):
        nodes.append(helper.make_node("Relu", [y], [f"relu{i}_out"], name=f"relu{i}"))
        y = f"relu{i}_out"
    x = y
g = helper.make_graph(nodes, "large_float_mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1024])],
                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1024])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_large_float.py")
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, a.out)
print(f"wrote {a.out}: {sum(t.ByteSize() for t in inits) / 2**20:.1f} MiB of initializers")
