// Float inference BatchNormalization over NC... data whose statistics are tensors (constants that
// could not be folded into a producer, or runtime inputs): per channel c,
// y = act((x - mean[c]) * (scale[c] / sqrt(var[c] + eps)) + bias[c]). The per-channel factor is
// computed once per channel, in the same order on every target.
struct BatchNormParams {
  int32_t n, c, spatial;
  float epsilon;
  ActParams act;
};

// In place is allowed: y may equal x.
inline void batchnorm_f32(const BatchNormParams& p, const float* x, const float* scale, const float* bias,
                          const float* mean, const float* var, float* y) {
  for (int32_t b = 0; b < p.n; ++b) {
    for (int32_t ch = 0; ch < p.c; ++ch) {
      const float k = scale[ch] / std::sqrt(var[ch] + p.epsilon);
      const float m = mean[ch];
      const float sh = bias[ch];
      const int32_t base = (b * p.c + ch) * p.spatial;
      for (int32_t s = 0; s < p.spatial; ++s) y[base + s] = apply_act(p.act, (x[base + s] - m) * k + sh);
    }
  }
}
