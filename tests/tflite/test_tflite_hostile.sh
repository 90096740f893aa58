#!/usr/bin/env bash
# ctest tflite_hostile: a catalogue of broken .tflite files (tests/tflite/make_hostile.py overwrites
# one field of the KWS model, or cuts it short) must each be refused with exit 2, a message naming
# the operator index and operator where one is at fault, and no output directory written.
# Usage: test_tflite_hostile.sh FERRITE SOURCE_DIR [MODEL_DIR]     exit 77 = skipped
set -uo pipefail
FERRITE=$1
SRC=$2
MODELS=${3:-$SRC/../shared/models/tflite}
if [ ! -f "$MODELS/kws_ref_model.tflite" ]; then
  echo "SKIP: $MODELS/kws_ref_model.tflite is missing (the MLPerf Tiny models are not part of the repository)"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 "$SRC/tests/tflite/make_hostile.py" "$MODELS/kws_ref_model.tflite" "$T/cases" || exit 1
fail=0
while read -r name expect; do
  [ -n "$name" ] || continue
  for cmd in compile report; do
    if [ $cmd = compile ]; then
      timeout 60 "$FERRITE" compile "$T/cases/$name.tflite" -o "$T/out_$name" > "$T/msg" 2>&1
    else
      timeout 60 "$FERRITE" report "$T/cases/$name.tflite" > "$T/msg" 2>&1
    fi
    rc=$?
    msg=$(cat "$T/msg")
    if [ $rc -ne 2 ]; then echo "FAIL $name ($cmd): exit $rc, expected 2: $msg"; fail=1; continue; fi
    if ! grep -qF -- "$expect" "$T/msg"; then echo "FAIL $name ($cmd): message lacks '$expect': $msg"; fail=1; continue; fi
    if [ -e "$T/out_$name" ]; then echo "FAIL $name ($cmd): wrote $T/out_$name"; fail=1; continue; fi
    echo "ok   $name ($cmd): $(echo "$msg" | head -1)"
  done
done < "$T/cases/cases.txt"
# The format is recognised by its identifier, not its name: a .tflite renamed .onnx still compiles.
cp "$MODELS/kws_ref_model.tflite" "$T/kws.onnx"
if "$FERRITE" compile "$T/kws.onnx" -o "$T/renamed" > "$T/msg" 2>&1 && [ -f "$T/renamed/kws.h" ]; then
  echo "ok   renamed .onnx: compiled as TFLite (identifier TFL3)"
else
  echo "FAIL renamed .onnx: $(cat "$T/msg")"; fail=1
fi
[ $fail = 0 ] && echo "tflite_hostile: OK"
exit $fail
