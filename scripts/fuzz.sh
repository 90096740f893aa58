#!/usr/bin/env bash
# Longer fuzzing runs for developers (docs/fuzzing.md). Two engines over the same targets
# (tests/fuzz/fuzz_target.h: the ONNX loader and whole pipeline up to emission, the .npy reader,
# the TensorProto reader; with libFuzzer also the TFLite reader and the whole pipeline), seeded with
# tests/data, the samples, ONNX's node tests and (tflite) generated single-operator models:
#
#   scripts/fuzz.sh [MINUTES] [SEED]          deterministic structure-aware mutation fuzzer, normal
#                                             build (build/ or $FERRITE_BUILD_DIR), crash + hang detection
#   scripts/fuzz.sh --libfuzzer [MINUTES]     libFuzzer + ASan + UBSan (clang), in build-libfuzzer/;
#                                             FERRITE_FUZZ_TARGET=model|npy|pb|tflite (default model)
#
# Crashers go to fuzz-out/ (replay: build/tests/ferrite_fuzz --target model --replay FILE); make the
# minimal model a case of tests/fuzz/make_regressions.py once it is fixed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE=/usr/share/libonnx-testdata/data/node
OUT=${FERRITE_FUZZ_OUT:-$ROOT/fuzz-out}
mkdir -p "$OUT"
if [ "${1:-}" = "--libfuzzer" ]; then
  MIN=${2:-10}
  TARGET=${FERRITE_FUZZ_TARGET:-model}
  BUILD=${FERRITE_LIBFUZZER_DIR:-$ROOT/build-libfuzzer}
  command -v clang++ > /dev/null || { echo "fuzz.sh: clang++ is needed (apt-get install clang libclang-rt-14-dev)"; exit 2; }
  # (FERRITE_FUZZ_NO_BUILD=1: use the targets as built, e.g. while another build runs in that folder)
  if [ -z "${FERRITE_FUZZ_NO_BUILD:-}" ]; then
    CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRITE_LIBFUZZER=ON -DFERRITE_WERROR=OFF \
        -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" > /dev/null
    cmake --build "$BUILD" -j "${FERRITE_JOBS:-$(nproc)}" --target "fuzz_$TARGET"
  fi
  CORPUS="$OUT/corpus_$TARGET"
  mkdir -p "$CORPUS"
  DICT="$ROOT/tests/fuzz/onnx.dict"
  MAXLEN=65536
  case $TARGET in
    model) SEEDS=("$ROOT/tests/data" "$ROOT/tests/fuzz/regressions" "$ROOT/samples/dscnn_kws_int8/model.onnx" "$NODE"); EXT=onnx ;;
    npy) SEEDS=("$ROOT/samples" "$ROOT/tests/data"); EXT=npy ;;
    pb) SEEDS=("$NODE"); EXT=pb ;;
    tflite)
      # the single-operator catalogue of ctest tflite_ops (generated, a few KB each) and the MLPerf
      # Tiny models of ../shared/models/tflite under 128 KB (KWS int8 and float, ResNet-8) when present
      SEEDS=("$OUT/tflite_seeds" "$ROOT/../shared/models/tflite"); EXT=tflite; DICT="$ROOT/tests/fuzz/tflite.dict"; MAXLEN=131072
      [ -d "$OUT/tflite_seeds" ] || /usr/bin/python3 "$ROOT/tests/tflite/make_op_models.py" "$OUT/tflite_seeds" > /dev/null ;;
    *) echo "fuzz.sh: FERRITE_FUZZ_TARGET is model, npy, pb or tflite"; exit 2 ;;
  esac
  if [ -z "$(ls -A "$CORPUS")" ]; then
    i=0
    while IFS= read -r f; do cp "$f" "$CORPUS/seed_$i.$EXT"; i=$((i + 1)); done < <(find "${SEEDS[@]}" -name "*.$EXT" -size -$((MAXLEN / 1024))k 2>/dev/null)
  fi
  export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  exec "$BUILD/tests/fuzz_$TARGET" "$CORPUS" -dict="$DICT" -max_total_time=$((MIN * 60)) \
       -timeout="${FERRITE_FUZZ_TIMEOUT:-5}" -rss_limit_mb=4096 -max_len=$MAXLEN -artifact_prefix="$OUT/" -print_final_stats=1
fi
MIN=${1:-10}
SEED=${2:-$RANDOM}
BUILD=${FERRITE_BUILD_DIR:-$ROOT/build}
[ -x "$BUILD/tests/ferrite_fuzz" ] || cmake --build "$BUILD" --target ferrite_fuzz
exec bash "$ROOT/tests/fuzz/run_fuzz.sh" "$BUILD/tests/ferrite_fuzz" "$ROOT" "$OUT" $((MIN * 60)) "$SEED"
