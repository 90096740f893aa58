// Float InstanceNormalization (ONNX opset 6) over NC... data: each of the n * c planes of `spatial`
// values is normalized on its own, y = (x - mean) / sqrt(var + epsilon) * scale[ch] + bias[ch], mean
// and var (biased) over the plane. GroupNormalization arrives as this op on its [N, G, C/G * spatial]
// view (the frontend's rewrite of opsets 18 and 21).
struct InstanceNormParams {
  int32_t n, c, spatial;
  float epsilon;
};

// In place is allowed: y may equal x (each plane is read twice, then written).
//
// Algorithm (LayerNormalization's, per plane; ONNX's reference in float): mean = sum(x) / spatial
// summed in index order; var = sum((x - mean)^2) / spatial in index order; r = 1 / sqrt(var + eps);
// y[i] = (x[i] - mean) * r * scale[ch] + bias[ch].
inline void instancenorm_f32(const InstanceNormParams& p, const float* x, const float* scale, const float* bias,
                             float* y) {
  const float cnt = static_cast<float>(p.spatial);
  for (int32_t b = 0; b < p.n; ++b) {
    for (int32_t ch = 0; ch < p.c; ++ch) {
      const size_t base = (static_cast<size_t>(b) * static_cast<size_t>(p.c) + static_cast<size_t>(ch)) *
                          static_cast<size_t>(p.spatial);
      const float* xr = x + base;
      float* yr = y + base;
      float sum = 0.0f;
      for (int32_t i = 0; i < p.spatial; ++i) sum += xr[i];
      const float mean = sum / cnt;
      float sq = 0.0f;
      for (int32_t i = 0; i < p.spatial; ++i) {
        const float d = xr[i] - mean;
        sq += d * d;
      }
      const float r = 1.0f / std::sqrt(sq / cnt + p.epsilon);
      const float s = scale[ch];
      const float sh = bias[ch];
      for (int32_t i = 0; i < p.spatial; ++i) yr[i] = (xr[i] - mean) * r * s + sh;
    }
  }
}
