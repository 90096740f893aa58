#!/usr/bin/python3
"""Models of ai.onnx opsets 18 to 23 (tests/data/opset, made by scripts/models/make_opset_models.py,
references from ONNX Runtime 1.30 by scripts/samples/opset_reference.mjs) are rewritten to opset 17
by the frontend (compiler/frontend/onnx_opset.cpp) and compile:
  - "ok" cases: `ferrite run` on the host, compared with ONNX Runtime: float max |err| <= 1e-4 x the
    output range (max |ref| for a one-element output, whose range is 0); int8 QDQ bit-identical;
  - "refuse" cases: `ferrite compile` exits 2 with a message matching the case's regular expression
    (it names the node, the operator and the opset).

usage: test_opset_models.py FERRITE REPO_ROOT WORK_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np


def main():
    ferrite, root, work = sys.argv[1:4]
    data = os.path.join(root, "tests", "data", "opset")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    man = json.load(open(os.path.join(data, "manifest.json")))
    failed = 0
    for name, c in sorted(man["cases"].items()):
        model = os.path.join(data, f"{name}.onnx")
        out = os.path.join(work, name)
        tag = f"{name} (opset {c['opset']})"
        if c["expect"] == "refuse":
            r = subprocess.run([ferrite, "compile", model, "-o", out], capture_output=True, text=True)
            ok = r.returncode == 2 and re.search(c["error"], r.stderr) is not None
            print(("PASS " if ok else "FAIL ") + f"{tag}: refused, exit {r.returncode}: {r.stderr.strip()[-600:]}")
            failed += not ok
            continue
        r = subprocess.run([ferrite, "run", model, "--name", "m", "--input", "x=" + os.path.join(data, f"{name}_input.npy"),
                            "--output-dir", out, "--quiet"], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {tag}: run exits {r.returncode}: {r.stderr.strip()[-2000:]}")
            failed += 1
            continue
        y = np.load(os.path.join(out, "y.npy"))
        ref = np.load(os.path.join(data, f"{name}_ref.npy")).reshape(y.shape)
        if c.get("int8"):
            ok = bool(np.array_equal(y, ref))
            what = f"{int((y != ref).sum())} of {y.size} elements differ from ONNX Runtime 'all'"
        else:
            y64, r64 = y.astype(np.float64), ref.astype(np.float64)
            scale = float(r64.max() - r64.min()) if r64.size > 1 else float(np.abs(r64).max())
            err = float(np.abs(y64 - r64).max())
            ok = err <= 1e-4 * scale
            what = f"max |err| {err:.3g} = {err / max(scale, 1e-30):.3g} x output range"
        print(("PASS " if ok else "FAIL ") + f"{tag}: {what}")
        failed += not ok
    print(f"{len(man['cases']) - failed} of {len(man['cases'])} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
