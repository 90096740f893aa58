#!/usr/bin/env bash
# Build time and peak memory of the generated code per --weights-format (docs/benchmarks.md):
# `ferrite compile` with incbin, text and array (the pre-incbin form), then g++ -O2 and
# arm-none-eabi-g++ -O2 (Cortex-M4) on every generated .cpp, one file at a time, measured with
# /usr/bin/time (user+sys CPU seconds, max RSS). Models: MobileNetV2-1.0-224 int8 (QDQ, seeded weights,
# scripts/models/make_mobilenetv2_int8.py) and a ~21 MiB float MLP (scripts/models/make_large_float.py).
#   scripts/bench_weights.sh [FERRITE] [WORK_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FERRITE=${1:-$ROOT/build/ferrite}
WORK=${2:-/tmp/ferrite_bench_weights}
mkdir -p "$WORK"
[ -f "$WORK/mbv2_224_int8.onnx" ] ||
  /usr/bin/python3 "$ROOT/scripts/models/make_mobilenetv2_int8.py" --width 1.0 --resolution 224 --out "$WORK/mbv2_224_int8.onnx" > /dev/null
[ -f "$WORK/large_float.onnx" ] || /usr/bin/python3 "$ROOT/scripts/models/make_large_float.py" --out "$WORK/large_float.onnx" > /dev/null
ARM_FLAGS=(-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
FLAGS=(-std=c++17 -O2 -ffp-contract=off -fno-exceptions -fno-rtti -Wall -Wextra -Werror)
measure() {  # measure CMD... -> "cpu_s max_rss_MB"
  /usr/bin/time -f '%U %S %M' -o "$WORK/time.txt" "$@" > /dev/null
  awk '{printf "%.2f %.0f", $1 + $2, $3 / 1024}' "$WORK/time.txt"
}
printf '| model | format | source bytes (.cpp + weights, m4) | ferrite compile s (m4) | g++ -O2 CPU s (weights file) | g++ peak MB (weights file) | arm-none-eabi-g++ -O2 CPU s (weights file) | arm peak MB (weights file) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for m in mbv2_224_int8 large_float; do
  for fmt in array text incbin; do
    # The host build compiles code generated for --target host, the Cortex-M4 build for cortex-m4.
    h=$WORK/$m.$fmt.host
    a=$WORK/$m.$fmt.m4
    rm -rf "$h" "$a"
    t0=$(date +%s.%N)
    "$FERRITE" compile "$WORK/$m.onnx" --name net --target cortex-m4 --weights-format "$fmt" -o "$a" > /dev/null
    t1=$(date +%s.%N)
    "$FERRITE" compile "$WORK/$m.onnx" --name net --target host --weights-format "$fmt" -o "$h" > /dev/null
    src=$(cat "$a/net.cpp" "$a/net_weights.cpp" | wc -c)
    wsrc=$(cat "$a/net_weights.cpp" | wc -c)
    read -r hc hm <<< "$(measure g++ "${FLAGS[@]}" -I"$h" -c "$h/net.cpp" -o "$h/net.o")"
    read -r hwc hwm <<< "$(measure g++ "${FLAGS[@]}" -I"$h" -c "$h/net_weights.cpp" -o "$h/net_weights.o")"
    read -r ac am <<< "$(measure arm-none-eabi-g++ "${ARM_FLAGS[@]}" "${FLAGS[@]}" -I"$a" -c "$a/net.cpp" -o "$a/net.o")"
    read -r awc awm <<< "$(measure arm-none-eabi-g++ "${ARM_FLAGS[@]}" "${FLAGS[@]}" -I"$a" -c "$a/net_weights.cpp" -o "$a/net_weights.o")"
    printf '| %s | %s | %s + %s | %.1f | %.2f (%.2f) | %s (%s) | %.2f (%.2f) | %s (%s) |\n' "$m" "$fmt" \
      "$((src - wsrc))" "$wsrc" "$(echo "$t1 - $t0" | bc)" "$(echo "$hc + $hwc" | bc)" "$hwc" "$((hm > hwm ? hm : hwm))" "$hwm" \
      "$(echo "$ac + $awc" | bc)" "$awc" "$((am > awm ? am : awm))" "$awm"
  done
done
echo
echo "CPU s = user + sys of the compiler on all generated .cpp files (weights file alone in parentheses);"
echo "peak MB = the larger max RSS of the two compilations; incbin's .bin is read by the assembler."
