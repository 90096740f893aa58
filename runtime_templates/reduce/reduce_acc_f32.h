// Float reductions with a per-element map and a final function, over any set of axes of a tensor of
// rank <= 6: ReduceProd (product), ReduceL1 (sum of |x|), ReduceL2 (sqrt of the sum of x*x),
// ReduceSumSquare (sum of x*x), ReduceLogSum (log of the sum), ReduceLogSumExp (log of the sum of
// exp(x - m), plus m, m the output's maximum computed beforehand by reduce_f32 Max into `shift`).
// The output is dense over the kept dims (keepdims only changes the shape, not the data).
// reduce_acc_f64 is the same on float64 (ReduceLogSumExp's shift then comes from reduce_acc_f64
// with prod = 2, the maximum).
enum class ReduceMap : int32_t { None = 0, Abs = 1, Square = 2, ExpShift = 3 };
enum class ReduceFinal : int32_t { None = 0, Sqrt = 1, Log = 2, LogShift = 3 };

struct ReduceAccParams {
  int32_t rank;
  int32_t in_shape[6];
  int32_t reduce_mask;  // bit d set: dim d is reduced
  int32_t out_total;
  int32_t prod;         // 1: the mapped values are multiplied, 0: added, 2: the maximum (a NaN-free max)
  ReduceMap map;
  ReduceFinal fin;
};

// The shift of output k: shift[k] when it is finite, else 0 (all -inf: exp(-inf) = 0 and the log
// gives -inf; +inf: exp(+inf) = +inf gives +inf; NaN stays NaN).
template <typename T>
inline T reduce_acc_shift(const T* shift, int32_t k) {
  if (shift == nullptr) return T(0);
  const T s = shift[k];
  return std::isfinite(s) ? s : T(0);
}

template <typename T>
inline T reduce_acc_map(ReduceMap m, T v, T s) {
  switch (m) {
    case ReduceMap::None: return v;
    case ReduceMap::Abs: return std::fabs(v);
    case ReduceMap::Square: return v * v;
    case ReduceMap::ExpShift: return std::exp(v - s);
  }
  return v;
}

// y must not alias x or shift. shift is null unless map is ExpShift / fin is LogShift.
//
// Algorithm: as reduce_f32: walk the input once in increasing index order (odometer over the outer
// dims, the innermost dim as an inner loop) while tracking the output offset. The first input
// element of each output initialises it with its mapped value; later ones are combined (added or
// multiplied) in increasing input index order. Then the final function is applied to each output.
template <typename T>
inline void reduce_acc_run(const ReduceAccParams& p, const T* x, const T* shift, T* y) {
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
  const T* xp = x;
  for (int32_t o = 0; o < outer; ++o) {
    T* yr = y + yo;
    int32_t i = 0;
    if (red_nz == 0) {
      // First visit of these outputs: initialise.
      if (inner_red) {
        yr[0] = reduce_acc_map(p.map, xp[0], reduce_acc_shift(shift, yo));
        i = 1;
      } else {
        for (int32_t j = 0; j < inner; ++j)
          yr[j * os_inner] = reduce_acc_map(p.map, xp[j], reduce_acc_shift(shift, yo + j * os_inner));
        i = inner;
      }
    }
    for (; i < inner; ++i) {
      const int32_t k = i * os_inner;
      const T v = reduce_acc_map(p.map, xp[i], reduce_acc_shift(shift, yo + k));
      yr[k] = p.prod == 2 ? (yr[k] < v ? v : yr[k]) : p.prod ? yr[k] * v : yr[k] + v;
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
  for (int32_t j = 0; j < p.out_total; ++j) {
    switch (p.fin) {
      case ReduceFinal::None: break;
      case ReduceFinal::Sqrt: y[j] = std::sqrt(y[j]); break;
      case ReduceFinal::Log: y[j] = std::log(y[j]); break;
      case ReduceFinal::LogShift: y[j] = std::log(y[j]) + reduce_acc_shift(shift, j); break;
    }
  }
}

inline void reduce_acc_f32(const ReduceAccParams& p, const float* x, const float* shift, float* y) {
  reduce_acc_run(p, x, shift, y);
}
// (shift and y untyped: either may be the layer's scratch buffer, which generated code passes as float*)
inline void reduce_acc_f64(const ReduceAccParams& p, const double* x, const void* shift, void* y) {
  reduce_acc_run(p, x, static_cast<const double*>(shift), static_cast<double*>(y));
}
