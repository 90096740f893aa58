#!/usr/bin/python3
"""LayerNorm written out in the forms other than torch's opset-13 export, for the fuse-layernorm pass
(passes/fuse_layernorm.cpp) and the gelu_models test (tests/gelu/test_gelu_models.py). Made with
onnx.helper (no torch); each model also comes with LayerNormalization operators instead, whose arena
the fused expanded form must equal.

  ln_fn     tokens 16 x 8: Linear 8 -> 64, LayerNorm (axis -1, scale and bias), Linear 64 -> 8, Relu,
            MatMul 8 -> 64, LayerNorm (axis 1: over the 16 x 64 values, scale only, epsilon 1e-3),
            MatMul 64 -> 10 (the wide LayerNorms between narrow MatMuls make the arena's peak).
            Files: ln_fn_ln17 (LayerNormalization operators), ln_fn_fn17 (each replaced by ONNX's own
            expansion of the LayerNormalization function, as onnx 1.12 builds it for opset 17 and as the
            `test_layer_normalization_*_expanded` node tests hold it: Shape/Size/Slice/ConstantOfShape/
            Concat, Flatten to 2-D, Cast, var = ReduceMean(XU * XU) - Mean * Mean, Sqrt, Div, Flatten'd
            scale and bias, Reshape back, the unused Reciprocal for InvStdDev), ln_fn_fn18 (the same at
            opset 18, where ReduceMean takes its axes as an input, as ONNX's opset-18 body writes it).
  ln_forms  tokens 8 x 6: MatMul 6 -> 48, LayerNorm a, Linear 48 -> 6, Linear 6 -> 48, LayerNorm b,
            Linear 48 -> 6, Linear 6 -> 48, LayerNorm c, MatMul 48 -> 10, where
            a: var = ReduceMean((x - m) * (x - m)), y = (x - m) * Reciprocal(Sqrt(var + eps)) * scale + bias
            b: var = ReduceMean(Pow(x, 2)) - Pow(m, 2), y = scale * (Div(1, Sqrt(eps + var)) * (x - m)) + bias
            c: var = x.var(-1, keepdim=True, unbiased=False) as torch exports it (its own ReduceMean and Sub,
               Mul(d', d'), ReduceMean; plus the unused ReduceMean it also writes), y = (x - m) / Sqrt(var + eps)
               * scale + bias
            (hand-written layer norms: x * torch.rsqrt(...) exports as Div(1, Sqrt), other tools write
            Reciprocal). Files: ln_forms_ln17, ln_forms_exp13.

  /usr/bin/python3 scripts/models/make_layernorm_expanded.py [--out DIR]

Writes <model>_<file>.onnx, <model>_input.npy (float32, 2 inputs) and adds the models' entries to
DIR/manifest.json (scripts/models/make_gelu_blocks.py calls write() too). References:
node scripts/samples/swish_reference.mjs tests/data/gelu (ONNX Runtime 1.30).
"""
import argparse
import json
import os

import numpy as np
import onnx
import onnx.defs
import onnx.helper as oh
import onnx.numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
F = onnx.TensorProto.FLOAT


class Builder:
    def __init__(self, seed):
        self.nodes, self.inits, self.rng, self.k = [], [], np.random.default_rng(seed), 0

    def name(self, base):
        self.k += 1
        return f"{base}_{self.k}"

    def const(self, base, value):
        n = self.name(base)
        self.inits.append(onnx.numpy_helper.from_array(np.asarray(value, np.float32), n))
        return n

    def weight(self, base, shape, scale=0.3, offset=0.0):
        return self.const(base, (self.rng.standard_normal(shape) * scale + offset).astype(np.float32))

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(oh.make_node(op_type, inputs, [out], **attrs))
        return out

    def linear(self, x, d_in, d_out, bias=True):
        y = self.op("MatMul", [x, self.weight("w", (d_in, d_out))])
        return self.op("Add", [y, self.weight("b", (d_out,), 0.1)]) if bias else y

    def model(self, opset, shape, out_shape, graph_name):
        self.nodes[-1].output[0] = "output"
        g = oh.make_graph(self.nodes, graph_name, [oh.make_tensor_value_info("input", F, shape)],
                          [oh.make_tensor_value_info("output", F, out_shape)], self.inits)
        m = oh.make_model(g, opset_imports=[oh.make_opsetid("", opset)], producer_name="make_layernorm_expanded")
        m.ir_version = 8
        return m


def onnx_function_body(b, x, x_shape, scale, bias, axis, epsilon, opset):
    """Appends ONNX's expansion of LayerNormalization(x, scale[, bias]) -> y to b (names prefixed) and
    returns y. opset 18: the ReduceMeans take axes as a constant input (ONNX's opset-18 body)."""
    node = oh.make_node("LayerNormalization", ["X", "Scale"] + (["B"] if bias else []), ["Y"], axis=axis,
                        epsilon=epsilon)
    types = [oh.make_tensor_type_proto(F, x_shape), oh.make_tensor_type_proto(F, x_shape[axis:])]
    types += types[1:] if bias else []
    schema = onnx.defs.get_schema("LayerNormalization", 17)
    fn = onnx.FunctionProto()
    fn.ParseFromString(schema.get_context_dependent_function(node.SerializeToString(),
                                                             [t.SerializeToString() for t in types]))
    pre = b.name("LayerNormalization_function")
    outer = {"X": x, "Scale": scale, "B": bias or "", "Y": b.name("ln_out")}

    def rename(t):
        return outer[t] if t in outer else (f"{pre}_{t}" if t else t)

    axes_1 = None
    for n in fn.node:
        n = onnx.NodeProto.FromString(n.SerializeToString())
        n.input[:] = [rename(t) for t in n.input]
        n.output[:] = [rename(t) for t in n.output]
        n.name = n.output[0]
        if opset >= 18 and n.op_type == "ReduceMean":
            axes = [a for a in n.attribute if a.name == "axes"][0]
            if axes_1 is None:  # ONNX's opset-18 body: Axes_1 = Constant(value = [1])
                axes_1 = f"{pre}_Axes_1"
                b.nodes.append(oh.make_node("Constant", [], [axes_1], name=axes_1,
                                            value=onnx.numpy_helper.from_array(np.array(axes.ints, np.int64))))
            n.attribute.remove(axes)
            n.input.append(axes_1)
        b.nodes.append(n)
    return outer["Y"]


def layer_norm(b, x, x_shape, scale, bias, axis, epsilon, form, opset):
    """y = LayerNorm(x) in the given form: "op" (the operator), "fn" (ONNX's function body), "a" / "b"
    (hand-written, see the module doc)."""
    if form == "op":
        return b.op("LayerNormalization", [x, scale] + ([bias] if bias else []), axis=axis, epsilon=epsilon)
    if form == "fn":
        return onnx_function_body(b, x, x_shape, scale, bias, axis, epsilon, opset)
    axes = list(range(axis % len(x_shape), len(x_shape)))
    eps = b.const("eps", np.float32(epsilon))
    m = b.op("ReduceMean", [x], axes=axes)
    d = b.op("Sub", [x, m])
    if form == "c":  # torch's x.var(dim, keepdim=True, unbiased=False): its own means (one unused)
        b.op("ReduceMean", [x], axes=axes)
        d2 = b.op("Sub", [x, b.op("ReduceMean", [x], axes=axes)])
        var = b.op("ReduceMean", [b.op("Mul", [d2, d2])], axes=axes)
        y = b.op("Mul", [b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, eps])])]), scale])
    elif form == "a":
        var = b.op("ReduceMean", [b.op("Mul", [d, d])], axes=axes)
        r = b.op("Reciprocal", [b.op("Sqrt", [b.op("Add", [var, eps])])])
        y = b.op("Mul", [b.op("Mul", [d, r]), scale])
    else:
        two = b.const("two", np.float32(2.0))
        var = b.op("Sub", [b.op("ReduceMean", [b.op("Pow", [x, two])], axes=axes), b.op("Pow", [m, two])])
        r = b.op("Div", [b.const("one", np.float32(1.0)), b.op("Sqrt", [b.op("Add", [eps, var])])])
        y = b.op("Mul", [scale, b.op("Mul", [r, d])])
    return b.op("Add", [y, bias]) if bias else y


def ln_fn(form, opset):
    b = Builder(11)
    h = b.linear("input", 8, 64)
    h = layer_norm(b, h, [1, 16, 64], b.weight("gamma", (64,), 0.2, 1.0), b.weight("beta", (64,), 0.1), -1, 1e-5,
                   form, opset)
    h = b.op("Relu", [b.linear(h, 64, 8)])
    h = b.linear(h, 8, 64, bias=False)
    h = layer_norm(b, h, [1, 16, 64], b.weight("gamma", (16, 64), 0.2, 1.0), None, 1, 1e-3, form, opset)
    b.linear(h, 64, 10, bias=False)
    return b.model(opset, [1, 16, 8], [1, 16, 10], "ln_fn")


def ln_forms(form, opset):
    b = Builder(12)
    h = b.linear("input", 6, 48, bias=False)
    h = layer_norm(b, h, [1, 8, 48], b.weight("gamma", (48,), 0.2, 1.0), b.weight("beta", (48,), 0.1), -1, 1e-5,
                   "a" if form == "exp" else "op", opset)
    h = b.linear(b.linear(h, 48, 6), 6, 48)
    h = layer_norm(b, h, [1, 8, 48], b.weight("gamma", (1, 48), 0.2, 1.0), b.weight("beta", (48,), 0.1), -1, 1e-5,
                   "b" if form == "exp" else "op", opset)
    h = b.linear(b.linear(h, 48, 6), 6, 48)
    h = layer_norm(b, h, [1, 8, 48], b.weight("gamma", (48,), 0.2, 1.0), b.weight("beta", (48,), 0.1), -1, 1e-5,
                   "c" if form == "exp" else "op", opset)
    b.linear(h, 48, 10, bias=False)
    return b.model(opset, [1, 8, 6], [1, 8, 10], "ln_forms")


def write(out):
    """Writes the models and inputs into out; returns their manifest entries."""
    files = {"ln_fn": [("ln17", lambda: ln_fn("op", 17)), ("fn17", lambda: ln_fn("fn", 17)),
                       ("fn18", lambda: ln_fn("fn", 18))],
             "ln_forms": [("ln17", lambda: ln_forms("op", 17)), ("exp13", lambda: ln_forms("exp", 13))]}
    shapes = {"ln_fn": [1, 16, 8], "ln_forms": [1, 8, 6]}
    layernorms = {"ln_fn": 2, "ln_forms": 3}
    entries = {}
    for seed, (name, models) in enumerate(files.items()):
        for tag, make in models:
            m = make()
            if m.opset_import[0].version <= 17:  # onnx 1.12 checks up to opset 17
                onnx.checker.check_model(m, full_check=True)
            onnx.save(m, os.path.join(out, f"{name}_{tag}.onnx"))
        x = np.random.default_rng(20 + seed).standard_normal((2, *shapes[name])).astype(np.float32)
        np.save(os.path.join(out, f"{name}_input.npy"), x)
        entries[name] = {"input_shape": shapes[name], "files": [t for t, _ in models], "pointwise": 0,
                         "layernorm": layernorms[name], "absent": ["ReduceMean", "Reciprocal", "Sub", "Div"]}
    return entries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "gelu"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "manifest.json")
    manifest = json.load(open(path)) if os.path.exists(path) else {}
    manifest.update(write(args.out))
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(manifest)} models in {path}")


if __name__ == "__main__":
    main()
