#!/usr/bin/env python3
"""ONNX node-test conformance runner for Ferrite.

For every official ONNX node test (Debian's libonnx-testdata) whose operators Ferrite supports
(`ferrite ops --check`), runs `ferrite run` on the test inputs and compares with the test outputs
using ONNX's tolerances (rtol 1e-3, atol 1e-7). Tests listed in expected_failures.txt must fail
(each line: test name, then the reason); any other failure, or an expected failure that now passes,
fails the run. Prints per-test status and the counts; the last line is 'N passed, N failed'.
Uses only the Python standard library.
"""
import argparse
import concurrent.futures as cf
import os
import subprocess
import sys
import tempfile


def load_xfail(path):
    xfail = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            xfail[name] = reason.strip()
    return xfail


def supported(ferrite, model):
    r = subprocess.run([ferrite, "ops", "--check", model], capture_output=True, text=True)
    return r.returncode == 0


def run_test(ferrite, test_dir, work, target, timeout):
    name = os.path.basename(test_dir)
    data = os.path.join(test_dir, "test_data_set_0")
    inputs = sorted(f for f in os.listdir(data) if f.startswith("input_"))
    outputs = sorted(f for f in os.listdir(data) if f.startswith("output_"))
    inputs.sort(key=lambda f: int(f[6:-3]))
    outputs.sort(key=lambda f: int(f[7:-3]))
    cmd = [ferrite, "run", os.path.join(test_dir, "model.onnx"), "--name", "m", "--quiet",
           "--output-dir", os.path.join(work, name), "--target", target, "--rtol", "1e-3", "--atol", "1e-7",
           "--timeout", str(timeout)]
    for f in inputs:
        cmd += ["--input", os.path.join(data, f)]
    for f in outputs:
        cmd += ["--reference", os.path.join(data, f)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    msg = (r.stdout + r.stderr).strip()
    return name, r.returncode == 0, msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ferrite", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--xfail", default=os.path.join(os.path.dirname(__file__), "expected_failures.txt"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--target", default="host")
    ap.add_argument("--filter", default="", help="only tests whose name contains this (or one of these, comma-separated)")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    if not os.path.isdir(args.data):
        print(f"node test data not found at {args.data} (apt-get install libonnx-testdata)")
        print("0 passed, 1 failed")
        return 1
    xfail = load_xfail(args.xfail)
    words = args.filter.split(",")
    tests = sorted(d for d in os.listdir(args.data) if any(w in d for w in words))
    candidates = [t for t in tests if supported(args.ferrite, os.path.join(args.data, t, "model.onnx"))]
    unknown = sorted(set(xfail) - set(candidates))
    print(f"{len(tests)} node tests, {len(candidates)} use only supported operators, "
          f"{len(xfail)} expected failures listed")

    work = tempfile.mkdtemp(prefix="ferrite-conformance-")
    results = {}
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_test, args.ferrite, os.path.join(args.data, t), work, args.target, args.timeout)
                for t in candidates]
        for fut in cf.as_completed(futs):
            name, ok, msg = fut.result()
            results[name] = (ok, msg)

    passed = xfailed = 0
    unexpected = []
    for name in candidates:
        ok, msg = results[name]
        if name in xfail:
            if ok:
                unexpected.append((name, "XPASS", "listed as an expected failure but passes now; remove it from the list"))
            else:
                xfailed += 1
                if args.verbose:
                    print(f"  xfail {name}: {xfail[name]}")
        elif ok:
            passed += 1
            if args.verbose:
                print(f"  pass  {name}")
        else:
            unexpected.append((name, "FAIL", msg))
    for name in unknown:
        if args.filter == "":
            unexpected.append((name, "STALE", "listed in expected_failures.txt but not a candidate test"))
    for name, kind, msg in unexpected:
        print(f"  {kind} {name}\n    " + msg.replace("\n", "\n    ")[:3000])
    must_pass = len(candidates) - len(set(xfail) & set(candidates))
    print(f"conformance ({args.target}): {passed}/{must_pass} supported tests pass "
          f"({100.0 * passed / max(must_pass, 1):.1f} %), {xfailed} expected failures, {len(unexpected)} unexpected")
    if not unexpected:
        subprocess.run(["rm", "-rf", work])
    print(f"{passed + xfailed} passed, {len(unexpected)} failed")
    return 0 if not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
