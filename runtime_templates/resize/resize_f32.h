// Float Resize (ONNX Resize / Upsample) of a tensor of rank <= 4 (leading dims padded with 1):
// nearest on any axis, linear (bilinear) or cubic (bicubic) on the last two axes. The compiler
// computes every coordinate mapping (coordinate_transformation_mode, nearest_mode, scales or sizes,
// roi, cubic_coeff_a, exclude_outside) once, at compile time, into per-axis tables of T taps per
// output index (T = 2 for nearest and linear, 4 for cubic): for output index o of axis a,
// idx[T * (base_a + o) + k] is the input index of tap k (already clamped), with base_a =
// out_shape[0] + ... + out_shape[a - 1]. Nearest uses tap 0; linear reads taps 0 and 1 with
// wt[base_a + o] the weight of tap 1; cubic weighs its four taps by wt[4 * (base_a + o) + k]. Axes 0
// and 1 use tap 0 (nearest, linear) or tap 1 (cubic). With `extrapolate` (tf_crop_and_resize), an
// index of -1 in an output's first tap marks a position outside the input: the output is
// extrapolation_value.
struct ResizeParams {
  int32_t in_shape[4];
  int32_t out_shape[4];
  int32_t linear;  // 0: nearest on every axis; 1: linear on axes 2 and 3; 2: cubic on axes 2 and 3
  int32_t extrapolate;
  float extrapolation_value;
};

// y must not alias x.
//
// Algorithm: for each output element in order, nearest copies x[i0...]; linear reads the four
// neighbours on axes 2 and 3 and computes
// (1 - wy) * ((1 - wx) * x00 + wx * x01) + wy * ((1 - wx) * x10 + wx * x11); cubic computes, for
// each of the four rows i in order, r_i = sum over the four columns j in order of wx_j * x_ij (from
// 0.0f), then y = sum over i in order of wy_i * r_i (from 0.0f).
inline void resize_f32(const ResizeParams& p, const float* x, const int32_t* idx, const float* wt, float* y) {
  const int32_t b1 = p.out_shape[0], b2 = b1 + p.out_shape[1], b3 = b2 + p.out_shape[2];
  const size_t s2 = static_cast<size_t>(p.in_shape[3]);
  const size_t s1 = s2 * static_cast<size_t>(p.in_shape[2]);
  const size_t s0 = s1 * static_cast<size_t>(p.in_shape[1]);
  const int32_t taps = p.linear == 2 ? 4 : 2;
  const int32_t lead = p.linear == 2 ? 1 : 0;
  size_t o = 0;
  for (int32_t a = 0; a < p.out_shape[0]; ++a) {
    const int32_t ia = idx[taps * a + lead];
    for (int32_t b = 0; b < p.out_shape[1]; ++b) {
      const int32_t ib = idx[taps * (b1 + b) + lead];
      const bool out_ab = p.extrapolate && (ia < 0 || ib < 0);
      const float* xb = x + (out_ab ? 0 : static_cast<size_t>(ia) * s0 + static_cast<size_t>(ib) * s1);
      for (int32_t h = 0; h < p.out_shape[2]; ++h) {
        const int32_t th = b2 + h;
        const bool out_h = out_ab || (p.extrapolate && idx[taps * th] < 0);
        if (out_h) {
          for (int32_t w = 0; w < p.out_shape[3]; ++w) y[o++] = p.extrapolation_value;
          continue;
        }
        if (p.linear == 2) {
          for (int32_t w = 0; w < p.out_shape[3]; ++w) {
            const int32_t tw = b3 + w;
            if (p.extrapolate && idx[4 * tw] < 0) {
              y[o++] = p.extrapolation_value;
              continue;
            }
            float acc = 0.0f;
            for (int32_t i = 0; i < 4; ++i) {
              const float* r = xb + static_cast<size_t>(idx[4 * th + i]) * s2;
              float rv = 0.0f;
              for (int32_t j = 0; j < 4; ++j) rv += wt[4 * tw + j] * r[idx[4 * tw + j]];
              acc += wt[4 * th + i] * rv;
            }
            y[o++] = acc;
          }
          continue;
        }
        const float* r0 = xb + static_cast<size_t>(idx[2 * th]) * s2;
        if (!p.linear) {
          for (int32_t w = 0; w < p.out_shape[3]; ++w) {
            const int32_t c = idx[2 * (b3 + w)];
            y[o++] = p.extrapolate && c < 0 ? p.extrapolation_value : r0[c];
          }
          continue;
        }
        const float* r1 = xb + static_cast<size_t>(idx[2 * th + 1]) * s2;
        const float wy = wt[th];
        for (int32_t w = 0; w < p.out_shape[3]; ++w) {
          const int32_t tw = b3 + w;
          const int32_t c0 = idx[2 * tw], c1 = idx[2 * tw + 1];
          if (p.extrapolate && c0 < 0) {
            y[o++] = p.extrapolation_value;
            continue;
          }
          const float wx = wt[tw];
          const float top = (1.0f - wx) * r0[c0] + wx * r0[c1];
          const float bot = (1.0f - wx) * r1[c0] + wx * r1[c1];
          y[o++] = (1.0f - wy) * top + wy * bot;
        }
      }
    }
  }
}
