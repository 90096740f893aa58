// Float MatMul with numpy batch broadcasting: for every batch index, Y[m][n] = sum_k A[m][k] B[k][n].
// The compiler reshapes 1-D operands and folds batch dims into at most 4 dims with element strides
// (stride 0 = broadcast). Output batches are dense: batch b occupies y + b * m * n.
struct MatMulParams {
  int32_t batch_rank;      // 0..4
  int32_t batch_shape[4];  // output batch dims, outermost first
  int32_t a_bstride[4];    // element stride of A per batch dim (0 when broadcast)
  int32_t b_bstride[4];
  int32_t m, n, k;
  ActParams act;
};

// y must not alias a or b.
//
// Algorithm: an odometer walks the output batch index space (batch_rank dims, 0 = one matrix),
// tracking the element offsets of A and B from their batch strides. Each matrix product accumulates
// row-wise into y in (i, kk, j) order, so Y[i][j] = ((0 + A[i][0]B[0][j]) + A[i][1]B[1][j]) + ...
// (k in increasing order), then the activation is applied.
inline void matmul_f32(const MatMulParams& p, const float* a, const float* b, float* y) {
  const int32_t m = p.m, n = p.n, k = p.k;
  int32_t batches = 1;
  for (int32_t d = 0; d < p.batch_rank; ++d) batches *= p.batch_shape[d];
  int32_t idx[4] = {0, 0, 0, 0};
  ptrdiff_t a_off = 0, b_off = 0;
  const size_t mn = static_cast<size_t>(m) * static_cast<size_t>(n);
  for (int32_t bt = 0; bt < batches; ++bt) {
    const float* am = a + a_off;
    const float* bm = b + b_off;
    float* ym = y + static_cast<size_t>(bt) * mn;
    for (int32_t i = 0; i < m; ++i) {
      float* yr = ym + static_cast<size_t>(i) * n;
      const float* ar = am + static_cast<size_t>(i) * k;
      for (int32_t j = 0; j < n; ++j) yr[j] = 0.0f;
      for (int32_t kk = 0; kk < k; ++kk) {
        const float av = ar[kk];
        const float* br = bm + static_cast<size_t>(kk) * n;
        for (int32_t j = 0; j < n; ++j) yr[j] += av * br[j];
      }
      if (p.act.kind != Act::None)
        for (int32_t j = 0; j < n; ++j) yr[j] = apply_act(p.act, yr[j]);
    }
    // Advance the batch odometer (innermost dim last).
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
