// Element conversions shared by the kernels and the compiler (constant folding, `ferrite run`):
// float16 and bfloat16 (stored as their 16-bit patterns, uint16_t; no _Float16 needed) and the
// saturating float -> integer conversion. Pasted into every generated model with common/act.h
// (inline functions that are not called cost nothing). docs/numerics.md, "Cast".
//
// float -> float16: IEEE round to nearest even, subnormals kept, overflow (|x| >= 65520) to
// infinity, NaN stays a (quiet) NaN with its sign. double -> float16 rounds once, directly from the
// double (via float would round twice). float -> bfloat16 keeps the upper 16 bits (truncation), as
// ONNX's reference implementation and its node-test data do (ONNX Runtime rounds to nearest even
// instead); a NaN stays a quiet NaN.

// Round-to-nearest-even conversion of an IEEE binary32/binary64 bit pattern (U: uint32_t/uint64_t,
// MB mantissa bits, EB exponent bias) to float16 bits.
template <typename U, int MB, int EB>
inline uint16_t fe_bits_to_f16(U x) {
  constexpr int W = static_cast<int>(sizeof(U) * 8);
  const uint16_t sign = static_cast<uint16_t>((x >> (W - 16)) & 0x8000u);
  const U ax = x & ~(U(1) << (W - 1));
  const U inf = ((U(1) << (W - 1 - MB)) - 1) << MB;
  if (ax >= inf) {  // infinity, NaN (quiet, top payload bits kept)
    if (ax == inf) return static_cast<uint16_t>(sign | 0x7c00u);
    return static_cast<uint16_t>(sign | 0x7e00u | static_cast<uint16_t>((ax >> (MB - 10)) & 0x3ffu));
  }
  const int e = static_cast<int>(ax >> MB) - EB;  // unbiased exponent
  const U m = ax & ((U(1) << MB) - 1);
  if (e >= 16) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e >= -14) {  // normal: a carry out of the mantissa moves to the next exponent (65520 -> inf)
    uint32_t h = (static_cast<uint32_t>(e + 15) << 10) | static_cast<uint32_t>(m >> (MB - 10));
    const U rem = m & ((U(1) << (MB - 10)) - 1), half = U(1) << (MB - 11);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  if (e < -25) return sign;  // below 2^-25: rounds to zero
  // Subnormal: the value in units of 2^-24, rounded to nearest even (a carry gives the smallest normal).
  const U full = m | (U(1) << MB);
  const int s = MB - 24 - e;
  uint32_t h = static_cast<uint32_t>(full >> s);
  const U rem = full & ((U(1) << s) - 1), half = U(1) << (s - 1);
  if (rem > half || (rem == half && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

inline uint16_t f32_to_f16(float v) {
  uint32_t x;
  std::memcpy(&x, &v, 4);
  return fe_bits_to_f16<uint32_t, 23, 127>(x);
}

inline uint16_t f64_to_f16(double v) {
  uint64_t x;
  std::memcpy(&x, &v, 8);
  return fe_bits_to_f16<uint64_t, 52, 1023>(x);
}

inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu, x;
  if (e == 0x1fu) {
    x = sign | 0x7f800000u | (m << 13);
  } else if (e != 0) {
    x = sign | ((e + 112u) << 23) | (m << 13);
  } else if (m == 0) {
    x = sign;
  } else {  // subnormal: normalize
    e = 113;
    while (!(m & 0x400u)) {
      m <<= 1;
      --e;
    }
    x = sign | (e << 23) | ((m & 0x3ffu) << 13);
  }
  float v;
  std::memcpy(&v, &x, 4);
  return v;
}

inline uint16_t f32_to_bf16(float v) {
  uint32_t x;
  std::memcpy(&x, &v, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // NaN stays NaN
  return static_cast<uint16_t>(x >> 16);
}

inline float bf16_to_f32(uint16_t h) {
  const uint32_t x = static_cast<uint32_t>(h) << 16;
  float v;
  std::memcpy(&v, &x, 4);
  return v;
}

// A float value to integer type T: toward zero, saturating at T's limits, NaN -> 0 (ONNX leaves
// out-of-range conversions undefined; ONNX Runtime's static_cast is undefined behaviour there).
template <typename T>
inline T saturate_from_double(double v) {
  constexpr bool is_signed = static_cast<T>(-1) < static_cast<T>(0);
  constexpr T lo = is_signed ? static_cast<T>(static_cast<T>(1) << (sizeof(T) * 8 - 1)) : T(0);
  constexpr T hi = static_cast<T>(~lo);
  if (v != v) return 0;
  if (v <= static_cast<double>(lo)) return lo;
  if (v >= static_cast<double>(hi)) return hi;  // (double)hi rounds up to 2^bits-1 for 64 bits
  return static_cast<T>(v);
}
