// General int8 convolution (group 1, any kernel size, stride, padding, dilation; e.g. the first
// 3x3 stride-2 layer on a 3-channel image) for Cortex-M cores with the DSP extension (M4/M7/M33).
// Needs conv_s8/dsp_s8_common.h and conv_s8/dwconv_s8_dsp.h pasted before it. Bit-identical to
// conv_s8_nhwc (conv_s8.h).
//
// Single-channel input (conv_s8_dsp_single_plane: c_in == 1, square K = 3/5/7, stride 1 or 2 in
// both directions, dilation 1, e.g. a grayscale first layer): every output channel is a
// depthwise-style filter over the same plane, so it runs the depthwise plane path of
// dwconv_s8_dsp.h with the plane gathered once; weights packed in its per-channel layout.
//
//   conv_s8_dsp(p, x, w, bias, scale, y, scratch)   scratch: conv_s8_dsp_scratch_bytes(p), 4-byte
//                                                    aligned; y must not alias x.
// Selection rule and packing: compiler/kernels/pack_s8_dsp.h (conv_s8_dsp_applies).
//
// Algorithm: output pixels are taken in pairs (A, B = the next pixel in raster order). For each
// pair the receptive fields are unpacked once into two int16 "patches" in scratch, in the weights'
// OHWI tap order ([ky][kx][ci]; kernel row ky = the L = kw * c_in values from slot ky * L),
// padded taps = x_zp (the packed bias cancels them: zero-point folding as in conv1x1_s8_dsp.h).
// Within a kernel row, each full group of 4 values is stored in the order SXTB16 produces,
// (v0, v2, v1, v3) (the weights are packed in the same order), so a row inside the image - one
// contiguous run of L bytes - unpacks 4 values per LDR + 2 SXTB16 + 2 STR (unaligned STR is fine
// on M-profile). No im2col matrix: the patch holds one pixel pair (2 x kh x L values) and is
// shared by all output channels. Then one assembly routine runs all
// channel pairs over it: per 2 pair-words of K, LDRD (A) + LDRD (B) + LDM of 4 weight words + 8
// SMLAD = 11 instructions (+2 loop) for 16 MACs, then requantization (dsp_s8_common.h) and stores.
//
// Packed weights: taps in the patch order above (slot ky * L + r holds row tap r, except that for
// r < 4 * (L / 4) the slots of each group of 4 hold taps (0, 2, 1, 3) of the group; the slots
// beyond kh * L are 0), in pairs (KP = ceil(kh * L / 2) rounded up to even); channel
// pairs (an odd c_out gets a zero phantom channel): block of channels (2b, 2b+1), for every 2
// pair-indices k, k+1: [oc0 k] [oc1 k] [oc0 k+1] [oc1 k+1], pair k = [w'(2k), w'(2k+1)] (int16
// lanes, w' = w - w_zp). Bytes: 4 * KP * C2 (C2 = c_out rounded up to even).
// Packed bias: bias[oc] - x_zp * sum_k w'[oc][k].

struct ConvDspJob {
  const uint32_t* pa;   // 0: patch of pixel A (KP words)
  const uint32_t* pb;   // 4: patch of pixel B
  const uint32_t* w;    // 8: packed weights
  const int32_t* bias;  // 12
  const float* scale;   // 16
  int8_t* y;            // 20: output of pixel A, channel 0 (pixel B at y + c_out)
  int32_t c_out;        // 24
  const int8_t* tbl;    // 28
  int32_t steps;        // 32: KP / 2 (>= 1)
  int32_t oc_pairs;     // 36: full channel pairs (>= 1)
};

inline int32_t conv_s8_dsp_kp(const ConvS8Params& p) {
  const int32_t kp = (p.kh * p.kw * p.c_in + 1) / 2;
  return (kp + 1) & ~1;
}

inline bool conv_s8_dsp_single_plane(const ConvS8Params& p) {
  return p.c_in == 1 && p.group == 1 && p.kh == p.kw && (p.kh == 3 || p.kh == 5 || p.kh == 7) &&
         p.stride_h == p.stride_w && (p.stride_h == 1 || p.stride_h == 2) && p.dil_h == 1 && p.dil_w == 1;
}

inline size_t conv_s8_dsp_scratch_bytes(const ConvS8Params& p) {
  if (conv_s8_dsp_single_plane(p)) return dwconv_s8_dsp_plane_scratch(p);
  return 2 * 4 * static_cast<size_t>(conv_s8_dsp_kp(p)) + 512;
}

#if FERRITE_DSP_FPU
static_assert(offsetof(ConvDspJob, tbl) == 28 && offsetof(ConvDspJob, oc_pairs) == 36,
              "ConvDspJob offsets are hard-coded in the assembly");
// Registers: r0-r3 accumulators (A oc0, A oc1, B oc0, B oc1), r4-r5 patch words, r6-r9 weight
// words, r10 patch A, r11 weights, r12 loop count, lr patch B. Frame (words): [0] y [1] channel
// pairs left [2] bias [3] scale [4] table [5] c_out [6] steps [7] patch A [8] patch B.
#define FE_CONV_DSP_BODY_EP(START, EPI) \
  "push {r4-r11, lr}\n\t"                                                                            \
  "sub sp, sp, #40\n\t"                                                                              \
  "ldr r1, [r0, #20]\n\t" "str r1, [sp, #0]\n\t"                                                     \
  "ldr r1, [r0, #36]\n\t" "str r1, [sp, #4]\n\t"                                                     \
  "ldr r1, [r0, #12]\n\t" "str r1, [sp, #8]\n\t"                                                     \
  "ldr r1, [r0, #16]\n\t" "str r1, [sp, #12]\n\t"                                                    \
  "ldr r1, [r0, #28]\n\t" "str r1, [sp, #16]\n\t"                                                    \
  "ldr r1, [r0, #24]\n\t" "str r1, [sp, #20]\n\t"                                                    \
  "ldr r1, [r0, #32]\n\t" "str r1, [sp, #24]\n\t"                                                    \
  "ldr r1, [r0, #0]\n\t"  "str r1, [sp, #28]\n\t"                                                    \
  "ldr r1, [r0, #4]\n\t"  "str r1, [sp, #32]\n\t"                                                    \
  "ldr r11, [r0, #8]\n\t"                                                                            \
  "1:\n\t" /* channel pair */                                                                        \
  "ldr r10, [sp, #28]\n\t"                                                                           \
  "ldr lr, [sp, #32]\n\t"                                                                            \
  "ldr r12, [sp, #24]\n\t"                                                                           \
  "ldr r4, [sp, #8]\n\t"                                                                             \
  "ldrd r0, r1, [r4], #8\n\t"                                                                        \
  "str r4, [sp, #8]\n\t"                                                                             \
  START \
  "mov r2, r0\n\t"                                                                                   \
  "mov r3, r1\n\t"                                                                                   \
  "2:\n\t" /* two pair-words of K */                                                                 \
  "ldm r11!, {r6, r7, r8, r9}\n\t"                                                                   \
  "ldrd r4, r5, [r10], #8\n\t"                                                                       \
  "smlad r0, r4, r6, r0\n\t"                                                                         \
  "smlad r1, r4, r7, r1\n\t"                                                                         \
  "smlad r0, r5, r8, r0\n\t"                                                                         \
  "smlad r1, r5, r9, r1\n\t"                                                                         \
  "ldrd r4, r5, [lr], #8\n\t"                                                                        \
  "smlad r2, r4, r6, r2\n\t"                                                                         \
  "smlad r3, r4, r7, r3\n\t"                                                                         \
  "smlad r2, r5, r8, r2\n\t"                                                                         \
  "smlad r3, r5, r9, r3\n\t"                                                                         \
  "subs r12, r12, #1\n\t"                                                                            \
  "bne 2b\n\t"                                                                                       \
  EPI \
  "ldr r4, [sp, #16]\n\t"                                                                            \
  "ssat r0, #9, r0\n\t" "ssat r1, #9, r1\n\t" "ssat r2, #9, r2\n\t" "ssat r3, #9, r3\n\t"            \
  "ldrsb r0, [r4, r0]\n\t" "ldrsb r1, [r4, r1]\n\t" "ldrsb r2, [r4, r2]\n\t" "ldrsb r3, [r4, r3]\n\t" \
  "ldr r5, [sp, #0]\n\t"                                                                             \
  "ldr r6, [sp, #20]\n\t"                                                                            \
  "strb r1, [r5, #1]\n\t"                                                                            \
  "strb r0, [r5], #2\n\t"                                                                            \
  "str r5, [sp, #0]\n\t"                                                                             \
  "add r5, r5, r6\n\t"                                                                               \
  "strb r2, [r5, #-2]\n\t"                                                                           \
  "strb r3, [r5, #-1]\n\t"                                                                           \
  "ldr r4, [sp, #4]\n\t"                                                                             \
  "subs r4, r4, #1\n\t"                                                                              \
  "str r4, [sp, #4]\n\t"                                                                             \
  "bne 1b\n\t"                                                                                       \
  "add sp, sp, #40\n\t"                                                                              \
  "pop {r4-r11, pc}\n\t"

// Float epilogue: the pair's scales in s0/s1 (START), 4 x (VCVT, VMUL, VCVTR) through s2-s5.
#define FE_CONV_DSP_START_F32 "ldr r4, [sp, #12]\n\t" "vldmia r4!, {s0, s1}\n\t" "str r4, [sp, #12]\n\t"
#define FE_CONV_DSP_EPI_F32                                                                               \
  "vmov s2, s3, r0, r1\n\t"                                                                              \
  "vmov s4, s5, r2, r3\n\t"                                                                              \
  "vcvt.f32.s32 s2, s2\n\t" "vcvt.f32.s32 s3, s3\n\t" "vcvt.f32.s32 s4, s4\n\t" "vcvt.f32.s32 s5, s5\n\t" \
  "vmul.f32 s2, s2, s0\n\t" "vmul.f32 s3, s3, s1\n\t" "vmul.f32 s4, s4, s0\n\t" "vmul.f32 s5, s5, s1\n\t" \
  "vcvtr.s32.f32 s2, s2\n\t" "vcvtr.s32.f32 s3, s3\n\t" "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t" \
  "vmov r0, r1, s2, s3\n\t"                                                                              \
  "vmov r2, r3, s4, s5\n\t"
// TFLite epilogue (DspRqTfl, proof in dsp_s8_common.h): the frame's "scale" pointer walks the
// requantization words; per channel LDM of {M, ls+1, r, s, e} into r5-r9, then per accumulator
// AND/ADD (t in r4), LSL, SMMLAR, ASR. r11 (weights) is the only live register it must keep.
#define FE_CONV_DSP_TFL_ONE(A)          \
  "and r4, r8, " A ", asr #31\n\t"     \
  "add r4, r4, r7\n\t"                 \
  "lsl " A ", " A ", r6\n\t"            \
  "smmlar " A ", " A ", r5, r4\n\t"     \
  "asr " A ", " A ", r9\n\t"
#define FE_CONV_DSP_EPI_TFL                                           \
  "ldr lr, [sp, #12]\n\t"                                            \
  "ldm lr!, {r5, r6, r7, r8, r9}\n\t"                                \
  FE_CONV_DSP_TFL_ONE("r0") FE_CONV_DSP_TFL_ONE("r2")                 \
  "ldm lr!, {r5, r6, r7, r8, r9}\n\t"                                \
  FE_CONV_DSP_TFL_ONE("r1") FE_CONV_DSP_TFL_ONE("r3")                 \
  "str lr, [sp, #12]\n\t"

// AAPCS: r0 = job; preserves r4-r11 and s16-s31 (uses s0-s5 only).
__attribute__((naked, noinline)) inline void conv_dsp_pixel_pair(const ConvDspJob*) {
  __asm__ volatile(FE_CONV_DSP_BODY_EP(FE_CONV_DSP_START_F32, FE_CONV_DSP_EPI_F32));
}
// TFLite: job.scale holds the packed requantization words (the routine only walks them).
__attribute__((naked, noinline)) inline void conv_dsp_pixel_pair_tfl(const ConvDspJob*) {
  __asm__ volatile(FE_CONV_DSP_BODY_EP("", FE_CONV_DSP_EPI_TFL));
}
#endif

// Portable equivalent (and odd-channel / odd-pixel path): channel pairs [oc0, oc0 + npairs * 2) for
// pixel A (and pixel B when two), TWO = false stores only the first channel of the pair.
// rq: the requantization argument from j's first channel on (j.scale is the assembly's float copy).
template <typename Ep = DspRqOrt>
inline void conv_dsp_pixel_pair_c(const ConvDspJob& j, typename Ep::Arg rq, bool pixel_b, bool second_channel) {
  const uint32_t* w = j.w;
  int8_t* y = j.y;
  for (int32_t b = 0; b < j.oc_pairs; ++b) {
    int32_t a0 = j.bias[2 * b], a1 = second_channel ? j.bias[2 * b + 1] : 0;
    int32_t c0 = a0, c1 = a1;
    for (int32_t k = 0; k < 2 * j.steps; k += 2) {
      a0 = dsp_smlad(j.pa[k + 1], w[2], dsp_smlad(j.pa[k], w[0], a0));
      a1 = dsp_smlad(j.pa[k + 1], w[3], dsp_smlad(j.pa[k], w[1], a1));
      c0 = dsp_smlad(j.pb[k + 1], w[2], dsp_smlad(j.pb[k], w[0], c0));
      c1 = dsp_smlad(j.pb[k + 1], w[3], dsp_smlad(j.pb[k], w[1], c1));
      w += 4;
    }
    const typename Ep::Ch s0 = Ep::at(rq, 2 * b), s1 = second_channel ? Ep::at(rq, 2 * b + 1) : s0;
    Ep::idx2(a0, a1, s0, s1);
    Ep::idx2(c0, c1, s0, s1);
    y[0] = j.tbl[a0];
    if (second_channel) y[1] = j.tbl[a1];
    if (pixel_b) {
      y[j.c_out] = j.tbl[c0];
      if (second_channel) y[j.c_out + 1] = j.tbl[c1];
    }
    y += 2;
  }
}

// Unpacks the receptive field of output pixel (n, oh, ow) into int16 values in patch order.
inline void conv_dsp_patch(const ConvS8Params& p, const int8_t* x, int32_t n, int32_t oh, int32_t ow, int16_t* h) {
  const int32_t ci = p.c_in, L = p.kw * ci;
  const int16_t zp = static_cast<int16_t>(p.in_zp);
  const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) *
                             static_cast<size_t>(ci);
  const int32_t ih0 = oh * p.stride_h - p.pad_top, iw0 = ow * p.stride_w - p.pad_left;
  for (int32_t ky = 0; ky < p.kh; ++ky, h += L) {
    const int32_t ih = ih0 + ky * p.dil_h;
    if (ih < 0 || ih >= p.h_in) {
      for (int32_t t = 0; t < L; ++t) h[t] = zp;
      continue;
    }
    struct Reorder {  // natural order -> (v0, v2, v1, v3) per full group of 4, at scope exit
      int16_t* h;
      int32_t n4;
      ~Reorder() {
        for (int32_t g = 0; g < n4; ++g) {
          const int16_t t = h[4 * g + 1];
          h[4 * g + 1] = h[4 * g + 2];
          h[4 * g + 2] = t;
        }
      }
    } reorder{h, L >> 2};
    const int8_t* row = xn + static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) * static_cast<size_t>(ci);
    int16_t* hh = h;
    for (int32_t kx = 0; kx < p.kw; ++kx) {
      const int32_t iw = iw0 + kx * p.dil_w;
      if (iw < 0 || iw >= p.w_in) {
        for (int32_t c = 0; c < ci; ++c) *hh++ = zp;
      } else {
        const int8_t* s = row + static_cast<size_t>(iw) * static_cast<size_t>(ci);
        for (int32_t c = 0; c < ci; ++c) *hh++ = s[c];
      }
    }
  }
}

// Patch of a pixel whose kernel rows are all inside the image (dil_w == 1): kh runs of L bytes,
// run ky at base + ky * run_step.
inline void conv_dsp_patch_inside(const int8_t* base, int32_t kh, int32_t run_step, int32_t n4, int32_t rem,
                                  int16_t* h) {
  for (int32_t ky = 0; ky < kh; ++ky) {
    const int8_t* s = base;
    for (int32_t i = n4; i > 0; --i) {
      const uint32_t v = dsp_load_u32(s);
      const uint32_t e = dsp_sxtb16(v), o = dsp_sxtb16_ror8(v);  // [b0, b2], [b1, b3]
      std::memcpy(h, &e, 4);
      std::memcpy(h + 2, &o, 4);
      h += 4;
      s += 4;
    }
    if (rem) {
      h[0] = s[0];
      if (rem > 1) h[1] = s[1];
      if (rem > 2) h[2] = s[2];
      h += rem;
    }
    base += run_step;
  }
}

// w, bias: packed by ferrite::kernels::pack_conv_s8_dsp (bias never null after packing).
// Ep: the requantization policy (dsp_s8_common.h); the float policy alone takes the assembly path.
template <typename Ep = DspRqOrt>
inline void conv_s8_dsp_impl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                             typename Ep::Arg scale, void* y, void* scratch) {
  if (conv_s8_dsp_single_plane(p)) {
    int8_t* const yb = static_cast<int8_t*>(y);
    const int32_t k = p.kh, s = p.stride_h;
    if (k == 3 && s == 1) dwconv_s8_dsp_impl<3, 1, Ep>(p, x, w, bias, scale, yb, scratch, true);
    if (k == 3 && s == 2) dwconv_s8_dsp_impl<3, 2, Ep>(p, x, w, bias, scale, yb, scratch, true);
    if (k == 5 && s == 1) dwconv_s8_dsp_impl<5, 1, Ep>(p, x, w, bias, scale, yb, scratch, true);
    if (k == 5 && s == 2) dwconv_s8_dsp_impl<5, 2, Ep>(p, x, w, bias, scale, yb, scratch, true);
    if (k == 7 && s == 1) dwconv_s8_dsp_impl<7, 1, Ep>(p, x, w, bias, scale, yb, scratch, true);
    if (k == 7 && s == 2) dwconv_s8_dsp_impl<7, 2, Ep>(p, x, w, bias, scale, yb, scratch, true);
    return;
  }
  const int32_t kp = conv_s8_dsp_kp(p);
  uint32_t* const pa = static_cast<uint32_t*>(scratch);
  uint32_t* const pb = pa + kp;
  int8_t* const table_store = reinterpret_cast<int8_t*>(pb + kp);
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  // Slots beyond the taps (row pads, pair padding) meet zero weights; keep them defined.
  for (int32_t i = 0; i < 2 * kp; ++i) pa[i] = 0;
  const int32_t c_out = p.c_out, ci = p.c_in;
  const int32_t L = p.kw * ci, n4 = L >> 2, rem = L & 3;
  const int32_t run_step = p.dil_h * p.w_in * ci;
  const int32_t full_pairs = c_out >> 1;
  const size_t words_per_pair = 2 * static_cast<size_t>(kp);
  const uint32_t* w32 = reinterpret_cast<const uint32_t*>(w);
  int8_t* yb = static_cast<int8_t*>(y);
  const int32_t total = p.n * p.h_out * p.w_out;
  // Output pixels whose receptive field is inside the image (contiguous rows): oh in [oh0, oh1],
  // ow in [ow0, ow1] (empty ranges when none).
  const int32_t oh0 = (p.pad_top + p.stride_h - 1) / p.stride_h;
  const int32_t oh1 = (p.h_in - 1 - (p.kh - 1) * p.dil_h + p.pad_top) >= 0
                          ? (p.h_in - 1 - (p.kh - 1) * p.dil_h + p.pad_top) / p.stride_h
                          : -1;
  const int32_t ow0 = (p.pad_left + p.stride_w - 1) / p.stride_w;
  const int32_t ow1 = (p.dil_w == 1 && p.w_in - 1 - (p.kw - 1) + p.pad_left >= 0)
                          ? (p.w_in - 1 - (p.kw - 1) + p.pad_left) / p.stride_w
                          : -1;
  const size_t in_img = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) * static_cast<size_t>(ci);
  ConvDspJob j;
  j.pa = pa;
  j.pb = pb;
  j.c_out = c_out;
  j.tbl = tbl;
  j.steps = kp / 2;
  int32_t n = 0, oh = 0, ow = 0;  // raster position of pixel A
  auto patch = [&](int32_t pn, int32_t poh, int32_t pow, uint32_t* h) {
    if (poh >= oh0 && poh <= oh1 && pow >= ow0 && pow <= ow1) {
      const int8_t* base = x + static_cast<size_t>(pn) * in_img +
                           (static_cast<size_t>(poh * p.stride_h - p.pad_top) * static_cast<size_t>(p.w_in) +
                            static_cast<size_t>(pow * p.stride_w - p.pad_left)) *
                               static_cast<size_t>(ci);
      conv_dsp_patch_inside(base, p.kh, run_step, n4, rem, reinterpret_cast<int16_t*>(h));
    } else {
      conv_dsp_patch(p, x, pn, poh, pow, reinterpret_cast<int16_t*>(h));
    }
  };
  for (int32_t q = 0; q < total; q += 2) {
    const bool two = q + 1 < total;
    patch(n, oh, ow, pa);
    if (++ow == p.w_out) {
      ow = 0;
      if (++oh == p.h_out) {
        oh = 0;
        ++n;
      }
    }
    if (two) {
      patch(n, oh, ow, pb);
      if (++ow == p.w_out) {
        ow = 0;
        if (++oh == p.h_out) {
          oh = 0;
          ++n;
        }
      }
    }
    int8_t* yq = yb + static_cast<size_t>(q) * static_cast<size_t>(c_out);
    if (full_pairs > 0) {
      j.w = w32;
      j.bias = bias;
      j.scale = reinterpret_cast<const float*>(scale);  // TFLite: the requantization words
      j.y = yq;
      j.oc_pairs = full_pairs;
      bool done = false;
#if FERRITE_DSP_FPU
      if (two) {
        if constexpr (Ep::kFloatAsm)
          conv_dsp_pixel_pair(&j);
        else
          conv_dsp_pixel_pair_tfl(&j);
        __asm__ volatile("" ::: "memory");
        done = true;
      }
#endif
      if (!done) conv_dsp_pixel_pair_c<Ep>(j, scale, two, true);
    }
    if (c_out & 1) {  // last channel, with its zero phantom partner
      j.w = w32 + static_cast<size_t>(full_pairs) * words_per_pair;
      j.bias = bias + 2 * full_pairs;
      j.y = yq + 2 * full_pairs;
      j.oc_pairs = 1;
      conv_dsp_pixel_pair_c<Ep>(j, Ep::off(scale, 2 * full_pairs), two, false);
    }
  }
}

// w, bias: packed by ferrite::kernels::pack_conv_s8_dsp (bias never null after packing).
inline void conv_s8_dsp(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                        const float* scale, void* y, void* scratch) {
  conv_s8_dsp_impl<DspRqOrt>(p, x, w, bias, scale, y, scratch);
}
// TFLite requantization (the same body with the DspRqTfl epilogue): rq holds kDspTflRqWords words
// per output channel (pack_requant_s8_dsp_tfl (compiler/kernels/pack_s8_dsp.h)). Bit-identical to conv_s8_nhwc_tfl under its bound.
inline void conv_s8_dsp_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                            const int32_t* rq, void* y, void* scratch) {
  conv_s8_dsp_impl<DspRqTfl>(p, x, w, bias, rq, y, scratch);
}
