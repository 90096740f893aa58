// Float elementwise unary ops: one activation function (see act.h) applied to `total` values, plus
// a few math ops that are not activations.
enum class UnOp : int32_t { Act = 0, Abs = 1, Neg = 2, Exp = 3, Sqrt = 4, Reciprocal = 5, Floor = 6,
                            Ceil = 7, Log = 8, Erf = 9, Round = 10, Softplus = 11 };

struct UnaryParams {
  UnOp op;
  int32_t total;
  ActParams act;  // applied after `op` (for op == Act it is the whole function)
};

// In place is allowed: y may equal x.
//
// Algorithm: one flat loop per op (dispatched once); each element is read, transformed by `op`
// (identity for UnOp::Act), passed through apply_act and stored at the same index (in-place safe).
template <UnOp OP>
inline float unary_f32_op(float v) {
  switch (OP) {
    case UnOp::Act: return v;
    case UnOp::Abs: return std::fabs(v);
    case UnOp::Neg: return -v;
    case UnOp::Exp: return std::exp(v);
    case UnOp::Sqrt: return std::sqrt(v);
    case UnOp::Reciprocal: return 1.0f / v;
    case UnOp::Floor: return std::floor(v);
    case UnOp::Ceil: return std::ceil(v);
    case UnOp::Log: return std::log(v);
    case UnOp::Erf: return std::erf(v);
    // ONNX Softplus, log(exp(x) + 1), in ONNX Runtime's form: x + log1p(exp(-x)) for x > 0 (no
    // overflow of exp), log1p(exp(x)) otherwise.
    case UnOp::Softplus: return v > 0.0f ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
    // Round half to even (ONNX Round), independent of the FPU rounding mode.
    case UnOp::Round: {
      const float f = std::floor(v);
      const float d = v - f;
      if (d > 0.5f || (d == 0.5f && std::fmod(f, 2.0f) != 0.0f)) return f + 1.0f;
      return f;
    }
  }
  return v;
}

template <UnOp OP>
inline void unary_f32_run(const UnaryParams& p, const float* x, float* y) {
  for (int32_t i = 0; i < p.total; ++i) y[i] = apply_act(p.act, unary_f32_op<OP>(x[i]));
}

inline void unary_f32(const UnaryParams& p, const float* x, float* y) {
  switch (p.op) {
    case UnOp::Act: unary_f32_run<UnOp::Act>(p, x, y); break;
    case UnOp::Abs: unary_f32_run<UnOp::Abs>(p, x, y); break;
    case UnOp::Neg: unary_f32_run<UnOp::Neg>(p, x, y); break;
    case UnOp::Exp: unary_f32_run<UnOp::Exp>(p, x, y); break;
    case UnOp::Sqrt: unary_f32_run<UnOp::Sqrt>(p, x, y); break;
    case UnOp::Reciprocal: unary_f32_run<UnOp::Reciprocal>(p, x, y); break;
    case UnOp::Floor: unary_f32_run<UnOp::Floor>(p, x, y); break;
    case UnOp::Ceil: unary_f32_run<UnOp::Ceil>(p, x, y); break;
    case UnOp::Log: unary_f32_run<UnOp::Log>(p, x, y); break;
    case UnOp::Erf: unary_f32_run<UnOp::Erf>(p, x, y); break;
    case UnOp::Round: unary_f32_run<UnOp::Round>(p, x, y); break;
    case UnOp::Softplus: unary_f32_run<UnOp::Softplus>(p, x, y); break;
  }
}

// One value through `op` then `act`: the function unary_f32 applies to each element (pointwise_f32
// evaluates its steps with it, so a fused step rounds exactly like the unfused kernel).
inline float unary_f32_eval(UnOp op, const ActParams& act, float v) {
  switch (op) {
    case UnOp::Act: return apply_act(act, unary_f32_op<UnOp::Act>(v));
    case UnOp::Abs: return apply_act(act, unary_f32_op<UnOp::Abs>(v));
    case UnOp::Neg: return apply_act(act, unary_f32_op<UnOp::Neg>(v));
    case UnOp::Exp: return apply_act(act, unary_f32_op<UnOp::Exp>(v));
    case UnOp::Sqrt: return apply_act(act, unary_f32_op<UnOp::Sqrt>(v));
    case UnOp::Reciprocal: return apply_act(act, unary_f32_op<UnOp::Reciprocal>(v));
    case UnOp::Floor: return apply_act(act, unary_f32_op<UnOp::Floor>(v));
    case UnOp::Ceil: return apply_act(act, unary_f32_op<UnOp::Ceil>(v));
    case UnOp::Log: return apply_act(act, unary_f32_op<UnOp::Log>(v));
    case UnOp::Erf: return apply_act(act, unary_f32_op<UnOp::Erf>(v));
    case UnOp::Round: return apply_act(act, unary_f32_op<UnOp::Round>(v));
    case UnOp::Softplus: return apply_act(act, unary_f32_op<UnOp::Softplus>(v));
  }
  return v;
}
