#!/bin/bash
# Golden tests of the emitted code, FileCheck style (LLVM's FileCheck from Debian's llvm-14-tools):
# each tests/golden/*.check names a model and compile options on its `; ARGS:` line (and strings that
# must not occur anywhere on `; NOWHERE:` lines); the generated
# <name>.h and <name>.cpp, concatenated, must match its CHECK patterns (order, variables, CHECK-NOT).
# Patterns, not whole-file snapshots: a change elsewhere in the output does not break them.
#   run_golden.sh FERRITE ROOT
set -u
FERRITE=$1
ROOT=$2
FILECHECK=${FILECHECK:-$(ls /usr/lib/llvm-*/bin/FileCheck 2>/dev/null | sort -V | tail -1)}
if [ -z "$FILECHECK" ] || [ ! -x "$FILECHECK" ]; then
  echo "FileCheck not found (apt-get install llvm-14-tools)" >&2
  exit 1
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0
fail=0
for check in "$ROOT"/tests/golden/*.check; do
  name=$(basename "$check" .check)
  args=$(sed -n 's/^; ARGS: //p' "$check" | head -1)
  read -r model rest <<< "$args"
  out="$WORK/$name"
  if [ ! -f "$ROOT/$model" ] && [[ "$model" == ../shared/* ]]; then
    echo "skip $name: $model is not here"; continue
  fi
  # shellcheck disable=SC2086
  if ! "$FERRITE" compile "$ROOT/$model" $rest -o "$out" -q > "$WORK/$name.log" 2>&1; then
    echo "FAIL $name: compile failed"; cat "$WORK/$name.log"; fail=$((fail + 1)); continue
  fi
  stem=$(basename "$(ls "$out"/*.h | head -1)" .h)
  # `; NOWHERE: text` lines: text must not occur anywhere (FileCheck --implicit-check-not).
  nowhere=()
  while IFS= read -r pat; do nowhere+=("--implicit-check-not=$pat"); done < <(sed -n 's/^; NOWHERE: //p' "$check")
  if cat "$out/$stem.h" "$out/$stem.cpp" | "$FILECHECK" "$check" "${nowhere[@]}" --dump-input=fail > "$WORK/$name.fc" 2>&1; then
    echo "ok   $name"; pass=$((pass + 1))
  else
    echo "FAIL $name"; head -60 "$WORK/$name.fc"; fail=$((fail + 1))
  fi
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
