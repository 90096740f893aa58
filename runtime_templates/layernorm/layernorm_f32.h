// Float LayerNormalization (ONNX opset 17) over the trailing `inner` values of each of `outer` rows:
// y = (x - mean) / sqrt(var + epsilon) * scale + bias, mean and var (biased) over the row.
struct LayerNormParams {
  int32_t outer;     // product of the dims before the normalized axis
  int32_t inner;     // product of the normalized dims
  float epsilon;
  int32_t has_bias;  // 0: no bias input (bias may be null)
  // layernorm_decomposed_f32 only:
  int32_t has_scale;  // 0: no scale (scale may be null)
  float exponent;     // the decomposition's Pow exponent (2), applied with std::pow like binary_f32
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

// LayerNorm as PyTorch exports it below opset 17 (passes/fuse_layernorm.cpp): ReduceMean -> Sub ->
// Pow(2) -> ReduceMean -> Add(epsilon) -> Sqrt -> Div [-> Mul(scale)] [-> Add(bias)] over the
// trailing `inner` values of each row, fused into one in-place kernel that rounds like that chain
// of kernels: each mean as reduce_f32 computes it (the first value, then the others added in index
// order, then divided by the count), the square with std::pow as binary_f32 Pow, then the
// elementwise steps in the graph's order.
//
// In place is allowed: y may equal x (each row is read three times, written in the last pass).
inline void layernorm_decomposed_f32(const LayerNormParams& p, const float* x, const float* scale, const float* bias,
                                     float* y) {
  if (p.inner <= 0) return;
  const float n = static_cast<float>(p.inner);
  for (int32_t o = 0; o < p.outer; ++o) {
    const float* xr = x + static_cast<size_t>(o) * static_cast<size_t>(p.inner);
    float* yr = y + static_cast<size_t>(o) * static_cast<size_t>(p.inner);
    float mean = xr[0];
    for (int32_t i = 1; i < p.inner; ++i) mean += xr[i];
    mean /= n;
    float var = std::pow(xr[0] - mean, p.exponent);
    for (int32_t i = 1; i < p.inner; ++i) var += std::pow(xr[i] - mean, p.exponent);
    var /= n;
    const float s = std::sqrt(var + p.epsilon);
    for (int32_t i = 0; i < p.inner; ++i) {
      float v = (xr[i] - mean) / s;
      if (p.has_scale) v = v * scale[i];
      if (p.has_bias) v = v + bias[i];
      yr[i] = v;
    }
  }
}
