// int8 global average pooling (global_avgpool_s8_nhwc in pool_s8.h: QLinearGlobalAveragePool on
// NHWC data) on cores with the DSP extension and an FPU (M4F/M7/M33). Needs conv_s8/dsp_s8_common.h
// pasted before it. Bit-identical to global_avgpool_s8_nhwc; same arguments, in place allowed.
//
//   global_avgpool_s8_dsp(p, x, y)      selection rule (compiler/kernels/pool_s8_variants.cpp):
//                                       act_min <= act_max inside int8 and a finite requantization
//                                       scale in_scale / (out_scale * spatial)
//
// Channels in groups of 4: per spatial position one word load and two SXTAB16, summing channels
// (c, c + 2) and (c + 1, c + 3) in int16 lanes, exact for up to 256 positions (|sum| <= 128 * 256),
// folded into int32 sums every 256 positions. Requantization: dsp_requant_idx2 and the table of
// dsp_s8_common.h, whose proof covers the reference's requantize() followed by the clamp to
// [act_min, act_max] (clamp(clamp(t, -128, 127), lo, hi) = clamp(t, lo, hi) for lo, hi in int8).
// The last C % 4 channels are summed one by one.
// In place (y == x): a group's outputs are written after all its inputs are read, and they land on
// bytes (position 0, channels c .. c + 3) that no later group or channel reads.

#if FERRITE_DSP_SIMD
inline uint32_t gap_dsp_sxtab16(uint32_t acc, uint32_t x) {
  return static_cast<uint32_t>(__sxtab16(static_cast<int32_t>(acc), static_cast<int32_t>(x)));
}
inline uint32_t gap_dsp_sxtab16_ror8(uint32_t acc, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(x));
  return r;
}
#else
inline uint32_t gap_dsp_sxtab16(uint32_t acc, uint32_t x) {
  const uint32_t e = dsp_sxtb16(x);
  return ((acc + e) & 0xFFFFu) | (((acc >> 16) + (e >> 16)) << 16);
}
inline uint32_t gap_dsp_sxtab16_ror8(uint32_t acc, uint32_t x) { return gap_dsp_sxtab16(acc, (x >> 8) | (x << 24)); }
#endif
inline int32_t gap_dsp_lo(uint32_t v) { return static_cast<int16_t>(static_cast<uint16_t>(v & 0xFFFFu)); }
inline int32_t gap_dsp_hi(uint32_t v) { return static_cast<int16_t>(static_cast<uint16_t>(v >> 16)); }

inline void global_avgpool_s8_dsp(const GlobalPoolS8Params& p, const int8_t* x, int8_t* y) {
  const float denom = p.out_scale * static_cast<float>(p.spatial);
  const float scale = p.in_scale / denom;
  const int32_t bias = -p.in_zp * p.spatial;
  const int32_t C = p.c, S = p.spatial;
  int8_t table_store[512];
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  const int32_t groups = C >> 2;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(S) * static_cast<size_t>(C);
    int8_t* yn = y + static_cast<size_t>(n) * static_cast<size_t>(C);
    for (int32_t g = 0; g < groups; ++g) {
      int32_t a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      const int8_t* xp = xn + 4 * g;
      for (int32_t s0 = 0; s0 < S; s0 += 256) {
        const int32_t s1 = S - s0 < 256 ? S : s0 + 256;
        uint32_t e = 0, o = 0;
        for (int32_t s = s0; s < s1; ++s) {
          const uint32_t w = dsp_load_u32(xp);
          e = gap_dsp_sxtab16(e, w);
          o = gap_dsp_sxtab16_ror8(o, w);
          xp += C;
        }
        a0 += gap_dsp_lo(e);
        a2 += gap_dsp_hi(e);
        a1 += gap_dsp_lo(o);
        a3 += gap_dsp_hi(o);
      }
      dsp_requant_idx2(a0, a1, scale, scale);
      dsp_requant_idx2(a2, a3, scale, scale);
      int8_t* yp = yn + 4 * g;
      yp[0] = tbl[a0];
      yp[1] = tbl[a1];
      yp[2] = tbl[a2];
      yp[3] = tbl[a3];
    }
    for (int32_t c = 4 * groups; c < C; ++c) {
      int32_t acc = bias;
      for (int32_t s = 0; s < S; ++s) acc += xn[static_cast<size_t>(s) * static_cast<size_t>(C) + static_cast<size_t>(c)];
      dsp_requant_idx1(acc, scale);
      yn[c] = tbl[acc];
    }
  }
}
