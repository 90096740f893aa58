#!/usr/bin/python3
"""QuantizeLinear with a scale and/or zero point computed at run time (quantize_f32_rt) against ONNX
Runtime 1.30: tests/data/quantize_runtime (scripts/models/make_quantize_runtime.py, references by
scripts/models/quantize_runtime_refs.mjs). Every "ok" case holds ties (x / scale = k + 0.5, half to
even), saturation at both ends, +-inf and values where x / scale and x * (1 / scale) round apart.
  - "ok" cases: `ferrite run` on the host, output bit-identical to ONNX Runtime, and the generated
    code calls quantize_f32_rt (the scale/zero point were not baked in); QEMU_CASES also on QEMU
    Cortex-M4 and Cortex-M55, bit-identical to ONNX Runtime;
  - "refuse" cases: `ferrite compile` exits 2 with a message matching the case's regular expression
    (it names the node).
cast_u8_output / cast_u8_input: a float -> uint8 Cast straight to the graph output, a uint8 graph input
Cast to float (normalize-int8 keeps both uint8; the first was wrong by 128, the second refused).

usage: test_quantize_runtime.py FERRITE REPO_ROOT WORK_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

QEMU_CASES = ["rt_u8_tenth", "rt_s8_three"]


def main():
    ferrite, root, work = sys.argv[1:4]
    data = os.path.join(root, "tests", "data", "quantize_runtime")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    man = json.load(open(os.path.join(data, "manifest.json")))
    failed = checks = 0

    def check(ok, what):
        nonlocal failed, checks
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        failed += not ok
        checks += 1

    for name, c in sorted(man["cases"].items()):
        model = os.path.join(data, f"{name}.onnx")
        if c["expect"] == "refuse":
            r = subprocess.run([ferrite, "compile", model, "-o", os.path.join(work, name)], capture_output=True,
                               text=True)
            ok = r.returncode == 2 and re.search(c["error"], r.stderr) is not None
            check(ok, f"{name}: refused, exit {r.returncode}: {r.stderr.strip()[-600:]}")
            continue
        ref = np.load(os.path.join(data, f"{name}_ort.npy"))
        for target in ["host"] + (["qemu-cortex-m4", "qemu-cortex-m55"] if name in QEMU_CASES else []):
            out = os.path.join(work, name, target)
            cmd = [ferrite, "run", model, "--name", "m", "--quiet", "--target", target, "--output-dir", out]
            for k in c["inputs"]:
                cmd += ["--input", f"{k}=" + os.path.join(data, f"{name}_{k}.npy")]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                check(False, f"{name} ({target}): run exits {r.returncode}: {r.stderr.strip()[-2000:]}")
                continue
            y = np.load(os.path.join(out, "y.npy"))
            same = y.dtype == ref.dtype and y.shape == ref.shape and bool(np.array_equal(y, ref))
            check(same, f"{name} ({target}): {int((y.reshape(-1) != ref.reshape(-1)).sum())} of {ref.size} "
                        f"{ref.dtype} elements differ from ONNX Runtime ({c['division_sensitive']} division-sensitive)")
            if target == "host":
                src = open(os.path.join(out, "build", "gen", "m.cpp")).read()
                kernel = c.get("kernel", "quantize_f32_rt")
                check(kernel + "(" in src, f"{name}: the generated code calls {kernel}")
    print(f"{checks - failed} of {checks} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
