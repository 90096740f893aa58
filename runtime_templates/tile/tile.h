// Tile: y = x repeated along every dim (out_shape[d] = in_shape[d] * repeats[d]), any element type.
struct TileParams {
  int32_t rank;           // 1..6
  int32_t out_shape[6];
  int32_t in_shape[6];
  int32_t total;          // product of out_shape
  int32_t elem_size;      // bytes per element
};

// y must not alias x.
//
// Algorithm: an odometer over out_shape[0..rank-2] tracks the input row (each input index wraps to 0
// at in_shape[d]); the innermost dim copies the input row out_shape[r-1] / in_shape[r-1] times.
inline void tile_copy(const TileParams& p, const void* x, void* y) {
  if (p.total <= 0) return;
  const unsigned char* xb = static_cast<const unsigned char*>(x);
  unsigned char* yp = static_cast<unsigned char*>(y);
  const int32_t r = p.rank;
  const int32_t es = p.elem_size;
  int32_t in_stride[6];
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; --d) {
    in_stride[d] = s;
    s *= p.in_shape[d];
  }
  const size_t row = static_cast<size_t>(p.in_shape[r - 1]) * static_cast<size_t>(es);
  const int32_t reps = p.in_shape[r - 1] > 0 ? p.out_shape[r - 1] / p.in_shape[r - 1] : 0;
  const int32_t outer = p.total / p.out_shape[r - 1];
  int32_t oidx[6] = {0, 0, 0, 0, 0, 0};
  int32_t iidx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t off = 0;  // element offset of the current input row
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t k = 0; k < reps; ++k) {
      std::memcpy(yp, xb + off * es, row);
      yp += row;
    }
    for (int32_t d = r - 2; d >= 0; --d) {
      ++oidx[d];
      ++iidx[d];
      off += in_stride[d];
      if (iidx[d] == p.in_shape[d]) {
        iidx[d] = 0;
        off -= static_cast<ptrdiff_t>(in_stride[d]) * p.in_shape[d];
      }
      if (oidx[d] < p.out_shape[d]) break;
      oidx[d] = 0;
    }
  }
}
