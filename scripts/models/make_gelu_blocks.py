#!/usr/bin/python3
"""GELU, Mish and LayerNorm models for the fuse-pointwise and fuse-layernorm passes
(passes/fuse_pointwise.cpp, passes/fuse_layernorm.cpp), exported with Debian's torch 1.13 at
opsets 13 and 17, plus one opset-20 model with ONNX's Gelu operator (made with onnx.helper).

torch exports nn.GELU() as Div(sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5, nn.GELU('tanh') as
x*x*x -> Mul 0.044715 -> Add x -> Mul sqrt(2/pi) -> Tanh -> Add 1 -> Mul x -> Mul 0.5, nn.Mish as
Softplus -> Tanh -> Mul x, and nn.LayerNorm below opset 17 as ReduceMean -> Sub -> Pow 2 ->
ReduceMean -> Add eps -> Sqrt -> Div -> Mul weight -> Add bias (LayerNormalization from 17 on).
Unfused, each keeps its input live next to one or two intermediates of the same size.

  /usr/bin/python3 scripts/models/make_gelu_blocks.py [--out DIR]

Writes into tests/data/gelu/ (or DIR): <model>_op<opset>.onnx, <model>_input.npy (float32, 2
inputs, for `ferrite run --dataset`), manifest.json (input shape, opsets, the fused layers the
test expects). Models (random-initialized, seeded):
  gelu_mlp      tokens 16 x 32: LayerNorm -> Linear 32->64 -> GELU (erf) -> Linear 64->32, residual,
                LayerNorm -> mean over tokens -> Linear 32->10
  gelu_tanh_mlp the same with GELU(approximate='tanh')
  transformer   tokens 16 x 32, pre-norm block: LayerNorm -> 2-head self-attention (MatMul /
                Softmax) residual, LayerNorm -> MLP 32->64->32 with GELU residual, LayerNorm, head
  gelu_forms    tokens 8 x 24: GELU written by hand in other arrangements: 0.5*x*(1+erf(x*0.7071..)),
                x*0.5*(1+erf(x/sqrt 2)), tanh form with x**3 (Pow), each after a Linear
  mish_cnn      Conv3x3/2 + BN + Mish, depthwise 3x3 + BN + Mish written as x*tanh(log(1+exp(x))),
                Conv1x1 + BN + Mish, global average, Linear -> 10; 1x3x32x32
  gelu20        (opset 20 only) MatMul -> Gelu -> MatMul -> Gelu(approximate='tanh') -> MatMul, 1x8x16
plus the LayerNorm forms of scripts/models/make_layernorm_expanded.py (ln_fn, ln_forms; onnx.helper,
that script alone rewrites just them).
References: node scripts/samples/swish_reference.mjs tests/data/gelu (ONNX Runtime 1.30).
"""
import argparse
import json
import math
import os

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import torch
from torch import nn

import make_layernorm_expanded

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class MLP(nn.Module):
    def __init__(self, d, h, act):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(d, h), act, nn.Linear(h, d)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TokenMLP(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.ln1, self.mlp, self.ln2, self.head = nn.LayerNorm(32), MLP(32, 64, act), nn.LayerNorm(32), nn.Linear(32, 10)

    def forward(self, x):
        x = x + self.mlp(self.ln1(x))
        return self.head(self.ln2(x).mean(dim=1))


class Block(nn.Module):
    """A pre-norm transformer block with explicit 2-head attention (static shapes)."""

    def __init__(self, d=32, heads=2):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.ln1, self.qkv, self.proj = nn.LayerNorm(d), nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ln2, self.mlp, self.ln3, self.head = nn.LayerNorm(d), MLP(d, 2 * d, nn.GELU()), nn.LayerNorm(d), nn.Linear(d, 10)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(b, t, 3, self.h, self.dh).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-2, -1) * (1.0 / math.sqrt(self.dh)), dim=-1)
        x = x + self.proj((a @ v).transpose(1, 2).reshape(b, t, d))
        x = x + self.mlp(self.ln2(x))
        return self.head(self.ln3(x).mean(dim=1))


class GeluForms(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3, self.l4 = nn.Linear(24, 24), nn.Linear(24, 24), nn.Linear(24, 24), nn.Linear(24, 10)

    def forward(self, x):
        x = self.l1(x)
        x = 0.5 * x * (1.0 + torch.erf(x * 0.7071067811865476))
        x = self.l2(x)
        x = x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
        x = self.l3(x)
        x = 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
        return self.l4(x.mean(dim=1))


class ManualMish(nn.Module):
    def forward(self, x):
        return x * torch.tanh(torch.log(1.0 + torch.exp(x)))


def mish_cnn():
    return nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.Mish(),
                         nn.Conv2d(16, 16, 3, 1, 1, groups=16, bias=False), nn.BatchNorm2d(16), ManualMish(),
                         nn.Conv2d(16, 24, 1, bias=False), nn.BatchNorm2d(24), nn.Mish(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(24, 10))


def settle_bn(model, shape):
    model.train()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(4, *shape[1:], generator=g))
    model.eval()


def gelu20(path):
    """MatMul -> Gelu -> MatMul -> Gelu(tanh) -> MatMul at opset 20 (onnx 1.12 cannot check it)."""
    rng = np.random.default_rng(3)
    w = [onnx.numpy_helper.from_array((rng.standard_normal(s) * 0.3).astype(np.float32), f"w{i}")
         for i, s in enumerate([(16, 32), (32, 32), (32, 10)])]
    nodes = [onnx.helper.make_node("MatMul", ["input", "w0"], ["h0"]),
             onnx.helper.make_node("Gelu", ["h0"], ["g0"]),
             onnx.helper.make_node("MatMul", ["g0", "w1"], ["h1"]),
             onnx.helper.make_node("Gelu", ["h1"], ["g1"], approximate="tanh"),
             onnx.helper.make_node("MatMul", ["g1", "w2"], ["output"])]
    graph = onnx.helper.make_graph(nodes, "gelu20", [onnx.helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 8, 16])],
                                   [onnx.helper.make_tensor_value_info("output", onnx.TensorProto.FLOAT, [1, 8, 10])], w)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 20)], producer_name="make_gelu_blocks")
    model.ir_version = 9
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "gelu"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    # name: (constructor, input shape, fused layers expected: Pointwise, LayerNormalization)
    models = {
        "gelu_mlp": (lambda: TokenMLP(nn.GELU()), [1, 16, 32], 1, 2),
        "gelu_tanh_mlp": (lambda: TokenMLP(nn.GELU(approximate="tanh")), [1, 16, 32], 1, 2),
        "transformer": (Block, [1, 16, 32], 1, 3),
        "gelu_forms": (GeluForms, [1, 8, 24], 3, 0),
        "mish_cnn": (mish_cnn, [1, 3, 32, 32], 3, 0),
    }
    manifest = {}
    for name, (make, shape, pointwise, layernorm) in models.items():
        torch.manual_seed(0)
        model = make()
        settle_bn(model, shape)
        x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(2))
        np.save(os.path.join(args.out, f"{name}_input.npy"), x.numpy().astype(np.float32))
        for opset in (13, 17):
            path = os.path.join(args.out, f"{name}_op{opset}.onnx")
            torch.onnx.export(model, x[0], path, opset_version=opset, input_names=["input"], output_names=["output"])
        manifest[name] = {"input_shape": shape, "opsets": [13, 17], "pointwise": pointwise, "layernorm": layernorm}
    gelu20(os.path.join(args.out, "gelu20_op20.onnx"))
    np.save(os.path.join(args.out, "gelu20_input.npy"),
            np.random.default_rng(4).standard_normal((2, 1, 8, 16)).astype(np.float32))
    manifest["gelu20"] = {"input_shape": [1, 8, 16], "opsets": [20], "pointwise": 2, "layernorm": 0}
    manifest.update(make_layernorm_expanded.write(args.out))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(manifest)} models in {args.out}")


if __name__ == "__main__":
    main()
