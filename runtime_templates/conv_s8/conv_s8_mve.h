// Helium (MVE) general int8 convolution for Armv8.1-M (Cortex-M55): any kernel size, strides,
// dilations and padding, group 1, int8 output (the case of conv_s8_nhwc in conv_s8.h, e.g. a
// network's first 3x3 stride-2 conv on 3 input channels). Bit-identical to conv_s8_nhwc for every
// input the rule conv_s8_mve_applies (compiler/kernels/pack_s8_mve.h) admits. Needs <arm_mve.h>
// before the ferrite_rt namespace and conv1x1_s8_mve.h pasted before this file (it uses its
// pointwise core conv1x1_s8_mve_core).
//
// Packed operands (pack_conv_s8_mve): w int8 [c_out][L16], row oc = the reference OHWI row
// w[oc][ky][kx][ci] (L = kh*kw*c_in values; w_zp == 0, so raw) then zeros up to L16 = round_up(L,
// 16); bias int32 [c_out] = bias[oc] - in_zp * sum w[oc] (wrapping int32).
//
// Algorithm: per output row, the receptive field of every output pixel is copied into scratch as
// one L16-byte row (im2col: kh segments of kw*c_in bytes when the window is inside the input, the
// padding value in_zp for taps outside it, so that the packed bias' correction is exact), then the
// row of patches goes through the pointwise core (VMLADAV over 16 patch bytes, 4 pixels per group,
// vector requantization; see conv1x1_s8_mve.h) as a 1x1 convolution with L16 input channels. Patch
// bytes in [L, L16) may hold leftovers of the copy: their weights are 0.
//
// Scratch (conv_s8_mve_scratch_bytes): w_out * L16 + 16 bytes (16: the last patch's 16-byte copy
// may run past its row). e.g. 96x96x3 -> 48x48x16, 3x3 s2: 48 * 32 + 16 = 1552 B.

inline int32_t conv_s8_mve_patch16(const ConvS8Params& p) { return (p.kh * p.kw * p.c_in + 15) & ~15; }

inline size_t conv_s8_mve_scratch_bytes(const ConvS8Params& p) {
  return static_cast<size_t>(p.w_out) * static_cast<size_t>(conv_s8_mve_patch16(p)) + 16;
}

// x: NHWC int8 [n][h_in][w_in][c_in]; w, bias: packed as above; scale: the policy Rq's per-channel
// requantization operand (MveRqF32: float [c_out]; MveRqTfl: int32 [c_out][3], mve_s8_common.h);
// y: NHWC int8 [n][h_out][w_out][c_out], must not alias x.
template <class Rq>
inline void conv_s8_mve_body(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                             const typename Rq::Q* scale, void* y_, void* scratch) {
  int8_t* const y = static_cast<int8_t*>(y_);
  int8_t* const buf = static_cast<int8_t*>(scratch);
  const int32_t cin = p.c_in, kh = p.kh, kw = p.kw, w_in = p.w_in, h_in = p.h_in, w_out = p.w_out;
  const int32_t L16 = conv_s8_mve_patch16(p);
  const int32_t seg = kw * cin;  // bytes of one kernel row (contiguous in x when dilation_w is 1)
  const PwS8Mve a{w_out, L16, p.c_out, p.out_zp, p.act_min, p.act_max};
  // Output columns whose window lies inside the input horizontally: [ow_lo, ow_hi).
  int32_t ow_lo = 0, ow_hi = 0;
  if (p.dil_w == 1) {
    ow_lo = p.pad_left > 0 ? (p.pad_left + p.stride_w - 1) / p.stride_w : 0;
    ow_hi = w_in - kw + p.pad_left >= 0 ? (w_in - kw + p.pad_left) / p.stride_w + 1 : 0;
    ow_hi = ow_hi < w_out ? ow_hi : w_out;
    ow_lo = ow_lo < ow_hi ? ow_lo : ow_hi;
  }
  // A segment is copied as nseg 16-byte pieces, the last one read under the predicate pseg.
  const int32_t nseg = (seg + 15) >> 4;
  const mve_pred16_t pseg = vctp8q(static_cast<uint32_t>(seg - 16 * (nseg - 1)));
  const int8x16_t zpv = vdupq_n_s8(static_cast<int8_t>(p.in_zp));
  const bool fast = p.dil_w == 1 && kh <= 16;
  const int32_t step = p.stride_w * cin;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(h_in) * static_cast<size_t>(w_in) *
                               static_cast<size_t>(cin);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      // Patches in order, segments in order: a 16-byte segment copy only runs into bytes that are
      // written afterwards (the next segment or patch) or into [L, L16) and the slack.
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      int32_t ow_a = 0, ow_b = 0;  // the fast columns of this row
      if (fast) {
        ow_a = ow_lo;
        ow_b = ow_hi;
        // Kernel rows of the output row, from the first interior column (null: padding row).
        const int8_t* src[16];
        for (int32_t ky = 0; ky < kh; ++ky) {
          const int32_t ih = ih0 + ky * p.dil_h;
          src[ky] = ih >= 0 && ih < h_in
                        ? xn + (static_cast<size_t>(ih) * static_cast<size_t>(w_in) +
                                static_cast<size_t>(ow_a * p.stride_w - p.pad_left)) *
                                   static_cast<size_t>(cin)
                        : nullptr;
        }
        int8_t* d = buf + ow_a * L16;
        if (nseg == 1) {  // kw * c_in <= 16, e.g. a first 3x3 conv on 3 channels: one piece
          for (int32_t ow = ow_a; ow < ow_b; ++ow, d += L16) {
            int8_t* dk = d;
            for (int32_t ky = 0; ky < kh; ++ky, dk += seg) {
              if (src[ky]) {
                vstrbq_s8(dk, vldrbq_z_s8(src[ky], pseg));
                src[ky] += step;
              } else {
                vstrbq_s8(dk, zpv);
              }
            }
          }
        }
        for (int32_t ow = nseg == 1 ? ow_b : ow_a; ow < ow_b; ++ow, d += L16) {
          int8_t* dk = d;
          for (int32_t ky = 0; ky < kh; ++ky, dk += seg) {
            if (src[ky]) {
              const int8_t* sk = src[ky];
              for (int32_t j = 1; j < nseg; ++j) vstrbq_s8(dk + 16 * (j - 1), vldrbq_s8(sk + 16 * (j - 1)));
              vstrbq_s8(dk + 16 * (nseg - 1), vldrbq_z_s8(sk + 16 * (nseg - 1), pseg));
              src[ky] += step;
            } else {
              for (int32_t j = 0; j < nseg; ++j) vstrbq_s8(dk + 16 * j, zpv);
            }
          }
        }
      }
      // Remaining (border) columns tap by tap.
      for (int32_t ow = 0; ow < w_out; ++ow) {
        if (ow == ow_a && ow_b > ow_a) ow = ow_b;
        if (ow >= w_out) break;
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        int8_t* d = buf + ow * L16;
        for (int32_t ky = 0; ky < kh; ++ky) {
          const int32_t ih = ih0 + ky * p.dil_h;
          int8_t* dk = d + ky * seg;
          if (ih < 0 || ih >= h_in) {
            for (int32_t i = 0; i < seg; ++i) dk[i] = static_cast<int8_t>(p.in_zp);
            continue;
          }
          const int8_t* xrow = xn + static_cast<size_t>(ih) * static_cast<size_t>(w_in) * static_cast<size_t>(cin);
          for (int32_t kx = 0; kx < kw; ++kx, dk += cin) {
            const int32_t iw = iw0 + kx * p.dil_w;
            if (iw < 0 || iw >= w_in) {
              for (int32_t i = 0; i < cin; ++i) dk[i] = static_cast<int8_t>(p.in_zp);
            } else {
              const int8_t* sp = xrow + iw * cin;
              for (int32_t i = 0; i < cin; ++i) dk[i] = sp[i];
            }
          }
        }
      }
      // Bytes [L, L16) of the patches hold whatever was there (scratch contents, copy leftovers):
      // their weights are 0.
      conv1x1_s8_mve_core<4, Rq>(a, buf, w, bias, scale,
                             y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                                      static_cast<size_t>(w_out)) *
                                     static_cast<size_t>(p.c_out));
    }
  }
}

inline void conv_s8_mve(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                        const float* scale, void* y, void* scratch) {
  conv_s8_mve_body<MveRqF32>(p, x, w, bias, scale, y, scratch);
}

// TFLite requantization (qm: int32 [c_out][3] from pack_requant_s8_mve_tfl): the same body.
inline void conv_s8_mve_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                            const int32_t* qm, void* y, void* scratch) {
  conv_s8_mve_body<MveRqTfl>(p, x, w, bias, qm, y, scratch);
}
