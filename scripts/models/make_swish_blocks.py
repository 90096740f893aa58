#!/usr/bin/python3
"""SiLU and HardSwish models for the fuse-swish pass (passes/fuse_swish.cpp), exported with Debian's
torch 1.13 at opsets 13 and 17.

torch exports nn.SiLU as Sigmoid -> Mul at every opset, and nn.Hardswish as HardSigmoid(alpha=1/6,
beta=0.5) -> Mul below opset 14 (one HardSwish node from 14 on): without the fusion both the input
and the gate are live until the Mul.

  /usr/bin/python3 scripts/models/make_swish_blocks.py [--out DIR] [--full]

Writes into tests/data/swish/ (or DIR), for each model and opset 13/17:
  <model>_op<opset>.onnx, <model>_input.npy (float32, 2 inputs, for `ferrite run --dataset`)
  manifest.json
Models (random-initialized, seeded; BatchNorm statistics from a few training-mode passes):
  mbv3_block    MobileNetV3-Small-like: Conv3x3/2 + BN + Hardswish, an inverted residual with
                Hardswish and squeeze-excitation (Hardsigmoid gate), head 1x1 + Hardswish, 10 classes, 48x48
  effnet_block  EfficientNet-like: Conv3x3/2 + BN + SiLU, an MBConv (expand + SiLU, depthwise + SiLU,
                SE with SiLU and a Sigmoid gate, project) and a residual MBConv, 10 classes, 48x48
With --full also (not committed: for measuring only, large): torchvision mobilenet_v3_small (width
1.0 and 0.5) and efficientnet_b0, 96x96.
References: scripts/samples/swish_reference.mjs (ONNX Runtime 1.30).
"""
import argparse
import json
import os

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class SE(nn.Module):
    def __init__(self, c, r, act, gate):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, r, 1)
        self.act = act
        self.fc2 = nn.Conv2d(r, c, 1)
        self.gate = gate

    def forward(self, x):
        return x * self.gate(self.fc2(self.act(self.fc1(self.pool(x)))))


def cba(cin, cout, k, s, act, groups=1):
    return [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), act]


class MBConv(nn.Module):
    def __init__(self, cin, cexp, cout, k, s, act, se_act, gate):
        super().__init__()
        self.body = nn.Sequential(*cba(cin, cexp, 1, 1, act()), *cba(cexp, cexp, k, s, act(), groups=cexp),
                                  SE(cexp, max(4, cexp // 4), se_act(), gate()),
                                  nn.Conv2d(cexp, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.res = s == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.res else y


def mbv3_block():
    return nn.Sequential(*cba(3, 16, 3, 2, nn.Hardswish()),
                         MBConv(16, 64, 24, 5, 2, nn.Hardswish, nn.ReLU, nn.Hardsigmoid),
                         MBConv(24, 72, 24, 3, 1, nn.Hardswish, nn.ReLU, nn.Hardsigmoid),
                         *cba(24, 96, 1, 1, nn.Hardswish()), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(96, 10))


def effnet_block():
    return nn.Sequential(*cba(3, 16, 3, 2, nn.SiLU()),
                         MBConv(16, 64, 24, 3, 2, nn.SiLU, nn.SiLU, nn.Sigmoid),
                         MBConv(24, 96, 24, 5, 1, nn.SiLU, nn.SiLU, nn.Sigmoid),
                         *cba(24, 96, 1, 1, nn.SiLU()), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(96, 10))


def settle_bn(model, size):
    model.train()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(4, 3, size, size, generator=g))
    model.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "swish"))
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    models = {"mbv3_block": (mbv3_block, 48), "effnet_block": (effnet_block, 48)}
    if args.full:
        import torchvision
        models["mobilenet_v3_small"] = (lambda: torchvision.models.mobilenet_v3_small(num_classes=10), 96)
        models["mobilenet_v3_small_050"] = (
            lambda: torchvision.models.mobilenet_v3_small(num_classes=10, width_mult=0.5), 96)
        models["efficientnet_b0"] = (lambda: torchvision.models.efficientnet_b0(num_classes=10), 96)
    manifest = {}
    for name, (make, size) in models.items():
        torch.manual_seed(0)
        model = make()
        settle_bn(model, size)
        x = torch.randn(2, 1, 3, size, size, generator=torch.Generator().manual_seed(2))
        np.save(os.path.join(args.out, f"{name}_input.npy"), x.numpy().astype(np.float32))
        for opset in (13, 17):
            path = os.path.join(args.out, f"{name}_op{opset}.onnx")
            torch.onnx.export(model, x[0], path, opset_version=opset, input_names=["input"], output_names=["output"])
        manifest[name] = {"input_shape": [1, 3, size, size], "opsets": [13, 17]}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(models)} models in {args.out}")


if __name__ == "__main__":
    main()
