// Float elementwise binary ops with numpy broadcasting and a fused activation:
// Add, Sub, Mul, Div, PRelu (y = a < 0 ? a * b : a), Max, Min, Pow.
enum class BinOp : int32_t { Add = 0, Sub = 1, Mul = 2, Div = 3, PRelu = 4, Max = 5, Min = 6, Pow = 7 };

struct BinaryParams {
  BinOp op;
  int32_t rank;          // 1..6, after the compiler merged and padded dims
  int32_t out_shape[6];  // outermost first
  int32_t a_stride[6];   // element strides (0 = broadcast along that dim)
  int32_t b_stride[6];
  int32_t total;         // product of out_shape
  int32_t same_shape;    // 1 when a, b and y have identical shapes (fast path, strides ignored)
  ActParams act;
};

// In place is allowed: y may equal a (or b) when that operand is not broadcast (same shape as y).
//
// Algorithm: the op is dispatched once (template on the op) to a loop. Same-shape inputs take a
// flat loop; otherwise an odometer over out_shape[0..rank-2] tracks the a/b element offsets and the
// innermost dim is a strided inner loop (no division per element). Both operands of element i are
// read before y[i] is written, so in place on a non-broadcast operand is safe.
template <BinOp OP>
inline float binary_f32_op(float a, float b) {
  switch (OP) {
    case BinOp::Add: return a + b;
    case BinOp::Sub: return a - b;
    case BinOp::Mul: return a * b;
    case BinOp::Div: return a / b;
    case BinOp::PRelu: return a < 0.0f ? a * b : a;
    case BinOp::Max: return a < b ? b : a;
    case BinOp::Min: return b < a ? b : a;
    case BinOp::Pow: return std::pow(a, b);
  }
  return a;
}

template <BinOp OP>
inline void binary_f32_run(const BinaryParams& p, const float* a, const float* b, float* y) {
  if (p.same_shape) {
    for (int32_t i = 0; i < p.total; ++i) {
      const float av = a[i];
      const float bv = b[i];
      y[i] = apply_act(p.act, binary_f32_op<OP>(av, bv));
    }
    return;
  }
  if (p.total <= 0) return;
  const int32_t r = p.rank;
  const int32_t inner = p.out_shape[r - 1];
  const int32_t sa = p.a_stride[r - 1];
  const int32_t sb = p.b_stride[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t ao = 0, bo = 0;
  float* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    const float* ap = a + ao;
    const float* bp = b + bo;
    for (int32_t i = 0; i < inner; ++i) {
      const float av = ap[static_cast<ptrdiff_t>(i) * sa];
      const float bv = bp[static_cast<ptrdiff_t>(i) * sb];
      yp[i] = apply_act(p.act, binary_f32_op<OP>(av, bv));
    }
    yp += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      ao += p.a_stride[d];
      bo += p.b_stride[d];
      if (idx[d] < p.out_shape[d]) break;
      ao -= static_cast<ptrdiff_t>(p.a_stride[d]) * p.out_shape[d];
      bo -= static_cast<ptrdiff_t>(p.b_stride[d]) * p.out_shape[d];
      idx[d] = 0;
    }
  }
}

inline void binary_f32(const BinaryParams& p, const float* a, const float* b, float* y) {
  switch (p.op) {
    case BinOp::Add: binary_f32_run<BinOp::Add>(p, a, b, y); break;
    case BinOp::Sub: binary_f32_run<BinOp::Sub>(p, a, b, y); break;
    case BinOp::Mul: binary_f32_run<BinOp::Mul>(p, a, b, y); break;
    case BinOp::Div: binary_f32_run<BinOp::Div>(p, a, b, y); break;
    case BinOp::PRelu: binary_f32_run<BinOp::PRelu>(p, a, b, y); break;
    case BinOp::Max: binary_f32_run<BinOp::Max>(p, a, b, y); break;
    case BinOp::Min: binary_f32_run<BinOp::Min>(p, a, b, y); break;
    case BinOp::Pow: binary_f32_run<BinOp::Pow>(p, a, b, y); break;
  }
}

// One pair of values through `op` then `act`: the function binary_f32 applies to each element
// (pointwise_f32 evaluates its steps with it).
inline float binary_f32_eval(BinOp op, const ActParams& act, float a, float b) {
  switch (op) {
    case BinOp::Add: return apply_act(act, binary_f32_op<BinOp::Add>(a, b));
    case BinOp::Sub: return apply_act(act, binary_f32_op<BinOp::Sub>(a, b));
    case BinOp::Mul: return apply_act(act, binary_f32_op<BinOp::Mul>(a, b));
    case BinOp::Div: return apply_act(act, binary_f32_op<BinOp::Div>(a, b));
    case BinOp::PRelu: return apply_act(act, binary_f32_op<BinOp::PRelu>(a, b));
    case BinOp::Max: return apply_act(act, binary_f32_op<BinOp::Max>(a, b));
    case BinOp::Min: return apply_act(act, binary_f32_op<BinOp::Min>(a, b));
    case BinOp::Pow: return apply_act(act, binary_f32_op<BinOp::Pow>(a, b));
  }
  return a;
}
