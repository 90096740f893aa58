#!/usr/bin/python3
"""GELU (erf and tanh forms, ONNX Gelu-20), Mish and decomposed LayerNorm are fused into one
in-place node each (passes/fuse_pointwise.cpp, passes/fuse_layernorm.cpp), on PyTorch's own
exports (tests/data/gelu, made by scripts/models/make_gelu_blocks.py; references from ONNX Runtime
1.30 by scripts/samples/swish_reference.mjs tests/data/gelu). For each model and opset:
  1. `ferrite run` on the host over the test inputs: max |err| <= 1e-4 x output range vs ORT;
  2. the fusion happened: the report has the expected Pointwise and LayerNormalization layers and
     no Erf / Tanh / Softplus / Exp / Log / Pow / Sqrt layer left; the arena at opset 13 equals
     the arena at opset 17;
  3. the fused model's output has the same bytes as the unfused graph's: the same model with every
     intermediate of the chains (outputs of Erf, Tanh, Softplus, Exp, Log, Pow, Sqrt, Add, Sub,
     Mul, Div, ReduceMean nodes) also made a graph output, which keeps the passes from fusing them;
  4. on QEMU Cortex-M4 (mps2-an386), first input: within 4 ULP of the output's largest magnitude
     of the host's (max |difference| / the float32 spacing at max |host output|, as torch_breadth
     measures it: the chains call erff, tanhf, expf, logf, log1pf, powf, which glibc and newlib round
     differently by a few ULP per call (docs/numerics.md), and element-wise ULP counts explode for
     outputs near 0 after a MatMul sums such values; the element-wise count is printed too).

usage: test_gelu_models.py FERRITE REPO_ROOT WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnx.shape_inference

MAX_ULP = 4
LEFT_UNFUSED = ("Erf", "Tanh", "Softplus", "Exp", "Log", "Pow", "Sqrt")
CHAIN_OPS = {"Erf", "Tanh", "Softplus", "Exp", "Log", "Pow", "Sqrt", "Add", "Sub", "Mul", "Div", "ReduceMean"}


def ulp_distance(a, b):
    ia = np.asarray(a, np.float32).view(np.int32).astype(np.int64).ravel()
    ib = np.asarray(b, np.float32).view(np.int32).astype(np.int64).ravel()
    ia = np.where(ia < 0, -2147483648 - ia, ia)
    ib = np.where(ib < 0, -2147483648 - ib, ib)
    return int(np.abs(ia - ib).max())


def unfused_copy(src, dst):
    """The model with every chain intermediate also a graph output (so nothing fuses); False when the
    model has no such node (Gelu-20 is decomposed inside Ferrite)."""
    m = onnx.shape_inference.infer_shapes(onnx.load(src))
    types = {v.name: v for v in m.graph.value_info}
    have = {o.name for o in m.graph.output}
    added = 0
    for n in m.graph.node:
        if n.op_type in CHAIN_OPS:
            for o in n.output:
                if o and o not in have:
                    m.graph.output.append(types[o])
                    have.add(o)
                    added += 1
    del m.graph.value_info[:]
    onnx.save(m, dst)
    return added > 0


def main():
    ferrite, root, work = sys.argv[1:4]
    data = os.path.join(root, "tests", "data", "gelu")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    man = json.load(open(os.path.join(data, "manifest.json")))
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        failed += not ok

    def run(model, x, out, *extra):
        return subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input", f"input={x}",
                               "--output-dir", out, "--quiet", *extra], capture_output=True, text=True)

    for name in sorted(man):
        x_path = os.path.join(data, f"{name}_input.npy")
        first = os.path.join(work, f"{name}_first.npy")
        np.save(first, np.load(x_path)[:1])
        arenas = {}
        for opset in man[name]["opsets"]:
            tag = f"{name} (opset {opset})"
            model = os.path.join(data, f"{name}_op{opset}.onnx")
            out = os.path.join(work, f"{name}_op{opset}")
            r = run(model, x_path, os.path.join(out, "host"))
            if r.returncode != 0:
                check(False, f"{tag}: host run: {r.stderr.strip()[-2000:]}")
                continue
            y_raw = np.load(os.path.join(out, "host", "output.npy"))
            y = y_raw.astype(np.float64)
            ref = np.load(os.path.join(data, f"{name}_op{opset}_ort.npy")).astype(np.float64).reshape(y.shape)
            rng, err = float(ref.max() - ref.min()), float(np.abs(y - ref).max())
            check(err <= 1e-4 * rng, f"{tag}: max |err| {err:.3g} = {err / rng:.3g} x output range vs ONNX Runtime")
            rep = json.load(open(os.path.join(out, "host", "build", "gen", "m_report.json")))
            ops = [layer["op"] for layer in rep["layers"]]
            pw, ln = ops.count("Pointwise"), ops.count("LayerNormalization")
            left = sorted({o for o in ops if o in LEFT_UNFUSED})
            check(pw == man[name]["pointwise"] and ln == man[name]["layernorm"] and not left,
                  f"{tag}: {pw} Pointwise (expected {man[name]['pointwise']}), {ln} LayerNormalization (expected "
                  f"{man[name]['layernorm']}), unfused {left or 'none'}; arena {rep['arena_bytes']} B, lower bound "
                  f"{rep['lower_bound_bytes']} B")
            arenas[opset] = rep["arena_bytes"]
            # The unfused graph computes the same bytes.
            unf = os.path.join(out, "unfused.onnx")
            r = run(unf, x_path, os.path.join(out, "unfused")) if unfused_copy(model, unf) else None
            if r is None:
                print(f"note {tag}: no ONNX-level chain to keep unfused (decomposed inside Ferrite)")
            elif r.returncode != 0:
                check(False, f"{tag}: unfused host run: {r.stderr.strip()[-2000:]}")
            else:
                urep = json.load(open(os.path.join(out, "unfused", "build", "gen", "m_report.json")))
                uops = [layer["op"] for layer in urep["layers"]]
                u = np.load(os.path.join(out, "unfused", "output.npy"))
                same = u.shape == y_raw.shape and u.tobytes() == y_raw.tobytes()
                check(same and "Pointwise" not in uops and uops.count("LayerNormalization") == (ln if opset >= 17 else 0),
                      f"{tag}: output bit-identical to the unfused graph ({len(uops)} layers, arena "
                      f"{urep['arena_bytes']} B)" + ("" if same else f": max |diff| {np.abs(u - y_raw).max():.3g}"))
            q = os.path.join(out, "qemu-cortex-m4")
            r = run(model, first, q, "--target", "qemu-cortex-m4")
            ulp, scaled = -1, -1.0
            if r.returncode == 0:
                yq = np.load(os.path.join(q, "output.npy")).astype(np.float32).reshape(-1)
                yh = y_raw[:1].astype(np.float32).reshape(-1)
                ulp = ulp_distance(yq, yh)
                diff = float(np.abs(yq.astype(np.float64) - yh).max())
                scaled = diff / float(np.spacing(np.float32(np.abs(yh).max()))) if diff else 0.0
            check(0 <= scaled <= MAX_ULP, f"{tag}: Cortex-M4 (QEMU) output vs host: {scaled:.1f} ULP of the largest "
                  f"output (allowed {MAX_ULP}), {ulp} ULP element-wise"
                  + ("" if r.returncode == 0 else f": {r.stderr.strip()[-2000:]}"))
        if len(set(arenas.values())) > 1:
            check(False, f"{name}: arena differs between opsets: {arenas}")
        elif len(arenas) > 1:
            check(True, f"{name}: arena {arenas[13]} B at opsets 13 and 17")
    print(f"gelu_models: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
