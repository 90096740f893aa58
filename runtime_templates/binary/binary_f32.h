// Elementwise binary ops with numpy broadcasting: Add, Sub, Mul, Div, PRelu (y = a < 0 ? a * b : a),
// Max, Min, Pow. binary_f32 is float32 with a fused activation; binary_<type> runs the same loop on
// the other element types (ONNX integer semantics below), pow_mixed is Pow whose base or exponent is
// not float32 (ONNX allows an exponent type different from the base's).
enum class BinOp : int32_t { Add = 0, Sub = 1, Mul = 2, Div = 3, PRelu = 4, Max = 5, Min = 6, Pow = 7 };
// Element types of the typed kernels (a_type: a and y; b_type: b, which differs only for Pow).
enum class ElemType : int32_t { F32 = 0, F64 = 1, I8 = 2, U8 = 3, I16 = 4, U16 = 5, I32 = 6, U32 = 7, I64 = 8, U64 = 9,
                                F16 = 10 };

struct BinaryParams {
  BinOp op;
  int32_t rank;          // 1..6, after the compiler merged and padded dims
  int32_t out_shape[6];  // outermost first
  int32_t a_stride[6];   // element strides (0 = broadcast along that dim)
  int32_t b_stride[6];
  int32_t total;         // product of out_shape
  int32_t same_shape;    // 1 when a, b and y have identical shapes (fast path, strides ignored)
  ActParams act;         // float32 only (binary_f32)
  ElemType a_type;       // the typed kernels: element type of a and y
  ElemType b_type;       // ... and of b (differs from a_type only for Pow)
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

// The broadcasting loop shared by every element type: y[i] = f(a[.], b[.]).
template <typename T, typename E, typename F>
inline void binary_loop(const BinaryParams& p, const T* a, const E* b, T* y, F f) {
  if (p.same_shape) {
    for (int32_t i = 0; i < p.total; ++i) {
      const T av = a[i];
      const E bv = b[i];
      y[i] = f(av, bv);
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
  T* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    const T* ap = a + ao;
    const E* bp = b + bo;
    for (int32_t i = 0; i < inner; ++i) {
      const T av = ap[static_cast<ptrdiff_t>(i) * sa];
      const E bv = bp[static_cast<ptrdiff_t>(i) * sb];
      yp[i] = f(av, bv);
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

template <BinOp OP>
inline void binary_f32_run(const BinaryParams& p, const float* a, const float* b, float* y) {
  binary_loop(p, a, b, y, [&p](float av, float bv) { return apply_act(p.act, binary_f32_op<OP>(av, bv)); });
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

// ---- Other element types (binary_<type>, pow_mixed) ----
// Integer semantics (ONNX Runtime's CPU kernels, which compute in the element type):
//   Add, Sub, Mul wrap around modulo 2^bits (computed in an unsigned type of >= 32 bits);
//   Div truncates toward zero; x / 0 gives 0 and INT_MIN / -1 gives INT_MIN (both undefined in
//   ONNX Runtime, which traps or returns garbage: documented here, never undefined behaviour);
//   Max, Min compare; float64 follows float32's formulas (Max/Min: a NaN first operand propagates).
//   Pow: see pow_elem below.
template <typename T> struct BinTraits;  // W: the unsigned type integer arithmetic wraps in
template <> struct BinTraits<float> { static constexpr bool is_int = false; using W = float; };
template <> struct BinTraits<double> { static constexpr bool is_int = false; using W = double; };
template <> struct BinTraits<int8_t> { static constexpr bool is_int = true, is_signed = true; using W = uint32_t; };
template <> struct BinTraits<uint8_t> { static constexpr bool is_int = true, is_signed = false; using W = uint32_t; };
template <> struct BinTraits<int16_t> { static constexpr bool is_int = true, is_signed = true; using W = uint32_t; };
template <> struct BinTraits<uint16_t> { static constexpr bool is_int = true, is_signed = false; using W = uint32_t; };
template <> struct BinTraits<int32_t> { static constexpr bool is_int = true, is_signed = true; using W = uint32_t; };
template <> struct BinTraits<uint32_t> { static constexpr bool is_int = true, is_signed = false; using W = uint32_t; };
template <> struct BinTraits<int64_t> { static constexpr bool is_int = true, is_signed = true; using W = uint64_t; };
template <> struct BinTraits<uint64_t> { static constexpr bool is_int = true, is_signed = false; using W = uint64_t; };

template <typename T, BinOp OP>
inline T binary_elem(T a, T b) {
  using W = typename BinTraits<T>::W;
  if constexpr (BinTraits<T>::is_int) {
    switch (OP) {
      case BinOp::Add: return static_cast<T>(static_cast<W>(a) + static_cast<W>(b));
      case BinOp::Sub: return static_cast<T>(static_cast<W>(a) - static_cast<W>(b));
      case BinOp::Mul: return static_cast<T>(static_cast<W>(a) * static_cast<W>(b));
      case BinOp::Div:
        if (b == 0) return 0;
        if constexpr (BinTraits<T>::is_signed) {
          if (b == static_cast<T>(-1)) return static_cast<T>(W(0) - static_cast<W>(a));  // wraps for INT_MIN
        }
        return static_cast<T>(a / b);
      case BinOp::Max: return a < b ? b : a;
      case BinOp::Min: return b < a ? b : a;
      default: return a;
    }
  } else {
    switch (OP) {
      case BinOp::Add: return a + b;
      case BinOp::Sub: return a - b;
      case BinOp::Mul: return a * b;
      case BinOp::Div: return a / b;
      case BinOp::Max: return a < b ? b : a;
      case BinOp::Min: return b < a ? b : a;
      default: return a;
    }
  }
}

// binary_<type>: Add, Sub, Mul, Div, Max, Min on one element type (PRelu and Pow: binary_f32 and
// pow_mixed). In place as binary_f32.
template <typename T>
inline void binary_typed(const BinaryParams& p, const T* a, const T* b, T* y) {
  switch (p.op) {
    case BinOp::Add: binary_loop(p, a, b, y, binary_elem<T, BinOp::Add>); break;
    case BinOp::Sub: binary_loop(p, a, b, y, binary_elem<T, BinOp::Sub>); break;
    case BinOp::Mul: binary_loop(p, a, b, y, binary_elem<T, BinOp::Mul>); break;
    case BinOp::Div: binary_loop(p, a, b, y, binary_elem<T, BinOp::Div>); break;
    case BinOp::Max: binary_loop(p, a, b, y, binary_elem<T, BinOp::Max>); break;
    case BinOp::Min: binary_loop(p, a, b, y, binary_elem<T, BinOp::Min>); break;
    default: break;
  }
}
inline void binary_f64(const BinaryParams& p, const double* a, const double* b, double* y) { binary_typed(p, a, b, y); }
inline void binary_i8(const BinaryParams& p, const int8_t* a, const int8_t* b, int8_t* y) { binary_typed(p, a, b, y); }
inline void binary_u8(const BinaryParams& p, const uint8_t* a, const uint8_t* b, uint8_t* y) { binary_typed(p, a, b, y); }
inline void binary_i16(const BinaryParams& p, const int16_t* a, const int16_t* b, int16_t* y) { binary_typed(p, a, b, y); }
inline void binary_u16(const BinaryParams& p, const uint16_t* a, const uint16_t* b, uint16_t* y) { binary_typed(p, a, b, y); }
inline void binary_i32(const BinaryParams& p, const int32_t* a, const int32_t* b, int32_t* y) { binary_typed(p, a, b, y); }
inline void binary_u32(const BinaryParams& p, const uint32_t* a, const uint32_t* b, uint32_t* y) { binary_typed(p, a, b, y); }
inline void binary_i64(const BinaryParams& p, const int64_t* a, const int64_t* b, int64_t* y) { binary_typed(p, a, b, y); }
inline void binary_u64(const BinaryParams& p, const uint64_t* a, const uint64_t* b, uint64_t* y) { binary_typed(p, a, b, y); }
// float16 (stored as its bits): Max and Min only. Compared as floats with float32's rule (a NaN
// first operand propagates); the chosen input's bits are the output, so nothing is rounded.
inline uint16_t binary_f16_max(uint16_t a, uint16_t b) { return f16_to_f32(a) < f16_to_f32(b) ? b : a; }
inline uint16_t binary_f16_min(uint16_t a, uint16_t b) { return f16_to_f32(b) < f16_to_f32(a) ? b : a; }
inline void binary_f16(const BinaryParams& p, const uint16_t* a, const uint16_t* b, uint16_t* y) {
  if (p.op == BinOp::Max) binary_loop(p, a, b, y, binary_f16_max);
  else if (p.op == BinOp::Min) binary_loop(p, a, b, y, binary_f16_min);
}

// Pow with base type T (float32, float64, int32, int64: ONNX's T) and exponent type E (any numeric),
// as ONNX Runtime computes it: static_cast<T>(std::pow(x, y)), where every combination other than
// float^float is evaluated in double; float32^float32 stays powf (binary_f32). For an integer base:
//   an integer exponent is computed exactly by repeated squaring, wrapping modulo 2^bits (equal to
//   ONNX Runtime's double result whenever that is exact, i.e. |x^y| <= 2^53, and to its x*x / x*x*x
//   shortcuts for a scalar exponent 2 / 3); a negative exponent gives trunc(x^y): 1 for x = 1,
//   +-1 for x = -1, 0 otherwise (also for x = 0, where ONNX Runtime converts an infinity);
//   a float exponent converts the double result toward zero, saturating at the type's limits and
//   giving 0 for NaN (ONNX Runtime's conversion is undefined there).
template <typename T>
inline T pow_from_double(double v) {
  if constexpr (BinTraits<T>::is_int) {
    return saturate_from_double<T>(v);  // common/convert.h
  } else {
    return static_cast<T>(v);
  }
}

template <typename T, typename E>
inline T pow_elem(T x, E e) {
  if constexpr (BinTraits<T>::is_int && BinTraits<E>::is_int) {
    using W = typename BinTraits<T>::W;
    if constexpr (BinTraits<E>::is_signed) {
      if (e < 0) {
        if (x == 1) return 1;
        if (BinTraits<T>::is_signed && x == static_cast<T>(-1)) return (e & 1) ? x : T(1);
        return 0;
      }
    }
    uint64_t n = static_cast<uint64_t>(e);
    W base = static_cast<W>(x), r = 1;
    while (n != 0) {
      if (n & 1u) r = static_cast<W>(r * base);
      base = static_cast<W>(base * base);
      n >>= 1;
    }
    return static_cast<T>(r);
  } else {
    return pow_from_double<T>(std::pow(static_cast<double>(x), static_cast<double>(e)));
  }
}

template <typename T>
inline void pow_base(const BinaryParams& p, const T* a, const void* b, T* y) {
  switch (p.b_type) {
    case ElemType::F32: binary_loop(p, a, static_cast<const float*>(b), y, pow_elem<T, float>); break;
    case ElemType::F64: binary_loop(p, a, static_cast<const double*>(b), y, pow_elem<T, double>); break;
    case ElemType::I8: binary_loop(p, a, static_cast<const int8_t*>(b), y, pow_elem<T, int8_t>); break;
    case ElemType::U8: binary_loop(p, a, static_cast<const uint8_t*>(b), y, pow_elem<T, uint8_t>); break;
    case ElemType::I16: binary_loop(p, a, static_cast<const int16_t*>(b), y, pow_elem<T, int16_t>); break;
    case ElemType::U16: binary_loop(p, a, static_cast<const uint16_t*>(b), y, pow_elem<T, uint16_t>); break;
    case ElemType::I32: binary_loop(p, a, static_cast<const int32_t*>(b), y, pow_elem<T, int32_t>); break;
    case ElemType::U32: binary_loop(p, a, static_cast<const uint32_t*>(b), y, pow_elem<T, uint32_t>); break;
    case ElemType::I64: binary_loop(p, a, static_cast<const int64_t*>(b), y, pow_elem<T, int64_t>); break;
    case ElemType::U64: binary_loop(p, a, static_cast<const uint64_t*>(b), y, pow_elem<T, uint64_t>); break;
    case ElemType::F16: break;  // not a Pow exponent type the compiler lets through
  }
}

// y may equal a when a is not broadcast.
inline void pow_mixed(const BinaryParams& p, const void* a, const void* b, void* y) {
  switch (p.a_type) {
    case ElemType::F32: pow_base(p, static_cast<const float*>(a), b, static_cast<float*>(y)); break;
    case ElemType::F64: pow_base(p, static_cast<const double*>(a), b, static_cast<double*>(y)); break;
    case ElemType::I32: pow_base(p, static_cast<const int32_t*>(a), b, static_cast<int32_t*>(y)); break;
    case ElemType::I64: pow_base(p, static_cast<const int64_t*>(a), b, static_cast<int64_t*>(y)); break;
    default: break;  // other bases are not ONNX Pow types (refused by the compiler)
  }
}
