// One Concat input copied into its slice of the output: the output is viewed as
// [outer][out_inner] and this input as [outer][in_inner], placed at column `offset`
// (all counts in elements of elem_size bytes).
struct ConcatPartParams {
  int32_t outer, in_inner, out_inner, offset;
  int32_t elem_size;
};

// y is the whole Concat output; x must not overlap it.
//
// Algorithm: one memcpy of in_inner elements per outer row, from row o of x to column `offset` of
// row o of y.
inline void concat_part(const ConcatPartParams& p, const void* x, void* y) {
  const unsigned char* xb = static_cast<const unsigned char*>(x);
  unsigned char* yb = static_cast<unsigned char*>(y);
  const size_t es = static_cast<size_t>(p.elem_size);
  const size_t row = static_cast<size_t>(p.in_inner) * es;
  for (int32_t o = 0; o < p.outer; ++o) {
    std::memcpy(yb + (static_cast<size_t>(o) * static_cast<size_t>(p.out_inner) +
                      static_cast<size_t>(p.offset)) * es,
                xb + static_cast<size_t>(o) * row, row);
  }
}
