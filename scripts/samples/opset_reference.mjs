#!/usr/bin/env node
// ONNX Runtime references for the opset 18-23 test models (tests/data/opset, made by
// scripts/models/make_opset_models.py): for every case the manifest expects to compile, runs
// <case>.onnx on <case>_input.npy (CPU, 1 thread) and writes <case>_ref.npy. int8 QDQ cases run with
// graphOptimizationLevel 'all' and x64quantprecision (integer kernels, exact on CPUs without VNNI),
// float cases with 'all'. Records the onnxruntime-node version in the manifest.
//
// usage: node scripts/samples/opset_reference.mjs   (after npm install in scripts/samples)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'data', 'opset');

function readF32Npy(file) {
  const buf = fs.readFileSync(file);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + hlen);
  if (!header.includes("'<f4'")) throw new Error(`${file}: float32 expected`);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(buf.subarray(10 + hlen, 10 + hlen + 4 * n));
  return { shape, data };
}

function writeF32Npy(file, data, shape) {
  const s = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${s}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre.writeUInt8(1, 6);
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const man = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8'));
const version = ort.env.versions.common;
let failed = 0;
for (const [name, c] of Object.entries(man.cases)) {
  if (c.expect !== 'ok') continue;
  const o = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  if (c.int8) o.extra = { session: { x64quantprecision: '1' } };
  try {
    const s = await ort.InferenceSession.create(path.join(DIR, `${name}.onnx`), o);
    const x = readF32Npy(path.join(DIR, `${name}_input.npy`));
    const r = await s.run({ x: new ort.Tensor('float32', x.data, x.shape) });
    writeF32Npy(path.join(DIR, `${name}_ref.npy`), r.y.data, r.y.dims);
    console.log(`${name} (opset ${c.opset}): output ${r.y.dims.join('x')}`);
  } catch (e) {
    console.error(`${name} (opset ${c.opset}): ONNX Runtime ${version} fails: ${e.message}`);
    failed++;
  }
}
man.ort_version = version;
fs.writeFileSync(path.join(DIR, 'manifest.json'), JSON.stringify(man, null, 1) + '\n');
console.log(`onnxruntime-node ${version}; ${failed} failed`);
process.exit(failed ? 1 : 0);
