// int8 max pooling (maxpool_s8_nhwc in pool_s8.h) on cores with the DSP extension (M4/M7/M33).
// Needs conv_s8/dsp_s8_common.h pasted before it (FERRITE_DSP_SIMD; without the DSP extension the
// same code compiles to portable byte-wise C++). Bit-identical to maxpool_s8_nhwc; same arguments;
// y must not alias x.
//
//   maxpool_s8_dsp(p, x, y)     selection rule (compiler/kernels/pack_pool_s8.h):
//                               act_min <= act_max inside int8
//
// Per output pixel the in-range window [ky0, ky1) x [kx0, kx1) is computed once (no per-tap bounds
// tests); channels in groups of 4, one word per tap: SSUB8 sets the GE flag of each byte lane
// where x - m >= 0 (signed, exact: the flags come from the unwrapped difference) and SEL keeps the
// larger byte, so 4 running maxima cost 3 instructions per tap (load, SSUB8, SEL). The maxima start
// at -128 (the reference's value for a window without in-range taps) and end with the activation
// clamp max(m, act_min) then min(m, act_max) by the same pair; the reference's clamp
// (q < lo ? lo : (q > hi ? hi : q)) is the same for lo <= hi. The last C % 4 channels are scalar.

#if FERRITE_DSP_SIMD
// Byte-wise signed max of a and b (SSUB8 + SEL in one asm: SEL reads the GE flags SSUB8 sets).
inline uint32_t maxpool_dsp_max4(uint32_t a, uint32_t b) {
  uint32_t t, r;
  __asm__("ssub8 %0, %2, %3\n\tsel %1, %2, %3" : "=&r"(t), "=r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
#else
inline uint32_t maxpool_dsp_max4(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  for (int k = 0; k < 32; k += 8) {
    const int8_t va = static_cast<int8_t>(static_cast<uint8_t>(a >> k));
    const int8_t vb = static_cast<int8_t>(static_cast<uint8_t>(b >> k));
    r |= static_cast<uint32_t>(static_cast<uint8_t>(va >= vb ? va : vb)) << k;
  }
  return r;
}
#endif
// Byte-wise signed min: min(a, b) = the byte of b where a >= b, else a.
inline uint32_t maxpool_dsp_min4(uint32_t a, uint32_t b) {
  const uint32_t mx = maxpool_dsp_max4(a, b);
  return a ^ b ^ mx;  // per byte: the one of a, b that is not the max
}

inline void maxpool_s8_dsp(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t C = p.c;
  const int32_t groups = C >> 2;
  const uint32_t lo4 = 0x01010101u * static_cast<uint8_t>(static_cast<int8_t>(p.act_min));
  const uint32_t hi4 = 0x01010101u * static_cast<uint8_t>(static_cast<int8_t>(p.act_max));
  const size_t row = static_cast<size_t>(p.w_in) * static_cast<size_t>(C);
  const size_t tap_step = static_cast<size_t>(p.dil_w) * static_cast<size_t>(C);
  const size_t row_step = static_cast<size_t>(p.dil_h) * row;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * row;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      int32_t ky0, ky1;
      pool_s8_window(hs, p.kh, p.dil_h, p.h_in, &ky0, &ky1);
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int32_t kx0, kx1;
        pool_s8_window(ws, p.kw, p.dil_w, p.w_in, &kx0, &kx1);
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             static_cast<size_t>(C);
        const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        const int8_t* x0 = rows > 0 && cols > 0
                               ? xn + static_cast<size_t>(hs + ky0 * p.dil_h) * row +
                                     static_cast<size_t>(ws + kx0 * p.dil_w) * static_cast<size_t>(C)
                               : xn;
        for (int32_t g = 0; g < groups; ++g) {
          uint32_t m = 0x80808080u;
          const int8_t* r = x0 + 4 * g;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t* q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) {
              uint32_t w;
              std::memcpy(&w, q, 4);
              m = maxpool_dsp_max4(w, m);
            }
          }
          m = maxpool_dsp_min4(maxpool_dsp_max4(m, lo4), hi4);
          std::memcpy(yp + 4 * g, &m, 4);
        }
        for (int32_t c = 4 * groups; c < C; ++c) {
          int32_t m = -128;
          const int8_t* r = x0 + c;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t* q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) m = *q > m ? *q : m;
          }
          m = m < p.act_min ? p.act_min : m;
          yp[c] = static_cast<int8_t>(m > p.act_max ? p.act_max : m);
        }
      }
    }
  }
}
