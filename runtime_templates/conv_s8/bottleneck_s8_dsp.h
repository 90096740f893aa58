// Channel-streamed inverted bottleneck (1x1 expand -> KxK depthwise -> 1x1 project, the fused
// MobileNetV2 block of bottleneck_s8_nhwc in conv_s8.h) for Cortex-M cores with the DSP extension
// and an FPU (M4F/M7/M33). Needs conv_s8/dsp_s8_common.h, conv_s8/conv1x1_s8_dsp.h and
// conv_s8/dwconv_s8_dsp.h pasted before it. Bit-identical to bottleneck_s8_nhwc.
//
// Entry points (K = 3, 5, 7; S = 1, 2 = the depthwise kernel and stride, both directions):
//   bottleneck{K}x{K}_s{S}_s8_dsp(p, x, we, be, se, wd, bd, sd, wq, bq, sq, y, scratch)
// with the portable kernel's arguments, the weights and biases packed by
// ferrite::kernels::pack_bottleneck_s8_dsp (compiler/kernels/pack_s8_dsp.h, selection rule
// bottleneck_s8_dsp_applies there). y must not alias x or the scratch.
//
// Like the portable kernel the expanded tensor is never stored whole. The middle channels are
// streamed in groups of 4:
//  1. expand, one channel pair (c, c + 1) at a time: SMLAD over c_in, 2 pixels x 2 channels per
//     step (the conv1x1_s8_dsp inner loop), requantized (table, dsp_s8_common.h) straight into two
//     int16 depthwise planes (the padded-plane layout of dwconv_s8_dsp.h, rows of the two planes
//     interleaved: plane k row r at element (2 r + k) * RS). Only the input pixels the depthwise
//     convolution reads are expanded; the plane borders hold the depthwise input zero point,
//     written once per call (the packed depthwise bias cancels them, zero-point folding as in
//     conv1x1_s8_dsp.h);
//  2. depthwise, each plane with the plane path of dwconv_s8_dsp.h (on FPU cores its per-layer
//     assembly routine with the gather skipped), requantized into byte c % 4 of a per-pixel record;
//  3. project, after every 4 middle channels: per output pixel the record's word of 4 depthwise
//     values is unpacked with SXTB16 into [d0, d2] / [d1, d3] and multiply-accumulated (SMLAD)
//     into the record's c_out int32 accumulators against weights pre-paired the same way.
// At the end the accumulators (started at the packed project bias) are requantized into y.
//
// Exactness: every expand and depthwise value is the int32 sum the portable kernel forms (products
// reordered, input zero points folded into the packed biases modulo 2^32, padded taps reading the
// zero point), requantized with the table proved equal to requantize() in dsp_s8_common.h; the
// projection adds the same int32 products in another order. So y is bit-identical.
//
// Scratch (bottleneck_s8_dsp_scratch_bytes, 4-byte aligned):
//   records   4 * (c_out + 1) * h_out * w_out        (per output pixel: the word of 4 depthwise
//                                                    bytes, then c_out int32 accumulators)
//   planes    2 * 2 * rows * RS + 8                  (two int16 planes, + 8 bytes of slack)
//   tables    3 * 512                                (expand, depthwise, project requantization)
// rows = (h_out - 1) * S + K, RS = the depthwise plane row stride (dwconv_dsp_plane: the padded
// columns rounded up to whole 4-output blocks). The portable kernel needs 4 * c_out * h_out * w_out
// + h_in * w_in + h_out * w_out; the unfused layers c_mid * h_in * w_in for the expanded tensor.
//
// Packed weights (all int16 lanes, lane 0 = low half, w' = w - w_zp of the layer):
//   expand   the conv1x1_s8_dsp layout for c_mid output channels (channel pairs, an odd c_mid gets a
//            zero phantom channel), bias: C2 = c_mid rounded up to even entries
//            be[c] - x_zp * sum_k w'[c][k] (phantom 0);
//   dw       the depthwise plane layout of dwconv_s8_dsp.h (per channel K rows of K / 2 + 1 words),
//            bias: c_mid entries bd[c] - dw_x_zp * sum w'(c);
//   project  per group g of 4 middle channels (G = ceil(c_mid / 4), missing channels 0), per output
//            channel oc: [w'(oc, 4g), w'(oc, 4g + 2)], [w'(oc, 4g + 1), w'(oc, 4g + 3)]; group g at
//            word 2 * c_out * g; bias: c_out entries bq[oc] - q_x_zp * sum_c w'(oc, c).

struct BnDspGeom {
  int32_t rows, rs;        // depthwise plane rows and row stride (int16 elements, even)
  int32_t r0, r1, q0, q1;  // plane rows [r0, r1) x columns [q0, q1) hold expanded input pixels
  int32_t out_px;          // h_out * w_out
  int32_t rec;             // record words: c_out + 1
};

inline BnDspGeom bottleneck_dsp_geom(const BottleneckS8Params& p) {
  const ConvS8Params& d = p.dw;
  const DwDspPlane pl = dwconv_dsp_plane(d);
  BnDspGeom g;
  g.rows = pl.rows;
  g.rs = pl.row_stride;
  g.r0 = d.pad_top < pl.rows ? d.pad_top : pl.rows;
  g.r1 = d.pad_top + d.h_in < pl.rows ? d.pad_top + d.h_in : pl.rows;
  g.q0 = d.pad_left < pl.cols ? d.pad_left : pl.cols;
  g.q1 = d.pad_left + d.w_in < pl.cols ? d.pad_left + d.w_in : pl.cols;
  g.out_px = p.project.h_out * p.project.w_out;
  g.rec = p.project.c_out + 1;
  return g;
}

inline size_t bottleneck_s8_dsp_scratch_bytes(const BottleneckS8Params& p) {
  const BnDspGeom g = bottleneck_dsp_geom(p);
  return 4 * static_cast<size_t>(g.rec) * static_cast<size_t>(g.out_px) +
         4 * static_cast<size_t>(g.rows) * static_cast<size_t>(g.rs) + 8 + 3 * 512;
}

// ---- expand: one channel pair into the two planes ----
// Portable/SIMD-intrinsics version for interior columns [qa, q1) of every interior row.
inline void bottleneck_dsp_expand_c(const BottleneckS8Params& p, const BnDspGeom& g, const int8_t* x,
                                    const dsp_u32_alias* wblk, int32_t b0, int32_t b1, float s0, float s1,
                                    const int8_t* tbl, int16_t* planes, int32_t qa) {
  const ConvS8Params& e = p.expand;
  const int32_t c_in = e.c_in;
  const int32_t full = c_in >> 2, n8 = full >> 1, g4 = full & 1, rem = c_in & 3;
  const int32_t rs = g.rs;
  for (int32_t r = g.r0; r < g.r1; ++r) {
    const int8_t* xr = x + (static_cast<size_t>(r - p.dw.pad_top) * static_cast<size_t>(e.w_in) +
                            static_cast<size_t>(qa - p.dw.pad_left)) *
                               static_cast<size_t>(c_in);
    int16_t* d0 = planes + static_cast<size_t>(r) * 2 * static_cast<size_t>(rs) + qa;
    int32_t q = qa;
    for (; q + 2 <= g.q1; q += 2) {
      Conv1x1DspAcc a{b0, b1, b0, b1};
      conv1x1_dsp_k22<true>(xr, c_in, wblk, n8, g4, rem, a);
      dsp_requant_idx2(a.a00, a.a01, s0, s1);
      dsp_requant_idx2(a.a10, a.a11, s0, s1);
      d0[0] = tbl[a.a00];
      d0[rs] = tbl[a.a01];
      d0[1] = tbl[a.a10];
      d0[rs + 1] = tbl[a.a11];
      xr += 2 * c_in;
      d0 += 2;
    }
    if (q < g.q1) {
      Conv1x1DspAcc a{b0, b1, 0, 0};
      conv1x1_dsp_k12<true>(xr, c_in, wblk, n8, g4, rem, a);
      dsp_requant_idx2(a.a00, a.a01, s0, s1);
      d0[0] = tbl[a.a00];
      d0[rs] = tbl[a.a01];
    }
  }
}

struct BnExpandJob {
  const int8_t* x;        // 0: first pixel of the first interior row
  int16_t* dst;           // 4: its element in plane 0
  const uint32_t* w;      // 8: the channel pair's packed weights
  const int32_t* bias;    // 12: 2 packed biases
  const float* scale;     // 16: 2 scales
  const int8_t* tbl;      // 20: requantization table (centre)
  int32_t c_in;           // 24: multiple of 4, >= 4
  int32_t rows;           // 28: >= 1
  int32_t pairs;          // 32: pixel pairs per row, >= 1
  int32_t x_skip;         // 36: bytes from the pixel after a row's last pair to the next row's first
  int32_t d_skip;         // 40: plane bytes likewise
  int32_t plane1;         // 44: bytes from plane 0 to plane 1 (2 * RS)
};

struct BnProjectJob {
  int32_t* rec;           // 0: first record
  const uint32_t* w;      // 4: the group's packed project weights
  int32_t pixels;         // 8: >= 1
  int32_t chunks;         // 12: c_out / 4, >= 1
};

#if FERRITE_DSP_FPU
static_assert(offsetof(BnExpandJob, plane1) == 44 && offsetof(BnProjectJob, chunks) == 12,
              "bottleneck job offsets are hard-coded in the assembly");
// Expand: every interior row in pixel pairs (2 pixels x 2 channels per block, the K loop of
// conv1x1_s8_dsp.h: registers r0-r3 accumulators a00 a01 a10 a11, r4 activations, r5 weights, r7
// c_in, lr K count, r6 r8-r12 temporaries). s0/s1 scales, s6/s7 biases, s8 x_skip, s9 d_skip,
// s10 pairs per row. Frame (words): [0] table [1] plane-1 offset [2] dst [3] pairs left
// [4] K count [5] rows left. Per block (c_in = 8): 34 K-loop + 39 other instructions for 32 MACs.
#define FE_BNE_BODY                                                                                  \
  "push {r4-r11, lr}\n\t"                                                                            \
  "sub sp, sp, #24\n\t"                                                                              \
  "ldr r1, [r0, #20]\n\t" "str r1, [sp, #0]\n\t"                                                     \
  "ldr r1, [r0, #44]\n\t" "str r1, [sp, #4]\n\t"                                                     \
  "ldr r1, [r0, #4]\n\t"  "str r1, [sp, #8]\n\t"                                                     \
  "ldr r7, [r0, #24]\n\t"                                                                            \
  "lsr r1, r7, #3\n\t" "ubfx r2, r7, #2, #1\n\t" "add r1, r1, r2\n\t" "str r1, [sp, #16]\n\t"       \
  "ldr r1, [r0, #28]\n\t" "str r1, [sp, #20]\n\t"                                                    \
  "ldr r1, [r0, #12]\n\t" "vldr s6, [r1]\n\t" "vldr s7, [r1, #4]\n\t"                                \
  "ldr r1, [r0, #16]\n\t" "vldr s0, [r1]\n\t" "vldr s1, [r1, #4]\n\t"                                \
  "ldr r1, [r0, #36]\n\t" "vmov s8, r1\n\t"                                                          \
  "ldr r1, [r0, #40]\n\t" "vmov s9, r1\n\t"                                                          \
  "ldr r1, [r0, #32]\n\t" "vmov s10, r1\n\t"                                                         \
  "ldr r5, [r0, #8]\n\t"                                                                             \
  "ldr r4, [r0, #0]\n\t"                                                                             \
  "1:\n\t" /* row */                                                                                 \
  "vmov r1, s10\n\t" "str r1, [sp, #12]\n\t"                                                         \
  "2:\n\t" /* block: 2 pixels x 2 channels */                                                        \
  "vmov r0, r1, s6, s7\n\t"                                                                          \
  "mov r2, r0\n\t"                                                                                   \
  "mov r3, r1\n\t"                                                                                   \
  "ldr lr, [sp, #16]\n\t"                                                                            \
  "tst r7, #4\n\t"                                                                                   \
  "bne 4f\n\t"                                                                                       \
  "3:\n\t" FE_PWA_GROUP(FE_PWA_W16) "4:\n\t" FE_PWA_GROUP(FE_PWA_W16)                               \
  "subs lr, lr, #1\n\t"                                                                              \
  "bne 3b\n\t"                                                                                       \
  "add r4, r4, r7\n\t"                                                                               \
  "sub r5, r5, r7, lsl #2\n\t"                                                                       \
  "vmov s2, s3, r0, r1\n\t"                                                                          \
  "vmov s4, s5, r2, r3\n\t"                                                                          \
  "vcvt.f32.s32 s2, s2\n\t" "vcvt.f32.s32 s3, s3\n\t" "vcvt.f32.s32 s4, s4\n\t" "vcvt.f32.s32 s5, s5\n\t" \
  "vmul.f32 s2, s2, s0\n\t" "vmul.f32 s3, s3, s1\n\t" "vmul.f32 s4, s4, s0\n\t" "vmul.f32 s5, s5, s1\n\t" \
  "vcvtr.s32.f32 s2, s2\n\t" "vcvtr.s32.f32 s3, s3\n\t" "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t" \
  "vmov r0, r1, s2, s3\n\t"                                                                          \
  "vmov r2, r3, s4, s5\n\t"                                                                          \
  "ldm sp, {r8, r9, r10, r11}\n\t" /* table, plane-1 offset, dst, pairs left */                      \
  "ssat r0, #9, r0\n\t" "ssat r1, #9, r1\n\t" "ssat r2, #9, r2\n\t" "ssat r3, #9, r3\n\t"            \
  "ldrsb r0, [r8, r0]\n\t" "ldrsb r1, [r8, r1]\n\t" "ldrsb r2, [r8, r2]\n\t" "ldrsb r3, [r8, r3]\n\t" \
  "pkhbt r0, r0, r2, lsl #16\n\t" /* channel 0: [pixel 0, pixel 1] */                                \
  "pkhbt r1, r1, r3, lsl #16\n\t" /* channel 1 */                                                    \
  "str r1, [r10, r9]\n\t"                                                                            \
  "str r0, [r10], #4\n\t"                                                                            \
  "subs r11, r11, #1\n\t"                                                                            \
  "strd r10, r11, [sp, #8]\n\t"                                                                      \
  "bne 2b\n\t"                                                                                       \
  /* next row */                                                                                     \
  "vmov r0, r1, s8, s9\n\t"                                                                          \
  "add r4, r4, r0\n\t"                                                                               \
  "add r10, r10, r1\n\t"                                                                             \
  "str r10, [sp, #8]\n\t"                                                                            \
  "ldr r1, [sp, #20]\n\t" "subs r1, r1, #1\n\t" "str r1, [sp, #20]\n\t"                              \
  "bne 1b\n\t"                                                                                       \
  "add sp, sp, #24\n\t"                                                                              \
  "pop {r4-r11, pc}\n\t"

// AAPCS: r0 = job; preserves r4-r11 and s16-s31 (uses s0-s10 only).
__attribute__((naked, noinline)) inline void bottleneck_dsp_expand_asm(const BnExpandJob* /*job*/) {
  __asm__ volatile(FE_BNE_BODY);
}

// Project: per pixel, the record's depthwise word (its first) unpacked into r9 = [d0, d2], r8 = [d1, d3], then
// the accumulators in chunks of 4 (LDM, 4 x (LDRD + 2 SMLAD), STM). r12 weights, lr records, r4
// chunks left, r5 chunks, r6 pixels left, r7 weights of the group.
#define FE_BNP_OC(A) "ldrd r10, r11, [r12], #8\n\t" "smlad " A ", r9, r10, " A "\n\t" "smlad " A ", r8, r11, " A "\n\t"
#define FE_BNP_BODY                                                                                  \
  "push {r4-r11, lr}\n\t"                                                                            \
  "ldr lr, [r0, #0]\n\t"                                                                             \
  "ldr r7, [r0, #4]\n\t"                                                                             \
  "ldr r6, [r0, #8]\n\t"                                                                             \
  "ldr r5, [r0, #12]\n\t"                                                                            \
  "1:\n\t"                                                                                           \
  "ldr r8, [lr], #4\n\t"                                                                             \
  "sxtb16 r9, r8\n\t"                                                                                \
  "sxtb16 r8, r8, ror #8\n\t"                                                                        \
  "mov r4, r5\n\t"                                                                                   \
  "mov r12, r7\n\t"                                                                                  \
  "2:\n\t"                                                                                           \
  "ldm lr, {r0-r3}\n\t"                                                                              \
  FE_BNP_OC("r0") FE_BNP_OC("r1") FE_BNP_OC("r2") FE_BNP_OC("r3")                                    \
  "stm lr!, {r0-r3}\n\t"                                                                             \
  "subs r4, r4, #1\n\t"                                                                              \
  "bne 2b\n\t"                                                                                       \
  "subs r6, r6, #1\n\t"                                                                              \
  "bne 1b\n\t"                                                                                       \
  "pop {r4-r11, pc}\n\t"

// AAPCS: r0 = job; preserves r4-r11.
__attribute__((naked, noinline)) inline void bottleneck_dsp_project_asm(const BnProjectJob* /*job*/) {
  __asm__ volatile(FE_BNP_BODY);
}
#endif

// ---- depthwise of one plane into the records (portable/SIMD-intrinsics version) ----
template <int K, int S>
inline void bottleneck_dsp_dw_c(const ConvS8Params& d, const int16_t* plane, int32_t wrow, const dsp_dw_u32a* wch,
                                int32_t b, float sc, const int8_t* tbl, int8_t* yrow, int32_t ystride) {
  constexpr int NB = DwDspBlock<K>::NB;
  const int16_t* prow = plane;
  for (int32_t oh = 0; oh < d.h_out; ++oh) {
    int32_t ow = 0;
    int8_t* yp = yrow;
    const int16_t* pb = prow;
    for (; ow + NB <= d.w_out; ow += NB) {
      dwconv_dsp_block<K, S, NB, true>(pb, wrow, wch, b, sc, tbl, yp, ystride);
      pb += NB * S;
      yp += NB * ystride;
    }
    if (NB > 2 && ow + 2 <= d.w_out) {
      dwconv_dsp_block<K, S, 2, true>(pb, wrow, wch, b, sc, tbl, yp, ystride);
      pb += 2 * S;
      yp += 2 * ystride;
      ow += 2;
    }
    if (ow < d.w_out) dwconv_dsp_block<K, S, 1, false>(pb, wrow, wch, b, sc, tbl, yp, ystride);
    prow += S * wrow;
    yrow += static_cast<size_t>(d.w_out) * static_cast<size_t>(ystride);
  }
}

template <int K, int S>
inline void bottleneck_s8_dsp_impl(const BottleneckS8Params& p, const int8_t* x, const int8_t* we, const int32_t* be,
                                   const float* se, const int8_t* wd, const int32_t* bd, const float* sd,
                                   const int8_t* wq, const int32_t* bq, const float* sq, int8_t* y, void* scratch) {
  const ConvS8Params& e = p.expand;
  const ConvS8Params& d = p.dw;
  const ConvS8Params& q = p.project;
  const BnDspGeom g = bottleneck_dsp_geom(p);
  const int32_t c_in = e.c_in, c_mid = e.c_out, c_out = q.c_out;
  const int32_t rec = g.rec, rec_bytes = 4 * g.rec;
  int32_t* const recs = static_cast<int32_t*>(scratch);
  int16_t* const planes = reinterpret_cast<int16_t*>(recs + static_cast<size_t>(rec) * static_cast<size_t>(g.out_px));
  const size_t plane_elems = 2 * static_cast<size_t>(g.rows) * static_cast<size_t>(g.rs) + 4;
  int8_t* const tstore = reinterpret_cast<int8_t*>(planes + plane_elems);
  const int8_t* te = dsp_requant_table(tstore, e.out_zp, e.act_min, e.act_max);
  const int8_t* td = dsp_requant_table(tstore + 512, d.out_zp, d.act_min, d.act_max);
  const int8_t* tq = dsp_requant_table(tstore + 1024, q.out_zp, q.act_min, q.act_max);

  // Records: accumulators = packed project bias, depthwise word = 0. Planes: the depthwise input
  // zero point (the interior is rewritten by every expand).
  for (int32_t px = 0; px < g.out_px; ++px) {
    int32_t* r = recs + static_cast<size_t>(px) * static_cast<size_t>(rec);
    r[0] = 0;
    for (int32_t oc = 0; oc < c_out; ++oc) r[1 + oc] = bq[oc];
  }
  const int16_t zp16 = static_cast<int16_t>(d.in_zp);
  for (size_t i = 0; i < plane_elems; ++i) planes[i] = zp16;

  const dsp_u32_alias* we32 = reinterpret_cast<const dsp_u32_alias*>(we);
  const int32_t ew_pair = 4 * ((c_in + 3) >> 2);  // words per expand channel pair
  constexpr int M = K / 2;
  const int32_t dw_words = K * (M + 1);             // packed depthwise words per channel
  const dsp_dw_u32a* wd32 = reinterpret_cast<const dsp_dw_u32a*>(wd);
  const dsp_u32_alias* wq32 = reinterpret_cast<const dsp_u32_alias*>(wq);
  const int32_t ncols = g.q1 - g.q0, nrows = g.r1 - g.r0;
  int8_t* const dbytes = reinterpret_cast<int8_t*>(recs);  // record 0's depthwise word

  for (int32_t c4 = 0; c4 < c_mid; c4 += 4) {
    for (int32_t c = c4; c < c4 + 4 && c < c_mid; c += 2) {
      // 1. expand channels c, c + 1 (c + 1 may be the phantom channel: computed, never used)
      const dsp_u32_alias* wblk = we32 + static_cast<size_t>(c / 2) * static_cast<size_t>(ew_pair);
      const float s0 = se[c], s1 = c + 1 < c_mid ? se[c + 1] : se[c];
      int32_t qa = g.q0;
      if (nrows > 0 && ncols > 0) {
#if FERRITE_DSP_FPU
        if ((c_in & 3) == 0 && ncols >= 2) {
          BnExpandJob j;
          j.x = x + (static_cast<size_t>(g.r0 - d.pad_top) * static_cast<size_t>(e.w_in) +
                     static_cast<size_t>(g.q0 - d.pad_left)) *
                        static_cast<size_t>(c_in);
          j.dst = planes + static_cast<size_t>(g.r0) * 2 * static_cast<size_t>(g.rs) + g.q0;
          j.w = reinterpret_cast<const uint32_t*>(wblk);
          j.bias = be + c;
          j.scale = se + c;
          float s2[2] = {s0, s1};
          if (c + 1 >= c_mid) j.scale = s2;
          j.tbl = te;
          j.c_in = c_in;
          j.rows = nrows;
          j.pairs = ncols >> 1;
          j.x_skip = (e.w_in - 2 * j.pairs) * c_in;
          j.d_skip = 2 * (2 * g.rs - 2 * j.pairs);
          j.plane1 = 2 * g.rs;
          bottleneck_dsp_expand_asm(&j);
          __asm__ volatile("" ::: "memory");
          qa = g.q0 + 2 * j.pairs;
        }
#endif
        if (qa < g.q1) bottleneck_dsp_expand_c(p, g, x, wblk, be[c], be[c + 1], s0, s1, te, planes, qa);
      }
      // 2. depthwise of each real channel's plane into byte c % 4 of the records
      for (int32_t k = 0; k < 2 && c + k < c_mid; ++k) {
        const int32_t ch = c + k;
        const int16_t* plane = planes + k * g.rs;
#if FERRITE_DSP_FPU
        DwDspJob j;
        j.x = x;
        j.dst = planes;
        j.g_rows = 0;  // no gather: the expand wrote the plane
        j.g_cols = 0;
        j.x_skip = 0;
        j.d_skip = 0;
        j.plane = plane;
        j.w = reinterpret_cast<const uint32_t*>(wd32 + static_cast<size_t>(ch) * static_cast<size_t>(dw_words));
        j.stride = 4 * g.rs;
        j.row_step = 4 * g.rs * S;
        j.y = dbytes + (ch & 3);
        j.C = rec_bytes;
        j.tbl = td;
        j.bias = bd + ch;
        j.scale = sd + ch;
        j.h_out = d.h_out;
        j.nblk = (d.w_out + 3) >> 2;
        j.rem = d.w_out & 3;
        j.y_row = d.w_out * rec_bytes;
        j.w_bytes = 4 * dw_words;
        j.x_C = 1;
        j.channels = 1;
        dwconv_dsp_layer_asm<K, S>(&j);
        __asm__ volatile("" ::: "memory");
#else
        bottleneck_dsp_dw_c<K, S>(d, plane, 2 * g.rs, wd32 + static_cast<size_t>(ch) * static_cast<size_t>(dw_words),
                                  bd[ch], sd[ch], td, dbytes + (ch & 3), rec_bytes);
#endif
      }
    }
    // 3. project the group's 4 depthwise values of every output pixel
    const dsp_u32_alias* wg = wq32 + static_cast<size_t>(c4 / 4) * 2 * static_cast<size_t>(c_out);
#if FERRITE_DSP_FPU
    if ((c_out & 3) == 0) {
      BnProjectJob j;
      j.rec = recs;
      j.w = reinterpret_cast<const uint32_t*>(wg);
      j.pixels = g.out_px;
      j.chunks = c_out >> 2;
      bottleneck_dsp_project_asm(&j);
      __asm__ volatile("" ::: "memory");
      continue;
    }
#endif
    for (int32_t px = 0; px < g.out_px; ++px) {
      int32_t* r = recs + static_cast<size_t>(px) * static_cast<size_t>(rec);
      const uint32_t dv = static_cast<uint32_t>(r[0]);
      const uint32_t de = dsp_sxtb16(dv), dodd = dsp_sxtb16_ror8(dv);
      for (int32_t oc = 0; oc < c_out; ++oc)
        r[1 + oc] = dsp_smlad(dodd, wg[2 * oc + 1], dsp_smlad(de, wg[2 * oc], r[1 + oc]));
    }
  }

  // Requantize the accumulators.
  for (int32_t px = 0; px < g.out_px; ++px) {
    const int32_t* r = recs + static_cast<size_t>(px) * static_cast<size_t>(rec) + 1;
    int8_t* yp = y + static_cast<size_t>(px) * static_cast<size_t>(c_out);
    int32_t oc = 0;
    for (; oc + 2 <= c_out; oc += 2) {
      int32_t a = r[oc], b = r[oc + 1];
      dsp_requant_idx2(a, b, sq[oc], sq[oc + 1]);
      yp[oc] = tq[a];
      yp[oc + 1] = tq[b];
    }
    if (oc < c_out) {
      int32_t a = r[oc];
      dsp_requant_idx1(a, sq[oc]);
      yp[oc] = tq[a];
    }
  }
}

// Arguments as bottleneck_s8_nhwc; weights and biases packed by ferrite::kernels::pack_bottleneck_s8_dsp.
#define FE_BN_DSP_ENTRY(KK, SS)                                                                              \
  inline void bottleneck##KK##x##KK##_s##SS##_s8_dsp(                                                        \
      const BottleneckS8Params& p, const int8_t* x, const int8_t* we, const int32_t* be, const float* se,    \
      const int8_t* wd, const int32_t* bd, const float* sd, const int8_t* wq, const int32_t* bq,             \
      const float* sq, int8_t* y, void* scratch) {                                                           \
    bottleneck_s8_dsp_impl<KK, SS>(p, x, we, be, se, wd, bd, sd, wq, bq, sq, y, scratch);                    \
  }
FE_BN_DSP_ENTRY(3, 1)
FE_BN_DSP_ENTRY(3, 2)
FE_BN_DSP_ENTRY(5, 1)
FE_BN_DSP_ENTRY(5, 2)
FE_BN_DSP_ENTRY(7, 1)
FE_BN_DSP_ENTRY(7, 2)
#undef FE_BN_DSP_ENTRY
