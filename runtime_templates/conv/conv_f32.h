// Float 2-D and 3-D convolution, NC[D]HW activations, OI[D]HW weights ([c_out][c_in/group][kd][kh][kw]),
// with groups, strides, dilations, explicit pads (auto_pad is resolved by the compiler) and a fused
// activation. 2-D convolutions have depth 1 (d_in = d_out = kd = stride_d = dil_d = 1, pad_front =
// 0); 1-D ones are lowered to h = 1 as well.
struct ConvParams {
  int32_t n, c_in, h_in, w_in;
  int32_t c_out, h_out, w_out;
  int32_t kh, kw;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left;  // bottom/right pads are implied by h_out/w_out
  int32_t group;
  int32_t d_in, d_out, kd, stride_d, dil_d, pad_front;  // depth (3-D); the back pad is implied by d_out
  ActParams act;
};

// Bytes of scratch conv2d_f32 needs: one zero-padded receptive field (c_in/group * kd * kh * kw floats).
constexpr size_t conv2d_f32_scratch_bytes(const ConvParams& p) {
  return sizeof(float) * static_cast<size_t>(p.c_in / p.group) * static_cast<size_t>(p.kd) *
         static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw);
}

// General grouped convolution (2-D or 3-D) via a per-output-pixel im2col patch in `scratch`
// (conv2d_f32_scratch_bytes(p) bytes, float-aligned). `bias` may be null. y must not alias x.
//
// Algorithm: for each (n, group, od, oh, ow) the receptive field is gathered once into `scratch` in
// the weight layout [ic][kz][ky][kx] (zeros where the position falls into padding); then every output
// channel of the group is a dot product of that patch with its contiguous weights. Summation order
// per output: bias (or 0), then ic, kz, ky, kx in increasing order.
inline void conv2d_f32(const ConvParams& p, const float* x, const float* w, const float* bias,
                       float* y, float* scratch) {
  const int32_t cin_g = p.c_in / p.group;
  const int32_t cout_g = p.c_out / p.group;
  const int32_t patch = cin_g * p.kd * p.kh * p.kw;
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t in_vol = p.d_in * in_plane;
  const int32_t out_vol = p.d_out * p.h_out * p.w_out;
  for (int32_t n = 0; n < p.n; ++n) {
    const float* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.c_in) * in_vol;
    float* yn = y + static_cast<size_t>(n) * static_cast<size_t>(p.c_out) * out_vol;
    for (int32_t g = 0; g < p.group; ++g) {
      const float* xg = xn + static_cast<size_t>(g) * static_cast<size_t>(cin_g) * in_vol;
      for (int32_t od = 0; od < p.d_out; ++od) {
        const int32_t ds = od * p.stride_d - p.pad_front;
        for (int32_t oh = 0; oh < p.h_out; ++oh) {
          const int32_t hs = oh * p.stride_h - p.pad_top;
          for (int32_t ow = 0; ow < p.w_out; ++ow) {
            const int32_t ws = ow * p.stride_w - p.pad_left;
            // Gather the zero-padded receptive field.
            float* s = scratch;
            for (int32_t ic = 0; ic < cin_g; ++ic) {
              for (int32_t kz = 0; kz < p.kd; ++kz) {
                const int32_t id = ds + kz * p.dil_d;
                if (id < 0 || id >= p.d_in) {
                  for (int32_t k = 0; k < p.kh * p.kw; ++k) *s++ = 0.0f;
                  continue;
                }
                const float* xc = xg + static_cast<size_t>(ic) * in_vol + static_cast<size_t>(id) * in_plane;
                for (int32_t ky = 0; ky < p.kh; ++ky) {
                  const int32_t ih = hs + ky * p.dil_h;
                  if (ih < 0 || ih >= p.h_in) {
                    for (int32_t kx = 0; kx < p.kw; ++kx) *s++ = 0.0f;
                    continue;
                  }
                  const float* xr = xc + static_cast<size_t>(ih) * p.w_in;
                  for (int32_t kx = 0; kx < p.kw; ++kx) {
                    const int32_t iw = ws + kx * p.dil_w;
                    *s++ = (iw < 0 || iw >= p.w_in) ? 0.0f : xr[iw];
                  }
                }
              }
            }
            // One dot product per output channel of the group.
            const int32_t opix = (od * p.h_out + oh) * p.w_out + ow;
            for (int32_t oc = g * cout_g; oc < (g + 1) * cout_g; ++oc) {
              const float* wo = w + static_cast<size_t>(oc) * patch;
              float acc = bias ? bias[oc] : 0.0f;
              for (int32_t i = 0; i < patch; ++i) acc += scratch[i] * wo[i];
              yn[static_cast<size_t>(oc) * out_vol + opix] = apply_act(p.act, acc);
            }
          }
        }
      }
    }
  }
}

// Depthwise special case (group == c_in == c_out, depth 1: 1-D and 2-D only): no scratch. y must
// not alias x.
//
// Algorithm: direct loops per channel and output pixel; out-of-range taps are skipped.
// Summation order per output: bias (or 0), then ky, kx in increasing order.
inline void dwconv2d_f32(const ConvParams& p, const float* x, const float* w, const float* bias,
                         float* y) {
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t out_plane = p.h_out * p.w_out;
  const int32_t ksize = p.kh * p.kw;
  for (int32_t n = 0; n < p.n; ++n) {
    for (int32_t c = 0; c < p.c_out; ++c) {
      const size_t nc = static_cast<size_t>(n) * static_cast<size_t>(p.c_out) + static_cast<size_t>(c);
      const float* xc = x + nc * static_cast<size_t>(in_plane);
      float* yc = y + nc * static_cast<size_t>(out_plane);
      const float* wc = w + static_cast<size_t>(c) * ksize;
      const float b = bias ? bias[c] : 0.0f;
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        const int32_t hs = oh * p.stride_h - p.pad_top;
        for (int32_t ow = 0; ow < p.w_out; ++ow) {
          const int32_t ws = ow * p.stride_w - p.pad_left;
          float acc = b;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = hs + ky * p.dil_h;
            if (ih < 0 || ih >= p.h_in) continue;
            const float* xr = xc + static_cast<size_t>(ih) * p.w_in;
            const float* wr = wc + ky * p.kw;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ws + kx * p.dil_w;
              if (iw < 0 || iw >= p.w_in) continue;
              acc += xr[iw] * wr[kx];
            }
          }
          yc[oh * p.w_out + ow] = apply_act(p.act, acc);
        }
      }
    }
  }
}

// A 1x1 (or any group-1) expand convolution followed by a depthwise convolution, channel by channel
// (passes/bottleneck.cpp): the expanded tensor is never stored whole. For each middle channel c,
// conv2d_f32 computes plane c of the expanded tensor (its ConvParams with c_out = 1 and channel c's
// weights and bias) into scratch, then dwconv2d_f32 turns that plane into output plane c. Each value
// is computed by the same kernel code with the same operands in the same order as in the two
// layer-by-layer calls, so the output is bit-identical to them.
struct ExpandDwF32Params {
  ConvParams expand;  // group 1, n 1
  ConvParams dw;      // depthwise over expand.c_out channels, n 1
};

// Scratch: one expanded plane (expand.h_out * expand.w_out floats), then conv2d_f32's patch.
constexpr size_t expand_dw_f32_scratch_bytes(const ExpandDwF32Params& p) {
  return sizeof(float) * static_cast<size_t>(p.expand.h_out) * static_cast<size_t>(p.expand.w_out) +
         conv2d_f32_scratch_bytes(p.expand);
}

// y must not alias x. Biases may be null.
inline void expand_dw_f32(const ExpandDwF32Params& p, const float* x, const float* we, const float* be, const float* wd,
                          const float* bd, float* y, float* scratch) {
  ConvParams e = p.expand;
  e.c_out = 1;
  ConvParams d = p.dw;
  d.c_in = d.c_out = d.group = 1;
  float* plane = scratch;
  float* patch = scratch + static_cast<size_t>(e.h_out) * static_cast<size_t>(e.w_out);
  const size_t e_taps = static_cast<size_t>(e.c_in) * static_cast<size_t>(e.kh) * static_cast<size_t>(e.kw);
  const size_t d_taps = static_cast<size_t>(d.kh) * static_cast<size_t>(d.kw);
  const size_t out_plane = static_cast<size_t>(d.h_out) * static_cast<size_t>(d.w_out);
  for (int32_t c = 0; c < p.expand.c_out; ++c) {
    const size_t cc = static_cast<size_t>(c);
    conv2d_f32(e, x, we + cc * e_taps, be ? be + cc : nullptr, plane, patch);
    dwconv2d_f32(d, plane, wd + cc * d_taps, bd ? bd + cc : nullptr, y + cc * out_plane);
  }
}

// Depthwise convolution in place ("2N -> N+1"): the output overwrites the input buffer channel by
// channel. Each input plane is first copied to `temp` (h_in * w_in floats); output plane c is then
// written at c * h_out * w_out, which never reaches an input plane not yet copied because
// h_out * w_out <= h_in * w_in (the compiler checks this and n == 1). Same arithmetic, in the same
// order, as dwconv2d_f32, so the results are identical.
inline void dwconv2d_f32_inplace(const ConvParams& p, float* buf, const float* w, const float* bias, float* temp) {
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t out_plane = p.h_out * p.w_out;
  const int32_t ksize = p.kh * p.kw;
  for (int32_t c = 0; c < p.c_out; ++c) {
    std::memcpy(temp, buf + static_cast<size_t>(c) * static_cast<size_t>(in_plane),
                sizeof(float) * static_cast<size_t>(in_plane));
    float* yc = buf + static_cast<size_t>(c) * static_cast<size_t>(out_plane);
    const float* wc = w + static_cast<size_t>(c) * ksize;
    const float b = bias ? bias[c] : 0.0f;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        float acc = b;
        for (int32_t ky = 0; ky < p.kh; ++ky) {
          const int32_t ih = hs + ky * p.dil_h;
          if (ih < 0 || ih >= p.h_in) continue;
          const float* xr = temp + static_cast<size_t>(ih) * p.w_in;
          const float* wr = wc + ky * p.kw;
          for (int32_t kx = 0; kx < p.kw; ++kx) {
            const int32_t iw = ws + kx * p.dil_w;
            if (iw < 0 || iw >= p.w_in) continue;
            acc += xr[iw] * wr[kx];
          }
        }
        yc[oh * p.w_out + ow] = apply_act(p.act, acc);
      }
    }
  }
}


// Float 2-D and 3-D transposed convolution (ONNX ConvTranspose), NC[D]HW activations, weights in
// ONNX's layout [c_in][c_out/group][kd][kh][kw], with groups, strides, dilations, begin pads and a
// fused activation. The compiler resolves auto_pad, output_padding and output_shape into
// pad_front/pad_top/pad_left and d_out/h_out/w_out (end pads are implied); 2-D ones have depth 1,
// 1-D ones are lowered to h = 1 as well. Shares ConvParams with conv2d_f32 (same fields, the weight
// layout differs).

// y must not alias x. `bias` may be null.
//
// Algorithm (gather form, no scratch): output pixel (od, oh, ow) of channel oc receives input pixel
// (id, ih, iw) through tap (kz, ky, kx) when oh + pad_top = ih * stride_h + ky * dil_h (same for d
// and w). For each output value: bias (or 0), then the sum over ic of its group, kz, ky, kx in
// increasing order of the taps whose input position is integral and inside the input; then the
// activation.
inline void conv_transpose2d_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int32_t cin_g = p.c_in / p.group;
  const int32_t cout_g = p.c_out / p.group;
  const size_t in_plane = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
  const size_t in_vol = static_cast<size_t>(p.d_in) * in_plane;
  const size_t out_vol = static_cast<size_t>(p.d_out) * static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out);
  const size_t kplane = static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw);
  const size_t ksize = static_cast<size_t>(p.kd) * kplane;
  for (int32_t n = 0; n < p.n; ++n) {
    const float* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.c_in) * in_vol;
    float* yn = y + static_cast<size_t>(n) * static_cast<size_t>(p.c_out) * out_vol;
    for (int32_t oc = 0; oc < p.c_out; ++oc) {
      const int32_t g = oc / cout_g;
      const int32_t ocg = oc % cout_g;
      float* yc = yn + static_cast<size_t>(oc) * out_vol;
      for (int32_t od = 0; od < p.d_out; ++od) {
        for (int32_t oh = 0; oh < p.h_out; ++oh) {
          for (int32_t ow = 0; ow < p.w_out; ++ow) {
            float acc = bias ? bias[oc] : 0.0f;
            for (int32_t icg = 0; icg < cin_g; ++icg) {
              const int32_t ic = g * cin_g + icg;
              const float* xc = xn + static_cast<size_t>(ic) * in_vol;
              const float* wk =
                  w + (static_cast<size_t>(ic) * static_cast<size_t>(cout_g) + static_cast<size_t>(ocg)) * ksize;
              for (int32_t kz = 0; kz < p.kd; ++kz) {
                const int32_t td = od + p.pad_front - kz * p.dil_d;
                if (td < 0 || td % p.stride_d != 0) continue;
                const int32_t id = td / p.stride_d;
                if (id >= p.d_in) continue;
                const float* xd = xc + static_cast<size_t>(id) * in_plane;
                const float* wz = wk + static_cast<size_t>(kz) * kplane;
                for (int32_t ky = 0; ky < p.kh; ++ky) {
                  const int32_t th = oh + p.pad_top - ky * p.dil_h;
                  if (th < 0 || th % p.stride_h != 0) continue;
                  const int32_t ih = th / p.stride_h;
                  if (ih >= p.h_in) continue;
                  for (int32_t kx = 0; kx < p.kw; ++kx) {
                    const int32_t tw = ow + p.pad_left - kx * p.dil_w;
                    if (tw < 0 || tw % p.stride_w != 0) continue;
                    const int32_t iw = tw / p.stride_w;
                    if (iw >= p.w_in) continue;
                    acc += xd[static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)] *
                           wz[static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx)];
                  }
                }
              }
            }
            yc[(static_cast<size_t>(od) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                   static_cast<size_t>(p.w_out) +
               static_cast<size_t>(ow)] = apply_act(p.act, acc);
          }
        }
      }
    }
  }
}
