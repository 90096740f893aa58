#!/usr/bin/env bash
# Concat inputs produced straight into their slice of the output must not change results: for the
# models of tests/data (make_concat_models.py), the outputs with --concat-in-place on (the default)
# and off are bit-identical, on the host and on an emulated Cortex-M4 (QEMU mps2-an386), and so are
# those of patched plans (whose stage never places a Concat input in its slice). The plan with it
# really places inputs in slices (report notes), its Concats copy less, and its arena is no larger
# (smaller for the float model, whose Concats are at the peak). Prints both arenas.
# usage: test_concat_in_place.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }
input="$ROOT/tests/data/fire_concat_input.npy"
# Prints "arena slice_notes concat_copies" of a plan.
summary() {
  "$FERRITE" report "$1" --json "${@:2}" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
notes = sum(" is written into slice " in n for n in r["inplace"])
copies = sum(len(l["kernels"]) for l in r["layers"] if l["op"] in ("Concat", "QLinearConcat"))
print(r["arena_bytes"], notes, copies)'
}
# Patch grids: forced 2x2 (best split), the automatic choice, and a split after the fire module's
# squeeze convolution, so that the expand convolutions after the stage write into the Concat.
for spec in "fire_concat 2x2@1" "fire_concat_int8 2x2@2"; do
  read -r m deep <<< "$spec"
  model="$ROOT/tests/data/$m.onnx"
  read -r a_on n_on c_on < <(summary "$model" --patch off)
  read -r a_off n_off c_off < <(summary "$model" --patch off --concat-in-place off)
  echo "$m: arena $a_on B with Concat inputs in their slices ($n_on inputs, $c_on copies left), $a_off B without ($c_off copies)"
  if [ "$n_on" -gt 0 ] && [ "$n_off" -eq 0 ] && [ "$c_on" -lt "$c_off" ] && [ "$a_on" -le "$a_off" ]; then
    ok "$m: slices used, fewer copies, arena not larger"
  else
    ko "$m: expected slice notes, fewer copies and an arena not larger"
  fi
  if [ "$m" = fire_concat ]; then
    if [ "$a_on" -lt "$a_off" ]; then ok "$m: arena smaller ($a_on < $a_off B)"; else ko "$m: arena not smaller"; fi
  fi
  for tgt in host qemu-cortex-m4; do
    run() { "$FERRITE" run "$model" --name m --input "input=$input" --target $tgt --output-dir "$WORK/$m-$tgt-$1" \
              --quiet "${@:2}" > "$WORK/$m-$tgt-$1.log" 2>&1; }
    if run off --patch off --concat-in-place off && run on --patch off; then
      if cmp -s "$WORK/$m-$tgt-off/output.npy" "$WORK/$m-$tgt-on/output.npy"; then
        ok "$m on $tgt: outputs equal with and without Concat inputs in their slices"
      else
        ko "$m on $tgt: outputs differ"
      fi
    else
      ko "$m on $tgt: run failed"; cat "$WORK/$m-$tgt-off.log" "$WORK/$m-$tgt-on.log"
    fi
    for grid in 2x2 auto "$deep"; do
      if run "patch$grid" --patch $grid && cmp -s "$WORK/$m-$tgt-off/output.npy" "$WORK/$m-$tgt-patch$grid/output.npy"; then
        ok "$m on $tgt: patched ($grid) output equal"
      else
        ko "$m on $tgt: patched ($grid) output differs or fails"; cat "$WORK/$m-$tgt-patch$grid.log"
      fi
    done
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
