// int8 -> int8 function through a 256-entry table computed by the compiler (QLinearSigmoid,
// QDQ Sigmoid / Tanh / HardSwish / HardSigmoid / LeakyRelu ...): y = table[x + 128].
//
// ORT builds its tables with QlinearBuildLookupTable
// (onnxruntime/contrib_ops/cpu/quantization/qlinear_lookup_table.cc): for each int8 value x,
// v = x_scale * (float)(x - x_zp); f(v) in float; q = MlasQuantizeLinear(f(v), y_scale, y_zp)
// (float division by y_scale, clamp, round half to even, + zp). ORT's table is indexed by the raw
// byte (uint8)x; this one by x + 128.
struct LutParams {
  int32_t total;
};
// In place is allowed.
inline void lut_s8(const LutParams& p, const int8_t* x, const int8_t* table, int8_t* y) {
  for (int32_t i = 0; i < p.total; ++i) y[i] = table[static_cast<int32_t>(x[i]) + 128];
}
