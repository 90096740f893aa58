// int8 global average pooling (global_avgpool_s8_nhwc in pool_s8.h: QLinearGlobalAveragePool on
// NHWC data) on cores with the DSP extension and an FPU (M4F/M7/M33). Needs conv_s8/dsp_s8_common.h
// pasted before it. Bit-identical to global_avgpool_s8_nhwc; same arguments, in place allowed.
//
//   global_avgpool_s8_dsp(p, x, y)      selection rule (compiler/kernels/pool_s8_variants.cpp):
//                                       act_min <= act_max inside int8 and a finite requantization
//                                       scale in_scale / (out_scale * spatial)
//
// Channels in groups of 4 (on FPU cores with up to 256 positions one assembly routine for all
// groups): per spatial position one word load and two SXTAB16, summing channels
// (c, c + 2) and (c + 1, c + 3) in int16 lanes, exact for up to 256 positions (|sum| <= 128 * 256),
// folded into int32 sums every 256 positions. Requantization: dsp_requant_idx2 and the table of
// dsp_s8_common.h, whose proof covers the reference's requantize() followed by the clamp to
// [act_min, act_max] (clamp(clamp(t, -128, 127), lo, hi) = clamp(t, lo, hi) for lo, hi in int8).
// The last C % 4 channels are summed one by one.
// In place (y == x): a group's outputs are written after all its inputs are read, and they land on
// bytes (position 0, channels c .. c + 3) that no later group or channel reads.

struct GapDspJob {
  const int8_t* x;      // 0: position 0, channel 0 of the first group
  int8_t* y;            // 4: output of that channel
  int32_t C;            // 8: channels (the position stride)
  int32_t S;            // 12: positions, 1 .. 256
  int32_t groups;       // 16: groups of 4 channels, >= 1
  int32_t bias;         // 20: -in_zp * spatial
  float scale;          // 24
  const int8_t* tbl;    // 28: requantization table (centre)
};

#if FERRITE_DSP_FPU
static_assert(offsetof(GapDspJob, tbl) == 28, "GapDspJob offsets are hard-coded in the assembly");
// Registers: r0/r1 int16-lane sums [c0, c2] / [c1, c3] (then the int32 sums), r2/r3 words, r4
// position pointer, r5 C, r6 positions left, r7 groups left, r8 y, r9 table, r10 bias, r11 S,
// r12 the group's first byte, lr pairs of positions; s0 scale.
// Per group: 3 + 4.5 S (two positions per 9 instructions) + 37 instructions.
__attribute__((naked, noinline)) inline void global_avgpool_dsp_groups(const GapDspJob* /*job*/) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r12, [r0, #0]\n\t"
      "ldr r8, [r0, #4]\n\t"
      "ldr r5, [r0, #8]\n\t"
      "ldr r11, [r0, #12]\n\t"
      "ldr r7, [r0, #16]\n\t"
      "ldr r10, [r0, #20]\n\t"
      "vldr s0, [r0, #24]\n\t"
      "ldr r9, [r0, #28]\n\t"
      "1:\n\t" /* group of 4 channels */
      "movs r0, #0\n\t"
      "movs r1, #0\n\t"
      "mov r4, r12\n\t"
      "lsrs lr, r11, #1\n\t"
      "beq 3f\n\t"
      "2:\n\t" /* two positions */
      "ldr r2, [r4]\n\t"
      "ldr r3, [r4, r5]\n\t"
      "add r4, r4, r5, lsl #1\n\t"
      "sxtab16 r0, r0, r2\n\t"
      "sxtab16 r1, r1, r2, ror #8\n\t"
      "sxtab16 r0, r0, r3\n\t"
      "sxtab16 r1, r1, r3, ror #8\n\t"
      "subs lr, lr, #1\n\t"
      "bne 2b\n\t"
      "3:\n\t"
      "tst r11, #1\n\t"
      "beq 4f\n\t"
      "ldr r2, [r4]\n\t"
      "sxtab16 r0, r0, r2\n\t"
      "sxtab16 r1, r1, r2, ror #8\n\t"
      "4:\n\t"
      "sxtah r2, r10, r0\n\t"       /* c0 */
      "add r3, r10, r0, asr #16\n\t" /* c2 */
      "sxtah r0, r10, r1\n\t"       /* c1 */
      "add r1, r10, r1, asr #16\n\t" /* c3 */
      "vmov s2, s3, r2, r0\n\t"
      "vmov s4, s5, r3, r1\n\t"
      "vcvt.f32.s32 s2, s2\n\t" "vcvt.f32.s32 s3, s3\n\t" "vcvt.f32.s32 s4, s4\n\t" "vcvt.f32.s32 s5, s5\n\t"
      "vmul.f32 s2, s2, s0\n\t" "vmul.f32 s3, s3, s0\n\t" "vmul.f32 s4, s4, s0\n\t" "vmul.f32 s5, s5, s0\n\t"
      "vcvtr.s32.f32 s2, s2\n\t" "vcvtr.s32.f32 s3, s3\n\t" "vcvtr.s32.f32 s4, s4\n\t" "vcvtr.s32.f32 s5, s5\n\t"
      "vmov r2, r0, s2, s3\n\t"
      "vmov r3, r1, s4, s5\n\t"
      "ssat r2, #9, r2\n\t" "ssat r0, #9, r0\n\t" "ssat r3, #9, r3\n\t" "ssat r1, #9, r1\n\t"
      "ldrsb r2, [r9, r2]\n\t" "ldrsb r0, [r9, r0]\n\t" "ldrsb r3, [r9, r3]\n\t" "ldrsb r1, [r9, r1]\n\t"
      "strb r2, [r8], #1\n\t"
      "strb r0, [r8], #1\n\t"
      "strb r3, [r8], #1\n\t"
      "strb r1, [r8], #1\n\t"
      "add r12, r12, #4\n\t"
      "subs r7, r7, #1\n\t"
      "bne 1b\n\t"
      "pop {r4-r11, pc}\n\t");
}
#endif

inline void global_avgpool_s8_dsp(const GlobalPoolS8Params& p, const int8_t* x, int8_t* y) {
  const float denom = p.out_scale * static_cast<float>(p.spatial);
  const float scale = p.in_scale / denom;
  const int32_t bias = -p.in_zp * p.spatial;
  const int32_t C = p.c, S = p.spatial;
  int8_t table_store[512];
  const int8_t* tbl = dsp_requant_table(table_store, p.out_zp, p.act_min, p.act_max);
  const int32_t groups = C >> 2;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(S) * static_cast<size_t>(C);
    int8_t* yn = y + static_cast<size_t>(n) * static_cast<size_t>(C);
    int32_t g = 0;
#if FERRITE_DSP_FPU
    if (groups > 0 && S <= 256) {
      GapDspJob j;
      j.x = xn;
      j.y = yn;
      j.C = C;
      j.S = S;
      j.groups = groups;
      j.bias = bias;
      j.scale = scale;
      j.tbl = tbl;
      global_avgpool_dsp_groups(&j);
      __asm__ volatile("" ::: "memory");
      g = groups;
    }
#endif
    for (; g < groups; ++g) {
      int32_t a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      const int8_t* xp = xn + 4 * g;
      for (int32_t s0 = 0; s0 < S; s0 += 256) {
        const int32_t s1 = S - s0 < 256 ? S : s0 + 256;
        uint32_t e = 0, o = 0;
        for (int32_t s = s0; s < s1; ++s) {
          const uint32_t w = dsp_load_u32(xp);
          e = dsp_sxtab16(e, w);
          o = dsp_sxtab16_ror8(o, w);
          xp += C;
        }
        a0 += dsp_pair_lo(e);
        a2 += dsp_pair_hi(e);
        a1 += dsp_pair_lo(o);
        a3 += dsp_pair_hi(o);
      }
      dsp_requant_idx2(a0, a1, scale, scale);
      dsp_requant_idx2(a2, a3, scale, scale);
      int8_t* yp = yn + 4 * g;
      yp[0] = tbl[a0];
      yp[1] = tbl[a1];
      yp[2] = tbl[a2];
      yp[3] = tbl[a3];
    }
    for (int32_t c = 4 * groups; c < C; ++c) {
      int32_t acc = bias;
      for (int32_t s = 0; s < S; ++s) acc += xn[static_cast<size_t>(s) * static_cast<size_t>(C) + static_cast<size_t>(c)];
      dsp_requant_idx1(acc, scale);
      yn[c] = tbl[acc];
    }
  }
}
