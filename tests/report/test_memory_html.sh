#!/usr/bin/env bash
# The memory-plan picture (<name>_memory.html, docs/report-html.md) rendered in headless Chromium:
#  1. for samples/dscnn_kws and samples/mobilenetv2_035_96, the page's own script counts the buffer
#     rectangles with a non-empty layout box (#rendered-buffers); that must equal the number of
#     buffers in <name>_report.json (and be > 0);
#  2. a 1280x1400 screenshot is written and is not trivial (> 20 KB);
#  3. the page is deterministic (compile twice: same bytes) and `ferrite report --html` writes the
#     same page as `ferrite compile`;
#  4. names that contain markup (<, >, &, quotes, "</svg><script>") are escaped: the page still
#     draws every buffer and the raw text does not appear in it.
# usage: test_memory_html.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
PY=/usr/bin/python3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  ko "chromium is not installed (scripts/install_deps.sh installs Debian's chromium)"
  finish
fi
chrome() {  # chrome ARGS... : headless, offline, throw-away profile
  local profile; profile=$(mktemp -d "$WORK/profile.XXXXXX")
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" "$@" \
    2>>"$WORK/chromium.log"
  local rc=$?
  rm -rf "$profile"
  return $rc
}
nbuffers() { "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["buffers"]))' "$1"; }

# check NAME DIR: render DIR/NAME_memory.html, compare the count, take a screenshot.
check() {
  local s=$1 dir=$2 html="$2/$1_memory.html" want got size
  if [ ! -s "$html" ]; then ko "$s: $html not written"; return; fi
  want=$(nbuffers "$dir/${s}_report.json") || { ko "$s: cannot read the report"; return; }
  got=$(chrome --dump-dom "file://$html" | sed -n 's/.*id="rendered-buffers">\([^<]*\)<.*/\1/p' | head -1)
  if [ -n "$got" ] && [ "$got" = "$want" ] && [ "$want" -gt 0 ]; then
    ok "$s: Chromium laid out $got of $want buffer rectangles"
  else
    ko "$s: #rendered-buffers is '${got}', the report has $want buffers"
  fi
  rm -f "$WORK/$s.png"
  chrome --screenshot="$WORK/$s.png" --window-size=1280,1400 "file://$html" >/dev/null
  size=$(stat -c %s "$WORK/$s.png" 2>/dev/null || echo 0)
  if [ "$size" -gt 20000 ] && [ "$(head -c 4 "$WORK/$s.png" | tail -c 3)" = PNG ]; then
    ok "$s: screenshot $WORK/$s.png ($size bytes)"
  else
    ko "$s: screenshot missing or trivial ($size bytes)"
  fi
}

for s in dscnn_kws mobilenetv2_035_96; do
  if "$FERRITE" compile "$ROOT/samples/$s/model.onnx" --name "$s" -o "$WORK/$s" >"$WORK/$s.log" 2>&1; then
    check "$s" "$WORK/$s"
  else
    ko "$s: ferrite compile failed (see $WORK/$s.log)"
  fi
done

# Determinism, and `ferrite report --html` = `ferrite compile`'s page.
m="$ROOT/samples/dscnn_kws/model.onnx"
"$FERRITE" compile "$m" --name dscnn_kws -o "$WORK/again" >/dev/null 2>&1
"$FERRITE" report "$m" --name dscnn_kws --html "$WORK/report.html" >/dev/null 2>&1
if cmp -s "$WORK/dscnn_kws/dscnn_kws_memory.html" "$WORK/again/dscnn_kws_memory.html"; then
  ok "deterministic: two compiles give the same page"
else
  ko "two compiles give different pages"
fi
if cmp -s "$WORK/dscnn_kws/dscnn_kws_memory.html" "$WORK/report.html"; then
  ok "ferrite report --html writes the same page as ferrite compile"
else
  ko "ferrite report --html differs from the compiled page"
fi

# Hostile names: rename a tensor and a node in the serialized model (same byte length, so the
# protobuf stays valid; every occurrence is replaced, so the graph stays consistent).
EVIL_T='</svg><script>x</script>&"'"'"'<!--ABC'
EVIL_N='</title><b>&amp;"'"'"'<svg>99'
"$PY" - "$m" "$WORK/evil.onnx" "$EVIL_T" "$EVIL_N" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
for old, new in ((b"/features/features.8/Relu_output_0", sys.argv[3].encode()),
                 (b"/features/features.0/Conv", sys.argv[4].encode())):
    assert len(old) == len(new), (old, new, len(old), len(new))
    assert old in data, old
    data = data.replace(old, new)
open(sys.argv[2], "wb").write(data)
EOF
if "$FERRITE" compile "$WORK/evil.onnx" --name evil -o "$WORK/evil" >"$WORK/evil.log" 2>&1; then
  check evil "$WORK/evil"
  if grep -qF -e "$EVIL_T" -e "$EVIL_N" -e "<script>x" "$WORK/evil/evil_memory.html"; then
    ko "evil: a model-supplied name appears unescaped in the page"
  elif grep -qF '&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;&amp;&quot;&#39;&lt;!--ABC' "$WORK/evil/evil_memory.html"; then
    ok "evil: names with markup are escaped"
  else
    ko "evil: the escaped tensor name is missing from the page"
  fi
else
  ko "evil: ferrite compile failed (see $WORK/evil.log)"
fi

finish
