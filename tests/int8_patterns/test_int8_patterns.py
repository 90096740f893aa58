#!/usr/bin/python3
"""int8 patterns between DequantizeLinear and QuantizeLinear (issue 10 item 4) against ONNX Runtime.

tests/data/int8_patterns holds small QDQ models (scripts/models/make_int8_patterns.py: squeeze-
excitation chains, ReduceMean, HardSigmoid, Sigmoid, HardSwish, channel-broadcast Mul, Resize, Pad,
Transpose, Concat with differing scales, six ConvTranspose variants; uint8 and int8 activations), their inputs
and the outputs of ONNX Runtime 1.30 (CPU, graph optimizations 'all', scripts/models/
int8_patterns_refs.sh). For every model:
  1. `ferrite run` on the host over all inputs: the dequantized outputs are bit-identical to ORT's
     (the same int8 values), 100 % of the elements;
  2. the report's float_ops is what is expected (EXPECT_FLOAT below; empty for every pattern that has
     an int8 kernel);
  3. with --qemu: the squeeze-excitation chains and three ConvTranspose patterns run on QEMU
     Cortex-M4 (mps2-an386), first 2 inputs, bit-identical to the host.
Then the whole models of whole_models.json (scripts/models/make_se_mean_fx.py: a MobileNetV3-like
PyTorch FX int8 export whose squeeze-excitation means are ReduceMean): identical to ORT, no float op
left, QEMU Cortex-M4 identical to the host.

usage: test_int8_patterns.py FERRITE REPO_ROOT WORK_DIR [--qemu] [--only NAME...]
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

# Patterns that stay float (DequantizeLinear -> float op -> QuantizeLinear), with the reason.
EXPECT_FLOAT = {
    # ReduceMean over the channels (not trailing axes): ORT reduces in another order (its KRK path).
    "reducemean_c": ["ReduceMean"],
}
# Patterns Ferrite refuses, with the message expected (none since QDQ ConvTranspose is folded).
EXPECT_REFUSED = {}
# The ConvTranspose ones exercise the exact software fma of conv_transpose_s8 on the M4.
QEMU_MODELS = ["se_hsig_reducemean_u8", "se_hsig_reducemean_s8", "se_sig_gap_u8", "se_sig_gap_s8",
               "conv_transpose_k3s2p1op1_u8", "conv_transpose_k4s2_relu_s8", "conv_transpose_wide_u8"]


def main():
    args = sys.argv[1:]
    qemu = "--qemu" in args
    only = args[args.index("--only") + 1:] if "--only" in args else None
    ferrite, root, work = [a for a in args if not a.startswith("--")][:3]
    data = os.path.join(root, "tests", "data", "int8_patterns")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    man = json.load(open(os.path.join(data, "manifest.json")))
    failed = passed = 0

    def check(ok, what):
        nonlocal failed, passed
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        failed += not ok
        passed += bool(ok)

    total_el = same_el = 0
    for name in sorted(man):
        if only and name not in only:
            continue
        pattern = man[name]["pattern"]
        model = os.path.join(data, name + ".onnx")
        x_path = os.path.join(data, name + "_input.npy")
        out = os.path.join(work, name)
        r = subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input", f"x={x_path}",
                            "--output-dir", os.path.join(out, "host"), "--quiet"], capture_output=True, text=True)
        if pattern in EXPECT_REFUSED:
            check(r.returncode != 0 and EXPECT_REFUSED[pattern] in r.stderr,
                  f"{name}: refused with '{EXPECT_REFUSED[pattern]}'" + (" (it compiled)" if r.returncode == 0 else ""))
            continue
        if r.returncode != 0:
            check(False, f"{name}: host run: {r.stderr.strip()[-2000:]}")
            continue
        y = np.load(os.path.join(out, "host", "y.npy"))
        ref = np.load(os.path.join(data, name + "_ort.npy")).reshape(y.shape)
        same = int(np.sum(y.view(np.uint32) == ref.view(np.uint32)))
        total_el += y.size
        same_el += same
        check(same == y.size, f"{name}: {same}/{y.size} output elements identical to ONNX Runtime "
              f"({100.0 * same / y.size:.2f} %)")
        rep = json.load(open(os.path.join(out, "host", "build", "gen", "m_report.json")))
        fl = sorted(f.rsplit("_", 1)[0] for f in rep["float_ops"])
        check(fl == sorted(EXPECT_FLOAT.get(pattern, [])), f"{name}: float_ops {rep['float_ops']} "
              f"(expected {EXPECT_FLOAT.get(pattern, [])})")
        if qemu and name in QEMU_MODELS:
            first = os.path.join(out, "first.npy")
            np.save(first, np.load(x_path)[:2])
            q = os.path.join(out, "qemu-cortex-m4")
            r = subprocess.run([ferrite, "run", model, "--name", "m", "--dataset", "--input", f"x={first}",
                                "--target", "qemu-cortex-m4", "--output-dir", q, "--quiet"], capture_output=True, text=True)
            ok = r.returncode == 0 and np.array_equal(np.load(os.path.join(q, "y.npy")).view(np.uint32),
                                                      y[:2].view(np.uint32))
            check(ok, f"{name}: Cortex-M4 (QEMU) output bit-identical to the host"
                  + ("" if r.returncode == 0 else f": {r.stderr.strip()[-2000:]}"))
    # Whole models (scripts/models/make_se_mean_fx.py): PyTorch FX int8 exports, no float op left.
    wm_path = os.path.join(data, "whole_models.json")
    for name, w in sorted((json.load(open(wm_path)) if os.path.exists(wm_path) else {}).items()):
        if only and name not in only:
            continue
        out = os.path.join(work, name)
        x_path = os.path.join(data, w["input"])
        r = subprocess.run([ferrite, "run", os.path.join(data, name + ".onnx"), "--name", "m", "--dataset", "--input",
                            f"{w['input_name']}={x_path}", "--output-dir", os.path.join(out, "host"), "--quiet"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            check(False, f"{name}: host run: {r.stderr.strip()[-2000:]}")
            continue
        y = np.load(os.path.join(out, "host", w["output_name"] + ".npy"))
        ref = np.load(os.path.join(data, w["reference"])).reshape(y.shape)
        same = int(np.sum(y.view(np.uint32) == ref.view(np.uint32)))
        total_el += y.size
        same_el += same
        check(same == y.size, f"{name}: {same}/{y.size} output elements identical to ONNX Runtime")
        rep = json.load(open(os.path.join(out, "host", "build", "gen", "m_report.json")))
        check(rep["float_ops"] == [], f"{name}: float_ops {rep['float_ops']} (expected none)")
        if qemu:
            first = os.path.join(out, "first.npy")
            np.save(first, np.load(x_path)[:2])
            q = os.path.join(out, "qemu-cortex-m4")
            r = subprocess.run([ferrite, "run", os.path.join(data, name + ".onnx"), "--name", "m", "--dataset",
                                "--input", f"{w['input_name']}={first}", "--target", "qemu-cortex-m4",
                                "--output-dir", q, "--quiet"], capture_output=True, text=True)
            ok = r.returncode == 0 and np.array_equal(np.load(os.path.join(q, w["output_name"] + ".npy")).view(np.uint32),
                                                      y[:2].view(np.uint32))
            check(ok, f"{name}: Cortex-M4 (QEMU) output bit-identical to the host"
                  + ("" if r.returncode == 0 else f": {r.stderr.strip()[-2000:]}"))
    print(f"int8_patterns: {same_el}/{total_el} elements identical to ONNX Runtime over all models")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
