// ELU (exponential linear unit, ONNX Elu): y = x for x >= 0, alpha * (exp(x) - 1) for x < 0.
struct EluParams {
  int32_t total;  // elements
  float alpha;
};

// In place is allowed: y may equal x.
//
// Algorithm: one flat loop; each element is read, mapped and stored at the same index. exp(x) - 1
// is computed as written in the ONNX definition (not expm1), with the libm expf of the build
// (docs/numerics.md: host and Cortex-M may differ by a few ULP near 0).
inline void elu_f32(const EluParams& p, const float* x, float* y) {
  for (int32_t i = 0; i < p.total; ++i) {
    const float v = x[i];
    y[i] = v < 0.0f ? p.alpha * (std::exp(v) - 1.0f) : v;
  }
}
