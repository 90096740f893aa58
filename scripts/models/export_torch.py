#!/usr/bin/python3
"""Export test models the way PyTorch users make them, for Ferrite's `torch_exports` test.

Run with Debian's interpreter (python3-torch 1.13, python3-torchvision 0.14, python3-onnx, numpy)
and node with onnxruntime-node 1.30 (installed into scripts/samples/node_modules on first use, like
scripts/samples/make_all.sh does):

    /usr/bin/python3 scripts/models/export_torch.py [--out DIR] [--only NAME ...]
    /usr/bin/python3 scripts/models/export_torch.py --breadth --keep-going --out DIR   # issue 10's list
    /usr/bin/python3 scripts/models/export_torch.py --breadth --no-ort --keep-going --out DIR   # the test's export

--breadth exports BREADTH (issue 10's acceptance list, docs/torch_exports.md: torchvision ShuffleNetV2
x0.5, MobileNetV3-Small 0.5/1.0, EfficientNet-B0 at 96x96, SqueezeNet 1.1, MnasNet 0.5, ResNet-18 at
64x64; nn.TransformerEncoderLayer, a LayerNorm+GELU MLP, GRU/LSTM keyword models, U-Nets with
ConvTranspose and Resize; int8 FX MobileNetV3-Small and ResNet-18, eager ResNet-18 and MobileNetV3-Small).
These are not committed: the torch_breadth test exports them into the build directory (--no-ort) and
checks their SHA-256 against tests/data/torch_breadth/manifest.json. --keep-going records a model torch
cannot export (export_error in the manifest) instead of stopping.

Writes into tests/data/torch/ (or DIR):

  <model>_op<opset>.onnx       torch.onnx.export at opsets 13 and 17 (do_constant_folding=True, the
                               default), unmodified
  <arch>_input.npy             float32 [N, 1, C, H, W] test inputs (N inferences, `ferrite run --dataset`;
                               8 at 32x32 and below, 4 at 64x64; FX and eager models share their file)
  <model>_op<opset>_ort.npy    ONNX Runtime 1.30 outputs on those inputs: graphOptimizationLevel 'all'
                               (+ x64quantprecision for int8; QDQ groups fused into integer kernels)
  <model>_op<opset>_ort_disabled.npy   int8 only: 'disabled' (float between Q/DQ), for information
  manifest.json                what each model is, its kind (int8/float), opsets, sizes, op counts

Models (random-initialized, seeded; BatchNorm statistics set by a few training-mode passes and int8
models calibrated on a few seeded random/structured inputs; nothing here is trained):

  int8 QDQ, post-training quantization with the qnnpack engine (torch.ao.quantization):
    resnet8_fx / resnet8_eager        MLPerf Tiny's CIFAR ResNet-8 (3 residual stages 16/32/64), 32x32
    mbv2_035_fx / mbv2_035_eager      torchvision MobileNetV2, width 0.35, 10 classes, 64x64
                                      (eager: torchvision.models.quantization's QuantizableMobileNetV2)
    FX graph mode: prepare_fx/convert_fx with get_default_qconfig_mapping('qnnpack'); eager mode:
    fuse_modules (Conv+BN+ReLU), QuantStub/DeQuantStub, FloatFunctional adds, prepare/convert.
    torch exports these as QDQ: QuantizeLinear -> Cast (to its own type) -> DequantizeLinear around
    float ops, int32 biases with zero points built by ConstantOfShape -> Cast.
  float32 with run-time shape arithmetic (Shape, Gather, Unsqueeze, Concat, Reshape of computed
  shapes, integer Div, Slice with computed bounds, Range, Expand, Equal/Where, Cast):
    flatten_view    conv net ending in x.view(x.size(0), -1) -> Linear, 32x32
    shuffle_block   two ShuffleNetV2 units (channel split by slicing at x.size(1) // 2, torchvision's
                    channel_shuffle: view(b, g, c // g, h, w) -> transpose -> view(b, -1, h, w)), 16x16
    shape_ops       arange(x.size(3)) position term, a learned bias expanded to x's computed shape
                    (expand(-1, -1, h, w): Equal/Where), a reshape through computed dims, 16x16
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

import numpy as np
import onnx
import torch
from onnx import numpy_helper
import torch.ao.quantization as tq
import torch.nn as nn
import torchvision
from torch.ao.quantization import quantize_fx

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
SAMPLES_JS = os.path.join(REPO, "scripts", "samples")
OPSETS = (13, 17)
N_TEST = 8      # test inputs per model
N_CALIB = 16    # calibration inputs for the int8 models

torch.set_num_threads(2)


# --------------------------------------------------------------------------------------------------
# inputs


def structured_inputs(n, shape, seed):
    """n float32 images [n, *shape]: smooth gradients and blobs plus noise, in about [-2, 2]."""
    rng = np.random.default_rng(seed)
    c, h, w = shape[1:]
    yy, xx = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    out = np.empty((n,) + tuple(shape), np.float32)
    for i in range(n):
        for ch in range(c):
            a, b, f = rng.uniform(-1, 1, 3)
            cx, cy, r = rng.uniform(-0.7, 0.7), rng.uniform(-0.7, 0.7), rng.uniform(0.2, 0.6)
            img = a * xx + b * yy + 1.5 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / r ** 2) \
                + 0.3 * np.sin(6 * f * xx) + 0.25 * rng.standard_normal((h, w))
            out[i, 0, ch] = img
    return out


# --------------------------------------------------------------------------------------------------
# models


class ResBlock(nn.Module):
    """ResNet-8's basic block: conv-BN-ReLU, conv-BN, + shortcut (1x1 conv-BN when the shape changes), ReLU."""

    def __init__(self, cin, cout, stride, eager):
        super().__init__()
        self.eager = eager
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        if eager:
            self.add_relu = nn.quantized.FloatFunctional()
        else:
            self.relu2 = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        s = x if self.short is None else self.short(x)
        if self.eager:
            return self.add_relu.add_relu(y, s)
        return self.relu2(y + s)

    def fuse(self):
        tq.fuse_modules(self, [["conv1", "bn1", "relu1"], ["conv2", "bn2"]], inplace=True)
        if self.short is not None:
            tq.fuse_modules(self.short, [["0", "1"]], inplace=True)


class ResNet8(nn.Module):
    """MLPerf Tiny image classification ResNet-8 (CIFAR-10, 32x32)."""

    def __init__(self, eager=False):
        super().__init__()
        self.eager = eager
        self.quant = tq.QuantStub()
        self.dequant = tq.DeQuantStub()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        self.stack = nn.Sequential(ResBlock(16, 16, 1, eager), ResBlock(16, 32, 2, eager), ResBlock(32, 64, 2, eager))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        if self.eager:
            x = self.quant(x)
        x = self.stack(self.relu(self.bn(self.conv(x))))
        x = torch.flatten(self.pool(x), 1)
        x = self.fc(x)
        if self.eager:
            x = self.dequant(x)
        return x

    def fuse(self):
        tq.fuse_modules(self, [["conv", "bn", "relu"]], inplace=True)
        for b in self.stack:
            b.fuse()


class FlattenView(nn.Module):
    """A small CNN whose classifier input is x.view(x.size(0), -1) (Shape, Gather, Unsqueeze, Concat, Reshape)."""

    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8), nn.ReLU(),
                               nn.Conv2d(8, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = self.f(x)
        return self.fc(x.view(x.size(0), -1))


class ShuffleUnit(nn.Module):
    """ShuffleNetV2 unit (stride 1): half the channels pass, the other half goes through 1x1-dw3x3-1x1;
    then torchvision's channel_shuffle. The split slices at x.size(1) // 2 (computed at run time)."""

    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.branch = nn.Sequential(nn.Conv2d(h, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU(),
                                    nn.Conv2d(h, h, 3, 1, 1, groups=h, bias=False), nn.BatchNorm2d(h),
                                    nn.Conv2d(h, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU())

    def forward(self, x):
        half = x.size(1) // 2
        x1, x2 = x[:, :half], x[:, half:]
        out = torch.cat((x1, self.branch(x2)), dim=1)
        return torchvision.models.shufflenetv2.channel_shuffle(out, 2)


class ShuffleBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.units = nn.Sequential(ShuffleUnit(16), ShuffleUnit(16))
        self.head = nn.Conv2d(16, 8, 1)

    def forward(self, x):
        return self.head(self.units(self.stem(x)))


class ShapeOps(nn.Module):
    """Range, Cast, Div of sizes, Expand of a parameter to a computed shape (with -1: Equal/Where),
    Reshape through computed dims."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, 1, 1)
        self.bias = nn.Parameter(0.1 * torch.randn(1, 8, 1, 1))
        self.conv2 = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        y = self.conv(x)
        w = y.size(3)
        pos = torch.arange(w, dtype=torch.float32) / w                # Range -> Cast -> Div
        y = y + pos.view(1, 1, 1, -1)
        y = y + self.bias.expand(-1, -1, y.size(2), y.size(3))        # Expand, Equal/Where
        b, c, h, ww = y.shape
        y = torch.relu(self.conv2(y.reshape(b, c, h * ww // 4, 4).reshape(b, c, h, ww)))
        return y.flatten(1)


class SeqHead(nn.Module):
    """Keyword spotter on 49x10 MFCC frames: a GRU or LSTM (hidden 64, batch_first) over the 49 steps,
    the last step's state -> Linear(64, 12)."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = (nn.GRU if cell == "gru" else nn.LSTM)(10, 64, batch_first=True)
        self.fc = nn.Linear(64, 12)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1])


class LnGeluMlp(nn.Module):
    """Token MLP on [1, 16, 64]: Linear -> LayerNorm -> GELU (erf form) -> Linear, + residual, LayerNorm."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.ln1 = nn.LayerNorm(128)
        self.fc2 = nn.Linear(128, 64)
        self.ln2 = nn.LayerNorm(64)

    def forward(self, x):
        return self.ln2(x + self.fc2(nn.functional.gelu(self.ln1(self.fc1(x)))))


class Encoder(nn.Module):
    """nn.TransformerEncoderLayer(d_model 64, 4 heads, feed-forward 128, no dropout) on 16 tokens x 64."""

    export_with_grad = True  # see export()

    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    """A two-level U-Net on 3x32x32 -> 2 classes per pixel. up='convt': ConvTranspose2d(k2, s2);
    up='resize': nn.Upsample, bilinear (align_corners=False) at the deeper level, nearest at the other."""

    def __init__(self, up):
        super().__init__()
        self.e1, self.e2, self.mid = conv_bn_relu(3, 8), conv_bn_relu(8, 16), conv_bn_relu(16, 32)
        self.pool = nn.MaxPool2d(2)
        if up == "convt":
            self.u2 = nn.ConvTranspose2d(32, 16, 2, 2)
            self.u1 = nn.ConvTranspose2d(16, 8, 2, 2)
        else:
            self.u2 = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), nn.Conv2d(32, 16, 1))
            self.u1 = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(16, 8, 1))
        self.d2, self.d1 = conv_bn_relu(32, 16), conv_bn_relu(16, 8)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        a = self.e1(x)
        b = self.e2(self.pool(a))
        c = self.mid(self.pool(b))
        d = self.d2(torch.cat((self.u2(c), b), 1))
        return self.head(self.d1(torch.cat((self.u1(d), a), 1)))


def mbv3_small_eager(num_classes):
    """torchvision's QuantizableMobileNetV3 (eager-mode quantization ready) with the Small configuration."""
    from torchvision.models.quantization import mobilenetv3 as qm
    setting, last = qm._mobilenet_v3_conf("mobilenet_v3_small")
    return qm.QuantizableMobileNetV3(setting, last, num_classes=num_classes)


# --------------------------------------------------------------------------------------------------
# building


def test_inputs(n, shape, seed):
    """Images get structured_inputs; sequences ([1, T, F]) seeded standard-normal values."""
    if len(shape) == 4:
        return structured_inputs(n, shape, seed)
    return np.random.default_rng(seed).standard_normal((n,) + tuple(shape)).astype(np.float32)


def init_bn_stats(model, shape, seed):
    """Give BatchNorm layers non-trivial statistics: a few training-mode passes on seeded inputs."""
    model.train()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = None  # cumulative average
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
        for x in structured_inputs(8, shape, seed):
            model(torch.from_numpy(x))
    model.eval()
    return model


def quantize(model, mode, calib, example):
    torch.backends.quantized.engine = "qnnpack"
    if mode == "fx":
        qc = tq.get_default_qconfig_mapping("qnnpack")
        p = quantize_fx.prepare_fx(model, qc, (example,))
        with torch.no_grad():
            for x in calib:
                p(torch.from_numpy(x))
        return quantize_fx.convert_fx(p)
    model.fuse() if hasattr(model, "fuse") else model.fuse_model()
    model.qconfig = tq.get_default_qconfig("qnnpack")
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        for x in calib:
            model(torch.from_numpy(x))
    return tq.convert(model)


def make(name):
    """Returns (model, input shape [1, C, H, W], kind)."""
    torch.manual_seed(sum(map(ord, name)))
    if name.startswith("resnet8"):
        mode = name.split("_")[1]
        shape = (1, 3, 32, 32)
        m = init_bn_stats(ResNet8(eager=mode == "eager"), shape, 1)
        calib = structured_inputs(N_CALIB, shape, 2)
        return quantize(m, mode, calib, torch.from_numpy(calib[0])), shape, "int8"
    if name.startswith("mbv2_035"):
        mode = name.split("_")[2]
        shape = (1, 3, 64, 64)
        if mode == "eager":
            m = torchvision.models.quantization.mobilenet_v2(width_mult=0.35, num_classes=10)
        else:
            m = torchvision.models.mobilenet_v2(width_mult=0.35, num_classes=10)
        m = init_bn_stats(m, shape, 1)
        calib = structured_inputs(N_CALIB, shape, 2)
        return quantize(m, mode, calib, torch.from_numpy(calib[0])), shape, "int8"
    if name == "flatten_view":
        shape = (1, 3, 32, 32)
        return init_bn_stats(FlattenView(), shape, 1), shape, "float"
    if name == "shuffle_block":
        shape = (1, 3, 16, 16)
        return init_bn_stats(ShuffleBlock(), shape, 1), shape, "float"
    if name == "shape_ops":
        shape = (1, 3, 16, 16)
        return ShapeOps().eval(), shape, "float"
    if name in TV_FLOAT:
        ctor, shape, kw = TV_FLOAT[name]
        return init_bn_stats(ctor(**kw), shape, 1), shape, "float"
    if name in ("gru_kws", "lstm_kws"):
        return SeqHead(name[:-4]).eval(), (1, 49, 10), "float"
    if name == "ln_gelu_mlp":
        return LnGeluMlp().eval(), (1, 16, 64), "float"
    if name == "transformer_enc":
        return Encoder().eval(), (1, 16, 64), "float"
    if name in ("unet_convt", "unet_resize"):
        shape = (1, 3, 32, 32)
        return init_bn_stats(UNet(name[5:]), shape, 1), shape, "float"
    if name.startswith(("mbv3s_", "resnet18_")):
        arch, mode = name.rsplit("_", 1)
        shape = (1, 3, 96, 96) if arch == "mbv3s" else (1, 3, 64, 64)
        if arch == "mbv3s":
            m = mbv3_small_eager(10) if mode == "eager" else torchvision.models.mobilenet_v3_small(num_classes=10)
        else:
            m = (torchvision.models.quantization.resnet18(num_classes=10) if mode == "eager"
                 else torchvision.models.resnet18(num_classes=10))
        m = init_bn_stats(m, shape, 1)
        calib = structured_inputs(N_CALIB, shape, 2)
        return quantize(m, mode, calib, torch.from_numpy(calib[0])), shape, "int8"
    raise SystemExit(f"unknown model {name}")


# torchvision float models: constructor, input shape, arguments (10 classes everywhere).
TV_FLOAT = {
    "shufflenet_v2_x0_5": (torchvision.models.shufflenet_v2_x0_5, (1, 3, 64, 64), {"num_classes": 10}),
    "mbv3s_050": (torchvision.models.mobilenet_v3_small, (1, 3, 96, 96), {"num_classes": 10, "width_mult": 0.5}),
    "mbv3s_100": (torchvision.models.mobilenet_v3_small, (1, 3, 96, 96), {"num_classes": 10}),
    "efficientnet_b0_96": (torchvision.models.efficientnet_b0, (1, 3, 96, 96), {"num_classes": 10}),
    "squeezenet1_1": (torchvision.models.squeezenet1_1, (1, 3, 64, 64), {"num_classes": 10}),
    "mnasnet0_5": (torchvision.models.mnasnet0_5, (1, 3, 64, 64), {"num_classes": 10}),
    "resnet18_float": (torchvision.models.resnet18, (1, 3, 64, 64), {"num_classes": 10}),
}


MODELS = ["resnet8_fx", "resnet8_eager", "mbv2_035_fx", "mbv2_035_eager", "flatten_view", "shuffle_block", "shape_ops"]
# Issue 10's acceptance list. Exported at test time into the build directory (not committed: ResNet-18
# alone is 45 MB); their ONNX Runtime references and the exported files' SHA-256 are committed.
BREADTH = ["shufflenet_v2_x0_5", "mbv3s_050", "mbv3s_100", "efficientnet_b0_96", "transformer_enc", "ln_gelu_mlp",
           "gru_kws", "lstm_kws", "unet_convt", "unet_resize", "squeezenet1_1", "mnasnet0_5", "resnet18_float",
           "mbv3s_fx", "mbv3s_eager", "resnet18_fx", "resnet18_eager"]
# torch 1.13 writes the same graph at opsets 13 and 17 for the int8 models (only the opset import and
# the IR version differ; checked below). The two ~570 kB MobileNetV2 files are kept at one opset
# each, so that both modes and both opsets are still covered; everything else is kept at both.
KEEP_OPSETS = {"mbv2_035_fx": (13,), "mbv2_035_eager": (17,)}


def output_scale(path):
    """Scale of the DequantizeLinear that makes the int8 model's output (an LSB of the output)."""
    g = onnx.load(path).graph
    consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    for n in g.node:
        if n.op_type == "DequantizeLinear" and n.output[0] == "output":
            return float(consts[n.input[1]].reshape(-1)[0])
    raise SystemExit(f"{path}: no DequantizeLinear makes the output")


def export(model, shape, path, opset, dynamic_batch, check=True):
    x = torch.from_numpy(test_inputs(1, shape, 3)[0])
    dyn = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic_batch else None
    # nn.TransformerEncoderLayer takes its fused fast path (aten::_transformer_encoder_layer_fwd, which
    # torch 1.13 cannot export) in eval mode without autograd: export it with autograd on.
    grad = getattr(model, "export_with_grad", False)
    with torch.set_grad_enabled(grad):
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                          do_constant_folding=True, dynamic_axes=dyn)
    if check:
        onnx.checker.check_model(onnx.load(path))


def ort_references(jobs, work):
    if not os.path.isdir(os.path.join(SAMPLES_JS, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=SAMPLES_JS, check=True,
                       env=dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip"))
    jf = os.path.join(work, "jobs.json")
    with open(jf, "w") as f:
        json.dump({"jobs": jobs}, f)
    subprocess.run(["node", os.path.join(SAMPLES_JS, "ort_reference_int8.mjs"), jf], check=True)
    with open(jf + ".version") as f:
        return f.read().strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "data", "torch"))
    ap.add_argument("--only", nargs="*", default=MODELS)
    ap.add_argument("--no-ort", action="store_true",
                    help="export only: no ONNX Runtime references, no manifest (the torch_breadth test)")
    ap.add_argument("--breadth", action="store_true", help="the issue-10 model list (BREADTH) instead of MODELS")
    ap.add_argument("--keep-going", action="store_true", help="record a failed export in the manifest and go on")
    args = ap.parse_args()
    if args.breadth:
        args.only = BREADTH
    os.makedirs(args.out, exist_ok=True)
    man_path = os.path.join(args.out, "manifest.json")
    manifest = json.load(open(man_path)) if os.path.exists(man_path) else {"models": {}}
    jobs, work = [], tempfile.mkdtemp(prefix="ferrite-torch-")
    for name in args.only:
        model, shape, kind = make(name)
        # One input file per architecture (the FX and eager models share it); 4 inputs at 64x64.
        arch = name.rsplit("_", 1)[0] if name.endswith(("_fx", "_eager")) else name
        n_test = N_TEST if int(np.prod(shape[1:])) <= 3 * 32 * 32 else N_TEST // 2
        inputs = test_inputs(n_test, shape, 100 + sum(map(ord, arch)))
        in_path = os.path.join(args.out, f"{arch}_input.npy")
        np.save(in_path, inputs)
        entry = {"kind": kind, "input_shape": list(shape), "inputs": os.path.basename(in_path), "opsets": {},
                 "dynamic_batch": kind == "float"}
        graphs = {}
        for opset in OPSETS:
            keep = opset in KEEP_OPSETS.get(name, OPSETS)
            path = os.path.join(args.out if keep else work, f"{name}_op{opset}.onnx")
            try:
                export(model, shape, path, opset, dynamic_batch=kind == "float", check=not args.no_ort)
            except Exception as e:  # noqa: BLE001 - a survey records what torch cannot export
                if not args.keep_going:
                    raise
                msg = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
                entry.setdefault("export_error", {})[str(opset)] = msg
                print(f"{name}_op{opset}: torch.onnx.export failed: {msg}")
                continue
            if args.no_ort:  # the test's export: only the files (the test checks their SHA-256)
                continue
            loaded = onnx.load(path)
            graphs[opset] = loaded.graph.SerializeToString()
            ops = Counter(n.op_type for n in loaded.graph.node)
            if not keep:
                continue
            base = f"{name}_op{opset}"
            outputs = {"all": os.path.join(args.out, base + "_ort.npy")}
            if kind == "int8":
                outputs["disabled"] = os.path.join(args.out, base + "_ort_disabled.npy")
            jobs.append({"model": path, "inputs": in_path, "batch": 1, "outputs": outputs})
            if kind == "int8":
                entry["output_scale"] = output_scale(path)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            entry["opsets"][str(opset)] = {"model": os.path.basename(path), "bytes": os.path.getsize(path),
                                           "sha256": digest,
                                           "ops": dict(sorted(ops.items())),
                                           "reference": os.path.basename(outputs["all"])}
            print(f"{base}: {os.path.getsize(path)} B, {sum(ops.values())} nodes: {dict(sorted(ops.items()))}")
        for opset in OPSETS:
            if opset not in KEEP_OPSETS.get(name, OPSETS) and not args.no_ort:
                kept = KEEP_OPSETS[name][0]
                if graphs[opset] != graphs[kept]:
                    raise SystemExit(f"{name}: the opset {opset} graph differs from the opset {kept} graph: keep both")
                entry["not_kept"] = {str(opset): f"graph identical to the opset {kept} export (only the opset import "
                                                 "and IR version differ)"}
                print(f"{name}_op{opset}: not kept, {entry['not_kept'][str(opset)]}")
        manifest["models"][name] = entry
    if args.no_ort:
        return 0
    manifest["onnxruntime"] = ort_references(jobs, work)
    manifest["torch"] = torch.__version__
    manifest["torchvision"] = torchvision.__version__
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
