// Pointwise (1x1) int8 convolution for Cortex-M cores with the DSP extension (M4/M7/M33):
// SMLAD on int16 lanes, 2 pixels x 2 output channels per inner step, so every unpacked activation
// word feeds two output channels and every weight word feeds two pixels.
// Needs conv_s8/dsp_s8_common.h pasted before it. Bit-identical to conv1x1_s8_nhwc (conv_s8.h).
//
// Variants (selection rules and packing in compiler/kernels/pack_s8_dsp.h):
//   conv1x1_s8_dsp     weights pre-widened to int16 (w - w_zp), any w_zp; 2x the weight bytes.
//   conv1x1_s8_dsp_w8  weights kept int8 (w_zp == 0 only); same weight bytes as the portable
//                      kernel, about 0.25 more instructions per MAC (two SXTB16 per weight word).
// Both: kh = kw = 1, stride 1, no padding, group 1, out_int32 == 0, int8 output range.
//
// Arithmetic: the input zero point is folded into the packed bias at compile time,
//   sum_k (x - x_zp) * w'  =  sum_k x * w'  -  x_zp * sum_k w'     (w' = w - w_zp),
// so the kernel multiplies raw int8 activations; int32 wrap-around makes every rearrangement exact
// modulo 2^32, exactly as the reference's int32 sum. Requantization: dsp_requant_idx2 + table
// (proof in dsp_s8_common.h).
//
// Packed weights, K groups of 4 input channels (G = ceil(c_in / 4), channels >= c_in are 0 so the
// bytes read past a pixel's depth never contribute), output channels in blocks of 2 (an odd c_out
// gets a zero phantom channel, computed but never stored); block b starts at word b * 2 * G * WPG,
// WPG = words per channel per group; inside a block, per group: the words of its first channel,
// then of its second:
//   int16 (WPG = 2): word 0 = [w'(4g), w'(4g+2)], word 1 = [w'(4g+1), w'(4g+3)]  (lane 0 first)
//                    = the lanes SXTB16(x) and SXTB16(x, ROR 8) produce from the activation word.
//   int8  (WPG = 1): word 0 = bytes w(4g), w(4g+1), w(4g+2), w(4g+3)  (unpacked the same way).
// The packed buffer must be 4-byte aligned (the emitter aligns weights to 16).
// Packed bias: int32 [c_out] = bias[oc] - x_zp * sum_k w'[oc][k] (mod 2^32).
//
// Activation tails: the last (partial) group of a pixel is loaded as the word ending at the
// pixel's last channel, shifted right, so nothing outside x is read (c_in >= 4); c_in < 4 is
// assembled from bytes.
//
// Inner loop (M4, per 8 input channels of a 2 x 2 block, inline assembly): 4 LDR + 8 SXTB16 +
// 4 LDRD (int16 weights; int8: 4 LDR + 8 SXTB16) + 16 SMLAD + SUBS/BNE = 34 (42) instructions for
// 32 MACs. Per block: 4 x (3.5 FPU + SSAT + LDRB + STRB) requantization.

typedef uint32_t __attribute__((may_alias, aligned(4))) dsp_u32_alias;

// Last, partial group (r = c_in % 4 channels, 1..3) of the pixel whose depth ends at `end`.
inline uint32_t conv1x1_dsp_xtail(const int8_t* end, int32_t c_in, int32_t r) {
  if (c_in >= 4) return dsp_load_u32(end - 4) >> (8 * (4 - r));
  uint32_t v = 0;
  for (int32_t i = 0; i < r; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(end[i - r])) << (8 * i);
  return v;
}

// Accumulators of one block: a<pixel><channel>.
struct Conv1x1DspAcc {
  int32_t a00, a01, a10, a11;
};

#if FERRITE_DSP_SIMD
// One K group (4 input channels) of the 2 pixel x 2 channel block, from activation words xa (pixel
// 0) and xb (pixel 1): 4 SXTB16 + (2 LDRD | 2 x (LDR + 2 SXTB16)) + 8 SMLAD. Operands: a00..a11
// accumulators, pw packed weights (post-incremented), xe/ye/w0/w1 temporaries.
#define FE_PW_UNPACK2                 \
  "sxtb16 %[xe], %[xa]\n\t"           \
  "sxtb16 %[xa], %[xa], ror #8\n\t"   \
  "sxtb16 %[ye], %[xb]\n\t"           \
  "sxtb16 %[xb], %[xb], ror #8\n\t"
#define FE_PW_MAC2(A0, A1)                            \
  "smlad %[" A0 "], %[xe], %[w0], %[" A0 "]\n\t"      \
  "smlad %[" A0 "], %[xa], %[w1], %[" A0 "]\n\t"      \
  "smlad %[" A1 "], %[ye], %[w0], %[" A1 "]\n\t"      \
  "smlad %[" A1 "], %[xb], %[w1], %[" A1 "]\n\t"
#define FE_PW_W16 "ldrd %[w0], %[w1], [%[pw]], #8\n\t"
#define FE_PW_W8                    \
  "ldr %[w0], [%[pw]], #4\n\t"      \
  "sxtb16 %[w1], %[w0], ror #8\n\t" \
  "sxtb16 %[w0], %[w0]\n\t"
#define FE_PW_GROUP2(W) FE_PW_UNPACK2 W FE_PW_MAC2("a00", "a10") W FE_PW_MAC2("a01", "a11")
// Loads of the next group's activation words (pixel 1 at px + c_in, then pixel 0 with post-increment).
#define FE_PW_LOAD2 "ldr %[xb], [%[px], %[co]]\n\t" "ldr %[xa], [%[px]], #4\n\t"
// Single-pixel versions (1 pixel x 2 channels).
#define FE_PW_GROUP1(W)                               \
  "sxtb16 %[xe], %[xa]\n\t"                           \
  "sxtb16 %[xa], %[xa], ror #8\n\t" W                 \
  "smlad %[a00], %[xe], %[w0], %[a00]\n\t"            \
  "smlad %[a00], %[xa], %[w1], %[a00]\n\t" W          \
  "smlad %[a01], %[xe], %[w0], %[a01]\n\t"            \
  "smlad %[a01], %[xa], %[w1], %[a01]\n\t"
#endif

// Full K loop of a 2-pixel x 2-channel block (pixel 0 at x0, pixel 1 at x0 + c_in): n8 groups of
// 8 channels, then g4 (0/1) group of 4, then the partial group of rem channels.
template <bool W16>
__attribute__((always_inline)) inline void conv1x1_dsp_k22(const int8_t* x0, int32_t c_in, const dsp_u32_alias* pw,
                                                           int32_t n8, int32_t g4, int32_t rem, Conv1x1DspAcc& a) {
#if FERRITE_DSP_SIMD
  const int8_t* px = x0;
  uint32_t xa, xb, xe, ye, w0, w1;
  if (n8 > 0) {
    int32_t n = n8;
    if (W16)
      __asm__ volatile("1:\n\t" FE_PW_LOAD2 FE_PW_GROUP2(FE_PW_W16) FE_PW_LOAD2 FE_PW_GROUP2(FE_PW_W16)
                       "subs %[n], %[n], #1\n\t"
                       "bne 1b\n\t"
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [a10] "+r"(a.a10), [a11] "+r"(a.a11), [px] "+r"(px),
                         [pw] "+r"(pw), [n] "+r"(n), [xa] "=&r"(xa), [xb] "=&r"(xb), [xe] "=&r"(xe), [ye] "=&r"(ye),
                         [w0] "=&r"(w0), [w1] "=&r"(w1)
                       : [co] "r"(c_in)
                       : "cc", "memory");
    else
      __asm__ volatile("1:\n\t" FE_PW_LOAD2 FE_PW_GROUP2(FE_PW_W8) FE_PW_LOAD2 FE_PW_GROUP2(FE_PW_W8)
                       "subs %[n], %[n], #1\n\t"
                       "bne 1b\n\t"
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [a10] "+r"(a.a10), [a11] "+r"(a.a11), [px] "+r"(px),
                         [pw] "+r"(pw), [n] "+r"(n), [xa] "=&r"(xa), [xb] "=&r"(xb), [xe] "=&r"(xe), [ye] "=&r"(ye),
                         [w0] "=&r"(w0), [w1] "=&r"(w1)
                       : [co] "r"(c_in)
                       : "cc", "memory");
  }
  for (int32_t t = g4 + (rem ? 1 : 0); t > 0; --t) {
    if (t == 1 && rem) {
      xa = conv1x1_dsp_xtail(x0 + c_in, c_in, rem);
      xb = conv1x1_dsp_xtail(x0 + 2 * c_in, c_in, rem);
    } else {
      xa = dsp_load_u32(px);
      xb = dsp_load_u32(px + c_in);
      px += 4;
    }
    if (W16)
      __asm__ volatile(FE_PW_GROUP2(FE_PW_W16)
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [a10] "+r"(a.a10), [a11] "+r"(a.a11), [pw] "+r"(pw),
                         [xa] "+r"(xa), [xb] "+r"(xb), [xe] "=&r"(xe), [ye] "=&r"(ye), [w0] "=&r"(w0), [w1] "=&r"(w1)
                       :
                       : "memory");
    else
      __asm__ volatile(FE_PW_GROUP2(FE_PW_W8)
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [a10] "+r"(a.a10), [a11] "+r"(a.a11), [pw] "+r"(pw),
                         [xa] "+r"(xa), [xb] "+r"(xb), [xe] "=&r"(xe), [ye] "=&r"(ye), [w0] "=&r"(w0), [w1] "=&r"(w1)
                       :
                       : "memory");
  }
#else
  const int32_t groups = 2 * n8 + g4 + (rem ? 1 : 0);
  for (int32_t g = 0; g < groups; ++g) {
    uint32_t xa, xb;
    if (g == groups - 1 && rem) {
      xa = conv1x1_dsp_xtail(x0 + c_in, c_in, rem);
      xb = conv1x1_dsp_xtail(x0 + 2 * c_in, c_in, rem);
    } else {
      xa = dsp_load_u32(x0 + 4 * g);
      xb = dsp_load_u32(x0 + c_in + 4 * g);
    }
    const uint32_t xe = dsp_sxtb16(xa), xo = dsp_sxtb16_ror8(xa), ye = dsp_sxtb16(xb), yo = dsp_sxtb16_ror8(xb);
    uint32_t w[4];
    if (W16) {
      for (int k = 0; k < 4; ++k) w[k] = pw[k];
      pw += 4;
    } else {
      w[0] = dsp_sxtb16(pw[0]);
      w[1] = dsp_sxtb16_ror8(pw[0]);
      w[2] = dsp_sxtb16(pw[1]);
      w[3] = dsp_sxtb16_ror8(pw[1]);
      pw += 2;
    }
    a.a00 = dsp_smlad(xo, w[1], dsp_smlad(xe, w[0], a.a00));
    a.a10 = dsp_smlad(yo, w[1], dsp_smlad(ye, w[0], a.a10));
    a.a01 = dsp_smlad(xo, w[3], dsp_smlad(xe, w[2], a.a01));
    a.a11 = dsp_smlad(yo, w[3], dsp_smlad(ye, w[2], a.a11));
  }
#endif
}

// Same for a single pixel (a00, a01).
template <bool W16>
__attribute__((always_inline)) inline void conv1x1_dsp_k12(const int8_t* x0, int32_t c_in, const dsp_u32_alias* pw,
                                                           int32_t n8, int32_t g4, int32_t rem, Conv1x1DspAcc& a) {
#if FERRITE_DSP_SIMD
  const int8_t* px = x0;
  uint32_t xa, xe, w0, w1;
  if (n8 > 0) {
    int32_t n = n8;
    if (W16)
      __asm__ volatile("1:\n\t"
                       "ldr %[xa], [%[px]], #4\n\t" FE_PW_GROUP1(FE_PW_W16) "ldr %[xa], [%[px]], #4\n\t"
                       FE_PW_GROUP1(FE_PW_W16)
                       "subs %[n], %[n], #1\n\t"
                       "bne 1b\n\t"
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [px] "+r"(px), [pw] "+r"(pw), [n] "+r"(n),
                         [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0), [w1] "=&r"(w1)
                       :
                       : "cc", "memory");
    else
      __asm__ volatile("1:\n\t"
                       "ldr %[xa], [%[px]], #4\n\t" FE_PW_GROUP1(FE_PW_W8) "ldr %[xa], [%[px]], #4\n\t"
                       FE_PW_GROUP1(FE_PW_W8)
                       "subs %[n], %[n], #1\n\t"
                       "bne 1b\n\t"
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [px] "+r"(px), [pw] "+r"(pw), [n] "+r"(n),
                         [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0), [w1] "=&r"(w1)
                       :
                       : "cc", "memory");
  }
  for (int32_t t = g4 + (rem ? 1 : 0); t > 0; --t) {
    if (t == 1 && rem) {
      xa = conv1x1_dsp_xtail(x0 + c_in, c_in, rem);
    } else {
      xa = dsp_load_u32(px);
      px += 4;
    }
    if (W16)
      __asm__ volatile(FE_PW_GROUP1(FE_PW_W16)
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [pw] "+r"(pw), [xa] "+r"(xa), [xe] "=&r"(xe),
                         [w0] "=&r"(w0), [w1] "=&r"(w1)
                       :
                       : "memory");
    else
      __asm__ volatile(FE_PW_GROUP1(FE_PW_W8)
                       : [a00] "+r"(a.a00), [a01] "+r"(a.a01), [pw] "+r"(pw), [xa] "+r"(xa), [xe] "=&r"(xe),
                         [w0] "=&r"(w0), [w1] "=&r"(w1)
                       :
                       : "memory");
  }
#else
  Conv1x1DspAcc b{a.a00, a.a01, 0, 0};
  const int32_t groups = 2 * n8 + g4 + (rem ? 1 : 0);
  for (int32_t g = 0; g < groups; ++g) {
    const uint32_t xa = g == groups - 1 && rem ? conv1x1_dsp_xtail(x0 + c_in, c_in, rem) : dsp_load_u32(x0 + 4 * g);
    const uint32_t xe = dsp_sxtb16(xa), xo = dsp_sxtb16_ror8(xa);
    uint32_t w[4];
    if (W16) {
      for (int k = 0; k < 4; ++k) w[k] = pw[k];
      pw += 4;
    } else {
      w[0] = dsp_sxtb16(pw[0]);
      w[1] = dsp_sxtb16_ror8(pw[0]);
      w[2] = dsp_sxtb16(pw[1]);
      w[3] = dsp_sxtb16_ror8(pw[1]);
      pw += 2;
    }
    b.a00 = dsp_smlad(xo, w[1], dsp_smlad(xe, w[0], b.a00));
    b.a01 = dsp_smlad(xo, w[3], dsp_smlad(xe, w[2], b.a01));
  }
  a.a00 = b.a00;
  a.a01 = b.a01;
#endif
}

// All pixels for output channels oc, oc + 1 (TWO == false: oc is the last, odd channel; the packed
// weights hold a zero phantom channel oc + 1 that is computed but never stored).
template <bool W16, bool TWO, typename Ep = DspRqOrt>
inline void conv1x1_dsp_channel_pair(const int8_t* x, int32_t pixels, int32_t c_in, int32_t c_out,
                                     const dsp_u32_alias* wblk, int32_t n8, int32_t g4, int32_t rem, int32_t b0,
                                     int32_t b1, typename Ep::Ch s0, typename Ep::Ch s1, const int8_t* tbl, int8_t* y) {
  int32_t px = pixels;
  for (; px >= 2; px -= 2) {
    Conv1x1DspAcc a{b0, b1, b0, b1};
    conv1x1_dsp_k22<W16>(x, c_in, wblk, n8, g4, rem, a);
    Ep::idx2(a.a00, a.a01, s0, s1);
    Ep::idx2(a.a10, a.a11, s0, s1);
    y[0] = tbl[a.a00];
    if (TWO) y[1] = tbl[a.a01];
    y[c_out] = tbl[a.a10];
    if (TWO) y[c_out + 1] = tbl[a.a11];
    x += 2 * c_in;
    y += 2 * c_out;
  }
  if (px) {
    Conv1x1DspAcc a{b0, b1, 0, 0};
    conv1x1_dsp_k12<W16>(x, c_in, wblk, n8, g4, rem, a);
    Ep::idx2(a.a00, a.a01, s0, s1);
    y[0] = tbl[a.a00];
    if (TWO) y[1] = tbl[a.a01];
  }
}

// Fast path (FPU cores, c_in % 4 == 0): every pixel pair x every channel pair in one assembly
// routine, so that the 14 registers of the inner loop never spill. Fixed registers:
//   r0-r3 accumulators a00 a01 a10 a11 (pixel, channel), r4 activations of pixel 0 (pixel 1 at
//   r4 + c_in), r5 packed weights, r7 c_in, lr K-loop counter, r6 r8-r12 activation/weight words;
//   s0/s1 the channel pair's scales. The channel-pair loop is innermost: weights, bias and scales
//   stream through their arrays, activations stay in place. Stack frame (words):
//   [0] y  [1] channel pairs left  [2] bias ptr  [3] scale ptr  [4] table  [5] c_out  [6] K count
//   (c_in / 8 + bit 2 of c_in)  [7] weights  [8] bias  [9] scale  [10] pixel pairs left
//   [11] channel pairs  [12] y step to the next pixel pair.
// Per block: 2 x (c_in / 4) x 17 K-loop instructions (+2 per 8 channels) and 39 for requantization,
// stores, the block's bias/scale loads and loop control.
struct Conv1x1DspJob {
  const int8_t* x;         // 0: first pixel
  int8_t* y;               // 4: output of the first pixel, channel 0
  const uint32_t* w;       // 8: packed weights
  const int32_t* bias;     // 12: packed bias
  const float* scale;      // 16
  const int8_t* tbl;       // 20: requantization table (centre)
  int32_t c_in;            // 24: multiple of 4, >= 4
  int32_t c_out;           // 28
  int32_t oc_pairs;        // 32: >= 1 (channels 0 .. 2 * oc_pairs - 1)
  int32_t px_pairs;        // 36: >= 1
};

#if FERRITE_DSP_FPU
static_assert(offsetof(Conv1x1DspJob, tbl) == 20 && offsetof(Conv1x1DspJob, px_pairs) == 36,
              "Conv1x1DspJob offsets are hard-coded in the assembly");
#define FE_PWA_LOAD "ldr r8, [r4, r7]\n\t" "ldr r6, [r4], #4\n\t"
#define FE_PWA_UNPACK "sxtb16 r9, r6\n\t" "sxtb16 r6, r6, ror #8\n\t" "sxtb16 r10, r8\n\t" "sxtb16 r8, r8, ror #8\n\t"
#define FE_PWA_MAC(A0, A1)                   \
  "smlad " A0 ", r9, r11, " A0 "\n\t"        \
  "smlad " A0 ", r6, r12, " A0 "\n\t"        \
  "smlad " A1 ", r10, r11, " A1 "\n\t"       \
  "smlad " A1 ", r8, r12, " A1 "\n\t"
#define FE_PWA_W16 "ldrd r11, r12, [r5], #8\n\t"
#define FE_PWA_W8 "ldr r11, [r5], #4\n\t" "sxtb16 r12, r11, ror #8\n\t" "sxtb16 r11, r11\n\t"
#define FE_PWA_GROUP(W) FE_PWA_LOAD FE_PWA_UNPACK W FE_PWA_MAC("r0", "r2") W FE_PWA_MAC("r1", "r3")
#define FE_PWA_BODY_EP(W, START, EPI)                                                                \
  "push {r4-r11, lr}\n\t"                                                                            \
  "sub sp, sp, #56\n\t"                                                                              \
  /* frame */                                                                                        \
  "ldr r1, [r0, #4]\n\t"  "str r1, [sp, #0]\n\t"   /* y */                                           \
  "ldr r1, [r0, #20]\n\t" "str r1, [sp, #16]\n\t"  /* table */                                       \
  "ldr r1, [r0, #28]\n\t" "str r1, [sp, #20]\n\t"  /* c_out */                                       \
  "ldr r7, [r0, #24]\n\t"                          /* c_in */                                        \
  "lsr r1, r7, #3\n\t" "ubfx r2, r7, #2, #1\n\t" "add r1, r1, r2\n\t" "str r1, [sp, #24]\n\t"       \
  "ldr r1, [r0, #8]\n\t"  "str r1, [sp, #28]\n\t"  /* weights */                                     \
  "ldr r1, [r0, #12]\n\t" "str r1, [sp, #32]\n\t"  /* bias */                                        \
  "ldr r1, [r0, #16]\n\t" "str r1, [sp, #36]\n\t"  /* scale */                                       \
  "ldr r1, [r0, #36]\n\t" "str r1, [sp, #40]\n\t"  /* pixel pairs */                                 \
  "ldr r1, [r0, #32]\n\t" "str r1, [sp, #44]\n\t"  /* channel pairs */                               \
  "ldr r2, [r0, #28]\n\t" "lsl r2, r2, #1\n\t" "sub r2, r2, r1, lsl #1\n\t" "str r2, [sp, #48]\n\t"  \
  "ldr r4, [r0, #0]\n\t"                           /* activations */                                 \
  /* pixel pair loop */                                                                              \
  "1:\n\t"                                                                                           \
  "ldr r5, [sp, #28]\n\t"                                                                            \
  "ldr r9, [sp, #32]\n\t"                                                                            \
  "ldr r10, [sp, #36]\n\t"                                                                           \
  "ldr r8, [sp, #44]\n\t"                                                                            \
  "ldr lr, [sp, #24]\n\t"                                                                            \
  "ldrd r0, r1, [r9], #8\n\t"                                                                        \
  START                                                                                              \
  "str r8, [sp, #4]\n\t"                                                                             \
  "strd r9, r10, [sp, #8]\n\t"                                                                       \
  "mov r2, r0\n\t"                                                                                   \
  "mov r3, r1\n\t"                                                                                   \
  /* channel pair block */                                                                           \
  "2:\n\t"                                                                                           \
  "tst r7, #4\n\t"                                                                                   \
  "bne 4f\n\t"                                                                                       \
  "3:\n\t" FE_PWA_GROUP(W) "4:\n\t" FE_PWA_GROUP(W)                                                 \
  "subs lr, lr, #1\n\t"                                                                              \
  "bne 3b\n\t"                                                                                       \
  "sub r4, r4, r7\n\t"                                                                               \
  EPI                                                                                                \
  "ldm sp, {r6, r8, r9, r10, r11, r12, lr}\n\t" /* y, pairs left, bias, scale, table, c_out, K */   \
  "ssat r0, #9, r0\n\t" "ssat r1, #9, r1\n\t" "ssat r2, #9, r2\n\t" "ssat r3, #9, r3\n\t"            \
  "ldrsb r0, [r11, r0]\n\t" "ldrsb r1, [r11, r1]\n\t" "ldrsb r2, [r11, r2]\n\t" "ldrsb r3, [r11, r3]\n\t" \
  "strb r2, [r6, r12]\n\t"                                                                           \
  "add r11, r6, r12\n\t"                                                                             \
  "strb r3, [r11, #1]\n\t"                                                                           \
  "strb r1, [r6, #1]\n\t"                                                                            \
  "strb r0, [r6], #2\n\t"                                                                            \
  "subs r8, r8, #1\n\t"                                                                              \
  "beq 5f\n\t"                                                                                       \
  "ldrd r0, r1, [r9], #8\n\t"                                                                        \
  START                                                                                              \
  "stm sp, {r6, r8, r9, r10}\n\t"                                                                    \
  "mov r2, r0\n\t"                                                                                   \
  "mov r3, r1\n\t"                                                                                   \
  "b 2b\n\t"                                                                                         \
  /* next pixel pair */                                                                              \
  "5:\n\t"                                                                                           \
  "ldr r0, [sp, #48]\n\t"                                                                            \
  "add r6, r6, r0\n\t"                                                                               \
  "str r6, [sp, #0]\n\t"                                                                             \
  "add r4, r4, r7, lsl #1\n\t"                                                                       \
  "ldr r0, [sp, #40]\n\t"                                                                            \
  "subs r0, r0, #1\n\t"                                                                              \
  "str r0, [sp, #40]\n\t"                                                                            \
  "bne 1b\n\t"                                                                                       \
  "add sp, sp, #56\n\t"                                                                              \
  "pop {r4-r11, pc}\n\t"

// Float epilogue: the pair's scales in s0/s1 (START), 4 x (VCVT, VMUL, VCVTR) through s2-s5.
#define FE_PWA_START_F32 "vldmia r10!, {s0, s1}\n\t"
#define FE_PWA_EPI_F32                                                                                   \
  "vmov s2, s3, r0, r1\n\t"                                                                              \
  "vmov s4, s5, r2, r3\n\t"                                                                              \
  "vcvt.f32.s32 s2, s2\n\t" "vcvt.f32.s32 s3, s3\n\t" "vcvt.f32.s32 s4, s4\n\t" "vcvt.f32.s32 s5, s5\n\t" \
  "vmul.f32 s2, s2, s0\n\t" "vmul.f32 s3, s3, s1\n\t" "vmul.f32 s4, s4, s0\n\t" "vmul.f32 s5, s5, s1\n\t" \
  "vcvtr.s32.f32 s2, s2\n\t" "vcvtr.s32.f32 s3, s3\n\t" "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t" \
  "vmov r0, r1, s2, s3\n\t"                                                                              \
  "vmov r2, r3, s4, s5\n\t"
#define FE_PWA_BODY(W) FE_PWA_BODY_EP(W, FE_PWA_START_F32, FE_PWA_EPI_F32)
// TFLite epilogue (DspRqTfl, proof in dsp_s8_common.h): the frame's "scale" pointer walks the
// requantization words, 10 per channel pair (START steps it past the pair); per channel, LDM of
// its 5 words {M, ls+1, r, s, e} into r8-r12, then per accumulator AND/ADD (t), LSL, SMMLAR, ASR.
#define FE_PWA_START_TFL "add r10, r10, #40\n\t"
#define FE_PWA_TFL_ONE(A)                 \
  "and r6, r11, " A ", asr #31\n\t"      \
  "add r6, r6, r10\n\t"                  \
  "lsl " A ", " A ", r9\n\t"              \
  "smmlar " A ", " A ", r8, r6\n\t"       \
  "asr " A ", " A ", r12\n\t"
#define FE_PWA_EPI_TFL                                   \
  "ldr lr, [sp, #12]\n\t"                               \
  "sub lr, lr, #40\n\t"                                 \
  "ldm lr!, {r8, r9, r10, r11, r12}\n\t"                \
  FE_PWA_TFL_ONE("r0") FE_PWA_TFL_ONE("r2")              \
  "ldm lr, {r8, r9, r10, r11, r12}\n\t"                 \
  FE_PWA_TFL_ONE("r1") FE_PWA_TFL_ONE("r3")

// AAPCS: r0 = job; preserves r4-r11 and s16-s31 (uses s0-s5 only).
__attribute__((naked, noinline)) inline void conv1x1_dsp_pairs_w16(const Conv1x1DspJob* /*job*/) {
  __asm__ volatile(FE_PWA_BODY(FE_PWA_W16));
}
__attribute__((naked, noinline)) inline void conv1x1_dsp_pairs_w8(const Conv1x1DspJob* /*job*/) {
  __asm__ volatile(FE_PWA_BODY(FE_PWA_W8));
}
// TFLite: job.scale holds the packed requantization words (reinterpreted; the routine only walks it).
__attribute__((naked, noinline)) inline void conv1x1_dsp_pairs_w16_tfl(const Conv1x1DspJob* /*job*/) {
  __asm__ volatile(FE_PWA_BODY_EP(FE_PWA_W16, FE_PWA_START_TFL, FE_PWA_EPI_TFL));
}
__attribute__((naked, noinline)) inline void conv1x1_dsp_pairs_w8_tfl(const Conv1x1DspJob* /*job*/) {
  __asm__ volatile(FE_PWA_BODY_EP(FE_PWA_W8, FE_PWA_START_TFL, FE_PWA_EPI_TFL));
}
#endif

// Ep: the requantization policy (dsp_s8_common.h): DspRqOrt (float scale per channel) or DspRqTfl
// (TFLite's multiplier and shift, packed words). The float policy alone takes the assembly path.
template <bool W16, typename Ep = DspRqOrt>
inline void conv1x1_s8_dsp_impl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                                typename Ep::Arg scale, void* y) {
  int8_t table_store[512];
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  const int32_t pixels = p.n * p.h_out * p.w_out;
  const int32_t c_in = p.c_in, c_out = p.c_out;
  const int32_t groups = (c_in + 3) >> 2, rem = c_in & 3;
  const int32_t full = c_in >> 2, n8 = full >> 1, g4 = full & 1;
  const int32_t words_per_oc = groups * (W16 ? 2 : 1);
  const dsp_u32_alias* w32 = reinterpret_cast<const dsp_u32_alias*>(w);
  int8_t* const yb = static_cast<int8_t*>(y);
  int32_t px0 = 0;     // pixels done by the assembly routine
  int32_t oc_asm = 0;  // channels done by it
#if FERRITE_DSP_FPU
  if (rem == 0 && pixels >= 2 && c_out >= 2) {
    Conv1x1DspJob job;
    job.x = x;
    job.y = yb;
    job.w = reinterpret_cast<const uint32_t*>(w);
    job.bias = bias;
    job.scale = reinterpret_cast<const float*>(scale);  // TFLite: the requantization words
    job.tbl = tbl;
    job.c_in = c_in;
    job.c_out = c_out;
    job.oc_pairs = c_out >> 1;
    job.px_pairs = pixels >> 1;
    if constexpr (Ep::kFloatAsm) {
      if (W16)
        conv1x1_dsp_pairs_w16(&job);
      else
        conv1x1_dsp_pairs_w8(&job);
    } else {
      if (W16)
        conv1x1_dsp_pairs_w16_tfl(&job);
      else
        conv1x1_dsp_pairs_w8_tfl(&job);
    }
    __asm__ volatile("" ::: "memory");
    px0 = pixels & ~1;
    oc_asm = c_out & ~1;
  }
#endif
  // Remaining work (all of it without the fast path): the odd last channel over the pixel pairs the
  // assembly did, then every channel pair for the remaining pixels.
  if (px0 > 0 && oc_asm < c_out)
    conv1x1_dsp_channel_pair<W16, false, Ep>(x, px0, c_in, c_out, w32 + oc_asm * words_per_oc, n8, g4, rem,
                                             bias[oc_asm], 0, Ep::at(scale, oc_asm), Ep::at(scale, oc_asm), tbl,
                                             yb + oc_asm);
  if (px0 < pixels) {
    const int8_t* xr = x + static_cast<size_t>(px0) * static_cast<size_t>(c_in);
    int8_t* yr = yb + static_cast<size_t>(px0) * static_cast<size_t>(c_out);
    const int32_t np = pixels - px0;
    int32_t oc = 0;
    for (; oc + 2 <= c_out; oc += 2)
      conv1x1_dsp_channel_pair<W16, true, Ep>(xr, np, c_in, c_out, w32 + oc * words_per_oc, n8, g4, rem, bias[oc],
                                              bias[oc + 1], Ep::at(scale, oc), Ep::at(scale, oc + 1), tbl, yr + oc);
    if (oc < c_out)
      conv1x1_dsp_channel_pair<W16, false, Ep>(xr, np, c_in, c_out, w32 + oc * words_per_oc, n8, g4, rem, bias[oc],
                                               0, Ep::at(scale, oc), Ep::at(scale, oc), tbl, yr + oc);
  }
}

// w, bias: packed by ferrite::kernels::pack_conv1x1_s8_dsp (bias never null after packing).
inline void conv1x1_s8_dsp(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                           const float* scale, void* y) {
  conv1x1_s8_dsp_impl<true>(p, x, w, bias, scale, y);
}

// w, bias: packed by ferrite::kernels::pack_conv1x1_s8_dsp_w8.
inline void conv1x1_s8_dsp_w8(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                              const float* scale, void* y) {
  conv1x1_s8_dsp_impl<false>(p, x, w, bias, scale, y);
}

// TFLite requantization (the same bodies with the DspRqTfl epilogue): rq holds kDspTflRqWords words
// per output channel, packed by pack_requant_s8_dsp_tfl (compiler/kernels/pack_s8_dsp.h) from the (multiplier, shift) pairs; w, bias as
// conv1x1_s8_dsp(_w8). Bit-identical to conv1x1_s8_nhwc_tfl under tfl_accumulators_fit's bound.
inline void conv1x1_s8_dsp_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                               const int32_t* rq, void* y) {
  conv1x1_s8_dsp_impl<true, DspRqTfl>(p, x, w, bias, rq, y);
}
inline void conv1x1_s8_dsp_w8_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                                  const int32_t* rq, void* y) {
  conv1x1_s8_dsp_impl<false, DspRqTfl>(p, x, w, bias, rq, y);
}
