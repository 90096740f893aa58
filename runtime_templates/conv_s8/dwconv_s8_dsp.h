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
  // Every row is computed in whole blocks of 4 outputs (the last one partly stored), which read up
  // to column (4 * blocks - 1) * S + K (stride 2: one more, the unused top lane of a pair word).
  const int32_t blocks = (p.w_out + 3) / 4;
  const int32_t reach = (4 * blocks - 1) * p.stride_w + p.kw + 1;
  g.row_stride = (reach + 1) & ~1;
  return g;
}

// Scratch: the plane (+ 8 bytes of slack), then the 512-byte requantization table.
inline size_t dwconv_s8_dsp_grouped_scratch(const ConvS8Params& p) {
  return 8 * static_cast<size_t>((p.h_out - 1) * p.stride_h + p.kh) * static_cast<size_t>((p.w_out - 1) * p.stride_w + p.kw) +
         32 + 512;
}
inline bool dwconv_s8_dsp_grouped(const ConvS8Params& p);
inline size_t dwconv_s8_dsp_scratch_bytes(const ConvS8Params& p) {
  if (dwconv_s8_dsp_grouped(p)) return dwconv_s8_dsp_grouped_scratch(p);
  const DwDspPlane g = dwconv_dsp_plane(p);
  return sizeof(int16_t) * static_cast<size_t>(g.rows) * static_cast<size_t>(g.row_stride) + 8 + 512;
}


// ---- Assembly path (FPU cores): the whole layer (one image) in one routine ----
// Per channel: gather (4 elements per 11 instructions: 4 LDRSB at src + {0, C, 2C, 3C}, 2 PKHBT,
// 2 STR), then every output row in blocks of 4 outputs (kernel-row code generated by
// scripts/gen_dwconv_s8_dsp_asm.py, the last block of a row stores w_out % 4 of its outputs).
// Compute registers: r0-r3 accumulators, r4 plane position, r5 the channel's packed weights, r6
// plane row stride (bytes), r7-r12/lr temporaries; s0 the channel's scale.
// Frame (words): [0] y  [1] C  [2] table  [3] blocks left  [4] bias  [5] w_out % 4  [6] y row
// step  [7] rows left  [8] plane row  [9] y row  [10] channel  [11] job.
struct DwDspJob {
  const int8_t* x;        // 0: channel 0's first gathered input element
  int16_t* dst;           // 4: its place in the plane
  int32_t g_rows;         // 8: gathered rows (may be 0)
  int32_t g_cols;         // 12: gathered columns (may be 0)
  int32_t x_skip;         // 16: bytes from the end of a gathered input row to the next (w_in - g_cols) * C
  int32_t d_skip;         // 20: plane bytes from the end of a gathered row to the next
  const int16_t* plane;   // 24: row 0, column 0 of the plane (4-byte aligned)
  const uint32_t* w;      // 28: packed weights (channel 0)
  int32_t stride;         // 32: plane row stride in bytes
  int32_t row_step;       // 36: plane bytes from one output row to the next (S * stride)
  int8_t* y;              // 40: output (0, 0) of channel 0
  int32_t C;              // 44: channels = pixel stride
  const int8_t* tbl;      // 48: requantization table (centre)
  const int32_t* bias;    // 52: packed bias
  const float* scale;     // 56
  int32_t h_out;          // 60
  int32_t nblk;           // 64: ceil(w_out / 4)
  int32_t rem;            // 68: w_out % 4
  int32_t y_row;          // 72: w_out * C
  int32_t w_bytes;        // 76: packed weight bytes per channel
};

#if FERRITE_DSP_FPU
static_assert(offsetof(DwDspJob, plane) == 24 && offsetof(DwDspJob, C) == 44 && offsetof(DwDspJob, w_bytes) == 76,
              "DwDspJob offsets are hard-coded in the assembly");
// ---- GENERATED by scripts/gen_dwconv_s8_dsp_asm.py: do not edit by hand ----
// K=3 S=1: 43 instructions, 24 multiply-accumulates, 36 MACs
#define FE_DWA_BLOCK_K3S1 \
  "ldrd r7, r8, [r5, #0]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldr r7, [r4, #8]\n\t" \
  "smlatb r0, r11, r8, r0\n\t" \
  "smlatb r1, r10, r8, r1\n\t" \
  "smlatb r2, r12, r8, r2\n\t" \
  "smlatb r3, r7, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #8]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldr r7, [r4, #8]\n\t" \
  "smlatb r0, r11, r8, r0\n\t" \
  "smlatb r1, r10, r8, r1\n\t" \
  "smlatb r2, r12, r8, r2\n\t" \
  "smlatb r3, r7, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #16]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldr r7, [r4, #8]\n\t" \
  "smlatb r0, r11, r8, r0\n\t" \
  "smlatb r1, r10, r8, r1\n\t" \
  "smlatb r2, r12, r8, r2\n\t" \
  "smlatb r3, r7, r8, r3\n\t" \
  "sub r4, r4, r6, lsl #1\n\t" \
  "add r4, r4, #8\n\t" \
  ""
// K=3 S=2: 40 instructions, 24 multiply-accumulates, 36 MACs
#define FE_DWA_BLOCK_K3S2 \
  "ldrd r7, r8, [r5, #0]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlabb r0, r10, r8, r0\n\t" \
  "smlabb r1, r11, r8, r1\n\t" \
  "smlabb r2, r12, r8, r2\n\t" \
  "smlabb r3, r7, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #8]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlabb r0, r10, r8, r0\n\t" \
  "smlabb r1, r11, r8, r1\n\t" \
  "smlabb r2, r12, r8, r2\n\t" \
  "smlabb r3, r7, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #16]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlabb r0, r10, r8, r0\n\t" \
  "smlabb r1, r11, r8, r1\n\t" \
  "smlabb r2, r12, r8, r2\n\t" \
  "smlabb r3, r7, r8, r3\n\t" \
  "sub r4, r4, r6, lsl #1\n\t" \
  "add r4, r4, #16\n\t" \
  ""
// K=5 S=1: 101 instructions, 60 multiply-accumulates, 100 MACs
#define FE_DWA_BLOCK_K5S1 \
  "ldrd r7, r8, [r5, #0]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldr r8, [r5, #8]\n\t" \
  "smlatb r0, r12, r8, r0\n\t" \
  "smlatb r1, r7, r8, r1\n\t" \
  "smlatb r2, r11, r8, r2\n\t" \
  "smlatb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #12]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldr r8, [r5, #20]\n\t" \
  "smlatb r0, r12, r8, r0\n\t" \
  "smlatb r1, r7, r8, r1\n\t" \
  "smlatb r2, r11, r8, r2\n\t" \
  "smlatb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #24]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldr r8, [r5, #32]\n\t" \
  "smlatb r0, r12, r8, r0\n\t" \
  "smlatb r1, r7, r8, r1\n\t" \
  "smlatb r2, r11, r8, r2\n\t" \
  "smlatb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #36]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldr r8, [r5, #44]\n\t" \
  "smlatb r0, r12, r8, r0\n\t" \
  "smlatb r1, r7, r8, r1\n\t" \
  "smlatb r2, r11, r8, r2\n\t" \
  "smlatb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #48]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldr r8, [r5, #56]\n\t" \
  "smlatb r0, r12, r8, r0\n\t" \
  "smlatb r1, r7, r8, r1\n\t" \
  "smlatb r2, r11, r8, r2\n\t" \
  "smlatb r3, r9, r8, r3\n\t" \
  "sub r4, r4, r6, lsl #2\n\t" \
  "add r4, r4, #8\n\t" \
  ""
// K=5 S=2: 91 instructions, 60 multiply-accumulates, 100 MACs
#define FE_DWA_BLOCK_K5S2 \
  "ldrd r7, r8, [r5, #0]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldr r8, [r5, #8]\n\t" \
  "smlabb r0, r11, r8, r0\n\t" \
  "smlabb r1, r12, r8, r1\n\t" \
  "smlabb r2, r7, r8, r2\n\t" \
  "smlabb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #12]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldr r8, [r5, #20]\n\t" \
  "smlabb r0, r11, r8, r0\n\t" \
  "smlabb r1, r12, r8, r1\n\t" \
  "smlabb r2, r7, r8, r2\n\t" \
  "smlabb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #24]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldr r8, [r5, #32]\n\t" \
  "smlabb r0, r11, r8, r0\n\t" \
  "smlabb r1, r12, r8, r1\n\t" \
  "smlabb r2, r7, r8, r2\n\t" \
  "smlabb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #36]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldr r8, [r5, #44]\n\t" \
  "smlabb r0, r11, r8, r0\n\t" \
  "smlabb r1, r12, r8, r1\n\t" \
  "smlabb r2, r7, r8, r2\n\t" \
  "smlabb r3, r9, r8, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #48]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldr r8, [r5, #56]\n\t" \
  "smlabb r0, r11, r8, r0\n\t" \
  "smlabb r1, r12, r8, r1\n\t" \
  "smlabb r2, r7, r8, r2\n\t" \
  "smlabb r3, r9, r8, r3\n\t" \
  "sub r4, r4, r6, lsl #2\n\t" \
  "add r4, r4, #16\n\t" \
  ""
// K=7 S=1: 184 instructions, 112 multiply-accumulates, 196 MACs
#define FE_DWA_BLOCK_K7S1 \
  "ldrd r7, r8, [r5, #0]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #8]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #16]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #24]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #32]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #40]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #48]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #56]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #64]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #72]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #80]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #88]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #96]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldr r11, [r4, #2]\n\t" \
  "ldr r12, [r4, #6]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r11, r7, r1\n\t" \
  "smlad r2, r10, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #8]\n\t" \
  "ldr r11, [r4, #10]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r11, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #104]\n\t" \
  "ldr r12, [r4, #14]\n\t" \
  "smlad r0, r7, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r9, r8, r2\n\t" \
  "smlad r3, r12, r8, r3\n\t" \
  "ldr r7, [r4, #16]\n\t" \
  "smlatb r0, r11, r10, r0\n\t" \
  "smlatb r1, r9, r10, r1\n\t" \
  "smlatb r2, r12, r10, r2\n\t" \
  "smlatb r3, r7, r10, r3\n\t" \
  "sub r4, r4, r6, lsl #2\n\t" \
  "sub r4, r4, r6, lsl #1\n\t" \
  "add r4, r4, #8\n\t" \
  ""
// K=7 S=2: 163 instructions, 112 multiply-accumulates, 196 MACs
#define FE_DWA_BLOCK_K7S2 \
  "ldrd r7, r8, [r5, #0]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #8]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #16]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #24]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #32]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #40]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #48]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #56]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #64]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #72]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #80]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #88]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "add r4, r4, r6\n\t" \
  "ldrd r7, r8, [r5, #96]\n\t" \
  "ldrd r9, r10, [r4, #0]\n\t" \
  "ldrd r11, r12, [r4, #8]\n\t" \
  "smlad r0, r9, r7, r0\n\t" \
  "smlad r1, r10, r7, r1\n\t" \
  "smlad r2, r11, r7, r2\n\t" \
  "smlad r3, r12, r7, r3\n\t" \
  "ldrd r7, r9, [r4, #16]\n\t" \
  "smlad r0, r10, r8, r0\n\t" \
  "smlad r1, r11, r8, r1\n\t" \
  "smlad r2, r12, r8, r2\n\t" \
  "smlad r3, r7, r8, r3\n\t" \
  "ldrd r8, r10, [r5, #104]\n\t" \
  "smlad r0, r11, r8, r0\n\t" \
  "smlad r1, r12, r8, r1\n\t" \
  "smlad r2, r7, r8, r2\n\t" \
  "smlad r3, r9, r8, r3\n\t" \
  "ldr r8, [r4, #24]\n\t" \
  "smlabb r0, r12, r10, r0\n\t" \
  "smlabb r1, r7, r10, r1\n\t" \
  "smlabb r2, r9, r10, r2\n\t" \
  "smlabb r3, r8, r10, r3\n\t" \
  "sub r4, r4, r6, lsl #2\n\t" \
  "sub r4, r4, r6, lsl #1\n\t" \
  "add r4, r4, #16\n\t" \
  ""
// ---- end of generated code ----

#define FE_DWA_BODY(BLOCK)                                                                           \
  "push {r4-r11, lr}\n\t"                                                                            \
  "sub sp, sp, #48\n\t"                                                                              \
  "str r0, [sp, #44]\n\t"                                                                            \
  "ldr r1, [r0, #44]\n\t" "str r1, [sp, #4]\n\t"   /* C */                                           \
  "ldr r1, [r0, #48]\n\t" "str r1, [sp, #8]\n\t"   /* table */                                       \
  "ldr r1, [r0, #68]\n\t" "str r1, [sp, #20]\n\t"  /* w_out % 4 */                                   \
  "ldr r1, [r0, #72]\n\t" "str r1, [sp, #24]\n\t"  /* y row step */                                  \
  "movs r1, #0\n\t"       "str r1, [sp, #40]\n\t"  /* channel */                                     \
  "10:\n\t" /* ---- channel: gather ---- */                                                          \
  "ldr r12, [sp, #44]\n\t"                                                                           \
  "ldr r3, [r12, #8]\n\t"                                                                            \
  "cbz r3, 19f\n\t"                                                                                  \
  "ldr r7, [r12, #12]\n\t"                                                                           \
  "cbz r7, 19f\n\t"                                                                                  \
  "ldr r0, [r12, #0]\n\t" "ldr r1, [sp, #40]\n\t" "add r0, r0, r1\n\t"                               \
  "ldr r1, [r12, #4]\n\t"                                                                            \
  "ldr r2, [r12, #44]\n\t"                                                                           \
  "ldr r5, [r12, #16]\n\t"                                                                           \
  "ldr r6, [r12, #20]\n\t"                                                                           \
  "add r8, r2, r2\n\t"                                                                               \
  "add r9, r8, r2\n\t"                                                                               \
  "11:\n\t"                                                                                          \
  "subs r4, r7, #4\n\t"                                                                              \
  "blt 13f\n\t"                                                                                      \
  "12:\n\t"                                                                                          \
  "ldrsb r10, [r0]\n\t"                                                                              \
  "ldrsb r11, [r0, r2]\n\t"                                                                          \
  "ldrsb r12, [r0, r8]\n\t"                                                                          \
  "ldrsb lr, [r0, r9]\n\t"                                                                           \
  "add r0, r0, r2, lsl #2\n\t"                                                                       \
  "pkhbt r10, r10, r11, lsl #16\n\t"                                                                 \
  "pkhbt r12, r12, lr, lsl #16\n\t"                                                                  \
  "str r10, [r1], #4\n\t"                                                                            \
  "str r12, [r1], #4\n\t"                                                                            \
  "subs r4, r4, #4\n\t"                                                                              \
  "bge 12b\n\t"                                                                                      \
  "13:\n\t"                                                                                          \
  "adds r4, r4, #4\n\t"                                                                              \
  "beq 15f\n\t"                                                                                      \
  "14:\n\t"                                                                                          \
  "ldrsb r10, [r0]\n\t"                                                                              \
  "add r0, r0, r2\n\t"                                                                               \
  "strh r10, [r1], #2\n\t"                                                                           \
  "subs r4, r4, #1\n\t"                                                                              \
  "bne 14b\n\t"                                                                                      \
  "15:\n\t"                                                                                          \
  "add r0, r0, r5\n\t"                                                                               \
  "add r1, r1, r6\n\t"                                                                               \
  "subs r3, r3, #1\n\t"                                                                              \
  "bne 11b\n\t"                                                                                      \
  "19:\n\t" /* ---- channel: compute ---- */                                                         \
  "ldr r12, [sp, #44]\n\t"                                                                           \
  "ldr r1, [sp, #40]\n\t"                                                                            \
  "ldr r5, [r12, #28]\n\t" "ldr r2, [r12, #76]\n\t" "mla r5, r1, r2, r5\n\t"                         \
  "ldr r2, [r12, #52]\n\t" "ldr r2, [r2, r1, lsl #2]\n\t" "str r2, [sp, #16]\n\t"                    \
  "ldr r2, [r12, #56]\n\t" "add r2, r2, r1, lsl #2\n\t" "vldr s0, [r2]\n\t"                          \
  "ldr r2, [r12, #40]\n\t" "add r2, r2, r1\n\t" "str r2, [sp, #36]\n\t"                              \
  "ldr r2, [r12, #24]\n\t" "str r2, [sp, #32]\n\t"                                                   \
  "ldr r2, [r12, #60]\n\t" "str r2, [sp, #28]\n\t"                                                   \
  "ldr r6, [r12, #32]\n\t"                                                                           \
  "1:\n\t" /* output row */                                                                          \
  "ldr r4, [sp, #32]\n\t"                                                                            \
  "ldr r1, [sp, #36]\n\t" "str r1, [sp, #0]\n\t"                                                     \
  "ldr r12, [sp, #44]\n\t"                                                                           \
  "ldr r1, [r12, #64]\n\t" "str r1, [sp, #12]\n\t"                                                   \
  "2:\n\t" /* block of 4 outputs */                                                                  \
  "ldr r0, [sp, #16]\n\t"                                                                            \
  "mov r1, r0\n\t"                                                                                   \
  "mov r2, r0\n\t"                                                                                   \
  "mov r3, r0\n\t" BLOCK                                                                             \
  "vmov s2, s3, r0, r1\n\t"                                                                          \
  "vmov s4, s5, r2, r3\n\t"                                                                          \
  "vcvt.f32.s32 s2, s2\n\t" "vcvt.f32.s32 s3, s3\n\t" "vcvt.f32.s32 s4, s4\n\t" "vcvt.f32.s32 s5, s5\n\t" \
  "vmul.f32 s2, s2, s0\n\t" "vmul.f32 s3, s3, s0\n\t" "vmul.f32 s4, s4, s0\n\t" "vmul.f32 s5, s5, s0\n\t" \
  "vcvtr.s32.f32 s2, s2\n\t" "vcvtr.s32.f32 s3, s3\n\t" "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t" \
  "vmov r0, r1, s2, s3\n\t"                                                                          \
  "vmov r2, r3, s4, s5\n\t"                                                                          \
  "ldm sp, {r7, r8, r9, r10, r11, r12, lr}\n\t" /* y, C, table, blocks left, bias, rem, y row step */ \
  "ssat r0, #9, r0\n\t" "ssat r1, #9, r1\n\t" "ssat r2, #9, r2\n\t" "ssat r3, #9, r3\n\t"            \
  "ldrsb r0, [r9, r0]\n\t" "ldrsb r1, [r9, r1]\n\t" "ldrsb r2, [r9, r2]\n\t" "ldrsb r3, [r9, r3]\n\t" \
  "subs r10, r10, #1\n\t"                                                                            \
  "beq 3f\n\t"                                                                                       \
  "strb r0, [r7]\n\t"                                                                                \
  "strb r1, [r7, r8]\n\t"                                                                            \
  "add r7, r7, r8, lsl #1\n\t"                                                                       \
  "strb r2, [r7]\n\t"                                                                                \
  "strb r3, [r7, r8]\n\t"                                                                            \
  "add r7, r7, r8, lsl #1\n\t"                                                                       \
  "stm sp, {r7, r8, r9, r10}\n\t"                                                                    \
  "b 2b\n\t"                                                                                         \
  "3:\n\t" /* last block of the row: w_out % 4 outputs (4 if 0) */                                   \
  "strb r0, [r7]\n\t"                                                                                \
  "cmp r12, #1\n\t"                                                                                  \
  "beq 4f\n\t"                                                                                       \
  "strb r1, [r7, r8]\n\t"                                                                            \
  "cmp r12, #2\n\t"                                                                                  \
  "beq 4f\n\t"                                                                                       \
  "add r7, r7, r8, lsl #1\n\t"                                                                       \
  "strb r2, [r7]\n\t"                                                                                \
  "cmp r12, #3\n\t"                                                                                  \
  "beq 4f\n\t"                                                                                       \
  "strb r3, [r7, r8]\n\t"                                                                            \
  "4:\n\t" /* next output row */                                                                     \
  "ldr r12, [sp, #44]\n\t"                                                                           \
  "ldr r1, [sp, #32]\n\t" "ldr r2, [r12, #36]\n\t" "add r1, r1, r2\n\t" "str r1, [sp, #32]\n\t"      \
  "ldr r1, [sp, #36]\n\t" "add r1, r1, lr\n\t" "str r1, [sp, #36]\n\t"                               \
  "ldr r1, [sp, #28]\n\t" "subs r1, r1, #1\n\t" "str r1, [sp, #28]\n\t"                              \
  "bne 1b\n\t"                                                                                       \
  /* next channel */                                                                                 \
  "ldr r1, [sp, #40]\n\t" "adds r1, r1, #1\n\t" "str r1, [sp, #40]\n\t"                              \
  "ldr r2, [r12, #44]\n\t"                                                                           \
  "cmp r1, r2\n\t"                                                                                   \
  "blt 10b\n\t"                                                                                      \
  "add sp, sp, #48\n\t"                                                                              \
  "pop {r4-r11, pc}\n\t"

// AAPCS: r0 = job; preserves r4-r11 and s16-s31 (uses s0-s5 only).
#define FE_DWA_FN(KK, SS)                                                                        \
  __attribute__((naked, noinline)) inline void dwconv_dsp_layer_k##KK##s##SS(const DwDspJob*) { \
    __asm__ volatile(FE_DWA_BODY(FE_DWA_BLOCK_K##KK##S##SS));                                     \
  }
FE_DWA_FN(3, 1)
FE_DWA_FN(3, 2)
FE_DWA_FN(5, 1)
FE_DWA_FN(5, 2)
FE_DWA_FN(7, 1)
FE_DWA_FN(7, 2)
#undef FE_DWA_FN

template <int K, int S>
inline void dwconv_dsp_layer_asm(const DwDspJob* j);
template <> inline void dwconv_dsp_layer_asm<3, 1>(const DwDspJob* j) { dwconv_dsp_layer_k3s1(j); }
template <> inline void dwconv_dsp_layer_asm<3, 2>(const DwDspJob* j) { dwconv_dsp_layer_k3s2(j); }
template <> inline void dwconv_dsp_layer_asm<5, 1>(const DwDspJob* j) { dwconv_dsp_layer_k5s1(j); }
template <> inline void dwconv_dsp_layer_asm<5, 2>(const DwDspJob* j) { dwconv_dsp_layer_k5s2(j); }
template <> inline void dwconv_dsp_layer_asm<7, 1>(const DwDspJob* j) { dwconv_dsp_layer_k7s1(j); }
template <> inline void dwconv_dsp_layer_asm<7, 2>(const DwDspJob* j) { dwconv_dsp_layer_k7s2(j); }
#endif

// ---- Channel-group layout (K = 3 on small maps): 4 channels per SIMD word ----
// For maps where a row holds few 4-output blocks, the per-row and per-channel costs of the plane
// path dominate, and at stride 2 its gather (one LDRSB per element) does. There, groups of 4
// channels are gathered at once into a padded "group plane" of 8-byte cells holding the pixel's 4
// channels already widened, [c0, c2] and [c1, c3] (per pixel LDR, 2 SXTB16, STRD; border cells hold
// x_zp in every lane, written once per call), and each output pixel is computed for the 4 channels
// together: per tap one LDRD of the cell, one LDRD of the tap's weights ([w'(c0), w'(c2)],
// [w'(c1), w'(c3)]) and SMLABB / SMLATT into 4 accumulators (6 instructions per 4 MACs).
// The last group of a C % 4 != 0 layer loads the 4 bytes ending at its last channel (shifted down;
// nothing outside x is read) and stores only its real channels.
// Rule (also in compiler/kernels/pack_s8_dsp.h, which packs the weights to match): 3x3, c_out >= 4,
// and either at most 6 output columns or stride 2 with a group plane of at most 16 KB.
inline bool dwconv_s8_dsp_grouped(const ConvS8Params& p) {
  if (p.kh != 3 || p.c_out < 4) return false;
  if (p.w_out <= 6) return true;
  const int64_t cells = static_cast<int64_t>((p.h_out - 1) * p.stride_h + 3) * ((p.w_out - 1) * p.stride_w + 3);
  return p.stride_h == 2 && cells * 8 <= 16384;
}

struct DwDspCvJob {
  const int8_t* x;        // 0: first gathered pixel, first channel of the group (see shift)
  uint32_t* dst;          // 4: its cell in the group plane (8 bytes per cell)
  int32_t g_rows;         // 8
  int32_t g_cols;         // 12
  int32_t x_skip;         // 16: bytes from the end of a gathered input row to the next
  int32_t d_skip;         // 20: bytes from the end of a gathered plane row to the next
  int32_t C;              // 24: pixel stride of x and y
  const uint32_t* plane;  // 28: group plane cell (0, 0)
  const uint32_t* w;      // 32: the group's packed weights (9 taps x 2 words)
  const int32_t* bias;    // 36: 4 entries
  const float* scale;     // 40: 4 entries
  int8_t* y;              // 44: output (0, 0), first channel of the group
  const int8_t* tbl;      // 48
  int32_t h_out;          // 52
  int32_t w_out;          // 56
  int32_t row_bytes;      // 60: group plane row stride (bytes)
  int32_t nst;            // 64: channels to store (1..4)
  int32_t row_step;       // 68: S * row_bytes
  int32_t shift;          // 72: right shift of each loaded word (partial last group), else 0
};

#if FERRITE_DSP_FPU
static_assert(offsetof(DwDspCvJob, plane) == 28 && offsetof(DwDspCvJob, shift) == 72,
              "DwDspCvJob offsets are hard-coded in the assembly");
#define FE_DWCV_TAP(RP, KX, WOFF)         \
  "ldrd r8, r9, [" RP ", #" KX "]\n\t"    \
  "ldrd r10, r11, [r7, #" WOFF "]\n\t"    \
  "smlabb r0, r8, r10, r0\n\t"            \
  "smlatt r2, r8, r10, r2\n\t"            \
  "smlabb r1, r9, r11, r1\n\t"            \
  "smlatt r3, r9, r11, r3\n\t"
#define FE_DWCV_BODY(STEP)                                                                           \
  "push {r4-r11, lr}\n\t"                                                                            \
  "sub sp, sp, #32\n\t"                                                                              \
  "str r0, [sp, #28]\n\t"                                                                            \
  /* gather: one word (4 channels) per pixel */                                                      \
  "ldr r3, [r0, #8]\n\t"                                                                             \
  "ldr r7, [r0, #12]\n\t"                                                                            \
  "cmp r3, #0\n\t"                                                                                   \
  "beq 19f\n\t"                                                                                      \
  "cmp r7, #0\n\t"                                                                                   \
  "beq 19f\n\t"                                                                                      \
  "ldr r2, [r0, #24]\n\t"                                                                            \
  "ldr r5, [r0, #16]\n\t"                                                                            \
  "ldr r6, [r0, #20]\n\t"                                                                            \
  "ldr r10, [r0, #72]\n\t"                                                                           \
  "ldr r1, [r0, #4]\n\t"                                                                             \
  "ldr r0, [r0, #0]\n\t"                                                                             \
  "cmp r10, #0\n\t"                                                                                  \
  "bne 15f\n\t"                                                                                      \
  "11:\n\t"                                                                                          \
  "subs r4, r7, #2\n\t"                                                                              \
  "blt 13f\n\t"                                                                                      \
  "12:\n\t"                                                                                          \
  "ldr r8, [r0]\n\t"                                                                                 \
  "ldr r11, [r0, r2]\n\t"                                                                            \
  "add r0, r0, r2, lsl #1\n\t"                                                                       \
  "sxtb16 r9, r8, ror #8\n\t"                                                                        \
  "sxtb16 r8, r8\n\t"                                                                                \
  "sxtb16 r12, r11, ror #8\n\t"                                                                      \
  "sxtb16 r11, r11\n\t"                                                                              \
  "strd r8, r9, [r1], #8\n\t"                                                                        \
  "strd r11, r12, [r1], #8\n\t"                                                                      \
  "subs r4, r4, #2\n\t"                                                                              \
  "bge 12b\n\t"                                                                                      \
  "13:\n\t"                                                                                          \
  "adds r4, r4, #2\n\t"                                                                              \
  "beq 14f\n\t"                                                                                      \
  "ldr r8, [r0]\n\t"                                                                                 \
  "add r0, r0, r2\n\t"                                                                               \
  "sxtb16 r9, r8, ror #8\n\t"                                                                        \
  "sxtb16 r8, r8\n\t"                                                                                \
  "strd r8, r9, [r1], #8\n\t"                                                                        \
  "14:\n\t"                                                                                          \
  "add r0, r0, r5\n\t"                                                                               \
  "add r1, r1, r6\n\t"                                                                               \
  "subs r3, r3, #1\n\t"                                                                              \
  "bne 11b\n\t"                                                                                      \
  "b 19f\n\t"                                                                                        \
  "15:\n\t" /* partial last group: shifted loads, one pixel at a time */                             \
  "mov r4, r7\n\t"                                                                                   \
  "16:\n\t"                                                                                          \
  "ldr r8, [r0]\n\t"                                                                                 \
  "add r0, r0, r2\n\t"                                                                               \
  "lsr r8, r8, r10\n\t"                                                                              \
  "sxtb16 r9, r8, ror #8\n\t"                                                                        \
  "sxtb16 r8, r8\n\t"                                                                                \
  "strd r8, r9, [r1], #8\n\t"                                                                        \
  "subs r4, r4, #1\n\t"                                                                              \
  "bne 16b\n\t"                                                                                      \
  "add r0, r0, r5\n\t"                                                                               \
  "add r1, r1, r6\n\t"                                                                               \
  "subs r3, r3, #1\n\t"                                                                              \
  "bne 15b\n\t"                                                                                      \
  "19:\n\t" /* compute */                                                                            \
  "ldr r0, [sp, #28]\n\t"                                                                            \
  "ldr r7, [r0, #32]\n\t"                                                                            \
  "ldr r1, [r0, #40]\n\t" "vldmia r1, {s0-s3}\n\t"                                                   \
  "ldr r1, [r0, #24]\n\t" "str r1, [sp, #4]\n\t"                                                     \
  "ldr r1, [r0, #48]\n\t" "str r1, [sp, #8]\n\t"                                                     \
  "ldr r1, [r0, #64]\n\t" "str r1, [sp, #12]\n\t"                                                    \
  "ldr r1, [r0, #52]\n\t" "str r1, [sp, #16]\n\t"                                                    \
  "ldr r1, [r0, #28]\n\t" "str r1, [sp, #20]\n\t"                                                    \
  "ldr r1, [r0, #44]\n\t" "str r1, [sp, #24]\n\t"                                                    \
  "ldr r12, [r0, #36]\n\t"                                                                           \
  "5:\n\t" /* output row */                                                                          \
  "ldr r0, [sp, #28]\n\t"                                                                            \
  "ldr r1, [r0, #60]\n\t"                                                                            \
  "ldr r4, [sp, #20]\n\t"                                                                            \
  "add r5, r4, r1\n\t"                                                                               \
  "add r6, r5, r1\n\t"                                                                               \
  "ldr lr, [r0, #56]\n\t"                                                                            \
  "ldr r1, [sp, #24]\n\t" "str r1, [sp, #0]\n\t"                                                     \
  "6:\n\t" /* output pixel, 4 channels */                                                            \
  "ldm r12, {r0-r3}\n\t"                                                                             \
  FE_DWCV_TAP("r4", "0", "0") FE_DWCV_TAP("r4", "8", "8") FE_DWCV_TAP("r4", "16", "16")             \
  FE_DWCV_TAP("r5", "0", "24") FE_DWCV_TAP("r5", "8", "32") FE_DWCV_TAP("r5", "16", "40")           \
  FE_DWCV_TAP("r6", "0", "48") FE_DWCV_TAP("r6", "8", "56") FE_DWCV_TAP("r6", "16", "64")           \
  "vmov s4, s5, r0, r1\n\t"                                                                          \
  "vmov s6, s7, r2, r3\n\t"                                                                          \
  "vcvt.f32.s32 s4, s4\n\t" "vcvt.f32.s32 s5, s5\n\t" "vcvt.f32.s32 s6, s6\n\t" "vcvt.f32.s32 s7, s7\n\t" \
  "vmul.f32 s4, s4, s0\n\t" "vmul.f32 s5, s5, s1\n\t" "vmul.f32 s6, s6, s2\n\t" "vmul.f32 s7, s7, s3\n\t" \
  "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t" "vcvtr.s32.f32 s6, s6\n\t" "vcvtr.s32.f32 s7, s7\n\t" \
  "vmov r0, r1, s4, s5\n\t"                                                                          \
  "vmov r2, r3, s6, s7\n\t"                                                                          \
  "ldm sp, {r8, r9, r10, r11}\n\t" /* y, C, table, channels to store */                             \
  "ssat r0, #9, r0\n\t" "ssat r1, #9, r1\n\t" "ssat r2, #9, r2\n\t" "ssat r3, #9, r3\n\t"            \
  "ldrsb r0, [r10, r0]\n\t" "ldrsb r1, [r10, r1]\n\t" "ldrsb r2, [r10, r2]\n\t" "ldrsb r3, [r10, r3]\n\t" \
  "cmp r11, #4\n\t"                                                                                  \
  "bne 7f\n\t"                                                                                       \
  "strb r0, [r8]\n\t"                                                                                \
  "strb r1, [r8, #1]\n\t"                                                                            \
  "strb r2, [r8, #2]\n\t"                                                                            \
  "strb r3, [r8, #3]\n\t"                                                                            \
  "8:\n\t"                                                                                           \
  "add r8, r8, r9\n\t"                                                                               \
  "str r8, [sp]\n\t"                                                                                 \
  "add r4, r4, #" STEP "\n\t"                                                                        \
  "add r5, r5, #" STEP "\n\t"                                                                        \
  "add r6, r6, #" STEP "\n\t"                                                                        \
  "subs lr, lr, #1\n\t"                                                                              \
  "bne 6b\n\t"                                                                                       \
  /* next output row */                                                                              \
  "ldr r0, [sp, #28]\n\t"                                                                            \
  "ldr r1, [r0, #68]\n\t"                                                                            \
  "ldr r2, [sp, #20]\n\t" "add r2, r2, r1\n\t" "str r2, [sp, #20]\n\t"                               \
  "ldr r3, [r0, #56]\n\t"                                                                            \
  "ldr r2, [sp, #24]\n\t" "mla r2, r3, r9, r2\n\t" "str r2, [sp, #24]\n\t"                           \
  "ldr r2, [sp, #16]\n\t" "subs r2, r2, #1\n\t" "str r2, [sp, #16]\n\t"                              \
  "bne 5b\n\t"                                                                                       \
  "add sp, sp, #32\n\t"                                                                              \
  "pop {r4-r11, pc}\n\t"                                                                             \
  "7:\n\t" /* partial group: store channels 0 .. nst-1 */                                           \
  "strb r0, [r8]\n\t"                                                                                \
  "cmp r11, #2\n\t"                                                                                  \
  "blt 8b\n\t"                                                                                       \
  "strb r1, [r8, #1]\n\t"                                                                            \
  "cmp r11, #3\n\t"                                                                                  \
  "blt 8b\n\t"                                                                                       \
  "strb r2, [r8, #2]\n\t"                                                                            \
  "b 8b\n\t"

// AAPCS: r0 = job; preserves r4-r11 and s16-s31 (uses s0-s7 only).
__attribute__((naked, noinline)) inline void dwconv_dsp_group_k3s1(const DwDspCvJob*) {
  __asm__ volatile(FE_DWCV_BODY("8"));
}
__attribute__((naked, noinline)) inline void dwconv_dsp_group_k3s2(const DwDspCvJob*) {
  __asm__ volatile(FE_DWCV_BODY("16"));
}
#endif

// Portable equivalent of one group (also the reference for the assembly).
template <int S>
inline void dwconv_dsp_group_c(const DwDspCvJob& j) {
  for (int32_t r = 0; r < j.g_rows; ++r)
    for (int32_t q = 0; q < j.g_cols; ++q) {
      const int8_t* src = j.x + static_cast<size_t>(r) * (static_cast<size_t>(j.g_cols) * static_cast<size_t>(j.C) +
                                                         static_cast<size_t>(j.x_skip)) +
                          static_cast<size_t>(q) * static_cast<size_t>(j.C);
      uint32_t* dst = reinterpret_cast<uint32_t*>(reinterpret_cast<uint8_t*>(j.dst) +
                                                  static_cast<size_t>(r) * (8u * static_cast<size_t>(j.g_cols) +
                                                                            static_cast<size_t>(j.d_skip))) +
                      2 * q;
      const uint32_t v = dsp_load_u32(src) >> j.shift;
      dst[0] = dsp_sxtb16(v);
      dst[1] = dsp_sxtb16_ror8(v);
    }
  const int32_t row_cells = j.row_bytes / 8;
  for (int32_t oh = 0; oh < j.h_out; ++oh)
    for (int32_t ow = 0; ow < j.w_out; ++ow) {
      int32_t a[4] = {j.bias[0], j.bias[1], j.bias[2], j.bias[3]};
      for (int32_t ky = 0; ky < 3; ++ky)
        for (int32_t kx = 0; kx < 3; ++kx) {
          const uint32_t* cell = j.plane + 2 * ((oh * S + ky) * row_cells + ow * S + kx);
          const uint32_t xe = cell[0], xo = cell[1];
          const uint32_t we = j.w[2 * (3 * ky + kx)], wo = j.w[2 * (3 * ky + kx) + 1];
          a[0] = dsp_smlabb(xe, we, a[0]);
          a[2] = dsp_smlatt(xe, we, a[2]);
          a[1] = dsp_smlabb(xo, wo, a[1]);
          a[3] = dsp_smlatt(xo, wo, a[3]);
        }
      dsp_requant_idx2(a[0], a[1], j.scale[0], j.scale[1]);
      dsp_requant_idx2(a[2], a[3], j.scale[2], j.scale[3]);
      int8_t* yp = j.y + (static_cast<size_t>(oh) * static_cast<size_t>(j.w_out) + static_cast<size_t>(ow)) *
                             static_cast<size_t>(j.C);
      for (int32_t k = 0; k < j.nst; ++k) yp[k] = j.tbl[a[k]];
    }
}

template <int S>
inline void dwconv_s8_dsp_grouped_impl(const ConvS8Params& p, int8_t* x, const int8_t* w, const int32_t* bias,
                                       const float* scale, int8_t* y, void* scratch) {
  const int32_t C = p.c_out;
  const int32_t rows = (p.h_out - 1) * S + 3, cols = (p.w_out - 1) * S + 3;
  const size_t cells = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  uint32_t* const plane = static_cast<uint32_t*>(scratch);
  int32_t* const bias4 = reinterpret_cast<int32_t*>(plane + 2 * cells);
  float* const scale4 = reinterpret_cast<float*>(bias4 + 4);
  int8_t* const table_store = reinterpret_cast<int8_t*>(scale4 + 4);
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  const uint32_t zp2 = (static_cast<uint32_t>(p.in_zp) & 0xFFFFu) * 0x00010001u;  // [x_zp, x_zp]
  for (size_t i = 0; i < 2 * cells; ++i) plane[i] = zp2;
  const int32_t r0 = p.pad_top < rows ? p.pad_top : rows;
  const int32_t r1 = p.pad_top + p.h_in < rows ? p.pad_top + p.h_in : rows;
  const int32_t q0 = p.pad_left < cols ? p.pad_left : cols;
  const int32_t q1 = p.pad_left + p.w_in < cols ? p.pad_left + p.w_in : cols;
  const size_t in_row = static_cast<size_t>(p.w_in) * static_cast<size_t>(C);
  const size_t in_img = in_row * static_cast<size_t>(p.h_in);
  const size_t out_img = static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out) * static_cast<size_t>(C);
  const int32_t groups = (C + 3) / 4;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * in_img;
    int8_t* yn = y + static_cast<size_t>(n) * out_img;
    DwDspCvJob j;
    j.g_rows = r1 - r0;
    j.g_cols = q1 - q0;
    j.x_skip = static_cast<int32_t>(in_row) - j.g_cols * C;
    j.d_skip = 8 * (cols - j.g_cols);
    j.C = C;
    j.dst = plane + 2 * (static_cast<size_t>(r0) * static_cast<size_t>(cols) + static_cast<size_t>(q0));
    j.plane = plane;
    j.tbl = tbl;
    j.h_out = p.h_out;
    j.w_out = p.w_out;
    j.row_bytes = 8 * cols;
    j.row_step = 8 * cols * S;
    const int8_t* x0 = xn + static_cast<size_t>(r0 - p.pad_top) * in_row +
                       static_cast<size_t>(q0 - p.pad_left) * static_cast<size_t>(C);
    for (int32_t g = 0; g < groups; ++g) {
      const int32_t c = 4 * g;
      const int32_t nst = C - c < 4 ? C - c : 4;
      j.w = reinterpret_cast<const uint32_t*>(w) + 18 * g;
      j.y = yn + c;
      j.nst = nst;
      if (nst == 4) {
        j.x = x0 + c;
        j.shift = 0;
        j.bias = bias + c;
        j.scale = scale + c;
      } else {  // the 4 bytes ending at channel C - 1 (C >= 4), shifted down
        j.x = x0 + C - 4;
        j.shift = 8 * (4 - nst);
        for (int32_t k = 0; k < 4; ++k) {
          bias4[k] = k < nst ? bias[c + k] : 0;
          scale4[k] = k < nst ? scale[c + k] : 0.0f;
        }
        j.bias = bias4;
        j.scale = scale4;
      }
#if FERRITE_DSP_FPU
      if (S == 1)
        dwconv_dsp_group_k3s1(&j);
      else
        dwconv_dsp_group_k3s2(&j);
      __asm__ volatile("" ::: "memory");
#else
      dwconv_dsp_group_c<S>(j);
#endif
    }
  }
}

// Block widths: K = 3 has the registers for 4 outputs per block, K = 5 / 7 use 2.
template <int K>
struct DwDspBlock {
  static constexpr int NB = K == 3 ? 4 : 2;
};

template <int K, int S>
inline void dwconv_s8_dsp_impl(const ConvS8Params& p, int8_t* x, const int8_t* w, const int32_t* bias,
                               const float* scale, int8_t* y, void* scratch) {
  if (K == 3 && dwconv_s8_dsp_grouped(p)) {
    dwconv_s8_dsp_grouped_impl<S>(p, x, w, bias, scale, y, scratch);
    return;
  }
  constexpr int M = K / 2;
  [[maybe_unused]] constexpr int NB = DwDspBlock<K>::NB;
  const DwDspPlane g = dwconv_dsp_plane(p);
  const int32_t C = p.c_out;
  const int32_t wrow = g.row_stride;
  const size_t plane_elems = static_cast<size_t>(g.rows) * static_cast<size_t>(wrow) + 4;
  int16_t* const plane = static_cast<int16_t*>(scratch);
  int8_t* const table_store = reinterpret_cast<int8_t*>(plane + plane_elems);
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  [[maybe_unused]] const dsp_dw_u32a* w32 = reinterpret_cast<const dsp_dw_u32a*>(w);

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
    const int8_t* gsrc = xn + static_cast<size_t>(r0 - p.pad_top) * in_row +
                         static_cast<size_t>(q0 - p.pad_left) * static_cast<size_t>(C);
    int16_t* const gdst = plane + static_cast<size_t>(r0) * static_cast<size_t>(wrow) + q0;
#if FERRITE_DSP_FPU
    DwDspJob job;
    job.x = gsrc;
    job.dst = gdst;
    job.g_rows = r1 - r0;
    job.g_cols = ncols;
    job.x_skip = static_cast<int32_t>(in_row) - ncols * C;
    job.d_skip = 2 * (wrow - ncols);
    job.plane = plane;
    job.w = reinterpret_cast<const uint32_t*>(w);
    job.stride = 2 * wrow;
    job.row_step = 2 * wrow * S;
    job.y = yn;
    job.C = C;
    job.tbl = tbl;
    job.bias = bias;
    job.scale = scale;
    job.h_out = p.h_out;
    job.nblk = (p.w_out + 3) >> 2;
    job.rem = p.w_out & 3;
    job.y_row = p.w_out * C;
    job.w_bytes = 4 * K * (M + 1);
    dwconv_dsp_layer_asm<K, S>(&job);
    __asm__ volatile("" ::: "memory");
#else
    for (int32_t c = 0; c < C; ++c) {
      // 1. gather
      for (int32_t rr = r0; rr < r1; ++rr) {
        const int8_t* src = gsrc + static_cast<size_t>(rr - r0) * in_row + static_cast<size_t>(c);
        int16_t* dst = gdst + static_cast<size_t>(rr - r0) * static_cast<size_t>(wrow);
        for (int32_t k = 0; k < ncols; ++k) dst[k] = src[static_cast<size_t>(k) * static_cast<size_t>(C)];
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
#endif
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
