// Patch-based inference: the first layer of a patched stage quantizes its window of the input image.
// Needs quantize/quantize.h (pasted before it).
// Quantizes a window of a float NCHW image straight into an int8 NHWC (relayout = 1) or NCHW patch:
// the first layer of a patched stage reads the input image in place, with no float copy.
// Same arithmetic as quantize_f32 (quantize_value_f32 in quantize/quantize.h).
struct QuantizeWindowParams {
  int32_t channels, full_rows, full_cols;
  int32_t row0, col0, rows, cols;
  int32_t per_channel;
  int32_t qmin, qmax;
  int32_t relayout;
};

inline void quantize_window_f32(const QuantizeWindowParams& p, const float* x, const float* scale,
                                const int32_t* zero_point, void* y_bytes) {
  uint8_t* const y = static_cast<uint8_t*>(y_bytes);
  const int32_t C = p.channels;
  for (int32_t c = 0; c < C; ++c) {
    const float s = scale[p.per_channel ? c : 0];
    const int32_t zp = zero_point[p.per_channel ? c : 0];
    for (int32_t r = 0; r < p.rows; ++r)
      for (int32_t q = 0; q < p.cols; ++q) {
        const float v = x[(static_cast<size_t>(c) * static_cast<size_t>(p.full_rows) + static_cast<size_t>(p.row0 + r)) *
                              static_cast<size_t>(p.full_cols) + static_cast<size_t>(p.col0 + q)];
        const size_t o = p.relayout
                             ? (static_cast<size_t>(r) * static_cast<size_t>(p.cols) + static_cast<size_t>(q)) * static_cast<size_t>(C) + static_cast<size_t>(c)
                             : (static_cast<size_t>(c) * static_cast<size_t>(p.rows) + static_cast<size_t>(r)) * static_cast<size_t>(p.cols) + static_cast<size_t>(q);
        y[o] = static_cast<uint8_t>(quantize_value_f32(v, s, zp, p.qmin, p.qmax) & 0xFF);
      }
  }
}
