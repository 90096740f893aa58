#!/usr/bin/python3
"""SiLU (x * Sigmoid(x)) and opset-13 HardSwish (x * HardSigmoid(x)) are fused into one in-place
activation (passes/fuse_swish.cpp), on PyTorch's own exports (tests/data/swish, made by
scripts/models/make_swish_blocks.py; references from ONNX Runtime 1.30 by
scripts/samples/swish_reference.mjs). For each model, at opsets 13 and 17:
  1. `ferrite run` on the host over the test inputs: max |err| <= 1e-4 x output range vs ORT;
  2. the fusion happened: the only Mul layers left are the squeeze-excitation channel products
     (x * gate(se(x)), not a swish), and the arena at opset 13 equals the arena at opset 17;
  3. on QEMU Cortex-M4 (mps2-an386), first input: the same as the host: bit-identical for the
     HardSwish model; within 4 ULP for the SiLU model, whose Sigmoid calls expf, which glibc and
     newlib round differently (docs/numerics.md, "libm transcendentals");
  4. the SiLU model's first MBConv runs as a channel-streamed expand + depthwise (expand_dw_f32), and
     on QEMU its output has the same bytes as with --fuse-bottlenecks off.

usage: test_swish_models.py FERRITE REPO_ROOT WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

# Squeeze-excitation Muls per model (x * gate(se(x)): not a swish, stays a Mul).
SE_GATES = {"mbv3_block": 2, "effnet_block": 2}
# Allowed host/QEMU difference in ULP: the SiLU model calls expf.
MAX_ULP = {"mbv3_block": 0, "effnet_block": 4}
# Float expand -> depthwise chains the default plan streams channel by channel (expand_dw_f32,
# InvertedBottleneck layers); their output must equal --fuse-bottlenecks off byte for byte on QEMU.
STREAMED = {"mbv3_block": 0, "effnet_block": 1}


def ulp_distance(a, b):
    ia = np.asarray(a, np.float32).view(np.int32).astype(np.int64).ravel()
    ib = np.asarray(b, np.float32).view(np.int32).astype(np.int64).ravel()
    ia = np.where(ia < 0, -2147483648 - ia, ia)
    ib = np.where(ib < 0, -2147483648 - ib, ib)
    return int(np.abs(ia - ib).max())


def main():
    ferrite, root, work = sys.argv[1:4]
    data = os.path.join(root, "tests", "data", "swish")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    man = json.load(open(os.path.join(data, "manifest.json")))
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        failed += not ok

    for name in sorted(man):
        x_path = os.path.join(data, f"{name}_input.npy")
        first = os.path.join(work, f"{name}_first.npy")
        np.save(first, np.load(x_path)[:1])
        arenas = {}
        for opset in man[name]["opsets"]:
            tag = f"{name} (opset {opset})"
            model = os.path.join(data, f"{name}_op{opset}.onnx")
            out = os.path.join(work, f"{name}_op{opset}")
            r = subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input", f"input={x_path}",
                                "--output-dir", os.path.join(out, "host"), "--quiet"], capture_output=True, text=True)
            if r.returncode != 0:
                check(False, f"{tag}: host run: {r.stderr.strip()[-2000:]}")
                continue
            y = np.load(os.path.join(out, "host", "output.npy")).astype(np.float64)
            ref = np.load(os.path.join(data, f"{name}_op{opset}_ort.npy")).astype(np.float64).reshape(y.shape)
            rng, err = float(ref.max() - ref.min()), float(np.abs(y - ref).max())
            check(err <= 1e-4 * rng, f"{tag}: max |err| {err:.3g} = {err / rng:.3g} x output range vs ONNX Runtime")
            rep = json.load(open(os.path.join(out, "host", "build", "gen", "m_report.json")))
            ops = [layer["op"] for layer in rep["layers"]]
            muls = ops.count("Mul")
            check(muls == SE_GATES[name], f"{tag}: {muls} Mul layers left (the SE products: {SE_GATES[name]}), "
                  f"arena {rep['arena_bytes']} B, lower bound {rep['lower_bound_bytes']} B")
            arenas[opset] = rep["arena_bytes"]
            q = os.path.join(out, "qemu-cortex-m4")
            r = subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input", f"input={first}",
                                "--target", "qemu-cortex-m4", "--output-dir", q, "--quiet"], capture_output=True, text=True)
            ulp = ulp_distance(np.load(os.path.join(q, "output.npy")),
                               np.load(os.path.join(out, "host", "output.npy"))[:1]) if r.returncode == 0 else -1
            check(0 <= ulp <= MAX_ULP[name], f"{tag}: Cortex-M4 (QEMU) output {ulp} ULP from the host (allowed "
                  f"{MAX_ULP[name]})" + ("" if r.returncode == 0 else f": {r.stderr.strip()[-2000:]}"))
            streamed = ops.count("InvertedBottleneck")
            if STREAMED[name] and r.returncode == 0:
                q_off = os.path.join(out, "qemu-cortex-m4-unfused")
                r2 = subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input", f"input={first}",
                                     "--target", "qemu-cortex-m4", "--fuse-bottlenecks", "off", "--output-dir", q_off,
                                     "--quiet"], capture_output=True, text=True)
                same = r2.returncode == 0 and (np.load(os.path.join(q_off, "output.npy")).tobytes() ==
                                               np.load(os.path.join(q, "output.npy")).tobytes())
                check(streamed == STREAMED[name] and same,
                      f"{tag}: {streamed} expand + depthwise streamed (expected {STREAMED[name]}); Cortex-M4 output "
                      f"{'identical to' if same else 'DIFFERS from'} --fuse-bottlenecks off")
        if len(set(arenas.values())) > 1:
            check(False, f"{name}: arena differs between opsets: {arenas}")
    print(f"swish_models: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
