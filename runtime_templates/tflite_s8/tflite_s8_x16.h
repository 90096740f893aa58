// TFLite's 16x8 quantization (models from the TFLite frontend; docs/tflite.md): int16 activations
// with zero point 0, int8 symmetric weights (per channel), int64 bias. The parameter structs are the
// int8 kernels' (ConvS8Params, FcS8Params, BinaryS8Params, LutParams, SoftmaxS8Params; zero points
// 0) and the loops are tflite_s8.h's, templated on the activation type (pasted before this file).
// The multipliers and shifts are the ones TFLite computes (compiler/ops/tflite_numerics.cpp); conv
// and fully connected accumulate in int64 and scale with TFLite's 64-bit MultiplyByQuantizedMultiplier
// (tfl_mbqm64); ADD / SUB are the int8 rule with left shift 15, MUL the int8 rule.

// Convolution, any group (depthwise: group = c_in, with depth multiplier c_out / c_in), NHWC int16.
// w: OHWI int8 [c_out][kh][kw][c_in/group]; bias int64 [c_out] or null; qm: int32 [c_out][2] =
// (multiplier, shift). Padded taps are skipped. y must not alias x.
inline void conv_s16_nhwc_tfl(const ConvS8Params& p, const int16_t* x, const int8_t* w, const int64_t* bias,
                              const int32_t* qm, int16_t* y) {
  tfl_conv_nhwc(p, x, w, bias, qm, y);
}

// Fully connected: x int16 [rows][K], w int8 [N][K], bias int64 [N] or null, qm [N][2]. No aliasing.
inline void fc_s16_tfl(const FcS8Params& p, const int16_t* x, const int8_t* w, const int64_t* bias, const int32_t* qm,
                       int16_t* y) {
  tfl_fc(p, x, w, bias, qm, y);
}

// ADD / SUB / MUL of two int16 tensors, broadcasting as the int8 kernels (TFLite Micro's int16
// AddElementwise / SubElementwise with left shift 15, BroadcastAdd6DSlow / BroadcastQuantSubSlow;
// MulElementwise / BroadcastMul6DSlow). q as add_s8_tfl / mul_s8_tfl. In place is allowed when an
// input has the output's dense layout.
inline void add_s16_tfl(const BinaryS8Params& p, const int16_t* a, const int16_t* b, const int32_t* q, int16_t* y) {
  tfl_add_sub(p, a, b, q, y, false);
}
inline void sub_s16_tfl(const BinaryS8Params& p, const int16_t* a, const int16_t* b, const int32_t* q, int16_t* y) {
  tfl_add_sub(p, a, b, q, y, true);
}
inline void mul_s16_tfl(const BinaryS8Params& p, const int16_t* a, const int16_t* b, const int32_t* q, int16_t* y) {
  tfl_mul(p, a, b, q, y);
}

// LOGISTIC / TANH on int16 (TFLite's reference_integer_ops::Logistic / Tanh for int16): the input is
// brought to units of 1/(3 * 4096) as (x * mult + round) >> shift (q = {mult, shift}, TFLite's
// Prepare rule; its power-of-two case, multiplier 0, resolved by the compiler to (3 << shift, 0)), then
// TFLite's 256-entry sigmoid table (`table`, sigmoid(i / 24) in 0.16, made by the compiler) is
// interpolated at the absolute value (LOGISTIC: 9 fraction bits; TANH = 2 sigmoid(2x) - 1: 8), the
// negative half by symmetry. Output scale 1/32768, zero point 0. In place is allowed.
inline int32_t tfl_s16_scaled_input(int16_t x, const int32_t* q) {
  const int32_t round = q[1] > 0 ? 1 << (q[1] - 1) : 0;
  return (static_cast<int32_t>(x) * q[0] + round) >> q[1];  // >> of a negative int32 is arithmetic
}
inline void logistic_s16_tfl(const LutParams& p, const int16_t* x, const uint16_t* table, const int32_t* q, int16_t* y) {
  for (int32_t i = 0; i < p.total; ++i) {
    const int32_t v = tfl_s16_scaled_input(x[i], q);
    const uint32_t a = static_cast<uint32_t>(v < 0 ? -v : v);
    const uint32_t h = a >> 9;
    uint32_t r = 0x7FFFu << 10;  // saturated
    if (h < 255) r = (static_cast<uint32_t>(table[h]) << 9) + (a & 0x1FFu) * (static_cast<uint32_t>(table[h + 1]) - table[h]);
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
    y[i] = static_cast<int16_t>(r >> 10);
  }
}
inline void tanh_s16_tfl(const LutParams& p, const int16_t* x, const uint16_t* table, const int32_t* q, int16_t* y) {
  for (int32_t i = 0; i < p.total; ++i) {
    const int32_t v = tfl_s16_scaled_input(x[i], q);
    const uint32_t a = static_cast<uint32_t>(v < 0 ? -v : v);
    const uint32_t h = a >> 8;
    int32_t r = 0xFFFF << 8;  // saturated
    if (h < 255)
      r = static_cast<int32_t>((static_cast<uint32_t>(table[h]) << 8) +
                               (a & 0xFFu) * (static_cast<uint32_t>(table[h + 1]) - table[h]));
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    y[i] = static_cast<int16_t>(r >> 8);  // >> of a negative int32 is arithmetic
  }
}

// TFLite's int16 LUTLookup: a 513-entry table over [-32768, 32767], the high 9 bits of v select the
// entry, the low 7 interpolate to the next one (rounded).
inline int16_t tfl_lut16(int16_t v, const int16_t* lut) {
  const int32_t index = 256 + (v >> 7);
  const int32_t offset = v & 0x7F;
  const int16_t slope = static_cast<int16_t>(lut[index + 1] - lut[index]);
  return static_cast<int16_t>(lut[index] + ((slope * offset + 64) >> 7));
}

// SOFTMAX on int16 (TFLite's reference SoftmaxInt16): per row, max - x scaled by q = {mult, shift}
// (input scale * beta / (10 / 65535)) to [-65535, 0] = [-10, 0], recentred and looked up in exp_lut
// (exp on [-10, 0] in Q0.15); the Q16.15 sum normalised by its leading zeros and looked up in
// recip_lut (1 / (1 + x) on [0, 1]); each exp times the reciprocal, rounded, clamped to [0, 32767]
// (output scale 1/32768, zero point 0). The tables are TFLite's LUTPopulate (float), computed by the
// compiler. The exps are kept in y (as TFLite does), so y must not alias x.
inline void softmax_s16_tfl(const SoftmaxS8Params& p, const int16_t* x, const int16_t* exp_lut, const int16_t* recip_lut,
                            const int32_t* q, int16_t* y) {
  const int32_t L = p.axis_len, I = p.inner;
  for (int32_t o = 0; o < p.outer; ++o)
    for (int32_t in = 0; in < I; ++in) {
      const size_t base = static_cast<size_t>(o) * static_cast<size_t>(L) * static_cast<size_t>(I) + static_cast<size_t>(in);
      auto at = [&](int32_t j) { return base + static_cast<size_t>(j) * static_cast<size_t>(I); };
      int32_t mx = -32768;
      for (int32_t j = 0; j < L; ++j) mx = x[at(j)] > mx ? x[at(j)] : mx;
      int32_t sum = 0;  // Q16.15
      for (int32_t j = 0; j < L; ++j) {
        int32_t s = tfl_mbqm(static_cast<int32_t>(x[at(j)]) - mx, q[0], q[1]) + 32767;
        s = s < -32768 ? -32768 : (s > 32767 ? 32767 : s);
        const int16_t e = tfl_lut16(static_cast<int16_t>(s), exp_lut);
        y[at(j)] = e;
        sum += e;
      }
      const int32_t h = tfl_clz32(static_cast<uint32_t>(sum));
      int32_t t = static_cast<int32_t>(((static_cast<int64_t>(sum) << (h - 1)) + (1 << 13)) >> 14) - ((1 << 15) + (1 << 16));
      t = t < -32768 ? -32768 : (t > 32767 ? 32767 : t);
      const int64_t recip = tfl_lut16(static_cast<int16_t>(t), recip_lut);
      const int32_t rs = 31 - h;
      for (int32_t j = 0; j < L; ++j) {
        int64_t r = (static_cast<int64_t>(y[at(j)]) * recip + (int64_t{1} << (rs - 1))) >> rs;
        r = r < 0 ? 0 : (r > 32767 ? 32767 : r);
        y[at(j)] = static_cast<int16_t>(r);
      }
    }
}

// QUANTIZE float32 -> int16 (TFLite's AffineQuantize, as quantize_f32_tfl with the int16 limits) and
// DEQUANTIZE int16 -> float32 (float(q - zp) * scale: one rounding of the exact product, as TFLite's
// double product cast to float). Per tensor; relayout = 1: the NCHW side is [outer][channels][inner],
// the NHWC side [outer][inner][channels]. QuantizeParams comes from quantize/quantize.h. No aliasing.
inline void quantize_f32_s16_tfl(const QuantizeParams& p, const float* x, const float* scale, const int32_t* zero_point,
                                 int16_t* y) {
  tfl_quantize_f32(p, x, scale, zero_point, y);
}
inline void dequantize_s16_f32(const QuantizeParams& p, const int16_t* x, const float* scale, const int32_t* zero_point,
                               float* y) {
  const size_t C = static_cast<size_t>(p.channels), I = static_cast<size_t>(p.inner);
  for (size_t o = 0; o < static_cast<size_t>(p.outer); ++o)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < I; ++i) {
        const size_t dst = (o * C + c) * I + i;
        const size_t src = p.relayout ? (o * I + i) * C + c : dst;
        y[dst] = static_cast<float>(static_cast<int32_t>(x[src]) - zero_point[0]) * scale[0];
      }
}

// ---- 16x8: the remaining operators (TFLite's int16 kernels; the loops of tflite_s8.h) ----
// MAXIMUM / MINIMUM of raw int16 values (inputs and output share one quantization; the compiler
// checks), broadcasting as the binary kernels. In place is allowed as for add_s16_tfl.
inline void max_s16_tfl(const BinaryS8Params& p, const int16_t* a, const int16_t* b, int16_t* y) {
  tfl_max_min(p, a, b, y, true);
}
inline void min_s16_tfl(const BinaryS8Params& p, const int16_t* a, const int16_t* b, int16_t* y) {
  tfl_max_min(p, a, b, y, false);
}
// RELU / RELU6 on int16 (TFLite's QuantizedReluX<int16_t>): x scaled by q = {mult, shift}
// (QuantizeMultiplier of float(x_scale / y_scale)), clamped to the activation's quantized range.
// Zero points 0. In place is allowed.
inline void requantize_s16_tfl(const RequantizeParams& p, const int16_t* x, const int32_t* q, int16_t* y) {
  tfl_requantize(p, x, q, y);
}
// LEAKY_RELU on int16 (TFLite's QuantizeLeakyRelu<int16_t>): x >= 0 scaled by the identity
// multiplier (q[0], q[1]), x < 0 by |alpha multiplier| (q[2], q[3]) and negated when q[4] != 0
// (a negative alpha); clamped to int16. Zero points 0. In place is allowed.
inline void leaky_relu_s16_tfl(const LutParams& p, const int16_t* x, const int32_t* q, int16_t* y) {
  for (int32_t i = 0; i < p.total; ++i) {
    const int32_t v = x[i];
    int32_t r = v >= 0 ? tfl_mbqm(v, q[0], q[1]) : tfl_mbqm(v, q[2], q[3]);
    if (v < 0 && q[4]) r = -r;
    y[i] = static_cast<int16_t>(r < -32768 ? -32768 : (r > 32767 ? 32767 : r));
  }
}
// AVERAGE_POOL_2D / MAX_POOL_2D on NHWC int16 (TFLite's int16 AveragePool / MaxPool: the int8 rules,
// int32 sum). y must not alias x.
inline void avgpool_s16_nhwc_tfl(const PoolS8Params& p, const int16_t* x, int16_t* y) { tfl_pool_nhwc(p, x, y, false); }
inline void maxpool_s16_nhwc_tfl(const PoolS8Params& p, const int16_t* x, int16_t* y) { tfl_pool_nhwc(p, x, y, true); }
// MEAN over H and W of NHWC int16 (QuantizedMeanOrSum<int16_t>, int32 sum). In place as mean_s8_tfl.
inline void mean_s16_tfl(const GlobalPoolS8Params& p, const int16_t* x, const int32_t* q, int16_t* y) {
  tfl_mean_hw(p, x, q, y);
}
// PAD / PADV2 on int16 (the value: 0, or PADV2's raw int16 constant). y must not alias x.
inline void pad_s16_tfl(const PadParams& p, const int16_t* x, int16_t* y) { tfl_pad(p, x, y); }
