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
  int32_t form;       // LayerNormForm bits: which expansion the kernel rounds like (0: torch's)
};

// The expansions layernorm_decomposed_f32 reproduces (bits of LayerNormParams::form; 0 is torch's
// opset-13 export: mean((x - m)^2) with Pow, then a Div).
enum LayerNormForm : int32_t {
  kLnMeanOfSquares = 1,  // var = mean(x^2) - m^2 (ONNX's LayerNormalization function body), else mean((x - m)^2)
  kLnSquareMul = 2,      // the square of x or of x - m is v * v (Mul), else std::pow(v, exponent) (Pow)
  kLnMeanSquareMul = 4,  // kLnMeanOfSquares: m^2 is m * m (Mul), else std::pow(m, exponent) (Pow)
  kLnReciprocal = 8,     // y = (x - m) * (1 / s) (Reciprocal or Div(1, s), then Mul), else (x - m) / s (Div)
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

// LayerNorm written out as elementwise ops and ReduceMeans (passes/fuse_layernorm.cpp) over the
// trailing `inner` values of each row, fused into one in-place kernel that rounds like that chain of
// kernels. torch's export below opset 17 (form 0): ReduceMean -> Sub -> Pow(2) -> ReduceMean ->
// Add(epsilon) -> Sqrt -> Div [-> Mul(scale)] [-> Add(bias)]; the LayerNormForm bits select the other
// expansions: the variance as ReduceMean(x * x) - m * m (ONNX's function body), the squares as Mul
// instead of Pow, the normalization as Mul by Reciprocal(s) instead of a Div. Each mean as reduce_f32
// computes it (the first value, then the others added in index order, then divided by the count),
// Pow as binary_f32 (std::pow), Reciprocal as unary_f32 (1 / v), then the elementwise steps in the
// graph's order. (Add and Mul are commutative in IEEE arithmetic, so their operand order in the graph
// does not matter.)
//
// In place is allowed: y may equal x (each row is read three times, written in the last pass).
inline void layernorm_decomposed_f32(const LayerNormParams& p, const float* x, const float* scale, const float* bias,
                                     float* y) {
  if (p.inner <= 0) return;
  const float n = static_cast<float>(p.inner);
  const bool mean_of_squares = (p.form & kLnMeanOfSquares) != 0;
  const bool square_mul = (p.form & kLnSquareMul) != 0;
  const bool mean_square_mul = (p.form & kLnMeanSquareMul) != 0;
  const bool reciprocal = (p.form & kLnReciprocal) != 0;
  for (int32_t o = 0; o < p.outer; ++o) {
    const float* xr = x + static_cast<size_t>(o) * static_cast<size_t>(p.inner);
    float* yr = y + static_cast<size_t>(o) * static_cast<size_t>(p.inner);
    float mean = xr[0];
    for (int32_t i = 1; i < p.inner; ++i) mean += xr[i];
    mean /= n;
    // The second mean: of x^2 (then minus mean^2) or of (x - mean)^2, each square as Mul or Pow.
    auto square = [&](float v) { return square_mul ? v * v : std::pow(v, p.exponent); };
    float var = square(mean_of_squares ? xr[0] : xr[0] - mean);
    for (int32_t i = 1; i < p.inner; ++i) var += square(mean_of_squares ? xr[i] : xr[i] - mean);
    var /= n;
    if (mean_of_squares) var -= mean_square_mul ? mean * mean : std::pow(mean, p.exponent);
    const float s = std::sqrt(var + p.epsilon);
    const float r = 1.0f / s;
    for (int32_t i = 0; i < p.inner; ++i) {
      float v = reciprocal ? (xr[i] - mean) * r : (xr[i] - mean) / s;
      if (p.has_scale) v = v * scale[i];
      if (p.has_bias) v = v + bias[i];
      yr[i] = v;
    }
  }
}
