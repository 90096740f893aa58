// BatchNormalization in training mode (ONNX opsets 14/15, training_mode = 1). Per channel c, over
// the batch and the spatial positions (n * spatial values): mean = sum(x) / count,
// var = sum((x - mean)^2) / count (biased, numpy's var, as ONNX's reference), then
// y = act((x - mean) * (scale[c] / sqrt(var + eps)) + bias[c]) (batchnorm_f32's arithmetic) and the
// running statistics running_mean = input_mean * momentum + mean * (1 - momentum) (same for var).
struct BatchNormTrainParams {
  int32_t n, c, spatial;
  float epsilon, momentum;
  ActParams act;
};

// In place is allowed: y may equal x (a channel is read fully before it is written). run_mean and
// run_var (the optional running_mean / running_var outputs) may be null.
//
// Algorithm: per channel, the sums run in (batch, position) order from 0.0f and are divided by the
// count; then the channel is normalized like batchnorm_f32.
inline void batchnorm_train_f32(const BatchNormTrainParams& p, const float* x, const float* scale, const float* bias,
                                const float* in_mean, const float* in_var, float* y, float* run_mean, float* run_var) {
  const float cnt = static_cast<float>(p.n) * static_cast<float>(p.spatial);
  auto at = [&](int32_t b, int32_t ch) {
    return (static_cast<size_t>(b) * static_cast<size_t>(p.c) + static_cast<size_t>(ch)) *
           static_cast<size_t>(p.spatial);
  };
  for (int32_t ch = 0; ch < p.c; ++ch) {
    float sum = 0.0f;
    for (int32_t b = 0; b < p.n; ++b)
      for (int32_t s = 0; s < p.spatial; ++s) sum += x[at(b, ch) + static_cast<size_t>(s)];
    const float m = sum / cnt;
    float sq = 0.0f;
    for (int32_t b = 0; b < p.n; ++b)
      for (int32_t s = 0; s < p.spatial; ++s) {
        const float d = x[at(b, ch) + static_cast<size_t>(s)] - m;
        sq += d * d;
      }
    const float v = sq / cnt;
    if (run_mean) run_mean[ch] = in_mean[ch] * p.momentum + m * (1.0f - p.momentum);
    if (run_var) run_var[ch] = in_var[ch] * p.momentum + v * (1.0f - p.momentum);
    const float k = scale[ch] / std::sqrt(v + p.epsilon);
    const float sh = bias[ch];
    for (int32_t b = 0; b < p.n; ++b)
      for (int32_t s = 0; s < p.spatial; ++s) {
        const size_t i = at(b, ch) + static_cast<size_t>(s);
        y[i] = apply_act(p.act, (x[i] - m) * k + sh);
      }
  }
}
