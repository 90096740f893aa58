// Pad over up to 6 dims: constant, edge and reflect modes (ONNX Pad semantics; the compiler
// resolves pads given as an input). Negative pads (cropping) are allowed. pad_f32 for float32,
// pad_any for any other element type (elements moved as elem_size-byte words; the constant is
// value_bits, the element's little-endian bytes).
enum class PadMode : int32_t { Constant = 0, Edge = 1, Reflect = 2 };

struct PadParams {
  int32_t rank;
  int32_t in_shape[6];
  int32_t out_shape[6];
  int32_t pad_begin[6];  // may be negative
  PadMode mode;
  float value;
  int32_t total;  // product of out_shape
  int32_t elem_size;          // pad_any: bytes per element (1, 2, 4, 8)
  int32_t value_bits[2];      // pad_any: the constant's bytes, low word first
};

// y must not alias x.
//
// Algorithm: the input coordinate of output coordinate o along dim d is c = o - pad_begin[d],
// mapped per mode: constant -> `value` when c is outside [0, in); edge -> clamp to [0, in-1];
// reflect -> mirror about the edges without repeating them (numpy 'reflect', periodic with period
// 2*(in-1) for pads wider than the input). An odometer walks the outer dims of the output; the
// innermost dim is mapped per element.
inline int32_t pad_f32_map(PadMode mode, int32_t c, int32_t n) {
  // Returns the input coordinate, or -1 when (constant mode) c is outside the input.
  if (c >= 0 && c < n) return c;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Edge: return c < 0 ? 0 : n - 1;
    case PadMode::Reflect: {
      if (n <= 1) return 0;
      const int32_t period = 2 * (n - 1);
      int32_t m = c % period;
      if (m < 0) m += period;
      return m < n ? m : period - m;
    }
  }
  return -1;
}

template <typename T>
inline void pad_run(const PadParams& p, const T* x, T* y, T value) {
  if (p.total <= 0) return;
  const int32_t r = p.rank;
  int32_t in_stride[6];
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; --d) {
    in_stride[d] = s;
    s *= p.in_shape[d];
  }
  const int32_t inner = p.out_shape[r - 1];
  const int32_t in_inner = p.in_shape[r - 1];
  const int32_t pb_inner = p.pad_begin[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  T* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    // Map the outer coordinates; `base` is the input row offset or -1 for a constant-filled row.
    int32_t base = 0;
    for (int32_t d = 0; d < r - 1; ++d) {
      const int32_t c = pad_f32_map(p.mode, idx[d] - p.pad_begin[d], p.in_shape[d]);
      if (c < 0) {
        base = -1;
        break;
      }
      base += c * in_stride[d];
    }
    if (base < 0) {
      for (int32_t i = 0; i < inner; ++i) yp[i] = value;
    } else {
      const T* xr = x + base;
      for (int32_t i = 0; i < inner; ++i) {
        const int32_t c = pad_f32_map(p.mode, i - pb_inner, in_inner);
        yp[i] = c < 0 ? value : xr[c];
      }
    }
    yp += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      if (++idx[d] < p.out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

inline void pad_f32(const PadParams& p, const float* x, float* y) { pad_run(p, x, y, p.value); }

template <typename T>
inline void pad_words(const PadParams& p, const void* x, void* y) {
  T value;
  uint32_t bits[2] = {static_cast<uint32_t>(p.value_bits[0]), static_cast<uint32_t>(p.value_bits[1])};
  std::memcpy(&value, bits, sizeof(T));  // (little-endian: the low bytes)
  pad_run(p, static_cast<const T*>(x), static_cast<T*>(y), value);
}

inline void pad_any(const PadParams& p, const void* x, void* y) {
  switch (p.elem_size) {
    case 1: pad_words<uint8_t>(p, x, y); break;
    case 2: pad_words<uint16_t>(p, x, y); break;
    case 4: pad_words<uint32_t>(p, x, y); break;
    case 8: pad_words<uint64_t>(p, x, y); break;
    default: break;
  }
}
