#!/usr/bin/env node
// Reference outputs for Ferrite's bundled samples, computed with ONNX Runtime
// (onnxruntime-node, CPU, single thread, graphOptimizationLevel 'all').
//
// Usage (from anywhere):
//   node scripts/samples/ort_reference.mjs [--fashion-testset DIR] [name ...]
//
// For every sample samples/<name>/ (default: every directory with a model.onnx,
// except the int8 samples samples/*_int8, which make_int8_samples.py handles):
//   reads  input.npy, runs model.onnx, writes reference/output.npy
//   updates meta.json: ort_version, reference_max_abs (= max |ORT output|),
//   torch_vs_ort_max_abs_diff (vs reference/torch_output.npy, if present).
// For fashion_cnn, when --fashion-testset DIR is given (DIR holds
// fashion_test_x.npy / fashion_test_y.npy from fashion_testset_to_npy.py),
// also classifies the whole t10k set in batches of 1000 and writes
// samples/fashion_cnn/ort_test_predictions.bin (10000 x uint8 argmax) and
// meta.json test_accuracy_ort.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SAMPLES = path.resolve(HERE, '..', '..', 'samples');

// ---------------------------------------------------------------- .npy I/O

const DTYPES = {
  '<f4': { ctor: Float32Array, size: 4 },
  '|u1': { ctor: Uint8Array, size: 1 },
  '<u1': { ctor: Uint8Array, size: 1 },
  '|i1': { ctor: Int8Array, size: 1 },
  '<i4': { ctor: Int32Array, size: 4 },
};

export function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${file}: not a .npy file`);
  }
  const major = buf.readUInt8(6);
  let headerLen;
  let off;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    off = 10;
  } else if (major === 2 || major === 3) {
    headerLen = buf.readUInt32LE(8);
    off = 12;
  } else {
    throw new Error(`${file}: unsupported .npy version ${major}`);
  }
  const header = buf.toString('latin1', off, off + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeM) throw new Error(`${file}: bad header ${header}`);
  if (fortran[1] !== 'False') throw new Error(`${file}: fortran_order arrays not supported`);
  const dt = DTYPES[descr[1]];
  if (!dt) throw new Error(`${file}: unsupported dtype ${descr[1]}`);
  const shape = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = off + headerLen;
  if (buf.length - start !== count * dt.size) {
    throw new Error(`${file}: expected ${count * dt.size} data bytes, found ${buf.length - start}`);
  }
  // copy into a fresh, aligned ArrayBuffer (host is little-endian)
  const data = new dt.ctor(count);
  new Uint8Array(data.buffer).set(buf.subarray(start, start + count * dt.size));
  return { descr: descr[1], shape, data };
}

export function writeNpy(file, data, shape) {
  let descr;
  if (data instanceof Float32Array) descr = '<f4';
  else if (data instanceof Uint8Array) descr = '|u1';
  else throw new Error('writeNpy: only Float32Array / Uint8Array supported');
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // numpy pads so that magic + len + header (ending in '\n') is a multiple of 64
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre.writeUInt8(1, 6);
  pre.writeUInt8(0, 7);
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// ---------------------------------------------------------------- helpers

const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

function maxAbs(a) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error('length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmaxRows(data, rows, cols) {
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c] > data[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function writeJson(file, obj) {
  fs.writeFileSync(file, JSON.stringify(obj, null, 2) + '\n');
}

async function runOne(session, data, shape) {
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  const res = await session.run(feeds);
  const out = res[session.outputNames[0]];
  return { data: out.data, dims: out.dims.slice() };
}

// ---------------------------------------------------------------- main

async function sample(name, opts) {
  const dir = path.join(SAMPLES, name);
  const t0 = Date.now();
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), SESSION_OPTIONS);
  const x = readNpy(path.join(dir, 'input.npy'));
  if (x.descr !== '<f4') throw new Error(`${name}: input.npy must be float32`);
  const y = await runOne(session, x.data, x.shape);
  writeNpy(path.join(dir, 'reference', 'output.npy'), y.data, y.dims);

  const metaFile = path.join(dir, 'meta.json');
  const meta = fs.existsSync(metaFile) ? readJson(metaFile) : { name };
  meta.ort_version = ort.env.versions.common;
  meta.reference_max_abs = maxAbs(y.data);
  const torchFile = path.join(dir, 'reference', 'torch_output.npy');
  let line = `${name}: output [${y.dims}] max|y| ${meta.reference_max_abs.toExponential(4)}`;
  if (fs.existsSync(torchFile)) {
    const t = readNpy(torchFile);
    meta.torch_vs_ort_max_abs_diff = maxAbsDiff(t.data, y.data);
    line += `, |torch-ort| max ${meta.torch_vs_ort_max_abs_diff.toExponential(3)}`;
  }

  if (name === 'fashion_cnn' && opts.fashionDir) {
    const xs = readNpy(path.join(opts.fashionDir, 'fashion_test_x.npy'));
    const ys = readNpy(path.join(opts.fashionDir, 'fashion_test_y.npy'));
    const n = xs.shape[0];
    const per = xs.shape.slice(1).reduce((a, b) => a * b, 1);
    const preds = new Uint8Array(n);
    const B = 1000;
    for (let i = 0; i < n; i += B) {
      const b = Math.min(B, n - i);
      const out = await runOne(session, xs.data.subarray(i * per, (i + b) * per),
        [b, ...xs.shape.slice(1)]);
      preds.set(argmaxRows(out.data, b, out.dims[1]), i);
    }
    let correct = 0;
    for (let i = 0; i < n; i++) if (preds[i] === ys.data[i]) correct++;
    fs.writeFileSync(path.join(dir, 'ort_test_predictions.bin'), preds);
    meta.test_accuracy_ort = correct / n;
    meta.test_set = meta.test_set || 'Debian dataset-fashion-mnist t10k';
    const single = argmaxRows(y.data, 1, y.dims[1])[0];
    if (single !== preds[0]) throw new Error('fashion_cnn: batch-1 and batched argmax disagree');
    line += `, test accuracy ${(100 * meta.test_accuracy_ort).toFixed(2)}% (${correct}/${n})`;
  }
  writeJson(metaFile, meta);
  console.log(`${line} (${Date.now() - t0} ms)`);
}

async function main() {
  const args = process.argv.slice(2);
  const opts = { fashionDir: null };
  const names = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--fashion-testset') opts.fashionDir = args[++i];
    else names.push(args[i]);
  }
  if (names.length === 0) {
    for (const d of fs.readdirSync(SAMPLES).sort()) {
      // int8 samples (*_int8) have their own references: make_int8_samples.py
      if (d.endsWith('_int8')) continue;
      if (fs.existsSync(path.join(SAMPLES, d, 'model.onnx'))) names.push(d);
    }
  }
  if (names.includes('fashion_cnn') && !opts.fashionDir) {
    console.warn('warning: no --fashion-testset DIR given; skipping fashion_cnn test-set accuracy');
  }
  console.log(`onnxruntime-node ${ort.env.versions.common}, 1 thread, graphOptimizationLevel all`);
  for (const n of names) await sample(n, opts);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
