#!/usr/bin/python3
"""Convert a QDQ ONNX graph (as written by make_int8_samples.py) to QOperator form.

Usage: /usr/bin/python3 qdq_to_qoperator.py IN.onnx OUT.onnx

Rewrites every node group  DequantizeLinear(s) -> Op [-> Relu|Clip] -> QuantizeLinear
into one integer operator, the same fusion ONNX Runtime does for QDQ graphs at
graphOptimizationLevel 'all':

  Conv               -> QLinearConv                       (ai.onnx)
  Gemm               -> QGemm                             (com.microsoft)
  MatMul             -> QLinearMatMul                     (ai.onnx)
  Add                -> QLinearAdd                        (com.microsoft)
  AveragePool        -> QLinearAveragePool                (com.microsoft)
  GlobalAveragePool  -> QLinearGlobalAveragePool          (com.microsoft)
  MaxPool, Flatten, Reshape  -> same op on the quantized tensor
                        (only when input and output quantization are equal)

A Relu or Clip between the op and its QuantizeLinear is dropped; this is only
done when the quantized range already lies inside the activation's range
(Relu: zero point = qmin; Clip: [scale*(qmin-zp), scale*(qmax-zp)] inside
[min, max]), so the result is the same. Weights (int8 initializers behind a
DequantizeLinear, per-tensor or per-channel) and int32 biases are used as they
are. The QuantizeLinear of a graph input and the DequantizeLinear of a graph
output stay. Needs only python3-onnx and numpy.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS = "com.microsoft"
ACT = ("Relu", "Clip")


def convert(model):
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    producer = {}
    consumers = {}
    for n in g.node:
        for o in n.output:
            producer[o] = n
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    graph_inputs = {i.name for i in g.input}
    graph_outputs = {o.name for o in g.output}

    def const(name):
        if name in inits:
            return numpy_helper.to_array(inits[name])
        p = producer.get(name)
        if p is not None and p.op_type == "Constant":
            return numpy_helper.to_array(p.attribute[0].t)
        raise ValueError("%s is not constant" % name)

    def dq_of(name):
        """name is a DequantizeLinear output: return (q_tensor, scale, zp, node)."""
        p = producer.get(name)
        if p is None or p.op_type != "DequantizeLinear":
            raise ValueError("input %s of a quantized op does not come from DequantizeLinear" % name)
        return p.input[0], p.input[1], p.input[2], p

    def q_after(name):
        """Follow name -> [Relu|Clip] -> QuantizeLinear; return (q_node, act_node)."""
        cons = consumers.get(name, [])
        if len(cons) != 1 or name in graph_outputs:
            raise ValueError("%s must have exactly one consumer" % name)
        c = cons[0]
        act = None
        if c.op_type in ACT:
            act = c
            cons = consumers.get(c.output[0], [])
            if len(cons) != 1 or c.output[0] in graph_outputs:
                raise ValueError("%s must have exactly one consumer" % c.output[0])
            c = cons[0]
        if c.op_type != "QuantizeLinear":
            raise ValueError("%s is not followed by QuantizeLinear" % name)
        if act is not None:
            check_act_redundant(act, c)
        return c, act

    def check_act_redundant(act, q):
        scale = float(const(q.input[1]))
        zp_arr = const(q.input[2])
        zp = int(zp_arr)
        info = np.iinfo(zp_arr.dtype)
        lo = np.float32(scale) * np.float32(info.min - zp)
        hi = np.float32(scale) * np.float32(info.max - zp)
        if act.op_type == "Relu":
            amin, amax = 0.0, np.inf
        else:
            amin = float(const(act.input[1])) if len(act.input) > 1 and act.input[1] else -np.inf
            amax = float(const(act.input[2])) if len(act.input) > 2 and act.input[2] else np.inf
        if lo < amin or hi > amax:
            raise ValueError("%s %s is not redundant with the following QuantizeLinear "
                             "(quantized range [%g, %g], activation range [%g, %g])"
                             % (act.op_type, act.name, lo, hi, amin, amax))

    new_nodes = []
    removed = set()   # ids of nodes folded into a QOperator node
    kept_quant = set()
    counter = [0]

    def name_for(op):
        counter[0] += 1
        return "%s_%d" % (op, counter[0])

    for n in g.node:
        op = n.op_type
        if op in ("Conv", "Gemm", "MatMul", "Add", "AveragePool", "GlobalAveragePool",
                  "MaxPool", "Flatten", "Reshape"):
            q, act = q_after(n.output[0])
            yq, ys, yz = q.output[0], q.input[1], q.input[2]
            removed.update({id(q)} | ({id(act)} if act is not None else set()))
            if op == "Conv":
                x, xs, xz, dqx = dq_of(n.input[0])
                w, ws, wz, dqw = dq_of(n.input[1])
                inputs = [x, xs, xz, w, ws, wz, ys, yz]
                removed.update({id(dqx), id(dqw)})
                if len(n.input) > 2 and n.input[2]:
                    b, _, _, dqb = dq_of(n.input[2])
                    inputs.append(b)
                    removed.add(id(dqb))
                node = helper.make_node("QLinearConv", inputs, [yq], name=name_for("QLinearConv"))
                node.attribute.extend(n.attribute)
            elif op == "Gemm":
                a, as_, az, dqa = dq_of(n.input[0])
                b, bs, bz, dqb = dq_of(n.input[1])
                inputs = [a, as_, az, b, bs, bz]
                removed.update({id(dqa), id(dqb)})
                if len(n.input) > 2 and n.input[2]:
                    c, _, _, dqc = dq_of(n.input[2])
                    inputs.append(c)
                    removed.add(id(dqc))
                else:
                    inputs.append("")
                inputs += [ys, yz]
                attrs = {a_.name: helper.get_attribute_value(a_) for a_ in n.attribute}
                if attrs.get("beta", 1.0) != 1.0:
                    raise ValueError("Gemm beta != 1 not supported")
                node = helper.make_node("QGemm", inputs, [yq], name=name_for("QGemm"), domain=MS,
                                        alpha=float(attrs.get("alpha", 1.0)),
                                        transA=int(attrs.get("transA", 0)),
                                        transB=int(attrs.get("transB", 0)))
            elif op == "MatMul":
                a, as_, az, dqa = dq_of(n.input[0])
                b, bs, bz, dqb = dq_of(n.input[1])
                removed.update({id(dqa), id(dqb)})
                node = helper.make_node("QLinearMatMul", [a, as_, az, b, bs, bz, ys, yz], [yq],
                                        name=name_for("QLinearMatMul"))
            elif op == "Add":
                a, as_, az, dqa = dq_of(n.input[0])
                b, bs, bz, dqb = dq_of(n.input[1])
                removed.update({id(dqa), id(dqb)})
                node = helper.make_node("QLinearAdd", [a, as_, az, b, bs, bz, ys, yz], [yq],
                                        name=name_for("QLinearAdd"), domain=MS)
            elif op in ("AveragePool", "GlobalAveragePool"):
                x, xs, xz, dqx = dq_of(n.input[0])
                removed.add(id(dqx))
                node = helper.make_node("QLinear" + op, [x, xs, xz, ys, yz], [yq],
                                        name=name_for("QLinear" + op), domain=MS)
                node.attribute.extend(n.attribute)
                node.attribute.extend([helper.make_attribute("channels_last", 0)])
            else:  # MaxPool, Flatten, Reshape: run on the quantized tensor
                x, xs, xz, dqx = dq_of(n.input[0])
                if (not np.array_equal(const(xs), const(ys)) or not np.array_equal(const(xz), const(yz))
                        or const(xz).dtype != const(yz).dtype):
                    raise ValueError("%s %s: input and output quantization differ" % (op, n.name))
                removed.add(id(dqx))
                node = helper.make_node(op, [x] + list(n.input[1:]), [yq], name=name_for(op))
                node.attribute.extend(n.attribute)
            new_nodes.append(node)
            removed.add(id(n))
        elif op == "QuantizeLinear" and n.input[0] in graph_inputs:
            kept_quant.add(id(n))
            new_nodes.append(n)
        elif op == "DequantizeLinear" and n.output[0] in graph_outputs:
            kept_quant.add(id(n))
            new_nodes.append(n)
        elif op == "Constant":
            new_nodes.append(n)
        elif op in ("QuantizeLinear", "DequantizeLinear") or op in ACT:
            pass  # checked below: must have been folded into a QOperator node
        else:
            raise ValueError("qdq_to_qoperator: unsupported op %s (%s)" % (op, n.name))

    for n in g.node:
        if n.op_type in ("QuantizeLinear", "DequantizeLinear") + ACT:
            if id(n) not in removed and id(n) not in kept_quant:
                raise ValueError("%s %s is not part of a QDQ group" % (n.op_type, n.name))

    # prune unused constants / initializers
    used = {i for n in new_nodes for i in n.input}
    new_nodes = [n for n in new_nodes if n.op_type != "Constant" or n.output[0] in used]
    new_inits = [t for t in g.initializer if t.name in used]

    graph = helper.make_graph(new_nodes, g.name + "_qoperator", list(g.input), list(g.output),
                              initializer=new_inits)
    opsets = [helper.make_opsetid("", max(13, next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))))]
    if any(n.domain == MS for n in new_nodes):
        opsets.append(helper.make_opsetid(MS, 1))
    out = helper.make_model(graph, opset_imports=opsets, producer_name="ferrite qdq_to_qoperator.py")
    out.ir_version = model.ir_version
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    m = convert(onnx.load(argv[1]))
    onnx.checker.check_model(m)
    onnx.save(m, argv[2])
    counts = {}
    for n in m.graph.node:
        k = (n.domain + "." if n.domain else "") + n.op_type
        counts[k] = counts.get(k, 0) + 1
    print("%s: %s" % (argv[2], ", ".join("%s x%d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
