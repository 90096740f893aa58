#!/usr/bin/env bash
# Memory plans must not change results: for every sample, the outputs with in-place depthwise
# convolution (the default) and with caller-owned inputs equal those of the plain plan
# (--inplace-depthwise off), on the host and on an emulated Cortex-M4 (QEMU mps2-an386). Also prints
# the arena of each plan. For every sample whose first stage can be patched, forced 2x2 and 3x3 patch
# grids (and the automatic choice) must give bit-identical outputs too, and so must int8 samples with
# every inverted bottleneck streamed channel by channel (--fuse-bottlenecks all). The plain plan is
# --inplace-depthwise off --patch off --fuse-bottlenecks off.
# A branchy model must get a smaller arena from the execution-order search, with bit-identical outputs.
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
  a_off=$(arena --inplace-depthwise off --patch off --fuse-bottlenecks off)
  a_on=$(arena --patch off)
  a_co=$(arena --caller-owned-inputs --patch off)
  for tgt in host qemu-cortex-m4; do
    if "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
         --inplace-depthwise off --patch off --fuse-bottlenecks off --output-dir "$WORK/$s-$tgt-plain" --quiet &&
       "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
         --patch off --output-dir "$WORK/$s-$tgt-inplace" --quiet &&
       "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
         --caller-owned-inputs --patch off --output-dir "$WORK/$s-$tgt-caller" --quiet &&
       cmp -s "$WORK/$s-$tgt-plain/output.npy" "$WORK/$s-$tgt-inplace/output.npy" &&
       cmp -s "$WORK/$s-$tgt-plain/output.npy" "$WORK/$s-$tgt-caller/output.npy"; then
      echo "PASS $s on $tgt: outputs equal with in-place (arena $a_on B), caller-owned inputs ($a_co B), plain ($a_off B)"
      pass=$((pass + 1))
    else
      echo "FAIL $s on $tgt: in-place and plain plans differ"
      fail=$((fail + 1))
    fi
  done
done
for dir in "$ROOT"/samples/*/; do
  s=$(basename "$dir")
  [ -f "$dir/model.onnx" ] && [ -f "$dir/input.npy" ] || continue
  shape=()
  case "$s" in fashion_cnn*) shape=(--input-shape input=1x1x28x28) ;; esac
  if ! "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --patch 2x2 > /dev/null 2>&1; then
    echo "SKIP $s: no spatial first stage to patch"
    continue
  fi
  for grid in 2x2 3x3 auto; do
    for tgt in host qemu-cortex-m4; do
      if "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
           --patch $grid --output-dir "$WORK/$s-$tgt-patch$grid" --quiet > "$WORK/$s-$grid.log" 2>&1 &&
         cmp -s "$WORK/$s-$tgt-plain/output.npy" "$WORK/$s-$tgt-patch$grid/output.npy"; then
        split=$("$FERRITE" report "$dir/model.onnx" "${shape[@]}" --patch $grid --json |
                /usr/bin/python3 -c "import json, sys; p = json.load(sys.stdin)['patch']; print(f\"after layer {p['split_layer']}, +{p['extra_macs']} MACs\")")
        echo "PASS $s on $tgt: patched $grid ($split) output == plain plan"
        pass=$((pass + 1))
      else
        echo "FAIL $s on $tgt: patched $grid differs or fails"; cat "$WORK/$s-$grid.log"
        fail=$((fail + 1))
      fi
    done
  done
done
# Channel-streamed inverted bottlenecks (int8 samples that have expand -> depthwise -> project chains).
for dir in "$ROOT"/samples/*_int8/; do
  s=$(basename "$dir")
  [ -f "$dir/model.onnx" ] && [ -f "$dir/input.npy" ] || continue
  shape=()
  case "$s" in fashion_cnn*) shape=(--input-shape input=1x1x28x28) ;; esac
  fused=$("$FERRITE" report "$dir/model.onnx" "${shape[@]}" --patch off --fuse-bottlenecks all --json |
          /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print(len(d['fused_bottlenecks']), d['arena_bytes'])")
  if [ "${fused%% *}" = 0 ]; then echo "SKIP $s: no inverted bottleneck"; continue; fi
  for extra in "--patch off" "--patch auto"; do
    for tgt in host qemu-cortex-m4; do
      tag=$(echo "$extra" | tr -d ' -')
      if "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt $extra \
           --fuse-bottlenecks all --output-dir "$WORK/$s-$tgt-fused$tag" --quiet &&
         cmp -s "$WORK/$s-$tgt-plain/output.npy" "$WORK/$s-$tgt-fused$tag/output.npy"; then
        echo "PASS $s on $tgt: ${fused%% *} bottlenecks fused ($extra; arena ${fused#* } B with --patch off) output == plain plan"
        pass=$((pass + 1))
      else
        echo "FAIL $s on $tgt: fused bottlenecks ($extra) differ or fail"
        fail=$((fail + 1))
      fi
    done
  done
done
# --quantized-io: the API takes the quantized input image (which patches then read window by window)
# and returns the quantized output; dequantized, it equals the plain plan's float output bit for bit.
for dir in "$ROOT"/samples/*_int8/; do
  s=$(basename "$dir")
  [ -f "$dir/model.onnx" ] && [ -f "$dir/input.npy" ] || continue
  shape=()
  case "$s" in fashion_cnn*) shape=(--input-shape input=1x1x28x28) ;; esac
  "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --quantized-io --json > "$WORK/$s-qio.json"
  /usr/bin/python3 "$ROOT/tests/samples/quantize_io.py" quantize "$WORK/$s-qio.json" "$dir/input.npy" "$WORK/$s-qin.npy"
  for p in off auto; do
    for tgt in host qemu-cortex-m4; do
      a=$("$FERRITE" report "$dir/model.onnx" "${shape[@]}" --quantized-io --patch $p --json |
          /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['arena_bytes'])")
      if "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --quantized-io --input "input=$WORK/$s-qin.npy" \
           --target $tgt --patch $p --output-dir "$WORK/$s-$tgt-qio$p" --quiet &&
         /usr/bin/python3 "$ROOT/tests/samples/quantize_io.py" compare "$WORK/$s-qio.json" \
           "$WORK/$s-$tgt-qio$p/output.npy" "$WORK/$s-$tgt-plain/output.npy"; then
        echo "PASS $s on $tgt: --quantized-io --patch $p (arena $a B) output == plain plan"
        pass=$((pass + 1))
      else
        echo "FAIL $s on $tgt: --quantized-io --patch $p"
        fail=$((fail + 1))
      fi
    done
  done
done
# Deep splits through residual blocks (halos over several 3x3 layers, additions with strided views).
d="$ROOT/samples/mobilenetv2_035_96_int8"
for spec in 4x4@13 2x2@21 3x2@17; do
  for tgt in host qemu-cortex-m4; do
    if "$FERRITE" run "$d/model.onnx" --name m --input "input=$d/input.npy" --target $tgt --patch $spec \
         --output-dir "$WORK/mbv2-$tgt-$spec" --quiet &&
       cmp -s "$WORK/mobilenetv2_035_96_int8-$tgt-plain/output.npy" "$WORK/mbv2-$tgt-$spec/output.npy"; then
      echo "PASS mobilenetv2_035_96_int8 on $tgt: patched $spec output == plain plan"
      pass=$((pass + 1))
    else
      echo "FAIL mobilenetv2_035_96_int8 on $tgt: patched $spec"
      fail=$((fail + 1))
    fi
  done
done
# Execution order: tests/data/branchy (three branches listed stage by stage, scripts/models/make_branchy.py)
# must get a smaller arena from the order search (--schedule auto) than in its file order
# (--schedule model), with bit-identical outputs.
d="$ROOT/tests/data/branchy"
sched() { "$FERRITE" report "$d/model.onnx" --json --schedule "$1" | /usr/bin/python3 -c "
import json, sys
s = json.load(sys.stdin)['schedule']
print(s['arena_bytes'], s['model_order_arena_bytes'], int(s['reordered']), s['search'])"; }
read -r a_auto a_model_in_auto reordered search <<<"$(sched auto)"
read -r a_model _ _ _ <<<"$(sched model)"
if [ "$reordered" = 1 ] && [ "$a_auto" -lt "$a_model" ] && [ "$a_model_in_auto" = "$a_model" ]; then
  echo "PASS branchy: --schedule auto reorders ($search search), arena $a_auto B < $a_model B in the model's order"
  pass=$((pass + 1))
else
  echo "FAIL branchy: --schedule auto arena $a_auto B (reordered=$reordered), model order $a_model B"
  fail=$((fail + 1))
fi
for tgt in host qemu-cortex-m4; do
  if "$FERRITE" run "$d/model.onnx" --name m --input "input=$d/input.npy" --target $tgt --schedule model \
       --output-dir "$WORK/branchy-$tgt-model" --quiet &&
     "$FERRITE" run "$d/model.onnx" --name m --input "input=$d/input.npy" --target $tgt --schedule auto \
       --output-dir "$WORK/branchy-$tgt-auto" --quiet &&
     cmp -s "$WORK/branchy-$tgt-model/output.npy" "$WORK/branchy-$tgt-auto/output.npy"; then
    echo "PASS branchy on $tgt: outputs equal in the searched order and the model's order"
    pass=$((pass + 1))
  else
    echo "FAIL branchy on $tgt: the searched order changes the outputs or fails"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
