// int8 fully connected layer (fc_s8 in fc_s8.h: QGemm / QLinearMatMul with constant weights) on
// cores with the DSP extension and an FPU (M4F/M7/M33): a fully connected layer is a 1x1
// convolution over `rows` pixels, so it runs the pointwise DSP kernel of conv1x1_s8_dsp.h (needs
// conv_s8/conv_s8.h, conv_s8/dsp_s8_common.h and conv_s8/conv1x1_s8_dsp.h pasted before it).
// Bit-identical to fc_s8.
//
//   fc_s8_dsp(p, x, w, bias, scale, y)      weights packed as conv1x1_s8_dsp's (int16, any w_zp)
//   fc_s8_dsp_w8(p, x, w, bias, scale, y)   weights packed as conv1x1_s8_dsp_w8's (int8, w_zp == 0)
// w, bias: packed by ferrite::kernels::pack_fc_s8_dsp(_w8) (compiler/kernels/pack_fc_s8_dsp.h,
// selection rules there); scale: out_features entries (the compiler writes a per-tensor scale out
// per column). y must not alias x.

// The 1x1 convolution an fc_s8 layer is: rows pixels of in_features channels -> out_features.
inline ConvS8Params fc_s8_dsp_conv(const FcS8Params& p) {
  ConvS8Params c{};
  c.n = 1;
  c.c_in = p.in_features;
  c.h_in = c.h_out = p.rows;
  c.w_in = c.w_out = 1;
  c.c_out = p.out_features;
  c.kh = c.kw = 1;
  c.stride_h = c.stride_w = 1;
  c.dil_h = c.dil_w = 1;
  c.group = 1;
  c.in_zp = p.in_zp;
  c.w_zp = p.w_zp;
  c.out_zp = p.out_zp;
  c.act_min = p.act_min;
  c.act_max = p.act_max;
  c.out_int32 = 0;
  return c;
}

inline void fc_s8_dsp(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale,
                      void* y) {
  conv1x1_s8_dsp_impl<true>(fc_s8_dsp_conv(p), x, w, bias, scale, y);
}
inline void fc_s8_dsp_w8(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const float* scale,
                         void* y) {
  conv1x1_s8_dsp_impl<false>(fc_s8_dsp_conv(p), x, w, bias, scale, y);
}

// TFLite requantization (conv1x1_s8_dsp_impl with the DspRqTfl epilogue): rq = kDspTflRqWords words
// per output, packed by pack_requant_s8_dsp_tfl (compiler/kernels/pack_s8_dsp.h). Bit-identical to fc_s8_tfl under its bound.
inline void fc_s8_dsp_tfl(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                          const int32_t* rq, void* y) {
  conv1x1_s8_dsp_impl<true, DspRqTfl>(fc_s8_dsp_conv(p), x, w, bias, rq, y);
}
inline void fc_s8_dsp_w8_tfl(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                             const int32_t* rq, void* y) {
  conv1x1_s8_dsp_impl<false, DspRqTfl>(fc_s8_dsp_conv(p), x, w, bias, rq, y);
}
