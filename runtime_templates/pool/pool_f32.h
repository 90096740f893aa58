// Float 2-D MaxPool / AveragePool over NCHW, with strides, dilations (MaxPool), explicit pads
// (auto_pad and ceil_mode are resolved by the compiler into pads and output sizes), and
// count_include_pad for AveragePool. 1-D pools are lowered to h = 1.
struct PoolParams {
  int32_t n, c, h_in, w_in;
  int32_t h_out, w_out;
  int32_t kh, kw;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right;
  int32_t count_include_pad;  // AveragePool: divide by the window clipped to the padded extent
  ActParams act;
};

// Windows never extend past the padded input for count_include_pad (ceil_mode windows that run
// past pad_bottom/pad_right are clipped there). Padding never wins a max. y must not alias x.
//
// Algorithm (both): output (oh, ow) looks at window positions h = oh*stride_h - pad_top + ky*dil_h,
// w = ow*stride_w - pad_left + kx*dil_w, visited in ky, kx order. Max takes the max over in-range
// positions only (-inf if there is none). Avg sums in-range values in ky, kx order (from 0.0f) and
// divides by the count of in-range positions, or with count_include_pad by the count of positions
// inside [-pad_top, h_in + pad_bottom) x [-pad_left, w_in + pad_right) (ONNX Runtime's clipping of
// ceil_mode windows). The activation is applied to each output.
inline void maxpool2d_f32(const PoolParams& p, const float* x, float* y) {
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t out_plane = p.h_out * p.w_out;
  const int32_t planes = p.n * p.c;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const float* xc = x + static_cast<size_t>(pl) * static_cast<size_t>(in_plane);
    float* yc = y + static_cast<size_t>(pl) * static_cast<size_t>(out_plane);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        float mx = -INFINITY;
        for (int32_t ky = 0; ky < p.kh; ++ky) {
          const int32_t ih = hs + ky * p.dil_h;
          if (ih < 0 || ih >= p.h_in) continue;
          const float* xr = xc + static_cast<size_t>(ih) * p.w_in;
          for (int32_t kx = 0; kx < p.kw; ++kx) {
            const int32_t iw = ws + kx * p.dil_w;
            if (iw < 0 || iw >= p.w_in) continue;
            const float v = xr[iw];
            if (v > mx) mx = v;
          }
        }
        yc[oh * p.w_out + ow] = apply_act(p.act, mx);
      }
    }
  }
}

inline void avgpool2d_f32(const PoolParams& p, const float* x, float* y) {
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t out_plane = p.h_out * p.w_out;
  const int32_t planes = p.n * p.c;
  const int32_t h_lim = p.h_in + p.pad_bottom, w_lim = p.w_in + p.pad_right;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const float* xc = x + static_cast<size_t>(pl) * static_cast<size_t>(in_plane);
    float* yc = y + static_cast<size_t>(pl) * static_cast<size_t>(out_plane);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      // Window rows that are real input / inside the padded extent.
      int32_t cnt_h = 0, cnt_hp = 0;
      for (int32_t ky = 0; ky < p.kh; ++ky) {
        const int32_t ih = hs + ky * p.dil_h;
        if (ih >= 0 && ih < p.h_in) ++cnt_h;
        if (ih >= -p.pad_top && ih < h_lim) ++cnt_hp;
      }
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int32_t cnt_w = 0, cnt_wp = 0;
        for (int32_t kx = 0; kx < p.kw; ++kx) {
          const int32_t iw = ws + kx * p.dil_w;
          if (iw >= 0 && iw < p.w_in) ++cnt_w;
          if (iw >= -p.pad_left && iw < w_lim) ++cnt_wp;
        }
        float sum = 0.0f;
        for (int32_t ky = 0; ky < p.kh; ++ky) {
          const int32_t ih = hs + ky * p.dil_h;
          if (ih < 0 || ih >= p.h_in) continue;
          const float* xr = xc + static_cast<size_t>(ih) * p.w_in;
          for (int32_t kx = 0; kx < p.kw; ++kx) {
            const int32_t iw = ws + kx * p.dil_w;
            if (iw < 0 || iw >= p.w_in) continue;
            sum += xr[iw];
          }
        }
        const int32_t cnt = p.count_include_pad ? cnt_hp * cnt_wp : cnt_h * cnt_w;
        const float v = cnt > 0 ? sum / static_cast<float>(cnt) : 0.0f;
        yc[oh * p.w_out + ow] = apply_act(p.act, v);
      }
    }
  }
}
