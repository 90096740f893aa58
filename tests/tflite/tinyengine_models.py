#!/usr/bin/python3
"""MIT HAN Lab TinyEngine's .tflite models (MCUNet VWW / detection / ImageNet, MNIST LeNet) checked
against scripts/tflite_ref.py. Needs the network once (not part of ctest; the models are not committed).

  tinyengine_models.py fetch DIR                 downloads the five models into DIR (pinned commit of
                                                 github.com/mit-han-lab/tinyengine, sha256-checked)
  tinyengine_models.py check FERRITE DIR [TARGET...]
                                                 each model: 4 seeded float inputs on the host and the
                                                 first on each QEMU TARGET (e.g. qemu-cortex-m4), every
                                                 output against the reference: bit-identical where it is
                                                 a DEQUANTIZE of the int8 result (exact), within 1e-6 x
                                                 the output range where a float LOG_SOFTMAX ends the
                                                 model (the reference computes float operators in
                                                 float64); prints the arena and its lower bound.
"""
import glob
import hashlib
import os
import subprocess
import sys
import tempfile
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import tflite_ref  # noqa: E402

COMMIT = "47bb283ce9d7e33c6fea623b3792726046dc9cfa"
MODELS = {  # file: (path in the repository, sha256)
    "vww.tflite": ("assets/vww.tflite", "dfd1a2bec6f170299cba46d797eb7392aca207faa8a26004fffedcdca76befcb"),
    "detection.tflite": ("assets/detection.tflite",
                         "ae2bf7c4d5a68def47db4c8181c051ad30d1d97ec7573555fd753faebe38ef53"),
    "mcunetv2_large.tflite": ("assets/mcunetv2_large.tflite",
                              "3dedeab64f5a2c03455e9af783a0195f7e4aad47e67b42c383c6954944a4e4af"),
    "ptq_mnist_lenet-300-100.tflite": ("experimental/mnist_demo/assets/ptq_mnist_lenet-300-100.tflite",
                                       "5cc4330a9e6023f87e5f927ea664e4f3bb109ca4d4d90c406abca403fe7034f0"),
    "ptq_mnist_lenet-300-100_nobias.tflite": (
        "experimental/mnist_demo/assets/ptq_mnist_lenet-300-100_nobias.tflite",
        "a3aa10a33c606da6f800556636074100098f31bda614e8c7ebb9d2fff01e2d98"),
}


# Runs that cannot be made: the board's memory is too small.
SKIP = {("mcunetv2_large.tflite", "qemu-cortex-m55"):
        "its 1.99 MB of weights overflow the MPS3-AN547 image's code region (by 214,752 B)"}


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def fetch(d):
    os.makedirs(d, exist_ok=True)
    for name, (path, digest) in MODELS.items():
        dst = os.path.join(d, name)
        if not (os.path.exists(dst) and sha256(dst) == digest):
            url = f"https://raw.githubusercontent.com/mit-han-lab/tinyengine/{COMMIT}/{path}"
            urllib.request.urlretrieve(url, dst)
        if sha256(dst) != digest:
            sys.exit(f"{dst}: sha256 {sha256(dst)}, expected {digest}")
        print(f"{name}: ok")


def references(path, x):
    """Every graph output of the model for input x, by the reference (one run per output)."""
    outs = tflite_ref.Model(path).outputs
    refs = []
    for o in outs:
        m = tflite_ref.Model(path)
        m.outputs = [o]
        refs.append((m.tensors[o]["name"], tflite_ref.run(m, x)))
    return refs


def compare(outdir, refs, label):
    ok = True
    for name, r in refs:
        f = os.path.join(outdir, name.replace("/", "_").replace(":", "_") + ".npy")
        if not os.path.exists(f):
            print(f"FAIL {label} {name}: no output file ({sorted(glob.glob(outdir + '/*.npy'))})")
            ok = False
            continue
        a = np.load(f)
        if r.ndim == 4:  # Ferrite gives rank-4 outputs NCHW
            a = np.moveaxis(a.reshape(r.shape[0], r.shape[3], r.shape[1], r.shape[2]), 1, -1)
        a = a.reshape(r.shape)
        if r.dtype == np.float64:
            rel = np.abs(a - r).max() / max(float(r.max() - r.min()), 1e-30)
            good = rel <= 1e-6
            print(f"{'ok  ' if good else 'FAIL'} {label} {name}: max |diff| {np.abs(a - r).max():.3g} = {rel:.3g} x "
                  "output range (float reference)")
        else:
            a = np.ascontiguousarray(a.astype(r.dtype))
            same = a.view(np.uint8).reshape(r.size, -1) == np.ascontiguousarray(r).view(np.uint8).reshape(r.size, -1)
            same = same.all(axis=1)
            good = bool(same.all())
            print(f"{'ok  ' if good else 'FAIL'} {label} {name}: {100.0 * same.mean():.2f} % of {r.size} bit-identical")
        ok = ok and good
    return ok


def check(ferrite, d, targets):
    ok = True
    with tempfile.TemporaryDirectory() as t:
        for name in MODELS:
            path = os.path.join(d, name)
            m = tflite_ref.Model(path)
            shape = m.tensors[m.inputs[0]]["shape"]
            rng = np.random.default_rng(1)
            x = rng.uniform(-1, 1, size=[4] + shape).astype(np.float32)
            for k in range(4):
                np.save(os.path.join(t, "in.npy"), x[k])
                refs = references(path, x[k])
                runs = [("host", ["--target", "host"])] if k else \
                    [("host", ["--target", "host"])] + [(tg, ["--target", tg]) for tg in targets]
                for label, args in runs:
                    if (name, label) in SKIP:
                        print(f"skip {name} {label}: {SKIP[(name, label)]}")
                        continue
                    out = os.path.join(t, f"{name}.{label}.{k}")
                    p = subprocess.run([ferrite, "run", path, "--input", os.path.join(t, "in.npy"), "--output-dir", out,
                                        "--quiet"] + args, capture_output=True, text=True)
                    if p.returncode != 0:
                        print(f"FAIL {name} {label} input {k}: ferrite run: {(p.stdout + p.stderr)[-400:]}")
                        ok = False
                        continue
                    ok = compare(out, refs, f"{name} {label} input {k}") and ok
            rep = subprocess.run([ferrite, "report", path], capture_output=True, text=True).stdout
            arena = [ln.strip() for ln in rep.splitlines() if ln.strip().startswith("arena ")]
            print(f"{name}: {arena[0] if arena else 'no arena line'}")
    return ok


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "fetch":
        fetch(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2], sys.argv[3], sys.argv[4:]) else 1)
    else:
        sys.exit(__doc__)
