// Where: y = cond ? a : b with numpy broadcasting of the three operands (cond is bool, one byte per
// element; a, b and y share an element type of elem_size bytes, so the kernel moves any type).
struct WhereParams {
  int32_t rank;          // 1..6
  int32_t out_shape[6];  // outermost first
  int32_t c_stride[6];   // element strides (0 = broadcast along that dim)
  int32_t a_stride[6];
  int32_t b_stride[6];
  int32_t total;         // product of out_shape
  int32_t elem_size;     // bytes per element of a, b and y
};

// In place is allowed: y may equal a (or b) when that operand is not broadcast (same shape as y).
//
// Algorithm: an odometer over out_shape[0..rank-2] tracks the three element offsets; the innermost
// dim is a strided inner loop writing y densely. Each element of y is read from a or b before it is
// written, so in place on a non-broadcast operand is safe.
template <int32_t ES>
inline void where_run(const WhereParams& p, const unsigned char* c, const unsigned char* a, const unsigned char* b,
                      unsigned char* y) {
  if (p.total <= 0) return;
  const int32_t r = p.rank;
  const int32_t inner = p.out_shape[r - 1];
  const ptrdiff_t sc = p.c_stride[r - 1], sa = p.a_stride[r - 1], sb = p.b_stride[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t co = 0, ao = 0, bo = 0;
  unsigned char* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t i = 0; i < inner; ++i) {
      const unsigned char* src = c[co + i * sc] != 0 ? a + (ao + i * sa) * ES : b + (bo + i * sb) * ES;
      std::memmove(yp, src, ES);
      yp += ES;
    }
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      co += p.c_stride[d];
      ao += p.a_stride[d];
      bo += p.b_stride[d];
      if (idx[d] < p.out_shape[d]) break;
      co -= static_cast<ptrdiff_t>(p.c_stride[d]) * p.out_shape[d];
      ao -= static_cast<ptrdiff_t>(p.a_stride[d]) * p.out_shape[d];
      bo -= static_cast<ptrdiff_t>(p.b_stride[d]) * p.out_shape[d];
      idx[d] = 0;
    }
  }
}

inline void where_select(const WhereParams& p, const void* cond, const void* a, const void* b, void* y) {
  const unsigned char* cb = static_cast<const unsigned char*>(cond);
  const unsigned char* ab = static_cast<const unsigned char*>(a);
  const unsigned char* bb = static_cast<const unsigned char*>(b);
  unsigned char* yb = static_cast<unsigned char*>(y);
  switch (p.elem_size) {
    case 1: where_run<1>(p, cb, ab, bb, yb); break;
    case 2: where_run<2>(p, cb, ab, bb, yb); break;
    case 4: where_run<4>(p, cb, ab, bb, yb); break;
    case 8: where_run<8>(p, cb, ab, bb, yb); break;
    default: break;
  }
}
