#!/usr/bin/python3
"""Checks Ferrite against TFLite itself: the per-layer integration tests of TensorFlow Lite Micro.

tflite-micro's tensorflow/lite/micro/integration_tests/ holds single-operator .tflite models cut out of
real networks (seanet: int16 activations with int8 weights: CONV_2D, ADD, SUB, LEAKY_RELU, PAD,
STRIDED_SLICE, QUANTIZE, TRANSPOSE_CONV), each with its input(s) and the output TFLite's interpreter
computed with its reference kernels (BUILTIN_REF), as CSV files. Unlike scripts/tflite_ref.py these
goldens were not written by us, so they check our reading of TFLite's rules.

For every model: `ferrite run` on the host (or --target) with the CSV input(s), then the output is
compared with the golden, element for element. A model Ferrite refuses (exit 2) is listed as refused
with the reason; a model that compiles must match exactly. Exit 1 if any output differs or a run
fails in another way.

The models are not part of this repository (nor of ../shared):
    git clone --depth 1 https://github.com/tensorflow/tflite-micro
    scripts/tflm_goldens.py build/ferrite tflite-micro [--target qemu-cortex-m4] [--only conv,add]
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_ref  # noqa: E402  (the TFLite flatbuffer reader: input shapes and names)

CSV_TYPES = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "float": np.float32}


def read_csv(path, dtype):
    with open(path) as f:
        text = f.read().strip()
    return np.array([int(v) if dtype != np.float32 else float(v) for v in text.split(",") if v.strip()], dtype=dtype)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ferrite")
    ap.add_argument("tflm", help="a tflite-micro checkout (or its integration_tests folder)")
    ap.add_argument("--target", default="host")
    ap.add_argument("--only", default="", help="comma-separated operator folders (conv,add,...)")
    a = ap.parse_args()
    root = a.tflm
    sub = os.path.join(root, "tensorflow/lite/micro/integration_tests")
    if os.path.isdir(sub):
        root = sub
    models = sorted(glob.glob(os.path.join(root, "**/*.tflite"), recursive=True),
                    key=lambda p: (os.path.dirname(p), int(re.sub(r"\D", "", os.path.basename(p)) or 0)))
    if a.only:
        keep = set(a.only.split(","))
        models = [m for m in models if os.path.basename(os.path.dirname(m)) in keep]
    if not models:
        sys.exit(f"no integration-test models under {a.tflm}")
    counts = {"identical": 0, "refused": 0, "differ": 0, "failed": 0}
    refusals = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in models:
            stem = path[:-len(".tflite")]
            label = os.path.relpath(path, root)
            goldens = glob.glob(stem + "_golden_*.csv")
            if len(goldens) != 1:
                print(f"{label}: skipped (no golden)")
                continue
            m = tflite_ref.Model(path)
            args = []
            for k, t in enumerate(m.inputs):
                ins = glob.glob(f"{stem}_input{k}_*.csv")
                if len(ins) != 1:
                    break
                dt = CSV_TYPES[ins[0].rsplit("_", 1)[1][:-4]]
                x = read_csv(ins[0], dt).reshape(m.tensors[t]["shape"])
                f = os.path.join(tmp, f"in{k}.npy")
                np.save(f, x)
                args += ["--input", f"{m.tensors[t]['name']}={f}"]
            else:
                out = os.path.join(tmp, label.replace("/", "_"))
                r = subprocess.run([a.ferrite, "run", path, "--target", a.target, "--output-dir", out, "--quiet"] + args,
                                   capture_output=True, text=True)
                if r.returncode == 2:
                    why = (r.stderr.strip().splitlines() or ["?"])[-1]
                    why = re.sub(r"^.*?\.tflite: ", "", why)
                    counts["refused"] += 1
                    refusals.setdefault(why, []).append(label)
                    continue
                if r.returncode != 0:
                    counts["failed"] += 1
                    print(f"{label}: FAILED (exit {r.returncode}): {r.stderr.strip()[-400:]}")
                    continue
                gdt = CSV_TYPES[goldens[0].rsplit("_", 1)[1][:-4]]
                want = read_csv(goldens[0], gdt).astype(np.int64)
                outs = sorted(glob.glob(os.path.join(out, "*.npy")))  # the one output
                got = np.load(outs[0]) if outs else np.zeros(0, np.int64)
                if got.ndim == 4:  # Ferrite gives rank-4 outputs in NCHW order (docs/tflite.md)
                    got = got.transpose(0, 2, 3, 1)
                got = got.astype(np.int64).ravel()
                if got.size != want.size:
                    counts["differ"] += 1
                    print(f"{label}: DIFFERS: {got.size} elements, the golden has {want.size}")
                    continue
                d = np.abs(got - want)
                same = int((d == 0).sum())
                if d.max(initial=0) == 0:
                    counts["identical"] += 1
                    print(f"{label}: identical ({want.size} elements)")
                else:
                    counts["differ"] += 1
                    print(f"{label}: DIFFERS: {same} of {want.size} identical, max {d.max()} LSB")
                continue
            print(f"{label}: skipped (inputs)")
    for why, labels in sorted(refusals.items()):
        print(f"refused ({len(labels)}): {why}: {', '.join(labels)}")
    print(f"tflm_goldens ({a.target}): {len(models)} models: {counts['identical']} identical to TFLite's golden, "
          f"{counts['differ']} differ, {counts['refused']} refused, {counts['failed']} failed")
    sys.exit(1 if counts["differ"] or counts["failed"] else 0)


if __name__ == "__main__":
    main()
