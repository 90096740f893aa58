# The `ferrite quantize` commands of `ctest -R quantize` and of its ONNX Runtime references
# (scripts/quantize/make_refs.sh), sourced by both so that they quantize exactly alike.
# quantize_cases FERRITE ROOT WORK: writes WORK/{fashion,mbv2}_q.onnx (+ .json reports, .log).
FASHION=/usr/share/datasets/fashion-mnist
quantize_cases() {
  local ferrite=$1 root=$2 work=$3
  /usr/bin/python3 "$root/scripts/quantize/quantize_cases.py" data "$work" || return 1
  # Fashion CNN: calibration on the first 500 training images (IDX), evaluation on the full test set.
  "$ferrite" quantize "$root/samples/fashion_cnn/model.onnx" --input-shape input=1x1x28x28 \
    --calibration "$FASHION/train-images-idx3-ubyte.gz" --limit 500 -o "$work/fashion_q.onnx" \
    --evaluate "$FASHION/t10k-images-idx3-ubyte.gz" --labels "$FASHION/t10k-labels-idx1-ubyte.gz" \
    --json "$work/fashion_q.json" -q > "$work/fashion_q.log" 2>&1 || { cat "$work/fashion_q.log"; return 1; }
  # MobileNetV2-0.35-96 (the float sample): residual Adds, Clip(0, 6), global pooling, Gemm.
  "$ferrite" quantize "$root/samples/mobilenetv2_035_96/model.onnx" --calibration "$work/mbv2_calib.npy" \
    -o "$work/mbv2_q.onnx" --json "$work/mbv2_q.json" -q > "$work/mbv2_q.log" 2>&1 || { cat "$work/mbv2_q.log"; return 1; }
}
