#!/usr/bin/python3
"""A whole int8 model with squeeze-excitation blocks written the timm way (x.mean((2, 3), keepdim=True),
which torch exports as ReduceMean, not GlobalAveragePool): a MobileNetV3-like net (Hardswish stem,
three depthwise blocks with SE gates HardSigmoid, 1x32x32 RGB input, 10 classes), random weights
(seeded), PyTorch FX post-training quantization (qnnpack), exported with Debian's torch 1.13 at
opset 13. ONNX Runtime runs each SE mean as DequantizeLinear -> float ReduceMean -> QuantizeLinear.

  /usr/bin/python3 scripts/models/make_se_mean_fx.py [--out DIR]

Writes into tests/data/int8_patterns/ (or DIR): se_mean_fx_op13.onnx, se_mean_fx_input.npy (8 inputs),
se_mean_fx_ort.npy (ONNX Runtime 1.30, 'all', through scripts/samples/ort_reference_int8.mjs) and
whole_models.json (for tests/int8_patterns/test_int8_patterns.py).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "models"))
import export_torch as et  # noqa: E402

class SEMean(nn.Module):  # timm-style squeeze-excitation: x.mean((2, 3)) -> ReduceMean
    def __init__(self, c, r):
        super().__init__()
        self.fc1 = nn.Conv2d(c, r, 1); self.act = nn.ReLU(); self.fc2 = nn.Conv2d(r, c, 1); self.gate = nn.Hardsigmoid()
    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * self.gate(self.fc2(self.act(self.fc1(s))))

def cbn(ci, co, k, s, g=1, act=True):
    l = [nn.Conv2d(ci, co, k, s, k // 2, groups=g, bias=False), nn.BatchNorm2d(co)]
    if act: l.append(nn.Hardswish())
    return l

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(*cbn(3, 16, 3, 2),
                               *cbn(16, 16, 3, 2, g=16), SEMean(16, 8), *cbn(16, 16, 1, 1, act=False),
                               *cbn(16, 48, 1, 1), *cbn(48, 48, 5, 2, g=48), SEMean(48, 12), *cbn(48, 24, 1, 1, act=False),
                               *cbn(24, 72, 1, 1), *cbn(72, 72, 3, 1, g=72), SEMean(72, 18), *cbn(72, 24, 1, 1, act=False))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 10)
    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.f(x)), 1))



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "int8_patterns"))
    a = ap.parse_args()
    torch.manual_seed(0)
    shape = (1, 3, 32, 32)
    m = et.init_bn_stats(Net().eval(), shape, 1)
    calib = et.structured_inputs(16, shape, 2)
    q = et.quantize(m, "fx", calib, torch.from_numpy(calib[0]))
    name = "se_mean_fx_op13"
    path = os.path.join(a.out, name + ".onnx")
    et.export(q, shape, path, 13, False)
    x_path = os.path.join(a.out, "se_mean_fx_input.npy")
    np.save(x_path, et.test_inputs(8, shape, 5))
    ops = {}
    for n in onnx.load(path).graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    print(name, dict(sorted(ops.items())))
    with tempfile.TemporaryDirectory() as w:
        jobs = {"jobs": [{"model": path, "inputs": x_path, "batch": 1,
                          "outputs": {"all": os.path.join(a.out, "se_mean_fx_ort.npy")}}]}
        with open(os.path.join(w, "jobs.json"), "w") as f:
            json.dump(jobs, f)
        subprocess.run(["node", os.path.join(ROOT, "scripts", "samples", "ort_reference_int8.mjs"),
                        os.path.join(w, "jobs.json")], check=True)
    with open(os.path.join(a.out, "whole_models.json"), "w") as f:
        json.dump({name: {"input": "se_mean_fx_input.npy", "reference": "se_mean_fx_ort.npy",
                          "input_name": "input", "output_name": "output", "ops": dict(sorted(ops.items()))}},
                  f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
