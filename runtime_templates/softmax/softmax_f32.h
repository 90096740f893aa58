// Float Softmax over the middle dim of a [outer][axis_len][inner] view (the compiler maps ONNX's
// opset-13 `axis` and the older coerce-to-2-D semantics onto this view). Subtracts the max first.
struct SoftmaxParams {
  int32_t outer, axis_len, inner;
  int32_t log;  // 1 for LogSoftmax
  // TFLite's float SOFTMAX: exp((x - max) * beta). 1 for ONNX (and emitted only when it is not 1):
  // (x - max) * 1.0f is x - max exactly, so the ONNX results are unchanged.
  float beta = 1.0f;
};

// y must not alias x.
//
// Algorithm: for each (outer, inner) line along the axis (element stride `inner`): max over the
// line; y = exp((x - max) * beta) and sum them in axis order; then y /= sum (Softmax) or
// y = (x - max) - log(sum) (LogSoftmax, beta 1). This is the order of TFLite's reference float
// Softmax and LogSoftmax (reference_ops, which TFLite Micro runs) as well as ONNX Runtime's.
inline void softmax_f32(const SoftmaxParams& p, const float* x, float* y) {
  const int32_t len = p.axis_len, st = p.inner;
  if (len <= 0) return;
  const size_t block = static_cast<size_t>(len) * static_cast<size_t>(st);
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t in = 0; in < st; ++in) {
      const float* xl = x + static_cast<size_t>(o) * block + static_cast<size_t>(in);
      float* yl = y + static_cast<size_t>(o) * block + static_cast<size_t>(in);
      float mx = xl[0];
      for (int32_t i = 1; i < len; ++i) {
        const float v = xl[static_cast<size_t>(i) * st];
        if (v > mx) mx = v;
      }
      float sum = 0.0f;
      for (int32_t i = 0; i < len; ++i) {
        const float e = std::exp((xl[static_cast<size_t>(i) * st] - mx) * p.beta);
        sum += e;
        if (!p.log) yl[static_cast<size_t>(i) * st] = e;
      }
      if (p.log) {
        const float ls = std::log(sum);
        for (int32_t i = 0; i < len; ++i)
          yl[static_cast<size_t>(i) * st] = (xl[static_cast<size_t>(i) * st] - mx) - ls;
      } else {
        for (int32_t i = 0; i < len; ++i) yl[static_cast<size_t>(i) * st] /= sum;
      }
    }
  }
}
