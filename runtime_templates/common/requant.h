// Integer requantization shared by the int8 kernels, with the arithmetic ONNX Runtime's MLAS uses
// on every CPU: the int32 accumulator is converted to float, multiplied by the float scale, rounded
// half to even, offset by the zero point and saturated. The same float32 operations run on the host
// and on Cortex-M (FPU or soft-float), so results are identical everywhere.

// Rounds to the nearest integer, ties to even (std::nearbyint under the default rounding mode),
// without relying on the C library: exact for |v| < 2^22, larger magnitudes are clamped first.
//
// Algorithm: after clamping v to [-2^22, 2^22] (NaN goes to -2^22), v + 1.5*2^23 lies in
// [2^23, 2^24], where the float spacing is 1, so the IEEE addition itself rounds to the nearest
// integer with ties to even (1.5*2^23 is even, so the parity of the result is the parity of the
// rounded v); subtracting the constant again is exact. This is the magic-number rounding MLAS uses
// in its scalar MlasRequantizeOutput (MLAS_ROUNDING_BIAS_MAGIC). Requires IEEE single evaluation
// (no -ffast-math, FLT_EVAL_METHOD 0), which holds for x86-64 SSE and Arm.
inline int32_t round_half_even(float v) {
  const float lim = 4194304.0f;      // 2^22
  const float magic = 12582912.0f;   // 1.5 * 2^23
  v = v > -lim ? v : -lim;
  v = v < lim ? v : lim;
  const float t = v + magic;
  return static_cast<int32_t>(t - magic);
}

// Saturating requantization of one accumulator: clamp(round_half_even(acc * scale) + zp, lo, hi).
//
// Follows MlasRequantizeOutput (onnxruntime/core/mlas/lib/quantize.cpp): float(acc) * scale in
// float32, clamp to [qmin - zp, qmax - zp], round half to even, + zp. Because rounding is monotone
// and the bounds are integers, rounding first and clamping the integer afterwards gives the same
// result; the bias (if any) must already be added to acc in int32 by the caller.
inline int32_t requantize(int32_t acc, float scale, int32_t zp, int32_t lo, int32_t hi) {
  int32_t q = round_half_even(static_cast<float>(acc) * scale) + zp;
  q = q < lo ? lo : q;
  return q > hi ? hi : q;
}
