#!/usr/bin/python3
"""Train / rebuild the float models of the `ferrite quantize` accuracy comparison (issue 15).

Usage: /usr/bin/python3 scripts/quantize/train_models.py OUT_DIR [MODEL...]
       [--epochs-mbv2 N] [--train-limit-mbv2 N] [--epochs-seq N]

Needs Debian's python3-torch (1.13), python3-torchvision (0.14), python3-numpy, python3-onnx and
the Fashion-MNIST IDX files of Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
No PyPI. Everything is seeded and runs on one thread (torch.set_num_threads(1),
deterministic algorithms), so a rerun gives the same weights.

Models (MODEL names; default all three), each written to OUT_DIR/<name>/:
  fashion_cnn   the committed samples/fashion_cnn/model.onnx, re-created as a torch module from the
                ONNX weights (its BatchNorm is already folded into the second Conv by the export), so
                PyTorch FX quantizes exactly the float weights Ferrite quantizes. Not re-trained.
  mbv2_035_64   torchvision.models.mobilenet_v2(width_mult=0.35, num_classes=10), first conv taking 1
                channel, input 1x1x64x64: Fashion-MNIST 28x28 resized (bilinear) to 64x64, x/255.
                Trained in one pass over the 60,000 training images, in two stages to fit a
                shared 2-core machine (~30 min of CPU): stage 1 on images [0, 32000) with Adam
                lr 2e-3 -> 0, stage 2 continued on [32000, 60000) with Adam lr 1e-3 -> 0
                (batch 64). Reaches 84.84 % float test top-1 (82.62 % after stage 1).
  fashion_rows_dscnn
                a DS-CNN-style sequence classifier: each image read as a sequence of 28 time steps
                (the rows) of 28 features (the pixels of the row), input 1x28x28x1 (N, features,
                time, 1); a (3x1) conv then depthwise-separable (3x1 depthwise + 1x1 pointwise)
                blocks over time, global average pool, linear. Debian ships no non-image labelled
                data set (no speech commands, no tabular data set among the installed or apt
                packages that fit), so this is the non-image stand-in: a 1-D temporal model
                (written with 2-D (k x 1) convs, as TFLite and DS-CNN do) on Fashion-MNIST rows.

Each OUT_DIR/<name>/ gets model.onnx (opset 13, input "input", output "output", batch 1, BatchNorm
in eval mode so the export folds it), state.pt (the torch state dict compare_fx.py loads) and
meta.json (test top-1 of the float torch model, training recipe, epochs done). The trained models
are written after every epoch, so a stopped run leaves the last complete epoch.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "scripts", "samples"))
import fashion_testset_to_npy as fmnist  # noqa: E402

OPSET = 13
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

MODELS = ["fashion_cnn", "mbv2_035_64", "fashion_rows_dscnn"]


# --------------------------------------------------------------------------
# model definitions (compare_fx.py imports these)

class FashionCNNFolded(nn.Module):
    """samples/fashion_cnn as exported: the BatchNorm after the second conv is folded into it."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def make_mbv2():
    m = torchvision.models.mobilenet_v2(width_mult=0.35, num_classes=10)
    c0 = m.features[0][0]
    m.features[0][0] = nn.Conv2d(1, c0.out_channels, c0.kernel_size, c0.stride, c0.padding,
                                 bias=False)
    return m


class RowsDSCNN(nn.Module):
    """DS-CNN over time: input (N, 28 features, 28 time steps, 1)."""

    def __init__(self, features=28, width=64, blocks=4, classes=10):
        super().__init__()
        layers = [nn.Conv2d(features, width, (3, 1), padding=(1, 0), bias=False),
                  nn.BatchNorm2d(width), nn.ReLU()]
        for i in range(blocks):
            stride = (2, 1) if i in (1, 3) else (1, 1)
            layers += [nn.Conv2d(width, width, (3, 1), stride=stride, padding=(1, 0),
                                 groups=width, bias=False),
                       nn.BatchNorm2d(width), nn.ReLU(),
                       nn.Conv2d(width, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def build(name):
    return {"fashion_cnn": FashionCNNFolded, "mbv2_035_64": make_mbv2,
            "fashion_rows_dscnn": RowsDSCNN}[name]()


# --------------------------------------------------------------------------
# preprocessing (compare_fx.py writes Ferrite's calibration / test .npy files with these)

def preprocess(name, x):
    """x: float32 (N, 1, 28, 28) in [0, 1] -> the model's input, float32 numpy."""
    if name == "fashion_cnn":
        return np.ascontiguousarray(x, dtype=np.float32)
    if name == "mbv2_035_64":
        out = []
        for i in range(0, len(x), 1000):
            t = torch.from_numpy(x[i:i + 1000])
            out.append(F.interpolate(t, size=(64, 64), mode="bilinear",
                                     align_corners=False).numpy())
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)
    if name == "fashion_rows_dscnn":
        # (N, 1, row, col) -> (N, col = feature, row = time, 1)
        return np.ascontiguousarray(x[:, 0].transpose(0, 2, 1)[..., None], dtype=np.float32)
    raise KeyError(name)


def input_shape(name):
    return {"fashion_cnn": (1, 1, 28, 28), "mbv2_035_64": (1, 1, 64, 64),
            "fashion_rows_dscnn": (1, 28, 28, 1)}[name]


def evaluate(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            pred = model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy()
            correct += int((pred == y[i:i + batch]).sum())
    return correct / len(x)


def export(model, name, out_dir, meta):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    model.eval()
    x = torch.zeros(input_shape(name))
    torch.onnx.export(model, x, os.path.join(d, "model.onnx"), opset_version=OPSET,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)
    onnx.checker.check_model(onnx.load(os.path.join(d, "model.onnx")))
    torch.save(model.state_dict(), os.path.join(d, "state.pt"))
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


# --------------------------------------------------------------------------

def make_fashion_cnn(out_dir, args, data):
    """Copy the committed float weights into the torch module (Conv/Gemm nodes in order)."""
    src = os.path.join(REPO, "samples", "fashion_cnn", "model.onnx")
    g = onnx.load(src).graph
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in g.initializer}
    nodes = [n for n in g.node if n.op_type in ("Conv", "Gemm")]
    model = FashionCNNFolded()
    mods = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert len(nodes) == len(mods), (len(nodes), len(mods))
    with torch.no_grad():
        for n, m in zip(nodes, mods):
            if n.op_type == "Gemm":
                attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
                assert attrs.get("transB", 0) == 1 and attrs.get("transA", 0) == 0
            w, b = inits[n.input[1]], inits[n.input[2]]
            assert tuple(m.weight.shape) == w.shape, (n.name, m.weight.shape, w.shape)
            m.weight.copy_(torch.from_numpy(w.copy()))
            m.bias.copy_(torch.from_numpy(b.copy()))
    xte = preprocess("fashion_cnn", data["xte"])
    acc = evaluate(model, xte, data["yte"])
    print("fashion_cnn: weights from %s, float test top-1 %.2f %%" % (src, 100 * acc))
    export(model, "fashion_cnn", out_dir, {
        "model": "fashion_cnn", "source": "samples/fashion_cnn/model.onnx (weights copied)",
        "float_top1_torch": acc, "input_shape": list(input_shape("fashion_cnn"))})


def train(name, out_dir, data, epochs, train_limit, lr, batch, seed, recipe, start=0,
          resume=False, meta_extra=None):
    xtr = data["xtr"][start:train_limit]  # preprocessed batch by batch (64x64 x 60000 is 1 GB)
    ytr = data["ytr"][start:train_limit].astype(np.int64)
    xte = preprocess(name, data["xte"])
    yte = data["yte"]
    torch.manual_seed(seed)
    model = build(name)
    if resume:
        model.load_state_dict(torch.load(os.path.join(out_dir, name, "state.pt")))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(xtr) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1.0 - s / steps))
    lossf = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed + 1000)
    ytr_t = torch.from_numpy(ytr)
    t_start = time.time()
    for ep in range(epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(xtr), generator=g)
        total = 0.0
        for k, i in enumerate(range(0, len(perm), batch)):
            idx = perm[i:i + batch]
            opt.zero_grad()
            xb = torch.from_numpy(preprocess(name, xtr[idx.numpy()]))
            loss = lossf(model(xb), ytr_t[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            if k % 50 == 0:
                print("  %s epoch %d step %d/%d loss %.4f (%.0fs)"
                      % (name, ep + 1, k, (len(perm) + batch - 1) // batch, float(loss),
                         time.time() - t0), flush=True)
        acc = evaluate(model, xte, yte)
        print("%s epoch %d: train loss %.4f, float test top-1 %.2f %% (%.0fs)"
              % (name, ep + 1, total / len(xtr), 100 * acc, time.time() - t0), flush=True)
        export(model, name, out_dir, dict(meta_extra or {}, **{
            "model": name, "float_top1_torch": acc, "epochs_done": ep + 1, "epochs": epochs,
            "train_images": len(xtr), "input_shape": list(input_shape(name)),
            "training": recipe + "; Adam lr %g linearly decayed to 0, batch %d, seed %d, "
                                 "1 thread" % (lr, batch, seed),
            "train_seconds": round(time.time() - t_start, 1)}))
    return model


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("models", nargs="*", default=MODELS)
    ap.add_argument("--epochs-mbv2", type=int, default=1)
    ap.add_argument("--train-limit-mbv2", type=int, default=32000)
    ap.add_argument("--epochs-seq", type=int, default=3)
    ap.add_argument("--no-mbv2-stage2", action="store_true",
                    help="stop MobileNetV2 after stage 1 (the first --train-limit-mbv2 images)")
    args = ap.parse_args(argv[1:])
    for m in args.models:
        if m not in MODELS:
            sys.exit("unknown model %r (known: %s)" % (m, ", ".join(MODELS)))
    data = {"xtr": fmnist.load_images("train"), "ytr": fmnist.load_labels("train"),
            "xte": fmnist.load_images("t10k"), "yte": fmnist.load_labels("t10k")}
    for m in args.models:
        t0 = time.time()
        if m == "fashion_cnn":
            make_fashion_cnn(args.out_dir, args, data)
        elif m == "mbv2_035_64":
            recipe = "Fashion-MNIST train images 28x28 -> 64x64 bilinear, x/255, no augmentation"
            train(m, args.out_dir, data, args.epochs_mbv2, args.train_limit_mbv2, 2e-3, 64, 35,
                  "stage 1: images [0, %d), " % args.train_limit_mbv2 + recipe)
            if not args.no_mbv2_stage2 and args.train_limit_mbv2 < 60000:
                # stage 2 (so that the whole training set is seen once within this machine's
                # time budget): continue from stage 1 on the remaining images, lower rate
                train(m, args.out_dir, data, 1, 60000, 1e-3, 64, 36,
                      "stage 2: continued from stage 1 on images [%d, 60000), "
                      % args.train_limit_mbv2 + recipe, start=args.train_limit_mbv2, resume=True,
                      meta_extra={"stage1": "images [0, %d), %d epoch(s), Adam lr 2e-3 linearly "
                                            "decayed to 0, batch 64, seed 35"
                                            % (args.train_limit_mbv2, args.epochs_mbv2)})
        else:
            train(m, args.out_dir, data, args.epochs_seq, 60000, 2e-3, 64, 28,
                  "Fashion-MNIST train images as 28 rows x 28 features, x/255")
        print("  (%s: %.0fs)" % (m, time.time() - t0), flush=True)


if __name__ == "__main__":
    main(sys.argv)
