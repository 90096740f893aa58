// Float GlobalAveragePool / GlobalMaxPool: reduce `spatial` contiguous values of each of n*c planes.
struct GlobalPoolParams {
  int32_t planes;   // n * c
  int32_t spatial;  // product of the spatial dims
  ActParams act;
};

// y may equal x (each plane is read before its single output is written, and outputs are written
// in increasing order at or before the plane they come from).
//
// Algorithm: per plane, avg sums its values in order from 0.0f and divides by `spatial`; max starts
// from the plane's first value. The output is written only after the whole plane was read.
inline void global_avgpool_f32(const GlobalPoolParams& p, const float* x, float* y) {
  const float denom = static_cast<float>(p.spatial);
  for (int32_t pl = 0; pl < p.planes; ++pl) {
    const float* xp = x + static_cast<size_t>(pl) * static_cast<size_t>(p.spatial);
    float sum = 0.0f;
    for (int32_t i = 0; i < p.spatial; ++i) sum += xp[i];
    y[pl] = apply_act(p.act, sum / denom);
  }
}

inline void global_maxpool_f32(const GlobalPoolParams& p, const float* x, float* y) {
  for (int32_t pl = 0; pl < p.planes; ++pl) {
    const float* xp = x + static_cast<size_t>(pl) * static_cast<size_t>(p.spatial);
    float mx = p.spatial > 0 ? xp[0] : -INFINITY;
    for (int32_t i = 1; i < p.spatial; ++i)
      if (xp[i] > mx) mx = xp[i];
    y[pl] = apply_act(p.act, mx);
  }
}
