// TFLite int8 AVERAGE_POOL_2D (avgpool_s8_nhwc_tfl in tflite_s8/tflite_s8.h) on cores with the DSP
// extension (M4/M7/M33). Needs pool_s8/pool_s8.h and conv_s8/dsp_s8_common.h pasted before it
// (without the DSP extension the same code compiles to portable C++ with the same results).
// Bit-identical to avgpool_s8_nhwc_tfl; same arguments; y must not alias x.
//
//   avgpool_s8_dsp_tfl(p, x, y)   selection rule (compiler/kernels/pack_pool_s8.h): dilation 1,
//                                 act_min <= act_max inside int8, kh * kw <= 2^22
//
// The reference sums the raw int8 values of the in-range taps of each window (padding is not
// counted), divides by their count rounding half away from zero and clamps to [act_min, act_max].
// Here the in-range window [ky0, ky1) x [kx0, kx1) is computed once per output pixel (no per-tap
// bounds tests); a window as wide as the input (every whole-input pool) is one run of
// rows * w_in consecutive positions. Channels in blocks of 16, then 4, then one by one: per tap one
// word load and SXTAB16 + SXTAB16 ROR #8 per 4 channels, summing channels (c, c + 2) and
// (c + 1, c + 3) in int16 lanes, exact for up to 256 taps (|sum| <= 128 * 256), folded into int32
// sums every 256 taps (16 channels: 13 instructions per tap with LDRD when the words are aligned,
// 15 otherwise). The int32 sums are the reference's (same values, order does not matter for
// integers). Division: the biased reciprocal multiply of pool_s8.h (one UMULL, no sign handling;
// proof there) for windows of 2 to 4096 taps, the sum itself for one tap, a division beyond; then
// the clamp, max then min (the reference's clamp for act_min <= act_max), skipped when the range is
// all of int8.

// Sums of the 4 * W channels at x0 (and x0 + i * C for later taps) over `rows` runs of `cols` taps
// (runs row_step bytes apart, taps C bytes apart) into s[0 .. 4W).
template <int W>
struct AvgPoolTflDspAcc {
  uint32_t e[W], o[W];  // int16 lanes: channels (4k, 4k + 2) and (4k + 1, 4k + 3)
  // s = the lanes (first fold) or s + the lanes; the lanes restart at 0.
  __attribute__((always_inline)) void fold(int32_t* s, bool first) {
#pragma GCC unroll 4
    for (int k = 0; k < W; ++k) {
      const int32_t b0 = first ? 0 : s[4 * k], b1 = first ? 0 : s[4 * k + 1];
      const int32_t b2 = first ? 0 : s[4 * k + 2], b3 = first ? 0 : s[4 * k + 3];
      s[4 * k] = b0 + dsp_pair_lo(e[k]);
      s[4 * k + 2] = b2 + dsp_pair_hi(e[k]);
      s[4 * k + 1] = b1 + dsp_pair_lo(o[k]);
      s[4 * k + 3] = b3 + dsp_pair_hi(o[k]);
      e[k] = o[k] = 0;
    }
  }
};
// Words k and k + 1 of x at q: two LDR (any alignment), or with Aligned (q 4-byte aligned) one
// LDRD (which needs word alignment; GCC splits a 64-bit load of 4-byte alignment into two LDR).
template <bool Aligned>
__attribute__((always_inline)) inline void avgpool_tfl_dsp_load2(const int8_t* q, int k, uint32_t& w0, uint32_t& w1) {
#if FERRITE_DSP_SIMD
  if constexpr (Aligned) {
    __asm__("ldrd %0, %1, [%2, %3]" : "=r"(w0), "=r"(w1) : "r"(q), "I"(4 * k), "m"(*(const int8_t(*)[8])(q + 4 * k)));
    return;
  }
#endif
  w0 = dsp_load_u32(q + 4 * k);
  w1 = dsp_load_u32(q + 4 * k + 4);
}
// Not inlined into the caller: compiled on its own the tap loop keeps its 8 accumulators, the
// pointer, the count and the stride in registers (inlined into a model's invoke() with constant
// parameters, GCC spilled one: 19 instead of 15 instructions per tap).
template <int W, bool Aligned>
__attribute__((noinline)) void avgpool_tfl_dsp_sum(const int8_t* x0, int32_t rows, int32_t cols, size_t row_step,
                                                   size_t C, int32_t* s) {
  AvgPoolTflDspAcc<W> a;
#pragma GCC unroll 4
  for (int k = 0; k < W; ++k) a.e[k] = a.o[k] = 0;
  bool first = true;    // s not written yet
  int32_t pending = 0;  // taps in the int16 lanes
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* q = x0 + static_cast<size_t>(r) * row_step;
    for (int32_t left = cols; left > 0;) {
      int32_t chunk = 256 - pending;
      chunk = chunk < left ? chunk : left;
      left -= chunk;
      pending += chunk;
      for (; chunk > 0; --chunk, q += C) {
        if constexpr (W == 1) {
          const uint32_t w = dsp_load_u32(q);
          a.e[0] = dsp_sxtab16(a.e[0], w);
          a.o[0] = dsp_sxtab16_ror8(a.o[0], w);
        } else {
#pragma GCC unroll 4
          for (int k = 0; k < W; k += 2) {
            uint32_t w0, w1;
            avgpool_tfl_dsp_load2<Aligned>(q, k, w0, w1);
            a.e[k] = dsp_sxtab16(a.e[k], w0);
            a.o[k] = dsp_sxtab16_ror8(a.o[k], w0);
            a.e[k + 1] = dsp_sxtab16(a.e[k + 1], w1);
            a.o[k + 1] = dsp_sxtab16_ror8(a.o[k + 1], w1);
          }
        }
      }
      if (pending == 256) {
        a.fold(s, first);
        first = false;
        pending = 0;
      }
    }
  }
  a.fold(s, first);
}

// y[i] = clamp(s[i] / cnt rounded half away from zero, lo, hi) for i < n, 2 <= cnt <= 4096, as
// floor(u / cnt) - 128 with u = s[i] + k, k = 128 cnt + floor(cnt / 2), minus 1 for negative sums
// when cnt is even (Even); floor(u / cnt) = (u * m) >> 32, m = tfl_pool_recip(cnt) (pool_s8.h has
// the proof and why this u gives the reference's quotient). Clamp: max then min, or none when
// [lo, hi] is the whole int8 range (the quotient of int8 sums is in [-128, 127]).
template <bool Even, bool Clamp>
inline void avgpool_tfl_dsp_div(const int32_t* s, int32_t n, uint32_t k, uint32_t m, int32_t lo, int32_t hi,
                                int8_t* y) {
  for (int32_t i = 0; i < n; ++i) {
    uint32_t u = static_cast<uint32_t>(s[i]) + k;
    if constexpr (Even) u -= static_cast<uint32_t>(s[i]) >> 31;
    int32_t v = static_cast<int32_t>((static_cast<uint64_t>(u) * m) >> 32) - 128;
    if constexpr (Clamp) {
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
    }
    y[i] = static_cast<int8_t>(v);
  }
}
inline void avgpool_tfl_dsp_out(const int32_t* s, int32_t n, int32_t cnt, uint32_t m, int32_t lo, int32_t hi,
                                int8_t* y) {
  if (cnt <= 1 || cnt > kTflPoolRecipMax) {  // no tap (0), one tap (the sum), or a division
    for (int32_t i = 0; i < n; ++i) {
      int32_t v = cnt == 0 ? 0 : tfl_pool_round_div(s[i], cnt, m);
      v = v < lo ? lo : v;
      y[i] = static_cast<int8_t>(v > hi ? hi : v);
    }
    return;
  }
  const uint32_t k = tfl_pool_bias(cnt);
  const bool clamp = lo != -128 || hi != 127;
  if (cnt & 1)
    clamp ? avgpool_tfl_dsp_div<false, true>(s, n, k, m, lo, hi, y) : avgpool_tfl_dsp_div<false, false>(s, n, k, m, lo, hi, y);
  else
    clamp ? avgpool_tfl_dsp_div<true, true>(s, n, k, m, lo, hi, y) : avgpool_tfl_dsp_div<true, false>(s, n, k, m, lo, hi, y);
}

inline void avgpool_s8_dsp_tfl(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t C = p.c;
  const size_t Cs = static_cast<size_t>(C);
  const size_t row = static_cast<size_t>(p.w_in) * Cs;
  int32_t s[16];
  // (always_inline: an out-of-line lambda reloads its captures per tap block.)
  const auto pixel = [&](const int8_t* x0, int32_t rows, int32_t cols, int32_t cnt,
                         int8_t* yp) __attribute__((always_inline)) {
    const uint32_t m = tfl_pool_recip(cnt);
    int32_t c = 0;
    // Word-aligned blocks (aligned x0, C % 4 == 0: every block of a typical layer) load by LDRD.
    const bool aligned = ((reinterpret_cast<uintptr_t>(x0) | Cs) & 3u) == 0;
    for (; c + 16 <= C; c += 16) {
      if (aligned)
        avgpool_tfl_dsp_sum<4, true>(x0 + c, rows, cols, row, Cs, s);
      else
        avgpool_tfl_dsp_sum<4, false>(x0 + c, rows, cols, row, Cs, s);
      avgpool_tfl_dsp_out(s, 16, cnt, m, p.act_min, p.act_max, yp + c);
    }
    for (; c + 4 <= C; c += 4) {
      avgpool_tfl_dsp_sum<1, false>(x0 + c, rows, cols, row, Cs, s);
      avgpool_tfl_dsp_out(s, 4, cnt, m, p.act_min, p.act_max, yp + c);
    }
    for (; c < C; ++c) {
      int32_t a = 0;
      for (int32_t r = 0; r < rows; ++r) {
        const int8_t* q = x0 + c + static_cast<size_t>(r) * row;
        for (int32_t k = 0; k < cols; ++k, q += Cs) a += *q;
      }
      avgpool_tfl_dsp_out(&a, 1, cnt, m, p.act_min, p.act_max, yp + c);
    }
  };
  avgpool_s8_tfl_windows(p, x, y, pixel);
}
