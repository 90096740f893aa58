// Helium (MVE) int8 fully connected layer for Armv8.1-M (Cortex-M55): fc_s8 (fc_s8.h) with int8
// output. Bit-identical to fc_s8 for every input the rule fc_s8_mve_applies
// (compiler/kernels/pack_s8_mve.h) admits. Needs <arm_mve.h> before the ferrite_rt namespace and
// conv1x1_s8_mve.h pasted before this file (pointwise core and requantization helpers).
//
// Packed operands (pack_fc_s8_mve): the pointwise layout of conv1x1_s8_mve.h with c_in =
// in_features, c_out = out_features (w_zp == 0): int8 [out][K16] (K16 = round_up(in, 16); rows of
// 32 bytes when in <= 8), bias int32 [out] = bias[j] - in_zp * sum_k w[j][k].
//
// Algorithm: rows >= 4: the pointwise core (4 rows per group against every output, VMLADAV over
// 16 inputs). rows < 4 (e.g. a classifier on one feature vector): per row, 4 outputs at a time:
// per 16 inputs one input load, 4 weight loads and 4 VMLADAVA; bias and scale as vectors, one
// contiguous 4-byte store (the last 1-3 outputs under a lane predicate). Requantization and its
// exactness as in mve_s8_common.h; per_channel == 0 uses scale[0] for every output.

// Requantization of outputs j..j+3 (lanes; pj: the lanes inside the layer) for fc_s8_mve_rows.
template <int SSTEP>
__attribute__((always_inline)) inline int32x4_t fc_s8_mve_requant4(int32x4_t acc, const float* scale, int32_t j,
                                                                   mve_pred16_t pj, float32x4_t lo, float32x4_t hi,
                                                                   int32_t zp) {
  const float32x4_t sc = SSTEP ? vldrwq_z_f32(scale + j, pj) : vdupq_n_f32(scale[0]);
  return conv_s8_mve_requant_v(acc, sc, lo, hi, zp);
}
template <int SSTEP>
__attribute__((always_inline)) inline int32x4_t fc_s8_mve_requant4(int32x4_t acc, const int32_t* qm, int32_t j,
                                                                   mve_pred16_t pj, float32x4_t lo, float32x4_t,
                                                                   int32_t zp) {
  const uint32x4_t off = vmulq_n_u32(vidupq_n_u32(0, 1), 3u);  // words of outputs j..j+3 in [out][3]
  const int32_t* q = qm + 3 * j;
  return conv_s8_mve_requant_tfl_v(acc, vldrwq_gather_shifted_offset_z_s32(q, off, pj),
                                   vldrwq_gather_shifted_offset_z_s32(q + 1, off, pj),
                                   vldrwq_gather_shifted_offset_z_s32(q + 2, off, pj), vreinterpretq_s16_f32(lo), zp);
}

template <int SSTEP, class Rq = MveRqF32>
inline void fc_s8_mve_rows(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                           const typename Rq::Q* scale, int8_t* y) {
  const int32_t K = p.in_features, N = p.out_features;
  const int32_t chunks = (K + 15) >> 4;
  const int32_t wstride = K <= 8 ? 32 : 16 * chunks;
  const mve_pred16_t ptail = vctp8q(static_cast<uint32_t>(K - (chunks - 1) * 16));
  const float32x4_t lo = Rq::lo(p.act_min, p.act_max, p.out_zp);
  const float32x4_t hi = Rq::hi(p.act_min, p.act_max, p.out_zp);
  for (int32_t r = 0; r < p.rows; ++r) {
    const int8_t* xr = x + static_cast<size_t>(r) * static_cast<size_t>(K);
    int8_t* yr = y + static_cast<size_t>(r) * static_cast<size_t>(N);
    for (int32_t j = 0; j < N; j += 4) {
      const int32_t nj = N - j < 4 ? N - j : 4;
      // Weight rows of outputs j..j+3 (repeating the last one past N).
      const int8_t* w0 = w + static_cast<size_t>(j) * static_cast<size_t>(wstride);
      const int8_t* w1 = nj > 1 ? w0 + wstride : w0;
      const int8_t* w2 = nj > 2 ? w0 + 2 * wstride : w0;
      const int8_t* w3 = nj > 3 ? w0 + 3 * wstride : w0;
      const int8_t* xp = xr;
      int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (int32_t k = 1; k < chunks; ++k) {
        const int8x16_t xv = vldrbq_s8(xp);
        a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w0));
        a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1));
        a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2));
        a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3));
        xp += 16;
        w0 += 16;
        w1 += 16;
        w2 += 16;
        w3 += 16;
      }
      const int8x16_t xv = vldrbq_z_s8(xp, ptail);
      a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w0));
      a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1));
      a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2));
      a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3));
      const mve_pred16_t pj = vctp32q(static_cast<uint32_t>(nj));
      const int32x4_t acc = vaddq_s32(conv_s8_mve_vec4(a0, a1, a2, a3), vldrwq_z_s32(bias + j, pj));
      vstrbq_p_s32(yr + j, fc_s8_mve_requant4<SSTEP>(acc, scale, j, pj, lo, hi, p.out_zp), pj);
    }
  }
}

// x: int8 [rows][in_features]; w, bias: packed as above; scale: float [out_features] (or [1] when
// per_channel == 0); y: int8 [rows][out_features], must not alias x.
inline void fc_s8_mve(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale,
                      void* y_) {
  int8_t* const y = static_cast<int8_t*>(y_);
  if (p.rows >= 4) {
    const PwS8Mve a{p.rows, p.in_features, p.out_features, p.out_zp, p.act_min, p.act_max};
    if (p.per_channel)
      conv1x1_s8_mve_core<4>(a, x, w, bias, scale, y);
    else
      conv1x1_s8_mve_core<0>(a, x, w, bias, scale, y);
  } else if (p.per_channel) {
    fc_s8_mve_rows<4>(p, x, w, bias, scale, y);
  } else {
    fc_s8_mve_rows<0>(p, x, w, bias, scale, y);
  }
}

// TFLite requantization (qm: int32 [out_features][3] from pack_requant_s8_mve_tfl, always per
// output): the same kernel bodies with the MveRqTfl policy (mve_s8_common.h).
inline void fc_s8_mve_tfl(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                          const int32_t* qm, void* y_) {
  int8_t* const y = static_cast<int8_t*>(y_);
  if (p.rows >= 4) {
    const PwS8Mve a{p.rows, p.in_features, p.out_features, p.out_zp, p.act_min, p.act_max};
    conv1x1_s8_mve_core<4, MveRqTfl>(a, x, w, bias, qm, y);
  } else {
    fc_s8_mve_rows<4, MveRqTfl>(p, x, w, bias, qm, y);
  }
}
