// Helium (MVE) depthwise int8 convolution for Armv8.1-M (Cortex-M55): k x k (k = 3, 5, 7), stride
// 1 or 2, dilation 1, any padding, n == 1, int8 output, out of place or in place (x == y).
// Bit-identical to dwconv_s8_nhwc / dwconv_s8_nhwc_inplace (conv_s8.h) for every input the rule
// dwconv_s8_mve_applies (compiler/kernels/pack_s8_mve.h) admits. Needs <arm_mve.h> before the
// ferrite_rt namespace and mve_s8_common.h (the requantization helpers) pasted before it.
//
// Packed operands (pack_dwconv_s8_mve): w int16 [ceil(c/4)][k*k][4] = w[ky][kx][c] - w_zp per block
// of 4 channels (zeros past c; 2-byte aligned); bias int32 [c] = bias[c] - in_zp * sum_taps w'.
// Padding taps read in_zp, so every window sums x * w' over all k*k taps and the packed bias
// removes in_zp * sum w' again: exact in int32 (mod 2^32, like the reference's int32 sum).
//
// Two schemes, chosen per shape (dwconv_s8_mve_plane_pitch), and for 3x3 maps of at most 13
// outputs (padded plane <= 64 pixels, w_zp == 0) that the plane mode does not take, the window
// mode further down (dwconv3x3_s8_mve_win, shared with the TFLite variants):
//
// Plane mode (3x3, w_out >= 16 at stride 1 / >= 8 at stride 2, c <= 4096): one channel at a time.
//   The channel's input is gathered (VLDRB.U16 gather of 8 pixels, stride c) into an int8 plane
//   padded with in_zp; stride 2 keeps even and odd padded columns in the two halves of each plane
//   row. 4 output pixels per int32 vector: per tap one VLDRB.S32 (4 plane bytes widened) and one
//   VMLA by the weight held in a core register, 9 taps at immediate offsets from one pointer (the
//   plane pitch is a compile-time constant), then requantization and one 4-byte store into a
//   per-channel output plane, scattered to NHWC (VSTRB.16 scatter, stride c) after the channel.
//   Integer arithmetic throughout: exact.
//
// Channel-lane mode (everything else): 4 channels per float32 vector. Per block of 4 channels the
//   padded input (in_zp outside the input) is converted to float in scratch: the whole padded
//   plane when it is at most 4 KB, otherwise a ring of rows brought in as output rows need them.
//   Outputs are computed 1-4 pixels at a time with VFMA by the block's weight vectors (3x3: each
//   band column is loaded once per tap row and feeds every output it touches), in assembly.
//   Exactness: x (int8) and w' (|w'| <= 255) are integers, every product is at most 128 * 255 in
//   magnitude and a window sums at most 49 of them (< 2^21), so every partial sum is an integer
//   below 2^24: float32 represents it exactly and FMA rounds nothing. When the block's packed biases
//   are at most 2^23 in magnitude the accumulation starts at the bias (S + bias < 2^24, still
//   exact, and equal to float(acc) of the reference); otherwise S is converted to int32 (exact),
//   the int32 bias added with wrap-around and the sum converted (round to nearest, like the
//   reference's float(acc)).
//   3x3 with the whole padded plane in scratch (small maps, e.g. s2 12x12 -> 6x6, 6x6 -> 3x3, s1 6x6):
//   the plane is kept as int8, 16 channels per padded pixel, copied once per 16 channels with one
//   16-byte load and store per pixel, and the group routine widens each column on the fly
//   (VLDRB.S32 + VCVT) instead of reading a float band (dwconv_s8_mve_i8_run; same float sums,
//   same scratch bytes).
//
// Requantization (both modes) as in mve_s8_common.h: float(acc) * scale in float32, clamp to
// [act_min - out_zp, act_max - out_zp] with VMAXNM/VMINNM (NaN -> act_min, like the reference),
// VCVTN (ties to even), + out_zp, int8 store; see the exactness notes in mve_s8_common.h (denormals, saturation).
//
// In place: a block's (or channel's) input is copied into scratch before any of its outputs is
// written, and an output (pixel q, channel c) only overwrites slot (q, c). Plane mode and the
// whole-plane case copy everything first. The ring copies an input row before any output row
// that overwrites one of its slots (dwconv_s8_mve_need): rows are taken in order, so a row is
// never read after its slots were overwritten; with h_out * w_out <= h_in * w_in no output reaches
// a slot that has not been copied (same argument as dwconv_s8_nhwc_inplace).
//
// Scratch (dwconv_s8_mve_scratch_bytes), wq = round_up(w_out, 4):
//   plane mode:   15 + ((h_out - 1) * s + 3) * pitch + 16 + h_out * wq, pitch = the smallest of
//                 16, 32, 64, 124 that is >= wq + 2 (s = 1), or 2 * (the smallest of 8, 16, 32, 42
//                 that is >= wq + 1) (s = 2);
//   window mode (3x3 small maps, dwconv3x3_s8_mve_win_ok(p, false)): inside the channel-lane size;
//   channel-lane: 15 + 16 * (4 + k*k + band * wp), wp = (w_out - 1) * s + k, band = the padded
//                 rows hp = (h_out - 1) * s + k when 16 * wp * hp <= 4096 (TFLite 3x3 stride 2
//                 with w_out < 16: <= 16384, dwconv_s8_mve_whole_bytes), else k (more only for
//                 in-place shapes whose output rows outrun their input rows).
//   e.g. 48x48x16 3x3 s1: 5535 B; 48x48x48 3x3 s2: 3743 B; 24x24x96 s1: 1439 B, s2: 975 B;
//   12x12x96 s1: 3359 B; 6x6x192 s1: 1247 B; 3x3x336 s1: 623 B; 48x48x16 7x7 s1: 6911 B.


// The plane mode keeps the float epilogue only (MveRqF32): the TFLite instantiations never reach
// it (dwconv_s8_mve_run), this only makes the discarded calls type-check.
inline const float* dwconv_s8_mve_f32(const float* s) { return s; }
inline const float* dwconv_s8_mve_f32(const int32_t*) { return nullptr; }
// (Likewise the interleaved-rows mode is TFLite-only.)
inline const int32_t* dwconv_s8_mve_i32(const int32_t* s) { return s; }
inline const int32_t* dwconv_s8_mve_i32(const float*) { return nullptr; }

// TFLite epilogue of the channel-lane group routines (MveRqTfl; proof in mve_s8_common.h), per
// accumulator \acc (float, an exact integer; the bias included when SMALL): q5 = M, q6 = post
// (the block's vectors, loaded from wf + 32.. like lo/hi), q7 = int32 bias (!SMALL); q4 (loaded
// with the ls words, unused) is the temporary. The left shift by ls is folded into the block's
// float weights and bias (dwconv_s8_mve_block_setup: times 2^ls): every partial sum is then
// 2^ls times the exact integer partial sum, a multiple of 2^ls below 2^(24 + ls) in magnitude,
// so float32 still represents it exactly, and the final sum is acc * 2^ls < 2^30 (the selection's
// bound), exactly what VSHL by ls gave. VCVT.S32.F32 of an integer-valued float is exact. The clamp is the 16-bit one of mve_s8_common.h
// with VMOVLT (sign-extend the top halves) in place of VREV32: VQMOVNT, VMAX.S16 (act_min in the
// top halves), VMOVLT.S16, VMIN.S16 (act_max in the bottom halves); the clamp vector is VDUP of
// %[cl] = act_min << 16 | (act_max & 0xFFFF), kept in q7 when SMALL (the bias is then in the
// accumulators), else rebuilt in q4 per accumulator. The Ort instantiations pass %[cl] as the
// immediate 0 ("ri"), so it costs them no register; the TFLite lines are skipped by .if there.
#define FERRITE_RT_DW_MVE_TFL_OUT \
  "            vcvt.s32.f32 \\acc, \\acc\n" \
  "            .if %c[SMALL] == 0\n" \
  "              vadd.i32 \\acc, \\acc, q7\n" \
  "            .endif\n" \
  "            vqrdmulh.s32 q4, \\acc, q5\n" \
  "            vshr.s32 \\acc, \\acc, #31\n" \
  "            vadd.i32 \\acc, \\acc, q4\n" \
  "            vadd.i32 \\acc, \\acc, q4\n" \
  "            vrshl.s32 \\acc, \\acc, q6\n" \
  "            vadd.i32 \\acc, \\acc, %[zp]\n" \
  "            vqmovnt.s32 \\acc, \\acc\n" \
  "            .if %c[SMALL]\n" \
  "              vmax.s16 \\acc, \\acc, q7\n" \
  "              vmovlt.s16 \\acc, \\acc\n" \
  "              vmin.s16 \\acc, \\acc, q7\n" \
  "            .else\n" \
  "              vdup.32 q4, %[cl]\n" \
  "              vmax.s16 \\acc, \\acc, q4\n" \
  "              vmovlt.s16 \\acc, \\acc\n" \
  "              vmin.s16 \\acc, \\acc, q4\n" \
  "            .endif\n"
// The TFLite clamp vector (q7 when SMALL: the bias is in the accumulators) before the outputs.
#define FERRITE_RT_DW_MVE_TFL_PRE \
  "      .if %c[TFL] && %c[SMALL]\n" \
  "        vdup.32 q7, %[cl]\n" \
  "      .endif\n"

// The packed TFLite clamp operand (%[cl] above). Its asm operand is "ri" (the non-TFLite variants
// pass 0 without taking a register), so a value the compiler knows (constant-propagated kernel
// parameters) would become an immediate, and `vdup.32 qN, #imm` does not exist (the assembler
// refuses it: found with MCUNet's VWW model for Cortex-M55). The empty asm makes the value opaque,
// so it is always given in a register.
inline int32_t dwconv_s8_mve_tfl_cl(int32_t act_min, int32_t act_max) {
  int32_t cl = static_cast<int32_t>((static_cast<uint32_t>(act_min) << 16) | (static_cast<uint32_t>(act_max) & 0xFFFFu));
  __asm__("" : "+r"(cl));
  return cl;
}

// Band geometry shared by the scratch size and the kernel.
struct DwS8MveGeom {
  int32_t wp;    // padded columns per band row: (w_out - 1) * s + k
  int32_t hp;    // padded rows read: (h_out - 1) * s + k
  int32_t band;  // band rows (ring buffer of padded input rows); >= hp: the whole padded plane
};

// Last padded input row (input row + pad_top) that must be in the band before output row oh is
// computed and written: the k rows of its window and, because the kernel may run in place, every
// input row holding a slot that the row's outputs overwrite (pixels [oh*w_out, (oh+1)*w_out)).
inline int32_t dwconv_s8_mve_need(const ConvS8Params& p, int32_t oh) {
  const int32_t window = oh * p.stride_h + p.kh - 1;
  const int32_t slots = ((oh + 1) * p.w_out - 1) / p.w_in + p.pad_top;
  return slots > window ? slots : window;
}

// Planes of at most this many bytes (16 per padded pixel) are copied whole; larger ones go through
// the ring of rows.
constexpr int32_t kDwS8MveWholePlaneBytes = 4096;
// TFLite 3x3 stride-2 layers too narrow for the interleaved-rows mode (w_out < 16) keep the whole
// padded plane (as int8, dwconv_s8_mve_i8_run) up to 16 KB: converting a ring of float rows per
// block of 4 channels cost them more than the MACs (VWW's 24x24x32 -> 12x12: 40 % of the layer).
// The plane is scratch only while the layer runs; it is at most 16 * 31 * 31 bytes for square maps.
constexpr int32_t kDwS8MveWholePlaneBytesTflS2 = 16384;
inline int32_t dwconv_s8_mve_whole_bytes(const ConvS8Params& p, bool tfl) {
  return tfl && p.kh == 3 && p.kw == 3 && p.stride_h == 2 && p.stride_w == 2 && p.w_out < 16
             ? kDwS8MveWholePlaneBytesTflS2
             : kDwS8MveWholePlaneBytes;
}

inline DwS8MveGeom dwconv_s8_mve_geom(const ConvS8Params& p, int32_t whole_bytes = kDwS8MveWholePlaneBytes) {
  DwS8MveGeom g;
  g.wp = (p.w_out - 1) * p.stride_w + p.kw;
  g.hp = (p.h_out - 1) * p.stride_h + p.kh;
  if (16 * g.wp * g.hp <= whole_bytes) {
    g.band = g.hp;
  } else {
    int32_t b = p.kh;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t span = dwconv_s8_mve_need(p, oh) - oh * p.stride_h + 1;
      b = span > b ? span : b;
    }
    g.band = b < g.hp ? b : g.hp;
  }
  return g;
}

// Scratch: 15 bytes of alignment slack, 4 constant vectors (bias, scale, lo, hi), k*k float weight
// vectors and band * wp float vectors of 4 channels.


// One group of P (1..4) neighbouring outputs of one output row, 3x3 kernel, 4 channels, written in
// assembly (GCC 12 spills the accumulators of the intrinsic version). q0-q3: accumulators, q4-q6:
// the three weights of a tap row, q7: one band column. Per tap row each band column the group
// touches is loaded once and feeds every output it belongs to ((P-1)*S + 3 loads, 3*P FMAs).
// wf: [bias, scale, lo, hi, 9 taps] as float vectors (bias as int32 when !kSmall). r0..r2 (rows of
// the window at the group's first column) advance by P*S columns, yp by P*C.
template <int S, int P, bool kSmall, bool kPred, class Rq = MveRqF32>
__attribute__((always_inline)) inline void dwconv_s8_mve_group3(const float*& r0, const float*& r1, const float*& r2,
                                                                const float* wf, int8_t*& yp, int32_t C, int32_t zp,
                                                                uint32_t pred, int32_t cl) {
  __asm__ volatile(
      R"(
      .macro fe_fma%=, acc, i
        .if %c[P] > \i
          .if .Lfe_j - \i * %c[S] == 0
            vfma.f32 \acc, q7, q4
          .elseif .Lfe_j - \i * %c[S] == 1
            vfma.f32 \acc, q7, q5
          .elseif .Lfe_j - \i * %c[S] == 2
            vfma.f32 \acc, q7, q6
          .endif
        .endif
      .endm
      .macro fe_row%=, row
        vldrw.32 q4, [%[wf], #64 + .Lfe_ky * 48]
        vldrw.32 q5, [%[wf], #80 + .Lfe_ky * 48]
        vldrw.32 q6, [%[wf], #96 + .Lfe_ky * 48]
        .set .Lfe_j, 0
        .rept (%c[P] - 1) * %c[S] + 3
          .if .Lfe_j < %c[P] * %c[S]
            vldrw.32 q7, [\row, #.Lfe_j * 16]
          .elseif .Lfe_j == %c[P] * %c[S]
            vldrw.32 q7, [\row, #.Lfe_j * 16]!
          .else
            vldrw.32 q7, [\row, #(.Lfe_j - %c[P] * %c[S]) * 16]
          .endif
          fe_fma%= q0, 0
          fe_fma%= q1, 1
          fe_fma%= q2, 2
          fe_fma%= q3, 3
          .set .Lfe_j, .Lfe_j + 1
        .endr
        .set .Lfe_ky, .Lfe_ky + 1
      .endm
      .macro fe_out%=, acc, i
        .if %c[P] > \i
          .if %c[TFL]
)" FERRITE_RT_DW_MVE_TFL_OUT R"(
          .else
          .if %c[SMALL] == 0
            vcvt.s32.f32 \acc, \acc
            vadd.i32 \acc, \acc, q7
            vcvt.f32.s32 \acc, \acc
          .endif
          vmul.f32 \acc, \acc, q4
          vmaxnm.f32 \acc, \acc, q5
          vminnm.f32 \acc, \acc, q6
          vcvtn.s32.f32 \acc, \acc
          vadd.i32 \acc, \acc, %[zp]
          .endif
          .if %c[PRED]
            vpst
            vstrbt.32 \acc, [%[yp]]
          .else
            vstrb.32 \acc, [%[yp]]
          .endif
          add %[yp], %[yp], %[C]
        .endif
      .endm
      .if %c[SMALL]
        vldrw.32 q0, [%[wf]]
        .if %c[P] > 1
          vmov q1, q0
        .endif
        .if %c[P] > 2
          vmov q2, q0
        .endif
        .if %c[P] > 3
          vmov q3, q0
        .endif
      .else
        vmov.i32 q0, #0
        .if %c[P] > 1
          vmov.i32 q1, #0
        .endif
        .if %c[P] > 2
          vmov.i32 q2, #0
        .endif
        .if %c[P] > 3
          vmov.i32 q3, #0
        .endif
      .endif
      .set .Lfe_ky, 0
      fe_row%= %[r0]
      fe_row%= %[r1]
      fe_row%= %[r2]
      .if %c[TFL] == 0
        vldrw.32 q4, [%[wf], #16]
      .endif
      vldrw.32 q5, [%[wf], #32]
      vldrw.32 q6, [%[wf], #48]
      .if %c[SMALL] == 0
        vldrw.32 q7, [%[wf]]
      .endif
)" FERRITE_RT_DW_MVE_TFL_PRE R"(
      .if %c[PRED]
        vmsr p0, %[pred]
      .endif
      fe_out%= q0, 0
      fe_out%= q1, 1
      fe_out%= q2, 2
      fe_out%= q3, 3
      .purgem fe_fma%=
      .purgem fe_row%=
      .purgem fe_out%=
      )"
      : [r0] "+r"(r0), [r1] "+r"(r1), [r2] "+r"(r2), [yp] "+l"(yp)
      : [wf] "r"(wf), [C] "r"(C), [zp] "r"(zp), [pred] "r"(pred), [P] "i"(P), [S] "i"(S), [SMALL] "i"(kSmall ? 1 : 0),
        [PRED] "i"(kPred ? 1 : 0), [TFL] "i"(Rq::kTfl),
        [cl] "ri"(Rq::kTfl ? cl : 0)
      : "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "p0", "memory");
}

// The same for k = 5 and 7, tap by tap (k weight vectors do not fit in registers): per tap one
// weight load, then P column loads and P FMAs. rows: the k band rows at the row's column 0; coff:
// byte offset of the group's first column (advanced by P*S*16).
template <int K, int S, int P, bool kSmall, bool kPred, class Rq = MveRqF32>
__attribute__((always_inline)) inline void dwconv_s8_mve_groupk(const float* const* rows, int32_t& coff,
                                                                const float* wf, int8_t*& yp, int32_t C, int32_t zp,
                                                                uint32_t pred, int32_t cl) {
  const float* t0;
  const float* t1;
  __asm__ volatile(
      R"(
      .macro fe_fma%=, acc, i
        .if %c[P] > \i
          vldrw.32 q7, [%[t0], #(\i * %c[S] + .Lfe_kx) * 16]
          vfma.f32 \acc, q7, q4
        .endif
      .endm
      .macro fe_out%=, acc, i
        .if %c[P] > \i
          .if %c[TFL]
)" FERRITE_RT_DW_MVE_TFL_OUT R"(
          .else
          .if %c[SMALL] == 0
            vcvt.s32.f32 \acc, \acc
            vadd.i32 \acc, \acc, q7
            vcvt.f32.s32 \acc, \acc
          .endif
          vmul.f32 \acc, \acc, q4
          vmaxnm.f32 \acc, \acc, q5
          vminnm.f32 \acc, \acc, q6
          vcvtn.s32.f32 \acc, \acc
          vadd.i32 \acc, \acc, %[zp]
          .endif
          .if %c[PRED]
            vpst
            vstrbt.32 \acc, [%[yp]]
          .else
            vstrb.32 \acc, [%[yp]]
          .endif
          add %[yp], %[yp], %[C]
        .endif
      .endm
      .if %c[SMALL]
        vldrw.32 q0, [%[wf]]
        .if %c[P] > 1
          vmov q1, q0
        .endif
        .if %c[P] > 2
          vmov q2, q0
        .endif
        .if %c[P] > 3
          vmov q3, q0
        .endif
      .else
        vmov.i32 q0, #0
        .if %c[P] > 1
          vmov.i32 q1, #0
        .endif
        .if %c[P] > 2
          vmov.i32 q2, #0
        .endif
        .if %c[P] > 3
          vmov.i32 q3, #0
        .endif
      .endif
      .set .Lfe_ky, 0
      .rept %c[K]
        ldr %[t0], [%[rows], #.Lfe_ky * 4]
        add %[t0], %[t0], %[coff]
        add %[t1], %[wf], #64 + .Lfe_ky * %c[K] * 16
        .set .Lfe_kx, 0
        .rept %c[K]
          vldrw.32 q4, [%[t1], #.Lfe_kx * 16]
          fe_fma%= q0, 0
          fe_fma%= q1, 1
          fe_fma%= q2, 2
          fe_fma%= q3, 3
          .set .Lfe_kx, .Lfe_kx + 1
        .endr
        .set .Lfe_ky, .Lfe_ky + 1
      .endr
      add %[coff], %[coff], #%c[P] * %c[S] * 16
      .if %c[TFL] == 0
        vldrw.32 q4, [%[wf], #16]
      .endif
      vldrw.32 q5, [%[wf], #32]
      vldrw.32 q6, [%[wf], #48]
      .if %c[SMALL] == 0
        vldrw.32 q7, [%[wf]]
      .endif
)" FERRITE_RT_DW_MVE_TFL_PRE R"(
      .if %c[PRED]
        vmsr p0, %[pred]
      .endif
      fe_out%= q0, 0
      fe_out%= q1, 1
      fe_out%= q2, 2
      fe_out%= q3, 3
      .purgem fe_fma%=
      .purgem fe_out%=
      )"
      : [coff] "+r"(coff), [yp] "+l"(yp), [t0] "=&r"(t0), [t1] "=&r"(t1)
      : [rows] "r"(rows), [wf] "r"(wf), [C] "r"(C), [zp] "r"(zp), [pred] "r"(pred), [K] "i"(K), [P] "i"(P),
        [S] "i"(S), [SMALL] "i"(kSmall ? 1 : 0), [PRED] "i"(kPred ? 1 : 0), [TFL] "i"(Rq::kTfl),
        [cl] "ri"(Rq::kTfl ? cl : 0)
      : "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "p0", "memory");
}

// All output groups of one output row (4 outputs per group, then the 1-3 left). The rare block
// kinds (the tensor's last, partial block; biases beyond 2^23) go one output at a time, which keeps
// their code small (groups for them too cost VWW 8.7 kB of code for 0.02 instructions per MAC on
// two layers).
template <int K, int S, bool kSmall, bool kPred, class Rq = MveRqF32>
__attribute__((always_inline)) inline void dwconv_s8_mve_row(const float* const* rows, const float* wf, int8_t* yp,
                                                             int32_t w_out, int32_t C, int32_t zp, uint32_t pred,
                                                             int32_t cl) {
  // (Blocks with biases beyond 2^23 take the groups only for 3x3 TFLite layers, which have them:
  // elsewhere the extra group instantiations would cost kilobytes of code for rare blocks.)
  constexpr bool kFast = kSmall && !kPred;
  if (K == 3) {
    const float* r0 = rows[0];
    const float* r1 = rows[1];
    const float* r2 = rows[2];
    if (kFast) {
      // (The remainder comes from w_out, not from a loop counter: GCC 12 at -Os mis-derives the
      // value of a counter after a loop it turns into a low-overhead loop.)
      const int32_t groups = w_out >> 2, rem = w_out & 3;
      for (int32_t i = 0; i < groups; ++i) dwconv_s8_mve_group3<S, 4, kSmall, kPred, Rq>(r0, r1, r2, wf, yp, C, zp, pred, cl);
      if (rem == 3)
        dwconv_s8_mve_group3<S, 3, kSmall, kPred, Rq>(r0, r1, r2, wf, yp, C, zp, pred, cl);
      else if (rem == 2)
        dwconv_s8_mve_group3<S, 2, kSmall, kPred, Rq>(r0, r1, r2, wf, yp, C, zp, pred, cl);
      else if (rem == 1)
        dwconv_s8_mve_group3<S, 1, kSmall, kPred, Rq>(r0, r1, r2, wf, yp, C, zp, pred, cl);
    } else {
      for (int32_t i = 0; i < w_out; ++i) dwconv_s8_mve_group3<S, 1, kSmall, kPred, Rq>(r0, r1, r2, wf, yp, C, zp, pred, cl);
    }
  } else {
    int32_t coff = 0;
    if (kFast) {
      const int32_t groups = w_out >> 2, rem = w_out & 3;
      for (int32_t i = 0; i < groups; ++i) dwconv_s8_mve_groupk<K, S, 4, kSmall, kPred, Rq>(rows, coff, wf, yp, C, zp, pred, cl);
      if (rem == 3)
        dwconv_s8_mve_groupk<K, S, 3, kSmall, kPred, Rq>(rows, coff, wf, yp, C, zp, pred, cl);
      else if (rem == 2)
        dwconv_s8_mve_groupk<K, S, 2, kSmall, kPred, Rq>(rows, coff, wf, yp, C, zp, pred, cl);
      else if (rem == 1)
        dwconv_s8_mve_groupk<K, S, 1, kSmall, kPred, Rq>(rows, coff, wf, yp, C, zp, pred, cl);
    } else {
      for (int32_t i = 0; i < w_out; ++i) dwconv_s8_mve_groupk<K, S, 1, kSmall, kPred, Rq>(rows, coff, wf, yp, C, zp, pred, cl);
    }
  }
}

// Copies rows input rows of n pixels' 4 channels (c0.., stride C bytes; src: first pixel) as float
// into band rows (dst: first pixel's column); after each row src advances by src_adv and dst by
// dst_adv more bytes. Assembly: per pixel VLDRB.S32 (predicated to the block's channels when
// kPred), VCVT, VSTRW.
template <bool kPred>
__attribute__((always_inline)) inline void dwconv_s8_mve_copy_rows(const int8_t* src, float* dst, int32_t rows,
                                                                    int32_t n, int32_t C, int32_t src_adv,
                                                                    int32_t dst_adv, uint32_t pred) {
  __asm__ volatile(
      R"(
      .if %c[PRED]
        vmsr p0, %[pred]
      .endif
    1:
      ldr lr, %[n]
      wls lr, lr, 3f
    2:
      .if %c[PRED]
        vpst
        vldrbt.s32 q1, [%[src]]
      .else
        vldrb.s32 q1, [%[src]]
      .endif
      add %[src], %[src], %[C]
      vcvt.f32.s32 q1, q1
      vstrw.32 q1, [%[dst]], #16
      le lr, 2b
    3:
      ldr lr, %[sadv]
      add %[src], %[src], lr
      ldr lr, %[dadv]
      add %[dst], %[dst], lr
      ldr lr, %[rows]
      subs lr, lr, #1
      str lr, %[rows]
      bne 1b
      )"
      : [src] "+l"(src), [dst] "+r"(dst), [rows] "+m"(rows)
      : [n] "m"(n), [sadv] "m"(src_adv), [dadv] "m"(dst_adv), [C] "r"(C), [pred] "r"(pred),
        [PRED] "i"(kPred ? 1 : 0)
      : "q1", "p0", "lr", "cc", "memory");
}

// Brings padded row r (input row r - pad_top) into band row dst: the input pixels' 4 channels
// (c0..) as float from padded column iw0 + pad_left on, or the padding value for rows outside the
// input.
template <bool kPred>
__attribute__((always_inline)) inline void dwconv_s8_mve_copy_row(const ConvS8Params& p, const int8_t* x, int32_t ih,
                                                                   int32_t iw0, int32_t n, int32_t c0, float* dst,
                                                                   float32x4_t zpf, uint32_t pred) {
  dst += 4 * (iw0 + p.pad_left);
  if (n <= 0) return;
  if (ih < 0 || ih >= p.h_in) {
    for (int32_t i = 0; i < n; ++i) vst1q_f32(dst + 4 * i, zpf);
    return;
  }
  const int32_t C = p.c_out;
  const int8_t* src = x + (ih * p.w_in + iw0) * C + c0;
  dwconv_s8_mve_copy_rows<kPred>(src, dst, 1, n, C, 0, 0, pred);
}

// Whether block c0's packed biases fit the exact float accumulation (|bias| <= 2^23: S + bias stays
// below 2^24 in magnitude, as |S| <= 49 * 128 * 255 < 2^21).
inline bool dwconv_s8_mve_small_bias(const int32_t* bias, int32_t c0, int32_t C) {
  const int32_t nc = C - c0 < 4 ? C - c0 : 4;
  return vmaxavq_s32(0u, vldrwq_z_s32(bias + c0, vctp32q(static_cast<uint32_t>(nc)))) <= (1u << 23);
}

// Per block: the k*k weight vectors (int16) as float to wf + 16.., the bias (float when kSmall,
// else int32) to wf[0..4) and the scale to wf[4..8), channels past the tensor zero (kPred).
template <int K, bool kSmall, bool kPred, class Rq = MveRqF32>
__attribute__((always_inline)) inline void dwconv_s8_mve_block_setup(const int16_t* wb, const int32_t* bias,
                                                                      const typename Rq::Q* scale, float* wf,
                                                                      uint32_t pred) {
  float* wt = wf + 16;
  uint32_t t;
  __asm__ volatile(
      R"(
      @ fe_w: the weights as float (times q2 = float(2^ls) when scaled), then the bias (float when
      @ SMALL, times 2^ls when scaled; int32 shifted left by ls (q1) when scaled and not SMALL).
      .macro fe_w%=, scaled
        .rept %c[K] * %c[K]
          vldrh.s32 q0, [%[wb]], #8
          vcvt.f32.s32 q0, q0
          .if \scaled
            vmul.f32 q0, q0, q2
          .endif
          vstrw.32 q0, [%[wt]], #16
        .endr
        .if %c[PRED]
          vmsr p0, %[pred]
          vpst
          vldrwt.u32 q0, [%[bias]]
        .else
          vldrw.u32 q0, [%[bias]]
        .endif
        .if %c[SMALL]
          vcvt.f32.s32 q0, q0
          .if \scaled
            vmul.f32 q0, q0, q2
          .endif
        .elseif \scaled
          vshl.u32 q0, q0, q1
        .endif
      .endm
      .if %c[TFL]
        @ TFLite: q1 = ls; blocks whose ls are all 0 (the usual case) skip the scaling by 2^ls (see
        @ FERRITE_RT_DW_MVE_TFL_OUT)
        vldrw.u32 q1, [%[scale]]
        movs %[t], #0
        vmaxav.s32 %[t], q1
        cmp %[t], #0
        bne 1f
        fe_w%= 0
        b 2f
      1:
        vmov.i32 q2, #1
        vshl.u32 q2, q2, q1
        vcvt.f32.u32 q2, q2
        fe_w%= 1
      2:
      .else
        fe_w%= 0
        .if %c[PRED]
          vpst
          vldrwt.u32 q1, [%[scale]]
        .else
          vldrw.u32 q1, [%[scale]]
        .endif
      .endif
      vstrw.32 q0, [%[wf]]
      vstrw.32 q1, [%[wf], #16]
      .if %c[TFL]
        @ TFLite: the block's ls (q1, stored above), M, post vectors ([block][3][4], padded: no
        @ predicate needed)
        vldrw.u32 q1, [%[scale], #16]
        vstrw.32 q1, [%[wf], #32]
        vldrw.u32 q1, [%[scale], #32]
        vstrw.32 q1, [%[wf], #48]
      .endif
      .purgem fe_w%=
      )"
      : [wb] "+l"(wb), [wt] "+r"(wt), [t] "=&r"(t)
      : [bias] "r"(bias), [scale] "r"(scale), [wf] "r"(wf), [pred] "r"(pred), [K] "i"(K),
        [SMALL] "i"(kSmall ? 1 : 0), [PRED] "i"(kPred ? 1 : 0), [TFL] "i"(Rq::kTfl)
      : "q0", "q1", "q2", "p0", "cc", "memory");
}

// Blocks of 4 channels c0 = c_begin, c_begin + 4, ... < c_end (the last block of the tensor may
// have fewer: kPred). Per block: its float weights, bias and scale go to wf; band rows are brought
// in as the output rows need them, then each output row is computed.
template <int K, int S, bool kSmall, bool kPred, class Rq = MveRqF32>
__attribute__((noinline)) void dwconv_s8_mve_blocks(const ConvS8Params& p, const DwS8MveGeom& g, const int8_t* x,
                                                    const int16_t* w, const int32_t* bias,
                                                    const typename Rq::Q* scale, float* wf, float* band, int8_t* y,
                                                    int32_t c_begin, int32_t c_end) {
  // Locals: the assembly clobbers memory, so fields read through p or g would be reloaded.
  const int32_t C = p.c_out, h_in = p.h_in, w_in = p.w_in, h_out = p.h_out, w_out = p.w_out;
  const int32_t pad_top = p.pad_top, pad_left = p.pad_left, out_zp = p.out_zp;
  const int32_t cl = dwconv_s8_mve_tfl_cl(p.act_min, p.act_max);
  const int32_t wp = g.wp, hp = g.hp, B = g.band;
  const int32_t rowf = 4 * wp;
  const float32x4_t zpf = vdupq_n_f32(static_cast<float>(p.in_zp));
  // Input columns inside the band: padded column iw + pad_left in [0, wp).
  const int32_t iw0 = pad_left > 0 ? 0 : -pad_left;
  const int32_t iw1 = w_in < wp - pad_left ? w_in : wp - pad_left;
  const int32_t ncopy = iw1 - iw0;
  const int32_t row_out = w_out * C;
  // Whole-plane copies: input rows ih0..ih1-1.
  const int32_t ih0 = pad_top > 0 ? 0 : -pad_top;
  const int32_t ih1 = h_in < hp - pad_top ? h_in : hp - pad_top;
  const bool whole = B >= hp;
  const bool copy_whole = whole && ih1 > ih0 && ncopy > 0;
  const int32_t src0 = (ih0 * w_in + iw0) * C;
  float* const dst0 = band + (ih0 + pad_top) * rowf + 4 * (iw0 + pad_left);
  const int32_t sadv = (w_in - ncopy) * C, dadv = 4 * (rowf - 4 * ncopy);
  for (int32_t c0 = c_begin; c0 < c_end; c0 += 4) {
    const int32_t nc = C - c0 < 4 ? C - c0 : 4;
    const mve_pred16_t vpred = vctp32q(static_cast<uint32_t>(nc));
    const uint32_t pred = vpred;
    dwconv_s8_mve_block_setup<K, kSmall, kPred, Rq>(w + (c0 >> 2) * 4 * K * K, bias + c0, scale + c0 * Rq::kWords, wf,
                                                    pred);
    const float* rows[K];
    int8_t* yp = y + c0;
    if (whole) {
      // Small plane: copy its input rows (the padding rows and columns keep the padding value
      // written once per call), then every output row reads it in place.
      if (copy_whole) dwconv_s8_mve_copy_rows<kPred>(x + src0 + c0, dst0, ih1 - ih0, ncopy, C, sadv, dadv, pred);
      const float* r0 = band;
      for (int32_t oh = 0; oh < h_out; ++oh, r0 += S * rowf, yp += row_out) {
#pragma GCC unroll 7
        for (int ky = 0; ky < K; ++ky) rows[ky] = r0 + ky * rowf;
        dwconv_s8_mve_row<K, S, kSmall, kPred, Rq>(rows, wf, yp, w_out, C, out_zp, pred, cl);
      }
      continue;
    }
    // In-place bookkeeping: slot row of the last output pixel of row oh, ((oh+1)*w_out-1) / w_in,
    // kept as quotient and remainder.
    int32_t t = (w_out - 1) / w_in;
    int32_t t_rem = (w_out - 1) - t * w_in;
    int32_t next = 0, next_slot = 0, base_slot = 0;
    for (int32_t oh = 0; oh < h_out; ++oh) {
      int32_t need = oh * S + K - 1;
      need = t + pad_top > need ? t + pad_top : need;
      for (; next <= need; ++next) {
        if (next < hp)
          dwconv_s8_mve_copy_row<kPred>(p, x, next - pad_top, iw0, ncopy, c0, band + next_slot * rowf, zpf, pred);
        next_slot = next_slot + 1 == B ? 0 : next_slot + 1;
      }
#pragma GCC unroll 7
      for (int ky = 0; ky < K; ++ky) {
        const int32_t sl = base_slot + ky < B ? base_slot + ky : base_slot + ky - B;
        rows[ky] = band + sl * rowf;
      }
      dwconv_s8_mve_row<K, S, kSmall, kPred, Rq>(rows, wf, yp, w_out, C, out_zp, pred, cl);
      yp += row_out;
      base_slot = base_slot + S < B ? base_slot + S : base_slot + S - B;
      t_rem += w_out;
      while (t_rem >= w_in) {
        t_rem -= w_in;
        ++t;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Plane mode (3x3, wider outputs): one channel at a time through an int8 zero-point-padded plane,
// 4 output pixels of the channel per int32 vector, each tap one VLDRB.S32 of 4 plane bytes and one
// VMLA by the tap weight held in a core register. The plane pitch is a compile-time constant so
// that all 9 taps are immediate offsets from one pointer (at the window's middle row; VLDRB offsets
// reach +-127). Stride 2 keeps even and odd padded columns in the two halves of each plane row.

// Plane pitch for p (0: plane mode does not apply). S1: pitch >= wq + 2; S2: half >= wq + 1.
inline int32_t dwconv_s8_mve_plane_pitch(const ConvS8Params& p) {
  if (p.kh != 3 || p.kw != 3 || p.c_out > 4096 || p.w_out < (p.stride_w == 1 ? 16 : 8)) return 0;
  const int32_t wq = (p.w_out + 3) & ~3;
  static const int32_t kPitch1[] = {16, 32, 64, 124};
  static const int32_t kHalf2[] = {8, 16, 32, 42};
  for (int i = 0; i < 4; ++i) {
    if (p.stride_w == 1 && kPitch1[i] >= wq + 2) return kPitch1[i];
    if (p.stride_w == 2 && kHalf2[i] >= wq + 1) return 2 * kHalf2[i];
  }
  return 0;
}

// Plane (rows x pitch + 16 slack) and one channel's outputs (h_out rows of round_up(w_out, 4)).
inline size_t dwconv_s8_mve_plane_bytes(const ConvS8Params& p, int32_t pitch) {
  return static_cast<size_t>((p.h_out - 1) * p.stride_h + 3) * static_cast<size_t>(pitch) + 16 +
         static_cast<size_t>(p.h_out) * static_cast<size_t>((p.w_out + 3) & ~3);
}

// All output rows of one channel into ob (rows of wq = 4 * groups bytes; the last group of a row
// may compute up to 3 extra lanes from plane slack). r0: plane row 1 (middle row of output row
// 0's window). wc: the channel's 9 int16 weights at a stride of 8 bytes ([block][tap][4] packing),
// loaded into r4-r6, r8-r10, r12 and two compiler-chosen registers; lo/hi/scale/zp/bias:
// broadcast vectors. Per group of 4 outputs: 9 VLDRB.S32 + 9 VMLA, requantization (7) and one
// contiguous store.
template <int S, int PITCH>
__attribute__((always_inline)) inline void dwconv_s8_mve_plane_channel(const int8_t* r0, int8_t* ob,
                                                                       const int16_t* wc, int32_t groups,
                                                                       int32_t rowadj, int32_t rows,
                                                                       float32x4_t lo, float32x4_t hi,
                                                                       float32x4_t scale, int32x4_t zp,
                                                                       int32x4_t bias) {
  int32_t w7;
  __asm__ volatile(
      R"(
      .macro fe_tap%=, ky, kx, wr
        .if %c[S] == 1
          vldrb.s32 q1, [%[r0], #(\ky - 1) * %c[PITCH] + \kx]
        .else
          vldrb.s32 q1, [%[r0], #(\ky - 1) * %c[PITCH] + (\kx & 1) * (%c[PITCH] / 2) + (\kx >> 1)]
        .endif
        vmla.s32 q0, q1, \wr
      .endm
      ldrsh r4, [%[wc], #0]
      ldrsh r5, [%[wc], #8]
      ldrsh r6, [%[wc], #16]
      ldrsh r8, [%[wc], #24]
      ldrsh r9, [%[wc], #32]
      ldrsh r10, [%[wc], #40]
      ldrsh r12, [%[wc], #48]
      ldrsh %[w7], [%[wc], #56]
      ldrsh %[wc], [%[wc], #64]
    1:
      ldr lr, %[groups]
      dls lr, lr
    2:
      vmov q0, %q[bias]
      fe_tap%= 0, 0, r4
      fe_tap%= 0, 1, r5
      fe_tap%= 0, 2, r6
      fe_tap%= 1, 1, r9
      fe_tap%= 1, 2, r10
      fe_tap%= 2, 0, r12
      fe_tap%= 2, 1, %[w7]
      fe_tap%= 2, 2, %[wc]
      vldrb.s32 q1, [%[r0]], #4
      vmla.s32 q0, q1, r8
      vcvt.f32.s32 q0, q0
      vmul.f32 q0, q0, %q[scale]
      vmaxnm.f32 q0, q0, %q[lo]
      vminnm.f32 q0, q0, %q[hi]
      vcvtn.s32.f32 q0, q0
      vadd.i32 q0, q0, %q[zp]
      vstrb.32 q0, [%[ob]], #4
      le lr, 2b
      ldr lr, %[rowadj]
      add %[r0], %[r0], lr
      ldr lr, %[rows]
      subs lr, lr, #1
      str lr, %[rows]
      bne 1b
      .purgem fe_tap%=
      )"
      : [r0] "+l"(r0), [ob] "+l"(ob), [wc] "+r"(wc), [w7] "=&r"(w7), [rows] "+m"(rows)
      : [groups] "m"(groups), [rowadj] "m"(rowadj), [lo] "w"(lo), [hi] "w"(hi), [scale] "w"(scale), [zp] "w"(zp),
        [bias] "w"(bias), [S] "i"(S), [PITCH] "i"(PITCH)
      : "r4", "r5", "r6", "r8", "r9", "r10", "r12", "q0", "q1", "lr", "cc", "memory");
}

// Gathers rows input rows of one channel into the plane (assembly: GCC 12 recomputes trip counts
// and predicates per row). xrow: input (ih0, iw0, c); prow: plane position of that pixel (stride 1)
// or of its pair of padded columns (stride 2: P >> 1 with P = iw0 + pad_left). Per 8 input pixels
// one VLDRB.U16 gather with offsets goff (c <= 4096 keeps them in 16 bits) and one store: stride 1
// contiguous, stride 2 a scatter (soff) of the even and odd padded columns into the two halves of
// the plane row. The last n % 8 pixels of a row go under the lane predicate tail (0: none).
template <int S, int PITCH>
__attribute__((always_inline)) inline void dwconv_s8_mve_plane_gather(const int8_t* xrow, int8_t* prow, int32_t rows,
                                                                       int32_t nfull, uint32_t tail, int32_t step,
                                                                       int32_t xrow_bytes, uint16x8_t goff,
                                                                       uint16x8_t soff) {
  const int8_t* sp;
  int8_t* dp;
  __asm__ volatile(
      R"(
    1:
      mov %[sp], %[xrow]
      mov %[dp], %[prow]
      wls lr, %[nfull], 3f
    2:
      vldrb.u16 q1, [%[sp], %q[goff]]
      add %[sp], %[sp], %[step]
      .if %c[S] == 1
        vstrb.16 q1, [%[dp]], #8
      .else
        vstrb.16 q1, [%[dp], %q[soff]]
        add %[dp], %[dp], #4
      .endif
      le lr, 2b
    3:
      cbz %[tail], 4f
      vmsr p0, %[tail]
      vpst
      vldrbt.u16 q1, [%[sp], %q[goff]]
      vpst
      .if %c[S] == 1
        vstrbt.16 q1, [%[dp]]
      .else
        vstrbt.16 q1, [%[dp], %q[soff]]
      .endif
    4:
      add %[xrow], %[xrow], %[xrb]
      add %[prow], %[prow], #%c[PITCH]
      subs %[rows], %[rows], #1
      bne 1b
      )"
      : [xrow] "+r"(xrow), [prow] "+r"(prow), [sp] "=&r"(sp), [dp] "=&l"(dp), [rows] "+r"(rows)
      : [nfull] "r"(nfull), [tail] "l"(tail), [xrb] "r"(xrow_bytes), [step] "r"(step), [goff] "w"(goff),
        [soff] "w"(soff), [S] "i"(S), [PITCH] "i"(PITCH)
      : "q1", "p0", "lr", "cc", "memory");
}

template <int S, int PITCH>
__attribute__((noinline)) void dwconv_s8_mve_plane_run(const ConvS8Params& p, const int8_t* x, const int8_t* w,
                                                       const int32_t* bias, const float* scale, int8_t* y,
                                                       void* scratch) {
  const int32_t C = p.c_out;
  const int32_t hp = (p.h_out - 1) * S + 3;
  int8_t* const plane =
      reinterpret_cast<int8_t*>((reinterpret_cast<uintptr_t>(scratch) + 15) & ~static_cast<uintptr_t>(15));
  {
    const int8x16_t zpv = vdupq_n_s8(static_cast<int8_t>(p.in_zp));
    const int32_t total = hp * PITCH + 16;
    for (int32_t i = 0; i + 16 <= total; i += 16) vst1q_s8(plane + i, zpv);
  }
  const int32_t groups = (p.w_out + 3) >> 2, wq = 4 * groups;
  int8_t* const ob = plane + hp * PITCH + 16;  // outputs of one channel, rows of wq bytes
  const int32_t rowadj = S * PITCH - wq;
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(p.act_min - p.out_zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(p.act_max - p.out_zp));
  const int32x4_t zp = vdupq_n_s32(p.out_zp);
  const uint16x8_t soff = vmulq_n_u16(vidupq_n_u16(0, 1), static_cast<uint16_t>(C));
  const int32_t pixels = p.h_out * p.w_out;
  // Input rows/columns that land inside the plane (padded index = input index + pad).
  const int32_t ih0 = p.pad_top > 0 ? 0 : -p.pad_top;
  const int32_t ih1 = p.h_in < hp - p.pad_top ? p.h_in : hp - p.pad_top;
  const int32_t iw0 = p.pad_left > 0 ? 0 : -p.pad_left;
  const int32_t iw1 = p.w_in < PITCH - p.pad_left ? p.w_in : PITCH - p.pad_left;
  // Gather geometry (see dwconv_s8_mve_plane_gather).
  const int32_t ncols = iw1 - iw0;
  const int32_t nfull = ncols > 0 ? ncols >> 3 : 0;
  const uint16x8_t lane = vidupq_n_u16(0, 1);
  uint16x8_t goff, poff;
  uint32_t tail;
  int32_t dst0;
  if (S == 1) {
    goff = vmulq_n_u16(lane, static_cast<uint16_t>(C));
    poff = lane;
    tail = ncols > 0 && (ncols & 7) ? vctp16q(static_cast<uint32_t>(ncols & 7)) : 0u;
    dst0 = iw0 + p.pad_left;
  } else {
    // Lanes 0-3: input columns 0, 2, 4, 6 of the run; lanes 4-7: columns 1, 3, 5, 7.
    const uint16x8_t col = vaddq_u16(vshlq_n_u16(vandq_u16(lane, vdupq_n_u16(3)), 1), vshrq_n_u16(lane, 2));
    goff = vmulq_n_u16(col, static_cast<uint16_t>(C));
    const int32_t p0 = iw0 + p.pad_left;
    // Column iw0 + k has padded column p0 + k: half (p0 + k) & 1, index (p0 + k) >> 1 = (p0 >> 1) +
    // ((p0 & 1) + k) >> 1.
    const uint16x8_t pk = vaddq_n_u16(col, static_cast<uint16_t>(p0 & 1));
    poff = vaddq_u16(vmulq_n_u16(vandq_u16(pk, vdupq_n_u16(1)), static_cast<uint16_t>(PITCH / 2)),
                     vshrq_n_u16(pk, 1));
    tail = ncols > 0 && (ncols & 7)
               ? vcmpltq_n_s16(vreinterpretq_s16_u16(col), static_cast<int16_t>(ncols & 7))
               : 0u;
    dst0 = p0 >> 1;
  }
  const int32_t step = 8 * C;
  const int32_t xrow_bytes = p.w_in * C;
  const int16_t* wb = reinterpret_cast<const int16_t*>(w);
  for (int32_t c = 0; c < C; ++c) {
    if (ih1 > ih0 && ncols > 0)
      dwconv_s8_mve_plane_gather<S, PITCH>(x + (ih0 * p.w_in + iw0) * C + c, plane + (ih0 + p.pad_top) * PITCH + dst0,
                                           ih1 - ih0, nfull, tail, step, xrow_bytes, goff, poff);
    dwconv_s8_mve_plane_channel<S, PITCH>(plane + PITCH, ob, wb + (c >> 2) * 36 + (c & 3), groups, rowadj,
                                          p.h_out, lo, hi, vdupq_n_f32(scale[c]), zp, vdupq_n_s32(bias[c]));
    // Channel c's outputs to their NHWC slots (8 per VSTRB.16 scatter, offsets {0, C, ..., 7C}).
    uint8_t* yc = reinterpret_cast<uint8_t*>(y + c);
    // (Counts left after the loops come from the shape, not from loop counters: see
    // dwconv_s8_mve_row.)
    if (wq == p.w_out) {
      const uint8_t* o = reinterpret_cast<const uint8_t*>(ob);
      for (int32_t i = 0; i < pixels >> 3; ++i, o += 8, yc += 8 * C)
        vstrbq_scatter_offset_u16(yc, soff, vldrbq_u16(o));
      if (pixels & 7) {
        const mve_pred16_t pr = vctp16q(static_cast<uint32_t>(pixels & 7));
        vstrbq_scatter_offset_p_u16(yc, soff, vldrbq_z_u16(o, pr), pr);
      }
    } else {
      for (int32_t oh = 0; oh < p.h_out; ++oh) {
        const uint8_t* o = reinterpret_cast<const uint8_t*>(ob) + oh * wq;
        for (int32_t i = 0; i < p.w_out >> 3; ++i, o += 8, yc += 8 * C)
          vstrbq_scatter_offset_u16(yc, soff, vldrbq_u16(o));
        if (p.w_out & 7) {
          const mve_pred16_t pr = vctp16q(static_cast<uint32_t>(p.w_out & 7));
          vstrbq_scatter_offset_p_u16(yc, soff, vldrbq_z_u16(o, pr), pr);
          yc += (p.w_out & 7) * C;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small 3x3 maps, stride 1 or 2 (channel-lane mode with the whole padded plane in scratch): the plane is
// kept as int8, 16 channels per padded pixel ([hp][wp][16] bytes, the same bytes as the float band
// of one block of 4), copied once per chunk of 16 channels (one 16-byte load and store per pixel
// instead of a widening load, a conversion and a store per pixel and block of 4). The group
// routine widens each band column on the fly (VLDRB.S32 + VCVT, exact: int8 values) and otherwise
// computes exactly what dwconv_s8_mve_group3 computes (same float sums of exact integer products).
// In place: a chunk's input is copied before any of its outputs is written, and outputs only
// overwrite the chunk's own channels.
// kPair (TFLite, small biases, no lane predicate, activation range the whole int8 range): outputs
// 0/1 and 2/3 are finished in pairs: after the rounding shift VQMOVNB.S32 / VQMOVNT.S32 put both
// into one int16 vector (halfword 2k: channel k of the first output, 2k + 1: of the second; int16
// saturation), VQADD.S16 adds out_zp, VQMOVNB.S16 saturates to int8, and one VSTRB.16 scatter
// (offsets off8 = {0, C, 1, C + 1, 2, C + 2, 3, C + 3}) stores the 8 bytes: 7 instructions per pair
// after the shift instead of 14. Exact: the reference's result is clamp(v + zp, -128, 127) =
// sat8(v + zp); sat16(v) + zp (|zp| <= 128) saturates to the same int8 (see conv1x1_s8_mve_tfl_pairs8).
// A third output (P = 3) takes the usual path.
template <int S, int P, bool kSmall, bool kPred, class Rq = MveRqF32, bool kPair = false>
__attribute__((always_inline)) inline void dwconv_s8_mve_group3_i8(const int8_t*& r0, const int8_t*& r1,
                                                                   const int8_t*& r2, const float* wf, int8_t*& yp,
                                                                   int32_t C, int32_t zp, uint32_t pred, int32_t cl,
                                                                   const uint16_t* off8 = nullptr) {
  static_assert(!kPair || (Rq::kTfl && kSmall && !kPred), "the pair epilogue: TFLite, small biases, no predicate");
  static_assert(P >= 1 && P * S <= 6 && P <= 4, "VLDRB immediate offsets reach 127");
  __asm__ volatile(
      R"(
      .macro fe_fma%=, acc, i
        .if %c[P] > \i
          .if .Lfe_j - \i * %c[S] == 0
            vfma.f32 \acc, q7, q4
          .elseif .Lfe_j - \i * %c[S] == 1
            vfma.f32 \acc, q7, q5
          .elseif .Lfe_j - \i * %c[S] == 2
            vfma.f32 \acc, q7, q6
          .endif
        .endif
      .endm
      .macro fe_row%=, row
        vldrw.32 q4, [%[wf], #64 + .Lfe_ky * 48]
        vldrw.32 q5, [%[wf], #80 + .Lfe_ky * 48]
        vldrw.32 q6, [%[wf], #96 + .Lfe_ky * 48]
        .set .Lfe_j, 0
        .rept (%c[P] - 1) * %c[S] + 3
          .if .Lfe_j < %c[P] * %c[S]
            vldrb.s32 q7, [\row, #.Lfe_j * 16]
          .elseif .Lfe_j == %c[P] * %c[S]
            vldrb.s32 q7, [\row, #.Lfe_j * 16]!
          .else
            vldrb.s32 q7, [\row, #(.Lfe_j - %c[P] * %c[S]) * 16]
          .endif
          vcvt.f32.s32 q7, q7
          fe_fma%= q0, 0
          fe_fma%= q1, 1
          fe_fma%= q2, 2
          fe_fma%= q3, 3
          .set .Lfe_j, .Lfe_j + 1
        .endr
        .set .Lfe_ky, .Lfe_ky + 1
      .endm
      .macro fe_pair%=, a, b
        .irp acc, \a, \b
          vcvt.s32.f32 \acc, \acc
          vqrdmulh.s32 q4, \acc, q5
          vshr.s32 \acc, \acc, #31
          vadd.i32 \acc, \acc, q4
          vadd.i32 \acc, \acc, q4
          vrshl.s32 \acc, \acc, q6
        .endr
        vqmovnb.s32 \a, \a
        vqmovnt.s32 \a, \b
        vqadd.s16 \a, \a, %[zp]
        vqmovnb.s16 \a, \a
        vstrb.16 \a, [%[yp], q7]
        add %[yp], %[yp], %[C]
        add %[yp], %[yp], %[C]
      .endm
      .macro fe_out%=, acc, i
        .if %c[P] > \i
          .if %c[TFL]
)" FERRITE_RT_DW_MVE_TFL_OUT R"(
          .else
          .if %c[SMALL] == 0
            vcvt.s32.f32 \acc, \acc
            vadd.i32 \acc, \acc, q7
            vcvt.f32.s32 \acc, \acc
          .endif
          vmul.f32 \acc, \acc, q4
          vmaxnm.f32 \acc, \acc, q5
          vminnm.f32 \acc, \acc, q6
          vcvtn.s32.f32 \acc, \acc
          vadd.i32 \acc, \acc, %[zp]
          .endif
          .if %c[PRED]
            vpst
            vstrbt.32 \acc, [%[yp]]
          .else
            vstrb.32 \acc, [%[yp]]
          .endif
          add %[yp], %[yp], %[C]
        .endif
      .endm
      .if %c[SMALL]
        vldrw.32 q0, [%[wf]]
        .if %c[P] > 1
          vmov q1, q0
        .endif
        .if %c[P] > 2
          vmov q2, q0
        .endif
        .if %c[P] > 3
          vmov q3, q0
        .endif
      .else
        vmov.i32 q0, #0
        .if %c[P] > 1
          vmov.i32 q1, #0
        .endif
        .if %c[P] > 2
          vmov.i32 q2, #0
        .endif
        .if %c[P] > 3
          vmov.i32 q3, #0
        .endif
      .endif
      .set .Lfe_ky, 0
      fe_row%= %[r0]
      fe_row%= %[r1]
      fe_row%= %[r2]
      .if %c[TFL] == 0
        vldrw.32 q4, [%[wf], #16]
      .endif
      vldrw.32 q5, [%[wf], #32]
      vldrw.32 q6, [%[wf], #48]
      .if %c[SMALL] == 0
        vldrw.32 q7, [%[wf]]
      .endif
)" FERRITE_RT_DW_MVE_TFL_PRE R"(
      .if %c[PRED]
        vmsr p0, %[pred]
      .endif
      .if %c[PAIR] && %c[P] >= 2
        vldrw.u32 q7, [%[off8]]
        fe_pair%= q0, q1
        .if %c[P] == 4
          fe_pair%= q2, q3
        .elseif %c[P] == 3
          vdup.32 q7, %[cl]
          fe_out%= q2, 2
        .endif
      .else
        fe_out%= q0, 0
        fe_out%= q1, 1
        fe_out%= q2, 2
        fe_out%= q3, 3
      .endif
      .purgem fe_fma%=
      .purgem fe_row%=
      .purgem fe_out%=
      .purgem fe_pair%=
      )"
      : [r0] "+l"(r0), [r1] "+l"(r1), [r2] "+l"(r2), [yp] "+l"(yp)
      : [wf] "r"(wf), [C] "r"(C), [zp] "r"(zp), [pred] "r"(pred), [P] "i"(P), [S] "i"(S), [SMALL] "i"(kSmall ? 1 : 0),
        [PRED] "i"(kPred ? 1 : 0), [TFL] "i"(Rq::kTfl), [PAIR] "i"(kPair ? 1 : 0),
        [off8] "ri"(kPair ? reinterpret_cast<uintptr_t>(off8) : uintptr_t{0}),
        [cl] "ri"(Rq::kTfl ? cl : 0)
      : "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "p0", "memory");
}

// Arguments shared by the blocks of the small-map path.
struct DwS8MveI8 {
  const int8_t* plane;  // int8 plane, [hp][wp][16]
  const int16_t* w;     // packed weights
  const int32_t* bias;
  const void* scale;  // the policy's requantization operand (Rq::Q)
  float* wf;
  int8_t* y;
  int32_t rowb, h_out, w_out, C, zp, amin, amax;
};

// Blocks of 4 channels c0 = c_begin, c_begin + 4, ... < c_end inside the chunk of 16 channels that
// starts at c16 (all of the same bias class; kPred: the tensor's last, partial block): per block its
// weights to wf, then every output row in groups of G = 4 (stride 1) or 3 (stride 2: VLDRB offsets
// reach 127 bytes, 7 columns of 16) outputs, the tensor's last, partial block one output at a time.
// kPair: the pair epilogue of dwconv_s8_mve_group3_i8 (TFLite, small biases, full int8 activation range).
template <int S, bool kSmall, bool kPred, class Rq = MveRqF32, bool kPair = false>
__attribute__((noinline)) void dwconv_s8_mve_i8_blocks(const DwS8MveI8& a, int32_t c16, int32_t c_begin,
                                                         int32_t c_end) {
  const int32_t C = a.C, zp = a.zp, h_out = a.h_out, w_out = a.w_out, rowb = a.rowb;
  const int32_t cl = dwconv_s8_mve_tfl_cl(a.amin, a.amax);
  const auto* const scale = static_cast<const typename Rq::Q*>(a.scale);
  float* const wf = a.wf;
  // Large-bias blocks (!kSmall) run in groups too: their accumulators start at 0 and each output
  // adds its int32 bias after VCVT.S32 (exact, as one output at a time); only the tensor's last,
  // partial block (kPred) goes one output at a time.
  constexpr bool kFast = !kPred;
  // (Counts from w_out, never from a loop counter after its loop: see dwconv_s8_mve_row.)
  constexpr int G = S == 1 ? 4 : 3;  // outputs per group
  const int32_t groups = kFast ? w_out / G : 0, rem = kFast ? w_out - G * (w_out / G) : 0;
  // (Only the tensor's last block, kPred, needs a lane predicate.)
  const uint32_t pred = kPred ? static_cast<uint32_t>(vctp32q(static_cast<uint32_t>(C - c_begin))) : 0u;
  alignas(16) uint16_t offs[8];
  const uint16_t* off8 = nullptr;
  if (kPair) {
    for (int k = 0; k < 4; ++k) {
      offs[2 * k] = static_cast<uint16_t>(k);
      offs[2 * k + 1] = static_cast<uint16_t>(C + k);
    }
    off8 = offs;
  }
  for (int32_t c0 = c_begin; c0 < c_end; c0 += 4) {
    dwconv_s8_mve_block_setup<3, kSmall, kPred, Rq>(a.w + (c0 >> 2) * 36, a.bias + c0, scale + c0 * Rq::kWords, wf,
                                                    pred);
    const int8_t* plane = a.plane + (c0 - c16);
    int8_t* y = a.y + c0;
    if (kFast && w_out == G) {  // one group per row (e.g. 6x6 -> 3x3): the short loop
      for (int32_t oh = 0; oh < h_out; ++oh) {
        const int8_t* r0 = plane;
        const int8_t* r1 = plane + rowb;
        const int8_t* r2 = r1 + rowb;
        int8_t* yp = y;
        dwconv_s8_mve_group3_i8<S, G, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
        plane = r1 + (S - 1) * rowb - G * S * 16;
        y = yp;
      }
      continue;
    }
    if (S == 1 && kFast && w_out == 3) {  // one 3-output group per row (e.g. 3x3 maps): the short loop
      for (int32_t oh = 0; oh < h_out; ++oh) {
        const int8_t* r0 = plane;
        const int8_t* r1 = plane + rowb;
        const int8_t* r2 = r1 + rowb;
        int8_t* yp = y;
        dwconv_s8_mve_group3_i8<S, 3, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
        plane = r1 - 3 * 16;
        y = yp;
      }
      continue;
    }
    // Each group advances the row pointers by S * 16 bytes per output and yp by C per output:
    // the next output row starts at r1 + (S - 1) * rowb - 16 * S * w_out, its outputs at yp.
    for (int32_t oh = 0; oh < h_out; ++oh) {
      const int8_t* r0 = plane;
      const int8_t* r1 = plane + rowb;
      const int8_t* r2 = r1 + rowb;
      int8_t* yp = y;
      if (kFast) {
        for (int32_t i = 0; i < groups; ++i)
          dwconv_s8_mve_group3_i8<S, G, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
        if (S == 1 && rem == 3)
          dwconv_s8_mve_group3_i8<S, 3, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
        else if (rem == 2)
          dwconv_s8_mve_group3_i8<S, 2, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
        else if (rem == 1)
          dwconv_s8_mve_group3_i8<S, 1, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
      } else {
        for (int32_t i = 0; i < w_out; ++i)
          dwconv_s8_mve_group3_i8<S, 1, kSmall, kPred, Rq, kPair>(r0, r1, r2, wf, yp, C, zp, pred, cl, off8);
      }
      plane = r1 + (S - 1) * rowb - 16 * S * w_out;
      y = yp;
    }
  }
}

// The full blocks [c16, cf) of a chunk whose bias classes differ: runs of blocks of the same class,
// one call each (each block's class tested once).
template <int S, class Rq, bool kPair = false>
__attribute__((noinline)) void dwconv_s8_mve_i8_mixed(const DwS8MveI8& a, int32_t c16, int32_t cf) {
  bool small = dwconv_s8_mve_small_bias(a.bias, c16, a.C);
  for (int32_t c0 = c16; c0 < cf;) {
    int32_t c1 = c0 + 4;
    bool next = small;
    while (c1 < cf) {
      next = dwconv_s8_mve_small_bias(a.bias, c1, a.C);
      if (next != small) break;
      c1 += 4;
    }
    if (small)
      dwconv_s8_mve_i8_blocks<S, true, false, Rq, kPair>(a, c16, c0, c1);
    else
      dwconv_s8_mve_i8_blocks<S, false, false, Rq>(a, c16, c0, c1);
    c0 = c1;
    small = next;
  }
}

// The whole small 3x3 layer: wf as in channel-lane mode, then the int8 plane (hp * wp * 16
// bytes: the band's bytes, so the scratch size is the channel-lane one).
template <int S, class Rq = MveRqF32>
__attribute__((noinline)) void dwconv_s8_mve_i8_run(const ConvS8Params& p, const DwS8MveGeom& g,
                                                             const int8_t* x, const int8_t* w, const int32_t* bias,
                                                             const typename Rq::Q* scale, int8_t* y, float* wf) {
  int8_t* const plane = reinterpret_cast<int8_t*>(wf + 4 * (4 + 9));
  const int32_t wp = g.wp, hp = g.hp, C = p.c_out, w_in = p.w_in, pad_top = p.pad_top, pad_left = p.pad_left;
  const int32_t rowb = 16 * wp;
  const int8x16_t zpv = vdupq_n_s8(static_cast<int8_t>(p.in_zp));
  for (int32_t i = 0; i < hp * wp; ++i) vst1q_s8(plane + 16 * i, zpv);
  vst1q_f32(wf + 8, vdupq_n_f32(static_cast<float>(p.act_min - p.out_zp)));
  vst1q_f32(wf + 12, vdupq_n_f32(static_cast<float>(p.act_max - p.out_zp)));
  const int32_t ih0 = pad_top > 0 ? 0 : -pad_top;
  const int32_t ih1 = p.h_in < hp - pad_top ? p.h_in : hp - pad_top;
  const int32_t iw0 = pad_left > 0 ? 0 : -pad_left;
  const int32_t iw1 = w_in < wp - pad_left ? w_in : wp - pad_left;
  const DwS8MveI8 a{plane, reinterpret_cast<const int16_t*>(w), bias, scale, wf, y, rowb, p.h_out, p.w_out, C,
                      p.out_zp, p.act_min, p.act_max};
  // Usually every packed bias is small: the full blocks of each chunk in one call.
  const int32_t cfull = C & ~3;
  uint32_t maxabs = 0;
  for (int32_t c0 = 0; c0 < cfull; c0 += 4) maxabs = vmaxavq_s32(maxabs, vldrwq_s32(bias + c0));
  const bool all_small = maxabs <= (1u << 23);
  // The pair epilogue (TFLite only) needs the whole int8 activation range, and C + 3 in uint16.
  const bool full = Rq::kTfl && p.act_min <= -128 && p.act_max >= 127 && C <= 65532;
  for (int32_t c16 = 0; c16 < C; c16 += 16) {
    const int32_t n = C - c16 < 16 ? C - c16 : 16;
    const mve_pred16_t pr8 = vctp8q(static_cast<uint32_t>(n));
    for (int32_t ih = ih0; ih < ih1; ++ih) {
      const int8_t* src = x + (ih * w_in + iw0) * C + c16;
      int8_t* dst = plane + (ih + pad_top) * rowb + 16 * (iw0 + pad_left);
      if (n == 16) {
        for (int32_t iw = iw0; iw < iw1; ++iw, src += C, dst += 16) vst1q_s8(dst, vld1q_s8(src));
      } else {
        for (int32_t iw = iw0; iw < iw1; ++iw, src += C, dst += 16) vstrbq_p_s8(dst, vldrbq_z_s8(src, pr8), pr8);
      }
    }
    const int32_t cend = c16 + n, cf = cend < cfull ? cend : cfull;
    if (all_small) {
      if (cf > c16) {
        if (full)
          dwconv_s8_mve_i8_blocks<S, true, false, Rq, Rq::kTfl != 0>(a, c16, c16, cf);
        else
          dwconv_s8_mve_i8_blocks<S, true, false, Rq>(a, c16, c16, cf);
      }
    } else if (cf > c16) {
      if (full)
        dwconv_s8_mve_i8_mixed<S, Rq, Rq::kTfl != 0>(a, c16, cf);
      else
        dwconv_s8_mve_i8_mixed<S, Rq>(a, c16, cf);
    }
    if (cf < cend) {
      if (dwconv_s8_mve_small_bias(bias, cf, C))
        dwconv_s8_mve_i8_blocks<S, true, true, Rq>(a, c16, cf, cend);
      else
        dwconv_s8_mve_i8_blocks<S, false, true, Rq>(a, c16, cf, cend);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Interleaved-rows mode (3x3, TFLite requantization, w_zp == 0, c <= 4096): one channel at a
// time, and per output one VMLADAV.S8 of a 16-byte vector holding the whole 3x3 window.
//   The channel's padded input rows are gathered (VLDRB.U16 gather of 8 pixels, stride c) into a
//   row buffer t of wp columns x 4 bytes, padded row ph going to byte ph % 4 of every column
//   (VSTRB.16 scatter, offsets 4k): every input row is gathered once per channel, and the window of
//   output (oh, ow) is the 12 bytes at 4 * ow * s (3 columns of 4 rows, the 4th row's byte
//   unused). Its weight vector has w[ky][kx] at byte 4 * kx + (oh * s + ky) % 4 and zeros
//   elsewhere (lanes 12-15 included), one of 4 rotations (2 at stride 2), gathered per output row
//   (VLDRB.U8 gather) from the channel's 9 weights (the low bytes of the int16 packing, exact since
//   w - w_zp = w fits int8). Stride 1: the 16 bytes at 4 * ow hold the windows of ow and ow + 1,
//   so one load feeds two VMLADAVs (the second weight vector is the first moved up by 4 bytes).
//   Per 4 outputs: 2 (stride 2: 4) loads, 4 VMLADAV.S8, the sums into one vector (2 VMOVs), the
//   TFLite epilogue with the channel's bias, ls, M, post in core registers, and one VSTRB.32
//   scatter to the 4 NHWC slots (stride c). Integer arithmetic throughout (x, w int8, int32 sums
//   mod 2^32 like the reference); the epilogue is mve_s8_common.h's (proof there).
// In place (x == y): output row oh overwrites channel c of pixels [oh*w_out, (oh+1)*w_out) only
// after every padded row up to dwconv_s8_mve_need(p, oh) is in t; the 4 row slots hold rows
// oh*s .. oh*s + 3, so the mode requires need(oh) <= oh*s + 3 for every oh (else channel-lane mode).
// Scratch (inside the channel-lane size of the same layer, dwconv_s8_mve_tfl_scratch_bytes):
// 15 alignment + 16 (the channel's weights) + 16 * 8 (gather offsets) + 4 * wp + 32 (t and slack
// the last group may read; those lanes are never stored).

// Whether the interleaved-rows mode runs layer p (x == y: in place).
inline bool dwconv3x3_s8_mve_rows_ok(const ConvS8Params& p, bool inplace) {
  // Per output row the mode costs about 100 instructions besides the outputs (row gathers, weight
  // rotation, setup): narrower maps stay in channel-lane mode, which is faster for them (measured
  // with the FE_PROFILE_DW_TFL bench of test_variants_mve.cpp).
  if (p.kh != 3 || p.kw != 3 || p.w_zp != 0 || p.c_out > 4096 || p.w_out < (p.stride_w == 1 ? 20 : 16))
    return false;
  if (!inplace) return true;
  for (int32_t oh = 0; oh < p.h_out; ++oh)
    if (dwconv_s8_mve_need(p, oh) > oh * p.stride_h + 3) return false;
  return true;
}

// Gathers one input row of one channel (src: its first pixel, stride C bytes) into one byte lane
// of the row buffer's columns (dst: that byte of the first column, 4 bytes per column): 16 pixels
// per step (two VLDRB.U16 gathers, offsets goff = {0, C, .., 7C}, and two VSTRB.16 scatters,
// offsets soff = {0, 4, .., 28}), then 8, then the last n % 8 under the lane predicate tail.
__attribute__((always_inline)) inline void dwconv3x3_s8_mve_rows_gather(const int8_t* src, int8_t* dst, int32_t n16,
                                                                        int32_t n8, uint32_t tail, int32_t step8,
                                                                        uint16x8_t goff, uint16x8_t soff) {
  const int8_t* s2;
  int8_t* d2;
  __asm__ volatile(
      R"(
      wls lr, %[n16], 2f
    1:
      add %[s2], %[src], %[step8]
      vldrb.u16 q0, [%[src], %q[goff]]
      vldrb.u16 q1, [%[s2], %q[goff]]
      add %[src], %[s2], %[step8]
      add %[d2], %[dst], #32
      vstrb.16 q0, [%[dst], %q[soff]]
      vstrb.16 q1, [%[d2], %q[soff]]
      add %[dst], %[dst], #64
      le lr, 1b
    2:
      cbz %[n8], 3f
      vldrb.u16 q0, [%[src], %q[goff]]
      add %[src], %[src], %[step8]
      vstrb.16 q0, [%[dst], %q[soff]]
      add %[dst], %[dst], #32
    3:
      cbz %[tail], 4f
      vmsr p0, %[tail]
      vpst
      vldrbt.u16 q0, [%[src], %q[goff]]
      vpst
      vstrbt.16 q0, [%[dst], %q[soff]]
    4:
      )"
      : [src] "+r"(src), [dst] "+r"(dst), [s2] "=&r"(s2), [d2] "=&r"(d2)
      : [n16] "r"(n16), [n8] "l"(n8), [tail] "l"(tail), [step8] "r"(step8), [goff] "w"(goff), [soff] "w"(soff)
      : "q0", "q1", "p0", "lr", "memory");
}

// The outputs of one output row and channel: groups x 4, then (if *pred != 0) one more group
// stored under the lane predicate *pred. t: the row buffer at column 0; yp: the output of
// (oh, 0, c). kLs: the channel's ls (*ls) may be nonzero (else the VSHL is left out).
template <int S, bool kLs>
__attribute__((always_inline)) inline void dwconv3x3_s8_mve_rows_out(const int8_t* t, int8_t* yp, const int32_t& groups,
                                                                     const uint32_t& pred, int8x16_t w0,
                                                                     int8x16_t w1, int32_t bias, const int32_t& ls,
                                                                     int32_t m, int32_t post, int32_t c4,
                                                                     int32x4_t zpv, int16x8_t cl, uint32x4_t yoff) {
  int32x4_t a, b;
  __asm__ volatile(
      R"(
      .macro fe_body%=, pr
        .if %c[S] == 1
          vldrb.8 %q[a], [%[t], #8]
          vmladav.s8 r8, %q[a], %q[w0]
          vmladav.s8 r10, %q[a], %q[w1]
          vldrb.8 %q[a], [%[t]], #16
          vmladav.s8 r4, %q[a], %q[w0]
          vmladav.s8 r6, %q[a], %q[w1]
        .else
          vldrb.8 %q[a], [%[t], #8]
          vmladav.s8 r6, %q[a], %q[w0]
          vldrb.8 %q[a], [%[t], #16]
          vmladav.s8 r8, %q[a], %q[w0]
          vldrb.8 %q[a], [%[t], #24]
          vmladav.s8 r10, %q[a], %q[w0]
          vldrb.8 %q[a], [%[t]], #32
          vmladav.s8 r4, %q[a], %q[w0]
        .endif
        vmov %q[b][2], %q[b][0], r4, r8
        vmov %q[b][3], %q[b][1], r6, r10
        vadd.i32 %q[b], %q[b], %[bias]
        .if %c[LS]
          ldr r4, %[ls]
          vshl.s32 %q[b], r4
        .endif
        vshr.s32 %q[a], %q[b], #31
        vqrdmlah.s32 %q[a], %q[b], %[m]
        vqrdmlah.s32 %q[a], %q[b], %[m]
        vrshl.s32 %q[a], %[post]
        vadd.i32 %q[a], %q[a], %q[zpv]
        vqmovnt.s32 %q[a], %q[a]
        vmax.s16 %q[a], %q[a], %q[cl]
        vmovlt.s16 %q[a], %q[a]
        vmin.s16 %q[a], %q[a], %q[cl]
        .if \pr
          vpst
          vstrbt.32 %q[a], [%[yp], %q[yoff]]
        .else
          vstrb.32 %q[a], [%[yp], %q[yoff]]
          add %[yp], %[yp], %[c4]
        .endif
      .endm
      ldr lr, %[groups]
      wls lr, lr, 2f
    1:
      fe_body%= 0
      le lr, 1b
    2:
      ldr r4, %[pred]
      cbz r4, 3f
      vmsr p0, r4
      fe_body%= 1
    3:
      .purgem fe_body%=
      )"
      : [t] "+r"(t), [yp] "+r"(yp), [a] "=&w"(a), [b] "=&w"(b)
      : [groups] "m"(groups), [pred] "m"(pred), [w0] "w"(w0), [w1] "w"(w1), [bias] "r"(bias), [ls] "m"(ls),
        [m] "r"(m), [post] "r"(post), [c4] "r"(c4), [zpv] "w"(zpv), [cl] "w"(cl), [yoff] "w"(yoff), [S] "i"(S),
        [LS] "i"(kLs ? 1 : 0)
      : "r4", "r6", "r8", "r10", "p0", "lr", "memory");
}

template <int S, bool kLs>
__attribute__((noinline)) void dwconv3x3_s8_mve_rows_run(const ConvS8Params& p, const int8_t* x, const int8_t* w,
                                                         const int32_t* bias, const int32_t* qm, int8_t* y,
                                                         void* scratch, bool inplace) {
  const int32_t C = p.c_out, h_in = p.h_in, w_in = p.w_in, h_out = p.h_out, w_out = p.w_out;
  const int32_t pad_top = p.pad_top, pad_left = p.pad_left;
  const int32_t wp = (w_out - 1) * S + 3, hp = (h_out - 1) * S + 3;
  uint8_t* const base =
      reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(scratch) + 15) & ~static_cast<uintptr_t>(15));
  uint8_t* const wbuf = base;       // the channel's 9 weights, zeros up to 16
  uint8_t* const offs = base + 16;  // [rotation][2] gather offsets into wbuf
  int8_t* const t = reinterpret_cast<int8_t*>(base + 16 + 128);
  {
    // Rotation r, vector h (stride 1: the window one column on): lane -> 3 * ky + kx for column
    // kx = lane / 4 - h < 3 and row ky = (lane % 4 - r) % 4 < 3, else 15 (a zero byte).
    const uint8x16_t lane = vidupq_n_u8(0, 1);
    const uint8x16_t col = vshrq_n_u8(lane, 2), row = vandq_u8(lane, vdupq_n_u8(3));
    for (int32_t r = 0; r < 4; ++r)
      for (int32_t h = 0; h < 2; ++h) {
        const uint8x16_t kx = vsubq_n_u8(col, static_cast<uint8_t>(h));
        const uint8x16_t ky = vandq_u8(vsubq_n_u8(row, static_cast<uint8_t>(r)), vdupq_n_u8(3));
        const uint8x16_t v = vaddq_u8(vmulq_n_u8(ky, 3), kx);
        const mve_pred16_t ok = vcmpcsq_u8(vdupq_n_u8(2), kx) & vcmpcsq_u8(vdupq_n_u8(2), ky);
        vst1q_u8(offs + (2 * r + h) * 16, vpselq_u8(v, vdupq_n_u8(15), ok));
      }
  }
  // Padding value in every byte (row gathers then write the input columns of their lane).
  const int8x16_t zp16 = vdupq_n_s8(static_cast<int8_t>(p.in_zp));
  for (int32_t i = 0; i < 4 * wp + 32; i += 16) vst1q_s8(t + i, zp16);
  const int32_t iw0 = pad_left > 0 ? 0 : -pad_left;
  const int32_t iw1 = w_in < wp - pad_left ? w_in : wp - pad_left;
  const int32_t ncols = iw1 > iw0 ? iw1 - iw0 : 0;
  const uint16x8_t goff = vmulq_n_u16(vidupq_n_u16(0, 1), static_cast<uint16_t>(C));
  const uint16x8_t soff = vidupq_n_u16(0, 4);
  const int32_t n16 = ncols >> 4, n8 = (ncols >> 3) & 1;
  const uint32_t tail = ncols & 7 ? static_cast<uint32_t>(vctp16q(static_cast<uint32_t>(ncols & 7))) : 0u;
  const int32_t step8 = 8 * C, xrow = w_in * C;
  const int32_t nfill = (wp + 7) >> 3;
  const int32x4_t zpv = vdupq_n_s32(p.out_zp);
  const int16x8_t cl = conv_s8_mve_tfl_clamp(p.act_min, p.act_max);
  const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(C));
  const int32_t groups = w_out >> 2;
  const uint32_t rpred = w_out & 3 ? static_cast<uint32_t>(vctp32q(static_cast<uint32_t>(w_out & 3))) : 0u;
  const int32_t c4 = 4 * C, row_out = w_out * C;
  const mve_pred16_t p9 = vctp8q(9);
  const uint8x16_t woff = vidupq_n_u8(0, 8);
  int8_t* const t_in = t + 4 * (iw0 + pad_left);
  const int8_t* const x0 = x + (iw0 - pad_top * w_in) * C;  // padded row 0 (may lie outside x)
  for (int32_t c = 0; c < C; ++c) {
    const uint8_t* wc = reinterpret_cast<const uint8_t*>(w) + (c >> 2) * 72 + 2 * (c & 3);
    vst1q_u8(wbuf, vldrbq_gather_offset_z_u8(wc, woff, p9));
    const int32_t* q = qm + (c >> 2) * 12 + (c & 3);
    const int32_t ls = q[0], m = q[4], post = q[8], b = bias[c];
    int32_t next = 0;  // next padded row to bring into t
    const int8_t* xr = x0 + c;
    int8_t* yrow = y + c;
    // In place: the slot row of the last output of row oh, ((oh + 1) * w_out - 1) / w_in, as
    // quotient and remainder.
    int32_t sq = (w_out - 1) / w_in, sr = (w_out - 1) - sq * w_in;
    for (int32_t oh = 0; oh < h_out; ++oh, yrow += row_out) {
      int32_t need = oh * S + 2;
      if (inplace) {
        need = sq + pad_top > need ? sq + pad_top : need;
        sr += w_out;
        while (sr >= w_in) {
          sr -= w_in;
          ++sq;
        }
      }
      need = need < hp - 1 ? need : hp - 1;
      for (; next <= need; ++next, xr += xrow) {
        int8_t* dst = t + (next & 3);
        if (next < pad_top || next >= pad_top + h_in) {
          const int16x8_t zpfill = vdupq_n_s16(static_cast<int16_t>(p.in_zp));
          for (int32_t i = 0; i < nfill; ++i) vstrbq_scatter_offset_s16(dst + 32 * i, soff, zpfill);
        } else if (ncols > 0) {
          dwconv3x3_s8_mve_rows_gather(xr, t_in + (next & 3), n16, n8, tail, step8, goff, soff);
        }
      }
      const uint8_t* o = offs + 32 * ((oh * S) & 3);
      const int8x16_t w0 = vreinterpretq_s8_u8(vldrbq_gather_offset_u8(wbuf, vld1q_u8(o)));
      const int8x16_t w1 = S == 1 ? vreinterpretq_s8_u8(vldrbq_gather_offset_u8(wbuf, vld1q_u8(o + 16))) : w0;
      dwconv3x3_s8_mve_rows_out<S, kLs>(t, yrow, groups, rpred, w0, w1, b, ls, m, post, c4, zpv, cl, yoff);
    }
  }
}

// Whether every packed ls (qm: [ceil(c/4)][3][4]) is 0.
inline bool dwconv_s8_mve_tfl_no_ls(const int32_t* qm, int32_t C) {
  uint32_t any = 0;
  for (int32_t c0 = 0; c0 < C; c0 += 4) any |= vmaxavq_s32(0u, vldrwq_s32(qm + 3 * c0));
  return any == 0;
}

// The interleaved-rows mode (TFLite requantization only).
template <int S>
inline void dwconv3x3_s8_mve_rows(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                                  const int32_t* qm, int8_t* y, void* scratch) {
  if (dwconv_s8_mve_tfl_no_ls(qm, p.c_out))
    dwconv3x3_s8_mve_rows_run<S, false>(p, x, w, bias, qm, y, scratch, x == y);
  else
    dwconv3x3_s8_mve_rows_run<S, true>(p, x, w, bias, qm, y, scratch, x == y);
}

// ---------------------------------------------------------------------------------------------
// Small-map window mode (3x3, both requantization policies, w_zp == 0, padded plane of at most 64
// pixels, at most 13 output pixels; e.g. VWW's 6x6x128 -> 3x3 stride 2 and 3x3x256 stride 1, and
// MobileNetV2-0.35-96's ONNX 6x6x192 -> 3x3 stride 2; the Ort variant only where the plane mode
// does not apply): per output
// pixel and channel one VLDRB.U8 gather of the whole 3x3 window into one 16-byte vector and one
// VMLADAV.S8 by the channel's 9 weights (zeros in lanes 9-15): 9 MACs per 2 instructions, where
// the channel-lane mode spends 2 instructions (widening load and VCVT) per 4-channel column load
// and one VFMA per 4 MACs, and converts every block's weights at run time.
//   Per chunk of 16 channels the padded input (in_zp outside the input) is copied once into four
//   4-channel sub-planes [4][hp * wp][4] (per input pixel one 16-byte load and one VSTRW.32
//   scatter, offsets {0, 1, 2, 3} * 4 * hp * wp). In a sub-plane the window of output (oh, ow) and
//   channel j starts at byte 4 * (oh * s * wp + ow * s) + j; its taps are the u8 gather offsets
//   tap[t] = 4 * (ky * wp + kx) (t = 3 * ky + kx < 9; 0 in lanes 9-15), plus the pixel's offset
//   (VADD.I8 by a scalar; hp * wp <= 64 keeps every offset <= 252). Per block of 4 channels the 4
//   weight vectors are gathered from the packed weights (the low bytes of the int16 packing, exact
//   since w - w_zp = w fits int8), then per output pixel 4 gathers and 4 VMLADAV.S8, the 4 sums
//   into one vector (two VMOVs), the packed bias added, stored to the sums buffer; then the block's
//   epilogue per output pixel (DwS8MveWinRq: the Ort variant's float one with the block's scale
//   vector, or TFLite's with the block's ls, M, post vectors, mve_s8_common.h). TFLite: when every ls is 0 and
//   C + 3 < 2^16 (the usual case), the full blocks of a chunk run in one assembly loop that
//   finishes two output pixels per int16 vector (dwconv3x3_s8_mve_win_blocks); otherwise per
//   output pixel with one 4-byte store (predicated for the tensor's last, partial block).
// Integer arithmetic throughout (x, w int8; the int32 sums and the bias added mod 2^32 like the
// reference; padding taps read in_zp, which the packed bias removes again).
// In place: a chunk's input is copied before any of its outputs is written, and outputs only
// overwrite the chunk's own channels.
// Scratch (inside the channel-lane size of the same layer, dwconv_s8_mve_tfl_scratch_bytes or, for
// the Ort variant, dwconv_s8_mve_scratch_bytes, whose band is the whole plane here): 15 alignment +
// 16 * h_out * w_out (sums) + 16 * hp * wp (planes).

// Whether the window mode runs layer p (3x3; in or out of place). tfl: the requantization policy.
// The Ort variant keeps the plane mode where it applies (e.g. s2 3x3 -> 1x8): the window mode then
// runs in the channel-lane mode's scratch, whose band is the whole plane here (16 * hp * wp <=
// 1024 <= kDwS8MveWholePlaneBytes), 15 + 16 * (13 + hp * wp) >= 15 + 16 * (npix + hp * wp) bytes.
inline bool dwconv3x3_s8_mve_win_ok(const ConvS8Params& p, bool tfl = true) {
  const int32_t wp = (p.w_out - 1) * p.stride_w + 3, hp = (p.h_out - 1) * p.stride_h + 3;
  return p.kh == 3 && p.kw == 3 && p.w_zp == 0 && hp * wp <= 64 && p.h_out * p.w_out <= 13 &&
         (tfl || dwconv_s8_mve_plane_pitch(p) == 0);
}

// The window mode's per-block epilogue (4 channels c0.., nb of them valid: pb), templated on the
// requantization policy: TFLite's fixed-point one with the block's {ls, M, post} vectors, or the
// float one of the Ort variants (conv_s8_mve_requant_v: float(acc) * scale[c], VMAXNM/VMINNM clamp
// to [act_min - out_zp, act_max - out_zp], VCVTN, + out_zp; exactness notes in mve_s8_common.h).
template <class Rq>
struct DwS8MveWinRq;
template <>
struct DwS8MveWinRq<MveRqTfl> {
  int32x4_t ls, m, post;
  int16x8_t cl;
  int32_t zp;
  DwS8MveWinRq(const ConvS8Params& p, const int32_t* qm, int32_t c0, mve_pred16_t)
      : ls(vld1q_s32(qm + 3 * c0)), m(vld1q_s32(qm + 3 * c0 + 4)), post(vld1q_s32(qm + 3 * c0 + 8)),
        cl(conv_s8_mve_tfl_clamp(p.act_min, p.act_max)), zp(p.out_zp) {}
  __attribute__((always_inline)) int32x4_t operator()(int32x4_t acc) const {
    return conv_s8_mve_requant_tfl_v(acc, ls, m, post, cl, zp);
  }
};
template <>
struct DwS8MveWinRq<MveRqF32> {
  float32x4_t scale, lo, hi;
  int32_t zp;
  DwS8MveWinRq(const ConvS8Params& p, const float* s, int32_t c0, mve_pred16_t pb)
      : scale(vldrwq_z_f32(s + c0, pb)), lo(MveRqF32::lo(p.act_min, p.act_max, p.out_zp)),
        hi(MveRqF32::hi(p.act_min, p.act_max, p.out_zp)), zp(p.out_zp) {}
  __attribute__((always_inline)) int32x4_t operator()(int32x4_t acc) const {
    return conv_s8_mve_requant_v(acc, scale, lo, hi, zp);
  }
};

// VSTRW.32 v, [a, #4]! (the vector-base scatter with write-back; GCC 12 rejects its intrinsic).
__attribute__((always_inline)) inline void dwconv_s8_mve_scatter_wb4(uint32x4_t& a, int32x4_t v) {
  __asm__ volatile("vstrw.32 %q[v], [%q[a], #4]!" : [a] "+w"(a) : [v] "w"(v) : "memory");
}

// The sums of one block of 4 channels (sp: its sub-plane) for the npix output pixels (pixoff: their
// window offsets) into s ([npix][4], the packed bias bv added): per pixel the offsets (VADD.I8 of
// the tap offsets and the pixel's), 4 gathers and 4 VMLADAV.S8 (even destination registers), two
// VMOVs, the bias, one store. Assembly: the intrinsic version spills the tap offsets.
__attribute__((always_inline)) inline void dwconv3x3_s8_mve_win_macs(const int8_t* sp, const uint8_t* pixoff,
                                                                     int32_t* s, int32_t npix, uint8x16_t tap,
                                                                     int8x16_t w0, int8x16_t w1, int8x16_t w2,
                                                                     int8x16_t w3, int32x4_t bv) {
  uint8x16_t off;
  int8x16_t g;
  register int32_t n __asm__("lr") = npix;  // (the loop counter itself: one core register fewer)
  __asm__ volatile(
      R"(
      wls lr, lr, 2f
    1:
      ldrb r4, [%[po]], #1
      vadd.i8 %q[off], %q[tap], r4
      vldrb.u8 %q[g], [%[s0], %q[off]]
      vmladav.s8 r4, %q[g], %q[w0]
      vldrb.u8 %q[g], [%[s1], %q[off]]
      vmladav.s8 r6, %q[g], %q[w1]
      vldrb.u8 %q[g], [%[s2], %q[off]]
      vmladav.s8 r8, %q[g], %q[w2]
      vldrb.u8 %q[g], [%[s3], %q[off]]
      vmladav.s8 r10, %q[g], %q[w3]
      vmov %q[off][2], %q[off][0], r4, r8
      vmov %q[off][3], %q[off][1], r6, r10
      vadd.i32 %q[off], %q[off], %q[bv]
      vstrw.32 %q[off], [%[s]], #16
      le lr, 1b
    2:
      )"
      : [po] "+r"(pixoff), [s] "+r"(s), [off] "=&w"(off), [g] "=&w"(g), [n] "+r"(n)
      : [tap] "w"(tap), [w0] "w"(w0), [w1] "w"(w1), [w2] "w"(w2), [w3] "w"(w3), [bv] "w"(bv),
        [s0] "r"(sp), [s1] "r"(sp + 1), [s2] "r"(sp + 2), [s3] "r"(sp + 3)
      : "r4", "r6", "r8", "r10", "memory");
}

// The usual case as one assembly loop over the full blocks of a chunk (every ls 0, C + 3 < 2^16):
// per block the 4 weight vectors (predicated gathers, lanes 9-15 zero), the sums as in
// dwconv3x3_s8_mve_win_macs, then two output pixels at a time: VQMOVNB / VQMOVNT put both into one
// int16 vector (halfword 2k: channel k of the first, 2k + 1: of the second; int16 saturation),
// VQADD.S16 adds out_zp, VMAX / VMIN clamp, one VSTRB.16 scatter (offsets off8 = {0, C, 1, C + 1,
// ..}) stores the 8 bytes (10 instructions per pixel); an odd last pixel is paired with itself
// (stored through offsets {0, 0, 1, 1, 2, 2, 3, 3}: the same byte twice); the per-block pointers advance in the job. Exact: r is the TFLite epilogue's (mve_s8_common.h, ls =
// 0), and the reference's clamp(r + zp) with act_min, act_max in int8 equals the clamp of
// sat16(sat16(r) + zp) (|zp| <= 128: when r or the sum saturates, both give the bound). Compiled
// code around separate assembly statements spent about 140 instructions per block on spills.
struct DwS8MveWinJob {
  const int8_t* sp;       // 0: the current block's sub-plane
  int32_t n4;             // 4: bytes per sub-plane
  const uint8_t* pixoff;  // 8: per output pixel its window offset
  int32_t* sums;          // 12: [npix][4]
  int32_t npix;           // 16
  const uint8_t* w;       // 20: the current block's packed weights (72 bytes per block)
  const int32_t* bias;    // 24: the current block's packed bias
  const int32_t* q;       // 28: the current block's {ls, M, post} vectors (48 bytes per block)
  int8_t* y;              // 32: the current block's output, pixel 0
  int32_t c2;             // 36: 2 * C
  int32_t zp;             // 40: out_zp
  int32_t blocks;         // 44: full blocks left (>= 1)
  const uint8_t* k;       // 48: constants: tap, woff (u8), lo, hi (s16), off8, offdup (u16), 16 B each
};
static_assert(offsetof(DwS8MveWinJob, blocks) == 44 && offsetof(DwS8MveWinJob, k) == 48,
              "DwS8MveWinJob offsets are hard-coded in the assembly");

__attribute__((noinline)) inline void dwconv3x3_s8_mve_win_blocks(DwS8MveWinJob* job) {
  register DwS8MveWinJob* j __asm__("r0") = job;
  __asm__ volatile(
      R"(
    1:
      ldr r1, [r0, #20]
      ldr r2, [r0, #48]
      vldrw.u32 q0, [r2, #16]
      movw r3, #0x1ff
      vmsr p0, r3
      vpst
      vldrbt.u8 q4, [r1, q0]
      adds r1, #2
      vpst
      vldrbt.u8 q5, [r1, q0]
      adds r1, #2
      vpst
      vldrbt.u8 q6, [r1, q0]
      adds r1, #2
      vpst
      vldrbt.u8 q7, [r1, q0]
      adds r1, #66
      str r1, [r0, #20]
      vldrw.u32 q2, [r2]
      ldr r1, [r0, #24]
      vldrw.u32 q3, [r1], #16
      str r1, [r0, #24]
      ldr r1, [r0, #0]
      ldr r3, [r0, #4]
      add r3, r1, r3
      str r3, [r0, #0]
      adds r3, r1, #1
      adds r5, r1, #2
      add r9, r1, #3
      ldr r11, [r0, #8]
      ldr r12, [r0, #12]
      ldr lr, [r0, #16]
      wls lr, lr, 3f
    2:
      ldrb r4, [r11], #1
      vadd.i8 q0, q2, r4
      vldrb.u8 q1, [r1, q0]
      vmladav.s8 r4, q1, q4
      vldrb.u8 q1, [r3, q0]
      vmladav.s8 r6, q1, q5
      vldrb.u8 q1, [r5, q0]
      vmladav.s8 r8, q1, q6
      vldrb.u8 q1, [r9, q0]
      vmladav.s8 r10, q1, q7
      vmov q0[2], q0[0], r4, r8
      vmov q0[3], q0[1], r6, r10
      vadd.i32 q0, q0, q3
      vstrw.32 q0, [r12], #16
      le lr, 2b
    3:
      ldr r1, [r0, #28]
      vldrw.u32 q3, [r1, #16]
      vldrw.u32 q4, [r1, #32]
      adds r1, #48
      str r1, [r0, #28]
      ldr r2, [r0, #48]
      vldrw.u32 q5, [r2, #32]
      vldrw.u32 q6, [r2, #48]
      vldrw.u32 q7, [r2, #64]
      ldr r12, [r0, #12]
      ldr r11, [r0, #32]
      adds r1, r11, #4
      str r1, [r0, #32]
      ldr r3, [r0, #36]
      ldr r5, [r0, #40]
      ldr lr, [r0, #16]
      lsr lr, lr, #1
      wls lr, lr, 5f
    4:
      vldrw.u32 q0, [r12], #16
      vldrw.u32 q1, [r12], #16
      vqrdmulh.s32 q2, q0, q3
      vshr.s32 q0, q0, #31
      vadd.i32 q0, q0, q2
      vadd.i32 q0, q0, q2
      vrshl.s32 q0, q0, q4
      vqrdmulh.s32 q2, q1, q3
      vshr.s32 q1, q1, #31
      vadd.i32 q1, q1, q2
      vadd.i32 q1, q1, q2
      vrshl.s32 q1, q1, q4
      vqmovnb.s32 q2, q0
      vqmovnt.s32 q2, q1
      vqadd.s16 q2, q2, r5
      vmax.s16 q2, q2, q5
      vmin.s16 q2, q2, q6
      vstrb.16 q2, [r11, q7]
      add r11, r11, r3
      le lr, 4b
    5:
      ldr r1, [r0, #16]
      lsls r1, r1, #31
      beq 6f
      vldrw.u32 q0, [r12]
      vqrdmulh.s32 q2, q0, q3
      vshr.s32 q0, q0, #31
      vadd.i32 q0, q0, q2
      vadd.i32 q0, q0, q2
      vrshl.s32 q0, q0, q4
      vqmovnb.s32 q2, q0
      vqmovnt.s32 q2, q0
      vqadd.s16 q2, q2, r5
      vmax.s16 q2, q2, q5
      vmin.s16 q2, q2, q6
      vldrw.u32 q7, [r2, #80]
      vstrb.16 q2, [r11, q7]
    6:
      ldr r1, [r0, #44]
      subs r1, #1
      str r1, [r0, #44]
      bne 1b
      )"
      : "+r"(j)
      :
      : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "q0", "q1", "q2", "q3", "q4",
        "q5", "q6", "q7", "p0", "cc", "memory");
}

// One routine for both strides and every ls (the layers it runs are small: a few instructions per
// block more than templates would take, for half the code); one instantiation per requantization
// policy (q: the TFLite {ls, M, post} words, or the Ort variant's float scale per channel; only
// TFLite has the assembly block loop).
template <class Rq>
__attribute__((noinline)) inline void dwconv3x3_s8_mve_win(const ConvS8Params& p, const int8_t* x, const int8_t* w,
                                                           const int32_t* bias, const typename Rq::Q* q, int8_t* y,
                                                           void* scratch) {
  const int32_t S = p.stride_w;
  const int32_t* const qm = dwconv_s8_mve_i32(q);
  const bool no_ls = Rq::kTfl && dwconv_s8_mve_tfl_no_ls(qm, p.c_out);
  const int32_t C = p.c_out, w_in = p.w_in, h_out = p.h_out, w_out = p.w_out;
  const int32_t pad_top = p.pad_top, pad_left = p.pad_left, out_zp = p.out_zp;
  const int32_t wp = (w_out - 1) * S + 3, hp = (h_out - 1) * S + 3, n = hp * wp, npix = h_out * w_out;
  // dwconv3x3_s8_mve_win_ok holds (npix <= 13); said again for the compiler: with constant
  // parameters (an inlining / ipa-cp clone of a layer that does not take this path) GCC otherwise
  // reports the pixoff loop below as undefined behaviour (-Werror=aggressive-loop-optimizations).
  if (npix > 16) return;
  uint8_t* const base =
      reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(scratch) + 15) & ~static_cast<uintptr_t>(15));
  int32_t* const sums = reinterpret_cast<int32_t*>(base);    // [npix][4]
  int8_t* const plane = reinterpret_cast<int8_t*>(base + 16 * npix);  // [4][n][4]
  const int8x16_t zp16 = vdupq_n_s8(static_cast<int8_t>(p.in_zp));
  for (int32_t i = 0; i < n; ++i) vst1q_s8(plane + 16 * i, zp16);
  const int32_t ih0 = pad_top > 0 ? 0 : -pad_top;
  const int32_t ih1 = p.h_in < hp - pad_top ? p.h_in : hp - pad_top;
  const int32_t iw0 = pad_left > 0 ? 0 : -pad_left;
  const int32_t iw1 = w_in < wp - pad_left ? w_in : wp - pad_left;
  const uint32x4_t soff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(4 * n));
  // tap[t] = 4 * (ky * wp + kx) for t = 3 * ky + kx < 9, else 0.
  const uint8x16_t lane = vidupq_n_u8(0, 1);
  const uint8x16_t ky = vshrq_n_u8(vmulq_n_u8(lane, 11), 5);  // t / 3 for t < 9 (11 t / 32)
  const uint8x16_t kx = vsubq_u8(lane, vmulq_n_u8(ky, 3));
  const uint8x16_t tap = vpselq_u8(vmulq_n_u8(vaddq_u8(vmulq_n_u8(ky, static_cast<uint8_t>(wp)), kx), 4),
                                   vdupq_n_u8(0), vctp8q(9));
  const uint8x16_t woff = vidupq_n_u8(0, 8);
  const mve_pred16_t p9 = vctp8q(9);
  const int16x8_t lo16 = vdupq_n_s16(static_cast<int16_t>(p.act_min)), hi16 = vdupq_n_s16(static_cast<int16_t>(p.act_max));
  // {0, C, 1, C + 1, 2, C + 2, 3, C + 3}: the pair epilogue's store offsets (C + 3 < 2^16: fast).
  const uint16x8_t idx = vidupq_n_u16(0, 1);
  const uint16x8_t off8 = vmlaq_n_u16(vshrq_n_u16(idx, 1), vandq_u16(idx, vdupq_n_u16(1)), static_cast<uint16_t>(C));
  // The assembly loop's constants (DwS8MveWinJob::k).
  alignas(16) uint8_t kc[96];
  vst1q_u8(kc, tap);
  vst1q_u8(kc + 16, woff);
  vst1q_s16(reinterpret_cast<int16_t*>(kc + 32), lo16);
  vst1q_s16(reinterpret_cast<int16_t*>(kc + 48), hi16);
  vst1q_u16(reinterpret_cast<uint16_t*>(kc + 64), off8);
  vst1q_u16(reinterpret_cast<uint16_t*>(kc + 80), vshrq_n_u16(idx, 1));
  const bool fast = no_ls && C <= 65532;
  // Per output pixel, the byte offset of its window in a sub-plane (the pixels in NHWC order).
  uint8_t pixoff[16];
  for (int32_t oh = 0, i = 0; oh < h_out; ++oh)
    for (int32_t ow = 0; ow < w_out; ++ow, ++i) pixoff[i] = static_cast<uint8_t>(4 * S * (oh * wp + ow));
  for (int32_t c16 = 0; c16 < C; c16 += 16) {
    const int32_t nc = C - c16 < 16 ? C - c16 : 16;
    for (int32_t ih = ih0; ih < ih1; ++ih) {
      const int8_t* src = x + (ih * w_in + iw0) * C + c16;
      // The 4 sub-plane addresses of the row's first input pixel, advanced by 4 bytes per store.
      uint32x4_t dst = vaddq_n_u32(
          soff, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(plane + 4 * ((ih + pad_top) * wp + iw0 + pad_left))) - 4u);
      if (nc == 16) {
        for (int32_t iw = iw0; iw < iw1; ++iw, src += C)
          dwconv_s8_mve_scatter_wb4(dst, vreinterpretq_s32_s8(vld1q_s8(src)));
      } else {
        const mve_pred16_t pr8 = vctp8q(static_cast<uint32_t>(nc));
        for (int32_t iw = iw0; iw < iw1; ++iw, src += C)
          dwconv_s8_mve_scatter_wb4(dst, vreinterpretq_s32_s8(vldrbq_z_s8(src, pr8)));
      }
    }
    int32_t c0 = c16;
    if (fast && nc >= 4) {
      DwS8MveWinJob job{plane, 4 * n, pixoff, sums, npix, reinterpret_cast<const uint8_t*>(w) + (c16 >> 2) * 72,
                        bias + c16, qm + 3 * c16, y + c16, 2 * C, out_zp, nc >> 2, kc};
      dwconv3x3_s8_mve_win_blocks(&job);
      c0 += nc & ~3;
    }
    for (; c0 < c16 + nc; c0 += 4) {
      const int8_t* const sp = plane + (c0 - c16) * n;
      const uint8_t* const wc = reinterpret_cast<const uint8_t*>(w) + (c0 >> 2) * 72;
      const int8x16_t w0 = vreinterpretq_s8_u8(vldrbq_gather_offset_z_u8(wc, woff, p9));
      const int8x16_t w1 = vreinterpretq_s8_u8(vldrbq_gather_offset_z_u8(wc + 2, woff, p9));
      const int8x16_t w2 = vreinterpretq_s8_u8(vldrbq_gather_offset_z_u8(wc + 4, woff, p9));
      const int8x16_t w3 = vreinterpretq_s8_u8(vldrbq_gather_offset_z_u8(wc + 6, woff, p9));
      const int32_t nb = C - c0 < 4 ? C - c0 : 4;
      const mve_pred16_t pb = vctp32q(static_cast<uint32_t>(nb));
      const int32x4_t bv = vldrwq_z_s32(bias + c0, pb);
      dwconv3x3_s8_mve_win_macs(sp, pixoff, sums, npix, tap, w0, w1, w2, w3, bv);
      const DwS8MveWinRq<Rq> rq(p, q, c0, pb);
      int8_t* yp = y + c0;
      const int32_t* t = sums;
      if (nb == 4) {
        for (int32_t i = 0; i < npix; ++i, t += 4, yp += C) vstrbq_s32(yp, rq(vld1q_s32(t)));
      } else {
        for (int32_t i = 0; i < npix; ++i, t += 4, yp += C) vstrbq_p_s32(yp, rq(vld1q_s32(t)), pb);
      }
    }
  }
}

inline size_t dwconv_s8_mve_scratch_bytes(const ConvS8Params& p) {
  const int32_t pitch = dwconv_s8_mve_plane_pitch(p);
  if (pitch) return 15 + dwconv_s8_mve_plane_bytes(p, pitch);
  const DwS8MveGeom g = dwconv_s8_mve_geom(p);
  return 15 + 16 * (4 + static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw) +
                    static_cast<size_t>(g.band) * static_cast<size_t>(g.wp));
}

template <int K, int S, class Rq = MveRqF32>
inline void dwconv_s8_mve_run(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                              const typename Rq::Q* scale, int8_t* y, void* scratch) {
  if (K == 3 && dwconv3x3_s8_mve_win_ok(p, Rq::kTfl != 0))
    return dwconv3x3_s8_mve_win<Rq>(p, x, w, bias, scale, y, scratch);
  if (K == 3 && Rq::kTfl && dwconv3x3_s8_mve_rows_ok(p, x == y))
    return dwconv3x3_s8_mve_rows<S>(p, x, w, bias, dwconv_s8_mve_i32(scale), y, scratch);
  if (K == 3 && S == 1 && !Rq::kTfl) {
    switch (dwconv_s8_mve_plane_pitch(p)) {
      case 16: return dwconv_s8_mve_plane_run<1, 16>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      case 32: return dwconv_s8_mve_plane_run<1, 32>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      case 64: return dwconv_s8_mve_plane_run<1, 64>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      case 124: return dwconv_s8_mve_plane_run<1, 124>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      default: break;
    }
  }
  if (K == 3 && S == 2 && !Rq::kTfl) {
    switch (dwconv_s8_mve_plane_pitch(p)) {
      case 16: return dwconv_s8_mve_plane_run<2, 16>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      case 32: return dwconv_s8_mve_plane_run<2, 32>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      case 64: return dwconv_s8_mve_plane_run<2, 64>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      case 84: return dwconv_s8_mve_plane_run<2, 84>(p, x, w, bias, dwconv_s8_mve_f32(scale), y, scratch);
      default: break;
    }
  }
  const DwS8MveGeom g = dwconv_s8_mve_geom(p, dwconv_s8_mve_whole_bytes(p, Rq::kTfl != 0));
  float* const wf =
      reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(scratch) + 15) & ~static_cast<uintptr_t>(15));
  float* const band = wf + 4 * (4 + K * K);
  if (K == 3 && g.band >= g.hp)
    return dwconv_s8_mve_i8_run<S, Rq>(p, g, x, w, bias, scale, y, wf);
  // Padding value everywhere; row copies only overwrite the input columns (or the whole interior
  // with the padding value again for padding rows).
  const float32x4_t zpf = vdupq_n_f32(static_cast<float>(p.in_zp));
  for (int32_t i = 0; i < g.band * g.wp; ++i) vst1q_f32(band + 4 * i, zpf);
  vst1q_f32(wf + 8, vdupq_n_f32(static_cast<float>(p.act_min - p.out_zp)));
  vst1q_f32(wf + 12, vdupq_n_f32(static_cast<float>(p.act_max - p.out_zp)));
  const int32_t C = p.c_out;
  const int16_t* wb = reinterpret_cast<const int16_t*>(w);
  // Runs of full blocks with the same bias class, then the partial block (usually every bias is
  // small: one run).
  const int32_t cfull = C & ~3;
  uint32_t maxabs = 0;
  for (int32_t c0 = 0; c0 < cfull; c0 += 4) maxabs = vmaxavq_s32(maxabs, vldrwq_s32(bias + c0));
  if (maxabs <= (1u << 23) && cfull > 0) {
    dwconv_s8_mve_blocks<K, S, true, false, Rq>(p, g, x, wb, bias, scale, wf, band, y, 0, cfull);
  } else {
    for (int32_t c0 = 0; c0 < cfull;) {
      const bool small = dwconv_s8_mve_small_bias(bias, c0, C);
      int32_t c1 = c0 + 4;
      while (c1 < cfull && dwconv_s8_mve_small_bias(bias, c1, C) == small) c1 += 4;
      if (small)
        dwconv_s8_mve_blocks<K, S, true, false, Rq>(p, g, x, wb, bias, scale, wf, band, y, c0, c1);
      else
        dwconv_s8_mve_blocks<K, S, false, false, Rq>(p, g, x, wb, bias, scale, wf, band, y, c0, c1);
      c0 = c1;
    }
  }
  if (cfull < C) {
    if (dwconv_s8_mve_small_bias(bias, cfull, C))
      dwconv_s8_mve_blocks<K, S, true, true, Rq>(p, g, x, wb, bias, scale, wf, band, y, cfull, C);
    else
      dwconv_s8_mve_blocks<K, S, false, true, Rq>(p, g, x, wb, bias, scale, wf, band, y, cfull, C);
  }
}

// x_or_buf: NHWC int8 input (n == 1); y: NHWC int8 output, may equal x_or_buf (in place).
#define FERRITE_RT_DWCONV_S8_MVE(K, S)                                                                      \
  inline void dwconv##K##x##K##_s##S##_s8_mve(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w,    \
                                              const int32_t* bias, const float* scale, int8_t* y,          \
                                              void* scratch) {                                             \
    dwconv_s8_mve_run<K, S>(p, x_or_buf, w, bias, scale, y, scratch);                                      \
  }
FERRITE_RT_DWCONV_S8_MVE(3, 1)
FERRITE_RT_DWCONV_S8_MVE(3, 2)
FERRITE_RT_DWCONV_S8_MVE(5, 1)
FERRITE_RT_DWCONV_S8_MVE(5, 2)
FERRITE_RT_DWCONV_S8_MVE(7, 1)
FERRITE_RT_DWCONV_S8_MVE(7, 2)
#undef FERRITE_RT_DWCONV_S8_MVE

// TFLite requantization (qm: int32 [ceil(c/4)][3][4] from pack_dw_requant_s8_mve_tfl): the same
// bodies with the MveRqTfl policy, channel-lane mode only (scratch: dwconv_s8_mve_tfl_scratch_bytes).
inline size_t dwconv_s8_mve_tfl_scratch_bytes(const ConvS8Params& p) {
  const DwS8MveGeom g = dwconv_s8_mve_geom(p, dwconv_s8_mve_whole_bytes(p, true));
  return 15 + 16 * (4 + static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw) +
                    static_cast<size_t>(g.band) * static_cast<size_t>(g.wp));
}
#define FERRITE_RT_DWCONV_S8_MVE_TFL(K, S)                                                                  \
  inline void dwconv##K##x##K##_s##S##_s8_mve_tfl(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w,\
                                                  const int32_t* bias, const int32_t* qm, int8_t* y,       \
                                                  void* scratch) {                                         \
    dwconv_s8_mve_run<K, S, MveRqTfl>(p, x_or_buf, w, bias, qm, y, scratch);                               \
  }
FERRITE_RT_DWCONV_S8_MVE_TFL(3, 1)
FERRITE_RT_DWCONV_S8_MVE_TFL(3, 2)
FERRITE_RT_DWCONV_S8_MVE_TFL(5, 1)
FERRITE_RT_DWCONV_S8_MVE_TFL(5, 2)
FERRITE_RT_DWCONV_S8_MVE_TFL(7, 1)
FERRITE_RT_DWCONV_S8_MVE_TFL(7, 2)
#undef FERRITE_RT_DWCONV_S8_MVE_TFL
