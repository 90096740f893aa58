// TFLite int8 ADD (add_s8_tfl in tflite_s8/tflite_s8.h) on cores with the DSP extension
// (M4/M7/M33), same-shape operands. Needs binary_s8/binary_s8.h and conv_s8/dsp_s8_common.h pasted
// before it. Bit-identical to add_s8_tfl for the layers its rule admits.
//
//   add_s8_dsp_tfl(p, a, b, q, y, table)   y may alias a or b (each y[i] is written after a[i], b[i]
//                                          are read); q: add_s8_tfl's constants (unused here).
// The two input terms of TFLite's AddElementwise depend on one int8 value each, so the compiler
// tabulates them with the reference's own arithmetic (ferrite::kernels::pack_add_s8_dsp_tfl in
// compiler/kernels/pack_binary_s8.h): table = int32 A[256], B[256] (indexed by value + 128,
// A[v] = tfl_mbqm((v - a_zp) << left_shift, a_mult, a_shift), B likewise), then the output's 5
// DspRqTfl words (dsp_s8_common.h). Per element: s = A[a] + B[b], then the DspRqTfl epilogue and
// the zero-point/clamp table: exact when max|A| + max|B| satisfies the epilogue's bound, which the
// packer checks (else the layer keeps add_s8_tfl).
inline void add_s8_dsp_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* /*q*/, int8_t* y,
                           const void* table) {
  const int32_t* ta = static_cast<const int32_t*>(table) + 128;
  const int32_t* tb = ta + 256;
  const DspTflRq rq = DspRqTfl::at(ta + 384, 0);
  int8_t tstore[512];
  const int8_t* tbl = dsp_requant_table(tstore, p.y_zp, p.act_min, p.act_max);
  const int32_t n = p.total;
  int32_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const int32_t s0 = ta[a[i]] + tb[b[i]];
    const int32_t s1 = ta[a[i + 1]] + tb[b[i + 1]];
    const int32_t q0 = dsp_tfl_idx(s0, rq), q1 = dsp_tfl_idx(s1, rq);
    y[i] = tbl[q0];
    y[i + 1] = tbl[q1];
  }
  if (i < n) y[i] = tbl[dsp_tfl_idx(ta[a[i]] + tb[b[i]], rq)];
}
