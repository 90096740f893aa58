// Float 2-D transposed convolution (ONNX ConvTranspose), NCHW activations, weights in ONNX's layout
// [c_in][c_out/group][kh][kw], with groups, strides, dilations, begin pads and a fused activation.
// The compiler resolves auto_pad, output_padding and output_shape into pad_top/pad_left and
// h_out/w_out (end pads are implied); 1-D transposed convolutions are lowered to h = 1.
// Shares ConvParams with conv2d_f32 (same fields, the weight layout differs).

// y must not alias x. `bias` may be null.
//
// Algorithm (gather form, no scratch): output pixel (oh, ow) of channel oc receives input pixel
// (ih, iw) through tap (ky, kx) when oh + pad_top = ih * stride_h + ky * dil_h (same for w). For each
// output value: bias (or 0), then the sum over ic of its group, ky, kx in increasing order of the
// taps whose input position is integral and inside the input; then the activation.
inline void conv_transpose2d_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  const int32_t cin_g = p.c_in / p.group;
  const int32_t cout_g = p.c_out / p.group;
  const size_t in_plane = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
  const size_t out_plane = static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out);
  const size_t ksize = static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw);
  for (int32_t n = 0; n < p.n; ++n) {
    const float* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.c_in) * in_plane;
    float* yn = y + static_cast<size_t>(n) * static_cast<size_t>(p.c_out) * out_plane;
    for (int32_t oc = 0; oc < p.c_out; ++oc) {
      const int32_t g = oc / cout_g;
      const int32_t ocg = oc % cout_g;
      float* yc = yn + static_cast<size_t>(oc) * out_plane;
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        for (int32_t ow = 0; ow < p.w_out; ++ow) {
          float acc = bias ? bias[oc] : 0.0f;
          for (int32_t icg = 0; icg < cin_g; ++icg) {
            const int32_t ic = g * cin_g + icg;
            const float* xc = xn + static_cast<size_t>(ic) * in_plane;
            const float* wk = w + (static_cast<size_t>(ic) * static_cast<size_t>(cout_g) + static_cast<size_t>(ocg)) * ksize;
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
                acc += xc[static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)] *
                       wk[static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx)];
              }
            }
          }
          yc[static_cast<size_t>(oh) * static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)] = apply_act(p.act, acc);
        }
      }
    }
  }
}
