// One int8 Concat input copied into its slice of the output ([outer][out_inner] view, see
// concat.h), requantized when its scale/zero point differ from the output's (QLinearConcat).
//
// Exact ORT arithmetic (QLinearConcat, onnxruntime/contrib_ops/cpu/quantization/qlinear_concat.cc,
// table from QlinearBuildLookupTable with the identity function): an input whose scale and zero
// point equal the output's is copied; otherwise each value becomes
//   v = in_scale * (float)(x - in_zp);  y = sat(round_half_even(clamp(v / out_scale)) + out_zp)
// (MlasQuantizeLinear: true float division by out_scale, clamp in float, round half to even, + zp).
struct ConcatS8PartParams {
  int32_t outer, in_inner, out_inner, offset;
  int32_t requant;  // 0: plain copy
  int32_t in_zp, out_zp;
  float in_scale, out_scale;
};
// y is the whole output; x must not overlap it.
inline void concat_s8_part(const ConcatS8PartParams& p, const int8_t* x, int8_t* y) {
  for (int32_t o = 0; o < p.outer; ++o) {
    const int8_t* xr = x + static_cast<size_t>(o) * static_cast<size_t>(p.in_inner);
    int8_t* yr = y + static_cast<size_t>(o) * static_cast<size_t>(p.out_inner) + static_cast<size_t>(p.offset);
    if (!p.requant) {
      std::memcpy(yr, xr, static_cast<size_t>(p.in_inner));
      continue;
    }
    const float lo = static_cast<float>(-128 - p.out_zp);
    const float hi = static_cast<float>(127 - p.out_zp);
    for (int32_t i = 0; i < p.in_inner; ++i) {
      const float v = p.in_scale * static_cast<float>(static_cast<int32_t>(xr[i]) - p.in_zp);
      float q = v / p.out_scale;
      q = q > lo ? q : lo;
      q = q < hi ? q : hi;
      yr[i] = static_cast<int8_t>(round_half_even(q) + p.out_zp);
    }
  }
}
