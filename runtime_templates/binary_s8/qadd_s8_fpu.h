// int8 Add of two same-shape tensors (the residual Add) on a core with a single-precision FPU that
// has VFMA (M4F, M7, M33, M55): the portable binary_s8 computes ORT's Add as
// t = fma(a, rA, fma(b, rB, F)) with an exact software fma; VFMA computes the same fused
// operations in hardware (one IEEE rounding each), so the results are bit-identical.
//
// Rounding: VCVTR rounds with FPSCR's mode, round to nearest with ties to even after reset (the
// harness and CMSIS startups leave it so). round_half_even clamps to +-2^22 first; any value that
// large saturates to the int8 range below either way, and VCVTR saturates instead of overflowing.
// Denormals: rA, rB are ratios of positive scales and F a small float; a flush-to-zero FPSCR could
// only change results whose magnitude is below 2^-126, far inside the half-LSB rounding interval.
inline int32_t qadd_s8_fpu_round(float v) {
  float r;
  __asm__("vcvtr.s32.f32 %0, %1" : "=t"(r) : "t"(v));
  int32_t q;
  std::memcpy(&q, &r, sizeof q);
  return q;
}

// Requires p.op == Add, p.same_shape, and -128 <= act_min <= act_max <= 127 (the selection rule).
// In place (y == a or y == b) is fine: each y[i] is written after a[i] and b[i] are read.
inline void qadd_s8_fpu(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  const float rA = p.a_scale / p.y_scale;
  const float rB = p.b_scale / p.y_scale;
  const float prodA = rA * static_cast<float>(p.a_zp);
  const float prodB = rB * static_cast<float>(p.b_zp);
  const float F = static_cast<float>(p.y_zp) - (prodA + prodB);
  const int32_t lo = p.act_min, hi = p.act_max;
  const int32_t n = p.total;
  for (int32_t i = 0; i < n; ++i) {
    const float t = __builtin_fmaf(static_cast<float>(b[i]), rB, F);
    int32_t q = qadd_s8_fpu_round(__builtin_fmaf(static_cast<float>(a[i]), rA, t));
    q = q < lo ? lo : q;
    q = q > hi ? hi : q;
    y[i] = static_cast<int8_t>(q);
  }
}
