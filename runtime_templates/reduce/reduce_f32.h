// Float reductions (ReduceMean, ReduceSum, ReduceMax, ReduceMin) over any set of axes of a tensor of
// rank <= 6. The output is dense over the kept dims (keepdims only changes the shape, not the data).
enum class ReduceOp : int32_t { Mean = 0, Sum = 1, Max = 2, Min = 3 };

struct ReduceParams {
  ReduceOp op;
  int32_t rank;
  int32_t in_shape[6];
  int32_t reduce_mask;  // bit d set: dim d is reduced
  int32_t out_total;
  int32_t reduce_count;  // product of reduced dims
};

// y must not alias x.
//
// Algorithm: walk the input once in increasing index order (odometer over the outer dims, the
// innermost dim as an inner loop) while tracking the output offset (output stride 0 along reduced
// dims, dense over kept dims). The first input element of each output (all reduced indices 0)
// initialises it; later ones are combined, so each Sum is accumulated in increasing input index
// order starting from its first element. Mean divides the sums by reduce_count at the end.
inline void reduce_f32(const ReduceParams& p, const float* x, float* y) {
  const int32_t r = p.rank;
  int32_t out_stride[6];
  int32_t in_total = 1;
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; --d) {
    in_total *= p.in_shape[d];
    if (p.reduce_mask & (1 << d)) {
      out_stride[d] = 0;
    } else {
      out_stride[d] = s;
      s *= p.in_shape[d];
    }
  }
  if (in_total <= 0) return;
  const int32_t inner = p.in_shape[r - 1];
  const int32_t os_inner = out_stride[r - 1];
  const bool inner_red = (p.reduce_mask & (1 << (r - 1))) != 0;
  const int32_t outer = in_total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  int32_t red_nz = 0;  // number of reduced outer dims whose index is nonzero
  int32_t yo = 0;      // output offset of the current row start
  const float* xp = x;
  const bool is_max = p.op == ReduceOp::Max;
  const bool is_min = p.op == ReduceOp::Min;
  for (int32_t o = 0; o < outer; ++o) {
    float* yr = y + yo;
    int32_t i = 0;
    if (red_nz == 0) {
      // First visit of these outputs: initialise.
      if (inner_red) {
        yr[0] = xp[0];
        i = 1;
      } else {
        for (int32_t j = 0; j < inner; ++j) yr[j * os_inner] = xp[j];
        i = inner;
      }
    }
    if (is_max) {
      for (; i < inner; ++i) {
        float& t = yr[i * os_inner];
        if (xp[i] > t) t = xp[i];
      }
    } else if (is_min) {
      for (; i < inner; ++i) {
        float& t = yr[i * os_inner];
        if (xp[i] < t) t = xp[i];
      }
    } else {
      for (; i < inner; ++i) yr[i * os_inner] += xp[i];
    }
    xp += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      const bool red = (p.reduce_mask & (1 << d)) != 0;
      ++idx[d];
      yo += out_stride[d];
      if (red && idx[d] == 1) ++red_nz;
      if (idx[d] < p.in_shape[d]) break;
      yo -= out_stride[d] * p.in_shape[d];
      if (red) --red_nz;
      idx[d] = 0;
    }
  }
  if (p.op == ReduceOp::Mean) {
    const float cnt = static_cast<float>(p.reduce_count);
    for (int32_t j = 0; j < p.out_total; ++j) y[j] /= cnt;
  }
}
