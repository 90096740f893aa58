// Float Gemm: Y[m][n] = act(alpha * A'[m][k] * B'[k][n] + beta * C), A' = transA ? A^T : A,
// B' = transB ? B^T : B. A is stored [m][k] (or [k][m] when trans_a), B [k][n] (or [n][k]).
// C is broadcast from one of the shapes named by c_kind.
enum class GemmBias : int32_t { None = 0, Scalar = 1, Row = 2 /* [n] */, Col = 3 /* [m][1] */,
                                Full = 4 /* [m][n] */ };

struct GemmParams {
  int32_t m, n, k;
  int32_t trans_a, trans_b;
  float alpha, beta;
  GemmBias c_kind;
  ActParams act;
};

// `c` may be null when c_kind == None. y must not alias a, b or c.
//
// Algorithm: every Y[i][j] accumulates A'[i][kk] * B'[kk][j] for kk = 0..k-1 in order, starting
// from 0.0f. With B not transposed the products are accumulated row-wise into y (i, kk, j loop
// order: contiguous B rows); with B transposed as a dot product (i, j, kk). Both give the same
// per-element summation order. Then y = act(alpha * acc + beta * C) (act(alpha * acc) without C).
inline void gemm_f32(const GemmParams& p, const float* a, const float* b, const float* c, float* y) {
  const int32_t m = p.m, n = p.n, k = p.k;
  for (int32_t i = 0; i < m; ++i) {
    float* yr = y + static_cast<size_t>(i) * n;
    if (p.trans_b) {
      for (int32_t j = 0; j < n; ++j) {
        const float* br = b + static_cast<size_t>(j) * k;
        float acc = 0.0f;
        if (p.trans_a) {
          for (int32_t kk = 0; kk < k; ++kk) acc += a[static_cast<size_t>(kk) * m + i] * br[kk];
        } else {
          const float* ar = a + static_cast<size_t>(i) * k;
          for (int32_t kk = 0; kk < k; ++kk) acc += ar[kk] * br[kk];
        }
        yr[j] = acc;
      }
    } else {
      for (int32_t j = 0; j < n; ++j) yr[j] = 0.0f;
      for (int32_t kk = 0; kk < k; ++kk) {
        const float av = p.trans_a ? a[static_cast<size_t>(kk) * m + i] : a[static_cast<size_t>(i) * k + kk];
        const float* br = b + static_cast<size_t>(kk) * n;
        for (int32_t j = 0; j < n; ++j) yr[j] += av * br[j];
      }
    }
    // Epilogue: scale, add broadcast C, activation.
    for (int32_t j = 0; j < n; ++j) {
      float v = p.alpha * yr[j];
      switch (p.c_kind) {
        case GemmBias::None: break;
        case GemmBias::Scalar: v += p.beta * c[0]; break;
        case GemmBias::Row: v += p.beta * c[j]; break;
        case GemmBias::Col: v += p.beta * c[i]; break;
        case GemmBias::Full: v += p.beta * c[static_cast<size_t>(i) * n + j]; break;
      }
      yr[j] = apply_act(p.act, v);
    }
  }
}
