// Float 2-D and 3-D MaxPool / AveragePool over NC[D]HW, with strides, dilations (MaxPool), explicit
// pads (auto_pad and ceil_mode are resolved by the compiler into pads and output sizes),
// count_include_pad for AveragePool, and MaxPool's optional Indices output. 2-D pools have depth 1
// (d_in = d_out = kd = stride_d = dil_d = 1, no depth pads); 1-D pools are lowered to h = 1 as well.
struct PoolParams {
  int32_t n, c, h_in, w_in;
  int32_t h_out, w_out;
  int32_t kh, kw;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right;
  int32_t count_include_pad;  // AveragePool: divide by the window clipped to the padded extent
  int32_t d_in, d_out, kd, stride_d, dil_d, pad_front, pad_back;  // depth (3-D)
  int32_t storage_order;  // MaxPool Indices: 0 row-major, 1 column-major over the spatial dims
  ActParams act;
};

// Windows never extend past the padded input for count_include_pad (ceil_mode windows that run
// past the end pads are clipped there). Padding never wins a max. y must not alias x.
//
// Algorithm (both): output (od, oh, ow) looks at window positions d = od*stride_d - pad_front +
// kz*dil_d, h = oh*stride_h - pad_top + ky*dil_h, w = ow*stride_w - pad_left + kx*dil_w, visited in
// kz, ky, kx order. Max takes the max over in-range positions only (-inf if there is none; the first
// position holding the max wins). Avg sums in-range values in kz, ky, kx order (from 0.0f) and
// divides by the count of in-range positions, or with count_include_pad by the count of positions
// inside the padded extent [-pad_front, d_in + pad_back) x [-pad_top, h_in + pad_bottom) x
// [-pad_left, w_in + pad_right) (ONNX Runtime's clipping of ceil_mode windows). The activation is
// applied to each output.
//
// `indices` (MaxPool's Indices, int64; may be null) receives the max's flat index in the input
// tensor as ONNX Runtime writes it: plane * d_in*h_in*w_in plus, with storage_order 0,
// (d * h_in + h) * w_in + w, with storage_order 1, d + d_in * (h + h_in * w); -1 if the window
// holds no input position.
inline void maxpool2d_f32(const PoolParams& p, const float* x, float* y, int64_t* indices) {
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t in_vol = p.d_in * in_plane;
  const int32_t out_vol = p.d_out * p.h_out * p.w_out;
  const int32_t planes = p.n * p.c;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const float* xc = x + static_cast<size_t>(pl) * static_cast<size_t>(in_vol);
    float* yc = y + static_cast<size_t>(pl) * static_cast<size_t>(out_vol);
    for (int32_t od = 0; od < p.d_out; ++od) {
      const int32_t ds = od * p.stride_d - p.pad_front;
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        const int32_t hs = oh * p.stride_h - p.pad_top;
        for (int32_t ow = 0; ow < p.w_out; ++ow) {
          const int32_t ws = ow * p.stride_w - p.pad_left;
          float mx = -INFINITY;
          int32_t md = -1, mh = -1, mw = -1;
          for (int32_t kz = 0; kz < p.kd; ++kz) {
            const int32_t id = ds + kz * p.dil_d;
            if (id < 0 || id >= p.d_in) continue;
            for (int32_t ky = 0; ky < p.kh; ++ky) {
              const int32_t ih = hs + ky * p.dil_h;
              if (ih < 0 || ih >= p.h_in) continue;
              const float* xr = xc + static_cast<size_t>(id) * in_plane + static_cast<size_t>(ih) * p.w_in;
              for (int32_t kx = 0; kx < p.kw; ++kx) {
                const int32_t iw = ws + kx * p.dil_w;
                if (iw < 0 || iw >= p.w_in) continue;
                const float v = xr[iw];
                if (v > mx || md < 0) {  // the index: the first max, else the first position
                  if (v > mx) mx = v;
                  md = id;
                  mh = ih;
                  mw = iw;
                }
              }
            }
          }
          const int32_t o = (od * p.h_out + oh) * p.w_out + ow;
          yc[o] = apply_act(p.act, mx);
          if (indices) {
            const int64_t local = md < 0                  ? -1
                                  : p.storage_order == 0 ? (static_cast<int64_t>(md) * p.h_in + mh) * p.w_in + mw
                                                          : md + static_cast<int64_t>(p.d_in) * (mh + static_cast<int64_t>(p.h_in) * mw);
            indices[static_cast<size_t>(pl) * static_cast<size_t>(out_vol) + static_cast<size_t>(o)] =
                local < 0 ? -1 : static_cast<int64_t>(pl) * in_vol + local;
          }
        }
      }
    }
  }
}

inline void avgpool2d_f32(const PoolParams& p, const float* x, float* y) {
  const int32_t in_plane = p.h_in * p.w_in;
  const int32_t in_vol = p.d_in * in_plane;
  const int32_t out_vol = p.d_out * p.h_out * p.w_out;
  const int32_t planes = p.n * p.c;
  const int32_t d_lim = p.d_in + p.pad_back, h_lim = p.h_in + p.pad_bottom, w_lim = p.w_in + p.pad_right;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const float* xc = x + static_cast<size_t>(pl) * static_cast<size_t>(in_vol);
    float* yc = y + static_cast<size_t>(pl) * static_cast<size_t>(out_vol);
    for (int32_t od = 0; od < p.d_out; ++od) {
      const int32_t ds = od * p.stride_d - p.pad_front;
      // Window depths that are real input / inside the padded extent.
      int32_t cnt_d = 0, cnt_dp = 0;
      for (int32_t kz = 0; kz < p.kd; ++kz) {
        const int32_t id = ds + kz * p.dil_d;
        if (id >= 0 && id < p.d_in) ++cnt_d;
        if (id >= -p.pad_front && id < d_lim) ++cnt_dp;
      }
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        const int32_t hs = oh * p.stride_h - p.pad_top;
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
          for (int32_t kz = 0; kz < p.kd; ++kz) {
            const int32_t id = ds + kz * p.dil_d;
            if (id < 0 || id >= p.d_in) continue;
            for (int32_t ky = 0; ky < p.kh; ++ky) {
              const int32_t ih = hs + ky * p.dil_h;
              if (ih < 0 || ih >= p.h_in) continue;
              const float* xr = xc + static_cast<size_t>(id) * in_plane + static_cast<size_t>(ih) * p.w_in;
              for (int32_t kx = 0; kx < p.kw; ++kx) {
                const int32_t iw = ws + kx * p.dil_w;
                if (iw < 0 || iw >= p.w_in) continue;
                sum += xr[iw];
              }
            }
          }
          const int32_t cnt = p.count_include_pad ? cnt_dp * cnt_hp * cnt_wp : cnt_d * cnt_h * cnt_w;
          const float v = cnt > 0 ? sum / static_cast<float>(cnt) : 0.0f;
          yc[(od * p.h_out + oh) * p.w_out + ow] = apply_act(p.act, v);
        }
      }
    }
  }
}
