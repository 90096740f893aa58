#!/usr/bin/env bash
# End-to-end checks of every model under samples/ (issue acceptance figures):
#  1. host build of the generated code vs ONNX Runtime's reference: max |err| <= 1e-4 x output range;
#  2. Cortex-M4 build (arm-none-eabi-g++ -O2 -Wall -Wextra -Werror -fno-exceptions -fno-rtti) run in
#     QEMU mps2-an386: outputs bit-identical to the host build (<= 4 ULP when the model uses a libm
#     transcendental: Sigmoid, Tanh, Softmax);
#  3. determinism: compiling twice gives byte-identical files;
#  4. memory: MobileNetV2-0.35-96 arena <= 1.05 x lower bound and lower bound <= 560,000 bytes.
# usage: test_samples.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
PY=/usr/bin/python3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }

for dir in "$ROOT"/samples/*/; do
  [ -f "$dir/model.onnx" ] || continue
  s=$(basename "$dir")
  case "$s" in *_int8) continue ;; esac  # int8 samples: tests/samples/test_int8_samples.sh
  shape=()
  [ "$s" = fashion_cnn ] && shape=(--input-shape input=1x1x28x28)
  common=("$dir/model.onnx" --name "$s" "${shape[@]}" --input "input=$dir/input.npy")
  if "$FERRITE" run "${common[@]}" --reference "output=$dir/reference/output.npy" --range-tol 1e-4 \
       --output-dir "$WORK/$s/host"; then
    ok "$s: host matches ONNX Runtime (max |err| <= 1e-4 x range)"
  else
    ko "$s: host vs ONNX Runtime"
  fi
  if "$FERRITE" run "${common[@]}" --target qemu-cortex-m4 --output-dir "$WORK/$s/m4" --quiet; then
    ulp=0
    "$FERRITE" ops --check "$dir/model.onnx" | grep -Eq '^(Sigmoid|Tanh|Softmax) ' && ulp=4
    if $PY "$ROOT/tests/samples/compare_outputs.py" "$WORK/$s/host/output.npy" "$WORK/$s/m4/output.npy" $ulp; then
      ok "$s: Cortex-M4 (QEMU mps2-an386) output equals the host build (max ULP $ulp)"
    else
      ko "$s: Cortex-M4 output differs from host"
    fi
  else
    ko "$s: Cortex-M4 build/run"
  fi
  "$FERRITE" compile "$dir/model.onnx" --name "$s" "${shape[@]}" -o "$WORK/$s/gen1" > /dev/null &&
    "$FERRITE" compile "$dir/model.onnx" --name "$s" "${shape[@]}" -o "$WORK/$s/gen2" > /dev/null
  if diff -r "$WORK/$s/gen1" "$WORK/$s/gen2" > /dev/null; then
    ok "$s: two compilations are byte-identical"
  else
    ko "$s: compilation is not deterministic"
  fi
done

# The generated code of a sample compiles warning-free for every Cortex-M core we target.
gen="$WORK/dscnn_kws/gen1"
for cpu in "-mcpu=cortex-m0plus -mfloat-abi=soft" "-mcpu=cortex-m3 -mfloat-abi=soft" \
           "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard" "-mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard" \
           "-mcpu=cortex-m33 -mfpu=fpv5-sp-d16 -mfloat-abi=hard" "-mcpu=cortex-m55 -mfloat-abi=hard"; do
  # shellcheck disable=SC2086
  if arm-none-eabi-g++ -std=c++17 -mthumb $cpu -O2 -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
       -c "$gen/dscnn_kws.cpp" -o "$WORK/dscnn_cpu.o" && \
     arm-none-eabi-g++ -std=c++17 -mthumb $cpu -O2 -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
       -I"$gen" -c "$gen/dscnn_kws_weights.cpp" -o "$WORK/dscnn_w.o"; then
    ok "dscnn_kws: generated code compiles with arm-none-eabi-g++ $cpu"
    # No static constructors (.init_array) and no heap (malloc/operator new) in the generated objects.
    if arm-none-eabi-objdump -h "$WORK/dscnn_cpu.o" "$WORK/dscnn_w.o" | grep -Eq 'init_array|\.ctors' ||
       arm-none-eabi-nm -u "$WORK/dscnn_cpu.o" "$WORK/dscnn_w.o" | grep -Eq 'malloc|calloc|realloc|_Znw|_Zna|free'; then
      ko "dscnn_kws ($cpu): static constructors or heap use in generated code"
    else
      ok "dscnn_kws ($cpu): no static constructors, no heap"
    fi
  else
    ko "dscnn_kws: arm-none-eabi-g++ $cpu"
  fi
done

m="$ROOT/samples/mobilenetv2_035_96/model.onnx"
if "$FERRITE" report "$m" --json > "$WORK/mbv2_report.json" && $PY - "$WORK/mbv2_report.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
a, lb = r["arena_bytes"], r["lower_bound_bytes"]
print(f"MobileNetV2-0.35-96 float: arena {a} bytes, lower bound {lb} bytes, ratio {a / lb:.4f}")
sys.exit(0 if a <= 1.05 * lb and lb <= 560000 else 1)
PYEOF
then
  ok "MobileNetV2-0.35-96: arena <= 1.05 x lower bound, lower bound <= 560,000 bytes"
else
  ko "MobileNetV2-0.35-96 memory figures"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
