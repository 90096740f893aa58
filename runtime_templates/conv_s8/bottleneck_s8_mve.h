// Helium (MVE) channel-streamed inverted bottleneck for Armv8.1-M (Cortex-M55): 1x1 expand ->
// KxK depthwise -> 1x1 project in one call, bit-identical to bottleneck_s8_nhwc (conv_s8.h) for
// every block the rule bottleneck_s8_mve_applies (compiler/kernels/pack_s8_mve.h) admits. Built
// from the Helium building blocks: needs <arm_mve.h> before the ferrite_rt namespace and
// mve_s8_common.h, conv1x1_s8_mve.h and dwconv_s8_mve.h pasted before it.
//
// Entry points (K = 3, 5, 7; S = 1, 2: the depthwise kernel and stride, both directions):
//   bottleneck{K}x{K}_s{S}_s8_mve(p, x, we, be, se, wd, bd, sd, wq, bq, sq, y, scratch)
// with the portable kernel's arguments, weights and biases packed by
// ferrite::kernels::pack_bottleneck_s8_mve. y must not alias x or the scratch.
//
// Like the portable kernel the expanded tensor is never stored whole; the middle channels are
// streamed in groups of G = 16 (the last group may be smaller, gc channels):
//  1. expand: the group's gc output channels of the 1x1 expand over every input pixel, with the
//     pointwise core of conv1x1_s8_mve.h (c_out = gc), into the group buffer [in_px][gc];
//  2. depthwise: dwconv_s8_mve_run<K, S> on the group as a gc-channel layer, in place in the group
//     buffer (the rule requires out_px <= in_px, the in-place condition of dwconv_s8_mve.h);
//  3. project: the group's depthwise values of 4 output pixels in 4 vectors (lanes >= gc loaded as
//     0), per output channel one weight vector and 4 VMLADAVA.S8 (16 MACs each) into the int32
//     accumulators [out_px][c_out], which start at the packed project bias.
// At the end the accumulators are requantized into y, 4 output channels per vector.
//
// Exactness: the expand and depthwise outputs are those of the exact Helium kernels (conv1x1 and
// dwconv _s8_mve.h, each bit-identical to the portable pointwise / depthwise kernels the portable
// bottleneck computes per channel); the projection forms the same int32 sum mod 2^32 (products
// reordered, the input zero point folded into the packed bias, zero weights for lanes past the
// group), requantized as in mve_s8_common.h. So y is bit-identical.
//
// Scratch (bottleneck_s8_mve_scratch_bytes; the host copy in pack_s8_mve.h), 16-byte aligned:
//   15 + 4 * out_px * c_out (accumulators) + 16 * in_px + 16 (group buffer) + the depthwise
//   kernel's scratch for a 16-channel (or c_mid, if smaller) layer of the block's shape.
//
// Packed weights (w' = w - w_zp; the rule requires w_zp = 0 for expand and project):
//   expand  the conv1x1_s8_mve layout for c_in -> c_mid (rows of round_up(c_in, 16) bytes, 32 if
//           c_in <= 8), bias be[c] - x_zp * sum w'[c];
//   dw      the dwconv_s8_mve layout for c_mid channels (int16 [ceil(c_mid/4)][K*K][4]), bias
//           bd[c] - dw_x_zp * sum w'(c);
//   project int8 [ceil(c_mid/16)][c_out][16]: group g, output channel oc, lane j = w'(oc, 16 g + j)
//           (0 past c_mid), bias bq[oc] - q_x_zp * sum_c w'(oc, c).

constexpr int32_t kBnS8MveGroup = 16;

// The depthwise layer of one group of gc middle channels.
inline ConvS8Params bottleneck_s8_mve_dw(const BottleneckS8Params& p, int32_t gc) {
  ConvS8Params d = p.dw;
  d.c_in = d.c_out = d.group = gc;
  return d;
}

inline size_t bottleneck_s8_mve_scratch_bytes(const BottleneckS8Params& p) {
  const int32_t gc = p.expand.c_out < kBnS8MveGroup ? p.expand.c_out : kBnS8MveGroup;
  return 15 +
         4 * static_cast<size_t>(p.project.h_out) * static_cast<size_t>(p.project.w_out) *
             static_cast<size_t>(p.project.c_out) +
         kBnS8MveGroup * static_cast<size_t>(p.expand.h_in) * static_cast<size_t>(p.expand.w_in) + 16 +
         dwconv_s8_mve_scratch_bytes(bottleneck_s8_mve_dw(p, gc));
}

// acc[px][oc] += sum_j d[px][j] * w[oc][j], j < 16 (lanes >= gc of d read as 0; d rows of gc bytes).
__attribute__((noinline)) inline void bottleneck_s8_mve_project(const int8_t* d, int32_t gc, int32_t out_px,
                                                               const int8_t* w, int32_t c_out, int32_t* acc) {
  const mve_pred16_t pl = vctp8q(static_cast<uint32_t>(gc));
  const size_t ds = static_cast<size_t>(gc), as = static_cast<size_t>(c_out);
  int32_t px = 0;
  for (; px + 4 <= out_px; px += 4) {
    const int8_t* dp = d + static_cast<size_t>(px) * ds;
    const int8x16_t x0 = vldrbq_z_s8(dp, pl);
    const int8x16_t x1 = vldrbq_z_s8(dp + ds, pl);
    const int8x16_t x2 = vldrbq_z_s8(dp + 2 * ds, pl);
    const int8x16_t x3 = vldrbq_z_s8(dp + 3 * ds, pl);
    int32_t* a0 = acc + static_cast<size_t>(px) * as;
    int32_t* a1 = a0 + as;
    int32_t* a2 = a1 + as;
    int32_t* a3 = a2 + as;
    const int8_t* wp = w;
    for (int32_t oc = 0; oc < c_out; ++oc, wp += 16) {
      const int8x16_t wv = vldrbq_s8(wp);
      a0[oc] = vmladavaq_s8(a0[oc], x0, wv);
      a1[oc] = vmladavaq_s8(a1[oc], x1, wv);
      a2[oc] = vmladavaq_s8(a2[oc], x2, wv);
      a3[oc] = vmladavaq_s8(a3[oc], x3, wv);
    }
  }
  for (; px < out_px; ++px) {
    const int8x16_t x0 = vldrbq_z_s8(d + static_cast<size_t>(px) * ds, pl);
    int32_t* a0 = acc + static_cast<size_t>(px) * as;
    const int8_t* wp = w;
    for (int32_t oc = 0; oc < c_out; ++oc, wp += 16) a0[oc] = vmladavaq_s8(a0[oc], x0, vldrbq_s8(wp));
  }
}

// Accumulators [pixels][c_out] -> int8 y [pixels][c_out].
__attribute__((noinline)) inline void bottleneck_s8_mve_requant(const ConvS8Params& q, const int32_t* acc,
                                                               int32_t pixels, const float* scale, int8_t* y) {
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(q.act_min - q.out_zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(q.act_max - q.out_zp));
  const int32_t c_out = q.c_out;
  for (int32_t px = 0; px < pixels; ++px) {
    const int32_t* a = acc + static_cast<size_t>(px) * static_cast<size_t>(c_out);
    int8_t* yp = y + static_cast<size_t>(px) * static_cast<size_t>(c_out);
    for (int32_t oc = 0; oc < c_out; oc += 4) {
      const mve_pred16_t pr = vctp32q(static_cast<uint32_t>(c_out - oc));
      const int32x4_t v = vldrwq_z_s32(a + oc, pr);
      const float32x4_t s = vldrwq_z_f32(scale + oc, pr);
      vstrbq_p_s32(yp + oc, conv_s8_mve_requant_v(v, s, lo, hi, q.out_zp), pr);
    }
  }
}

template <int K, int S>
inline void bottleneck_s8_mve_impl(const BottleneckS8Params& p, const int8_t* x, const int8_t* we, const int32_t* be,
                                   const float* se, const int8_t* wd, const int32_t* bd, const float* sd,
                                   const int8_t* wq, const int32_t* bq, const float* sq, int8_t* y, void* scratch) {
  const ConvS8Params& e = p.expand;
  const ConvS8Params& q = p.project;
  const int32_t in_px = e.h_in * e.w_in, out_px = q.h_out * q.w_out;
  const int32_t c_in = e.c_in, c_mid = e.c_out, c_out = q.c_out;
  int32_t* const acc =
      reinterpret_cast<int32_t*>((reinterpret_cast<uintptr_t>(scratch) + 15) & ~static_cast<uintptr_t>(15));
  int8_t* const mid = reinterpret_cast<int8_t*>(acc + static_cast<size_t>(out_px) * static_cast<size_t>(c_out));
  void* const dws = mid + static_cast<size_t>(kBnS8MveGroup) * static_cast<size_t>(in_px) + 16;
  // Accumulators start at the packed project bias.
  for (int32_t px = 0; px < out_px; ++px) {
    int32_t* a = acc + static_cast<size_t>(px) * static_cast<size_t>(c_out);
    for (int32_t oc = 0; oc < c_out; oc += 4) {
      const mve_pred16_t pr = vctp32q(static_cast<uint32_t>(c_out - oc));
      vstrwq_p_s32(a + oc, vldrwq_z_s32(bq + oc, pr), pr);
    }
  }
  const size_t erow = c_in <= 8 ? 32 : static_cast<size_t>((c_in + 15) & ~15);
  const PwS8Mve ea{in_px, c_in, 0, e.out_zp, e.act_min, e.act_max};
  for (int32_t c0 = 0; c0 < c_mid; c0 += kBnS8MveGroup) {
    const int32_t gc = c_mid - c0 < kBnS8MveGroup ? c_mid - c0 : kBnS8MveGroup;
    PwS8Mve a = ea;
    a.cout = gc;
    conv1x1_s8_mve_core<4>(a, x, we + static_cast<size_t>(c0) * erow, be + c0, se + c0, mid);
    dwconv_s8_mve_run<K, S>(bottleneck_s8_mve_dw(p, gc), mid, wd + 2 * static_cast<size_t>(c0) * (K * K), bd + c0,
                            sd + c0, mid, dws);
    bottleneck_s8_mve_project(mid, gc, out_px, wq + static_cast<size_t>(c0) * static_cast<size_t>(c_out), c_out,
                              acc);
  }
  bottleneck_s8_mve_requant(q, acc, out_px, sq, y);
}

// Arguments as bottleneck_s8_nhwc; weights and biases packed by ferrite::kernels::pack_bottleneck_s8_mve.
#define FE_BN_MVE_ENTRY(KK, SS)                                                                              \
  inline void bottleneck##KK##x##KK##_s##SS##_s8_mve(                                                        \
      const BottleneckS8Params& p, const int8_t* x, const int8_t* we, const int32_t* be, const float* se,    \
      const int8_t* wd, const int32_t* bd, const float* sd, const int8_t* wq, const int32_t* bq,             \
      const float* sq, int8_t* y, void* scratch) {                                                           \
    bottleneck_s8_mve_impl<KK, SS>(p, x, we, be, se, wd, bd, sd, wq, bq, sq, y, scratch);                    \
  }
FE_BN_MVE_ENTRY(3, 1)
FE_BN_MVE_ENTRY(3, 2)
FE_BN_MVE_ENTRY(5, 1)
FE_BN_MVE_ENTRY(5, 2)
FE_BN_MVE_ENTRY(7, 1)
FE_BN_MVE_ENTRY(7, 2)
#undef FE_BN_MVE_ENTRY
