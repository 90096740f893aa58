#!/usr/bin/env python3
"""Writes tests/data/branchy/{model.onnx,input.npy}: an Inception/fire-style block whose node order
in the file is deliberately bad for memory, for the execution-order search (passes/schedule.cpp).

input [1,8,16,16] feeds three branches joined by a Concat and a 1x1 convolution:
  a: 1x1 conv 8->32, Relu, 3x3 conv 32->8      b: 1x1 conv 8->32, Relu, 1x1 conv 32->8
  c: 3x3 max pool (stride 1), 1x1 conv 8->8
The file lists the nodes stage by stage across the branches (both 32-channel expansions first), so
in the model's order both 32 KiB expansions are live at once; branch by branch only one is.
Weights and input are seeded random numbers. Needs python3-onnx and numpy (/usr/bin/python3).

usage: make_branchy.py [OUT_DIR]   (default: tests/data/branchy next to this script's repository)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "branchy")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261121)
    inits = []

    def weight(name, shape):
        fan_in = int(np.prod(shape[1:]))
        w = (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, name))
        b = (0.1 * rng.standard_normal(shape[0])).astype(np.float32)
        inits.append(numpy_helper.from_array(b, name + "_bias"))
        return [name, name + "_bias"]

    def conv(name, x, shape, y, pad=0):
        return helper.make_node("Conv", [x] + weight(name + "_w", shape), [y], name=name,
                                kernel_shape=list(shape[2:]), pads=[pad] * 4)

    # Stage by stage across the branches: the bad order this test is about.
    nodes = [
        conv("a_expand", "input", (32, 8, 1, 1), "a1"),
        conv("b_expand", "input", (32, 8, 1, 1), "b1"),
        helper.make_node("MaxPool", ["input"], ["c1"], name="c_pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["a1"], ["a2"], name="a_relu"),
        helper.make_node("Relu", ["b1"], ["b2"], name="b_relu"),
        conv("a_project", "a2", (8, 32, 3, 3), "a3", pad=1),
        conv("b_project", "b2", (8, 32, 1, 1), "b3"),
        conv("c_project", "c1", (8, 8, 1, 1), "c2"),
        helper.make_node("Concat", ["a3", "b3", "c2"], ["cat"], name="concat", axis=1),
        conv("head", "cat", (4, 24, 1, 1), "output"),
    ]
    graph = helper.make_graph(
        nodes, "branchy",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 8, 16, 16])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 4, 16, 16])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="ferrite make_branchy.py")
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out, "model.onnx"))
    x = rng.standard_normal((1, 8, 16, 16)).astype(np.float32)
    np.save(os.path.join(out, "input.npy"), x)
    print(f"wrote {out}/model.onnx and input.npy")


if __name__ == "__main__":
    main()
