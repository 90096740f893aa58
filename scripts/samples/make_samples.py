#!/usr/bin/python3
"""Build, (train,) export and describe Ferrite's bundled sample models.

Run with Debian's interpreter:  /usr/bin/python3 scripts/samples/make_samples.py
(needs python3-torch, python3-torchvision, python3-onnx, python3-numpy and
dataset-fashion-mnist).  Writes, for every sample <name>:

  samples/<name>/model.onnx                  opset 13, input "input", output "output"
  samples/<name>/input.npy                   deterministic float32 input, batch 1
  samples/<name>/reference/torch_output.npy  PyTorch output for input.npy
  samples/<name>/meta.json                   description; ort_version and
                                             reference_max_abs are filled in
                                             by ort_reference.mjs

Everything is seeded and single/two-threaded so reruns give the same files.
Optional arguments: names of the samples to (re)build; default all.
"""
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
SAMPLES = os.path.join(REPO, "samples")
sys.path.insert(0, HERE)
import fashion_testset_to_npy as fmnist  # noqa: E402

OPSET = 13
SUPPORTED_OPS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu",
    "PRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softmax", "MaxPool",
    "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Reshape",
    "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Pad", "Slice", "ReduceMean",
    "Identity", "Dropout", "Constant",
}

torch.set_num_threads(2)
torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------
# helpers


def randomize_bn(model, seed):
    """Give every BatchNorm seeded, non-trivial statistics and affine params."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                m.running_mean.copy_((torch.rand(c, generator=g) - 0.5) * 0.4)   # [-0.2, 0.2]
                m.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=g))      # [0.5, 2.0]
                m.weight.copy_(0.5 + torch.rand(c, generator=g))                 # [0.5, 1.5]
                m.bias.copy_((torch.rand(c, generator=g) - 0.5) * 0.4)           # [-0.2, 0.2]


def n_params(model):
    return int(sum(p.numel() for p in model.parameters()))


def export(model, x, path, dynamic_batch=False):
    model.eval()
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(
        model, x, path,
        export_params=True, opset_version=OPSET, do_constant_folding=True,
        input_names=["input"], output_names=["output"],
        training=torch.onnx.TrainingMode.EVAL, **kwargs)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops = sorted({n.op_type for n in m.graph.node})
    counts = {}
    for n in m.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    init_elems = int(sum(int(np.prod(t.dims)) for t in m.graph.initializer))
    bad = [o for o in ops if o not in SUPPORTED_OPS]
    if bad:
        raise RuntimeError("%s uses unsupported ops %s" % (path, bad))
    return m, counts, init_elems


def write_sample(name, description, model, x_np, dynamic_batch=False, extra_meta=None):
    d = os.path.join(SAMPLES, name)
    os.makedirs(os.path.join(d, "reference"), exist_ok=True)
    model.eval()
    x = torch.from_numpy(x_np)
    onnx_path = os.path.join(d, "model.onnx")
    m, counts, init_elems = export(model, x, onnx_path, dynamic_batch)
    with torch.no_grad():
        y = model(x).numpy().astype(np.float32)
    np.save(os.path.join(d, "input.npy"), np.ascontiguousarray(x_np, dtype=np.float32))
    np.save(os.path.join(d, "reference", "torch_output.npy"), np.ascontiguousarray(y))

    def shape_of(vi):
        return [dim.dim_param if dim.dim_param else dim.dim_value
                for dim in vi.type.tensor_type.shape.dim]

    meta = {
        "name": name,
        "description": description,
        "input": {"name": m.graph.input[0].name, "shape": shape_of(m.graph.input[0])},
        "output": {"name": m.graph.output[0].name, "shape": shape_of(m.graph.output[0])},
        "params": n_params(model),
        "onnx_initializer_elements": init_elems,
        "opset": OPSET,
        "ops": counts,
        "torch_version": torch.__version__,
        "ort_version": None,          # filled in by ort_reference.mjs
        "reference_max_abs": None,    # filled in by ort_reference.mjs
    }
    if extra_meta:
        meta.update(extra_meta)
    # keep values already filled in by ort_reference.mjs if the file exists and
    # the model is byte-identical (it is, for a deterministic rerun) -- simpler:
    # always reset, make_all.sh reruns ort_reference.mjs afterwards.
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")

    print("== %s" % name)
    print("   params (torch parameters): %d, ONNX initializer elements: %d" % (meta["params"], init_elems))
    print("   input %s %s -> output %s %s" % (meta["input"]["name"], meta["input"]["shape"],
                                               meta["output"]["name"], meta["output"]["shape"]))
    print("   ops: %s" % ", ".join("%s x%d" % kv for kv in sorted(counts.items())))
    print("   torch output: shape %s, max |y| %.4g" % (y.shape, float(np.abs(y).max())))
    for fn in ("model.onnx", "input.npy"):
        print("   %-12s %9d bytes" % (fn, os.path.getsize(os.path.join(d, fn))))


# --------------------------------------------------------------------------
# models


def make_mobilenetv2():
    torch.manual_seed(1)
    model = torchvision.models.mobilenet_v2(width_mult=0.35, num_classes=10)
    randomize_bn(model, seed=101)
    model.eval()
    rng = np.random.default_rng(1001)
    # an "image" in [0,1] normalized with the usual ImageNet mean/std
    img = rng.random((1, 3, 96, 96), dtype=np.float64)
    mean = np.array([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    std = np.array([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    x = ((img - mean) / std).astype(np.float32)
    write_sample(
        "mobilenetv2_035_96",
        "torchvision MobileNetV2, width multiplier 0.35, 96x96 RGB input, 10 classes; "
        "random (seeded) weights and BatchNorm statistics (not trained).",
        model, x)


class DSCNN(nn.Module):
    """DS-CNN-S from Zhang et al., "Hello Edge: Keyword Spotting on Microcontrollers"."""

    def __init__(self, n_classes=12, ch=64, n_blocks=4):
        super().__init__()
        # 49x10 -> 25x5 (TF 'SAME' output size with stride 2; symmetric padding 5x1)
        layers = [nn.Conv2d(1, ch, (10, 4), stride=(2, 2), padding=(5, 1), bias=True),
                  nn.BatchNorm2d(ch), nn.ReLU()]
        for _ in range(n_blocks):
            layers += [nn.Conv2d(ch, ch, 3, padding=1, groups=ch, bias=True),
                       nn.BatchNorm2d(ch), nn.ReLU(),
                       nn.Conv2d(ch, ch, 1, bias=True),
                       nn.BatchNorm2d(ch), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d((25, 5), count_include_pad=False)  # avoids a zero Pad node in the export
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(ch, n_classes)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.features(x))))


def make_dscnn():
    torch.manual_seed(2)
    model = DSCNN()
    randomize_bn(model, seed=102)
    model.eval()
    x = np.random.default_rng(1002).standard_normal((1, 1, 49, 10)).astype(np.float32)
    write_sample(
        "dscnn_kws",
        "DS-CNN-S keyword spotting network (Hello Edge, Zhang et al. 2017): 49x10 MFCC input, "
        "Conv 10x4/2 + 4 depthwise-separable blocks of 64 channels, average pool, 12 classes; "
        "random (seeded) weights and BatchNorm statistics (not trained).",
        model, x)


class FCAutoencoder(nn.Module):
    """DCASE 2020 task 2 baseline dense autoencoder (640 -> 8 -> 640)."""

    def __init__(self, dim=640, hidden=128, bottleneck=8):
        super().__init__()

        def block(i, o):
            return [nn.Linear(i, o), nn.BatchNorm1d(o), nn.ReLU()]

        layers = block(dim, hidden)
        for _ in range(3):
            layers += block(hidden, hidden)
        layers += block(hidden, bottleneck)
        layers += block(bottleneck, hidden)
        for _ in range(3):
            layers += block(hidden, hidden)
        layers += [nn.Linear(hidden, dim)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def make_fc_autoencoder():
    torch.manual_seed(3)
    model = FCAutoencoder()
    randomize_bn(model, seed=103)
    model.eval()
    x = np.random.default_rng(1003).standard_normal((1, 640)).astype(np.float32)
    write_sample(
        "fc_autoencoder",
        "DCASE 2020 task 2 anomaly-detection baseline: dense autoencoder 640-128x4-8-128x4-640 "
        "with BatchNorm1d + ReLU after every hidden Linear; random (seeded) weights and "
        "BatchNorm statistics (not trained).",
        model, x)


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            pred = model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy()
            correct += int((pred == y[i:i + batch]).sum())
    return correct / len(x)


def make_fashion_cnn(epochs=3, batch=64):
    xtr = fmnist.load_images("train")
    ytr = fmnist.load_labels("train").astype(np.int64)
    xte = fmnist.load_images("t10k")
    yte = fmnist.load_labels("t10k")
    torch.manual_seed(4)
    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1004)
    xtr_t = torch.from_numpy(xtr)
    ytr_t = torch.from_numpy(ytr)
    for ep in range(epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(xtr), generator=g)
        total = 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = lossf(model(xtr_t[idx]), ytr_t[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        acc = evaluate(model, xte, yte)
        print("   fashion_cnn epoch %d: train loss %.4f, test acc %.4f (%.1fs)"
              % (ep + 1, total / len(xtr), acc, time.time() - t0))
    model.eval()
    acc = evaluate(model, xte, yte)
    write_sample(
        "fashion_cnn",
        "Small CNN trained on Fashion-MNIST (Conv16-ReLU-MaxPool, Conv32-BN-ReLU-MaxPool, "
        "FC64-ReLU-Dropout, FC10); input 28x28 grey image scaled to [0,1]; dynamic batch.",
        model, np.ascontiguousarray(xte[0:1]), dynamic_batch=True,
        extra_meta={"test_accuracy_torch": round(acc, 4),
                    "test_accuracy_ort": None,  # filled in by ort_reference.mjs
                    "test_set": "Debian dataset-fashion-mnist t10k",
                    "first_test_label": int(yte[0]),
                    "training": "Adam lr 1e-3, batch %d, %d epochs, seed 4, inputs x/255"
                                % (batch, epochs)})


BUILDERS = {
    "mobilenetv2_035_96": make_mobilenetv2,
    "dscnn_kws": make_dscnn,
    "fc_autoencoder": make_fc_autoencoder,
    "fashion_cnn": make_fashion_cnn,
}


def main(argv):
    names = argv[1:] or list(BUILDERS)
    for n in names:
        if n not in BUILDERS:
            sys.exit("unknown sample %r (known: %s)" % (n, ", ".join(BUILDERS)))
    for n in names:
        t0 = time.time()
        BUILDERS[n]()
        print("   (%.1fs)" % (time.time() - t0))


if __name__ == "__main__":
    main(sys.argv)
