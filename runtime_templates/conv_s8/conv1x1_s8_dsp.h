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
// bytes read past a pixel's depth never contribute), output channels in blocks of 2 (the last block
// has one channel when c_out is odd); block b starts at word b * 2 * G * WPG, WPG = words per channel
// per group; inside a block, per group: the words of its first channel, then of its second:
//   int16 (WPG = 2): word 0 = [w'(4g), w'(4g+2)], word 1 = [w'(4g+1), w'(4g+3)]  (lane 0 first)
//                    = the lanes SXTB16(x) and SXTB16(x, ROR 8) produce from the activation word.
//   int8  (WPG = 1): word 0 = bytes w(4g), w(4g+1), w(4g+2), w(4g+3)  (unpacked the same way).
// The packed buffer must be 4-byte aligned (the emitter aligns weights to 16).
// Packed bias: int32 [c_out] = bias[oc] - x_zp * sum_k w'[oc][k] (mod 2^32).
//
// Activation tails: the last (partial) group of a pixel is loaded as the word ending at the
// pixel's last channel, shifted right, so nothing outside x is read (c_in >= 4); c_in < 4 is
// assembled from bytes.

typedef uint32_t __attribute__((may_alias, aligned(4))) dsp_u32_alias;

// Activation word of group g of one pixel (4 channels at xp).
inline uint32_t conv1x1_dsp_xword(const int8_t* xp) { return dsp_load_u32(xp); }

// Last, partial group (r = c_in % 4 channels, 1..3) of the pixel whose depth ends at `end`.
inline uint32_t conv1x1_dsp_xtail(const int8_t* end, int32_t c_in, int32_t r) {
  if (c_in >= 4) return dsp_load_u32(end - 4) >> (8 * (4 - r));
  uint32_t v = 0;
  for (int32_t i = 0; i < r; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(end[i - r])) << (8 * i);
  return v;
}

// One K group for P pixels x O output channels: xw[p] activation words, wp the group's weights.
template <int P, int O, bool W16>
inline void conv1x1_dsp_group(const uint32_t (&xw)[P], const dsp_u32_alias* wp, int32_t (&acc)[P][O]) {
  uint32_t xe[P], xo[P];
  for (int p = 0; p < P; ++p) {
    xe[p] = dsp_sxtb16(xw[p]);
    xo[p] = dsp_sxtb16_ror8(xw[p]);
  }
  for (int o = 0; o < O; ++o) {
    uint32_t we, wo;
    if (W16) {
      we = wp[2 * o];
      wo = wp[2 * o + 1];
    } else {
      const uint32_t w8 = wp[o];
      we = dsp_sxtb16(w8);
      wo = dsp_sxtb16_ror8(w8);
    }
    for (int p = 0; p < P; ++p) {
      acc[p][o] = dsp_smlad(xe[p], we, acc[p][o]);
      acc[p][o] = dsp_smlad(xo[p], wo, acc[p][o]);
    }
  }
}

// P pixels (consecutive, starting at x0) x O output channels (starting at oc).
template <int P, int O, bool W16>
inline void conv1x1_dsp_block(const int8_t* x0, int32_t c_in, int32_t c_out, const dsp_u32_alias* wblk,
                              int32_t ngroups, int32_t rem, const int32_t* pbias, const float* scale,
                              const int8_t* tbl, int8_t* y0) {
  constexpr int WPG = W16 ? 2 : 1;  // words per channel per group
  int32_t acc[P][O];
  for (int o = 0; o < O; ++o)
    for (int p = 0; p < P; ++p) acc[p][o] = pbias[o];
  const int8_t* xp = x0;
  const dsp_u32_alias* wp = wblk;
  for (int32_t g = ngroups >> 1; g > 0; --g) {
    uint32_t xw[P], xw2[P];
    for (int p = 0; p < P; ++p) {
      xw[p] = conv1x1_dsp_xword(xp + p * c_in);
      xw2[p] = conv1x1_dsp_xword(xp + p * c_in + 4);
    }
    conv1x1_dsp_group<P, O, W16>(xw, wp, acc);
    conv1x1_dsp_group<P, O, W16>(xw2, wp + O * WPG, acc);
    xp += 8;
    wp += 2 * O * WPG;
  }
  if (ngroups & 1) {
    uint32_t xw[P];
    for (int p = 0; p < P; ++p) xw[p] = conv1x1_dsp_xword(xp + p * c_in);
    conv1x1_dsp_group<P, O, W16>(xw, wp, acc);
    wp += O * WPG;
  }
  if (rem) {
    uint32_t xw[P];
    for (int p = 0; p < P; ++p) xw[p] = conv1x1_dsp_xtail(x0 + (p + 1) * c_in, c_in, rem);
    conv1x1_dsp_group<P, O, W16>(xw, wp, acc);
  }
  if (O == 2) {
    for (int p = 0; p < P; ++p) {
      int32_t a = acc[p][0], b = acc[p][O - 1];
      dsp_requant_idx2(a, b, scale[0], scale[O - 1]);
      y0[p * c_out] = tbl[a];
      y0[p * c_out + 1] = tbl[b];
    }
  } else if (P == 2) {
    int32_t a = acc[0][0], b = acc[P - 1][0];
    dsp_requant_idx2(a, b, scale[0], scale[0]);
    y0[0] = tbl[a];
    y0[c_out] = tbl[b];
  } else {
    int32_t a = acc[0][0];
    dsp_requant_idx1(a, scale[0]);
    y0[0] = tbl[a];
  }
}

template <bool W16>
inline void conv1x1_s8_dsp_impl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                                const float* scale, void* y) {
  int8_t table_store[512];
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  const int32_t pixels = p.n * p.h_out * p.w_out;
  const int32_t c_in = p.c_in, c_out = p.c_out;
  const int32_t ngroups = c_in >> 2, rem = c_in & 3;
  const int32_t words_per_oc = (ngroups + (rem ? 1 : 0)) * (W16 ? 2 : 1);
  const dsp_u32_alias* w32 = reinterpret_cast<const dsp_u32_alias*>(w);
  int8_t* const yb = static_cast<int8_t*>(y);
  int32_t oc = 0;
  for (; oc + 2 <= c_out; oc += 2) {
    const dsp_u32_alias* wblk = w32 + oc * words_per_oc;
    const int8_t* xp = x;
    int8_t* yp = yb + oc;
    int32_t px = pixels;
    for (; px >= 2; px -= 2) {
      conv1x1_dsp_block<2, 2, W16>(xp, c_in, c_out, wblk, ngroups, rem, bias + oc, scale + oc, tbl, yp);
      xp += 2 * c_in;
      yp += 2 * c_out;
    }
    if (px) conv1x1_dsp_block<1, 2, W16>(xp, c_in, c_out, wblk, ngroups, rem, bias + oc, scale + oc, tbl, yp);
  }
  if (oc < c_out) {
    const dsp_u32_alias* wblk = w32 + oc * words_per_oc;
    const int8_t* xp = x;
    int8_t* yp = yb + oc;
    int32_t px = pixels;
    for (; px >= 2; px -= 2) {
      conv1x1_dsp_block<2, 1, W16>(xp, c_in, c_out, wblk, ngroups, rem, bias + oc, scale + oc, tbl, yp);
      xp += 2 * c_in;
      yp += 2 * c_out;
    }
    if (px) conv1x1_dsp_block<1, 1, W16>(xp, c_in, c_out, wblk, ngroups, rem, bias + oc, scale + oc, tbl, yp);
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
