// The runs of binary_s8's view for the int8 Add / Mul variants (qadd_s8_fpu, qmul_s8_fpu,
// qadd_s8_mve, qmul_s8_mve): the innermost dim with its strides (which decide binary_s8's Add
// formula), outer dims merged into it where both operands are contiguous through them, and a walk
// over the remaining outer dims in output order. Pasted after binary_s8.h.

#ifndef FERRITE_RT_BINARY_S8_RUNS
#define FERRITE_RT_BINARY_S8_RUNS

// binary_s8's view with outer dims merged where both operands step through them contiguously (and
// dims of size 1 dropped), so that runs are as long and as few as possible: e.g. a scalar operand
// over [1, h, w, c] becomes one run of h*w*c. The innermost dim and its strides are kept, so each
// element still gets the formula binary_s8 picks from them.
struct BinaryS8Runs {
  int32_t rank, inner, sa, sb;  // sa, sb: the innermost strides
  int32_t shape[5], a_stride[5], b_stride[5];  // outer dims, outermost first
};

inline BinaryS8Runs binary_s8_runs(const BinaryS8Params& p) {
  BinaryS8Runs v{};
  if (p.same_shape) {
    v.inner = p.total;
    v.sa = v.sb = 1;
    return v;
  }
  const int32_t r = p.rank;
  int32_t len = p.out_shape[r - 1];
  v.sa = p.a_stride[r - 1];
  v.sb = p.b_stride[r - 1];
  // Merge outer dims into the innermost while contiguous with it.
  int32_t d = r - 2;
  for (; d >= 0; --d) {
    if (p.out_shape[d] == 1) continue;
    if (p.a_stride[d] == v.sa * len && p.b_stride[d] == v.sb * len) len *= p.out_shape[d];
    else break;
  }
  v.inner = len;
  // The remaining outer dims (size-1 dims dropped), then merged among themselves.
  int32_t n = 0;
  int32_t sh[5], as[5], bs[5];
  for (int32_t k = 0; k <= d; ++k) {
    if (p.out_shape[k] == 1) continue;
    if (n > 0 && as[n - 1] == p.a_stride[k] * p.out_shape[k] && bs[n - 1] == p.b_stride[k] * p.out_shape[k]) {
      sh[n - 1] *= p.out_shape[k];
      as[n - 1] = p.a_stride[k];
      bs[n - 1] = p.b_stride[k];
      continue;
    }
    sh[n] = p.out_shape[k];
    as[n] = p.a_stride[k];
    bs[n] = p.b_stride[k];
    ++n;
  }
  v.rank = n;
  for (int32_t k = 0; k < n; ++k) {
    v.shape[k] = sh[k];
    v.a_stride[k] = as[k];
    v.b_stride[k] = bs[k];
  }
  return v;
}

// Calls run(a_offset, b_offset) for each run of the view, in output order: a plain loop for at
// most one outer dim, an odometer otherwise.
template <typename Run>
inline void binary_s8_runs_walk(const BinaryS8Runs& v, Run&& run) {
  if (v.rank <= 1) {
    ptrdiff_t ao = 0, bo = 0;
    const int32_t outer = v.rank == 0 ? 1 : v.shape[0];
    for (int32_t o = 0; o < outer; ++o) {
      run(ao, bo);
      ao += v.a_stride[0];
      bo += v.b_stride[0];
    }
    return;
  }
  int32_t idx[5] = {0, 0, 0, 0, 0};
  ptrdiff_t ao = 0, bo = 0;
  for (;;) {
    run(ao, bo);
    int32_t k = v.rank - 1;
    for (; k >= 0; --k) {
      ++idx[k];
      ao += v.a_stride[k];
      bo += v.b_stride[k];
      if (idx[k] < v.shape[k]) break;
      ao -= static_cast<ptrdiff_t>(v.a_stride[k]) * v.shape[k];
      bo -= static_cast<ptrdiff_t>(v.b_stride[k]) * v.shape[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

#endif  // FERRITE_RT_BINARY_S8_RUNS
