// Helium (MVE) pointwise int8 convolution for Armv8.1-M (Cortex-M55): 1x1, stride 1, no padding,
// group 1, int8 output. Bit-identical to conv1x1_s8_nhwc (conv_s8.h) for every input the selection
// rule conv1x1_s8_mve_applies (compiler/kernels/pack_s8_mve.h) admits. Needs <arm_mve.h> before the
// ferrite_rt namespace (the emitter adds it to the prelude for MVE targets).
//
// Packed operands (pack_conv1x1_s8_mve):
//   w:    c_in > 8: int8 [c_out][cin16], cin16 = c_in rounded up to a multiple of 16, row oc =
//         w[oc][0..c_in) followed by zeros (w_zp == 0 is required, so these are the raw weights).
//         c_in <= 8: int8 [c_out][32], row oc = w[oc][0..c_in), zeros up to 16, then c_in zeros,
//         w[oc][0..c_in) and zeros up to 32 (the weights for the first and for the second of two
//         pixels held in one 16-byte vector).
//   bias: int32 [c_out] = bias[oc] - in_zp * sum_i w[oc][i] (wrapping int32 arithmetic), so that
//         sum_i x * w + bias' == sum_i (x - in_zp) * w + bias modulo 2^32, i.e. the reference's int32.
//
// Algorithm: a group of pixels against every output channel, in assembly (GCC 12 spills the
// intrinsic versions). VMLADAV(A).S8 forms 16-term dot products of a pixel vector with a weight
// vector (16 MACs per instruction); four sums go into one vector (two 2-lane VMOVs), get the
// packed bias and are requantized in float32 lanes (exactness: mve_s8_common.h), then stored as int8 by
// one scatter (stride c_out).
//   c_in <= 8:   8 pixels per group, two per 16-byte vector (4 vector registers for the group);
//                per output channel the two packed weight vectors give the even and the odd pixels
//                (TFLite: the 8 outputs requantized as one vector, conv1x1_s8_mve_tfl_pairs8).
//   c_in <= 16:  4 pixels per group in 4 vector registers; per output channel 1 weight load.
//   c_in <= 128: 4 pixels per group, chunks of 16 channels unrolled, pixel vectors reloaded per
//                output channel (pixels 0/2 then 1/3 so that two accumulators suffice).
//   c_in > 128:  the same with a chunk loop, in C++.
// The last group overlaps the previous one instead of being partial (recomputing a few outputs
// with identical values; y never aliases x). Only the group holding the last pixel loads its last
// chunk under a lane predicate (lanes >= c_in read as 0), so nothing past x is read. Tensors of
// fewer pixels than a group use a C++ path with a lane-predicated store.
//
// Requantization: a policy (mve_s8_common.h, pasted before this file): MveRqF32 (ONNX Runtime's,
// conv_s8_mve_requant) or MveRqTfl (TFLite's, conv1x1_s8_mve_tfl); the assembly below inlines the
// same instruction sequences, chosen by .if on the policy's kTfl. Exactness: mve_s8_common.h.


// Pixel groups for c_in <= 16, assembly. x0..x3: the group's pixel vectors (lanes >= c_in zero, or
// for c_in <= 8 pixel pairs); per output channel: weight load(s), 4 (or 8) VMLADAV, VMOVs, bias,
// requantization, scatter store(s). kPairs: c_in <= 8 layout (8 pixels; the odd pixels' outputs
// are stored at y + c_out: yodd; the channel's bias and scale stay in r12 / r11 for both halves).
// kW32: packed rows of 32 bytes (c_in <= 8).
template <bool kPairs, bool kW32, int SSTEP, class Rq = MveRqF32, bool kLs = true>
__attribute__((always_inline)) inline void conv1x1_s8_mve_asm16(int8x16_t x0, int8x16_t x1, int8x16_t x2, int8x16_t x3,
                                                                const int8_t* w, const int32_t* bias,
                                                                const typename Rq::Q* scale, int32_t cout, int8_t* y,
                                                                int8_t* yodd, uint32x4_t yoff, float32x4_t lo,
                                                                float32x4_t hi, int32_t zp) {
  __asm__ volatile(
      R"(
      .macro fe_out%=, yp, first, last
        vmov q4[2], q4[0], r4, r8
        vmov q4[3], q4[1], r6, r10
        .if \first
          ldr r12, [%[bias]], #4
        .endif
        vadd.i32 q4, q4, r12
        .if %c[TFL]
          @ TFLite (mve_s8_common.h): r6 = M, r8 = post, r4 = ls (the sums are in q4); hi: temporary.
          @ scale points at the channel's M; the last half of a channel moves it to the next one.
          .if \last
            ldrd r6, r8, [%[scale]], #12
          .else
            ldrd r6, r8, [%[scale]]
          .endif
          .if %c[LS]
            .if \last
              ldr r4, [%[scale], #-16]
            .else
              ldr r4, [%[scale], #-4]
            .endif
            vshl.s32 q4, r4
          .endif
          vshr.s32 %q[hi], q4, #31
          vqrdmlah.s32 %q[hi], q4, r6
          vqrdmlah.s32 %q[hi], q4, r6
          vrshl.s32 %q[hi], r8
          vadd.i32 %q[hi], %q[hi], %[zp]
          vqmovnt.s32 %q[hi], %q[hi]
          vmax.s16 %q[hi], %q[hi], %q[lo]
          vrev32.16 q4, %q[hi]
          vmin.s16 q4, q4, %q[lo]
        .else
          vcvt.f32.s32 q4, q4
          .if \first
            ldr r11, [%[scale]], #%c[SSTEP]
          .endif
          vmul.f32 q4, q4, r11
          vmaxnm.f32 q4, q4, %q[lo]
          vminnm.f32 q4, q4, %q[hi]
          vcvtn.s32.f32 q4, q4
          vadd.i32 q4, q4, %[zp]
        .endif
        vstrb.32 q4, [\yp, %q[yoff]]
        add \yp, \yp, #1
      .endm
      ldr r12, %[cout]
      dls lr, r12
    1:
      .if %c[W32]
        vldrb.8 q4, [%[w]], #32
      .else
        vldrb.8 q4, [%[w]], #16
      .endif
      vmladav.s8 r4, %q[x0], q4
      vmladav.s8 r6, %q[x1], q4
      vmladav.s8 r8, %q[x2], q4
      vmladav.s8 r10, %q[x3], q4
      fe_out%= %[y], 1, 1 - %c[PAIRS]
      .if %c[PAIRS]
        vldrb.8 q4, [%[w], #-16]
        vmladav.s8 r4, %q[x0], q4
        vmladav.s8 r6, %q[x1], q4
        vmladav.s8 r8, %q[x2], q4
        vmladav.s8 r10, %q[x3], q4
        fe_out%= %[yodd], 0, 1
      .endif
      le lr, 1b
      .purgem fe_out%=
      )"
      : [w] "+r"(w), [bias] "+r"(bias), [scale] "+r"(scale), [y] "+r"(y), [yodd] "+r"(yodd), [hi] "+w"(hi)
      : [cout] "m"(cout), [zp] "r"(zp), [x0] "w"(x0), [x1] "w"(x1), [x2] "w"(x2), [x3] "w"(x3), [lo] "w"(lo),
        [yoff] "w"(yoff), [PAIRS] "i"(kPairs ? 1 : 0), [W32] "i"(kW32 ? 1 : 0), [SSTEP] "i"(SSTEP),
        [TFL] "i"(Rq::kTfl), [LS] "i"(kLs ? 1 : 0)
      : "q4", "r4", "r11", "r6", "r8", "r10", "r12", "lr", "memory");
}

// TFLite, c_in <= 8: 8 pixels (x0..x3: pixel pairs, as conv1x1_s8_mve_asm16<true, ...>) against
// every output channel, the 8 outputs of a channel requantized together. Per channel: the two
// packed weight vectors, 8 VMLADAV, the even pixels' sums into one vector (A: pixels 0, 2, 4, 6)
// and the odd ones' into another (B: 1, 3, 5, 7), the bias, the TFLite multiply and rounding shift
// of each (the instructions of mve_s8_common.h's conv_s8_mve_tfl_mbqm); then VQMOVNB (A) and
// VQMOVNT (B) narrow both with int16 saturation into one vector whose halfwords are the 8 pixels
// in order, VQADD.S16 adds out_zp, the clamp runs on 8 lanes at once and one VSTRB.16 scatter
// (offsets k * c_out) stores them: 33 instructions per 8 outputs (the 4-output epilogue of
// conv1x1_s8_mve_asm16 needs 42). kFull (act_min = -128, act_max = 127): the clamp is VQMOVNB.S16
// (saturation to int8; VSTRB.16 stores each halfword's low byte). Else VMAX.S16 / VMIN.S16 with
// vectors made by VDUP.16.
// Exactness (v: the rounded product of one output, exactly as conv_s8_mve_requant_tfl's; the
// reference's result is clamp(v + zp, act_min, act_max) with -128 <= act_min <= act_max <= 127,
// |zp| <= 128): if v fits int16, sat16(v) + zp = v + zp fits int16 and VQADD adds it exactly; if
// v > 32767, sat16(v) + zp >= 32639 and v + zp both clamp to act_max (v < -32768: both to act_min).
// The conv_s8_mve_requant_tfl path (VADD zp in int32, VQMOVNT, clamp) gives the same. c_out <= 9362
// (offsets 7 * c_out in uint16 lanes).
template <bool kLs, bool kFull>
__attribute__((always_inline)) inline void conv1x1_s8_mve_tfl_pairs8(int8x16_t x0, int8x16_t x1, int8x16_t x2,
                                                                    int8x16_t x3, const int8_t* w,
                                                                    const int32_t* bias, const int32_t* q,
                                                                    int32_t cout, int8_t* y, uint16x8_t yoff,
                                                                    int32_t zp, int32_t act_min, int32_t act_max) {
  int32_t m, post;
  __asm__ volatile(
      R"(
      ldr r12, %[cout]
      dls lr, r12
    1:
      vldrb.8 q4, [%[w]], #32
      vmladav.s8 r4, %q[x0], q4
      vmladav.s8 r6, %q[x1], q4
      vmladav.s8 r8, %q[x2], q4
      vmladav.s8 r10, %q[x3], q4
      vldrb.8 q4, [%[w], #-16]
      vmov q5[2], q5[0], r4, r8
      vmov q5[3], q5[1], r6, r10
      ldr r12, [%[bias]], #4
      vmladav.s8 r4, %q[x0], q4
      vmladav.s8 r6, %q[x1], q4
      vmladav.s8 r8, %q[x2], q4
      vmladav.s8 r10, %q[x3], q4
      ldrd %[m], %[post], [%[q]], #12
      vadd.i32 q5, q5, r12
      vmov q4[2], q4[0], r4, r8
      vmov q4[3], q4[1], r6, r10
      vadd.i32 q4, q4, r12
      .if %c[LS]
        ldr r12, [%[q], #-16]
        vshl.s32 q5, r12
        vshl.s32 q4, r12
      .endif
      vshr.s32 q6, q5, #31
      vqrdmlah.s32 q6, q5, %[m]
      vqrdmlah.s32 q6, q5, %[m]
      vrshl.s32 q6, %[post]
      vshr.s32 q5, q4, #31
      vqrdmlah.s32 q5, q4, %[m]
      vqrdmlah.s32 q5, q4, %[m]
      vrshl.s32 q5, %[post]
      vqmovnb.s32 q6, q6
      vqmovnt.s32 q6, q5
      vqadd.s16 q6, q6, %[zp]
      .if %c[FULL]
        vqmovnb.s16 q6, q6
      .else
        ldr r12, %[amin]
        vdup.16 q5, r12
        vmax.s16 q6, q6, q5
        ldr r12, %[amax]
        vdup.16 q5, r12
        vmin.s16 q6, q6, q5
      .endif
      vstrb.16 q6, [%[y], %q[yoff]]
      adds %[y], %[y], #1
      le lr, 1b
      )"
      : [w] "+r"(w), [bias] "+r"(bias), [q] "+r"(q), [y] "+r"(y), [m] "=&r"(m), [post] "=&r"(post)
      : [cout] "m"(cout), [zp] "r"(zp), [amin] "m"(act_min), [amax] "m"(act_max), [x0] "w"(x0), [x1] "w"(x1),
        [x2] "w"(x2), [x3] "w"(x3), [yoff] "w"(yoff), [LS] "i"(kLs ? 1 : 0), [FULL] "i"(kFull ? 1 : 0)
      : "q4", "q5", "q6", "r4", "r6", "r8", "r10", "r12", "lr", "memory", "cc");
}

// 4 pixels (x0..x3: their first channel) for 16 < c_in <= 128, CH = ceil(c_in / 16) chunks
// unrolled (immediate offsets). Pixels 0 and 2 first, then 1 and 3. kPredX: the last chunk's pixel
// loads use the lane predicate px (set in P0).
template <int CH, bool kPredX, int SSTEP, class Rq = MveRqF32>
__attribute__((always_inline)) inline void conv1x1_s8_mve_asmk(const int8_t* x0, const int8_t* x1, const int8_t* x2,
                                                               const int8_t* x3, const int8_t* w,
                                                               const int32_t* bias, const typename Rq::Q* scale,
                                                               int32_t cout, int8_t* y, uint32x4_t yoff,
                                                               float32x4_t lo, float32x4_t hi, int32x4_t zp,
                                                               uint32_t px) {
  __asm__ volatile(
      R"(
      .macro fe_pair%=, xa, xb
        .set .Lfe_j, 0
        .rept %c[CH]
          vldrb.8 q1, [%[w], #.Lfe_j * 16]
          .if %c[PREDX] && .Lfe_j == %c[CH] - 1
            vpst
            vldrbt.8 q0, [\xa, #.Lfe_j * 16]
          .else
            vldrb.8 q0, [\xa, #.Lfe_j * 16]
          .endif
          .if .Lfe_j == 0
            vmladav.s8 r4, q0, q1
          .else
            vmladava.s8 r4, q0, q1
          .endif
          .if %c[PREDX] && .Lfe_j == %c[CH] - 1
            vpst
            vldrbt.8 q0, [\xb, #.Lfe_j * 16]
          .else
            vldrb.8 q0, [\xb, #.Lfe_j * 16]
          .endif
          .if .Lfe_j == 0
            vmladav.s8 r6, q0, q1
          .else
            vmladava.s8 r6, q0, q1
          .endif
          .set .Lfe_j, .Lfe_j + 1
        .endr
      .endm
      .if %c[PREDX]
        ldr r12, %[px]
        vmsr p0, r12
      .endif
      ldr lr, %[cout]
      dls lr, lr
    1:
      fe_pair%= %[x0], %[x2]
      vmov q4[2], q4[0], r4, r6
      fe_pair%= %[x1], %[x3]
      vmov q4[3], q4[1], r4, r6
      add %[w], %[w], #%c[CH] * 16
      ldr r12, [%[bias]], #4
      vadd.i32 q4, q4, r12
      .if %c[TFL]
        @ TFLite (mve_s8_common.h): r4 = ls, r6 = M, r12 = post; q0: temporary
        ldrd r4, r6, [%[scale]]
        ldr r12, [%[scale], #8]
        add %[scale], %[scale], #12
        vshl.s32 q4, r4
        vshr.s32 q0, q4, #31
        vqrdmlah.s32 q0, q4, r6
        vqrdmlah.s32 q0, q4, r6
        vrshl.s32 q0, r12
        vadd.i32 q0, q0, %q[zp]
        vqmovnt.s32 q0, q0
        vmax.s16 q0, q0, %q[lo]
        vrev32.16 q4, q0
        vmin.s16 q4, q4, %q[lo]
      .else
        vcvt.f32.s32 q4, q4
        ldr r12, [%[scale]], #%c[SSTEP]
        vmul.f32 q4, q4, r12
        vmaxnm.f32 q4, q4, %q[lo]
        vminnm.f32 q4, q4, %q[hi]
        vcvtn.s32.f32 q4, q4
        vadd.i32 q4, q4, %q[zp]
      .endif
      vstrb.32 q4, [%[y], %q[yoff]]
      add %[y], %[y], #1
      le lr, 1b
      .purgem fe_pair%=
      )"
      : [w] "+r"(w), [bias] "+r"(bias), [scale] "+r"(scale), [y] "+r"(y)
      : [x0] "r"(x0), [x1] "r"(x1), [x2] "r"(x2), [x3] "r"(x3), [cout] "m"(cout), [px] "m"(px), [lo] "w"(lo),
        [hi] "w"(hi), [yoff] "w"(yoff), [zp] "w"(zp), [CH] "i"(CH), [PREDX] "i"(kPredX ? 1 : 0), [SSTEP] "i"(SSTEP),
        [TFL] "i"(Rq::kTfl)
      : "q0", "q1", "q4", "r4", "r6", "r12", "p0", "lr", "memory");
}

// Four pixels starting at x0..x3 against all output channels, C++ (c_in > 128, or tensors of fewer
// than 4 pixels with kPred: store under the lane predicate pst). wstride: packed row bytes.
template <bool kPred, int SSTEP, class Rq = MveRqF32>
__attribute__((always_inline)) inline void conv1x1_s8_mve_group(const int8_t* x0, const int8_t* x1, const int8_t* x2,
                                                                const int8_t* x3, int32_t chunks,
                                                                mve_pred16_t ptail, const int8_t* w,
                                                                int32_t wstride, const int32_t* bias,
                                                                const typename Rq::Q* scale, int32_t cout, int8_t* y,
                                                                uint32x4_t yoff, float32x4_t lo, float32x4_t hi,
                                                                int32_t zp, mve_pred16_t pst) {
  for (int32_t oc = 0; oc < cout; ++oc, w += wstride) {
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const int8_t* p0 = x0;
    const int8_t* p1 = x1;
    const int8_t* p2 = x2;
    const int8_t* p3 = x3;
    const int8_t* wp = w;
    for (int32_t k = 1; k < chunks; ++k) {
      const int8x16_t wv = vldrbq_s8(wp);
      wp += 16;
      a0 = vmladavaq_s8(a0, vldrbq_s8(p0), wv);
      a1 = vmladavaq_s8(a1, vldrbq_s8(p1), wv);
      a2 = vmladavaq_s8(a2, vldrbq_s8(p2), wv);
      a3 = vmladavaq_s8(a3, vldrbq_s8(p3), wv);
      p0 += 16;
      p1 += 16;
      p2 += 16;
      p3 += 16;
    }
    const int8x16_t wv = vldrbq_s8(wp);
    a0 = vmladavaq_s8(a0, vldrbq_z_s8(p0, ptail), wv);
    a1 = vmladavaq_s8(a1, vldrbq_z_s8(p1, ptail), wv);
    a2 = vmladavaq_s8(a2, vldrbq_z_s8(p2, ptail), wv);
    a3 = vmladavaq_s8(a3, vldrbq_z_s8(p3, ptail), wv);
    const int32x4_t acc = vaddq_n_s32(conv_s8_mve_vec4(a0, a1, a2, a3), bias[oc]);
    const int32x4_t q = Rq::requant(acc, scale + (SSTEP ? oc * Rq::kWords : 0), lo, hi, zp);
    if (kPred)
      vstrbq_scatter_offset_p_s32(y + oc, yoff, q, pst);
    else
      vstrbq_scatter_offset_s32(y + oc, yoff, q);
  }
}

// Operands of a pointwise product: pixels rows of cin int8 (contiguous) times c_out packed weight
// rows, int8 output rows of c_out. SSTEP 4: one scale per output channel; 0: one for all.
struct PwS8Mve {
  int32_t pixels, cin, cout, out_zp, act_min, act_max;
};

template <int CH, int SSTEP, class Rq = MveRqF32>
__attribute__((noinline)) void conv1x1_s8_mve_k(const PwS8Mve& a, const int8_t* x, const int8_t* w,
                                                const int32_t* bias, const typename Rq::Q* scale, int8_t* y) {
  const int32_t cin = a.cin, cout = a.cout, pixels = a.pixels;
  const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(cout));
  const float32x4_t lo = Rq::lo(a.act_min, a.act_max, a.out_zp);
  const float32x4_t hi = Rq::hi(a.act_min, a.act_max, a.out_zp);
  const int32x4_t zpv = vdupq_n_s32(a.out_zp);
  const uint32_t px = vctp8q(static_cast<uint32_t>(cin - (CH - 1) * 16));
  for (int32_t px0 = 0; px0 < pixels; px0 += 4) {
    const int32_t g = px0 + 4 <= pixels ? px0 : pixels - 4;  // the last group overlaps
    const int8_t* x0 = x + g * cin;
    int8_t* yg = y + g * cout;
    if (g + 4 == pixels && (cin & 15))
      conv1x1_s8_mve_asmk<CH, true, SSTEP, Rq>(x0, x0 + cin, x0 + 2 * cin, x0 + 3 * cin, w, bias, scale, cout, yg, yoff,
                                           lo, hi, zpv, px);
    else
      conv1x1_s8_mve_asmk<CH, false, SSTEP, Rq>(x0, x0 + cin, x0 + 2 * cin, x0 + 3 * cin, w, bias, scale, cout, yg, yoff,
                                            lo, hi, zpv, px);
  }
}

// c_in <= 16 (pixels >= 4): groups of 8 pixels in pairs (c_in <= 8) or of 4, the last group
// overlapping. TFLite: scale points at the first channel's M (the asm reads ls at -4 when kLs).
template <int SSTEP, class Rq, bool kLs>
__attribute__((noinline)) void conv1x1_s8_mve_short(const PwS8Mve& a, const int8_t* x, const int8_t* w,
                                                    const int32_t* bias, const typename Rq::Q* scale, int8_t* y) {
  const int32_t cin = a.cin, cout = a.cout, pixels = a.pixels;
  const float32x4_t lo = Rq::lo(a.act_min, a.act_max, a.out_zp);
  const float32x4_t hi = Rq::hi(a.act_min, a.act_max, a.out_zp);
  const int32_t zp = a.out_zp;
  int32_t px0 = 0;
  if (cin <= 8 && pixels >= 8) {
    // Two pixels per vector: vector k holds pixels g + 2k and g + 2k + 1.
    const mve_pred16_t pl = vctp8q(static_cast<uint32_t>(2 * cin));
    if constexpr (Rq::kTfl != 0) {
      if (cout <= 9362) {
        const uint16x8_t yoff8 = vmulq_n_u16(vidupq_n_u16(0u, 1), static_cast<uint16_t>(cout));
        const bool full = a.act_min <= -128 && a.act_max >= 127;
        for (; px0 < pixels; px0 += 8) {
          const int32_t g = px0 + 8 <= pixels ? px0 : pixels - 8;
          const int8_t* xg = x + g * cin;
          const int8x16_t v0 = vldrbq_z_s8(xg, pl), v1 = vldrbq_z_s8(xg + 2 * cin, pl);
          const int8x16_t v2 = vldrbq_z_s8(xg + 4 * cin, pl), v3 = vldrbq_z_s8(xg + 6 * cin, pl);
          if (full)
            conv1x1_s8_mve_tfl_pairs8<kLs, true>(v0, v1, v2, v3, w, bias, scale, cout, y + g * cout, yoff8, zp,
                                                 a.act_min, a.act_max);
          else
            conv1x1_s8_mve_tfl_pairs8<kLs, false>(v0, v1, v2, v3, w, bias, scale, cout, y + g * cout, yoff8, zp,
                                                  a.act_min, a.act_max);
        }
        return;
      }
    }
    const uint32x4_t yoff2 = vmulq_n_u32(vidupq_n_u32(0, 2), static_cast<uint32_t>(cout));
    for (; px0 < pixels; px0 += 8) {
      const int32_t g = px0 + 8 <= pixels ? px0 : pixels - 8;
      const int8_t* xg = x + g * cin;
      conv1x1_s8_mve_asm16<true, true, SSTEP, Rq, kLs>(vldrbq_z_s8(xg, pl), vldrbq_z_s8(xg + 2 * cin, pl),
                                              vldrbq_z_s8(xg + 4 * cin, pl), vldrbq_z_s8(xg + 6 * cin, pl), w, bias,
                                              scale, cout, y + g * cout, y + (g + 1) * cout, yoff2, lo, hi, zp);
    }
    return;
  }
  const mve_pred16_t pl = vctp8q(static_cast<uint32_t>(cin));
  const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(cout));
  for (; px0 < pixels; px0 += 4) {
    const int32_t g = px0 + 4 <= pixels ? px0 : pixels - 4;
    const int8_t* xg = x + g * cin;
    if (cin <= 8)
      conv1x1_s8_mve_asm16<false, true, SSTEP, Rq, kLs>(vldrbq_z_s8(xg, pl), vldrbq_z_s8(xg + cin, pl),
                                               vldrbq_z_s8(xg + 2 * cin, pl), vldrbq_z_s8(xg + 3 * cin, pl), w, bias,
                                               scale, cout, y + g * cout, y, yoff, lo, hi, zp);
    else
      conv1x1_s8_mve_asm16<false, false, SSTEP, Rq, kLs>(vldrbq_z_s8(xg, pl), vldrbq_z_s8(xg + cin, pl),
                                                vldrbq_z_s8(xg + 2 * cin, pl), vldrbq_z_s8(xg + 3 * cin, pl), w,
                                                bias, scale, cout, y + g * cout, y, yoff, lo, hi, zp);
  }
}

// The pointwise product for any pixels >= 1 (see the algorithm notes at the top). w: packed as
// pack_conv1x1_s8_mve does for a.cin.
template <int SSTEP, class Rq = MveRqF32>
inline void conv1x1_s8_mve_core(const PwS8Mve& a, const int8_t* x, const int8_t* w, const int32_t* bias,
                                const typename Rq::Q* scale, int8_t* y) {
  const int32_t cin = a.cin, cout = a.cout, pixels = a.pixels;
  const int32_t chunks = (cin + 15) >> 4;
  const int32_t wstride = cin <= 8 ? 32 : 16 * chunks;
  const float32x4_t lo = Rq::lo(a.act_min, a.act_max, a.out_zp);
  const float32x4_t hi = Rq::hi(a.act_min, a.act_max, a.out_zp);
  const int32_t zp = a.out_zp;
  const size_t xs = static_cast<size_t>(cin), ys = static_cast<size_t>(cout);
  if (pixels < 4) {
    const mve_pred16_t ptail = vctp8q(static_cast<uint32_t>(cin - (chunks - 1) * 16));
    const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(cout));
    const int8_t* x1 = pixels > 1 ? x + xs : x;
    const int8_t* x2 = pixels > 2 ? x + 2 * xs : x;
    conv1x1_s8_mve_group<true, SSTEP, Rq>(x, x1, x2, x, chunks, ptail, w, wstride, bias, scale, cout, y, yoff, lo, hi,
                                      zp, vctp32q(static_cast<uint32_t>(pixels)));
    return;
  }
  if (cin <= 16) {
    if (Rq::kTfl) {
      // TFLite: the VSHL by ls only when some ls is nonzero (q: [c_out][3] = {ls, M, post}).
      const auto* q = reinterpret_cast<const int32_t*>(scale);
      bool any_ls = false;
      for (int32_t oc = 0; oc < cout; ++oc) any_ls = any_ls || q[3 * oc] != 0;
      if (any_ls)
        conv1x1_s8_mve_short<SSTEP, Rq, true>(a, x, w, bias, scale + 1, y);
      else
        conv1x1_s8_mve_short<SSTEP, Rq, false>(a, x, w, bias, scale + 1, y);
    } else {
      conv1x1_s8_mve_short<SSTEP, Rq, false>(a, x, w, bias, scale, y);
    }
    return;
  }
  switch (chunks) {
    case 2: return conv1x1_s8_mve_k<2, SSTEP, Rq>(a, x, w, bias, scale, y);
    case 3: return conv1x1_s8_mve_k<3, SSTEP, Rq>(a, x, w, bias, scale, y);
    case 4: return conv1x1_s8_mve_k<4, SSTEP, Rq>(a, x, w, bias, scale, y);
    case 5: return conv1x1_s8_mve_k<5, SSTEP, Rq>(a, x, w, bias, scale, y);
    case 6: return conv1x1_s8_mve_k<6, SSTEP, Rq>(a, x, w, bias, scale, y);
    case 7: return conv1x1_s8_mve_k<7, SSTEP, Rq>(a, x, w, bias, scale, y);
    case 8: return conv1x1_s8_mve_k<8, SSTEP, Rq>(a, x, w, bias, scale, y);
    default: break;
  }
  const mve_pred16_t ptail = vctp8q(static_cast<uint32_t>(cin - (chunks - 1) * 16));
  const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(cout));
  for (int32_t px0 = 0; px0 < pixels; px0 += 4) {
    const int32_t g = px0 + 4 <= pixels ? px0 : pixels - 4;
    const int8_t* x0 = x + static_cast<size_t>(g) * xs;
    conv1x1_s8_mve_group<false, SSTEP, Rq>(x0, x0 + xs, x0 + 2 * xs, x0 + 3 * xs, chunks, ptail, w, wstride, bias, scale,
                                       cout, y + static_cast<size_t>(g) * ys, yoff, lo, hi, zp, 0);
  }
}

// x: NHWC int8 [pixels][c_in]; w, bias: packed as above; scale: float [c_out]; y: NHWC int8
// [pixels][c_out], must not alias x.
inline void conv1x1_s8_mve(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                           const float* scale, void* y) {
  const PwS8Mve a{p.n * p.h_out * p.w_out, p.c_in, p.c_out, p.out_zp, p.act_min, p.act_max};
  conv1x1_s8_mve_core<4>(a, x, w, bias, scale, static_cast<int8_t*>(y));
}

// The same kernel with TFLite's requantization: qm = int32 [c_out][3] (ls, M, post), packed by
// pack_requant_s8_mve_tfl (compiler/kernels/pack_s8_mve.h); exactness in mve_s8_common.h.
inline void conv1x1_s8_mve_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                               const int32_t* qm, void* y) {
  const PwS8Mve a{p.n * p.h_out * p.w_out, p.c_in, p.c_out, p.out_zp, p.act_min, p.act_max};
  conv1x1_s8_mve_core<4, MveRqTfl>(a, x, w, bias, qm, static_cast<int8_t*>(y));
}
