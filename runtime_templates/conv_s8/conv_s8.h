// int8 convolution on NHWC activations (QLinearConv, ConvInteger, QDQ Conv): int32 accumulation of
// (x - in_zp) * (w - w_zp) plus an int32 bias, then per-output-channel float requantization
// (scale[oc] = x_scale * w_scale[oc] / y_scale; see requant.h) and saturation to [act_min, act_max]
// (fused Relu/Clip). With out_int32 = 1 the raw accumulators are written (ConvInteger).
// Padded input positions contribute nothing (their real value is 0).
//
// Exactness vs ONNX Runtime (QLinearConv::ComputeOutputScale in
// onnxruntime/core/providers/cpu/quantization/qlinearconv.cc, then MlasRequantizeOutput):
//   scale[oc] = (x_scale * w_scale[oc]) / y_scale   -- float32, left to right: first the product
//               x_scale * w_scale[oc] rounded to float, then a float division by y_scale. With a
//               per-tensor weight scale the same single value is used for every oc. The compiler
//               must precompute exactly this (no reciprocal, no double).
//   y = clamp(round_half_even(float(acc + bias[oc]) * scale[oc]) + y_zp, act_min, act_max), where
//   acc + bias is an int32 addition done before the conversion to float. ORT pads with x_zp, so a
//   padded tap contributes (x_zp - x_zp) * w = 0, as here. Any integer rearrangement of the sum is
//   exact, so ORT's column-sum / symmetric paths give the same int32 value.
struct ConvS8Params {
  int32_t n, c_in, h_in, w_in;
  int32_t c_out, h_out, w_out;
  int32_t kh, kw;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left;
  int32_t group;
  int32_t in_zp, w_zp, out_zp;
  int32_t act_min, act_max;
  int32_t out_int32;
};

// Bytes of scratch conv_s8_nhwc needs (one receptive-field patch).
// The patch holds (x - in_zp) as int16 (0 for padding): c_in/group * kh * kw int16 values.
inline size_t conv_s8_scratch_bytes(const ConvS8Params& p) {
  return sizeof(int16_t) * static_cast<size_t>(p.c_in / p.group) * static_cast<size_t>(p.kh) *
         static_cast<size_t>(p.kw);
}

// Stores one finished accumulator (bias already added) as int32 or requantized int8.
inline void conv_s8_store(const ConvS8Params& p, int32_t acc, float scale, void* y, size_t idx) {
  if (p.out_int32) {
    static_cast<int32_t*>(y)[idx] = acc;
  } else {
    static_cast<int8_t*>(y)[idx] = static_cast<int8_t>(requantize(acc, scale, p.out_zp, p.act_min, p.act_max));
  }
}

// General grouped conv. x: NHWC int8 [n][h_in][w_in][c_in]; w: int8 [c_out][kh][kw][c_in/group]
// (OHWI); bias: int32 [c_out] or null; scale: float [c_out]; y: NHWC int8 (or int32 when out_int32).
// y must not alias x.
//
// Algorithm: per (n, oh, ow, group) the receptive field is gathered into scratch in the weight
// layout [ky][kx][ic] as int16 (x - in_zp), zeros for padding; each output channel of the group is
// then an int32 dot product with (w - w_zp).
inline void conv_s8_nhwc(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale,
                         void* y, void* scratch) {
  const int32_t cin_g = p.c_in / p.group;
  const int32_t cout_g = p.c_out / p.group;
  const int32_t patch = cin_g * p.kh * p.kw;
  int16_t* s = static_cast<int16_t*>(scratch);
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) *
                               static_cast<size_t>(p.c_in);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        const size_t opix = ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                                 static_cast<size_t>(p.w_out) +
                             static_cast<size_t>(ow)) *
                            static_cast<size_t>(p.c_out);
        for (int32_t g = 0; g < p.group; ++g) {
          int16_t* sp = s;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = hs + ky * p.dil_h;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ws + kx * p.dil_w;
              if (ih < 0 || ih >= p.h_in || iw < 0 || iw >= p.w_in) {
                for (int32_t ic = 0; ic < cin_g; ++ic) *sp++ = 0;
              } else {
                const int8_t* xp = xn + (static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) *
                                            static_cast<size_t>(p.c_in) +
                                   static_cast<size_t>(g) * static_cast<size_t>(cin_g);
                for (int32_t ic = 0; ic < cin_g; ++ic)
                  *sp++ = static_cast<int16_t>(static_cast<int32_t>(xp[ic]) - p.in_zp);
              }
            }
          }
          for (int32_t oc = g * cout_g; oc < (g + 1) * cout_g; ++oc) {
            const int8_t* wo = w + static_cast<size_t>(oc) * static_cast<size_t>(patch);
            int32_t acc = 0;
            for (int32_t i = 0; i < patch; ++i)
              acc += static_cast<int32_t>(s[i]) * (static_cast<int32_t>(wo[i]) - p.w_zp);
            if (bias) acc += bias[oc];
            conv_s8_store(p, acc, p.out_int32 ? 0.0f : scale[oc], y, opix + static_cast<size_t>(oc));
          }
        }
      }
    }
  }
}

// 1x1, stride 1, no padding, group 1: a matrix product over pixels. Same arguments, no scratch.
inline void conv1x1_s8_nhwc(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale,
                            void* y) {
  const size_t pixels = static_cast<size_t>(p.n) * static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out);
  const int32_t ci = p.c_in;
  for (size_t px = 0; px < pixels; ++px) {
    const int8_t* xp = x + px * static_cast<size_t>(ci);
    for (int32_t oc = 0; oc < p.c_out; ++oc) {
      const int8_t* wo = w + static_cast<size_t>(oc) * static_cast<size_t>(ci);
      int32_t acc = 0;
      for (int32_t i = 0; i < ci; ++i)
        acc += (static_cast<int32_t>(xp[i]) - p.in_zp) * (static_cast<int32_t>(wo[i]) - p.w_zp);
      if (bias) acc += bias[oc];
      conv_s8_store(p, acc, p.out_int32 ? 0.0f : scale[oc], y, px * static_cast<size_t>(p.c_out) + static_cast<size_t>(oc));
    }
  }
}

// Depthwise (group == c_in == c_out). w: int8 [kh][kw][c] (channel fastest). y must not alias x.
// Out-of-range taps are skipped (they would contribute 0).
inline void dwconv_s8_nhwc(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale,
                           void* y) {
  const int32_t C = p.c_out;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) *
                               static_cast<size_t>(C);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        const size_t opix = ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                                 static_cast<size_t>(p.w_out) +
                             static_cast<size_t>(ow)) *
                            static_cast<size_t>(C);
        for (int32_t c = 0; c < C; ++c) {
          int32_t acc = 0;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = hs + ky * p.dil_h;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ws + kx * p.dil_w;
              if (iw < 0 || iw >= p.w_in) continue;
              const int32_t xv = xn[(static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) *
                                        static_cast<size_t>(C) +
                                    static_cast<size_t>(c)];
              const int32_t wv = w[(static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx)) *
                                       static_cast<size_t>(C) +
                                   static_cast<size_t>(c)];
              acc += (xv - p.in_zp) * (wv - p.w_zp);
            }
          }
          if (bias) acc += bias[c];
          conv_s8_store(p, acc, p.out_int32 ? 0.0f : scale[c], y, opix + static_cast<size_t>(c));
        }
      }
    }
  }
}

// Depthwise convolution of one channel c held as a plane (h_in * w_in values, row-major): output
// (oh, ow) goes to out[(oh * w_out + ow) * out_stride]. Integer accumulation and requantization as
// in dwconv_s8_nhwc, so results are identical to it.
inline void dwconv_s8_plane(const ConvS8Params& p, const int8_t* plane, const int8_t* w, const int32_t* bias,
                            const float* scale, int32_t c, int8_t* out, size_t out_stride) {
  const size_t C = static_cast<size_t>(p.c_out);
  for (int32_t oh = 0; oh < p.h_out; ++oh) {
    const int32_t hs = oh * p.stride_h - p.pad_top;
    for (int32_t ow = 0; ow < p.w_out; ++ow) {
      const int32_t ws = ow * p.stride_w - p.pad_left;
      int32_t acc = 0;
      for (int32_t ky = 0; ky < p.kh; ++ky) {
        const int32_t ih = hs + ky * p.dil_h;
        if (ih < 0 || ih >= p.h_in) continue;
        for (int32_t kx = 0; kx < p.kw; ++kx) {
          const int32_t iw = ws + kx * p.dil_w;
          if (iw < 0 || iw >= p.w_in) continue;
          const int32_t xv = plane[ih * p.w_in + iw];
          const int32_t wv = w[(static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx)) * C +
                               static_cast<size_t>(c)];
          acc += (xv - p.in_zp) * (wv - p.w_zp);
        }
      }
      if (bias) acc += bias[c];
      out[(static_cast<size_t>(oh) * static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * out_stride] =
          static_cast<int8_t>(requantize(acc, scale[c], p.out_zp, p.act_min, p.act_max));
    }
  }
}

// Depthwise convolution in place on NHWC int8 ("2N -> N+1"): channel c's input values (stride C) are
// gathered into `temp` (h_in * w_in bytes), then channel c's outputs are written to the slots
// (pixel * C + c) of the same buffer. Those slots belong to channel c only, so channels not yet
// processed are untouched; with h_out * w_out <= h_in * w_in and n == 1 (checked by the compiler) the
// output (pixel q, channel c) slot is either input slot (q, c), already copied, or below it.
inline void dwconv_s8_nhwc_inplace(const ConvS8Params& p, int8_t* buf, const int8_t* w, const int32_t* bias,
                                   const float* scale, void* temp_bytes) {
  int8_t* const temp = static_cast<int8_t*>(temp_bytes);
  const size_t C = static_cast<size_t>(p.c_out);
  const size_t in_plane = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
  for (size_t c = 0; c < C; ++c) {
    for (size_t i = 0; i < in_plane; ++i) temp[i] = buf[i * C + c];
    dwconv_s8_plane(p, temp, w, bias, scale, static_cast<int32_t>(c), buf + c, C);
  }
}

// Inverted bottleneck streamed channel by channel (MobileNetV2 block: 1x1 expand -> depthwise ->
// 1x1 project, as three QLinearConvs whose intermediate tensors have no other reader). The expanded
// tensor is never stored whole: for each middle channel c the expand output plane c is computed into
// `e_plane` (h_in * w_in bytes), the depthwise convolution of that plane into `d_plane`
// (h_out * w_out bytes), and its contribution to every projected output is added to int32
// accumulators `acc` (h_out * w_out * c_out). Memory: c_out * 4 bytes per output pixel instead of
// the c_mid bytes per input pixel of the layer-by-layer plan (c_mid = 6 * c_in in MobileNetV2).
//
// Exactness: each expand and depthwise value is computed, requantized and saturated exactly as by
// conv1x1_s8_nhwc / dwconv_s8_nhwc; the project accumulator receives the same int32 products in
// another order, and int32 addition is associative, so y is bit-identical to the three layers run
// one after another. y must not alias x or the scratch; scratch layout: acc, e_plane, d_plane.
struct BottleneckS8Params {
  ConvS8Params expand, dw, project;
};

inline size_t bottleneck_s8_scratch_bytes(const BottleneckS8Params& p) {
  return sizeof(int32_t) * static_cast<size_t>(p.project.h_out) * static_cast<size_t>(p.project.w_out) *
             static_cast<size_t>(p.project.c_out) +
         static_cast<size_t>(p.expand.h_out) * static_cast<size_t>(p.expand.w_out) +
         static_cast<size_t>(p.dw.h_out) * static_cast<size_t>(p.dw.w_out);
}

inline void bottleneck_s8_nhwc(const BottleneckS8Params& p, const int8_t* x, const int8_t* we, const int32_t* be,
                               const float* se, const int8_t* wd, const int32_t* bd, const float* sd, const int8_t* wp,
                               const int32_t* bp, const float* sp, int8_t* y, void* scratch) {
  const ConvS8Params& e = p.expand;
  const ConvS8Params& d = p.dw;
  const ConvS8Params& q = p.project;
  const size_t in_pixels = static_cast<size_t>(e.h_in) * static_cast<size_t>(e.w_in);
  const size_t out_pixels = static_cast<size_t>(q.h_out) * static_cast<size_t>(q.w_out);
  const size_t c_in = static_cast<size_t>(e.c_in), c_mid = static_cast<size_t>(e.c_out),
               c_out = static_cast<size_t>(q.c_out);
  int32_t* const acc = static_cast<int32_t*>(scratch);
  int8_t* const e_plane = reinterpret_cast<int8_t*>(acc + out_pixels * c_out);
  int8_t* const d_plane = e_plane + in_pixels;
  for (size_t i = 0; i < out_pixels * c_out; ++i) acc[i] = 0;
  for (size_t c = 0; c < c_mid; ++c) {
    const int8_t* wc = we + c * c_in;
    for (size_t px = 0; px < in_pixels; ++px) {
      const int8_t* xp = x + px * c_in;
      int32_t a = 0;
      for (size_t i = 0; i < c_in; ++i)
        a += (static_cast<int32_t>(xp[i]) - e.in_zp) * (static_cast<int32_t>(wc[i]) - e.w_zp);
      if (be) a += be[c];
      e_plane[px] = static_cast<int8_t>(requantize(a, se[c], e.out_zp, e.act_min, e.act_max));
    }
    dwconv_s8_plane(d, e_plane, wd, bd, sd, static_cast<int32_t>(c), d_plane, 1);
    for (size_t px = 0; px < out_pixels; ++px) {
      const int32_t v = static_cast<int32_t>(d_plane[px]) - q.in_zp;
      int32_t* ap = acc + px * c_out;
      for (size_t oc = 0; oc < c_out; ++oc) ap[oc] += v * (static_cast<int32_t>(wp[oc * c_mid + c]) - q.w_zp);
    }
  }
  for (size_t px = 0; px < out_pixels; ++px)
    for (size_t oc = 0; oc < c_out; ++oc) {
      int32_t a = acc[px * c_out + oc];
      if (bp) a += bp[oc];
      y[px * c_out + oc] = static_cast<int8_t>(requantize(a, sp[oc], q.out_zp, q.act_min, q.act_max));
    }
}
