// QuantizeLinear and DequantizeLinear (ONNX semantics, per-tensor or per-axis), with an optional
// NCHW <-> NHWC relayout fused in so int8 kernels see NHWC while the model's API stays NCHW.
// The data is viewed as [outer][channels][inner] around the quantization axis (per-tensor: channels
// = 1). Quantized storage is bytes: values in [qmin, qmax] are stored as their low 8 bits, so the
// same kernel serves int8 and uint8 tensors.
struct QuantizeParams {
  int32_t outer, channels, inner;
  int32_t per_channel;  // 0: scale[0]/zero_point[0] for all; 1: indexed by channel
  int32_t qmin, qmax;   // -128/127 for int8 storage, 0/255 for uint8
  int32_t relayout;     // 1: input [outer][channels][inner] (NCHW) -> output [outer][inner][channels] (NHWC)
};

// One value quantized exactly as MlasQuantizeLinear (onnxruntime/core/mlas/lib/quantize.cpp, the
// SSE2/AVX512 kernels ORT uses on x64): v = x / scale (a true float division, not a multiply by
// the reciprocal), clamped in float to [qmin - zp, qmax - zp] (MAXPS/MINPS order: a NaN becomes
// qmin - zp), rounded half to even, then + zp.
inline int32_t quantize_value_f32(float x, float scale, int32_t zp, int32_t qmin, int32_t qmax) {
  const float lo = static_cast<float>(qmin - zp);
  const float hi = static_cast<float>(qmax - zp);
  float v = x / scale;
  v = v > lo ? v : lo;
  v = v < hi ? v : hi;
  return round_half_even(v) + zp;
}

// y = saturate(round_half_even(x / scale[c]) + zero_point[c]).
// In place (y == x) is allowed without relayout (byte k is written after float k/4 <= k was read),
// and with relayout when channels <= 4 (an RGB image): the whole int8 output then lies inside the
// first channel's float plane, which the c = 0 pass has already read up to every byte it writes.
inline void quantize_f32(const QuantizeParams& p, const float* x, const float* scale, const int32_t* zero_point,
                         void* y_bytes) {
  uint8_t* const y = static_cast<uint8_t*>(y_bytes);
  const int32_t C = p.channels, I = p.inner;
  for (int32_t o = 0; o < p.outer; ++o) {
    const float* xo = x + static_cast<size_t>(o) * static_cast<size_t>(C) * static_cast<size_t>(I);
    uint8_t* yo = y + static_cast<size_t>(o) * static_cast<size_t>(C) * static_cast<size_t>(I);
    for (int32_t c = 0; c < C; ++c) {
      const float s = scale[p.per_channel ? c : 0];
      const int32_t zp = zero_point[p.per_channel ? c : 0];
      const float* xc = xo + static_cast<size_t>(c) * static_cast<size_t>(I);
      if (p.relayout) {
        for (int32_t i = 0; i < I; ++i)
          yo[static_cast<size_t>(i) * static_cast<size_t>(C) + static_cast<size_t>(c)] =
              static_cast<uint8_t>(quantize_value_f32(xc[i], s, zp, p.qmin, p.qmax) & 0xFF);
      } else {
        uint8_t* yc = yo + static_cast<size_t>(c) * static_cast<size_t>(I);
        for (int32_t i = 0; i < I; ++i)
          yc[i] = static_cast<uint8_t>(quantize_value_f32(xc[i], s, zp, p.qmin, p.qmax) & 0xFF);
      }
    }
  }
}

// QuantizeLinear whose scale and zero point are tensors computed at run time (per tensor: one
// value each), e.g. the expanded DynamicQuantizeLinear function (ReduceMin/ReduceMax -> scale and
// zero point -> QuantizeLinear). y = saturate(round_half_even(x / scale) + zero_point), value by
// value as quantize_value_f32 (the same true division as ONNX's reference and ONNX Runtime; no
// reciprocal). The zero point is read from its storage: int8 when qmin < 0, else uint8. Uses p.inner
// values (outer = channels = 1, per_channel = relayout = 0). In place (y == x) is allowed (byte k is
// written after float k was read), as quantize_f32 without relayout.
inline void quantize_f32_rt(const QuantizeParams& p, const float* x, const float* scale, const void* zero_point_byte,
                            void* y_bytes) {
  uint8_t* const y = static_cast<uint8_t*>(y_bytes);
  const uint8_t zb = *static_cast<const uint8_t*>(zero_point_byte);
  const int32_t zp = p.qmin < 0 ? static_cast<int32_t>(static_cast<int8_t>(zb)) : static_cast<int32_t>(zb);
  const float s = scale[0];
  for (int32_t i = 0; i < p.inner; ++i) y[i] = static_cast<uint8_t>(quantize_value_f32(x[i], s, zp, p.qmin, p.qmax) & 0xFF);
}

// y = (float)(q - zero_point[c]) * scale[c], q read as int8 (qmin < 0) or uint8. With relayout = 1
// the input is NHWC [outer][inner][channels] and the output NCHW. y must not alias x.
// (ORT DequantizeLinear / MlasDequantizeLinear: int32 subtraction, conversion to float, one float
// multiply.)
inline void dequantize_f32(const QuantizeParams& p, const void* x_bytes, const float* scale, const int32_t* zero_point,
                           float* y) {
  const uint8_t* const x = static_cast<const uint8_t*>(x_bytes);
  const int32_t C = p.channels, I = p.inner;
  const bool is_signed = p.qmin < 0;
  for (int32_t o = 0; o < p.outer; ++o) {
    const uint8_t* xo = x + static_cast<size_t>(o) * static_cast<size_t>(C) * static_cast<size_t>(I);
    float* yo = y + static_cast<size_t>(o) * static_cast<size_t>(C) * static_cast<size_t>(I);
    for (int32_t c = 0; c < C; ++c) {
      const float s = scale[p.per_channel ? c : 0];
      const int32_t zp = zero_point[p.per_channel ? c : 0];
      float* yc = yo + static_cast<size_t>(c) * static_cast<size_t>(I);
      for (int32_t i = 0; i < I; ++i) {
        const size_t src = p.relayout ? static_cast<size_t>(i) * static_cast<size_t>(C) + static_cast<size_t>(c)
                                      : static_cast<size_t>(c) * static_cast<size_t>(I) + static_cast<size_t>(i);
        const int32_t q = is_signed ? static_cast<int32_t>(static_cast<int8_t>(xo[src])) : static_cast<int32_t>(xo[src]);
        yc[i] = static_cast<float>(q - zp) * s;
      }
    }
  }
}

// Requantizes int8 data to other scale/zero point (a DequantizeLinear -> QuantizeLinear pair, or a
// Concat input with a different scale): y = saturate(round_half_even((x - in_zp) * (in_scale / out_scale)) + out_zp).
// Exact arithmetic (what ORT does for both cases: DequantizeLinear then MlasQuantizeLinear, and
// QLinearConcat's per-input table built by QlinearBuildLookupTable with the identity):
// v = (float)(x - in_zp) * in_scale; y = quantize_value_f32(v, out_scale, out_zp, qmin, qmax), i.e.
// a float multiply followed by a float DIVISION by out_scale -- not a multiply by a precomputed
// in_scale / out_scale ratio, which can round differently.
struct RequantizeParams {
  int32_t total;
  int32_t in_zp, out_zp;
  float in_scale, out_scale;
  int32_t qmin, qmax;
};
// In place is allowed.
inline void requantize_s8(const RequantizeParams& p, const int8_t* x, int8_t* y) {
  for (int32_t i = 0; i < p.total; ++i) {
    const float v = static_cast<float>(static_cast<int32_t>(x[i]) - p.in_zp) * p.in_scale;
    y[i] = static_cast<int8_t>(quantize_value_f32(v, p.out_scale, p.out_zp, p.qmin, p.qmax));
  }
}

// Flips the top bit of every byte: uint8 <-> int8 storage with zero point shifted by 128. In place ok.
struct FlipSignParams {
  int32_t total;
};

inline void flip_sign_bytes(const FlipSignParams& p, const void* x_bytes, void* y_bytes) {
  const int32_t total = p.total;
  const uint8_t* const x = static_cast<const uint8_t*>(x_bytes);
  uint8_t* const y = static_cast<uint8_t*>(y_bytes);
  for (int32_t i = 0; i < total; ++i) y[i] = static_cast<uint8_t>(x[i] ^ 0x80u);
}
