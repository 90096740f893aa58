// int8 transposed convolution from an ONNX QDQ model (fold-qdq: DQ(x), DQ(w), DQ(int32 b) or a
// float b -> ConvTranspose (2-D) -> [Relu/Clip] -> Q). ONNX Runtime (1.30, CPU) has no integer
// kernel for it: it runs the float ConvTranspose between the DequantizeLinear and QuantizeLinear
// nodes. This kernel repeats those float operations bit for bit (x64 build, the AVX2 / AVX-512
// SGEMM kernels, which use FMA; docs/numerics.md, "Between DQ and Q"):
//   X = (float)(x - in_zp) * x_scale,  W = (float)(w - w_zp) * w_scale[oc % (c_out / group)]
//   ConvTranspose<float> (onnxruntime/core/providers/cpu/nn/conv_transpose.cc), per group:
//     col = W^T X by MlasGemm (TransA): each col element is a chain of fused multiply-adds over the
//       group's input channels in increasing order, starting from 0, in blocks of 128 channels
//       (MLAS_SGEMM_STRIDEK): every block's chain starts from 0 and is added to the sum so far;
//     Col2im: each output element starts at 0 and gets its col elements added in increasing
//       (ky, kx) order (all three Col2im paths visit the taps of an output in that order);
//   then the bias (y + b, Eigen's rowwise +=), then QuantizeLinear: y / y_scale, clamp to
//   [-128 - out_zp, 127 - out_zp], round half to even, + out_zp; then the fused Relu/Clip as
//   [act_min, act_max].
// ConvS8Params (conv_s8.h) with NCHW int8 x [n][c_in][h_in][w_in] and y [n][c_out][h_out][w_out];
// w: ONNX's int8 layout [c_in][c_out/group][kh][kw]; fs = [x_scale, y_scale, w_scale[c_out/group]];
// bias: float [c_out] or null. The compiler resolves pads / output_padding into pad_top, pad_left and
// the output size. Gather form, no scratch; y must not alias x.
//
// The fused multiply-add is emulated exactly in integers (conv_transpose_s8_fma) with
// binary_s8_split / binary_s8_round_to_float (binary_s8.h), so the host and every Cortex-M give the
// same bits without an FMA instruction, libm or double.

// fmaf(a, b, c): a * b + c with one rounding to nearest even, for finite floats.
//
// Algorithm: a = ma 2^ea, b = mb 2^eb, c = mc 2^ec with |m| < 2^24, so the product is the int64
// ma * mb (< 2^48) times 2^(ea + eb). The term with the larger exponent (hi) is shifted onto the
// other's exponent when the sum fits in 62 bits; otherwise the other term (lo, < 2^48) lies below
// hi's lowest bit by more than 62 - bits(hi): hi is shifted to 60 bits, lo replaced by its floor at
// that scale plus a sticky bit one position lower, which rounds to 24 bits identically (the result
// keeps at least 58 bits, so no rounding boundary falls between the exact and the sticky value).
inline float conv_transpose_s8_fma(float a, float b, float c) {
  int32_t ma, ea, mb, eb, mc, ec;
  binary_s8_split(a, ma, ea);
  binary_s8_split(b, mb, eb);
  binary_s8_split(c, mc, ec);
  const int64_t prod = static_cast<int64_t>(ma) * mb;
  if (prod == 0) return c;
  if (mc == 0) return binary_s8_round_to_float(prod, ea + eb);
  int64_t hi = prod, lo = mc;
  int32_t ehi = ea + eb, elo = ec;
  if (ec > ehi) {
    hi = mc; lo = prod; elo = ehi; ehi = ec;
  }
  const int32_t d = ehi - elo;
  int32_t nb = 0;
  for (uint64_t t = hi < 0 ? static_cast<uint64_t>(-hi) : static_cast<uint64_t>(hi); t != 0; t >>= 1) ++nb;
  if (d + nb <= 62) return binary_s8_round_to_float(hi * (static_cast<int64_t>(1) << d) + lo, elo);
  const int32_t k = 60 - nb;  // hi * 2^k < 2^60
  const int32_t sh = d - k;   // > 2
  int64_t q;
  bool sticky;
  if (sh >= 63) {  // |lo| < 2^48: floor(lo / 2^sh) is 0 or -1, and the remainder is nonzero
    q = lo < 0 ? -1 : 0;
    sticky = lo != 0;
  } else {
    q = lo >= 0 ? (lo >> sh) : -((-lo - 1) >> sh) - 1;
    sticky = (static_cast<uint64_t>(lo) & ((static_cast<uint64_t>(1) << sh) - 1u)) != 0;
  }
  const int64_t v = 2 * (hi * (static_cast<int64_t>(1) << k) + q) + (sticky ? 1 : 0);
  return binary_s8_round_to_float(v, elo + sh - 1);
}

inline void conv_transpose_s8(const ConvS8Params& p, const int8_t* x, const int8_t* w, const float* fs,
                              const float* bias, int8_t* y) {
  const int32_t cin_g = p.c_in / p.group, cout_g = p.c_out / p.group;
  const size_t in_plane = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
  const size_t out_plane = static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out);
  const size_t kplane = static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw);
  const float x_scale = fs[0], y_scale = fs[1];
  const float* w_scale = fs + 2;
  const float lo = static_cast<float>(-128 - p.out_zp), hi = static_cast<float>(127 - p.out_zp);
  const int32_t kBlock = 128;  // MLAS_SGEMM_STRIDEK
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.c_in) * in_plane;
    int8_t* yn = y + static_cast<size_t>(n) * static_cast<size_t>(p.c_out) * out_plane;
    for (int32_t oc = 0; oc < p.c_out; ++oc) {
      const int32_t g = oc / cout_g, ocg = oc % cout_g;
      const float ws = w_scale[ocg];
      const int8_t* xg = xn + static_cast<size_t>(g) * static_cast<size_t>(cin_g) * in_plane;
      // w[ic][ocg][.][.] for ic = g * cin_g + icg: stride cout_g * kplane between input channels.
      const int8_t* wg = w + (static_cast<size_t>(g) * static_cast<size_t>(cin_g) * static_cast<size_t>(cout_g) +
                              static_cast<size_t>(ocg)) * kplane;
      const size_t wstride = static_cast<size_t>(cout_g) * kplane;
      int8_t* yc = yn + static_cast<size_t>(oc) * out_plane;
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        for (int32_t ow = 0; ow < p.w_out; ++ow) {
          float acc = 0.0f;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t th = oh + p.pad_top - ky * p.dil_h;
            if (th < 0 || th % p.stride_h != 0 || th / p.stride_h >= p.h_in) continue;
            const int32_t ih = th / p.stride_h;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t tw = ow + p.pad_left - kx * p.dil_w;
              if (tw < 0 || tw % p.stride_w != 0 || tw / p.stride_w >= p.w_in) continue;
              const size_t xi = static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(tw / p.stride_w);
              const size_t wi = static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx);
              float col = 0.0f;
              for (int32_t b0 = 0; b0 < cin_g; b0 += kBlock) {
                const int32_t b1 = cin_g - b0 < kBlock ? cin_g : b0 + kBlock;
                float blk = 0.0f;
                for (int32_t icg = b0; icg < b1; ++icg) {
                  const float xv =
                      static_cast<float>(static_cast<int32_t>(xg[static_cast<size_t>(icg) * in_plane + xi]) - p.in_zp) * x_scale;
                  const float wv = static_cast<float>(static_cast<int32_t>(wg[static_cast<size_t>(icg) * wstride + wi]) - p.w_zp) * ws;
                  blk = conv_transpose_s8_fma(xv, wv, blk);
                }
                col = b0 == 0 ? blk : col + blk;
              }
              acc += col;
            }
          }
          if (bias) acc += bias[oc];
          float q = acc / y_scale;
          q = q > lo ? q : lo;
          q = q < hi ? q : hi;
          int32_t r = round_half_even(q) + p.out_zp;
          r = r < p.act_min ? p.act_min : (r > p.act_max ? p.act_max : r);
          yc[static_cast<size_t>(oh) * static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)] = static_cast<int8_t>(r);
        }
      }
    }
  }
}
