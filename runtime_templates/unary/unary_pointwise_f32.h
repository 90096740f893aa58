// Float pointwise programs: a fused chain of elementwise steps over one input tensor (GELU in its
// erf and tanh forms, Mish, ... as exported: passes/fuse_pointwise.cpp). Each element runs the
// steps in order through the very functions unary_f32 and binary_f32 apply (unary_f32_eval,
// binary_f32_eval), so the result has the bits of the unfused chain of kernels.
constexpr int32_t kPointwiseMaxSteps = 16;

struct PointwiseStep {
  int32_t binary;  // 0: r = unary_f32_eval(UnOp(op), act, A); 1: r = binary_f32_eval(BinOp(op), act, A, B)
  int32_t op;
  int32_t a;       // operand A: register index (0 = the input value, k + 1 = step k's result), -1: `k`
  int32_t b;       // operand B (binary only): as `a`
  float k;         // the scalar constant operand
  ActParams act;
};

struct PointwiseParams {
  int32_t total;
  int32_t steps;  // 1..kPointwiseMaxSteps; the last step's result is stored
  PointwiseStep step[kPointwiseMaxSteps];
};

// In place is allowed: y may equal x (element i is read before y[i] is written).
//
// Algorithm: per element, registers r[0] = x[i], r[s + 1] = step s of r[...] / the constant, in
// step order; y[i] = r[steps].
inline void pointwise_f32(const PointwiseParams& p, const float* x, float* y) {
  float r[kPointwiseMaxSteps + 1];
  for (int32_t i = 0; i < p.total; ++i) {
    r[0] = x[i];
    for (int32_t s = 0; s < p.steps; ++s) {
      const PointwiseStep& st = p.step[s];
      const float a = st.a < 0 ? st.k : r[st.a];
      if (st.binary) {
        const float b = st.b < 0 ? st.k : r[st.b];
        r[s + 1] = binary_f32_eval(static_cast<BinOp>(st.op), st.act, a, b);
      } else {
        r[s + 1] = unary_f32_eval(static_cast<UnOp>(st.op), st.act, a);
      }
    }
    y[i] = r[p.steps];
  }
}
