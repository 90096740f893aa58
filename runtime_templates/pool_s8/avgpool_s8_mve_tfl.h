// Helium (MVE, Cortex-M55) TFLite int8 AVERAGE_POOL_2D: avgpool_s8_nhwc_tfl (tflite_s8/tflite_s8.h)
// bit for bit. Needs <arm_mve.h> before the ferrite_rt namespace and pool_s8/pool_s8.h pasted
// before this file. Same arguments; y must not alias x.
//
//   avgpool_s8_mve_tfl(p, x, y)   selection rule (compiler/kernels/pack_pool_s8.h): dilation 1,
//                                 act_min <= act_max inside int8, kh * kw <= 2^22
//
// As avgpool_s8_dsp_tfl.h: the in-range window of each output pixel computed once (a window as
// wide as the input, e.g. a whole-input pool, is one run of rows * w_in positions); 32 channels per
// block (four 8-lane int16 vectors; the last C % 32 channels 16 at a time, lane-predicated): per
// tap a VLDRB.S16 + VADD.I16 per 8 channels; int16 lanes are exact for 256 taps (|sum| <= 128 * 256), then VMOVLB / VMOVLT
// widen the even and odd lanes into int32 sums. Division for windows of 2 to 4096 taps: + the bias
// 128 cnt + floor(cnt / 2) (minus the sign bit for even cnt: VSHR + VSUB), VMULH.U32 by
// m = tfl_pool_recip(cnt), - 128 (proof in pool_s8.h); one tap is the sum itself, no tap 0, as the
// reference. Larger windows divide lane by lane (tfl_pool_round_div). Clamp VMAX / VMIN (the
// reference's clamp for act_min <= act_max), VMOVNB / VMOVNT back in channel order, one predicated
// VSTRB.16 per 8 outputs.


// The quotient of 4 sums by cnt (set()), clamped to [lo, hi].
struct AvgPoolTflMveDiv {
  int32_t cnt;
  uint32_t k, m;
  bool even;
  int32x4_t lo, hi;
  void set(int32_t taps) {
    cnt = taps;
    k = tfl_pool_bias(taps);
    m = tfl_pool_recip(taps);
    even = (taps & 1) == 0;
  }
  __attribute__((always_inline)) int32x4_t operator()(int32x4_t acc) const {
    if (cnt > kTflPoolRecipMax) {
      int32_t a[4];
      vst1q_s32(a, acc);
      for (int i = 0; i < 4; ++i) a[i] = tfl_pool_round_div(a[i], cnt, 0u);
      acc = vld1q_s32(a);
    } else if (cnt <= 1) {  // one tap: the sum; no tap: 0
      if (cnt == 0) acc = vdupq_n_s32(0);
    } else {
      uint32x4_t u = vaddq_n_u32(vreinterpretq_u32_s32(acc), k);
      if (even) u = vsubq_u32(u, vshrq_n_u32(vreinterpretq_u32_s32(acc), 31));
      acc = vsubq_n_s32(vreinterpretq_s32_u32(vmulhq_u32(u, vdupq_n_u32(m))), 128);
    }
    return vminq_s32(vmaxq_s32(acc, lo), hi);
  }
};

// The 8 * V channels at x0 (predicated by pr[v] per 8 channels unless Full) over `rows` runs of
// `cols` taps: int16 lane sums, folded into the int32 sums e / o (even / odd lanes) every 256
// taps, then divided and stored at y.
template <int V, bool Full>
__attribute__((always_inline)) inline void avgpool_tfl_mve_block(const int8_t* x0, int32_t rows, int32_t cols,
                                                                 size_t row_step, size_t C, const mve_pred16_t* pr,
                                                                 const AvgPoolTflMveDiv& div, int8_t* y) {
  int16x8_t a[V];
  int32x4_t e[V], o[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) {
    a[v] = vdupq_n_s16(0);
    e[v] = o[v] = vdupq_n_s32(0);
  }
  int32_t pending = 0;  // taps in the int16 lanes
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* q = x0 + static_cast<size_t>(r) * row_step;
    for (int32_t k = 0; k < cols;) {
      int32_t chunk = 256 - pending;
      chunk = chunk < cols - k ? chunk : cols - k;
      k += chunk;
      pending += chunk;
      if constexpr (Full && V == 4) {
        // GCC spends 5 address instructions per tap on these loads: a low-overhead loop of 10.
        if (chunk > 0) {
          int16x8_t t;
          __asm__(
              "dls lr, %[n]\n"
              "1:\n\t"
              "vldrb.s16 %q[t], [%[q]]\n\t"
              "vadd.i16 %q[a0], %q[a0], %q[t]\n\t"
              "vldrb.s16 %q[t], [%[q], #8]\n\t"
              "vadd.i16 %q[a1], %q[a1], %q[t]\n\t"
              "vldrb.s16 %q[t], [%[q], #16]\n\t"
              "vadd.i16 %q[a2], %q[a2], %q[t]\n\t"
              "vldrb.s16 %q[t], [%[q], #24]\n\t"
              "vadd.i16 %q[a3], %q[a3], %q[t]\n\t"
              "add %[q], %[q], %[C]\n\t"
              "le lr, 1b"
              : [a0] "+w"(a[0]), [a1] "+w"(a[1]), [a2] "+w"(a[2]), [a3] "+w"(a[3]), [q] "+l"(q), [t] "=&w"(t)
              : [n] "r"(chunk), [C] "r"(C), "m"(*reinterpret_cast<const int8_t(*)[1]>(q))
              : "lr", "memory");
        }
      } else {
        for (; chunk > 0; --chunk, q += C) {
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v)
            a[v] = vaddq_s16(a[v], Full ? vldrbq_s16(q + 8 * v) : vldrbq_z_s16(q + 8 * v, pr[v]));
        }
      }
      if (pending == 256) {
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) {
          e[v] = vaddq_s32(e[v], vmovlbq_s16(a[v]));
          o[v] = vaddq_s32(o[v], vmovltq_s16(a[v]));
          a[v] = vdupq_n_s16(0);
        }
        pending = 0;
      }
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) {
    int16x8_t t = vdupq_n_s16(0);
    t = vmovnbq_s32(t, div(vaddq_s32(e[v], vmovlbq_s16(a[v]))));
    t = vmovntq_s32(t, div(vaddq_s32(o[v], vmovltq_s16(a[v]))));
    if (Full)
      vstrbq_s16(y + 8 * v, t);
    else
      vstrbq_p_s16(y + 8 * v, t, pr[v]);
  }
}

inline void avgpool_s8_mve_tfl(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t C = p.c;
  const size_t Cs = static_cast<size_t>(C);
  const size_t row = static_cast<size_t>(p.w_in) * Cs;
  AvgPoolTflMveDiv div;
  div.lo = vdupq_n_s32(p.act_min);
  div.hi = vdupq_n_s32(p.act_max);
  // (always_inline: an out-of-line lambda reloads its captures per tap block.)
  const auto pixel = [&](const int8_t* x0, int32_t rows, int32_t cols, int32_t cnt,
                         int8_t* yp) __attribute__((always_inline)) {
    div.set(cnt);
    int32_t c = 0;
    for (; c + 32 <= C; c += 32)  // blocks of 32 channels: 4 VLDRB.S16 + 4 VADD.I16 per tap
      avgpool_tfl_mve_block<4, true>(x0 + c, rows, cols, row, Cs, nullptr, div, yp + c);
    for (; c < C; c += 16) {  // the last C % 32 channels, 16 at a time, lane-predicated
      const int32_t left = C - c;
      const mve_pred16_t pr[2] = {vctp16q(static_cast<uint32_t>(left)),
                                  vctp16q(static_cast<uint32_t>(left > 8 ? left - 8 : 0))};
      avgpool_tfl_mve_block<2, false>(x0 + c, rows, cols, row, Cs, pr, div, yp + c);
    }
  };
  avgpool_s8_tfl_windows(p, x, y, pixel);
}
