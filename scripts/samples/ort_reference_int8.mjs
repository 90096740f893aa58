#!/usr/bin/env node
// ONNX Runtime runner for Ferrite's int8 samples (called by make_int8_samples.py).
//
// Usage: node scripts/samples/ort_reference_int8.mjs JOBS.json
//
// JOBS.json = { "jobs": [ { "model": "a.onnx", "inputs": "x.npy", "batch": 1,
//                           "outputs": { "all": "y_all.npy", "disabled": "y_dis.npy" },
//                           "optimized_model": "opt.onnx" (optional) }, ... ] }
// `inputs` is a float32 .npy of shape [N, ...]; with batch 1 every row is fed as
// its own tensor of shape inputs.shape[1:] (which already has the model's batch
// dim 1); with batch B > 1, B rows at a time are fed as one tensor of shape
// [B, ...inputs.shape[1:]] (dynamic-batch models). Output files get shape
// [N, ...model output shape] (batch 1) or [N, ...output shape[1:]] (batch B),
// dtype float32 or uint8 following the model output.
//
// Session settings (onnxruntime-node, CPU, single thread):
//   all      graphOptimizationLevel 'all', extra.session.x64quantprecision = '1'
//            (QDQ groups are fused into integer kernels; without x64quantprecision
//            the U8S8 AVX2 kernels of these non-VNNI CPUs saturate 16-bit sums)
//   disabled graphOptimizationLevel 'disabled' (QDQ graph runs as float ops
//            between QuantizeLinear/DequantizeLinear, the ONNX-spec semantics)

import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const DTYPES = {
  '<f4': { ctor: Float32Array, size: 4 },
  '|u1': { ctor: Uint8Array, size: 1 },
  '<u1': { ctor: Uint8Array, size: 1 },
  '|i1': { ctor: Int8Array, size: 1 },
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${file}: not a .npy file`);
  }
  const major = buf.readUInt8(6);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', off, off + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)[1];
  if (!/'fortran_order'\s*:\s*False/.test(header)) throw new Error(`${file}: fortran order`);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)[1].split(',')
    .map((s) => s.trim()).filter((s) => s.length).map(Number);
  const dt = DTYPES[descr];
  if (!dt) throw new Error(`${file}: unsupported dtype ${descr}`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = off + headerLen;
  const data = new dt.ctor(count);
  new Uint8Array(data.buffer).set(buf.subarray(start, start + count * dt.size));
  return { descr, shape, data };
}

function writeNpy(file, data, shape) {
  let descr;
  if (data instanceof Float32Array) descr = '<f4';
  else if (data instanceof Uint8Array) descr = '|u1';
  else if (data instanceof Int8Array) descr = '|i1';
  else throw new Error('writeNpy: unsupported array type');
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
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

function sessionOptions(level, optimizedModel) {
  const o = {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: level,
    logSeverityLevel: 3,
  };
  if (level === 'all') o.extra = { session: { x64quantprecision: '1' } };
  if (optimizedModel) o.optimizedModelFilePath = optimizedModel;
  return o;
}

async function runJob(job) {
  const x = readNpy(job.inputs);
  if (x.descr !== '<f4') throw new Error(`${job.inputs}: inputs must be float32`);
  const n = x.shape[0];
  const rowShape = x.shape.slice(1);
  const per = rowShape.reduce((a, b) => a * b, 1);
  const B = job.batch || 1;
  for (const level of Object.keys(job.outputs)) {
    const t0 = Date.now();
    const session = await ort.InferenceSession.create(
      job.model, sessionOptions(level, level === 'all' ? job.optimized_model : undefined));
    const inName = session.inputNames[0];
    const outName = session.outputNames[0];
    let outData = null;
    let outRowShape = null;
    let outPer = 0;
    for (let i = 0; i < n; i += B) {
      const b = Math.min(B, n - i);
      const shape = B === 1 ? rowShape : [b, ...rowShape];
      const feeds = { [inName]: new ort.Tensor('float32', x.data.slice(i * per, (i + b) * per), shape) };
      const res = (await session.run(feeds))[outName];
      if (outData === null) {
        outRowShape = B === 1 ? res.dims.slice() : res.dims.slice(1);
        outPer = outRowShape.reduce((a, c) => a * c, 1);
        outData = new res.data.constructor(n * outPer);
      }
      outData.set(res.data, i * outPer);
    }
    writeNpy(job.outputs[level], outData, [n, ...outRowShape]);
    console.log(`  ${path.basename(path.dirname(job.outputs[level]))}/${path.basename(job.outputs[level])}: `
      + `${path.basename(job.model)} x ${n} (${level}, batch ${B}) ${Date.now() - t0} ms`);
    await session.release();
  }
}

async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).jobs;
  console.log(`onnxruntime-node ${ort.env.versions.common}, 1 thread`);
  for (const j of jobs) await runJob(j);
  fs.writeFileSync(process.argv[2] + '.version', ort.env.versions.common);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
