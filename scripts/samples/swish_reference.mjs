#!/usr/bin/env node
// ONNX Runtime references for the SiLU/HardSwish models (tests/data/swish, made by
// scripts/models/make_swish_blocks.py) and, given that directory, the GELU/Mish/LayerNorm models
// (tests/data/gelu, scripts/models/make_gelu_blocks.py and make_layernorm_expanded.py): runs
// <model>_op<opset>.onnx, or <model>_<file>.onnx for an entry with "files" (CPU, 1 thread,
// graphOptimizationLevel 'all') on each entry of <model>_input.npy ([N, 1, C, H, W]) and writes
// <model>_op<opset>_ort.npy / <model>_<file>_ort.npy ([N, 1, classes]).
//
// usage: node scripts/samples/swish_reference.mjs [DIR]   (after npm install in scripts/samples)
//        node scripts/samples/swish_reference.mjs tests/data/gelu
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const DIR = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'data', 'swish');

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
for (const [name, m] of Object.entries(man)) {
  const x = readF32Npy(path.join(DIR, `${name}_input.npy`));
  const n = x.shape[0];
  const per = x.data.length / n;
  // <model>_op<opset>.onnx for each opset, or <model>_<file>.onnx for each of the entry's files.
  for (const file of m.files ?? m.opsets.map((o) => `op${o}`)) {
    const s = await ort.InferenceSession.create(path.join(DIR, `${name}_${file}.onnx`),
      { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const outs = [];
    let dims;
    for (let i = 0; i < n; i++) {
      const r = await s.run({ input: new ort.Tensor('float32', x.data.slice(i * per, (i + 1) * per), x.shape.slice(1)) });
      outs.push(r.output.data);
      dims = r.output.dims;
    }
    const all = new Float32Array(outs.reduce((a, o) => a + o.length, 0));
    outs.forEach((o, i) => all.set(o, i * o.length));
    writeF32Npy(path.join(DIR, `${name}_${file}_ort.npy`), all, [n, ...dims]);
    console.log(`${name} ${file}: ${n} x ${dims.join('x')}`);
  }
}
console.log(`onnxruntime-node ${ort.env.versions.common}`);
