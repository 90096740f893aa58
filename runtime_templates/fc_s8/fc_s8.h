// int8 fully connected / matrix products (QGemm, QLinearMatMul, MatMulInteger, QDQ Gemm/MatMul):
// int32 accumulation of (a - a_zp) * (b - b_zp) plus optional int32 bias, float requantization per
// output column (scale[j], or scale[0] when per_channel = 0), saturation to [act_min, act_max];
// out_int32 = 1 writes raw accumulators (MatMulInteger).
//
// Exactness vs ONNX Runtime: requantization is MlasRequantizeOutput (see requant.h / conv_s8.h).
// The float scale the compiler must precompute:
//   QLinearMatMul (quantize_linear_matmul.cc): scale[j] = (a_scale * b_scale[j]) / y_scale
//   QGemm (contrib quant_gemm.cc):             scale[j] = ((alpha * a_scale) * b_scale[j]) / y_scale
// (float32, evaluated left to right exactly as written; no reciprocal.)
struct FcS8Params {
  int32_t rows, in_features, out_features;
  int32_t in_zp, w_zp, out_zp;
  int32_t act_min, act_max;
  int32_t per_channel;
  int32_t out_int32;
};

// x: int8 [rows][in_features]; w: int8 [out_features][in_features] (weights transposed at compile
// time); bias: int32 [out_features] or null; y: int8 (or int32) [rows][out_features]. No aliasing.
inline void fc_s8(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale, void* y) {
  const int32_t K = p.in_features, N = p.out_features;
  for (int32_t r = 0; r < p.rows; ++r) {
    const int8_t* xr = x + static_cast<size_t>(r) * static_cast<size_t>(K);
    for (int32_t j = 0; j < N; ++j) {
      const int8_t* wj = w + static_cast<size_t>(j) * static_cast<size_t>(K);
      int32_t acc = 0;
      for (int32_t k = 0; k < K; ++k)
        acc += (static_cast<int32_t>(xr[k]) - p.in_zp) * (static_cast<int32_t>(wj[k]) - p.w_zp);
      if (bias) acc += bias[j];
      const size_t o = static_cast<size_t>(r) * static_cast<size_t>(N) + static_cast<size_t>(j);
      if (p.out_int32) {
        static_cast<int32_t*>(y)[o] = acc;
      } else {
        static_cast<int8_t*>(y)[o] =
            static_cast<int8_t>(requantize(acc, scale[p.per_channel ? j : 0], p.out_zp, p.act_min, p.act_max));
      }
    }
  }
}

// Both operands at run time, numpy batch broadcasting as in matmul_f32: A [m][k], B [k][n] per batch.
struct MatMulS8Params {
  int32_t batch_rank;
  int32_t batch_shape[4];
  int32_t a_bstride[4];
  int32_t b_bstride[4];
  int32_t m, n, k;
  int32_t a_zp, b_zp, out_zp;
  int32_t act_min, act_max;
  int32_t per_channel;  // scale per output column n
  int32_t out_int32;
};
// Output batches are dense (batch b at y + b * m * n elements). y must not alias a or b; scale may be
// null when out_int32 = 1.
inline void matmul_s8(const MatMulS8Params& p, const int8_t* a, const int8_t* b, const float* scale, void* y) {
  const int32_t m = p.m, n = p.n, k = p.k;
  int32_t batches = 1;
  for (int32_t d = 0; d < p.batch_rank; ++d) batches *= p.batch_shape[d];
  int32_t idx[4] = {0, 0, 0, 0};
  ptrdiff_t a_off = 0, b_off = 0;
  const size_t mn = static_cast<size_t>(m) * static_cast<size_t>(n);
  for (int32_t bt = 0; bt < batches; ++bt) {
    const int8_t* am = a + a_off;
    const int8_t* bm = b + b_off;
    const size_t ybase = static_cast<size_t>(bt) * mn;
    for (int32_t i = 0; i < m; ++i) {
      const int8_t* ar = am + static_cast<size_t>(i) * static_cast<size_t>(k);
      for (int32_t j = 0; j < n; ++j) {
        int32_t acc = 0;
        for (int32_t kk = 0; kk < k; ++kk)
          acc += (static_cast<int32_t>(ar[kk]) - p.a_zp) *
                 (static_cast<int32_t>(bm[static_cast<size_t>(kk) * static_cast<size_t>(n) + static_cast<size_t>(j)]) - p.b_zp);
        const size_t o = ybase + static_cast<size_t>(i) * static_cast<size_t>(n) + static_cast<size_t>(j);
        if (p.out_int32) {
          static_cast<int32_t*>(y)[o] = acc;
        } else {
          static_cast<int8_t*>(y)[o] =
              static_cast<int8_t>(requantize(acc, scale[p.per_channel ? j : 0], p.out_zp, p.act_min, p.act_max));
        }
      }
    }
    for (int32_t d = p.batch_rank - 1; d >= 0; --d) {
      ++idx[d];
      a_off += p.a_bstride[d];
      b_off += p.b_bstride[d];
      if (idx[d] < p.batch_shape[d]) break;
      a_off -= static_cast<ptrdiff_t>(p.a_bstride[d]) * p.batch_shape[d];
      b_off -= static_cast<ptrdiff_t>(p.b_bstride[d]) * p.batch_shape[d];
      idx[d] = 0;
    }
  }
}
