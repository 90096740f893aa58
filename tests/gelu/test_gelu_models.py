#!/usr/bin/python3
"""GELU (erf and tanh forms, ONNX Gelu-20), Mish and decomposed LayerNorm are fused into one
in-place node each (passes/fuse_pointwise.cpp, passes/fuse_layernorm.cpp), on PyTorch's own
exports (tests/data/gelu, made by scripts/models/make_gelu_blocks.py) and on LayerNorms in ONNX's
function-body expansion and other exporters' forms (scripts/models/make_layernorm_expanded.py);
references from ONNX Runtime 1.30 by scripts/samples/swish_reference.mjs tests/data/gelu. For each
model file (<model>_op<opset>.onnx for the opsets of its manifest entry, or <model>_<file>.onnx for
its "files"):
  1. `ferrite run` on the host over the test inputs: max |err| <= 1e-4 x output range vs ORT;
  2. the fusion happened: the report has the expected Pointwise and LayerNormalization layers and
     no Erf / Tanh / Softplus / Exp / Log / Pow / Sqrt layer left (nor the entry's "absent" ops);
     the arena is the same for all files of a model (opset 13 and 17; the expanded forms and the
     one with LayerNormalization operators);
  3. the fused model's output has the same bytes as the unfused graph's: the same model with every
     intermediate of the chains (outputs of Erf, Tanh, Softplus, Exp, Log, Pow, Sqrt, Reciprocal,
     Add, Sub, Mul, Div, ReduceMean nodes) also made a graph output, which keeps the passes from
     fusing them;
  4. on QEMU Cortex-M4 (mps2-an386), first input: within 4 ULP of the output's largest magnitude
     of the host's (max |difference| / the float32 spacing at max |host output|, as torch_breadth
     measures it: the chains call erff, tanhf, expf, logf, log1pf, powf, which glibc and newlib round
     differently by a few ULP per call (docs/numerics.md), and element-wise ULP counts explode for
     outputs near 0 after a MatMul sums such values; the element-wise count is printed too).
Then ONNX's own expansion of LayerNormalization as the 19 test_layer_normalization_*_expanded node
tests (Debian's libonnx-testdata) hold it, with their scale and bias made constants and only Y kept:
one LayerNormalization layer, the arena of the same test with the operator, output bytes identical to
the unfused graph, within ONNX's node-test tolerance of the expected output (node_test_bodies).

usage: test_gelu_models.py FERRITE REPO_ROOT WORK_DIR
"""
import glob
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import onnx.shape_inference

MAX_ULP = 4
NODE_TESTS = "/usr/share/libonnx-testdata/data/node"
LEFT_UNFUSED = ("Erf", "Tanh", "Softplus", "Exp", "Log", "Pow", "Sqrt")
CHAIN_OPS = {"Erf", "Tanh", "Softplus", "Exp", "Log", "Pow", "Sqrt", "Reciprocal", "Add", "Sub", "Mul", "Div",
             "ReduceMean"}


def ulp_distance(a, b):
    ia = np.asarray(a, np.float32).view(np.int32).astype(np.int64).ravel()
    ib = np.asarray(b, np.float32).view(np.int32).astype(np.int64).ravel()
    ia = np.where(ia < 0, -2147483648 - ia, ia)
    ib = np.where(ib < 0, -2147483648 - ib, ib)
    return int(np.abs(ia - ib).max())


def inferred_types(m):
    """The value_info onnx's shape inference gives m. onnx 1.12 infers up to opset 17: a later model
    is inferred as a copy with ReduceMean-18's constant axes input moved back to the attribute."""
    if m.opset_import[0].version > 17:
        m = onnx.ModelProto.FromString(m.SerializeToString())
        consts = {n.output[0]: onnx.numpy_helper.to_array(n.attribute[0].t) for n in m.graph.node
                  if n.op_type == "Constant"}
        for n in m.graph.node:
            if n.op_type == "ReduceMean" and len(n.input) == 2:
                n.attribute.append(onnx.helper.make_attribute("axes", [int(a) for a in consts[n.input[1]]]))
                del n.input[1]
        m.opset_import[0].version = 17
    return {v.name: v for v in onnx.shape_inference.infer_shapes(m, data_prop=True).graph.value_info}


def unfused_copy(src, dst):
    """The model with every float chain intermediate also a graph output (so nothing fuses); False when
    the model has no such node (Gelu-20 is decomposed inside Ferrite)."""
    m = onnx.load(src)
    types = inferred_types(m)
    have = {o.name for o in m.graph.output}
    added = 0
    for n in m.graph.node:
        if n.op_type in CHAIN_OPS:
            for o in n.output:
                # (not the shape arithmetic of ONNX's LayerNormalization function body: int64)
                if o and o not in have and types[o].type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
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
        absent = set(LEFT_UNFUSED) | set(man[name].get("absent", []))
        for file in man[name].get("files") or [f"op{opset}" for opset in man[name]["opsets"]]:
            tag = f"{name} ({file})"
            model = os.path.join(data, f"{name}_{file}.onnx")
            out = os.path.join(work, f"{name}_{file}")
            r = run(model, x_path, os.path.join(out, "host"))
            if r.returncode != 0:
                check(False, f"{tag}: host run: {r.stderr.strip()[-2000:]}")
                continue
            y_raw = np.load(os.path.join(out, "host", "output.npy"))
            y = y_raw.astype(np.float64)
            ref = np.load(os.path.join(data, f"{name}_{file}_ort.npy")).astype(np.float64).reshape(y.shape)
            rng, err = float(ref.max() - ref.min()), float(np.abs(y - ref).max())
            check(err <= 1e-4 * rng, f"{tag}: max |err| {err:.3g} = {err / rng:.3g} x output range vs ONNX Runtime")
            rep = json.load(open(os.path.join(out, "host", "build", "gen", "m_report.json")))
            ops = [layer["op"] for layer in rep["layers"]]
            pw, ln = ops.count("Pointwise"), ops.count("LayerNormalization")
            left = sorted({o for o in ops if o in absent})
            check(pw == man[name]["pointwise"] and ln == man[name]["layernorm"] and not left,
                  f"{tag}: {pw} Pointwise (expected {man[name]['pointwise']}), {ln} LayerNormalization (expected "
                  f"{man[name]['layernorm']}), unfused {left or 'none'}; arena {rep['arena_bytes']} B, lower bound "
                  f"{rep['lower_bound_bytes']} B")
            arenas[file] = rep["arena_bytes"]
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
                # The unfused graph keeps only the model's own LayerNormalization operators.
                ops_ln = sum(n.op_type == "LayerNormalization" for n in onnx.load(model).graph.node)
                check(same and "Pointwise" not in uops and uops.count("LayerNormalization") == ops_ln,
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
            check(False, f"{name}: arena differs between its files: {arenas}")
        elif len(arenas) > 1:
            check(True, f"{name}: arena {next(iter(arenas.values()))} B for {', '.join(arenas)}")
    failed += node_test_bodies(ferrite, work)
    print(f"gelu_models: {failed} failed")
    return 1 if failed else 0


def node_test_model(test_dir, dst):
    """The node test's model with its scale and bias made constants (their test values) and only Y
    kept as output; returns X (with a leading sample dim, for --dataset) and the expected Y."""
    m = onnx.load(os.path.join(test_dir, "model.onnx"))
    data = os.path.join(test_dir, "test_data_set_0")
    ins = [onnx.numpy_helper.to_array(onnx.load_tensor(os.path.join(data, f"input_{k}.pb")))
           for k in range(len(m.graph.input))]
    for vi, value in zip(m.graph.input[1:], ins[1:]):
        m.graph.initializer.append(onnx.numpy_helper.from_array(value, vi.name))
    del m.graph.input[1:]
    del m.graph.output[1:]
    for n in m.graph.node:
        if n.op_type == "LayerNormalization":  # the operator's Mean and InvStdDev are not wanted either
            del n.output[1:]
    onnx.save(m, dst)
    return ins[0][None], onnx.numpy_helper.to_array(onnx.load_tensor(os.path.join(data, "output_0.pb")))


def node_test_bodies(ferrite, work):
    """ONNX's own expansion of LayerNormalization, as the test_layer_normalization_*_expanded node tests
    hold it (19 axes / ranks / epsilons), with constant scale and bias and no Mean / InvStdDev output:
    one LayerNormalization layer, no ReduceMean / Sqrt / Div / Sub left; the arena of the node test
    with the operator; output bytes identical to the unfused graph; within ONNX's node-test tolerance
    (rtol 1e-3, atol 1e-7) of the expected output. Returns the number of failed checks."""
    failed = 0
    tests = sorted(glob.glob(os.path.join(NODE_TESTS, "test_layer_normalization_*_expanded")))
    if len(tests) != 19:
        print(f"FAIL node tests: {len(tests)} test_layer_normalization_*_expanded in {NODE_TESTS}, 19 expected")
        return 1
    for test_dir in tests:
        name = os.path.basename(test_dir)
        out = os.path.join(work, name)
        os.makedirs(out)
        reps, outs = {}, {}
        for form, src in (("expanded", test_dir), ("operator", test_dir[:-len("_expanded")]), ("unfused", None)):
            model = os.path.join(out, f"{form}.onnx")
            if src is None:
                unfused_copy(os.path.join(out, "expanded.onnx"), model)
            else:
                x, y_ref = node_test_model(src, model)
                np.save(os.path.join(out, "x.npy"), x)
            if form == "operator":  # only its arena is compared: a report, no build
                r = subprocess.run([ferrite, "report", model, "--json"], capture_output=True, text=True)
            else:
                r = subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input",
                                    f"X={os.path.join(out, 'x.npy')}", "--output-dir", os.path.join(out, form),
                                    "--quiet"], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {name} ({form}): {r.stderr.strip()[-2000:]}")
                failed += 1
                break
            if form == "operator":
                reps[form] = json.loads(r.stdout)
                continue
            reps[form] = json.load(open(os.path.join(out, form, "build", "gen", "m_report.json")))
            outs[form] = np.load(os.path.join(out, form, "Y.npy"))
        else:
            ops = [layer["op"] for layer in reps["expanded"]["layers"]]
            left = sorted({o for o in ops if o in ("ReduceMean", "Sqrt", "Div", "Sub", "Mul", "Pow")})
            y = outs["expanded"].reshape(y_ref.shape)
            err_ok = bool(np.all(np.abs(y - y_ref) <= 1e-7 + 1e-3 * np.abs(y_ref)))
            ok = (ops.count("LayerNormalization") == 1 and not left and err_ok
                  and reps["expanded"]["arena_bytes"] == reps["operator"]["arena_bytes"]
                  and outs["expanded"].tobytes() == outs["unfused"].tobytes())
            print(f"{'PASS' if ok else 'FAIL'} {name}: {ops.count('LayerNormalization')} LayerNormalization, unfused "
                  f"{left or 'none'}; arena {reps['expanded']['arena_bytes']} B (operator "
                  f"{reps['operator']['arena_bytes']} B, unfused graph {reps['unfused']['arena_bytes']} B); "
                  f"bit-identical to the unfused graph: {outs['expanded'].tobytes() == outs['unfused'].tobytes()}; "
                  f"max |err| vs the test's output {np.abs(y - y_ref).max():.3g}" + ("" if err_ok else " (out of tolerance)"),
                  flush=True)
            failed += not ok
    return failed


if __name__ == "__main__":
    sys.exit(main())
