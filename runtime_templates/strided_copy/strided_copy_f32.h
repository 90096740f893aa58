// Strided gather-copy: y[i0..i5] = x[offset + sum_d i_d * in_stride[d]] over a dense output of
// out_shape. The compiler maps Transpose, Slice (incl. negative steps) and Expand onto it.
// Element size is given so the same kernel moves float and integer data.
struct StridedCopyParams {
  int32_t rank;           // 1..6
  int32_t out_shape[6];
  int32_t in_stride[6];   // element strides, may be negative or 0
  int32_t in_offset;      // element offset of y[0,..,0] in x
  int32_t total;
  int32_t elem_size;      // bytes per element (4 for float)
};

// y must not alias x.
//
// Algorithm: an odometer over out_shape[0..rank-2] tracks the input element offset; the innermost
// dim is a strided inner loop writing y densely. Each element is moved with a fixed-size memcpy
// (the size is dispatched once, outside the loops).
template <int32_t ES>
inline void strided_copy_run(const StridedCopyParams& p, const unsigned char* x, unsigned char* y) {
  if (p.total <= 0) return;
  const int32_t r = p.rank;
  const int32_t inner = p.out_shape[r - 1];
  const ptrdiff_t si = static_cast<ptrdiff_t>(p.in_stride[r - 1]) * ES;
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t off = p.in_offset;  // element offset of the current row start
  unsigned char* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    const unsigned char* xp = x + off * ES;
    for (int32_t i = 0; i < inner; ++i) {
      std::memcpy(yp, xp, ES);
      yp += ES;
      xp += si;
    }
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      off += p.in_stride[d];
      if (idx[d] < p.out_shape[d]) break;
      off -= static_cast<ptrdiff_t>(p.in_stride[d]) * p.out_shape[d];
      idx[d] = 0;
    }
  }
}

inline void strided_copy(const StridedCopyParams& p, const void* x, void* y) {
  const unsigned char* xb = static_cast<const unsigned char*>(x);
  unsigned char* yb = static_cast<unsigned char*>(y);
  switch (p.elem_size) {
    case 1: strided_copy_run<1>(p, xb, yb); break;
    case 2: strided_copy_run<2>(p, xb, yb); break;
    case 4: strided_copy_run<4>(p, xb, yb); break;
    case 8: strided_copy_run<8>(p, xb, yb); break;
    default: break;
  }
}
