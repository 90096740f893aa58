// MEAN on int8 (and int16, 16x8) over any set of axes (TFLite's QuantizedMeanOrSum; models from the TFLite frontend,
// docs/tflite.md). ReduceParams (reduce/reduce_f32.h) and tfl_mbqm (tflite_s8/tflite_s8.h) are pasted
// before this file. The tensor is in its logical (NCHW for rank 4) order; the output is dense over the
// kept dims. q = {multiplier, shift, in_zp, out_zp}: the in/out multiplier with 1 / reduce_count
// folded in by the compiler (compiler/ops/tflite_numerics.cpp), as for mean_s8_tfl. y must not alias x.
//
// Algorithm: for each output element (odometer over the kept dims) the int32 sum of x - in_zp over
// the reduced dims (a second odometer), then tfl_mbqm, + out_zp, clamped to int8.
template <typename T>
inline void tfl_mean_axes(const ReduceParams& p, const T* x, const int32_t* q, T* y, int32_t lo, int32_t hi) {
  const int32_t r = p.rank;
  int32_t stride[6];
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; --d) {
    stride[d] = s;
    s *= p.in_shape[d];
  }
  int32_t kept[6], red[6];
  int32_t nk = 0, nr = 0;
  for (int32_t d = 0; d < r; ++d) {
    if (p.reduce_mask & (1 << d)) red[nr++] = d;
    else kept[nk++] = d;
  }
  int32_t ko[6] = {0, 0, 0, 0, 0, 0};
  for (int32_t o = 0; o < p.out_total; ++o) {
    int32_t base = 0;
    for (int32_t k = 0; k < nk; ++k) base += ko[k] * stride[kept[k]];
    int32_t ri[6] = {0, 0, 0, 0, 0, 0};
    int32_t acc = 0;
    for (int32_t i = 0; i < p.reduce_count; ++i) {
      int32_t off = base;
      for (int32_t k = 0; k < nr; ++k) off += ri[k] * stride[red[k]];
      acc += static_cast<int32_t>(x[off]) - q[2];
      for (int32_t k = nr - 1; k >= 0; --k) {
        if (++ri[k] < p.in_shape[red[k]]) break;
        ri[k] = 0;
      }
    }
    int32_t v = tfl_mbqm(acc, q[0], q[1]) + q[3];
    v = v < lo ? lo : (v > hi ? hi : v);
    y[o] = static_cast<T>(v);
    for (int32_t k = nk - 1; k >= 0; --k) {
      if (++ko[k] < p.in_shape[kept[k]]) break;
      ko[k] = 0;
    }
  }
}
inline void mean_axes_s8_tfl(const ReduceParams& p, const int8_t* x, const int32_t* q, int8_t* y) {
  tfl_mean_axes(p, x, q, y, -128, 127);
}
// int16 (16x8: TFLite Micro runs the same QuantizedMeanOrSum on int16; int32 sum, clamped to int16).
inline void mean_axes_s16_tfl(const ReduceParams& p, const int16_t* x, const int32_t* q, int16_t* y) {
  tfl_mean_axes(p, x, q, y, -32768, 32767);
}
