// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR on int8 with TFLite's integer rule (models from the TFLite
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
inline void resize_s8_tfl(const ResizeParams& p, const int8_t* x, const int32_t* tab, int8_t* y) {
  const int32_t planes = p.in_shape[0] * p.in_shape[1];
  const size_t H = static_cast<size_t>(p.in_shape[2]), W = static_cast<size_t>(p.in_shape[3]);
  const int32_t OH = p.out_shape[2], OW = p.out_shape[3];
  const int32_t* tx = tab + 3 * OH;
  int8_t* yp = y;
  for (int32_t pl = 0; pl < planes; ++pl) {
    const int8_t* xp = x + static_cast<size_t>(pl) * H * W;
    for (int32_t oy = 0; oy < OH; ++oy) {
      const int8_t* r0 = xp + static_cast<size_t>(tab[3 * oy]) * W;
      const int8_t* r1 = xp + static_cast<size_t>(tab[3 * oy + 1]) * W;
      const int64_t wy = tab[3 * oy + 2];
      for (int32_t ox = 0; ox < OW; ++ox) {
        const int32_t x0 = tx[3 * ox], x1 = tx[3 * ox + 1];
        const int64_t wx = tx[3 * ox + 2];
        const int64_t v = static_cast<int64_t>(r0[x0]) * (1024 - wy) * (1024 - wx) +
                          static_cast<int64_t>(r1[x0]) * wy * (1024 - wx) +
                          static_cast<int64_t>(r0[x1]) * (1024 - wy) * wx + static_cast<int64_t>(r1[x1]) * wy * wx;
        const int64_t round = v > 0 ? (int64_t{1} << 19) : -(int64_t{1} << 19);
        *yp++ = static_cast<int8_t>((v + round) / (int64_t{1} << 20));  // division truncates toward zero
      }
    }
  }
}
