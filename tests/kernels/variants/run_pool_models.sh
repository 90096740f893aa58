#!/usr/bin/env bash
# End to end: a small int8 QDQ model with strided, padded and whole-input AveragePools
# (count_include_pad on and off) and a padded MaxPool, compiled by ferrite and run on the host and
# on QEMU Cortex-M4/M7/M33 (avgpool_s8_fpu, global_avgpool_s8_dsp, maxpool_s8_dsp) and M55
# (avgpool_s8_mve, global_avgpool_s8_mve, maxpool_s8_mve): every output bit-identical to the host's
# portable kernels, and the profile names the variants.
# usage: run_pool_models.sh FERRITE WORK_DIR
set -uo pipefail
FERRITE=$1; WORK=$2
PY=/usr/bin/python3
rm -rf "$WORK"; mkdir -p "$WORK"
fail=0
$PY - "$WORK" <<'PYEOF' || { echo "FAIL: model generation"; exit 1; }
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T
inits, nodes = [], []
def qdq(name, x, scale, zp):
    inits.append(h.make_tensor(name + "_s", T.FLOAT, [], [scale]))
    inits.append(h.make_tensor(name + "_z", T.INT8, [], [zp]))
    nodes.append(h.make_node("QuantizeLinear", [x, name + "_s", name + "_z"], [name + "_q"]))
    nodes.append(h.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name + "_dq"]))
    return name + "_dq"
x = qdq("in", "input", 0.0173, -7)
nodes.append(h.make_node("AveragePool", [x], ["p1"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                         count_include_pad=0))
a1 = qdq("a1", "p1", 0.0121, 5)
nodes.append(h.make_node("AveragePool", [a1], ["p2"], kernel_shape=[2, 2], strides=[1, 1], pads=[1, 0, 0, 1],
                         count_include_pad=1))
a2 = qdq("a2", "p2", 0.0097, -3)
nodes.append(h.make_node("AveragePool", [a2], ["p3"], kernel_shape=[7, 7], strides=[1, 1]))
a3 = qdq("a3", "p3", 0.0051, 2)
nodes.append(h.make_node("MaxPool", [a1], ["m1"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
m1 = qdq("m1q", "m1", 0.0121, 5)
for src, dst in ((a1, "out1"), (a2, "out2"), (a3, "out3"), (m1, "out4")):
    nodes.append(h.make_node("Identity", [src], [dst]))
g = h.make_graph(nodes, "pools", [h.make_tensor_value_info("input", T.FLOAT, [1, 20, 13, 13])],
                 [h.make_tensor_value_info("out1", T.FLOAT, [1, 20, 7, 7]),
                  h.make_tensor_value_info("out2", T.FLOAT, [1, 20, 7, 7]),
                  h.make_tensor_value_info("out3", T.FLOAT, [1, 20, 1, 1]),
                  h.make_tensor_value_info("out4", T.FLOAT, [1, 20, 4, 4])], inits)
m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1] + "/pools.onnx")
np.save(sys.argv[1] + "/x.npy", np.random.default_rng(1).uniform(-2.3, 2.1, size=(1, 20, 13, 13)).astype(np.float32))
PYEOF
for t in host qemu-cortex-m4 qemu-cortex-m7 qemu-cortex-m33 qemu-cortex-m55; do
  prof=(); [[ $t != host ]] && prof=(--profile)
  if ! "$FERRITE" run "$WORK/pools.onnx" --target "$t" --input "input=$WORK/x.npy" --output-dir "$WORK/$t" \
       --patch off "${prof[@]}" > "$WORK/$t.log" 2>&1; then
    echo "FAIL $t: ferrite run (see $WORK/$t.log)"; fail=1; continue
  fi
  [[ $t == host ]] && continue
  if [[ $t == qemu-cortex-m55 ]]; then want="avgpool_s8_mve global_avgpool_s8_mve maxpool_s8_mve"
  else want="avgpool_s8_fpu global_avgpool_s8_dsp maxpool_s8_dsp"; fi
  for k in $want; do
    grep -q " $k " "$WORK/$t.log" || { echo "FAIL $t: $k not selected"; fail=1; }
  done
  if $PY - "$WORK/host" "$WORK/$t" <<'PYEOF'
import sys
import numpy as np
for o in ("out1", "out2", "out3", "out4"):
    a, b = np.load(f"{sys.argv[1]}/{o}.npy"), np.load(f"{sys.argv[2]}/{o}.npy")
    if a.shape != b.shape or a.tobytes() != b.tobytes():
        sys.exit(1)
PYEOF
  then echo "PASS $t: outputs bit-identical to the host"
  else echo "FAIL $t: outputs differ from the host"; fail=1; fi
done
exit $fail
