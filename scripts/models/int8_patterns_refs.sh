#!/usr/bin/env bash
# ONNX Runtime references for tests/data/int8_patterns (scripts/models/make_int8_patterns.py):
# onnxruntime-node 1.30, CPU, 1 thread, graph optimizations 'all' with x64quantprecision (as every
# int8 reference of the project, scripts/samples/ort_reference_int8.mjs): <name>_ort.npy, and
# ort_fused.json: per model, the op types of ORT's optimized graph (which QDQ groups ORT turned into
# integer kernels and which it runs as DequantizeLinear -> float op -> QuantizeLinear).
# Needs scripts/samples/node_modules (scripts/samples/make_all.sh installs onnxruntime-node).
# usage: scripts/models/int8_patterns_refs.sh [DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${1:-$ROOT/tests/data/int8_patterns}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 - "$DIR" "$WORK" <<'PY'
import json, os, sys
d, w = sys.argv[1:3]
man = json.load(open(os.path.join(d, "manifest.json")))
jobs = [{"model": os.path.join(d, n + ".onnx"), "inputs": os.path.join(d, n + "_input.npy"), "batch": 1,
         "outputs": {"all": os.path.join(d, n + "_ort.npy")}, "optimized_model": os.path.join(w, n + "_opt.onnx")}
        for n in sorted(man)]
json.dump({"jobs": jobs}, open(os.path.join(w, "jobs.json"), "w"))
PY
node "$ROOT/scripts/samples/ort_reference_int8.mjs" "$WORK/jobs.json" > "$WORK/log.txt"
head -1 "$WORK/log.txt"
/usr/bin/python3 - "$DIR" "$WORK" <<'PY'
import json, os, sys
import onnx
d, w = sys.argv[1:3]
man = json.load(open(os.path.join(d, "manifest.json")))
fused = {}
for n in sorted(man):
    m = onnx.load(os.path.join(w, n + "_opt.onnx"))
    fused[n] = [node.op_type for node in m.graph.node]
with open(os.path.join(d, "ort_fused.json"), "w") as f:
    json.dump(fused, f, indent=1, sort_keys=True)
    f.write("\n")
for n, ops in fused.items():
    print(f"{n:28s} {' '.join(ops)}")
PY
