#!/usr/bin/env bash
# --weights-format incbin|text|array, --weights-section, --weights-align (docs/generated-api.md#weights-formats).
#   test_weights_formats.sh FERRITE SOURCE_DIR OUT_DIR
# For a float and an int8 sample: the three formats compile with g++ and arm-none-eabi-g++
# (-Wall -Wextra -Werror), every constant has the same bytes in all three objects, the weights
# section has the report's weights_section_bytes, the output is byte-for-byte deterministic, and
# `ferrite run` gives the same outputs with every format. Then: a missing -I names the .bin,
# --weights-section/--weights-align place and align the blob, bad values exit 2 naming the choices.
set -u
FERRITE=$1
SRC=$(cd "$2" && pwd)
OUT=$3
rm -rf "$OUT" && mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
PASS=0
FAIL=0
ok() { echo "PASS $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
FLAGS=(-std=c++17 -O2 -ffp-contract=off -fno-exceptions -fno-rtti -Wall -Wextra -Werror)
ARM=(arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)

# Bytes of every sized data symbol of a section in an object, as "name hexbytes" lines sorted by
# name (the C++ array symbols of the array format are demangled to <ns>::weights::wN_..., the
# incbin/text local symbols are ferrite_<ns>_wN_...: both reduce to wN_...).
symbol_bytes() {  # symbol_bytes NM OBJCOPY OBJ SECTION
  local nm=$1 objcopy=$2 obj=$3 sec=$4
  "$objcopy" -O binary -j "$sec" "$obj" "$obj.sec" 2> /dev/null
  # One Python process for all symbols (a process per symbol made this test take minutes).
  "$nm" -C -S "$obj" | python3 -c '
import re, sys
data = open(sys.argv[1], "rb").read()
rows = []
for line in sys.stdin:
    f = line.split()
    if len(f) < 4 or f[2] not in ("r", "R"):
        continue
    name = f[3]
    short = re.sub(r"^ferrite_[A-Za-z0-9_]*_(w[0-9]+_)", r"\1", re.sub(r"^.*::weights::", "", name))
    if short == name and not re.match(r"w[0-9]", name):
        continue  # the blob symbol itself
    a, n = int(f[0], 16), int(f[1], 16)
    rows.append(short + " " + data[a:a + n].hex())
if rows:
    print("\n".join(sorted(rows)))' "$obj.sec"
}

for s in fashion_cnn mobilenetv2_035_96_int8; do
  M=$SRC/samples/$s/model.onnx
  shape=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["input"]; d=[x if isinstance(x,int) else 1 for x in i["shape"]]; print(i["name"]+"="+"x".join(map(str,d)))' "$SRC/samples/$s/meta.json")
  for fmt in incbin text array; do
    d=$OUT/$s.$fmt
    if ! "$FERRITE" compile "$M" --name net --input-shape "$shape" --target cortex-m4 --weights-format "$fmt" -o "$d" > "$d.log" 2>&1; then
      bad "$s $fmt: ferrite compile (see $d.log)"
      continue
    fi
    [ "$(json_field "$d/net_report.json" weights_format)" = "$fmt" ] || bad "$s $fmt: report weights_format"
    if [ "$fmt" = incbin ]; then
      [ -f "$d/net_weights.bin" ] && ok "$s $fmt: wrote net_weights.bin" || bad "$s $fmt: no net_weights.bin"
    else
      [ ! -e "$d/net_weights.bin" ] && ok "$s $fmt: no .bin" || bad "$s $fmt: a .bin was written"
    fi
    # Deterministic: a second compile into another folder writes the same bytes.
    "$FERRITE" compile "$M" --name net --input-shape "$shape" --target cortex-m4 --weights-format "$fmt" -o "$d.again" > /dev/null 2>&1
    diff -r "$d" "$d.again" > /dev/null && ok "$s $fmt: deterministic" || bad "$s $fmt: two compiles differ"
    # The host compiler builds the code generated for --target host.
    h=$d.host
    if "$FERRITE" compile "$M" --name net --input-shape "$shape" --weights-format "$fmt" -o "$h" > "$h.log" 2>&1 &&
       g++ "${FLAGS[@]}" -I"$h" -c "$h/net_weights.cpp" -o "$h/w.o" 2> "$d.host.log" &&
       g++ "${FLAGS[@]}" -I"$h" -c "$h/net.cpp" -o "$h/net.o" 2>> "$d.host.log"; then
      ok "$s $fmt: g++ -Wall -Wextra -Werror"
    else
      bad "$s $fmt: g++ (see $d.host.log)"
    fi
    if "${ARM[@]}" "${FLAGS[@]}" -I"$d" -c "$d/net_weights.cpp" -o "$d/arm_w.o" 2> "$d.arm.log" &&
       "${ARM[@]}" "${FLAGS[@]}" -I"$d" -c "$d/net.cpp" -o "$d/arm.o" 2>> "$d.arm.log"; then
      ok "$s $fmt: arm-none-eabi-g++ -Wall -Wextra -Werror"
    else
      bad "$s $fmt: arm-none-eabi-g++ (see $d.arm.log)"
      continue
    fi
    sec=$(arm-none-eabi-size -A "$d/arm_w.o" | awk '$1==".rodata.weights"{print $2}')
    want=$(json_field "$d/net_report.json" weights_section_bytes)
    if [ "$fmt" = array ]; then  # the compiler orders the arrays: the report is an upper bound (< 16 B above)
      [ -n "$sec" ] && [ "$sec" -le "$want" ] && [ $((want - sec)) -lt 16 ] &&
        ok "$s $fmt: .rodata.weights $sec bytes <= report weights_section_bytes $want (< 16 B above)" ||
        bad "$s $fmt: .rodata.weights '$sec' not within 15 bytes below report weights_section_bytes '$want'"
    else
      [ "$sec" = "$want" ] && ok "$s $fmt: .rodata.weights $sec bytes == report weights_section_bytes" ||
        bad "$s $fmt: .rodata.weights '$sec' != report weights_section_bytes '$want'"
    fi
    arm-none-eabi-objdump -h "$d/arm_w.o" "$d/arm.o" | grep -Eq 'init_array|\.ctors' && bad "$s $fmt: static constructors" ||
      ok "$s $fmt: no static constructors"
    symbol_bytes arm-none-eabi-nm arm-none-eabi-objcopy "$d/arm_w.o" .rodata.weights > "$d.syms"
  done
  n=$(wc -l < "$OUT/$s.array.syms")
  # (The text format defines only the blob symbol: its bytes are checked against the .bin below.)
  [ "$n" -gt 0 ] && cmp -s "$OUT/$s.array.syms" "$OUT/$s.incbin.syms" &&
    ok "$s: the $n constants have the same bytes in the array and the incbin objects" ||
    bad "$s: constants differ between formats (diff $OUT/$s.array.syms $OUT/$s.incbin.syms)"
  # The blob is the incbin object's section, byte for byte (text: plus the literal's NUL).
  cmp -s "$OUT/$s.incbin/arm_w.o.sec" "$OUT/$s.incbin/net_weights.bin" && ok "$s: incbin section == net_weights.bin" ||
    bad "$s: incbin section != net_weights.bin"
  head -c -1 "$OUT/$s.text/arm_w.o.sec" | cmp -s - "$OUT/$s.incbin/net_weights.bin" && ok "$s: text section == net_weights.bin + NUL" ||
    bad "$s: text section != net_weights.bin + NUL"
  # Same outputs from a host run with each format.
  inp=$SRC/samples/$s/input.npy
  for fmt in incbin text array; do
    "$FERRITE" run "$M" --input-shape "$shape" --input "$inp" --weights-format "$fmt" --output-dir "$OUT/$s.run.$fmt" --quiet > "$OUT/$s.run.$fmt.log" 2>&1 ||
      bad "$s: ferrite run --weights-format $fmt (see $OUT/$s.run.$fmt.log)"
  done
  o=$(python3 -c 'import json,sys; print(list(json.load(open(sys.argv[1])).values())[0]["file"])' "$OUT/$s.run.incbin/outputs.json" 2> /dev/null)
  [ -n "$o" ] && cmp -s "$OUT/$s.run.incbin/$o" "$OUT/$s.run.text/$o" && cmp -s "$OUT/$s.run.incbin/$o" "$OUT/$s.run.array/$o" &&
    ok "$s: ferrite run gives the same outputs with incbin, text and array" || bad "$s: outputs differ between formats"
done

# Without the folder on the include path the build stops with a message naming the .bin.
d=$OUT/fashion_cnn.incbin
mkdir -p "$OUT/elsewhere"
(cd "$OUT/elsewhere" && g++ "${FLAGS[@]}" -c "$d/net_weights.cpp" -o w.o > err.log 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q 'net_weights.bin (the model.s constants) is not on the include path' "$OUT/elsewhere/err.log" &&
  ok "missing -I: the build names net_weights.bin and the fix" || { bad "missing -I: rc $rc, message:"; cat "$OUT/elsewhere/err.log"; }

# --weights-section and --weights-align.
M=$SRC/samples/fashion_cnn/model.onnx
for fmt in incbin text array; do
  d=$OUT/sec.$fmt
  "$FERRITE" compile "$M" --name net --input-shape input=1x1x28x28 --weights-format "$fmt" \
    --weights-section .rodata.ferrite_weights --weights-align 64 -o "$d" > /dev/null 2>&1 &&
    "${ARM[@]}" "${FLAGS[@]}" -I"$d" -c "$d/net_weights.cpp" -o "$d/w.o" 2> "$d.log" || { bad "section/align $fmt: build (see $d.log)"; continue; }
  line=$(arm-none-eabi-objdump -h "$d/w.o" | grep ' \.rodata\.ferrite_weights ')
  [ -n "$line" ] && [ "$(echo "$line" | awk '{print $NF}')" = '2**6' ] &&
    [ "$(json_field "$d/net_report.json" weights_section)" = .rodata.ferrite_weights ] &&
    ok "$fmt: --weights-section .rodata.ferrite_weights --weights-align 64 (objdump: $(echo "$line" | awk '{print $2, $3, $NF}'))" ||
    bad "$fmt: section/alignment not as asked: '$line'"
  arm-none-eabi-size -A "$d/w.o" | grep -q '^\.rodata\.weights ' && bad "$fmt: .rodata.weights still present" || true
done

# Bad values: exit 2, the message names the valid choices.
expect_err() {  # expect_err PATTERN ARGS...
  local pat=$1
  shift
  "$FERRITE" compile "$M" --input-shape input=1x1x28x28 -o "$OUT/bad" "$@" > "$OUT/bad.log" 2>&1
  local rc=$?
  [ $rc -eq 2 ] && grep -q -- "$pat" "$OUT/bad.log" && [ ! -e "$OUT/bad" ] && ok "$* -> exit 2: $(head -1 "$OUT/bad.log")" ||
    { bad "$*: rc $rc"; cat "$OUT/bad.log"; }
}
expect_err "incbin" --weights-format hex
expect_err "power of two" --weights-align 24
expect_err "power of two" --weights-align 8
expect_err "section name" --weights-section 'a"b'
expect_err "section name" --weights-section '.data x'

echo "weights formats: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
