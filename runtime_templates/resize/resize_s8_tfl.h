// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR on int8 (and int16, 16x8) with TFLite's integer rule (models from the TFLite
// frontend; docs/tflite.md). Uses ResizeParams (resize/resize_f32.h, pasted before this file) with
// NCHW shapes; N and C are not resized. The compiler evaluates TFLite's coordinate rule per output
// row and column (compiler/ops/tflite_numerics.cpp) into `tab`: for output row oy,
// tab[3 * oy .. 3 * oy + 2] = (y0, y1, wy), then for output column ox,
// tab[3 * (OH + ox) .. + 2] = (x0, x1, wx); wy and wx are the 10-bit fraction weights of y1 and x1
// (TFLite's input_y - 1024 * y0). Nearest neighbour is the same call with y1 = y0, wy = 0.
// y must not alias x.
//
// Algorithm (TFLite's ResizeBilinearInteger): the 20-bit fixed-point sum
// x00 (1024 - wy)(1024 - wx) + x10 wy (1024 - wx) + x01 (1024 - wy) wx + x11 wy wx in int64, divided
// by 2^20 rounding half away from zero (the default, not TFLITE_SINGLE_ROUNDING, build of TFLite).
template <typename T>
inline void tfl_resize(const ResizeParams& p, const T* x, const int32_t* tab, T* y) {
  const int32_t planes = p.in_shape[0] * p.in_shape[1];
  const size_t H = static_cast<size_t>(p.in_shape[2]), W = static_cast<size_t>(p.in_shape[3]);
  const int32_t OH = p.out_shape[2], OW = p.out_shape[3];
  const int32_t* tx = tab + 3 * OH;
  T* yp = y;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const T* xp = x + static_cast<size_t>(pl) * H * W;
    for (int32_t oy = 0; oy < OH; ++oy) {
      const T* r0 = xp + static_cast<size_t>(tab[3 * oy]) * W;
      const T* r1 = xp + static_cast<size_t>(tab[3 * oy + 1]) * W;
      const int64_t wy = tab[3 * oy + 2];
      for (int32_t ox = 0; ox < OW; ++ox) {
        const int32_t x0 = tx[3 * ox], x1 = tx[3 * ox + 1];
        const int64_t wx = tx[3 * ox + 2];
        const int64_t v = static_cast<int64_t>(r0[x0]) * (1024 - wy) * (1024 - wx) +
                          static_cast<int64_t>(r1[x0]) * wy * (1024 - wx) +
                          static_cast<int64_t>(r0[x1]) * (1024 - wy) * wx + static_cast<int64_t>(r1[x1]) * wy * wx;
        const int64_t round = v > 0 ? (int64_t{1} << 19) : -(int64_t{1} << 19);
        *yp++ = static_cast<T>((v + round) / (int64_t{1} << 20));  // division truncates toward zero
      }
    }
  }
}
inline void resize_s8_tfl(const ResizeParams& p, const int8_t* x, const int32_t* tab, int8_t* y) { tfl_resize(p, x, tab, y); }
// int16 (16x8: TFLite's RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR version 4 run the same integer rule
// on int16; the int64 sum holds the int16 products exactly).
inline void resize_s16_tfl(const ResizeParams& p, const int16_t* x, const int32_t* tab, int16_t* y) { tfl_resize(p, x, tab, y); }

// Bilinear Resize on int8 data from an ONNX QDQ model (fold-qdq: DQ -> Resize(linear) -> Q). ONNX
// Runtime runs it as DequantizeLinear -> float Resize -> QuantizeLinear; this repeats those float
// operations (UpsampleBilinear, NCHW, onnxruntime/core/providers/cpu/tensor/upsample.h):
//   X = (float)(x - in_zp) * in_scale for the four neighbours X11 (y1, x1), X21 (y1, x2),
//   X12 (y2, x1), X22 (y2, x2);
//   v = dx2*dy2*X11 + dx1*dy2*X21 + dx2*dy1*X12 + dx1*dy1*X22   (each product left to right, the
//       sum left to right, no FMA)
//   y = QuantizeLinear(v): v / out_scale, clamp to [-128 - out_zp, 127 - out_zp], round half to
//       even, + out_zp.
// The compiler computes the per-row / per-column indices and weights as SetupUpsampleBilinear does,
// in float32: it = [in_zp, out_zp, y1[OH], y2[OH], x1[OW], x2[OW]], ft = [in_scale, out_scale,
// dy1[OH], dy2[OH], dx1[OW], dx2[OW]]. N and C are not resized; NCHW. y must not alias x.
inline void resize_bilinear_s8(const ResizeParams& p, const int8_t* x, const int32_t* it, const float* ft, int8_t* y) {
  const int32_t planes = p.in_shape[0] * p.in_shape[1];
  const size_t H = static_cast<size_t>(p.in_shape[2]), W = static_cast<size_t>(p.in_shape[3]);
  const int32_t OH = p.out_shape[2], OW = p.out_shape[3];
  const int32_t in_zp = it[0], out_zp = it[1];
  const float in_scale = ft[0], out_scale = ft[1];
  const int32_t *y1 = it + 2, *y2 = y1 + OH, *x1 = y2 + OH, *x2 = x1 + OW;
  const float *dy1 = ft + 2, *dy2 = dy1 + OH, *dx1 = dy2 + OH, *dx2 = dx1 + OW;
  const float lo = static_cast<float>(-128 - out_zp), hi = static_cast<float>(127 - out_zp);
  const auto deq = [&](int8_t v) { return static_cast<float>(static_cast<int32_t>(v) - in_zp) * in_scale; };
  int8_t* yp = y;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const int8_t* xp = x + static_cast<size_t>(pl) * H * W;
    for (int32_t oy = 0; oy < OH; ++oy) {
      const int8_t* r1 = xp + static_cast<size_t>(y1[oy]) * W;
      const int8_t* r2 = xp + static_cast<size_t>(y2[oy]) * W;
      for (int32_t ox = 0; ox < OW; ++ox) {
        const float X11 = deq(r1[x1[ox]]), X21 = deq(r1[x2[ox]]), X12 = deq(r2[x1[ox]]), X22 = deq(r2[x2[ox]]);
        const float c11 = dx2[ox] * dy2[oy], c21 = dx1[ox] * dy2[oy], c12 = dx2[ox] * dy1[oy], c22 = dx1[ox] * dy1[oy];
        const float t11 = c11 * X11, t21 = c21 * X21, t12 = c12 * X12, t22 = c22 * X22;
        const float s1 = t11 + t21;
        const float s2 = s1 + t12;
        const float v = s2 + t22;
        float q = v / out_scale;
        q = q > lo ? q : lo;
        q = q < hi ? q : hi;
        *yp++ = static_cast<int8_t>(round_half_even(q) + out_zp);
      }
    }
  }
}
