#!/usr/bin/env bash
# Memory plans must not change results: for every sample, the outputs with in-place depthwise
# convolution (the default) and with caller-owned inputs equal those of the plain plan
# (--inplace-depthwise off), on the host, an emulated Cortex-M4 (QEMU mps2-an386) and, for int8 models, a Cortex-M55. Also prints
# the arena of each plan. For every sample whose first stage can be patched, forced 2x2 and 3x3 patch
# grids (and the automatic choice) must give bit-identical outputs too, and so must samples with
# every inverted bottleneck (int8) or expand -> depthwise chain (float) streamed channel by channel
# (--fuse-bottlenecks all). Cortex-M7 and M33 (the DSP kernels on other cores) run the int8 MobileNetV2's
# plan kinds. The plain plan is
# --inplace-depthwise off --patch off --fuse-bottlenecks off.
# A branchy model must get a smaller arena from the execution-order search, with bit-identical outputs.
# usage: test_plans.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
# Sample directories with a model and a reference input (all, and the int8 ones), and the input
# shape option a sample needs (the Fashion-MNIST models have a dynamic batch dimension).
mapfile -t ALL < <(for d in "$ROOT"/samples/*/; do [ -f "$d/model.onnx" ] && [ -f "$d/input.npy" ] && echo "$d"; done)
mapfile -t INT8 < <(for d in "${ALL[@]}"; do case "$d" in *_int8/) echo "$d" ;; esac; done)
shape_of() { case "$(basename "$1")" in fashion_cnn*) echo "--input-shape input=1x1x28x28" ;; esac; }
# qop_kws_int8 is dscnn_kws_int8 in QOperator form (QLinearConv, ...): after import the two compile to the
# same program (identical weights blob, code equal but for the tensor names), so it gets the plain and
# the default plan on every core (what checks the QOperator import) and the plan variants run once, on
# dscnn_kws_int8.
variants_of() { case "$(basename "$1")" in qop_kws_int8) return 1 ;; esac; return 0; }
# verdict OK TEXT: counts and prints one check (OK = the exit status of the check).
verdict() {
  if [ "$1" = 0 ]; then echo "PASS $2"; pass=$((pass + 1)); else echo "FAIL $2"; fail=$((fail + 1)); fi
}
# same_as_plain SAMPLE TARGET TAG TEXT RUN-ARGS...: runs with RUN-ARGS into $WORK/SAMPLE-TARGET-TAG and
# checks the output is byte-identical to the plain plan's ($WORK/SAMPLE-TARGET-plain, made first).
# cores_for SAMPLE-DIR: where its plans run: the host (portable kernels), Cortex-M4 (DSP kernels) and,
# for int8 models, Cortex-M55 (Helium kernels); every plan must equal the same core's plain plan, and
# an int8 model's plain plans must equal the host's (integer kernels are bit-exact on every core).
cores_for() {
  case "$(basename "$1")" in *_int8) echo "host qemu-cortex-m4 qemu-cortex-m55" ;; *) echo "host qemu-cortex-m4" ;; esac
}
same_as_plain() {
  local s=$1 tgt=$2 tag=$3 text=$4; shift 4
  local out="$WORK/$s-$tgt-$tag"
  "$FERRITE" run "$@" --name m --target "$tgt" --output-dir "$out" --quiet > "$out.log" 2>&1 &&
    cmp -s "$WORK/$s-$tgt-plain/output.npy" "$out/output.npy"
  local ok=$?
  verdict $ok "$s on $tgt: $text"
  [ $ok = 0 ] || cat "$out.log"
}
for dir in "${ALL[@]}"; do
  s=$(basename "$dir")
  read -ra shape <<<"$(shape_of "$dir")"
  arena() { "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --json "$@" | /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['arena_bytes'])"; }
  a_off=$(arena --inplace-depthwise off --patch off --fuse-bottlenecks off)
  a_on=$(arena --patch off)
  a_co=$(arena --caller-owned-inputs --patch off)
  for tgt in $(cores_for "$dir"); do
    "$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target $tgt \
      --inplace-depthwise off --patch off --fuse-bottlenecks off --output-dir "$WORK/$s-$tgt-plain" --quiet
    verdict $? "$s on $tgt: plain plan runs (arena $a_off B)"
    if [ $tgt != host ] && [[ $s == *_int8 ]]; then
      cmp -s "$WORK/$s-host-plain/output.npy" "$WORK/$s-$tgt-plain/output.npy"
      verdict $? "$s on $tgt: plain plan output == host (portable kernels)"
    fi
    same_as_plain "$s" $tgt inplace "in-place plan (arena $a_on B) output == plain plan" \
      "$dir/model.onnx" "${shape[@]}" --input "input=$dir/input.npy" --patch off
    variants_of "$dir" || continue
    same_as_plain "$s" $tgt caller "caller-owned inputs (arena $a_co B) output == plain plan" \
      "$dir/model.onnx" "${shape[@]}" --input "input=$dir/input.npy" --patch off --caller-owned-inputs
  done
done
for dir in "${ALL[@]}"; do
  s=$(basename "$dir")
  variants_of "$dir" || continue
  read -ra shape <<<"$(shape_of "$dir")"
  if ! "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --patch 2x2 > /dev/null 2>&1; then
    echo "SKIP $s: no spatial first stage to patch"
    continue
  fi
  for grid in 2x2 3x3 auto; do
    split=$("$FERRITE" report "$dir/model.onnx" "${shape[@]}" --patch $grid --json |
            /usr/bin/python3 -c "import json, sys; p = json.load(sys.stdin)['patch']; print(f\"after layer {p['split_layer']}, +{p['extra_macs']} MACs\" if p else 'no patches')")
    # --patch auto choosing no patches compiles exactly as --patch off: the in-place plan checked above
    if [ "$split" = "no patches" ]; then echo "SKIP $s --patch $grid: no patches chosen (the --patch off plan above)"; continue; fi
    for tgt in $(cores_for "$dir"); do
      same_as_plain "$s" $tgt "patch$grid" "patched $grid ($split) output == plain plan" \
        "$dir/model.onnx" "${shape[@]}" --input "input=$dir/input.npy" --patch $grid
    done
  done
done
# patched MODEL ARGS...: whether the report's plan (with ARGS) runs the first stage in patches.
patched() {
  "$FERRITE" report "$@" --json | /usr/bin/python3 -c "import json, sys; sys.exit(0 if json.load(sys.stdin)['patch'] else 1)"
}
# Channel-streamed inverted bottlenecks (int8 samples that have expand -> depthwise -> project chains,
# float samples that have expand -> depthwise chains: expand_dw_f32).
for dir in "${ALL[@]}"; do
  s=$(basename "$dir")
  variants_of "$dir" || continue
  read -ra shape <<<"$(shape_of "$dir")"
  fused=$("$FERRITE" report "$dir/model.onnx" "${shape[@]}" --patch off --fuse-bottlenecks all --json |
          /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print(len(d['fused_bottlenecks']), d['arena_bytes'])")
  if [ "${fused%% *}" = 0 ]; then echo "SKIP $s: no inverted bottleneck"; continue; fi
  for p in off auto; do
    if [ $p = auto ] && ! patched "$dir/model.onnx" "${shape[@]}" --patch auto --fuse-bottlenecks all; then
      echo "SKIP $s --fuse-bottlenecks all --patch auto: no patches chosen (the --patch off plan above)"; continue
    fi
    for tgt in $(cores_for "$dir"); do
      same_as_plain "$s" $tgt "fused$p" \
        "${fused%% *} bottlenecks fused (--patch $p; arena ${fused#* } B with --patch off) output == plain plan" \
        "$dir/model.onnx" "${shape[@]}" --input "input=$dir/input.npy" --patch $p --fuse-bottlenecks all
    done
  done
done
# --quantized-io: the API takes the quantized input image (which patches then read window by window)
# and returns the quantized output; dequantized, it equals the plain plan's float output bit for bit.
for dir in "${INT8[@]}"; do
  s=$(basename "$dir")
  variants_of "$dir" || continue
  read -ra shape <<<"$(shape_of "$dir")"
  "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --quantized-io --json > "$WORK/$s-qio.json"
  /usr/bin/python3 "$ROOT/tests/samples/quantize_io.py" quantize "$WORK/$s-qio.json" "$dir/input.npy" "$WORK/$s-qin.npy"
  for p in off auto; do
    if [ $p = auto ] && ! patched "$dir/model.onnx" "${shape[@]}" --quantized-io --patch auto; then
      echo "SKIP $s --quantized-io --patch auto: no patches chosen (the --patch off plan above)"; continue
    fi
    for tgt in $(cores_for "$dir"); do
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
# Cortex-M7 and M33 get the same DSP kernel variants as the M4, compiled for another core: the int8
# MobileNetV2 sample (every plan kind: in-place depthwise, patches, fused bottlenecks) runs its plain plan
# (== the host's) and the three plan kinds there too.
d="$ROOT/samples/mobilenetv2_035_96_int8"
for tgt in qemu-cortex-m7 qemu-cortex-m33; do
  "$FERRITE" run "$d/model.onnx" --name m --input "input=$d/input.npy" --target $tgt \
    --inplace-depthwise off --patch off --fuse-bottlenecks off --output-dir "$WORK/mobilenetv2_035_96_int8-$tgt-plain" --quiet &&
    cmp -s "$WORK/mobilenetv2_035_96_int8-host-plain/output.npy" "$WORK/mobilenetv2_035_96_int8-$tgt-plain/output.npy"
  verdict $? "mobilenetv2_035_96_int8 on $tgt: plain plan output == host (portable kernels)"
  same_as_plain mobilenetv2_035_96_int8 $tgt inplace "in-place plan output == plain plan" \
    "$d/model.onnx" --input "input=$d/input.npy" --patch off
  same_as_plain mobilenetv2_035_96_int8 $tgt patch3x3 "patched 3x3 output == plain plan" \
    "$d/model.onnx" --input "input=$d/input.npy" --patch 3x3
  same_as_plain mobilenetv2_035_96_int8 $tgt fused "every bottleneck fused output == plain plan" \
    "$d/model.onnx" --input "input=$d/input.npy" --patch off --fuse-bottlenecks all
done
# Deep splits through residual blocks (halos over several 3x3 layers, additions with strided views).
d="$ROOT/samples/mobilenetv2_035_96_int8"
for spec in 4x4@13 2x2@21 3x2@17; do
  for tgt in $(cores_for "$d"); do
    same_as_plain mobilenetv2_035_96_int8 $tgt "deep$spec" "patched $spec output == plain plan" \
      "$d/model.onnx" --input "input=$d/input.npy" --patch $spec
  done
done
# The default plan is never beaten on both arena and MACs by the other plans the options offer:
# --patch off (bottlenecks fused as by default), and forced 2x2/3x3 grids (with and without
# caller-owned inputs, each compared with the default under the same input ownership).
for dir in "${ALL[@]}"; do
  s=$(basename "$dir")
  read -ra shape <<<"$(shape_of "$dir")"
  am() { "$FERRITE" report "$dir/model.onnx" "${shape[@]}" --json "$@" 2>/dev/null |
         /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print(d['arena_bytes'], d['macs'])" 2>/dev/null; }
  for own in "" "--caller-owned-inputs"; do
    read -r a_def m_def <<<"$(am $own)"
    beaten=""
    for alt in "--patch off" "--patch 2x2" "--patch 3x3"; do
      r=$(am $own $alt) || continue
      [ -n "$r" ] || continue
      read -r a m <<<"$r"
      if [ "$a" -le "$a_def" ] && [ "$m" -le "$m_def" ] && { [ "$a" -lt "$a_def" ] || [ "$m" -lt "$m_def" ]; }; then
        beaten+=" [$alt: $a B, $m MACs]"
      fi
    done
    [ -z "$beaten" ]
    verdict $? "$s${own:+ $own}: default plan ($a_def B, $m_def MACs) not dominated by --patch off/2x2/3x3${beaten}"
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
[ "$reordered" = 1 ] && [ "$a_auto" -lt "$a_model" ] && [ "$a_model_in_auto" = "$a_model" ]
verdict $? "branchy: --schedule auto reorders ($search search): arena $a_auto B, $a_model B in the model's order"
for tgt in host qemu-cortex-m4; do
  "$FERRITE" run "$d/model.onnx" --name m --input "input=$d/input.npy" --target $tgt --schedule model \
    --output-dir "$WORK/branchy-$tgt-plain" --quiet
  verdict $? "branchy on $tgt: runs in the model's order"
  same_as_plain branchy $tgt auto "output in the searched order == the model's order" \
    "$d/model.onnx" --input "input=$d/input.npy" --schedule auto
done
# Placement quality: without patches the arena is within 1 % of the lower bound (the most bytes live
# at one step) for every sample and test model, in the searched order and in the model's own order.
for m in "${ALL[@]}" "$ROOT"/tests/data/*.onnx "$ROOT"/tests/data/*/model.onnx; do
  [ -d "$m" ] && m="${m%/}/model.onnx"
  read -ra shape <<<"$(shape_of "$(dirname "$m")")"
  for order in auto model; do
    r=$("$FERRITE" report "$m" "${shape[@]}" --patch off --schedule $order --json |
        /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print(d['arena_bytes'], d['lower_bound_bytes'], d['arena_to_lower_bound'])")
    read -r a lb ratio <<<"$r"
    /usr/bin/python3 -c "import sys; sys.exit(0 if $ratio <= 1.01 else 1)"
    verdict $? "arena $a B / lower bound $lb B = $ratio <= 1.01 (--schedule $order): ${m#$ROOT/}"
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
