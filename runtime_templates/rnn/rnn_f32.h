// Float GRU and LSTM (ONNX semantics, default activations Sigmoid/Tanh), one direction of one batch
// element per call: the compiler emits one call per (direction, batch element), with the weight,
// bias, initial-state, input and output pointers offset to them. Unrolled over the static sequence
// length; all state lives in the scratch buffer.
struct RnnParams {
  int32_t cell;                 // 0 = GRU (gates z, r, h), 1 = LSTM (gates i, o, f, c)
  int32_t seq_len;              // time steps of X and Y
  int32_t len;                  // valid steps (sequence_lens; == seq_len when absent); Y is 0 after them
  int32_t input, hidden;
  int32_t reverse;              // 1: steps run from len - 1 down to 0
  int32_t x_stride;             // elements between two time steps of X
  int32_t y_stride;             // elements between two time steps of Y
  int32_t linear_before_reset;  // GRU only
  float clip;                   // > 0: gate pre-activations are clipped to [-clip, clip]
};

constexpr size_t rnn_f32_scratch_bytes(const RnnParams& p) { return sizeof(float) * 12u * static_cast<size_t>(p.hidden); }

inline float rnn_sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }
inline float rnn_clip(const RnnParams& p, float v) { return p.clip > 0.0f ? (v < -p.clip ? -p.clip : (v > p.clip ? p.clip : v)) : v; }

// y_h, y_c, y, b, h0, c0 and peep may be null. No output may alias an input.
//
// Algorithm, per step t: gx = Wb + W x_t and gh = Rb + R h (each row's dot product summed in
// increasing column order, bias first), then ONNX's equations:
//   GRU  z = s(gx_z + gh_z), r = s(gx_r + gh_r),
//        n = tanh(gx_h + r * gh_h) (linear_before_reset) or tanh(gx_h + Rb_h + R_h (r * h)),
//        h = (1 - z) * n + z * h
//   LSTM i = s(g_i + P_i c), f = s(g_f + P_f c), c = f c + i tanh(g_c), o = s(g_o + P_o c), h = o tanh(c)
// with s = 1 / (1 + exp(-v)); h is written to Y at step t.
inline void rnn_f32(const RnnParams& p, const float* x, const float* w, const float* r, const float* b,
                    const float* h0, const float* c0, const float* peep, float* y, float* y_h, float* y_c,
                    float* scratch) {
  const int32_t H = p.hidden, I = p.input;
  const int32_t gates = p.cell == 0 ? 3 : 4;
  float* gx = scratch;           // gates * H
  float* gh = scratch + 4 * H;   // gates * H
  float* h = scratch + 8 * H;    // H
  float* c = scratch + 9 * H;    // H
  float* t1 = scratch + 10 * H;  // H
  float* t2 = scratch + 11 * H;  // H
  for (int32_t j = 0; j < H; ++j) {
    h[j] = h0 ? h0[j] : 0.0f;
    c[j] = c0 ? c0[j] : 0.0f;
  }
  if (y)
    for (int32_t t = p.len; t < p.seq_len; ++t)
      for (int32_t j = 0; j < H; ++j) y[static_cast<size_t>(t) * static_cast<size_t>(p.y_stride) + static_cast<size_t>(j)] = 0.0f;
  for (int32_t step = 0; step < p.len; ++step) {
    const int32_t t = p.reverse ? p.len - 1 - step : step;
    const float* xt = x + static_cast<size_t>(t) * static_cast<size_t>(p.x_stride);
    for (int32_t j = 0; j < gates * H; ++j) {
      const float* wr = w + static_cast<size_t>(j) * static_cast<size_t>(I);
      float a = b ? b[j] : 0.0f;
      for (int32_t k = 0; k < I; ++k) a += wr[k] * xt[k];
      gx[j] = a;
      const float* rr = r + static_cast<size_t>(j) * static_cast<size_t>(H);
      float s = b ? b[gates * H + j] : 0.0f;
      for (int32_t k = 0; k < H; ++k) s += rr[k] * h[k];
      gh[j] = s;
    }
    if (p.cell == 0) {
      for (int32_t j = 0; j < H; ++j) {
        t1[j] = rnn_sigmoid(rnn_clip(p, gx[j] + gh[j]));          // z
        t2[j] = rnn_sigmoid(rnn_clip(p, gx[H + j] + gh[H + j]));  // r
      }
      if (!p.linear_before_reset) {
        // gh_h = Rb_h + R_h (r * h): recomputed with the reset applied first.
        float* rh = gx + 3 * H;  // free: gx holds 3H values for a GRU
        for (int32_t k = 0; k < H; ++k) rh[k] = t2[k] * h[k];
        for (int32_t j = 0; j < H; ++j) {
          const float* rr = r + static_cast<size_t>(2 * H + j) * static_cast<size_t>(H);
          float s = b ? b[5 * H + j] : 0.0f;
          for (int32_t k = 0; k < H; ++k) s += rr[k] * rh[k];
          gh[2 * H + j] = s;
        }
      }
      for (int32_t j = 0; j < H; ++j) {
        const float nv = p.linear_before_reset ? std::tanh(rnn_clip(p, gx[2 * H + j] + t2[j] * gh[2 * H + j]))
                                               : std::tanh(rnn_clip(p, gx[2 * H + j] + gh[2 * H + j]));
        h[j] = (1.0f - t1[j]) * nv + t1[j] * h[j];
      }
    } else {
      for (int32_t j = 0; j < H; ++j) {
        const float pi = peep ? peep[j] : 0.0f, po = peep ? peep[H + j] : 0.0f, pf = peep ? peep[2 * H + j] : 0.0f;
        const float ig = rnn_sigmoid(rnn_clip(p, gx[j] + gh[j] + pi * c[j]));
        const float fg = rnn_sigmoid(rnn_clip(p, gx[2 * H + j] + gh[2 * H + j] + pf * c[j]));
        const float cg = std::tanh(rnn_clip(p, gx[3 * H + j] + gh[3 * H + j]));
        c[j] = fg * c[j] + ig * cg;
        const float og = rnn_sigmoid(rnn_clip(p, gx[H + j] + gh[H + j] + po * c[j]));
        h[j] = og * std::tanh(c[j]);
      }
    }
    if (y)
      for (int32_t j = 0; j < H; ++j) y[static_cast<size_t>(t) * static_cast<size_t>(p.y_stride) + static_cast<size_t>(j)] = h[j];
  }
  if (y_h)
    for (int32_t j = 0; j < H; ++j) y_h[j] = h[j];
  if (y_c)
    for (int32_t j = 0; j < H; ++j) y_c[j] = c[j];
}
