#!/usr/bin/env bash
# Runs the deterministic fuzzer (tests/fuzz/fuzz_driver.cpp) over its three targets for about
# SECONDS in all: 80 % on models, 10 % each on .npy and TensorProto files. Fails on any crash or
# hang (saved under WORK/crashes; replay: ferrite_fuzz --target model --replay FILE).
# usage: run_fuzz.sh FERRITE_FUZZ REPO_ROOT WORK SECONDS [SEED]
set -uo pipefail
FUZZ=$1; ROOT=$2; WORK=$3; SECONDS_TOTAL=$4; SEED=${5:-1}
NODE=/usr/share/libonnx-testdata/data/node
mkdir -p "$WORK"
model_s=$(( SECONDS_TOTAL * 8 / 10 )); other_s=$(( SECONDS_TOTAL / 10 )); [ "$other_s" -ge 1 ] || other_s=1
corpus=("$ROOT/tests/data" "$ROOT/samples/dscnn_kws_int8/model.onnx" "$ROOT/samples/fashion_cnn_int8/model.onnx")
[ -d "$NODE" ] && corpus+=("$NODE")
MEM=${FERRITE_FUZZ_MEMORY_MIB:-4096}
status=0
# The crashes found so far (tests/fuzz/make_regressions.py): each must be refused cleanly.
"$FUZZ" --target model --strict --replay "$ROOT"/tests/fuzz/regressions/*.onnx || status=1
# ...and the .tflite ones (mutants of the fuzzer's tflite target, kept as found: docs/fuzzing.md, round 7)
"$FUZZ" --target tflite --strict --replay "$ROOT"/tests/fuzz/regressions/tflite/*.tflite || status=1
"$FUZZ" --target model --corpus "${corpus[@]}" --count 100000000 --seconds "$model_s" --seed "$SEED" \
        --hang-seconds 10 --memory-mib "$MEM" --crash-dir "$WORK/crashes" || status=1
"$FUZZ" --target npy --corpus "$ROOT/samples" "$ROOT/tests/data" --count 100000000 --seconds "$other_s" --seed "$SEED" \
        --memory-mib "$MEM" --crash-dir "$WORK/crashes" || status=1
if [ -d "$NODE" ]; then
  "$FUZZ" --target pb --corpus "$NODE" --count 100000000 --seconds "$other_s" --seed "$SEED" \
          --memory-mib "$MEM" --crash-dir "$WORK/crashes" || status=1
fi
exit $status
