// Lifetime analysis and plan write-back. Tensors are grouped into storage groups with a union-find:
// a Reshape-family alias joins its input's group; an in-place-capable node's output joins the group
// of the input it may overwrite when that group is read for the last time at this node and holds no
// graph output. Each group and each kernel scratch buffer becomes one BufferRequest.
//
// Concat inputs produced straight into their slice: a second union-find of "compounds" joins an
// input's group to the Concat output's group at the slice's byte offset. Every tensor knows its
// byte position inside its compound; the groups of a compound stay separate requests (each with its
// own lifetime, so a slice is reserved only while its tensors live) anchored to the output's group
// at their position. Legality questions ("is this storage read later?", "does it hold a graph
// output?") are asked of the whole compound, since its groups overlap in memory.
#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "passes/memory_plan.h"
#include "passes/memory_plan_steps.h"

namespace ferrite {

// The storage decisions of a suffix of nodes [from, end) and the facts they were made from (PlanReuse).
struct PlanReuse::Record {
  size_t nodes = 0, tensors = 0;
  bool inplace = false, inplace_depthwise = false, caller_owned_inputs = false;
  std::vector<int> suffix;  // the non-constant tensors the suffix's nodes read or write, ascending
  // Per suffix tensor: the facts the decisions read.
  std::vector<int> def, last_use;
  std::vector<size_t> bytes;
  std::vector<uint8_t> flags;  // 1 graph input, 2 graph output, 4 extended by PlanOptions::extend
  std::vector<std::string> names;
  // Per suffix node: its tensors, name and op, and its lowering's storage facts.
  std::vector<Node> nodes_seen;  // inputs, outputs, op, name, index
  std::vector<uint8_t> alias, has_inplace_calls;
  std::vector<int> inplace_input;
  std::vector<std::vector<ConcatSlice>> slices;
  // The decisions: per suffix tensor, its state once the last node was done.
  std::vector<int> compound_root, group_root, first, last, anchor_to;
  std::vector<size_t> pos;
  std::vector<uint8_t> holds_output, external;
  std::vector<std::vector<int>> members;
  std::vector<size_t> anchored;  // group roots of suffix tensors anchored to the input they shrink over
  std::vector<std::string> notes;
  std::vector<uint8_t> inplace_variant;  // per suffix node
  std::vector<std::vector<int>> dropped_calls;
};

PlanReuse::PlanReuse(size_t from) : from_(from) {}
PlanReuse::~PlanReuse() = default;

PlanStats& plan_stats() {
  static PlanStats s;
  return s;
}

namespace plan_steps {

UnionFind::UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
int UnionFind::find(int x) {
  return parent[static_cast<size_t>(x)] == x ? x : parent[static_cast<size_t>(x)] = find(parent[static_cast<size_t>(x)]);
}
void UnionFind::join(int child, int root) { parent[static_cast<size_t>(find(child))] = find(root); }

Lifetimes lifetimes(const Graph& g, const PlanOptions& opts) {
  const size_t nt = g.tensors.size();
  Lifetimes l;
  l.steps = std::max<int>(1, static_cast<int>(g.nodes.size()));
  const int last_step = l.steps - 1;
  l.def.assign(nt, -1);
  l.last_use.assign(nt, -2);
  auto& def = l.def;
  auto& last_use = l.last_use;
  for (TensorId i : g.inputs) def[static_cast<size_t>(i)] = 0;
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    for (TensorId in : g.nodes[s].inputs)
      if (in != kNoTensor) last_use[static_cast<size_t>(in)] = std::max(last_use[static_cast<size_t>(in)], static_cast<int>(s));
    for (TensorId o : g.nodes[s].outputs) def[static_cast<size_t>(o)] = static_cast<int>(s);
  }
  for (TensorId o : g.outputs) last_use[static_cast<size_t>(o)] = last_step;
  for (const auto& [id, span] : opts.extend) {
    auto& d = def[static_cast<size_t>(id)];
    d = d < 0 ? span.first : std::min(d, span.first);
    last_use[static_cast<size_t>(id)] = std::max(last_use[static_cast<size_t>(id)], span.second);
  }
  return l;
}

namespace {

// Builds the storage groups node by node (the joins and the legality rules of storage_groups).
class GroupBuilder {
 public:
  GroupBuilder(const Graph& g, const PlanOptions& opts, const Lifetimes& life, MemoryPlan& plan)
      : g_(g), opts_(opts), def_(life.def), plan_(plan) {
    const size_t nt = g.tensors.size();
    s_.compound = UnionFind(nt);
    s_.group = UnionFind(nt);
    s_.pos.assign(nt, 0);
    s_.first.resize(nt);
    s_.last.resize(nt);
    s_.holds_output.assign(nt, false);
    s_.anchor_to.assign(nt, -1);
    s_.members.resize(nt);
    for (size_t i = 0; i < nt; ++i) {
      s_.first[i] = life.def[i];
      s_.last[i] = std::max(life.last_use[i], life.def[i]);
      s_.members[i].push_back(static_cast<int>(i));
    }
    for (TensorId o : g.outputs) s_.holds_output[static_cast<size_t>(o)] = true;
    // Caller-owned inputs: their storage group (with any aliases) is outside the arena and read-only.
    s_.external.assign(nt, false);
    if (opts.caller_owned_inputs)
      for (TensorId i : g.inputs) s_.external[static_cast<size_t>(i)] = true;
  }

  void node(size_t s, const Lowered& l) {
    const Node& n = g_.nodes[s];
    if (n.outputs.empty()) return;
    const TensorId out = n.outputs[0];
    if (l.alias) {
      const TensorId in = n.inputs[0];
      if (g_.t(in).is_constant()) return;  // a view of a constant is materialized by the backend
      merge(out, in);
      if (s_.external[static_cast<size_t>(s_.compound.find(in))]) s_.external[static_cast<size_t>(s_.compound.find(out))] = true;
      return;
    }
    if (!l.slices.empty() && opts_.concat_in_place) {
      place_in_slices(s, l);
      return;
    }
    const bool variant = !l.inplace_calls.empty();
    if (l.inplace_input >= 0 && (variant ? opts_.inplace_depthwise : opts_.inplace)) in_place(s, l, variant);
  }

  StorageGroups take() { return std::move(s_); }

  // The decisions of nodes [from, end) into `r` (its facts are filled by the caller); `notes_from`:
  // the first note those nodes wrote.
  void record(PlanReuse::Record& r, size_t from, size_t notes_from);
  // Sets the state of the recorded suffix tensors, and of the suffix nodes in the plan, from `r`.
  void replay(const PlanReuse::Record& r, size_t from);

 private:
  // Joins child's compound into parent's so that child sits `at` bytes above parent.
  void join_compounds(TensorId child, TensorId parent, size_t at) {
    const int r = s_.compound.find(parent), c = s_.compound.find(child);
    if (r == c) return;
    const size_t base = s_.pos[static_cast<size_t>(parent)] + at - s_.pos[static_cast<size_t>(child)];
    const auto ur = static_cast<size_t>(r), uc = static_cast<size_t>(c);
    for (int i : s_.members[uc]) s_.pos[static_cast<size_t>(i)] += base;
    s_.members[ur].insert(s_.members[ur].end(), s_.members[uc].begin(), s_.members[uc].end());
    std::vector<int>().swap(s_.members[uc]);
    s_.first[ur] = std::min(s_.first[ur], s_.first[uc]);
    s_.last[ur] = std::max(s_.last[ur], s_.last[uc]);
    s_.holds_output[ur] = s_.holds_output[ur] || s_.holds_output[uc];
    s_.compound.join(c, r);
  }
  // Child shares parent's storage (same offset).
  void merge(TensorId child, TensorId parent) {
    join_compounds(child, parent, 0);
    s_.group.join(child, parent);
  }
  // A Concat input may be produced straight into its slice of the output when the copy would be
  // the identity (lowering lists those slices) and sharing the memory is safe: the input is
  // computed by a node in the arena (no graph input, constant or caller-owned buffer, nothing whose
  // life a patched stage stretches), is no graph output, fills exactly the slice and feeds this
  // Concat once, and everything stored with it (in-place predecessors, aliases, a nested Concat)
  // lies inside the slice and is anchored to nothing. Slices start at multiples of the arena
  // alignment, which kernels may assume of every tensor.
  // `reads`: per compound root (as found before any slice of this node joined), how many of the
  // node's inputs it holds -- counted once per node, not once per slice.
  bool slice_ok(const Node& n, const ConcatSlice& sl, const std::unordered_map<int, int>& reads_of) {
    const TensorId x = n.inputs[static_cast<size_t>(sl.input)], out = n.outputs[0];
    if (x == kNoTensor || g_.t(x).is_constant() || def_[static_cast<size_t>(x)] < 0 || opts_.extend.count(x)) return false;
    if (g_.t(x).bytes() != sl.bytes || (s_.pos[static_cast<size_t>(out)] + sl.offset) % plan_.alignment != 0) return false;
    const int cx = s_.compound.find(x), co = s_.compound.find(out);
    if (cx == co || s_.holds_output[static_cast<size_t>(cx)] || s_.external[static_cast<size_t>(cx)] ||
        s_.external[static_cast<size_t>(co)])
      return false;
    // (a compound other than the output's has not been joined by an earlier slice: its count holds)
    const auto it = reads_of.find(cx);
    if (it != reads_of.end() && it->second > 1) return false;
    const size_t px = s_.pos[static_cast<size_t>(x)];
    for (const size_t i : s_.anchored)
      if (s_.compound.find(s_.anchor_to[i]) == cx) return false;  // something shrank in place over it
    for (const int member : s_.members[static_cast<size_t>(cx)]) {
      const auto i = static_cast<size_t>(member);
      if (g_.is_graph_input(static_cast<TensorId>(i)) ||
          s_.anchor_to[static_cast<size_t>(s_.group.find(static_cast<int>(i)))] >= 0)
        return false;
      if (s_.pos[i] < px || s_.pos[i] - px + g_.tensors[i].bytes() > sl.bytes) return false;
    }
    return true;
  }
  void place_in_slices(size_t s, const Lowered& l) {
    const Node& n = g_.nodes[s];
    if (l.slices.empty()) return;
    std::unordered_map<int, int> reads_of;
    for (TensorId i : n.inputs)
      if (i != kNoTensor) ++reads_of[s_.compound.find(i)];
    for (const ConcatSlice& sl : l.slices) {
      if (!slice_ok(n, sl, reads_of)) continue;
      const TensorId x = n.inputs[static_cast<size_t>(sl.input)];
      join_compounds(x, n.outputs[0], sl.offset);
      plan_.dropped_calls[s].push_back(sl.call);
      plan_.inplace_notes.push_back(
          fmt::format("'{}' is written into slice {} of {}", g_.t(x).name, sl.part, n.display_name()));
    }
  }
  // The node may write its output over input l.inplace_input: when that storage is read for the
  // last time here (and only once by this node: x + x must not be clobbered early), holds no graph
  // output, is not caller-owned, and is at least as large as the output (a smaller output is
  // anchored at the input's offset instead of joining its group).
  void in_place(size_t s, const Lowered& l, bool variant) {
    const Node& n = g_.nodes[s];
    const TensorId out = n.outputs[0];
    const TensorId in = n.inputs[static_cast<size_t>(l.inplace_input)];
    if (in == kNoTensor || g_.t(in).is_constant()) return;
    const auto root = static_cast<size_t>(s_.compound.find(in));
    int reads = 0;
    for (TensorId i2 : n.inputs) reads += (i2 != kNoTensor && s_.compound.find(i2) == static_cast<int>(root));
    if (s_.last[root] != static_cast<int>(s) || s_.holds_output[root] || reads > 1 || s_.external[root] ||
        g_.t(in).bytes() < g_.t(out).bytes())
      return;
    if (g_.t(out).bytes() < g_.t(in).bytes()) {
      s_.anchor_to[static_cast<size_t>(s_.group.find(out))] = static_cast<int>(in);  // shrinks in place
      s_.anchored.push_back(static_cast<size_t>(s_.group.find(out)));
    } else {
      merge(out, in);
    }
    plan_.inplace_variant[s] = variant;
    plan_.inplace_notes.push_back(fmt::format("{} writes its output over input '{}'{}", n.display_name(), g_.t(in).name,
                                              variant ? " (one-channel temporary)" : ""));
  }

  const Graph& g_;
  const PlanOptions& opts_;
  const std::vector<int>& def_;
  MemoryPlan& plan_;
  StorageGroups s_;
};


void GroupBuilder::record(PlanReuse::Record& r, size_t from, size_t notes_from) {
  r.compound_root.clear(); r.group_root.clear(); r.first.clear(); r.last.clear(); r.anchor_to.clear();
  r.pos.clear(); r.holds_output.clear(); r.external.clear(); r.members.clear();
  for (int t : r.suffix) {
    const auto i = static_cast<size_t>(t);
    r.compound_root.push_back(s_.compound.find(t));
    r.group_root.push_back(s_.group.find(t));
    r.first.push_back(s_.first[i]);
    r.last.push_back(s_.last[i]);
    r.anchor_to.push_back(s_.anchor_to[i]);
    r.pos.push_back(s_.pos[i]);
    r.holds_output.push_back(s_.holds_output[i]);
    r.external.push_back(s_.external[i]);
    r.members.push_back(s_.members[i]);
  }
  r.anchored.clear();
  for (size_t a : s_.anchored)
    if (std::binary_search(r.suffix.begin(), r.suffix.end(), static_cast<int>(a))) r.anchored.push_back(a);
  r.notes.assign(plan_.inplace_notes.begin() + static_cast<std::ptrdiff_t>(notes_from), plan_.inplace_notes.end());
  r.inplace_variant.assign(plan_.inplace_variant.begin() + static_cast<std::ptrdiff_t>(from), plan_.inplace_variant.end());
  r.dropped_calls.assign(plan_.dropped_calls.begin() + static_cast<std::ptrdiff_t>(from), plan_.dropped_calls.end());
}

void GroupBuilder::replay(const PlanReuse::Record& r, size_t from) {
  for (size_t k = 0; k < r.suffix.size(); ++k) {
    const auto i = static_cast<size_t>(r.suffix[k]);
    s_.compound.parent[i] = r.compound_root[k];
    s_.group.parent[i] = r.group_root[k];
    s_.first[i] = r.first[k];
    s_.last[i] = r.last[k];
    s_.anchor_to[i] = r.anchor_to[k];
    s_.pos[i] = r.pos[k];
    s_.holds_output[i] = r.holds_output[k] != 0;
    s_.external[i] = r.external[k] != 0;
    s_.members[i] = r.members[k];
  }
  s_.anchored.insert(s_.anchored.end(), r.anchored.begin(), r.anchored.end());
  plan_.inplace_notes.insert(plan_.inplace_notes.end(), r.notes.begin(), r.notes.end());
  for (size_t k = 0; k < r.inplace_variant.size(); ++k) {
    plan_.inplace_variant[from + k] = r.inplace_variant[k] != 0;
    plan_.dropped_calls[from + k] = r.dropped_calls[k];
  }
}

// The facts the storage decisions of nodes [from, end) read, into `r`; false when the two node
// ranges share a non-constant tensor (then the suffix's decisions depend on the prefix's).
bool suffix_facts(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts, const Lifetimes& life,
                  size_t from, PlanReuse::Record& r) {
  const size_t nt = g.tensors.size();
  std::vector<uint8_t> touched(nt, 0);  // 1 prefix, 2 suffix
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const uint8_t side = s < from ? 1 : 2;
    auto touch = [&](TensorId t) {
      if (t == kNoTensor || g.t(t).is_constant()) return true;
      uint8_t& m = touched[static_cast<size_t>(t)];
      m |= side;
      return m != 3;
    };
    for (TensorId t : g.nodes[s].inputs)
      if (!touch(t)) return false;
    for (TensorId t : g.nodes[s].outputs)
      if (!touch(t)) return false;
  }
  r.nodes = g.nodes.size();
  r.tensors = nt;
  r.inplace = opts.inplace;
  r.inplace_depthwise = opts.inplace_depthwise;
  r.caller_owned_inputs = opts.caller_owned_inputs;
  r.suffix.clear(); r.def.clear(); r.last_use.clear(); r.bytes.clear(); r.flags.clear(); r.names.clear();
  for (size_t i = 0; i < nt; ++i) {
    if (touched[i] != 2) continue;
    const auto id = static_cast<TensorId>(i);
    r.suffix.push_back(static_cast<int>(i));
    r.def.push_back(life.def[i]);
    r.last_use.push_back(life.last_use[i]);
    r.bytes.push_back(g.tensors[i].bytes());
    r.flags.push_back(static_cast<uint8_t>((g.is_graph_input(id) ? 1 : 0) | (g.is_graph_output(id) ? 2 : 0) |
                                           (opts.extend.count(id) ? 4 : 0)));
    r.names.push_back(g.tensors[i].name);
  }
  r.nodes_seen.clear(); r.alias.clear(); r.has_inplace_calls.clear(); r.inplace_input.clear(); r.slices.clear();
  for (size_t s = from; s < g.nodes.size(); ++s) {
    const Node& n = g.nodes[s];
    Node id;
    id.op = n.op;
    id.name = n.name;
    id.index = n.index;
    id.inputs = n.inputs;
    id.outputs = n.outputs;
    r.nodes_seen.push_back(std::move(id));
    r.alias.push_back(lowered[s].alias);
    r.has_inplace_calls.push_back(!lowered[s].inplace_calls.empty());
    r.inplace_input.push_back(lowered[s].inplace_input);
    r.slices.push_back(lowered[s].slices);
  }
  return true;
}

bool same_slices(const std::vector<ConcatSlice>& a, const std::vector<ConcatSlice>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].input != b[i].input || a[i].part != b[i].part || a[i].offset != b[i].offset || a[i].bytes != b[i].bytes ||
        a[i].call != b[i].call)
      return false;
  return true;
}

// Whether `now` (the facts of the graph being planned) equals the recorded `r`.
bool same_facts(const PlanReuse::Record& r, const PlanReuse::Record& now) {
  if (r.nodes != now.nodes || r.tensors != now.tensors || r.inplace != now.inplace ||
      r.inplace_depthwise != now.inplace_depthwise || r.caller_owned_inputs != now.caller_owned_inputs ||
      r.suffix != now.suffix || r.def != now.def || r.last_use != now.last_use || r.bytes != now.bytes ||
      r.flags != now.flags || r.names != now.names || r.alias != now.alias || r.has_inplace_calls != now.has_inplace_calls ||
      r.inplace_input != now.inplace_input)
    return false;
  for (size_t k = 0; k < r.nodes_seen.size(); ++k) {
    const Node &a = r.nodes_seen[k], &b = now.nodes_seen[k];
    if (a.op != b.op || a.name != b.name || a.index != b.index || a.inputs != b.inputs || a.outputs != b.outputs ||
        !same_slices(r.slices[k], now.slices[k]))
      return false;
  }
  return true;
}

}  // namespace

StorageGroups storage_groups(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts,
                             const Lifetimes& life, MemoryPlan& plan, PlanReuse* reuse) {
  plan.inplace_variant.assign(g.nodes.size(), false);
  plan.dropped_calls.assign(g.nodes.size(), {});
  GroupBuilder b(g, opts, life, plan);
  const size_t from = reuse ? reuse->from() : 0;
  PlanReuse::Record now;
  if (!reuse || from == 0 || from >= g.nodes.size() || !suffix_facts(g, lowered, opts, life, from, now)) {
    for (size_t s = 0; s < g.nodes.size(); ++s) b.node(s, lowered[s]);
    ++plan_stats().full;
    return b.take();
  }
  std::unique_ptr<PlanReuse::Record>& rec = reuse->records[opts.concat_in_place ? 1 : 0];
  for (size_t s = 0; s < from; ++s) b.node(s, lowered[s]);
  if (rec && same_facts(*rec, now)) {
    b.replay(*rec, from);
    ++plan_stats().incremental;
    return b.take();
  }
  const size_t notes_from = plan.inplace_notes.size();
  for (size_t s = from; s < g.nodes.size(); ++s) b.node(s, lowered[s]);
  ++plan_stats().full;
  rec = std::make_unique<PlanReuse::Record>(std::move(now));
  b.record(*rec, from, notes_from);
  return b.take();
}

Expected<std::vector<BufferRequest>> requests(const Graph& g, const std::vector<Lowered>& lowered, const Lifetimes& life,
                                              StorageGroups& sg, MemoryPlan& plan) {
  const size_t nt = g.tensors.size();
  const auto& def = life.def;
  const auto& last_use = life.last_use;
  auto& uf = sg.compound;
  auto& group = sg.group;
  // One request per storage group that holds a non-constant tensor.
  std::vector<BufferRequest> reqs;
  std::vector<int> group_req(nt, -1);
  plan.tensor_buffer.assign(nt, -1);
  plan.external_input.assign(nt, -1);
  for (size_t i = 0; i < nt; ++i)
    if (sg.external[static_cast<size_t>(uf.find(static_cast<int>(i)))] && def[i] >= 0 && !g.tensors[i].is_constant()) {
      const int root = uf.find(static_cast<int>(i));
      for (size_t k = 0; k < g.inputs.size(); ++k)
        if (uf.find(g.inputs[k]) == root) plan.external_input[i] = static_cast<int>(k);
    }
  auto is_storage = [&](size_t i) {
    const Tensor& t = g.tensors[i];
    return !t.is_constant() && def[i] >= 0 && plan.external_input[i] < 0;
  };
  for (size_t i = 0; i < nt; ++i) {
    if (!is_storage(i)) continue;
    const auto root = static_cast<size_t>(group.find(static_cast<int>(i)));
    if (group_req[root] < 0) {
      group_req[root] = static_cast<int>(reqs.size());
      BufferRequest r;
      r.name = g.tensors[root].name;
      r.first = def[i];
      r.last = def[i];
      reqs.push_back(r);
      plan.buffers.push_back({});
    }
    const auto ri = static_cast<size_t>(group_req[root]);
    reqs[ri].size = std::max(reqs[ri].size, g.tensors[i].bytes());
    reqs[ri].first = std::min(reqs[ri].first, def[i]);
    reqs[ri].last = std::max({reqs[ri].last, last_use[i], def[i]});
    plan.buffers[ri].tensors.push_back(static_cast<TensorId>(i));
    plan.tensor_buffer[i] = group_req[root];
  }
  // The groups of a compound (a Concat output and the inputs produced in its slices) are anchored
  // to the group of the compound's root (the outermost Concat output) at their byte position.
  for (size_t i = 0; i < nt; ++i) {
    if (group_req[i] < 0) continue;
    const auto primary = static_cast<size_t>(group.find(uf.find(static_cast<int>(i))));
    if (primary == i || group_req[primary] < 0) continue;
    auto& r = reqs[static_cast<size_t>(group_req[i])];
    r.anchor = group_req[primary];
    r.anchor_offset = sg.pos[i] - sg.pos[primary];
  }
  for (size_t i = 0; i < nt; ++i) {
    if (sg.anchor_to[i] < 0 || group_req[i] < 0) continue;
    const int target = group_req[static_cast<size_t>(group.find(sg.anchor_to[i]))];
    if (target < 0) continue;
    auto& r = reqs[static_cast<size_t>(group_req[i])];
    if (r.anchor >= 0) return make_error("internal error: '{}' is anchored twice", r.name);
    r.anchor = target;
  }
  // Graph outputs that are constants still need a place the caller can read them from.
  for (TensorId o : g.outputs) {
    const auto uo = static_cast<size_t>(o);
    if (plan.tensor_buffer[uo] >= 0) continue;
    BufferRequest r;
    r.name = g.t(o).name;
    r.size = g.t(o).bytes();
    r.first = 0;
    r.last = life.steps - 1;
    plan.tensor_buffer[uo] = static_cast<int>(reqs.size());
    reqs.push_back(r);
    plan.buffers.push_back({});
    plan.buffers.back().tensors.push_back(o);
  }
  plan.scratch_buffer.assign(g.nodes.size(), -1);
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const size_t scratch = plan.inplace_variant[s] ? lowered[s].inplace_scratch_bytes : lowered[s].scratch_bytes;
    if (scratch == 0) continue;
    BufferRequest r;
    r.name = fmt::format("scratch of {}", g.nodes[s].display_name());
    r.size = scratch;
    r.first = r.last = static_cast<int>(s);
    plan.scratch_buffer[s] = static_cast<int>(reqs.size());
    reqs.push_back(r);
    plan.buffers.push_back({});
    plan.buffers.back().scratch_of = static_cast<int>(s);
  }
  return reqs;
}

Status place(const std::vector<BufferRequest>& reqs, int steps, MemoryPlan& plan) {
  std::vector<Placement> all;
  Placement best = place_best(reqs, &all);
  for (const auto& p : all)
    if (p.arena != SIZE_MAX) plan.candidates.emplace_back(p.algorithm, p.arena);
  std::string overlap = find_overlap(reqs, best.offsets);
  if (!overlap.empty()) return make_error("internal error: memory plan overlap: {}", overlap);
  plan.algorithm = best.algorithm;
  plan.arena_bytes = (best.arena + plan.alignment - 1) / plan.alignment * plan.alignment;
  plan.lower_bound_bytes = lower_bound(reqs);
  plan.live = live_bytes(reqs, steps);
  for (size_t i = 0; i < reqs.size(); ++i) {
    plan.buffers[i].req = reqs[i];
    plan.buffers[i].offset = best.offsets[i];
  }
  return Status::ok();
}

}  // namespace plan_steps

static Expected<MemoryPlan> plan_memory_once(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts,
                                             PlanReuse* reuse) {
  MemoryPlan plan;
  const plan_steps::Lifetimes life = plan_steps::lifetimes(g, opts);
  plan_steps::StorageGroups sg = plan_steps::storage_groups(g, lowered, opts, life, plan, reuse);
  auto reqs = plan_steps::requests(g, lowered, life, sg, plan);
  if (!reqs) return reqs.error();
  FERRITE_TRY(plan_steps::place(*reqs, life.steps, plan));
  return plan;
}

// Slice aliasing pins a Concat input at a fixed offset inside the output, which can fragment the
// arena when the inputs are produced far apart (e.g. branches run interleaved): then the plan
// with separate buffers and copies is smaller, and wins (ties keep the aliasing: fewer copies).
Expected<MemoryPlan> plan_memory(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts,
                                 PlanReuse* reuse) {
  auto p = plan_memory_once(g, lowered, opts, reuse);
  if (!p || !opts.concat_in_place) return p;
  const bool aliased = std::any_of(p->dropped_calls.begin(), p->dropped_calls.end(), [](const auto& d) { return !d.empty(); });
  if (!aliased) return p;
  PlanOptions separate = opts;
  separate.concat_in_place = false;
  auto q = plan_memory_once(g, lowered, separate, reuse);
  if (!q || q->arena_bytes >= p->arena_bytes) return p;
  q->inplace_notes.push_back(fmt::format("Concat inputs keep their own buffers: written into the output's slices the "
                                         "arena would be {} B instead of {} B",
                                         p->arena_bytes, q->arena_bytes));
  return q;
}

}  // namespace ferrite
