#!/usr/bin/python3
"""Compares Arm NN (Debian's python3-pyarmnn, CpuRef backend) with the own TFLite reference
(scripts/tflite_ref.py) on the seeded inputs of tests/tflite/tflite_inputs.py, per model: % identical
output elements and max LSB difference. Needs python3-pyarmnn and libarmnn-cpuref-backend22.

  tflite_armnn_compare.py MODEL_DIR [N]
  tflite_armnn_compare.py --ops DIR [N]   the single-operator catalogue of ctest tflite_ops
                                          (tests/tflite/make_op_models.py DIR first), per case
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tflite"))
import tflite_inputs  # noqa: E402
import tflite_ref  # noqa: E402
import pyarmnn as ann  # noqa: E402


def armnn_runner(path):
    parser = ann.ITfLiteParser()
    net = parser.CreateNetworkFromBinaryFile(path)
    ib = parser.GetNetworkInputBindingInfo(0, parser.GetSubgraphInputTensorNames(0)[0])
    ob = [parser.GetNetworkOutputBindingInfo(0, n) for n in parser.GetSubgraphOutputTensorNames(0)]
    rt = ann.IRuntime(ann.CreationOptions())
    opt, _ = ann.Optimize(net, [ann.BackendId("CpuRef")], rt.GetDeviceSpec(), ann.OptimizerOptions())
    nid, _ = rt.LoadNetwork(opt)

    def run(x):
        outs = ann.make_output_tensors(ob)
        rt.EnqueueWorkload(nid, ann.make_input_tensors([ib], [x]), outs)
        return ann.workload_tensors_to_ndarray(outs)[0]
    return run


def ops(d, n):
    import zlib
    for line in open(os.path.join(d, "cases.txt")):
        parts = line.split()
        if not parts or parts[1] == "refuse":
            continue
        path = os.path.join(d, parts[0] + ".tflite")
        m = tflite_ref.Model(path)
        if m.tensors[m.inputs[0]]["dtype"] != np.int8:  # float_chain: Arm NN 20.08 aborts on int8 FC weights
            print(f"{parts[0]}: skipped (float model)")
            continue
        rng = np.random.default_rng(zlib.crc32(parts[0].encode()) + 1)
        x = rng.integers(-128, 128, size=[n] + m.tensors[m.inputs[0]]["shape"]).astype(np.int8)
        try:
            run = armnn_runner(path)
        except Exception as e:  # Arm NN 20.08 lacks some operators / fused activations
            print(f"{parts[0]}: Arm NN cannot run it: {str(e).splitlines()[0][:120]}")
            continue
        a = np.concatenate([run(x[i]).astype(np.int64).ravel() for i in range(n)])
        r = np.concatenate([tflite_ref.run(m, x[i]).astype(np.int64).ravel() for i in range(n)])
        dd = np.abs(a - r)
        print(f"{parts[0]}: {100.0 * (dd == 0).mean():.2f} % of {a.size} identical, max {dd.max()} LSB")


def main():
    if sys.argv[1] == "--ops":
        ops(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
        return
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    for name in tflite_inputs.MODELS:
        path = os.path.join(sys.argv[1], name + ".tflite")
        m, x = tflite_inputs.inputs(path, n)
        run = armnn_runner(path)
        a = np.concatenate([run(x[i]).astype(np.int64).ravel() for i in range(n)])
        r = np.concatenate([tflite_ref.run(m, x[i]).astype(np.int64).ravel() for i in range(n)])
        d = np.abs(a - r)
        print(f"{name}: Arm NN CpuRef vs TFLite reference: {100.0 * (d == 0).mean():.2f} % of {a.size} elements "
              f"identical, max {d.max()} LSB")


if __name__ == "__main__":
    main()
