// int8 Softmax over the middle dim of [outer][axis_len][inner]: dequantize, float softmax (max
// subtracted first), quantize with round half to even — the QDQ float semantics.
//
// Note: ORT replaces QDQ Softmax by com.microsoft QLinearSoftmax, which is NOT this float
// computation (a double-precision exp table, y_scale replaced by floor(1 / y_scale), a float sum and
// nearbyintf(e * floor(1/y_scale) / sum) + zp with 8-bit wrap-around); results agree within about
// one LSB except where that kernel wraps (see docs/numerics.md).
struct SoftmaxS8Params {
  int32_t outer, axis_len, inner;
  int32_t in_zp, out_zp;
  float in_scale, out_scale;
  int32_t qmin, qmax;
};
// y must not alias x.
//
// Algorithm: per (outer, inner) column: v_j = in_scale * (float)(x_j - in_zp), m = max v_j,
// e_j = exp(v_j - m), s = sum e_j (j increasing), p_j = e_j / s,
// y_j = clamp(round_half_even(p_j / out_scale) + out_zp, qmin, qmax).
inline void softmax_s8(const SoftmaxS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t L = p.axis_len, I = p.inner;
  const size_t stride = static_cast<size_t>(I);
  for (int32_t o = 0; o < p.outer; ++o) {
    for (int32_t i = 0; i < I; ++i) {
      const size_t base = static_cast<size_t>(o) * static_cast<size_t>(L) * stride + static_cast<size_t>(i);
      int32_t xmax = -2147483647;
      for (int32_t j = 0; j < L; ++j) {
        const int32_t v = x[base + static_cast<size_t>(j) * stride];
        if (v > xmax) xmax = v;
      }
      const float vmax = p.in_scale * static_cast<float>(xmax - p.in_zp);
      float sum = 0.0f;
      for (int32_t j = 0; j < L; ++j) {
        const float v = p.in_scale * static_cast<float>(static_cast<int32_t>(x[base + static_cast<size_t>(j) * stride]) - p.in_zp);
        sum += std::exp(v - vmax);
      }
      for (int32_t j = 0; j < L; ++j) {
        const float v = p.in_scale * static_cast<float>(static_cast<int32_t>(x[base + static_cast<size_t>(j) * stride]) - p.in_zp);
        const float pr = std::exp(v - vmax) / sum;
        int32_t q = round_half_even(pr / p.out_scale) + p.out_zp;
        q = q < p.qmin ? p.qmin : (q > p.qmax ? p.qmax : q);
        y[base + static_cast<size_t>(j) * stride] = static_cast<int8_t>(q);
      }
    }
  }
}
