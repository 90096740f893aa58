// ArgMax / ArgMin over one axis of a float tensor; the indices are written as int64 (ONNX's type).
struct ArgMaxParams {
  int32_t outer;        // product of the dims before the axis
  int32_t axis_len;
  int32_t inner;        // product of the dims after the axis
  int32_t is_min;       // 1: ArgMin
  int32_t select_last;  // 1: the last index of the extreme value, else the first
};

// y (outer * inner int64) must not alias x.
//
// Algorithm: for each (outer, inner) position, scan the axis in increasing index order keeping the
// extreme value and its index; a later equal value replaces it only with select_last. A NaN is never
// greater or smaller than anything, so NaNs are skipped unless the first element is one.
inline void argmax_f32(const ArgMaxParams& p, const float* x, int64_t* y) {
  for (int32_t o = 0; o < p.outer; ++o) {
    const float* xo = x + static_cast<ptrdiff_t>(o) * p.axis_len * p.inner;
    for (int32_t i = 0; i < p.inner; ++i) {
      float best = xo[i];
      int32_t bi = 0;
      for (int32_t k = 1; k < p.axis_len; ++k) {
        const float v = xo[static_cast<ptrdiff_t>(k) * p.inner + i];
        const bool better = p.is_min ? (v < best) : (v > best);
        if (better || (p.select_last && v == best)) {
          best = v;
          bi = k;
        }
      }
      y[static_cast<ptrdiff_t>(o) * p.inner + i] = bi;
    }
  }
}
