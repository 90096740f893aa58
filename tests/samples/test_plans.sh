#!/usr/bin/env bash
# Memory plans must not change results: for every sample, the outputs with in-place depthwise
# convolution (the default) equal those of the plain plan (--inplace-depthwise off), on the host and
# on an emulated Cortex-M4 (QEMU mps2-an386). Also prints the arena of both plans.
# usage: test_plans.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
for dir in "$ROOT"/samples/*/; do
  s=$(basename "$dir")
  [ -f "$dir/model.onnx" ] && [ -f "$dir/input.npy" ] || continue
  shape=()
  case "$s" in fashion_cnn*) shape=(--input-shape input=1x1x28x28) ;; esac
  arena() { "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --json "$@" | /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['arena_bytes'])"; }
  a_off=$(arena --inplace-depthwise off)
  a_on=$(arena)
  for tgt in host qemu-cortex-m4; do
    if "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
         --inplace-depthwise off --output-dir "$WORK/$s-$tgt-plain" --quiet &&
       "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
         --output-dir "$WORK/$s-$tgt-inplace" --quiet &&
       cmp -s "$WORK/$s-$tgt-plain/output.npy" "$WORK/$s-$tgt-inplace/output.npy"; then
      echo "PASS $s on $tgt: in-place plan (arena $a_on B) output == plain plan (arena $a_off B)"
      pass=$((pass + 1))
    else
      echo "FAIL $s on $tgt: in-place and plain plans differ"
      fail=$((fail + 1))
    fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
