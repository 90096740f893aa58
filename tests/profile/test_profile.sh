#!/usr/bin/env bash
# Per-layer profiling (ferrite compile/run --profile, docs/generated-api.md#profiling, docs/cli.md).
#
# usage: test_profile.sh MODE FERRITE REPO_ROOT WORK_DIR
#   MODE cli  (host only, ctest cli_profile):
#     1. `compile --profile` adds the profiling API (header: kProfileRows, kProfile[], profile_counts(),
#        the C macros and functions); without --profile no trace of it is generated;
#     2. a C program built against that API on the host (gcc + g++) reads non-zero counts;
#     3. `run --profile` on the host: the printed table (header, one line per row, total) and
#        profile.json (every field, per row, with the right types; shares sum to 1), unit "ns";
#        the outputs equal the run without --profile.
#   MODE qemu (Cortex-M4 on QEMU mps2-an386, ctest cortex_m_profile), for the DS-CNN int8 sample (layer
#     by layer) and the MobileNetV2-0.35-96 int8 sample (`--patch 8x8`: a patched first stage):
#     1. the rows add up to the whole inference measured without profiling (`--count-instructions`)
#        within 1 %, and to invoke() measured around the profiled call (marks subtracted) within 0.1 %;
#     2. every row with MACs has a non-zero count; patch rows come first, one per patch;
#     3. outputs bit-identical to the unprofiled run.
set -uo pipefail
MODE=$1; FERRITE=$2; ROOT=$3; WORK=$4
PY=/usr/bin/python3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }
H="$ROOT/runtime_templates/harness"
KWS="$ROOT/samples/dscnn_kws_int8"

# Checks the format of profile.json ($1) and prints nothing on success. $2: expected unit.
check_json() {
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
unit = sys.argv[2]
errs = []
for k, t in (("model", str), ("target", str), ("unit", str), ("inferences", int), ("mark_overhead", (int, float)),
             ("macs", int), ("total", (int, float)), ("rows", list)):
    if not isinstance(p.get(k), t): errs.append(f"top-level {k!r} missing or not {t}")
if p.get("unit") != unit: errs.append(f"unit {p.get('unit')!r}, expected {unit!r}")
if not p.get("rows"): errs.append("no rows")
share = 0.0
for i, r in enumerate(p.get("rows", [])):
    for k, t in (("index", int), ("kind", str), ("function", str), ("op", str), ("name", str), ("kernel", str),
                 ("macs", int), ("count", (int, float)), ("share", (int, float))):
        if not isinstance(r.get(k), t): errs.append(f"row {i}: {k!r} missing or not {t}")
    for k in ("node", "patch", "per_mac", "elements", "per_element"):
        if k not in r: errs.append(f"row {i}: {k!r} missing")
    if r.get("index") != i: errs.append(f"row {i}: index {r.get('index')}")
    if r.get("kind") == "layer" and not isinstance(r.get("node"), int): errs.append(f"row {i}: layer without node")
    if (r.get("macs") or 0) > 0 and r.get("per_mac") is None: errs.append(f"row {i}: MACs but no per_mac")
    if r.get("count", -1) < 0: errs.append(f"row {i}: negative count")
    share += r.get("share", 0)
if abs(share - 1) > 1e-3: errs.append(f"shares sum to {share}")
if abs(sum(r["count"] for r in p["rows"]) - p["total"]) > 1 + 1e-6 * p["total"]: errs.append("total != sum of rows")
print("\n".join(errs))
sys.exit(1 if errs else 0)
PYEOF
}

if [ "$MODE" = cli ]; then
  # 1. The generated API.
  if "$FERRITE" compile "$KWS/model.onnx" --name kws8 --profile -o "$WORK/gen" > "$WORK/compile.log" 2>&1 &&
     "$FERRITE" compile "$KWS/model.onnx" --name kws8 -o "$WORK/gen_plain" > /dev/null 2>&1; then
    missing=""
    for pat in "inline constexpr int kProfileRows = 13;" "inline constexpr ProfileRow kProfile\[13\]" \
               "const std::uint32_t\* profile_counts();" "#define KWS8_PROFILE_ROWS 13" \
               "uint32_t ferrite_profile_counter(void);" "const uint32_t\* kws8_profile_counts(void);" \
               "const char\* kws8_profile_name(int row);" "uint32_t kws8_profile_overhead_x1024(void);"; do
      grep -q "$pat" "$WORK/gen/kws8.h" || missing="$missing [$pat]"
    done
    for pat in "__attribute__((weak)) std::uint32_t ferrite_profile_counter" "fe_profile_mark();  // row 12" \
               "0xE0001004u"; do
      grep -qF "$pat" "$WORK/gen/kws8.cpp" || missing="$missing [$pat]"
    done
    if [ -z "$missing" ]; then ok "compile --profile: header and source carry the profiling API (13 rows)"
    else ko "compile --profile: missing$missing"; fi
    if grep -qi "profile" "$WORK/gen_plain/kws8.h" "$WORK/gen_plain/kws8.cpp"; then
      ko "compile without --profile: the generated code mentions profiling"
    else ok "compile without --profile: no profiling code"; fi
  else
    ko "compile --profile failed: $(tail -3 "$WORK/compile.log")"
  fi

  # 2. A C program using the C API on the host.
  cat > "$WORK/main.c" <<'EOF'
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "kws8.h"
int main(void) {
  void* a = kws8_arena();
  memset(kws8_input(a, 0), 0, KWS8_INPUT0_BYTES);
  kws8_invoke(a);
  const uint32_t* c = kws8_profile_counts();
  int zero = 0;
  for (int i = 0; i < KWS8_PROFILE_ROWS; ++i) zero += c[i] == 0;
  printf("%s %d rows, %d zero\n", kws8_profile_name(1), KWS8_PROFILE_ROWS, zero);
  return c[1] == 0;  /* the first conv takes time */
}
EOF
  if gcc -std=c99 -O2 -Wall -Wextra -Werror -I"$WORK/gen" -c "$WORK/main.c" -o "$WORK/main.o" &&
     g++ -std=c++17 -O2 -Wall -Wextra -Werror -I"$WORK/gen" "$WORK/gen/kws8.cpp" "$WORK/gen/kws8_weights.cpp" \
       "$WORK/main.o" -o "$WORK/cprog" && out=$("$WORK/cprog"); then
    ok "C program with the profiling C API on the host: $out"
  else ko "C program with the profiling C API"; fi

  # 3. run --profile on the host.
  if "$FERRITE" run "$KWS/model.onnx" --name kws8 --input "input=$KWS/input.npy" --profile \
       --output-dir "$WORK/run" > "$WORK/run.log" 2>&1 &&
     "$FERRITE" run "$KWS/model.onnx" --name kws8 --input "input=$KWS/input.npy" --output-dir "$WORK/run_plain" \
       --quiet > /dev/null 2>&1; then
    if grep -qE '^ row  op +name +kernel +MACs +ns +ns/MAC +share$' "$WORK/run.log" &&
       [ "$(grep -cE '^ +[0-9]+  (Q|D)[A-Za-z]+ ' "$WORK/run.log")" = 13 ] &&
       grep -qE '^ +total +2656768 +[0-9]+ +[0-9.]+ +100.0%$' "$WORK/run.log" &&
       grep -q '^profile of model.onnx on host (host, wall time): ns per inference' "$WORK/run.log" &&
       grep -q '^mark overhead [0-9.]* ns per row' "$WORK/run.log"; then
      ok "run --profile (host): table with header, 13 rows and the total"
    else ko "run --profile (host): table format"; cat "$WORK/run.log"; fi
    if errs=$(check_json "$WORK/run/profile.json" ns); then ok "run --profile (host): profile.json format"
    else ko "run --profile (host): profile.json: $errs"; fi
    if cmp -s "$WORK/run/output.npy" "$WORK/run_plain/output.npy"; then ok "run --profile (host): same outputs"
    else ko "run --profile (host): outputs differ from the unprofiled run"; fi
    # The HTML report with the profile.
    if "$FERRITE" report "$KWS/model.onnx" --name kws8 --html "$WORK/report.html" \
         --profile-json "$WORK/run/profile.json" > /dev/null 2>&1 &&
       grep -q '<table id="profile-rows">' "$WORK/report.html" &&
       [ "$(grep -c 'class="pbar"' "$WORK/report.html")" = 13 ]; then
      ok "report --html --profile-json: profile table with 13 rows"
    else ko "report --html --profile-json"; fi
    if ! "$FERRITE" report "$KWS/model.onnx" --profile-json "$WORK/run/profile.json" > /dev/null 2>&1; then
      ok "report --profile-json without --html is refused"
    else ko "report --profile-json without --html was accepted"; fi
  else
    ko "run --profile (host) failed: $(tail -5 "$WORK/run.log")"
  fi
elif [ "$MODE" = qemu ]; then
  for s in dscnn_kws_int8 mobilenetv2_035_96_int8; do
    dir="$ROOT/samples/$s"
    # MobileNetV2 with an 8x8 patch grid (its default plan has no patches): patch rows are checked too.
    extra=(); [ "$s" = mobilenetv2_035_96_int8 ] && extra=(--patch 8x8)
    if ! "$FERRITE" run "$dir/model.onnx" --name m --input "input=$dir/input.npy" --target qemu-cortex-m4 --profile "${extra[@]}" \
         --output-dir "$WORK/$s/profiled" > "$WORK/$s.log" 2>&1; then
      ko "$s: run --profile on qemu-cortex-m4: $(tail -5 "$WORK/$s.log")"; continue
    fi
    whole=$("$FERRITE" run "$dir/model.onnx" --name m --input "input=$dir/input.npy" --target qemu-cortex-m4 "${extra[@]}" \
              --count-instructions --quiet --output-dir "$WORK/$s/plain" |
            sed -nE 's/.*: ([0-9]+) instructions per inference.*/\1/p')
    if [ -z "$whole" ]; then ko "$s: --count-instructions run"; continue; fi
    if errs=$(check_json "$WORK/$s/profiled/profile.json" instructions); then ok "$s: profile.json format"
    else ko "$s: profile.json: $errs"; fi
    if $PY - "$WORK/$s/profiled/profile.json" "$whole" "$s" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
whole = float(sys.argv[2])
rows = p["rows"]
total = sum(r["count"] for r in rows)
bad = []
dev = (total - whole) / whole
print(f"  {sys.argv[3]}: {len(rows)} rows sum to {total:.0f} instructions; unprofiled inference {whole:.0f} "
      f"({100 * dev:+.3f} %); invoke() with marks {p['invoke_total']:.0f}, without {p['invoke_total_without_marks']:.0f}; "
      f"mark overhead {p['mark_overhead']} instructions")
if abs(dev) > 0.01: bad.append(f"rows vs unprofiled inference {100 * dev:+.3f} % (> 1 %)")
inner = (total - p["invoke_total_without_marks"]) / p["invoke_total_without_marks"]
if abs(inner) > 0.001: bad.append(f"rows vs invoke() without marks {100 * inner:+.4f} % (> 0.1 %)")
zero = [r["name"] for r in rows if r["macs"] > 0 and r["count"] <= 0]
if zero: bad.append(f"rows with MACs and no count: {zero}")
if p["macs"] != sum(r["macs"] for r in rows): bad.append(f"row MACs {sum(r['macs'] for r in rows)} != model MACs {p['macs']}")
patches = [r for r in rows if r["kind"] == "patch"]
if patches and [r["index"] for r in patches] != list(range(len(patches))): bad.append("patch rows not first")
if sys.argv[3].startswith("mobilenet") and len(patches) < 2: bad.append("expected a patched first stage")
print("\n".join("  " + b for b in bad))
sys.exit(1 if bad else 0)
PYEOF
    then ok "$s: rows add up (1 % of the unprofiled inference), every layer with MACs counted"
    else ko "$s: rows do not add up or a layer with MACs has no count"; fi
    if cmp -s "$WORK/$s/profiled/output.npy" "$WORK/$s/plain/output.npy"; then ok "$s: outputs bit-identical with --profile"
    else ko "$s: outputs differ with --profile"; fi
  done
else
  echo "usage: $0 cli|qemu FERRITE REPO_ROOT WORK_DIR" >&2; exit 2
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
