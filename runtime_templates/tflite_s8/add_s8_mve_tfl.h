// Helium (MVE, Cortex-M55) TFLite int8 ADD of two tensors of the same shape: add_s8_tfl
// (tflite_s8.h) for the case same_shape, bit-identical under the rule add_s8_mve_tfl_applies
// (compiler/kernels/pack_s8_mve.h). Needs <arm_mve.h>, binary_s8.h and mve_s8_common.h (its
// TFLite epilogue and proof) pasted before it.
//
// q: {left_shift, a_mult, a_shift, b_mult, b_shift, y_mult, y_shift} as add_s8_tfl takes it. Four
// elements per int32 vector: each input minus its zero point, shifted left by left_shift, goes
// through MultiplyByQuantizedMultiplier as the conv epilogue computes it (conv_s8_mve_tfl_mbqm:
// VSHL by ls, VSHR #31, two VQRDMLAH, VRSHL by post; mve_s8_common.h), the sum likewise with the output pair, + y_zp, the
// 16-bit clamp, byte store; the last 1-3 elements under a lane predicate. The rule guarantees the
// proof's bound |x| * 2^(ls + 1) < 2^31 for the three products from the constant q. In place
// (y == a or y == b) is allowed: every vector is read before it is written.

inline void add_s8_mve_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* q, int8_t* y) {
  auto ls = [](int32_t s) { return s > 0 ? s : 0; };
  auto post = [](int32_t s) { return -((s < 0 ? -s : 0) + 1); };
  const int32_t lsa = ls(q[2]), pa = post(q[2]), lsb = ls(q[4]), pb = post(q[4]), lsy = ls(q[6]), py = post(q[6]);
  const int32_t ma = q[1], mb = q[3], my = q[5], l0 = q[0];
  const int32_t azp = p.a_zp, bzp = p.b_zp, yzp = p.y_zp;
  const int16x8_t c = conv_s8_mve_tfl_clamp(p.act_min, p.act_max);
  for (int32_t i = 0; i < p.total; i += 4) {
    const mve_pred16_t pr = vctp32q(static_cast<uint32_t>(p.total - i));
    const int32x4_t xa = vshlq_r_s32(vsubq_n_s32(vldrbq_z_s32(a + i, pr), azp), l0);
    const int32x4_t xb = vshlq_r_s32(vsubq_n_s32(vldrbq_z_s32(b + i, pr), bzp), l0);
    const int32x4_t s = vaddq_s32(conv_s8_mve_tfl_mbqm(xa, lsa, ma, pa), conv_s8_mve_tfl_mbqm(xb, lsb, mb, pb));
    const int32x4_t r = vaddq_n_s32(conv_s8_mve_tfl_mbqm(s, lsy, my, py), yzp);
    vstrbq_p_s32(y + i, conv_s8_mve_tfl_clamp_apply(r, c), pr);
  }
}
