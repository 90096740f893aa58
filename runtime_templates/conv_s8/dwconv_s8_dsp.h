// Depthwise KxK int8 convolution (K = 3, 5, 7; stride 1 or 2 in both directions; dilation 1; any
// padding) for Cortex-M cores with the DSP extension (M4/M7/M33). Needs conv_s8/dsp_s8_common.h
// pasted before it. Bit-identical to dwconv_s8_nhwc / dwconv_s8_nhwc_inplace (conv_s8.h).
//
// Entry points (selection rule, packing: compiler/kernels/pack_s8_dsp.h):
//   dwconv{3x3,5x5,7x7}_s{1,2}_s8_dsp(p, x_or_buf, w, bias, scale, y, scratch)
// work out of place (y != x) and in place (y == x, n == 1, h_out * w_out <= h_in * w_in, as the
// compiler's in-place planning guarantees), scratch: dwconv_s8_dsp_scratch_bytes(p) bytes, 4-byte
// aligned, not overlapping x or y.
//
// Algorithm, per channel c (channel-major, so in place is safe: channel c's input values are all
// copied before any of its outputs is written, and its outputs only overwrite slots of channel c):
//  1. gather channel c into a zero-padded int16 plane in scratch: the plane covers exactly the
//     padded input window the outputs read, (h_out - 1) * S + K rows by (w_out - 1) * S + K
//     columns (+ slack), the border holds x_zp (written once per call), so padded taps contribute
//     x_zp * w', which the packed bias cancels (zero-point folding, as in conv1x1_s8_dsp.h), and no
//     tap needs a bounds check;
//  2. every output row is computed in blocks of NB horizontally adjacent outputs: per kernel row,
//     the int16 pair words at the needed offsets are loaded once (LDR, unaligned allowed) and fed to
//     SMLAD against the pre-paired weights (taps 2m, 2m+1), the odd last tap with SMLATB (stride 1:
//     top lane of the pair word one to the left) or SMLABB (stride 2);
//  3. requantization: dsp_requant_idx2 + table (proof in dsp_s8_common.h); outputs stored with
//     stride C.
//
// Packed weights: per channel c, K rows of M + 1 words (M = K / 2), 4-byte aligned:
//   row ky, word m < M: [w'(ky, 2m), w'(ky, 2m + 1)] (int16 lanes, lane 0 first),
//   word M: [w'(ky, K - 1), 0],            w' = w - w_zp;  channel c starts at word c * K * (M + 1).
// Packed bias: int32 [C] = bias[c] - x_zp * sum_{ky,kx} w'(ky, kx) (mod 2^32).

typedef uint32_t __attribute__((may_alias, aligned(4))) dsp_dw_u32a;

// Pair word of the int16 plane at element `off` of row r; r is 4-byte aligned when A is true.
template <bool A>
inline uint32_t dwconv_dsp_pair(const int16_t* r, int off) {
  if (A && (off & 1) == 0) return *reinterpret_cast<const dsp_dw_u32a*>(r + off);
  return dsp_load_u32(r + off);
}

// One kernel row for NB adjacent outputs: r = first input element of the block in this plane row.
template <int K, int S, int NB, bool A>
inline void dwconv_dsp_row(const int16_t* r, const dsp_dw_u32a* wr, int32_t (&acc)[NB]) {
  constexpr int M = K / 2;
  // Loaded pair words: stride 1 -> offsets 0 .. NB + K - 3; stride 2 -> even offsets 0 .. 2(NB + M - 1).
  constexpr int NP = S == 1 ? NB + K - 2 : NB + M;
  uint32_t pw[NP];
#pragma GCC unroll 16
  for (int q = 0; q < NP; ++q) pw[q] = dwconv_dsp_pair<A>(r, S == 1 ? q : 2 * q);
  uint32_t wv[M + 1];
#pragma GCC unroll 8
  for (int m = 0; m <= M; ++m) wv[m] = wr[m];
#pragma GCC unroll 8
  for (int i = 0; i < NB; ++i) {
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) acc[i] = dsp_smlad(pw[S == 1 ? i + 2 * m : i + m], wv[m], acc[i]);
    if (S == 1)
      acc[i] = dsp_smlatb(pw[i + K - 2], wv[M], acc[i]);  // element i + K - 1 = top lane of pair i + K - 2
    else
      acc[i] = dsp_smlabb(pw[i + M], wv[M], acc[i]);      // element 2i + K - 1 = bottom lane of pair i + M
  }
}

// NB outputs of one output row starting at output column ow.
template <int K, int S, int NB, bool A>
inline void dwconv_dsp_block(const int16_t* prow, int32_t wrow, const dsp_dw_u32a* wch, int32_t b, float sc,
                             const int8_t* tbl, int8_t* yp, int32_t C) {
  constexpr int M = K / 2;
  int32_t acc[NB];
#pragma GCC unroll 8
  for (int i = 0; i < NB; ++i) acc[i] = b;
#pragma GCC unroll 8
  for (int ky = 0; ky < K; ++ky) dwconv_dsp_row<K, S, NB, A>(prow + ky * wrow, wch + ky * (M + 1), acc);
#pragma GCC unroll 8
  for (int i = 0; i + 1 < NB; i += 2) {
    int32_t u = acc[i], v = acc[i + 1];
    dsp_requant_idx2(u, v, sc, sc);
    yp[i * C] = tbl[u];
    yp[(i + 1) * C] = tbl[v];
  }
  if (NB & 1) {
    int32_t u = acc[NB - 1];
    dsp_requant_idx1(u, sc);
    yp[(NB - 1) * C] = tbl[u];
  }
}

// Geometry of the padded plane (in int16 elements).
struct DwDspPlane {
  int32_t rows, cols, row_stride;  // needed rows / columns, stride (even)
};
inline DwDspPlane dwconv_dsp_plane(const ConvS8Params& p) {
  DwDspPlane g;
  g.rows = (p.h_out - 1) * p.stride_h + p.kh;
  g.cols = (p.w_out - 1) * p.stride_w + p.kw;
  g.row_stride = (g.cols + 1) & ~1;
  return g;
}

// Scratch: the plane (+ 8 bytes of slack: a single-output tail may read one pair word past the
// last needed column), then the 512-byte requantization table.
inline size_t dwconv_s8_dsp_scratch_bytes(const ConvS8Params& p) {
  const DwDspPlane g = dwconv_dsp_plane(p);
  return sizeof(int16_t) * static_cast<size_t>(g.rows) * static_cast<size_t>(g.row_stride) + 8 + 512;
}

// Block widths: K = 3 has the registers for 4 outputs per block, K = 5 / 7 use 2.
template <int K>
struct DwDspBlock {
  static constexpr int NB = K == 3 ? 4 : 2;
};

template <int K, int S>
inline void dwconv_s8_dsp_impl(const ConvS8Params& p, int8_t* x, const int8_t* w, const int32_t* bias,
                               const float* scale, int8_t* y, void* scratch) {
  constexpr int M = K / 2;
  constexpr int NB = DwDspBlock<K>::NB;
  const DwDspPlane g = dwconv_dsp_plane(p);
  const int32_t C = p.c_out;
  const int32_t wrow = g.row_stride;
  const size_t plane_elems = static_cast<size_t>(g.rows) * static_cast<size_t>(wrow) + 4;
  int16_t* const plane = static_cast<int16_t*>(scratch);
  int8_t* const table_store = reinterpret_cast<int8_t*>(plane + plane_elems);
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  const dsp_dw_u32a* w32 = reinterpret_cast<const dsp_dw_u32a*>(w);

  // Border (and slack) = x_zp, once: the interior below is rewritten for every channel.
  const int16_t zp16 = static_cast<int16_t>(p.in_zp);
  for (size_t i = 0; i < plane_elems; ++i) plane[i] = zp16;
  // Interior: plane row R <-> input row R - pad_top, column Q <-> input column Q - pad_left.
  const int32_t r0 = p.pad_top < g.rows ? p.pad_top : g.rows;
  const int32_t r1 = p.pad_top + p.h_in < g.rows ? p.pad_top + p.h_in : g.rows;
  const int32_t q0 = p.pad_left < g.cols ? p.pad_left : g.cols;
  const int32_t q1 = p.pad_left + p.w_in < g.cols ? p.pad_left + p.w_in : g.cols;
  const int32_t ncols = q1 - q0;
  const size_t in_row = static_cast<size_t>(p.w_in) * static_cast<size_t>(C);
  const size_t in_img = in_row * static_cast<size_t>(p.h_in);
  const size_t out_img = static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out) * static_cast<size_t>(C);

  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * in_img;
    int8_t* yn = y + static_cast<size_t>(n) * out_img;
    for (int32_t c = 0; c < C; ++c) {
      // 1. gather
      for (int32_t rr = r0; rr < r1; ++rr) {
        const int8_t* src = xn + static_cast<size_t>(rr - p.pad_top) * in_row +
                            static_cast<size_t>(q0 - p.pad_left) * static_cast<size_t>(C) + static_cast<size_t>(c);
        int16_t* dst = plane + static_cast<size_t>(rr) * static_cast<size_t>(wrow) + q0;
        int32_t k = ncols;
        for (; k >= 4; k -= 4) {
          const int16_t v0 = src[0], v1 = src[C], v2 = src[2 * C], v3 = src[3 * C];
          dst[0] = v0;
          dst[1] = v1;
          dst[2] = v2;
          dst[3] = v3;
          src += 4 * C;
          dst += 4;
        }
        for (; k > 0; --k) {
          *dst++ = *src;
          src += C;
        }
      }
      // 2-3. compute, requantize, store
      const dsp_dw_u32a* wch = w32 + static_cast<size_t>(c) * (K * (M + 1));
      const int32_t b = bias[c];
      const float sc = scale[c];
      int8_t* yrow = yn + c;
      const int16_t* prow = plane;
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        int32_t ow = 0;
        int8_t* yp = yrow;
        const int16_t* pb = prow;
        for (; ow + NB <= p.w_out; ow += NB) {
          dwconv_dsp_block<K, S, NB, true>(pb, wrow, wch, b, sc, tbl, yp, C);
          pb += NB * S;
          yp += NB * C;
        }
        if (NB > 2 && ow + 2 <= p.w_out) {
          dwconv_dsp_block<K, S, 2, true>(pb, wrow, wch, b, sc, tbl, yp, C);
          pb += 2 * S;
          yp += 2 * C;
          ow += 2;
        }
        if (ow < p.w_out) dwconv_dsp_block<K, S, 1, false>(pb, wrow, wch, b, sc, tbl, yp, C);
        prow += S * wrow;
        yrow += static_cast<size_t>(p.w_out) * static_cast<size_t>(C);
      }
    }
  }
}

// w, bias: packed by ferrite::kernels::pack_dwconv_s8_dsp (bias never null after packing).
inline void dwconv3x3_s1_s8_dsp(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w, const int32_t* bias,
                                const float* scale, int8_t* y, void* scratch) {
  dwconv_s8_dsp_impl<3, 1>(p, x_or_buf, w, bias, scale, y, scratch);
}
inline void dwconv3x3_s2_s8_dsp(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w, const int32_t* bias,
                                const float* scale, int8_t* y, void* scratch) {
  dwconv_s8_dsp_impl<3, 2>(p, x_or_buf, w, bias, scale, y, scratch);
}
inline void dwconv5x5_s1_s8_dsp(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w, const int32_t* bias,
                                const float* scale, int8_t* y, void* scratch) {
  dwconv_s8_dsp_impl<5, 1>(p, x_or_buf, w, bias, scale, y, scratch);
}
inline void dwconv5x5_s2_s8_dsp(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w, const int32_t* bias,
                                const float* scale, int8_t* y, void* scratch) {
  dwconv_s8_dsp_impl<5, 2>(p, x_or_buf, w, bias, scale, y, scratch);
}
inline void dwconv7x7_s1_s8_dsp(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w, const int32_t* bias,
                                const float* scale, int8_t* y, void* scratch) {
  dwconv_s8_dsp_impl<7, 1>(p, x_or_buf, w, bias, scale, y, scratch);
}
inline void dwconv7x7_s2_s8_dsp(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w, const int32_t* bias,
                                const float* scale, int8_t* y, void* scratch) {
  dwconv_s8_dsp_impl<7, 2>(p, x_or_buf, w, bias, scale, y, scratch);
}
