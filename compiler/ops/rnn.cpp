// GRU and LSTM (forward, reverse and bidirectional; initial states, constant sequence lengths, LSTM
// peepholes, clip, GRU linear_before_reset; layout 0 and 1) lowered to rnn_f32, one call per
// (direction, batch element), unrolled over the static sequence length. Non-default activation functions and
// LSTM input_forget are refused.
#include "ops/op_util.h"

namespace ferrite::ops {

static Expected<Lowered> lower_rnn(const Graph& g, const Node& n, bool lstm) {
  FERRITE_TRY(require_f32(g, n, lstm ? std::initializer_list<int>{0, 1, 2, 3, 5, 6, 7} : std::initializer_list<int>{0, 1, 2, 3, 5}));
  const int gates = lstm ? 4 : 3;
  const Shape& x = in_shape(g, n, 0);
  const Shape& w = in_shape(g, n, 1);
  const Shape& r = in_shape(g, n, 2);
  const int64_t layout = n.attrs.i("layout", 0);
  if (x.size() != 3 || w.size() != 3 || r.size() != 3)
    return make_error("{}: X, W and R must have rank 3", n.display_name());
  const int64_t seq = layout ? x[1] : x[0], batch = layout ? x[0] : x[1], in = x[2];
  const int64_t dirs = w[0], hidden = n.attrs.i("hidden_size", r.size() == 3 ? r[2] : 0);
  const std::string direction = n.attrs.s("direction", "forward");
  if ((direction == "bidirectional") != (dirs == 2) || (dirs != 1 && dirs != 2))
    return make_error("{}: direction '{}' does not match {} weight directions", n.display_name(), direction, dirs);
  if (w[1] != gates * hidden || w[2] != in || r[0] != dirs || r[1] != gates * hidden || r[2] != hidden)
    return make_error("{}: W '{}' {} / R '{}' {} do not fit input size {} and hidden size {}", n.display_name(),
                      g.t(n.inputs[1]).name, shape_str(w), g.t(n.inputs[2]).name, shape_str(r), in, hidden);
  if (n.attrs.has("activations")) {
    const auto& v = n.attrs.values.at("activations");
    const std::vector<std::string> def = lstm ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                              : std::vector<std::string>{"Sigmoid", "Tanh"};
    // Attrs keep string lists as one string per element joined by ','; accept only the defaults.
    std::string got = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string("?");
    std::string want;
    for (int d = 0; d < dirs; ++d)
      for (const auto& s : def) want += (want.empty() ? "" : ",") + s;
    if (got != want)
      return make_error("{}: activations '{}' are not supported (only the defaults {})", n.display_name(), got, want);
  }
  if (lstm && n.attrs.i("input_forget", 0) != 0)
    return make_error("{}: input_forget = 1 is not supported", n.display_name());
  std::vector<int64_t> lens(static_cast<size_t>(batch), seq);
  if (has_input(n, 4)) {
    auto v = const_ints(g, n, 4, "sequence_lens");
    if (!v) return v.error();
    if (v->size() != lens.size())
      return make_error("{}: sequence_lens holds {} values for batch {}", n.display_name(), v->size(), batch);
    lens = *v;
    for (int64_t l : lens)
      if (l < 0 || l > seq)
        return make_error("{}: sequence length {} is outside 0..{}", n.display_name(), l, seq);
  }
  auto check_shape = [&](size_t i, const Shape& want, const char* what) -> Status {
    if (has_input(n, i) && g.t(n.inputs[i]).numel() != shape_numel(want))
      return make_error("{}: {} '{}' has shape {}, expected {} values", n.display_name(), what, g.t(n.inputs[i]).name,
                        shape_str(g.t(n.inputs[i]).shape), shape_numel(want));
    return Status::ok();
  };
  FERRITE_TRY(check_shape(3, {dirs, 2 * gates * hidden}, "B"));
  FERRITE_TRY(check_shape(5, {dirs, batch, hidden}, "initial_h"));
  if (lstm) {
    FERRITE_TRY(check_shape(6, {dirs, batch, hidden}, "initial_c"));
    FERRITE_TRY(check_shape(7, {dirs, 3 * hidden}, "P"));
  }
  auto out = [&](size_t i) { return output_slot(n, i) != kNoTensor; };
  Lowered l;
  // Element offsets (layout 0: X [seq, batch, in], Y [seq, dirs, batch, H], states [dirs, batch, H];
  // layout 1: X [batch, seq, in], Y [batch, seq, dirs, H], states [batch, dirs, H]).
  const int64_t x_step = layout ? in : batch * in, y_step = layout ? dirs * hidden : dirs * batch * hidden;
  for (int64_t call = 0; call < dirs * batch; ++call) {
    const int64_t d = call / batch, bi = call % batch;
    const int64_t len = lens[static_cast<size_t>(bi)];
    const int64_t x_off = layout ? bi * seq * in : bi * in;
    const int64_t y_off = layout ? bi * seq * dirs * hidden + d * hidden : (d * batch + bi) * hidden;
    const int64_t s_off = layout ? (bi * dirs + d) * hidden : (d * batch + bi) * hidden;
    ferrite_rt::RnnParams p{};
    p.cell = lstm ? 1 : 0;
    p.seq_len = i32(seq);
    p.len = i32(len);
    p.input = i32(in);
    p.hidden = i32(hidden);
    p.reverse = (direction == "reverse" || d == 1) ? 1 : 0;
    p.x_stride = i32(x_step);
    p.y_stride = i32(y_step);
    p.linear_before_reset = i32(n.attrs.i("linear_before_reset", 0));
    p.clip = n.attrs.f("clip", 0.0f);
    auto view = [](TensorId id, int64_t off) {
      Operand o = Operand::tensor(id);
      o.offset_elems = off;
      return o;
    };
    auto at = [&](size_t i, int64_t per_dir) { return view(n.inputs[i], d * per_dir); };
    auto opt_in = [&](size_t i, int64_t per_dir) { return has_input(n, i) ? at(i, per_dir) : Operand::null(); };
    auto state_in = [&](size_t i) { return has_input(n, i) ? view(n.inputs[i], s_off) : Operand::null(); };
    auto state_out = [&](size_t i) { return out(i) ? view(output_slot(n, i), s_off) : Operand::null(); };
    KernelCall c;
    c.kernel = KernelId::rnn_f32;
    c.variant = fmt::format("{}_f32_{}", lstm ? "lstm" : "gru", p.reverse ? "reverse" : "forward");
    c.params = p;
    c.args = {view(n.inputs[0], x_off),
              at(1, gates * hidden * in),
              at(2, gates * hidden * hidden),
              opt_in(3, 2 * gates * hidden),
              state_in(5),
              lstm ? state_in(6) : Operand::null(),
              lstm ? opt_in(7, 3 * hidden) : Operand::null(),
              out(0) ? view(output_slot(n, 0), y_off) : Operand::null(),
              state_out(1),
              lstm ? state_out(2) : Operand::null(),
              Operand::scratch()};
    l.scratch_bytes = ferrite_rt::rnn_f32_scratch_bytes(p);
    l.macs += static_cast<uint64_t>(len) * gates * hidden * (in + hidden);
    l.calls.push_back(std::move(c));
  }
  return l;
}

Expected<Lowered> lower_GRU(const Graph& g, const Node& n) { return lower_rnn(g, n, false); }
Expected<Lowered> lower_LSTM(const Graph& g, const Node& n) { return lower_rnn(g, n, true); }

}  // namespace ferrite::ops
