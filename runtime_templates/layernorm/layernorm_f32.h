// Float LayerNormalization (ONNX opset 17) over the trailing `inner` values of each of `outer` rows:
// y = (x - mean) / sqrt(var + epsilon) * scale + bias, mean and var (biased) over the row.
struct LayerNormParams {
  int32_t outer;     // product of the dims before the normalized axis
  int32_t inner;     // product of the normalized dims
  float epsilon;
  int32_t has_bias;  // 0: no bias input (bias may be null)
};

// In place is allowed: y may equal x (each row is read twice, then written). mean and inv_std (one
// value per row: ONNX's optional Mean and InvStdDev outputs) may be null.
//
// Algorithm (ONNX's reference definition, in float): per row, mean = sum(x) / inner summed in index
// order; var = sum((x - mean)^2) / inner in index order; r = 1 / sqrt(var + epsilon);
// y[i] = (x[i] - mean) * r * scale[i] + bias[i]. scale and bias hold `inner` values.
inline void layernorm_f32(const LayerNormParams& p, const float* x, const float* scale, const float* bias, float* y,
                          float* mean_out, float* inv_std_out) {
  const float n = static_cast<float>(p.inner);
  for (int32_t o = 0; o < p.outer; ++o) {
    const float* xr = x + static_cast<size_t>(o) * static_cast<size_t>(p.inner);
    float* yr = y + static_cast<size_t>(o) * static_cast<size_t>(p.inner);
    float sum = 0.0f;
    for (int32_t i = 0; i < p.inner; ++i) sum += xr[i];
    const float mean = sum / n;
    float sq = 0.0f;
    for (int32_t i = 0; i < p.inner; ++i) {
      const float d = xr[i] - mean;
      sq += d * d;
    }
    const float r = 1.0f / std::sqrt(sq / n + p.epsilon);
    if (mean_out) mean_out[o] = mean;
    if (inv_std_out) inv_std_out[o] = r;
    for (int32_t i = 0; i < p.inner; ++i) {
      const float v = (xr[i] - mean) * r * scale[i];
      yr[i] = p.has_bias ? v + bias[i] : v;
    }
  }
}
