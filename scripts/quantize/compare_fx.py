#!/usr/bin/python3
"""Side-by-side int8 accuracy: `ferrite quantize` vs PyTorch FX post-training quantization (issue 15).

Usage: /usr/bin/python3 scripts/quantize/compare_fx.py MODEL_DIR [--ferrite BIN] [--models M...]
       [--calibration-count 500] [--markdown]

MODEL_DIR is the output folder of scripts/quantize/train_models.py (MODEL_DIR/<name>/model.onnx,
state.pt, meta.json). For every model:
  (a) float top-1 of the torch model on the full Fashion-MNIST test set (10,000 images);
  (b) PyTorch FX PTQ: prepare_fx(model, get_default_qconfig_mapping("fbgemm"), example_inputs),
      calibrated on the first N training images (default 500, the same images Ferrite gets),
      convert_fx, top-1 on the full test set;
  (c) Ferrite: `BIN quantize model.onnx --calibration cal.npy -o q.onnx --evaluate test.npy
      --labels labels.npy --json r.json` (default options: --calibrate auto, uint8 activations,
      per-channel weights); float and int8 top-1 read from r.json.
The .npy files (float32, the model's preprocessing from train_models.preprocess) are written into
MODEL_DIR/<name>/. Prints a table (--markdown: as Markdown) and writes MODEL_DIR/<name>/compare.json
and MODEL_DIR/compare.json; --table-only prints the table of earlier (separate) runs.

Debian's torch 1.13 is built without FBGEMM (supported engines: qnnpack, onednn), so the FX model
(fbgemm qconfig: HistogramObserver activations with reduce_range, per-channel symmetric int8
weights) is run with the onednn quantized engine, the x86 engine that accepts that qconfig.
Exit code 1 if any model misses the acceptance (drop > 0.5 points or Ferrite int8 < FX int8).
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "scripts", "samples"))
import fashion_testset_to_npy as fmnist  # noqa: E402
import train_models as tm  # noqa: E402  (sets 1 thread, deterministic algorithms)

NAMES = {"fashion_cnn": "Fashion CNN (samples/fashion_cnn)",
         "mbv2_035_64": "MobileNetV2-0.35, 64x64",
         "fashion_rows_dscnn": "DS-CNN over rows (28 steps x 28 features)"}


def top1(model, x, y, batch=500):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            pred = model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy()
            correct += int((pred == y[i:i + batch]).sum())
    return correct / len(x)


def run_model(name, mdir, ferrite, ncal, data, extra=(), tag=""):
    model = tm.build(name)
    model.load_state_dict(torch.load(os.path.join(mdir, "state.pt")))
    model.eval()
    cal = tm.preprocess(name, data["xtr"][:ncal])
    test = tm.preprocess(name, data["xte"])
    labels = data["yte"].astype(np.int64)
    cal_p, test_p, lab_p = (os.path.join(mdir, f) for f in ("cal.npy", "test.npy", "labels.npy"))
    np.save(cal_p, cal)
    np.save(test_p, test)
    np.save(lab_p, labels)
    r = {"model": name}

    t0 = time.time()
    r["float_top1_torch"] = top1(model, test, labels)
    print("%s: float top-1 (torch) %.2f %% (%.0fs)" % (name, 100 * r["float_top1_torch"],
                                                       time.time() - t0), flush=True)

    t0 = time.time()
    torch.backends.quantized.engine = "onednn"
    example = (torch.from_numpy(cal[:1]),)
    prepared = prepare_fx(copy.deepcopy(model), get_default_qconfig_mapping("fbgemm"), example)
    with torch.no_grad():
        for i in range(0, len(cal), 100):
            prepared(torch.from_numpy(cal[i:i + 100]))
    qmodel = convert_fx(prepared)
    r["fx_int8_top1"] = top1(qmodel, test, labels)
    r["fx_engine"] = torch.backends.quantized.engine
    print("%s: FX int8 top-1 %.2f %% (%.0fs)" % (name, 100 * r["fx_int8_top1"], time.time() - t0),
          flush=True)

    t0 = time.time()
    rj = os.path.join(mdir, "r%s.json" % tag)
    cmd = [ferrite, "quantize", os.path.join(mdir, "model.onnx"), "--calibration", cal_p,
           "-o", os.path.join(mdir, "q%s.onnx" % tag), "--evaluate", test_p, "--labels", lab_p,
           "--json", rj, "-q"] + list(extra)
    print("  $ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    r["ferrite_log"] = p.stdout
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        r["ferrite_error"] = "exit code %d" % p.returncode
        print("%s: ferrite quantize FAILED (exit %d)" % (name, p.returncode), flush=True)
        return r
    with open(rj) as f:
        fj = json.load(f)
    ev = fj["evaluation"]
    r.update(float_top1_ferrite=ev["float_top1"], ferrite_int8_top1=ev["int8_top1"],
             ferrite_method=fj.get("method"), ferrite_float_nodes=fj.get("float_nodes"),
             ferrite_float_ops=fj.get("float_ops"), output_sqnr_db=fj.get("output_sqnr_db"))
    r["drop_points"] = 100 * (r["float_top1_ferrite"] - r["ferrite_int8_top1"])
    r["fx_drop_points"] = 100 * (r["float_top1_torch"] - r["fx_int8_top1"])
    r["ferrite_ge_fx"] = r["ferrite_int8_top1"] >= r["fx_int8_top1"]
    r["drop_ok"] = r["drop_points"] <= 0.5
    print("%s: Ferrite float %.2f %%, int8 %.2f %% (%.0fs)"
          % (name, 100 * ev["float_top1"], 100 * ev["int8_top1"], time.time() - t0), flush=True)
    return r


def table(results, markdown):
    head = ["model", "float top-1 (torch)", "float top-1 (Ferrite)", "FX int8 top-1",
            "Ferrite int8 top-1", "Ferrite int8 - float", "FX int8 - float", "Ferrite >= FX",
            "Ferrite drop <= 0.5"]
    rows = []
    for r in results:
        if "ferrite_int8_top1" not in r:
            rows.append([NAMES.get(r["model"], r["model"]), "%.2f %%" % (100 * r["float_top1_torch"]),
                         "-", "%.2f %%" % (100 * r["fx_int8_top1"]), r.get("ferrite_error", "-"),
                         "-", "-", "-", "-"])
            continue
        rows.append([NAMES.get(r["model"], r["model"]),
                     "%.2f %%" % (100 * r["float_top1_torch"]),
                     "%.2f %%" % (100 * r["float_top1_ferrite"]),
                     "%.2f %%" % (100 * r["fx_int8_top1"]),
                     "%.2f %%" % (100 * r["ferrite_int8_top1"]),
                     "%+.2f" % (0.0 - r["drop_points"]), "%+.2f" % (0.0 - r["fx_drop_points"]),
                     "yes" if r["ferrite_ge_fx"] else "NO", "yes" if r["drop_ok"] else "NO"])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
        out = ["  ".join(str(x).ljust(n) for x, n in zip(row, w)) for row in [head] + rows]
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--ferrite", default=os.path.join(REPO, "build", "ferrite"))
    ap.add_argument("--models", nargs="*", default=tm.MODELS)
    ap.add_argument("--calibration-count", type=int, default=500)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--ferrite-arg", action="append", default=[],
                    help="extra argument for ferrite quantize (repeat for several, e.g. "
                         "--ferrite-arg=--bias-correction --ferrite-arg=off)")
    ap.add_argument("--tag", default="",
                    help="suffix of the per-model result files (r<TAG>.json, q<TAG>.onnx, "
                         "compare<TAG>.json), to keep runs with different --ferrite-arg apart")
    ap.add_argument("--table-only", action="store_true",
                    help="print the table from the MODEL_DIR/<name>/compare.json files of "
                         "earlier runs (models run separately) without running anything")
    args = ap.parse_args(argv[1:])
    if args.table_only:
        results = []
        for name in args.models:
            p = os.path.join(args.model_dir, name, "compare%s.json" % args.tag)
            if os.path.exists(p):
                with open(p) as f:
                    results.append(json.load(f))
        print(table(results, args.markdown))
        ok = all(r.get("drop_ok") and r.get("ferrite_ge_fx") for r in results)
        return 0 if ok and results else 1
    data = {"xtr": fmnist.load_images("train"), "xte": fmnist.load_images("t10k"),
            "yte": fmnist.load_labels("t10k")}
    results = []
    for name in args.models:
        mdir = os.path.join(args.model_dir, name)
        if not os.path.exists(os.path.join(mdir, "state.pt")):
            print("%s: no %s/state.pt (run train_models.py), skipped" % (name, mdir))
            continue
        r = run_model(name, mdir, args.ferrite, args.calibration_count, data,
                      args.ferrite_arg, args.tag)
        r["ferrite_args"] = args.ferrite_arg
        with open(os.path.join(mdir, "compare%s.json" % args.tag), "w") as f:
            json.dump(r, f, indent=1)
        results.append(r)
    with open(os.path.join(args.model_dir, "compare%s.json" % args.tag), "w") as f:
        json.dump(results, f, indent=1)
    print()
    print(table(results, args.markdown))
    ok = all(r.get("drop_ok") and r.get("ferrite_ge_fx") for r in results)
    return 0 if ok and results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
