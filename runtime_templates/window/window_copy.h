// Patch-based inference helpers: moving a spatial window between a full tensor and a patch buffer.
// A window is `rows` x `cols` pixels at (row0, col0) of a tensor with full_rows x full_cols pixels.

// Copies a dense patch into its window of a full tensor (or back), any element size. NHWC: one
// plane, pixel = channels elements; NCHW: `channels` planes, pixel = 1 element.
struct WindowCopyParams {
  int32_t planes;          // NCHW: channels; NHWC: 1
  int32_t pixel_elems;     // NHWC: channels; NCHW: 1
  int32_t full_rows, full_cols;
  int32_t row0, col0, rows, cols;
  int32_t elem_size;
  int32_t to_full;         // 1: patch -> full tensor; 0: full tensor -> patch
};

inline void window_copy(const WindowCopyParams& p, const void* src_bytes, void* dst_bytes) {
  const uint8_t* src = static_cast<const uint8_t*>(src_bytes);
  uint8_t* dst = static_cast<uint8_t*>(dst_bytes);
  const size_t px = static_cast<size_t>(p.pixel_elems) * static_cast<size_t>(p.elem_size);
  const size_t row_bytes = static_cast<size_t>(p.cols) * px;
  const size_t full_plane = static_cast<size_t>(p.full_rows) * static_cast<size_t>(p.full_cols) * px;
  const size_t patch_plane = static_cast<size_t>(p.rows) * row_bytes;
  for (int32_t pl = 0; pl < p.planes; ++pl)
    for (int32_t r = 0; r < p.rows; ++r) {
      const size_t full = static_cast<size_t>(pl) * full_plane +
                          (static_cast<size_t>(p.row0 + r) * static_cast<size_t>(p.full_cols) + static_cast<size_t>(p.col0)) * px;
      const size_t patch = static_cast<size_t>(pl) * patch_plane + static_cast<size_t>(r) * row_bytes;
      if (p.to_full) std::memcpy(dst + full, src + patch, row_bytes);
      else std::memcpy(dst + patch, src + full, row_bytes);
    }
}
