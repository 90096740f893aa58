// Float per-channel affine y = act(x * scale[c] + shift[c]) over NC... data: inference
// BatchNormalization that could not be folded into a producer.
struct ChannelAffineParams {
  int32_t n, c, spatial;
  ActParams act;
};

// In place is allowed: y may equal x.
//
// Algorithm: for each (n, c) plane, y = act(x * scale[c] + shift[c]) elementwise (multiply, then
// add: no FMA). Each element is read before it is written, so in place is safe.
inline void channel_affine_f32(const ChannelAffineParams& p, const float* x, const float* scale,
                               const float* shift, float* y) {
  for (int32_t n = 0; n < p.n; ++n) {
    for (int32_t c = 0; c < p.c; ++c) {
      const size_t off = (static_cast<size_t>(n) * static_cast<size_t>(p.c) + static_cast<size_t>(c)) *
                         static_cast<size_t>(p.spatial);
      const float sc = scale[c], sh = shift[c];
      const float* xp = x + off;
      float* yp = y + off;
      for (int32_t s = 0; s < p.spatial; ++s) yp[s] = apply_act(p.act, xp[s] * sc + sh);
    }
  }
}
