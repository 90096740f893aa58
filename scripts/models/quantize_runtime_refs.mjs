#!/usr/bin/env node
// ONNX Runtime references for tests/data/quantize_runtime (scripts/models/make_quantize_runtime.py):
// for every case the manifest expects to compile, runs <case>.onnx (CPU, 1 thread, graph
// optimizations 'all') on <case>_<input>.npy and writes the quantized output as <case>_ort.npy
// (uint8, int8 or float32). Records the onnxruntime-node version in the manifest.
//
// usage: node scripts/models/quantize_runtime_refs.mjs   (after npm install in scripts/samples)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ort = createRequire(path.join(HERE, '..', 'samples', 'package.json'))('onnxruntime-node');
const DIR = path.resolve(HERE, '..', '..', 'tests', 'data', 'quantize_runtime');

// A float32 or uint8 .npy: { type, shape, data }.
function readNpy(file) {
  const buf = fs.readFileSync(file);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + hlen);
  const f32 = header.includes("'<f4'");
  if (!f32 && !header.includes("'|u1'")) throw new Error(`${file}: float32 or uint8 expected`);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = f32 ? new Float32Array(n) : new Uint8Array(n);
  new Uint8Array(data.buffer).set(buf.subarray(10 + hlen, 10 + hlen + (f32 ? 4 : 1) * n));
  return { type: f32 ? 'float32' : 'uint8', shape, data };
}

function writeNpy(file, descr, data, shape) {
  const s = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${s}, }`;
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
  try {
    const s = await ort.InferenceSession.create(path.join(DIR, `${name}.onnx`), o);
    const feeds = {};
    for (const k of c.inputs) {
      const t = readNpy(path.join(DIR, `${name}_${k}.npy`));
      feeds[k] = new ort.Tensor(t.type, t.data, t.shape);
    }
    const r = await s.run(feeds);
    if (r.y.type !== c.output) throw new Error(`output is ${r.y.type}, expected ${c.output}`);
    const descr = { uint8: '|u1', int8: '|i1', float32: '<f4' }[c.output];
    writeNpy(path.join(DIR, `${name}_ort.npy`), descr, r.y.data, r.y.dims);
    console.log(`${name}: ${c.output} ${r.y.dims.join('x')}`);
  } catch (e) {
    console.error(`${name}: ONNX Runtime ${version} fails: ${e.message}`);
    failed++;
  }
}
man.ort_version = version;
fs.writeFileSync(path.join(DIR, 'manifest.json'), JSON.stringify(man, null, 1) + '\n');
process.exit(failed ? 1 : 0);
