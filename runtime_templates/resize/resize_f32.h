// Float Resize (ONNX Resize / Upsample) of a tensor of rank <= 4 (leading dims padded with 1):
// nearest on any axis, linear (bilinear) on the last two axes. The compiler computes every
// coordinate mapping (coordinate_transformation_mode, nearest_mode, scales or sizes) once, at compile
// time, into per-axis tables: for output index o of axis a, idx[2 * (base_a + o)] = i0 and
// idx[2 * (base_a + o) + 1] = i1 (input indices, already clamped), wt[base_a + o] = the weight of i1
// (0 for nearest), with base_a = out_shape[0] + ... + out_shape[a - 1].
struct ResizeParams {
  int32_t in_shape[4];
  int32_t out_shape[4];
  int32_t linear;  // 0: nearest on every axis; 1: linear on axes 2 and 3 (axes 0 and 1 use i0)
};

// y must not alias x.
//
// Algorithm: for each output element in order, nearest copies x[i0...]; linear reads the four
// neighbours on axes 2 and 3 and computes
// (1 - wy) * ((1 - wx) * x00 + wx * x01) + wy * ((1 - wx) * x10 + wx * x11).
inline void resize_f32(const ResizeParams& p, const float* x, const int32_t* idx, const float* wt, float* y) {
  const int32_t b1 = p.out_shape[0], b2 = b1 + p.out_shape[1], b3 = b2 + p.out_shape[2];
  const size_t s2 = static_cast<size_t>(p.in_shape[3]);
  const size_t s1 = s2 * static_cast<size_t>(p.in_shape[2]);
  const size_t s0 = s1 * static_cast<size_t>(p.in_shape[1]);
  size_t o = 0;
  for (int32_t a = 0; a < p.out_shape[0]; ++a) {
    const size_t xa = static_cast<size_t>(idx[2 * a]) * s0;
    for (int32_t b = 0; b < p.out_shape[1]; ++b) {
      const float* xb = x + xa + static_cast<size_t>(idx[2 * (b1 + b)]) * s1;
      for (int32_t h = 0; h < p.out_shape[2]; ++h) {
        const int32_t th = b2 + h;
        const float* r0 = xb + static_cast<size_t>(idx[2 * th]) * s2;
        if (!p.linear) {
          for (int32_t w = 0; w < p.out_shape[3]; ++w) y[o++] = r0[idx[2 * (b3 + w)]];
          continue;
        }
        const float* r1 = xb + static_cast<size_t>(idx[2 * th + 1]) * s2;
        const float wy = wt[th];
        for (int32_t w = 0; w < p.out_shape[3]; ++w) {
          const int32_t tw = b3 + w;
          const int32_t c0 = idx[2 * tw], c1 = idx[2 * tw + 1];
          const float wx = wt[tw];
          const float top = (1.0f - wx) * r0[c0] + wx * r0[c1];
          const float bot = (1.0f - wx) * r1[c0] + wx * r1[c1];
          y[o++] = (1.0f - wy) * top + wy * bot;
        }
      }
    }
  }
}
