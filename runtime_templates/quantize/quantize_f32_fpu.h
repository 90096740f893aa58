// QuantizeLinear float32 -> int8 (quantize_f32 in quantize.h, incl. the fused NCHW -> NHWC
// relayout of an input image) on a core with a single-precision FPU (M4F, M7, M33, M55).
// Bit-identical to quantize_f32; same arguments, same in-place rule.
//
//   quantize_f32_fpu(p, x, scale, zero_point, y)       selection rule: p.qmin == -128, p.qmax == 127
//                                                     (compiler/kernels/quantize_variants.cpp)
//
// Per block of 8 values of one channel plane: VLDM, 8 x VDIV by the channel's scale (the
// reference's true division), 8 x VCVTR (round to nearest, ties to even), a check of FPSCR.IOC,
// 4 VMOV pairs, 8 x (SSAT #9 + LDRSB from a 512-byte table T[i] = clamp(i + zp, -128, 127) + STRB
// with the output stride): 52 instructions per 8 values (6.5 per value; the reference: ~29).
//
// Exactness: v = x / s is the same IEEE division. While v is not NaN and |v| < 2^31, VCVTR gives
// R = round_half_even(v) without raising Invalid Operation; the reference returns
// round_half_even(clamp(v, -128 - zp, 127 - zp)) + zp = clamp(R + zp, -128, 127) (rounding is
// monotone and the bounds are integers), which is T[SSAT(R, 9)]: |R| <= 255 indexes it directly,
// and beyond, SSAT gives +-255/-256 whose entries are the same saturated values. A NaN (which the
// reference maps to -128) or |v| >= 2^31 makes VCVTR raise Invalid Operation (FPSCR.IOC, cleared
// on entry): the block is then left unstored and computed by the portable quantize_value_f32, as
// are the last I % 8 values of a plane.
// In place (the compiler's rule, see quantize_f32): each block's 8 floats are loaded before any of
// its bytes is stored, which is at least as safe as the reference's value-by-value order.

struct QuantizeFpuJob {
  const float* x;      // 0: first value of the run
  int8_t* y;           // 4: its output byte
  int32_t blocks;      // 8: blocks of 8 values, >= 1
  float scale;         // 12
  const int8_t* tbl;   // 16: table centre
  int32_t ystride;     // 20: output bytes between consecutive values
};

#if defined(__ARM_FP) && (__ARM_FP & 4)
static_assert(offsetof(QuantizeFpuJob, ystride) == 20, "QuantizeFpuJob offsets are hard-coded in the assembly");
#define FE_QF_BODY(STORE)                                                                            \
  "push {r4-r11, lr}\n\t"                                                                            \
  "ldr r8, [r0, #0]\n\t"                                                                             \
  "ldr r9, [r0, #4]\n\t"                                                                             \
  "ldr r11, [r0, #8]\n\t"                                                                            \
  "vldr s8, [r0, #12]\n\t"                                                                           \
  "ldr r10, [r0, #16]\n\t"                                                                           \
  "ldr lr, [r0, #20]\n\t"                                                                            \
  "vmov s9, r11\n\t"                                                                                 \
  "vmrs r12, fpscr\n\t"                                                                              \
  "bic r12, r12, #1\n\t"                                                                             \
  "vmsr fpscr, r12\n\t" /* IOC cleared */                                                            \
  "1:\n\t"                                                                                           \
  "vldmia r8, {s0-s7}\n\t"                                                                           \
  "vdiv.f32 s0, s0, s8\n\t" "vdiv.f32 s1, s1, s8\n\t" "vdiv.f32 s2, s2, s8\n\t" "vdiv.f32 s3, s3, s8\n\t" \
  "vdiv.f32 s4, s4, s8\n\t" "vdiv.f32 s5, s5, s8\n\t" "vdiv.f32 s6, s6, s8\n\t" "vdiv.f32 s7, s7, s8\n\t" \
  "vcvtr.s32.f32 s0, s0\n\t" "vcvtr.s32.f32 s1, s1\n\t" "vcvtr.s32.f32 s2, s2\n\t" "vcvtr.s32.f32 s3, s3\n\t" \
  "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t" "vcvtr.s32.f32 s6, s6\n\t" "vcvtr.s32.f32 s7, s7\n\t" \
  "vmrs r0, fpscr\n\t"                                                                               \
  "tst r0, #1\n\t"                                                                                   \
  "bne 9f\n\t" /* NaN or |v| >= 2^31 in this block: leave it to the caller */                       \
  "add r8, r8, #32\n\t"                                                                              \
  "vmov r0, r1, s0, s1\n\t"                                                                          \
  "vmov r2, r3, s2, s3\n\t"                                                                          \
  "vmov r4, r5, s4, s5\n\t"                                                                          \
  "vmov r6, r7, s6, s7\n\t"                                                                          \
  "ssat r0, #9, r0\n\t" "ssat r1, #9, r1\n\t" "ssat r2, #9, r2\n\t" "ssat r3, #9, r3\n\t"            \
  "ssat r4, #9, r4\n\t" "ssat r5, #9, r5\n\t" "ssat r6, #9, r6\n\t" "ssat r7, #9, r7\n\t"            \
  "ldrsb r0, [r10, r0]\n\t" "ldrsb r1, [r10, r1]\n\t" "ldrsb r2, [r10, r2]\n\t" "ldrsb r3, [r10, r3]\n\t" \
  "ldrsb r4, [r10, r4]\n\t" "ldrsb r5, [r10, r5]\n\t" "ldrsb r6, [r10, r6]\n\t" "ldrsb r7, [r10, r7]\n\t" \
  STORE                                                                                              \
  "subs r11, r11, #1\n\t"                                                                            \
  "bne 1b\n\t"                                                                                       \
  "9:\n\t"                                                                                           \
  "vmov r0, s9\n\t"                                                                                  \
  "sub r0, r0, r11\n\t" /* blocks done */                                                            \
  "pop {r4-r11, pc}\n\t"
#define FE_QF_STORE_IMM(S)                                                                           \
  "strb r0, [r9]\n\t" "strb r1, [r9, #" #S "*1]\n\t" "strb r2, [r9, #" #S "*2]\n\t"                  \
  "strb r3, [r9, #" #S "*3]\n\t" "strb r4, [r9, #" #S "*4]\n\t" "strb r5, [r9, #" #S "*5]\n\t"       \
  "strb r6, [r9, #" #S "*6]\n\t" "strb r7, [r9, #" #S "*7]\n\t" "add r9, r9, #" #S "*8\n\t"
#define FE_QF_STORE_REG                                                                              \
  "strb r0, [r9]\n\t" "strb r1, [r9, lr]\n\t" "add r9, r9, lr, lsl #1\n\t"                           \
  "strb r2, [r9]\n\t" "strb r3, [r9, lr]\n\t" "add r9, r9, lr, lsl #1\n\t"                           \
  "strb r4, [r9]\n\t" "strb r5, [r9, lr]\n\t" "add r9, r9, lr, lsl #1\n\t"                           \
  "strb r6, [r9]\n\t" "strb r7, [r9, lr]\n\t" "add r9, r9, lr, lsl #1\n\t"

// AAPCS: r0 = job, returns the blocks stored (all of them unless one raised Invalid Operation);
// preserves r4-r11 and s16-s31 (uses s0-s9).
__attribute__((naked, noinline)) inline int32_t quantize_f32_fpu_run1(const QuantizeFpuJob* /*job*/) {
  __asm__ volatile(FE_QF_BODY(FE_QF_STORE_IMM(1)));
}
__attribute__((naked, noinline)) inline int32_t quantize_f32_fpu_run3(const QuantizeFpuJob* /*job*/) {
  __asm__ volatile(FE_QF_BODY(FE_QF_STORE_IMM(3)));
}
__attribute__((naked, noinline)) inline int32_t quantize_f32_fpu_runr(const QuantizeFpuJob* /*job*/) {
  __asm__ volatile(FE_QF_BODY(FE_QF_STORE_REG));
}
#undef FE_QF_BODY
#undef FE_QF_STORE_IMM
#undef FE_QF_STORE_REG
#endif

// One run of `count` values of one channel (scale s, zero point zp, table t centred) with output
// stride ys.
inline void quantize_f32_fpu_span(const float* x, uint8_t* y, int32_t count, int32_t ys, float s, int32_t zp,
                                  const int8_t* t) {
  int32_t i = 0;
#if defined(__ARM_FP) && (__ARM_FP & 4)
  while (count - i >= 8) {
    QuantizeFpuJob j;
    j.x = x + i;
    j.y = reinterpret_cast<int8_t*>(y) + static_cast<ptrdiff_t>(i) * ys;
    j.blocks = (count - i) >> 3;
    j.scale = s;
    j.tbl = t;
    j.ystride = ys;
    const int32_t done = ys == 1 ? quantize_f32_fpu_run1(&j) : ys == 3 ? quantize_f32_fpu_run3(&j)
                                                                       : quantize_f32_fpu_runr(&j);
    __asm__ volatile("" ::: "memory");
    i += 8 * done;
    if (done < j.blocks) {  // a block with a NaN or a huge value: the portable code, then go on
      for (int32_t k = i; k < i + 8; ++k)
        y[static_cast<ptrdiff_t>(k) * ys] = static_cast<uint8_t>(quantize_value_f32(x[k], s, zp, -128, 127) & 0xFF);
      i += 8;
    }
  }
#else
  (void)t;
#endif
  for (; i < count; ++i)
    y[static_cast<ptrdiff_t>(i) * ys] = static_cast<uint8_t>(quantize_value_f32(x[i], s, zp, -128, 127) & 0xFF);
}

// Arguments and in-place rule as quantize_f32; requires qmin == -128 and qmax == 127.
inline void quantize_f32_fpu(const QuantizeParams& p, const float* x, const float* scale, const int32_t* zero_point,
                             void* y_bytes) {
  uint8_t* const y = static_cast<uint8_t*>(y_bytes);
  const int32_t C = p.channels, I = p.inner;
  int8_t tstore[512];
  int32_t tzp = 1000;  // the zero point the table holds (none yet)
  for (int32_t o = 0; o < p.outer; ++o) {
    const float* xo = x + static_cast<size_t>(o) * static_cast<size_t>(C) * static_cast<size_t>(I);
    uint8_t* yo = y + static_cast<size_t>(o) * static_cast<size_t>(C) * static_cast<size_t>(I);
    for (int32_t c = 0; c < C; ++c) {
      const float s = scale[p.per_channel ? c : 0];
      const int32_t zp = zero_point[p.per_channel ? c : 0];
      if (zp != tzp) {  // T[i] = clamp(i + zp, -128, 127), i = -256 .. 255
        for (int32_t i = 0; i < 512; ++i) {
          const int32_t v = i - 256 + zp;
          tstore[i] = static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
        }
        tzp = zp;
      }
      const float* xc = xo + static_cast<size_t>(c) * static_cast<size_t>(I);
      if (p.relayout)
        quantize_f32_fpu_span(xc, yo + c, I, C, s, zp, tstore + 256);
      else
        quantize_f32_fpu_span(xc, yo + static_cast<size_t>(c) * static_cast<size_t>(I), I, 1, s, zp, tstore + 256);
    }
  }
}
