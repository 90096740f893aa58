// Cast (ONNX) at run time: element type conversion, one kernel per destination type (cast_to_<type>)
// so that a model links only the conversions it uses; each reads any source type (p.from).
// Semantics (docs/numerics.md, "Cast"), with the conversions of common/convert.h:
//   float -> integer: toward zero, saturating at the type's limits, NaN -> 0 (ONNX: undefined);
//   integer -> integer: the low bits (two's complement wrap-around, as a C++ conversion);
//   to float32 / float64: one rounding (static_cast); to float16: round to nearest even, directly
//   from float64 (float32, float16 and integer sources are exact in float32 below 2^24, and
//   everything from 65520 up is infinity either way); to bfloat16: through float32, then truncated
//   (ONNX's reference); to bool: x != 0 (NaN is true); from bool: 0 or 1.
// x and y must not overlap (the compiler never plans Cast in place).
// Element types, by their ONNX numbers.
enum class CastType : int32_t { F32 = 1, U8 = 2, I8 = 3, U16 = 4, I16 = 5, I32 = 6, I64 = 7, Bool = 9, F16 = 10,
                                F64 = 11, U32 = 12, U64 = 13, BF16 = 16 };

struct CastParams {
  int32_t total;
  CastType from;
  CastType to;
};

// How a destination type takes each kind of source value: a float (float32, float16, bfloat16), a
// double, a signed integer (int8..int64, bool) or a uint64.
template <typename D>
struct CastToInt {
  using T = D;
  static T from_f(float v) { return saturate_from_double<D>(v); }
  static T from_d(double v) { return saturate_from_double<D>(v); }
  static T from_i(int64_t v) { return static_cast<D>(static_cast<uint64_t>(v)); }
  static T from_u(uint64_t v) { return static_cast<D>(v); }
};
struct CastToF32 {
  using T = float;
  static T from_f(float v) { return v; }
  static T from_d(double v) { return static_cast<float>(v); }
  static T from_i(int64_t v) { return static_cast<float>(v); }
  static T from_u(uint64_t v) { return static_cast<float>(v); }
};
struct CastToF64 {
  using T = double;
  static T from_f(float v) { return v; }
  static T from_d(double v) { return v; }
  static T from_i(int64_t v) { return static_cast<double>(v); }
  static T from_u(uint64_t v) { return static_cast<double>(v); }
};
struct CastToF16 {
  using T = uint16_t;
  static T from_f(float v) { return f32_to_f16(v); }
  static T from_d(double v) { return f64_to_f16(v); }
  static T from_i(int64_t v) { return f32_to_f16(static_cast<float>(v)); }
  static T from_u(uint64_t v) { return f32_to_f16(static_cast<float>(v)); }
};
struct CastToBF16 {
  using T = uint16_t;
  static T from_f(float v) { return f32_to_bf16(v); }
  static T from_d(double v) { return f32_to_bf16(static_cast<float>(v)); }
  static T from_i(int64_t v) { return f32_to_bf16(static_cast<float>(v)); }
  static T from_u(uint64_t v) { return f32_to_bf16(static_cast<float>(v)); }
};
struct CastToBool {
  using T = bool;
  static T from_f(float v) { return v != 0.0f; }
  static T from_d(double v) { return v != 0.0; }
  static T from_i(int64_t v) { return v != 0; }
  static T from_u(uint64_t v) { return v != 0; }
};

template <typename S, typename F>
inline void cast_loop(int32_t n, const void* x, F f) {
  const S* s = static_cast<const S*>(x);
  for (int32_t i = 0; i < n; ++i) f(i, s[i]);
}

template <typename To>
inline void cast_run(const CastParams& p, const void* x, typename To::T* y) {
  const int32_t n = p.total;
  switch (p.from) {
    case CastType::F32: cast_loop<float>(n, x, [y](int32_t i, float v) { y[i] = To::from_f(v); }); break;
    case CastType::F64: cast_loop<double>(n, x, [y](int32_t i, double v) { y[i] = To::from_d(v); }); break;
    case CastType::F16: cast_loop<uint16_t>(n, x, [y](int32_t i, uint16_t v) { y[i] = To::from_f(f16_to_f32(v)); }); break;
    case CastType::BF16: cast_loop<uint16_t>(n, x, [y](int32_t i, uint16_t v) { y[i] = To::from_f(bf16_to_f32(v)); }); break;
    case CastType::I8: cast_loop<int8_t>(n, x, [y](int32_t i, int8_t v) { y[i] = To::from_i(v); }); break;
    case CastType::U8: cast_loop<uint8_t>(n, x, [y](int32_t i, uint8_t v) { y[i] = To::from_i(v); }); break;
    case CastType::I16: cast_loop<int16_t>(n, x, [y](int32_t i, int16_t v) { y[i] = To::from_i(v); }); break;
    case CastType::U16: cast_loop<uint16_t>(n, x, [y](int32_t i, uint16_t v) { y[i] = To::from_i(v); }); break;
    case CastType::I32: cast_loop<int32_t>(n, x, [y](int32_t i, int32_t v) { y[i] = To::from_i(v); }); break;
    case CastType::U32: cast_loop<uint32_t>(n, x, [y](int32_t i, uint32_t v) { y[i] = To::from_i(v); }); break;
    case CastType::I64: cast_loop<int64_t>(n, x, [y](int32_t i, int64_t v) { y[i] = To::from_i(v); }); break;
    case CastType::U64: cast_loop<uint64_t>(n, x, [y](int32_t i, uint64_t v) { y[i] = To::from_u(v); }); break;
    case CastType::Bool: cast_loop<uint8_t>(n, x, [y](int32_t i, uint8_t v) { y[i] = To::from_i(v != 0); }); break;
  }
}

inline void cast_to_f32(const CastParams& p, const void* x, float* y) { cast_run<CastToF32>(p, x, y); }
inline void cast_to_f64(const CastParams& p, const void* x, double* y) { cast_run<CastToF64>(p, x, y); }
inline void cast_to_f16(const CastParams& p, const void* x, uint16_t* y) { cast_run<CastToF16>(p, x, y); }
inline void cast_to_bf16(const CastParams& p, const void* x, uint16_t* y) { cast_run<CastToBF16>(p, x, y); }
inline void cast_to_i8(const CastParams& p, const void* x, int8_t* y) { cast_run<CastToInt<int8_t>>(p, x, y); }
inline void cast_to_u8(const CastParams& p, const void* x, uint8_t* y) { cast_run<CastToInt<uint8_t>>(p, x, y); }
inline void cast_to_i16(const CastParams& p, const void* x, int16_t* y) { cast_run<CastToInt<int16_t>>(p, x, y); }
inline void cast_to_u16(const CastParams& p, const void* x, uint16_t* y) { cast_run<CastToInt<uint16_t>>(p, x, y); }
inline void cast_to_i32(const CastParams& p, const void* x, int32_t* y) { cast_run<CastToInt<int32_t>>(p, x, y); }
inline void cast_to_u32(const CastParams& p, const void* x, uint32_t* y) { cast_run<CastToInt<uint32_t>>(p, x, y); }
inline void cast_to_i64(const CastParams& p, const void* x, int64_t* y) { cast_run<CastToInt<int64_t>>(p, x, y); }
inline void cast_to_u64(const CastParams& p, const void* x, uint64_t* y) { cast_run<CastToInt<uint64_t>>(p, x, y); }
inline void cast_to_bool(const CastParams& p, const void* x, bool* y) { cast_run<CastToBool>(p, x, y); }
