#!/usr/bin/env bash
# The memory-plan picture (<name>_memory.html, docs/report-html.md) rendered in headless Chromium:
#  1. for samples/dscnn_kws and samples/mobilenetv2_035_96, the page's own script counts the buffer
#     rectangles with a non-empty layout box (#rendered-buffers); that must equal the number of
#     buffers in <name>_report.json (and be > 0);
#  2. a 1280x1400 screenshot is written and is not trivial (> 20 KB);
#  3. the page is deterministic (compile twice: same bytes) and `ferrite report --html` writes the
#     same page as `ferrite compile`;
#  4. names that contain markup (<, >, &, quotes, "</svg><script>") are escaped: the page still
#     draws every buffer and the raw text does not appear in it;
#  5. patches and kernel variants are marked: mobilenetv2_035_96 (patched by default) has the patch
#     band and one `data-patched` bar and table row per layer of the stage (the report's
#     patch.split_layer + 1), every other layer row names its kernel variants from the report;
#  6. with a profile: `ferrite run --target host --profile` writes DIR/profile.html whose time-per-layer
#     chart has one bar per profiled layer and, for a patched model (fashion_cnn), one bar and one
#     table row for the patches; `ferrite report --html --profile-json` draws the same page.
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

# 5. Patches and kernel variants (from the report JSON, so the check follows the planner).
"$PY" - "$WORK/mobilenetv2_035_96/mobilenetv2_035_96_report.json" "$WORK/mobilenetv2_035_96/mobilenetv2_035_96_memory.html" \
    > "$WORK/marks.txt" 2>&1 <<'EOF'
import html, json, re, sys
r = json.load(open(sys.argv[1])); page = open(sys.argv[2]).read()
assert r["patch"], "mobilenetv2_035_96 is expected to be patched by default"
split, grid = r["patch"]["split_layer"], r["patch"]["grid"]
assert 'id="patch-stage"' in page, "no patch band"
bars = re.findall(r'<rect class="bar[^"]*" data-layer="(\d+)" data-patched="1"', page)
rows = re.findall(r'<tr data-layer="(\d+)" class="patched">', page)
want = [str(i) for i in range(split + 1)]
assert bars == want and rows == want, (bars, rows, want)
assert f"patch {grid}" in page, "the grid is not named"
for i, L in enumerate(r["layers"]):
    if i <= split or not L["kernels"]:
        continue
    row = re.search(rf'<tr data-layer="{i}">(.*?)</tr>', page).group(1)
    assert html.escape("+".join(L["kernels"])) in row, (i, L["kernels"], row)
print(f"patched layers 0-{split} ({grid}) marked; kernel variants of {len(r['layers']) - split - 1} layers shown")
EOF
if [ $? -eq 0 ]; then ok "marks: $(tail -1 "$WORK/marks.txt")"; else ko "marks: $(tail -3 "$WORK/marks.txt")"; fi

# 6. A profile: per-layer time in the page written by run --profile, and by report --profile-json.
prof_check() {  # prof_check LABEL PROFILE.JSON PAGE
  "$PY" - "$2" "$3" > "$WORK/prof.txt" 2>&1 <<'EOF'
import json, re, sys
p = json.load(open(sys.argv[1])); page = open(sys.argv[2]).read()
layers = sorted({r["node"] for r in p["rows"] if r["kind"] == "layer"})
patches = [r for r in p["rows"] if r["kind"] == "patch"]
bars = [int(i) for i in re.findall(r'data-time-layer="(\d+)"', page)]
assert bars == layers, (bars, layers)
assert 'id="time-per-layer"' in page and 'id="profile-rows"' in page
if patches:
    assert f'data-time-patches="{len(patches)}"' in page and 'id="patch-total"' in page, "no patch time"
print(f"{len(bars)} layer bars, {len(patches)} patch rows")
EOF
  if [ $? -eq 0 ]; then ok "$1: $(tail -1 "$WORK/prof.txt")"; else ko "$1: $(tail -3 "$WORK/prof.txt")"; fi
}
"$FERRITE" run "$ROOT/samples/fashion_cnn/model.onnx" --input-shape input=1x1x28x28 --input "$ROOT/samples/fashion_cnn/input.npy" \
  --target host --profile --output-dir "$WORK/prof_fashion" -q >"$WORK/prof_fashion.log" 2>&1
if [ -s "$WORK/prof_fashion/profile.html" ]; then
  prof_check "run --profile (fashion_cnn, patched)" "$WORK/prof_fashion/profile.json" "$WORK/prof_fashion/profile.html"
  "$FERRITE" report "$ROOT/samples/fashion_cnn/model.onnx" --input-shape input=1x1x28x28 --html "$WORK/prof_fashion.html" \
    --profile-json "$WORK/prof_fashion/profile.json" >/dev/null 2>&1
  if cmp -s "$WORK/prof_fashion.html" "$WORK/prof_fashion/profile.html"; then
    ok "report --html --profile-json draws the same page as run --profile"
  else
    ko "report --html --profile-json differs from run --profile's page"
  fi
else
  ko "run --profile wrote no profile.html (see $WORK/prof_fashion.log)"
fi
"$FERRITE" run "$ROOT/samples/dscnn_kws/model.onnx" --name kws --input "$ROOT/samples/dscnn_kws/input.npy" \
  --target host --profile --output-dir "$WORK/prof_kws" -q >"$WORK/prof_kws.log" 2>&1
if [ -s "$WORK/prof_kws/profile.html" ]; then
  prof_check "run --profile (dscnn_kws)" "$WORK/prof_kws/profile.json" "$WORK/prof_kws/profile.html"
else
  ko "run --profile wrote no profile.html (see $WORK/prof_kws.log)"
fi

finish
