#!/usr/bin/python3
"""Writes torchvision's ResNet-18 (1000 classes, 11.7 M parameters, 44.7 MiB of float32 weights) as
ONNX at a 64x64 input, with seeded random weights, and a seeded input, for issue 13's end-to-end
timing of `ferrite run --target host` (scripts/bench_resnet18.sh, docs/benchmarks.md). The model
is not committed: write it into a build or temporary folder.

Needs /usr/bin/python3 with Debian's python3-torch 1.13 and python3-torchvision 0.14.
usage: make_resnet18.py --out model.onnx [--input x.npy] [--size 64] [--seed 0] [--opset 13]
"""
import argparse

import numpy as np
import torch
import torchvision

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--input", help="also write a seeded input [1,3,S,S] float32 .npy here")
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--opset", type=int, default=13)
a = ap.parse_args()
torch.manual_seed(a.seed)
m = torchvision.models.resnet18(num_classes=1000)  # random initialization (no download)
# Non-trivial BatchNorm statistics, so that folding them is exercised with real values.
g = torch.Generator().manual_seed(a.seed + 1)
for mod in m.modules():
    if isinstance(mod, torch.nn.BatchNorm2d):
        mod.running_mean.copy_(torch.randn(mod.num_features, generator=g) * 0.1)
        mod.running_var.copy_(torch.rand(mod.num_features, generator=g) * 0.5 + 0.75)
m.eval()
x = torch.from_numpy(np.random.default_rng(a.seed).standard_normal((1, 3, a.size, a.size)).astype(np.float32))
torch.onnx.export(m, x, a.out, opset_version=a.opset, input_names=["input"], output_names=["output"],
                  do_constant_folding=True)
if a.input:
    np.save(a.input, x.numpy())
n = sum(p.numel() for p in m.parameters())
print(f"wrote {a.out}: ResNet-18, {n} parameters ({n * 4 / 2**20:.1f} MiB float32), input 1x3x{a.size}x{a.size}")
